"""minigrad.nn.conv2d: values and gradients against a plain loop reference, errors, gradchecks.

The reference below is written directly from the definition, in float64, with
loops over output pixels and kernel taps (vectorised only over batch and
channels):

    y[n, h, w, o] = sum_{i, j, c} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * k[i, j, c, o]

and its backward is the same loop run the other way (each tap's product sends
``dy`` back to the pixel and the kernel entry it came from). "same" padding is
TensorFlow's: the output has ceil(H / sh) rows and an odd total of padding puts
the extra row at the bottom (column at the right).

``GRADCHECKS`` covers the three conv ops (``conv2d``, ``conv2d_backprop_input``,
``conv2d_backprop_kernel``) on every input-gradient path (stride-1 flat
correlation, strided sub-pixel phases, col2im when the grid is mostly padding)
and both column layouts, with second derivatives for all of them.
"""

import math

import numpy as np
import pytest
from devices import DEVICES, needs_cuda

import minigrad as mg
from minigrad.gradcheck import gradcheck
from minigrad.kernels import windows
from minigrad.ops.conv import conv2d_backprop_input, conv2d_backprop_kernel, conv2d_nhwc

RNG = np.random.default_rng(0)


# -- the loop reference ------------------------------------------------------------------------
def same_pads(size, k, s, d):
    out = math.ceil(size / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def ref_pads(x_hw, k_hw, strides, dilations, padding):
    if padding == "valid":
        return ((0, 0), (0, 0))
    return tuple(same_pads(n, k, s, d) for n, k, s, d in zip(x_hw, k_hw, strides, dilations))


def ref_conv2d(x, k, strides, padding, dilations):
    """NHWC float64 loop reference: returns y and a backward(dy) -> (dx, dk)."""
    (sh, sw), (dh, dw) = strides, dilations
    kh, kw, _, o = k.shape
    pads = ref_pads(x.shape[1:3], (kh, kw), strides, dilations, padding)
    xpad = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    ho = (xpad.shape[1] - (kh - 1) * dh - 1) // sh + 1
    wo = (xpad.shape[2] - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((x.shape[0], ho, wo, o))
    for h in range(ho):
        for w in range(wo):
            for i in range(kh):
                for j in range(kw):
                    y[:, h, w, :] += xpad[:, h * sh + i * dh, w * sw + j * dw, :] @ k[i, j]

    def backward(dy):
        dxpad, dk = np.zeros_like(xpad), np.zeros_like(k)
        for h in range(ho):
            for w in range(wo):
                for i in range(kh):
                    for j in range(kw):
                        r, c = h * sh + i * dh, w * sw + j * dw
                        dxpad[:, r, c, :] += dy[:, h, w, :] @ k[i, j].T
                        dk[i, j] += xpad[:, r, c, :].T @ dy[:, h, w, :]
        top, left = pads[0][0], pads[1][0]
        return dxpad[:, top : top + x.shape[1], left : left + x.shape[2], :], dk

    return y, backward


def value_and_grads(x, k, dy, device="cpu", **kwargs):
    """minigrad's y and the tape's gradients of sum(y * dy), all made and computed on ``device``."""
    with mg.device(device):
        tx, tk = mg.tensor(x), mg.tensor(k)
        with mg.GradientTape() as tape:
            tape.watch([tx, tk])
            y = mg.nn.conv2d(tx, tk, **kwargs)
            loss = mg.sum(y * mg.tensor(dy))
        dx, dk = tape.gradient(loss, [tx, tk])
    assert {t.device for t in (tx, tk, y, dx, dk)} == {device}
    return y.numpy(), dx.numpy(), dk.numpy()


# (x NHWC shape, kernel shape, strides, padding, dilation): odd sizes make SAME asymmetric
CASES = [
    ((2, 7, 9, 3), (3, 3, 3, 4), 1, "valid", 1),
    ((2, 7, 9, 3), (3, 3, 3, 4), 1, "same", 1),
    ((2, 7, 9, 3), (3, 3, 3, 4), 2, "valid", 1),
    ((2, 7, 9, 3), (3, 3, 3, 4), 2, "same", 1),
    ((2, 7, 9, 3), (2, 4, 3, 5), 2, "same", 1),  # even kernel: odd total padding
    ((2, 7, 9, 3), (4, 2, 3, 2), (2, 3), "same", 1),
    ((2, 7, 9, 3), (3, 3, 3, 4), 1, "same", 2),
    ((2, 7, 9, 3), (3, 2, 3, 4), 1, "valid", (2, 3)),
    ((2, 7, 9, 3), (5, 5, 3, 2), 1, "valid", 1),  # mostly padding: the col2im path at stride 1
    ((3, 6, 6, 2), (1, 1, 2, 3), 1, "same", 1),
    ((1, 5, 5, 4), (5, 5, 4, 1), 3, "same", 1),
    ((2, 3, 3, 3), (5, 5, 3, 2), 2, "same", 1),  # mostly padding: the col2im path, strided
    ((2, 7, 9, 5), (3, 3, 5, 4), 2, "same", 1),  # many channels: row-major columns, phases
    ((2, 8, 8, 6), (3, 3, 6, 4), 1, "same", 1),  # many channels, stride 1
    ((2, 7, 9, 3), (1, 1, 3, 4), 2, "valid", 1),  # odd rows and columns get no gradient
    ((2, 7, 9, 4), (2, 2, 4, 3), 3, "valid", 1),  # stride > kernel: phases without taps
    ((2, 9, 7, 1), (3, 3, 1, 8), (2, 1), "same", 1),  # one channel, phases in rows only
]


def case_id(case):
    x, k, s, p, d = case
    return f"x{x}-k{k}-s{s}-{p}-d{d}".replace(" ", "")


def check_against_loop_reference(case, data_format, rng, device="cpu"):
    """conv2d's y, dx and dk on ``device`` against the float64 loop reference, to 1e-12."""
    x_shape, k_shape, strides, padding, dilation = case
    x, k = rng.standard_normal(x_shape), rng.standard_normal(k_shape)
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    y_ref, backward = ref_conv2d(x, k, pair(strides), padding, pair(dilation))
    dy = rng.standard_normal(y_ref.shape)
    dx_ref, dk_ref = backward(dy)
    kwargs = dict(strides=strides, padding=padding, dilation_rate=dilation, data_format=data_format)
    if data_format == "channels_first":  # same numbers, other layout
        to_cf, to_cl = (0, 3, 1, 2), (0, 2, 3, 1)
        y, dx, dk = value_and_grads(x.transpose(to_cf), k, dy.transpose(to_cf), device, **kwargs)
        y, dx = y.transpose(to_cl), dx.transpose(to_cl)
    else:
        y, dx, dk = value_and_grads(x, k, dy, device, **kwargs)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dk, dk_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_conv2d_matches_loop_reference(case, data_format):
    check_against_loop_reference(case, data_format, RNG)


def _input_gradient_path(x_shape, k_shape, strides, padding, dilation):
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    strides, dilations = pair(strides), pair(dilation)
    pads = ref_pads(x_shape[1:3], k_shape[:2], strides, dilations, padding)
    padded = tuple(n + sum(p) for n, p in zip(x_shape[1:3], pads))
    out = tuple((p - (k - 1) * d - 1) // s + 1
                for p, k, s, d in zip(padded, k_shape[:2], strides, dilations))
    if windows.transpose_cost(k_shape[:2], strides, dilations, padded, out) > 2:
        return "col2im"
    return "flat" if strides == (1, 1) else "phases"


def test_the_reference_cases_cover_every_path():
    # each input-gradient path (stride-1 flat correlation, sub-pixel phases, col2im) and
    # both column layouts of im2col (column-major for few channels, row-major) are compared
    # with the loop reference above
    paths = {_input_gradient_path(*case) for case in CASES}
    assert paths == {"flat", "phases", "col2im"}
    channels = {case[0][3] < windows.FEW_CHANNELS for case in CASES}
    assert channels == {True, False}
    assert _input_gradient_path((2, 28, 28, 32), (3, 3, 32, 64), 2, "same", 1) == "phases"


@pytest.mark.parametrize("strides, dilations", [((2, 2), (2, 2)), ((3, 2), (2, 3)), ((2, 1), (1, 2))])
def test_ops_with_strides_and_dilations_together_match_the_loop_reference(strides, dilations):
    # nn.conv2d refuses this mix (as TensorFlow does), but the ops handle it: the phases of a
    # strided, dilated kernel hold taps d // gcd(s, d) rows apart
    x, k = RNG.standard_normal((2, 11, 10, 3)), RNG.standard_normal((3, 3, 3, 2))
    y_ref, backward = ref_conv2d(x, k, strides, "valid", dilations)
    dy = RNG.standard_normal(y_ref.shape)
    dx_ref, dk_ref = backward(dy)
    attrs = _attrs(strides, dilations, ((0, 0), (0, 0)))
    y = conv2d_nhwc(mg.tensor(x), mg.tensor(k), **attrs).numpy()
    dx = conv2d_backprop_input(mg.tensor(dy), mg.tensor(k), x.shape, **attrs).numpy()
    dk = conv2d_backprop_kernel(mg.tensor(x), mg.tensor(dy), k.shape, **attrs).numpy()
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dk, dk_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_shape, out", [((8, 16, 16, 3), 8), ((3, 5, 7, 2), 3)],
                         ids=["wide-rows", "odd-rows"])
def test_conv2d_op_with_bias_adds_it_to_every_pixel(x_shape, out):
    # 8*16*16 output pixels: the bias goes in through rows of 8192 elements; 3*5*7: plainly
    x, b = RNG.standard_normal(x_shape), RNG.standard_normal(out)
    k = RNG.standard_normal((3, 3, x_shape[3], out))
    y_ref, backward = ref_conv2d(x, k, (1, 1), "same", (1, 1))
    dy = RNG.standard_normal(y_ref.shape)
    dx_ref, dk_ref = backward(dy)
    tx, tk, tb = mg.tensor(x), mg.tensor(k), mg.tensor(b)
    with mg.GradientTape() as tape:
        tape.watch([tx, tk, tb])
        y = conv2d_nhwc(tx, tk, bias=tb, **S1_SAME)
    dx, dk, db = tape.gradient(y, [tx, tk, tb], output_gradients=dy)
    np.testing.assert_allclose(y.numpy(), y_ref + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx.numpy(), dx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dk.numpy(), dk_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db.numpy(), dy.sum(axis=(0, 1, 2)), rtol=1e-12, atol=1e-12)


def test_input_gradient_in_many_cache_blocks(monkeypatch):
    # the stride-1 input gradient walks the flattened image in blocks of rows; make the
    # blocks tiny (256 rows) so that 2 * 11 * 13 = 286 padded pixels span two of them
    monkeypatch.setattr(windows, "_CACHE_BYTES", 1)
    x, k = RNG.standard_normal((2, 9, 11, 3)), RNG.standard_normal((3, 3, 3, 2))
    y_ref, backward = ref_conv2d(x, k, (1, 1), "same", (1, 1))
    dy = RNG.standard_normal(y_ref.shape)
    _, dx, _ = value_and_grads(x, k, dy, padding="same")
    np.testing.assert_allclose(dx, backward(dy)[0], rtol=1e-12, atol=1e-12)


def test_numpy_integers_are_accepted_as_sizes():
    x, k = np.ones((1, 6, 6, 1)), np.ones((2, 2, 1, 1))
    y = mg.nn.conv2d(x, k, strides=np.int64(2), dilation_rate=(np.int32(1), 1))
    assert y.shape == (1, 3, 3, 1)


def test_same_padding_puts_the_extra_row_and_column_at_the_end():
    # 3x3 image 1..9, 2x2 kernel of ones, stride 1: the total padding is 1, all of it at the
    # bottom and right, so each output sums the 2x2 block to its lower right (zeros beyond).
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    y = mg.nn.conv2d(x, np.ones((2, 2, 1, 1)), padding="SAME").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, [[12, 16, 9], [24, 28, 15], [15, 17, 9]])


