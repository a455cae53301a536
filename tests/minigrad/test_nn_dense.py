"""minigrad.nn.dense and the bias of minigrad.nn.conv2d: values by hand, gradients, errors.

``dense(x, kernel, bias) = x @ kernel + bias``; ``conv2d(..., bias=b)`` adds ``b[o]`` to every
output pixel of channel ``o``. Both run the bias inside the op (one op, added in place), so
the bias gradient is the op's own: the output gradient summed over every axis but the
channel axis. The layers (``Dense``, ``Conv2D``) call these two functions.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.gradcheck import gradcheck

RNG = np.random.default_rng(11)


# -- dense: values ------------------------------------------------------------------------------
def test_dense_values_by_hand():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    kernel = mg.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    bias = mg.tensor([10.0, 20.0, 30.0])
    # row 0: [1, 2, 2 - 2] + bias; row 1: [3, 4, 6 - 4] + bias
    np.testing.assert_array_equal(mg.nn.dense(x, kernel, bias).numpy(),
                                  [[11.0, 22.0, 30.0], [13.0, 24.0, 32.0]])
    np.testing.assert_array_equal(mg.nn.dense(x, kernel).numpy(), [[1.0, 2.0, 0.0], [3.0, 4.0, 2.0]])


def test_dense_keeps_leading_batch_axes_and_matches_numpy():
    x = RNG.standard_normal((2, 3, 4))
    kernel = RNG.standard_normal((4, 5))
    bias = RNG.standard_normal(5)
    y = mg.nn.dense(mg.tensor(x, dtype="float64"), mg.tensor(kernel, dtype="float64"),
                    mg.tensor(bias, dtype="float64"))
    assert y.shape == (2, 3, 5)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), x @ kernel + bias, rtol=1e-12, atol=1e-12)


def test_dense_float32_stays_float32():
    x, kernel, bias = mg.ones((2, 3)), mg.ones((3, 4)), mg.ones(4)
    y = mg.nn.dense(x, kernel, bias)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), np.full((2, 4), 4.0, np.float32))


# -- dense: gradients ---------------------------------------------------------------------------
def test_dense_gradients_by_hand():
    # L = sum(y * w): dL/dbias[j] = sum_rows w[., j], dL/dkernel = x^T w, dL/dx = w kernel^T
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    kernel = mg.tensor([[1.0, -1.0], [2.0, 0.5]])
    bias = mg.tensor([0.5, -0.5])
    w = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]], np.float32)
    with mg.GradientTape() as tape:
        tape.watch([x, kernel, bias])
        loss = (mg.nn.dense(x, kernel, bias) * mg.tensor(w)).sum()
    gx, gk, gb = tape.gradient(loss, [x, kernel, bias])
    np.testing.assert_array_equal(gb.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(gk.numpy(), x.numpy().T @ w)
    np.testing.assert_array_equal(gx.numpy(), w @ kernel.numpy().T)


# -- dense: errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("x, kernel, bias, exc, words", [
    (np.ones(3, np.float32), np.ones((3, 2), np.float32), None, InvalidArgumentError,
     r"dense needs x \(\.\.\., k\) of rank >= 2 and a kernel \(k, n\); got shapes \(3,\) and \(3, 2\)"),
    (np.ones((2, 3), np.float32), np.ones((4, 2), np.float32), None, InvalidArgumentError,
     r"got shapes \(2, 3\) and \(4, 2\)\. Add a batch axis"),
    (np.ones((2, 3), np.float32), np.ones(3, np.float32), None, InvalidArgumentError,
     r"got shapes \(2, 3\) and \(3,\)"),
    (np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), np.ones(3, np.float32),
     InvalidArgumentError, r"dense bias must be a vector of 2 entries .* got shape \(3,\)"),
    (np.ones((2, 3), np.float32), np.ones((3, 2), np.float64), None, ArgumentTypeError,
     r"dense got an input of dtype float32 and a kernel of dtype float64: cast one"),
    (np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), np.ones(2, np.float64),
     ArgumentTypeError, r"dense got an input of dtype float32 and a bias of dtype float64"),
    (np.ones((2, 3), np.int64), np.ones((3, 2), np.int64), None, ArgumentTypeError,
     r"dense needs a floating-point tensor, got int64: cast it first"),
])
def test_dense_errors_say_what_to_change(x, kernel, bias, exc, words):
    with pytest.raises(exc, match=words):
        mg.nn.dense(mg.tensor(x), mg.tensor(kernel), None if bias is None else mg.tensor(bias))


# -- conv2d with a bias -------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_bias_values_by_hand(data_format):
    # a 3x3 image of ones and a 2x2 kernel of ones: every valid output pixel is 4, plus the bias
    x = mg.ones((1, 3, 3, 1) if data_format == "channels_last" else (1, 1, 3, 3))
    y = mg.nn.conv2d(x, mg.ones((2, 2, 1, 2)), data_format=data_format, bias=mg.tensor([0.5, -1.0]))
    expected = np.empty((1, 2, 2, 2), np.float32)
    expected[..., 0], expected[..., 1] = 4.5, 3.0
    if data_format == "channels_first":
        expected = expected.transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(y.numpy(), expected)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_bias_gradient_sums_over_batch_rows_and_columns(data_format):
    # L = sum(y * w): dL/dbias[o] = sum_{n, h, w} w[n, h, w, o]
    shape = (2, 4, 4, 3) if data_format == "channels_last" else (2, 3, 4, 4)
    x = mg.tensor(RNG.standard_normal(shape), dtype="float64")
    kernel = mg.tensor(RNG.standard_normal((3, 3, 3, 2)), dtype="float64")
    bias = mg.tensor([1.0, 2.0], dtype="float64")
    weights = RNG.standard_normal((2, 4, 4, 2))  # NHWC, "same" keeps 4x4
    w = weights if data_format == "channels_last" else weights.transpose(0, 3, 1, 2)
    with mg.GradientTape() as tape:
        tape.watch(bias)
        y = mg.nn.conv2d(x, kernel, padding="same", data_format=data_format, bias=bias)
        loss = (y * mg.tensor(w, dtype="float64")).sum()
    np.testing.assert_allclose(tape.gradient(loss, bias).numpy(), weights.sum(axis=(0, 1, 2)),
                               rtol=1e-12)


def test_conv2d_bias_is_added_to_the_unbiased_convolution():
    x = mg.tensor(RNG.standard_normal((2, 6, 5, 3)), dtype="float64")
    kernel = mg.tensor(RNG.standard_normal((3, 2, 3, 4)), dtype="float64")
    bias = RNG.standard_normal(4)
    with_bias = mg.nn.conv2d(x, kernel, strides=2, padding="same", bias=mg.tensor(bias, dtype="float64"))
    without = mg.nn.conv2d(x, kernel, strides=2, padding="same")
    np.testing.assert_allclose(with_bias.numpy(), without.numpy() + bias, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bias, exc, words", [
    (np.ones(3, np.float32), InvalidArgumentError,
     r"conv2d bias must be a vector of 2 entries \(one per output unit\), got shape \(3,\)"),
    (np.ones((1, 2), np.float32), InvalidArgumentError, r"got shape \(1, 2\)"),
    (np.ones(2, np.float64), ArgumentTypeError,
     r"conv2d got an input of dtype float32 and a bias of dtype float64: cast one"),
])
def test_conv2d_bias_errors_say_what_to_change(bias, exc, words):
    with pytest.raises(exc, match=words):
        mg.nn.conv2d(mg.ones((1, 3, 3, 1)), mg.ones((2, 2, 1, 2)), bias=mg.tensor(bias))


# -- float64 gradient checks of the bias paths (run on every device by test_devices_agree) ------
def _conv(strides, padding, dilation, data_format):
    def f(x, kernel, bias):
        return mg.nn.conv2d(x, kernel, strides=strides, padding=padding, data_format=data_format,
                            dilation_rate=dilation, bias=bias)
    return f


def _conv_inputs(data_format):
    shape = (2, 5, 5, 2) if data_format == "channels_last" else (2, 2, 5, 5)
    return [RNG.standard_normal(shape), RNG.standard_normal((2, 3, 2, 3)), RNG.standard_normal(3)]


GRADCHECKS = [
    ("matmul", lambda x, k, b: mg.nn.dense(x, k, b),
     [RNG.standard_normal((4, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal(2)]),
    ("matmul", lambda x, k, b: mg.nn.dense(x, k, b),
     [RNG.standard_normal((2, 3, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal(2)]),
    ("matmul", lambda x, k: mg.nn.dense(x, k), [RNG.standard_normal((2, 3, 3)), RNG.standard_normal((3, 2))]),
] + [
    ("conv2d", _conv(strides, padding, dilation, data_format), _conv_inputs(data_format))
    for data_format in ("channels_last", "channels_first")
    for strides, padding, dilation in ((1, "valid", 1), (2, "same", 1), (1, "same", 2))
]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS)
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs, mode="full")
    assert gradcheck(f, inputs, order=2)
