"""minigrad.nn.max_pool2d and avg_pool2d against plain loop references, errors, gradchecks.

The references loop over output pixels, in float64, from the definitions:

- max: ``y = max`` over the window of the image padded with -inf; the gradient of a
  window goes to its first maximum in row-major order (np.argmax of the flattened
  window), which is the tie rule minigrad documents (TensorFlow's CPU kernel, PyTorch);
- avg: ``y = sum / count`` over the real (unpadded) elements of the window, as
  TensorFlow does for "same"; the gradient spreads ``dy / count`` over those elements.

``GRADCHECKS`` covers the pooling ops and their transposes (the scatter/gather
ops the backwards are made of), with second derivatives.
"""

import math

import numpy as np
import pytest
from devices import DEVICES, needs_cuda

import minigrad as mg
from minigrad.gradcheck import gradcheck
from minigrad.kernels.pool import window_argmax as _window_argmax
from minigrad.ops.pool import (
    avg_pool2d_scatter,
    max_pool2d_gather,
    max_pool2d_nhwc,
    max_pool2d_scatter,
)

RNG = np.random.default_rng(0)


# -- loop references ---------------------------------------------------------------------------
def ref_pads(size, k, s, padding):
    if padding == "valid":
        return 0, 0
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def ref_pool(x, pool, strides, padding, kind):
    """NHWC float64 loop reference: returns y and a backward(dy) -> dx."""
    (ph, pw), (sh, sw) = pool, strides
    n, h, w, c = x.shape
    (top, bottom), (left, right) = ref_pads(h, ph, sh, padding), ref_pads(w, pw, sw, padding)
    xpad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=np.nan)
    ho, wo = (xpad.shape[1] - ph) // sh + 1, (xpad.shape[2] - pw) // sw + 1
    y = np.zeros((n, ho, wo, c))
    windows = {}
    for r in range(ho):
        for q in range(wo):
            win = xpad[:, r * sh : r * sh + ph, q * sw : q * sw + pw, :].reshape(n, ph * pw, c)
            real = ~np.isnan(win)  # the padding is NaN here, so it is easy to leave out
            if kind == "max":
                first = np.argmax(np.where(real, win, -np.inf), axis=1)  # first maximum
                y[:, r, q, :] = np.take_along_axis(win, first[:, None, :], axis=1)[:, 0, :]
                share = np.arange(ph * pw)[None, :, None] == first[:, None, :]
            else:
                count = real.sum(axis=1)
                y[:, r, q, :] = np.where(real, win, 0).sum(axis=1) / count
                share = real / count[:, None, :]
            windows[r, q] = share.reshape(n, ph, pw, c)

    def backward(dy):
        dxpad = np.zeros(xpad.shape)
        for (r, q), share in windows.items():
            dxpad[:, r * sh : r * sh + ph, q * sw : q * sw + pw, :] += share * dy[:, r, q, None, None, :]
        return dxpad[:, top : top + h, left : left + w, :]

    return y, backward


def value_and_grad(fn, x, dy, device="cpu", **kwargs):
    """y and the gradient of sum(y * dy), made and computed on ``device``."""
    with mg.device(device):
        tx = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(tx)
            y = fn(tx, **kwargs)
            loss = mg.sum(y * mg.tensor(dy))
        dx = tape.gradient(loss, tx)
    assert {t.device for t in (tx, y, dx)} == {device}
    return y.numpy(), dx.numpy()


# (x NHWC shape, pool_size, strides, padding): odd sizes make SAME asymmetric
CASES = [
    ((2, 8, 6, 3), 2, None, "valid"),  # exact tiling: the reshape path
    ((2, 7, 9, 3), 2, None, "valid"),  # a leftover row and column, never read
    ((2, 7, 9, 3), 2, None, "same"),
    ((2, 7, 9, 3), 3, 1, "valid"),  # overlapping windows
    ((2, 7, 9, 3), 3, 1, "same"),
    ((2, 7, 9, 3), 3, 2, "same"),
    ((2, 7, 9, 3), (2, 3), (1, 2), "same"),
    ((1, 5, 5, 2), 4, 3, "same"),
    ((3, 4, 4, 1), (4, 1), (4, 1), "valid"),
]


def case_id(case):
    return "x{}-p{}-s{}-{}".format(*case).replace(" ", "")