def test_output_sizes_follow_tensorflow():
    x = np.zeros((1, 7, 9, 1), dtype=np.float32)
    for strides, padding, dilation, k, expected in [
        (1, "valid", 1, 3, (5, 7)), (2, "valid", 1, 3, (3, 4)), (2, "same", 1, 3, (4, 5)),
        (3, "same", 1, 3, (3, 3)), (1, "same", 2, 3, (7, 9)), (1, "valid", 2, 3, (3, 5)),
    ]:
        y = mg.nn.conv2d(x, np.zeros((k, k, 1, 2), np.float32), strides, padding,
                         dilation_rate=dilation)
        assert y.shape == (1, *expected, 2), (strides, padding, dilation)


def test_float32_stays_float32_and_matches_float64():
    x = RNG.standard_normal((2, 6, 5, 3))
    k = RNG.standard_normal((3, 3, 3, 4))
    y32 = mg.nn.conv2d(x.astype(np.float32), k.astype(np.float32), padding="same")
    assert y32.dtype == np.float32
    y64 = mg.nn.conv2d(x, k, padding="same")
    np.testing.assert_allclose(y32.numpy(), y64.numpy(), rtol=1e-5, atol=1e-5)


def test_second_derivative_of_a_conv_net_matches_finite_differences():
    # d/dk of <grad_x sum(tanh(conv(x, k))), w>: a Hessian-vector product through the ops
    x = RNG.standard_normal((2, 5, 6, 2))
    k = RNG.standard_normal((3, 3, 2, 3)) * 0.5
    w = RNG.standard_normal(x.shape)

    def h(k_array):
        tk, tx = mg.tensor(k_array), mg.tensor(x)
        with mg.GradientTape() as outer:
            outer.watch(tk)
            with mg.GradientTape() as inner:
                inner.watch(tx)
                y = mg.sum(mg.tanh(mg.nn.conv2d(tx, tk, strides=2, padding="same")))
            gx = inner.gradient(y, tx)
            out = mg.sum(gx * mg.tensor(w))
        return out.item(), outer.gradient(out, tk).numpy()

    _, analytic = h(k)
    v = RNG.standard_normal(k.shape)
    eps = 1e-6
    numeric = (h(k + eps * v)[0] - h(k - eps * v)[0]) / (2 * eps)
    np.testing.assert_allclose(np.sum(analytic * v), numeric, rtol=1e-6)