def check_against_loop_reference(case, kind, data_format, rng, device="cpu"):
    """Pooling's y and dx on ``device`` against the float64 loop reference, to 1e-12."""
    x_shape, pool, strides, padding = case
    x = rng.standard_normal(x_shape)
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    y_ref, backward = ref_pool(x, pair(pool), pair(strides or pool), padding, kind)
    dy = rng.standard_normal(y_ref.shape)
    dx_ref = backward(dy)
    fn = mg.nn.max_pool2d if kind == "max" else mg.nn.avg_pool2d
    kwargs = dict(pool_size=pool, strides=strides, padding=padding, data_format=data_format)
    if data_format == "channels_first":
        to_cf, to_cl = (0, 3, 1, 2), (0, 2, 3, 1)
        y, dx = value_and_grad(fn, x.transpose(to_cf), dy.transpose(to_cf), device, **kwargs)
        y, dx = y.transpose(to_cl), dx.transpose(to_cl)
    else:
        y, dx = value_and_grad(fn, x, dy, device, **kwargs)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_pooling_matches_loop_reference(case, kind, data_format):
    check_against_loop_reference(case, kind, data_format, RNG)


def test_max_pool_ties_send_the_gradient_to_the_first_element():
    # every 2x2 window is all zeros: the gradient goes to its top-left element
    x = mg.tensor(np.zeros((1, 4, 4, 1)))
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.nn.max_pool2d(x, 2)
    dx = tape.gradient(y, x).numpy()[0, :, :, 0]
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(dx, expected)


def test_same_max_pool_never_picks_the_padding():
    x = -np.ones((1, 3, 3, 1))  # padding with 0 would win every border window
    y = mg.nn.max_pool2d(x, 2, padding="same").numpy()
    np.testing.assert_array_equal(y, -np.ones((1, 2, 2, 1)))


def test_same_avg_pool_divides_by_the_real_elements():
    # 3x3 image 1..9, 2x2 windows, stride 2: one padded row and column, at the bottom/right
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    y = mg.nn.avg_pool2d(x, 2, padding="same").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, [[3.0, 4.5], [7.5, 9.0]])


def test_valid_pooling_shape_and_float32():
    x = RNG.standard_normal((2, 7, 9, 3)).astype(np.float32)
    for fn in (mg.nn.max_pool2d, mg.nn.avg_pool2d):
        y = fn(x, 2)
        assert y.shape == (2, 3, 4, 3) and y.dtype == np.float32


# -- errors ------------------------------------------------------------------------------------
X = np.zeros((2, 6, 6, 3), dtype=np.float32)


@pytest.mark.parametrize("fn", [mg.nn.max_pool2d, mg.nn.avg_pool2d])
@pytest.mark.parametrize("x, kwargs, exc, words", [
    (X[0], {}, ValueError, "rank-4"),
    (X, {"pool_size": 0}, ValueError, "positive"),
    (X, {"pool_size": (2, 2, 2)}, ValueError, "pair"),
    (X, {"strides": -1}, ValueError, "positive"),
    (X, {"padding": "causal"}, ValueError, "'valid'"),
    (X, {"data_format": "NCHW"}, ValueError, "channels_first"),
    (X, {"pool_size": 7}, ValueError, "padding='same'"),
    (X.astype(np.int64), {}, TypeError, "floating"),
])
def test_pooling_errors_say_what_to_change(fn, x, kwargs, exc, words):
    with pytest.raises(exc, match=words):
        fn(x, **kwargs)


# -- gradient checks ---------------------------------------------------------------------------
def spread(*shape):
    """Values with gaps of at least 0.01 between any two, so no max-pool window has a near tie."""
    return RNG.permutation(np.prod(shape)).reshape(shape) * 0.01 + RNG.uniform(0, 1e-3, shape)


def _scatter_attrs(x, pool, strides, pads):
    """Attributes for the scatter/gather ops: the argmax max_pool2d finds for ``x``, and y's shape."""
    attrs = dict(pool=pool, strides=strides, pads=pads)
    y = max_pool2d_nhwc(mg.tensor(x), **attrs)
    return dict(attrs, argmax=_window_argmax(np, x, y.numpy(), **attrs)), y.shape


SAME3 = dict(pool=(3, 3), strides=(2, 2), pads=((1, 1), (0, 1)))  # on 5x6: overlapping, padded
TILE2 = dict(pool=(2, 2), strides=(2, 2), pads=((0, 0), (0, 0)))  # on 4x6: the reshape path
X_SAME3, X_TILE2 = spread(2, 5, 6, 2), spread(2, 4, 6, 2)
A_SAME3, Y_SAME3 = _scatter_attrs(X_SAME3, **SAME3)
A_TILE2, Y_TILE2 = _scatter_attrs(X_TILE2, **TILE2)