# -- errors ------------------------------------------------------------------------------------
X = np.zeros((2, 8, 8, 3), dtype=np.float32)
K = np.zeros((3, 3, 3, 4), dtype=np.float32)


@pytest.mark.parametrize("kwargs, x, k, exc, words", [
    ({}, X, np.zeros((3, 3, 2, 4), np.float32), ValueError, "3 channels"),
    ({"data_format": "channels_first"}, X, K, ValueError, "8 channels"),
    ({}, X[0], K, ValueError, "rank-4"),
    ({}, X, K[0], ValueError, "rank 4"),
    ({"padding": "full"}, X, K, ValueError, "'valid'"),
    ({"data_format": "NHWC"}, X, K, ValueError, "channels_last"),
    ({"strides": 2, "dilation_rate": 2}, X, K, ValueError, "dilation"),
    ({"strides": 0}, X, K, ValueError, "positive"),
    ({"strides": (1, 2, 3)}, X, K, ValueError, "pair"),
    ({"dilation_rate": -1}, X, K, ValueError, "positive"),
    ({}, X, np.zeros((9, 3, 3, 4), np.float32), ValueError, "padding='same'"),
    ({"dilation_rate": 4}, X, K, ValueError, "spans 9"),
    ({}, X.astype(np.int32), K, TypeError, "floating"),
    ({}, X, K.astype(np.float64), TypeError, "dtype"),
])
def test_conv2d_errors_say_what_to_change(kwargs, x, k, exc, words):
    with pytest.raises(exc, match=words):
        mg.nn.conv2d(x, k, **kwargs)


def test_kernel_larger_than_input_is_fine_with_same_padding():
    y = mg.nn.conv2d(np.ones((1, 2, 2, 1)), np.ones((5, 5, 1, 1)), padding="same")
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[4, 4], [4, 4]])


# -- gradient checks ---------------------------------------------------------------------------
def _conv(strides=1, padding="valid", dilation=1, data_format="channels_last"):
    def f(x, k):
        return mg.nn.conv2d(x, k, strides, padding, data_format, dilation)
    return f


def _attrs(strides, dilations, pads):
    return dict(strides=strides, dilations=dilations, pads=pads)


S1_SAME = _attrs((1, 1), (1, 1), ((1, 1), (1, 1)))  # 3x3 kernel, "same": the flat path
S2_SAME = _attrs((2, 2), (1, 1), ((1, 1), (0, 1)))  # 3x3 kernel on 5x6 -> 3x3: the phases
S2_WIDE = _attrs((2, 2), (1, 1), ((2, 2), (2, 2)))  # 5x5 kernel on 3x3 -> 2x2: the col2im path

GRADCHECKS = [
    ("conv2d", _conv(), [RNG.standard_normal((2, 5, 6, 2)), RNG.standard_normal((3, 2, 2, 3))]),
    ("conv2d", _conv(2, "same"), [RNG.standard_normal((2, 5, 6, 2)), RNG.standard_normal((3, 3, 2, 3))]),
    ("conv2d", _conv(1, "same", 2), [RNG.standard_normal((1, 5, 6, 2)), RNG.standard_normal((2, 3, 2, 2))]),
    ("conv2d", _conv((1, 2), "same", 1, "channels_first"),
     [RNG.standard_normal((2, 2, 5, 4)), RNG.standard_normal((3, 3, 2, 3))]),
    ("conv2d_backprop_input", lambda g, k: conv2d_backprop_input(g, k, (2, 5, 6, 2), **S1_SAME),
     [RNG.standard_normal((2, 5, 6, 3)), RNG.standard_normal((3, 3, 2, 3))]),
    ("conv2d_backprop_input", lambda g, k: conv2d_backprop_input(g, k, (2, 5, 6, 2), **S2_SAME),
     [RNG.standard_normal((2, 3, 3, 3)), RNG.standard_normal((3, 3, 2, 3))]),
    ("conv2d_backprop_input", lambda g, k: conv2d_backprop_input(g, k, (1, 3, 3, 2), **S2_WIDE),
     [RNG.standard_normal((1, 2, 2, 3)), RNG.standard_normal((5, 5, 2, 3))]),
    ("conv2d", lambda x, k, b: conv2d_nhwc(x, k, bias=b, **S2_SAME),
     [RNG.standard_normal((2, 5, 6, 2)), RNG.standard_normal((3, 3, 2, 3)), RNG.standard_normal(3)]),
    # many input channels: im2col's row-major column matrix (the cases above use few channels)
    ("conv2d", _conv(2, "same"), [RNG.standard_normal((1, 5, 6, 4)), RNG.standard_normal((3, 3, 4, 2))]),
    ("conv2d_backprop_kernel", lambda x, g: conv2d_backprop_kernel(x, g, (3, 3, 4, 2), **S2_SAME),
     [RNG.standard_normal((1, 5, 6, 4)), RNG.standard_normal((1, 3, 3, 2))]),
    ("conv2d_backprop_kernel", lambda x, g: conv2d_backprop_kernel(x, g, (3, 3, 2, 3), **S1_SAME),
     [RNG.standard_normal((2, 5, 6, 2)), RNG.standard_normal((2, 5, 6, 3))]),
    ("conv2d_backprop_kernel", lambda x, g: conv2d_backprop_kernel(x, g, (3, 3, 2, 3), **S2_SAME),
     [RNG.standard_normal((2, 5, 6, 2)), RNG.standard_normal((2, 3, 3, 3))]),
]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS)
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs)
    assert gradcheck(f, inputs, order=2, n_directions=4)