GRADCHECKS = [
    ("max_pool2d", lambda x: mg.nn.max_pool2d(x, 2), [spread(2, 4, 6, 2)]),
    ("max_pool2d", lambda x: mg.nn.max_pool2d(x, 3, 2, "same"), [spread(2, 5, 6, 2)]),
    ("max_pool2d", lambda x: mg.nn.max_pool2d(x, 2, 1, "same", "channels_first"), [spread(1, 2, 5, 4)]),
    ("max_pool2d_scatter", lambda g: max_pool2d_scatter(g, input_shape=X_SAME3.shape, **A_SAME3),
     [RNG.standard_normal(Y_SAME3)]),
    ("max_pool2d_scatter", lambda g: max_pool2d_scatter(g, input_shape=X_TILE2.shape, **A_TILE2),
     [RNG.standard_normal(Y_TILE2)]),
    ("max_pool2d_gather", lambda z: max_pool2d_gather(z, **A_SAME3), [RNG.standard_normal(X_SAME3.shape)]),
    ("max_pool2d_gather", lambda z: max_pool2d_gather(z, **A_TILE2), [RNG.standard_normal(X_TILE2.shape)]),
    ("avg_pool2d", lambda x: mg.nn.avg_pool2d(x, 2), [RNG.standard_normal((2, 4, 6, 2))]),
    ("avg_pool2d", lambda x: mg.nn.avg_pool2d(x, 3, 2, "same"), [RNG.standard_normal((2, 5, 6, 2))]),
    ("avg_pool2d", lambda x: mg.nn.avg_pool2d(x, (2, 3), 1, "same", "channels_first"),
     [RNG.standard_normal((1, 2, 5, 4))]),
    ("avg_pool2d_scatter", lambda g: avg_pool2d_scatter(g, (2, 5, 6, 2), **SAME3),
     [RNG.standard_normal(Y_SAME3)]),
    ("avg_pool2d_scatter", lambda g: avg_pool2d_scatter(g, (2, 4, 6, 2), **TILE2),
     [RNG.standard_normal(Y_TILE2)]),
]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS)
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs, mode="full")
    assert gradcheck(f, inputs, order=2, n_directions=4)


def test_scatter_and_gather_are_transposes():
    # <scatter(g), z> == <g, gather(z)> for the same argmax: the two ops are each other's adjoint
    g, z = RNG.standard_normal(Y_SAME3), RNG.standard_normal(X_SAME3.shape)
    left = np.sum(max_pool2d_scatter(mg.tensor(g), input_shape=X_SAME3.shape, **A_SAME3).numpy() * z)
    right = np.sum(g * max_pool2d_gather(mg.tensor(z), **A_SAME3).numpy())
    np.testing.assert_allclose(left, right, rtol=1e-12)


@needs_cuda
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", [CASES[0], CASES[5]], ids=case_id)
def test_pooling_on_the_gpu_matches_the_cpu(case, kind):
    x_shape, pool, strides, padding = case
    fn = mg.nn.max_pool2d if kind == "max" else mg.nn.avg_pool2d
    x = RNG.standard_normal(x_shape)
    dy = RNG.standard_normal(fn(x, pool, strides, padding).shape)
    results = []
    for device in ("cpu", "cuda"):
        tx = mg.tensor(x, device=device)
        with mg.GradientTape() as tape:
            tape.watch(tx)
            loss = mg.sum(fn(tx, pool, strides, padding) * mg.tensor(dy, device=device))
        results.append([loss.numpy(), tape.gradient(loss, tx).numpy()])
    for cpu, gpu in zip(*results):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-12, atol=1e-12)


# == on every device ===========================================================================
# The loop-reference comparisons and gradchecks above, on each device in DEVICES ("cuda"
# skipped, with a reason, without CuPy and a GPU), for a representative subset: the tiled
# reshape path, strides 1 and 2, both paddings, overlapping and non-square windows, both data
# formats. Everything runs under ``with minigrad.device(device)``; the reference is computed on
# the host. The cpu cases are the control of the cuda ones.
DEVICE_CASES = [CASES[i] for i in (0, 2, 3, 5, 6)]