def test_gradcheck_full_jacobian_of_conv2d():
    x, k = RNG.standard_normal((1, 4, 5, 2)), RNG.standard_normal((3, 3, 2, 2))
    assert gradcheck(_conv(2, "same"), [x, k], mode="full")


@needs_cuda
@pytest.mark.parametrize("strides, padding", [(1, "same"), (2, "valid")])
def test_conv2d_on_the_gpu_matches_the_cpu(strides, padding):
    x, k = RNG.standard_normal((2, 7, 9, 3)), RNG.standard_normal((3, 3, 3, 4))
    dy = RNG.standard_normal(mg.nn.conv2d(x, k, strides, padding).shape)
    results = []
    for device in ("cpu", "cuda"):
        tx, tk = mg.tensor(x, device=device), mg.tensor(k, device=device)
        with mg.GradientTape() as tape:
            tape.watch([tx, tk])
            loss = mg.sum(mg.nn.conv2d(tx, tk, strides, padding) * mg.tensor(dy, device=device))
        results.append([loss.numpy(), *(g.numpy() for g in tape.gradient(loss, [tx, tk]))])
    for cpu, gpu in zip(*results):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-10, atol=1e-10)


# == on every device ===========================================================================
# The loop-reference comparisons and gradchecks above, on each device in DEVICES ("cuda"
# skipped, with a reason, without CuPy and a GPU), for a representative subset: strides 1 and
# 2, both paddings, both data formats, dilation, and each input-gradient path (flat, phases,
# col2im). Everything runs under ``with minigrad.device(device)``; the reference is computed
# on the host. The cpu cases are the control of the cuda ones.
DEVICE_CASES = [CASES[i] for i in (0, 1, 3, 6, 7, 11, 13)]


def test_the_device_cases_cover_the_variants():
    strides = {case[2] for case in DEVICE_CASES}
    assert {1, 2} <= strides
    assert {case[3] for case in DEVICE_CASES} == {"valid", "same"}
    assert any(case[4] != 1 for case in DEVICE_CASES)
    assert {_input_gradient_path(*case) for case in DEVICE_CASES} == {"flat", "phases", "col2im"}



@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("case", DEVICE_CASES, ids=case_id)
@pytest.mark.parametrize("device", DEVICES)
def test_conv2d_matches_loop_reference_on_device(device, case, data_format):
    check_against_loop_reference(case, data_format, np.random.default_rng(1), device)


DEVICE_GRADCHECKS = [  # (id, f, input shapes)
    ("s1-valid", _conv(), [(2, 5, 6, 2), (3, 2, 2, 3)]),
    ("s2-same", _conv(2, "same"), [(2, 5, 6, 2), (3, 3, 2, 3)]),
    ("s1-same-d2", _conv(1, "same", 2), [(1, 5, 6, 2), (2, 3, 2, 2)]),
    ("s2-valid-nchw", _conv(2, "valid", 1, "channels_first"), [(2, 2, 7, 6), (3, 3, 2, 3)]),
    ("s12-same-nchw", _conv((1, 2), "same", 1, "channels_first"), [(2, 2, 5, 4), (3, 3, 2, 3)]),
    ("col2im", _conv(2, "same"), [(1, 3, 3, 2), (5, 5, 2, 3)]),
    ("many-channels", _conv(2, "same"), [(1, 5, 6, 4), (3, 3, 4, 2)]),
]


@pytest.mark.parametrize("case", DEVICE_GRADCHECKS, ids=[c[0] for c in DEVICE_GRADCHECKS])
@pytest.mark.parametrize("device", DEVICES)
def test_gradcheck_on_device(device, case):
    _, f, shapes = case
    rng = np.random.default_rng(3)
    inputs = [mg.tensor(rng.standard_normal(s), device=device) for s in shapes]
    with mg.device(device):
        assert {t.device for t in inputs} == {device}
        assert {f(*inputs).device} == {device}
        assert gradcheck(f, inputs)
        assert gradcheck(f, inputs, order=2, n_directions=4)