def test_the_device_cases_cover_the_variants():
    assert {case[3] for case in DEVICE_CASES} == {"valid", "same"}
    assert {1, 2} <= {case[2] for case in DEVICE_CASES}
    assert any(case[2] is None for case in DEVICE_CASES)  # strides = pool: the tiled path



@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", DEVICE_CASES, ids=case_id)
@pytest.mark.parametrize("device", DEVICES)
def test_pooling_matches_loop_reference_on_device(device, case, kind, data_format):
    check_against_loop_reference(case, kind, data_format, np.random.default_rng(1), device)


DEVICE_GRADCHECKS = [  # (id, f, input shape); max-pool inputs are spread out: no near ties
    ("max-tiled", lambda x: mg.nn.max_pool2d(x, 2), (2, 4, 6, 2)),
    ("max-s2-same", lambda x: mg.nn.max_pool2d(x, 3, 2, "same"), (2, 5, 6, 2)),
    ("max-s1-same-nchw", lambda x: mg.nn.max_pool2d(x, 2, 1, "same", "channels_first"), (1, 2, 5, 4)),
    ("avg-tiled", lambda x: mg.nn.avg_pool2d(x, 2), (2, 4, 6, 2)),
    ("avg-s2-same", lambda x: mg.nn.avg_pool2d(x, 3, 2, "same"), (2, 5, 6, 2)),
    ("avg-s1-same-nchw", lambda x: mg.nn.avg_pool2d(x, (2, 3), 1, "same", "channels_first"),
     (1, 2, 5, 4)),
]


@pytest.mark.parametrize("case", DEVICE_GRADCHECKS, ids=[c[0] for c in DEVICE_GRADCHECKS])
@pytest.mark.parametrize("device", DEVICES)
def test_gradcheck_on_device(device, case):
    _, f, shape = case
    rng = np.random.default_rng(3)
    # values at least 0.01 apart (a permutation of a grid), so max pooling has no near tie
    values = rng.permutation(np.prod(shape)).reshape(shape) * 0.01 + rng.uniform(0, 1e-3, shape)
    x = mg.tensor(values, device=device)
    with mg.device(device):
        assert x.device == device and f(x).device == device
        assert gradcheck(f, [x], mode="full")
        assert gradcheck(f, [x], order=2, n_directions=4)


# x[0, :, :, 0] = [[1, 5, 4, 4],
#                  [3, 2, 0, 1]]
X_HAND = np.array([[1.0, 5.0, 4.0, 4.0], [3.0, 2.0, 0.0, 1.0]]).reshape(1, 2, 4, 1)
NO_PADS = ((0, 0), (0, 0))


@pytest.mark.parametrize("strides, argmax, g, dx, gathered", [
    # tiling 2x2 windows: 5 at offset 1 (row 0, col 1); the tie 4, 4 goes to offset 0
    ((2, 2), [1, 0], [7.0, 9.0], {(0, 1): 7.0, (0, 2): 9.0}, [1.0, 2.0]),
    # overlapping windows (stride 1): offsets 1, 0, 0 all in row 0, at columns 1, 1, 2
    ((1, 1), [1, 0, 0], [1.0, 2.0, 3.0], {(0, 1): 3.0, (0, 2): 3.0}, [1.0, 1.0, 2.0]),
], ids=["tiled", "overlapping"])
def test_scatter_and_gather_by_hand_on_a_device(device, strides, argmax, g, dx, gathered):
    attrs = dict(pool=(2, 2), strides=strides, pads=NO_PADS)
    out_shape = (1, 1, len(g), 1)
    host_argmax = np.array(argmax, np.int8).reshape(out_shape)  # moved to the device by the ops
    y = max_pool2d_nhwc(mg.tensor(X_HAND), **attrs).numpy()
    np.testing.assert_array_equal(_window_argmax(np, X_HAND, y, **attrs), host_argmax)  # the hand argmax
    scattered = max_pool2d_scatter(mg.tensor(np.reshape(g, out_shape), device=device), host_argmax,
                                   X_HAND.shape, **attrs)
    expected = np.zeros(X_HAND.shape)
    for (r, c), value in dx.items():
        expected[0, r, c, 0] = value
    assert scattered.device == device
    np.testing.assert_array_equal(scattered.numpy(), expected)
    z = mg.tensor(np.arange(8.0).reshape(X_HAND.shape), device=device)  # z[0, 0, c] = c
    got = max_pool2d_gather(z, host_argmax, **attrs)
    assert got.device == device
    np.testing.assert_array_equal(got.numpy(), np.reshape(gathered, out_shape))
