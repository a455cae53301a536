"""Reductions: values against NumPy for many axis/keepdims forms, errors, tie splitting,
numerical stability, and gradient checks.

``GRADCHECKS`` lists ``(op_name, f, inputs)`` for every differentiable op of
``minigrad/ops/reductions.py``; ``test_completeness.py`` reads it. Inputs of max and
min have distinct entries (at least 0.2 apart), so no tie sits within a finite
difference step; the tie rule is checked by hand below.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import gradcheck
from minigrad.ops.base import apply
from minigrad.ops.reductions import SparseSoftmaxCrossEntropyGrad as XentGrad
from minigrad.ops.reductions import sparse_softmax_cross_entropy as xent

RNG = np.random.default_rng(1)


def normal(*shape):
    return RNG.standard_normal(shape)


def distinct(*shape):
    """Entries at least 0.2 apart (a shuffled ladder plus small noise): no ties in max/min."""
    n = int(np.prod(shape, dtype=int))
    ladder = RNG.permutation(n) * 0.3 - 0.15 * n
    return (ladder + RNG.uniform(-0.05, 0.05, n)).reshape(shape)


def _tape_grad(f, x, output_gradients=None):
    x = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x, output_gradients=output_gradients)


# (axis, keepdims) forms every reduction is checked on, for a (2, 3, 4) input
AXES = [None, 0, 1, -1, (0, 2), (2, 0), (-1, -2), (0, 1, 2), ()]
SMOOTH = {
    "sum": (mg.sum, np.sum),
    "mean": (mg.mean, np.mean),
    "max": (mg.max, np.max),
    "min": (mg.min, np.min),
    "var": (mg.var, np.var),
    "std": (mg.std, np.std),
}


# -- gradient checks --------------------------------------------------------------------------
# labels [2, 0, 1, 1] of 3 classes as one-hot masks: classes along axis 1, and along axis 0
HOT = np.eye(3, dtype=bool)[[2, 0, 1, 1]]
HOT_AXIS0 = np.eye(4, dtype=bool)[[3, 0, 1]].T

GRADCHECKS = [
    ("sum", lambda x: mg.sum(x), [normal(3, 4)]),
    ("sum", lambda x: mg.sum(x, axis=1), [normal(2, 3, 4)]),
    ("sum", lambda x: mg.sum(x, axis=(0, 2), keepdims=True), [normal(2, 3, 4)]),
    ("mean", lambda x: mg.mean(x), [normal(3, 4)]),
    ("mean", lambda x: mg.mean(x, axis=-1, keepdims=True), [normal(2, 3, 4)]),
    ("mean", lambda x: mg.mean(x, axis=(0, 1)), [normal(2, 3, 4)]),
    ("max", lambda x: mg.max(x), [distinct(3, 4)]),
    ("max", lambda x: mg.max(x, axis=1), [distinct(2, 3, 4)]),
    ("max", lambda x: mg.max(x, axis=(0, 2), keepdims=True), [distinct(2, 3, 4)]),
    ("max", lambda x: mg.max(x, axis=-1, keepdims=True), [distinct(3, 5)]),
    ("max", lambda x: x.max(axis=0), [distinct(4, 3)]),
    ("min", lambda x: mg.min(x), [distinct(3, 4)]),
    ("min", lambda x: mg.min(x, axis=0), [distinct(2, 3, 4)]),
    ("min", lambda x: mg.min(x, axis=(1, 2), keepdims=True), [distinct(2, 3, 4)]),
    ("var", lambda x: mg.var(x), [normal(3, 4)]),
    ("var", lambda x: mg.var(x, axis=0), [normal(5, 3)]),
    ("var", lambda x: mg.var(x, axis=(0, 2), keepdims=True, ddof=1), [normal(2, 3, 4)]),
    ("var", lambda x: x.var(axis=-1, ddof=1), [normal(3, 4)]),
    ("std", lambda x: mg.std(x), [normal(3, 4)]),
    ("std", lambda x: mg.std(x, axis=1, keepdims=True), [normal(2, 3, 4)]),
    ("std", lambda x: mg.std(x, axis=(0, 1), ddof=1), [normal(3, 4, 2)]),
    ("logsumexp", lambda x: mg.logsumexp(x), [normal(3, 4)]),
    ("logsumexp", lambda x: mg.logsumexp(x, axis=1), [normal(2, 3, 4)]),
    ("logsumexp", lambda x: mg.logsumexp(x, axis=(0, 2), keepdims=True), [normal(2, 3, 4)]),
    ("logsumexp", lambda x: mg.logsumexp(x * 50.0, axis=-1), [normal(3, 4)]),  # large values
    ("sparse_softmax_cross_entropy", lambda x: xent(x, HOT), [normal(4, 3)]),
    ("sparse_softmax_cross_entropy", lambda x: xent(x, HOT_AXIS0, axis=0), [normal(4, 3)]),
    ("sparse_softmax_cross_entropy_grad", lambda x, g: apply(XentGrad, x, mg.tensor(HOT), g, axis=1),
     [normal(4, 3), normal(4)]),
]

# ops checked for second derivatives too (their backwards are built from minigrad ops)
SECOND_ORDER = [
    ("max", lambda x: mg.max(x * x, axis=1), [distinct(3, 4)]),
    ("min", lambda x: mg.min(mg.exp(x), axis=0, keepdims=True), [distinct(3, 4)]),
    ("var", lambda x: mg.var(x, axis=1), [normal(3, 4)]),
    ("var", lambda x: mg.var(x, ddof=1), [normal(2, 3)]),
    ("std", lambda x: mg.std(x, axis=0), [normal(4, 3)]),
    ("logsumexp", lambda x: mg.logsumexp(x, axis=-1), [normal(3, 4)]),
    ("logsumexp", lambda x: mg.logsumexp(x), [normal(2, 3)]),
    ("mean", lambda x: mg.mean(x * x, axis=0), [normal(3, 4)]),
    # times a second input y: the upstream gradient depends on y, so each backward
    # must itself be recorded (built from minigrad ops) for d/dy of the gradient to exist
    ("sum", lambda x, y: mg.sum(x, axis=0) * y, [normal(2, 3), normal(3)]),
    ("mean", lambda x, y: mg.mean(x, axis=1, keepdims=True) * y, [normal(2, 3), normal(2, 1)]),
    ("max", lambda x, y: mg.max(x, axis=1) * y, [distinct(3, 4), normal(3)]),
    ("min", lambda x, y: mg.min(x, axis=(0, 1)) * y, [distinct(3, 4), normal()]),
    ("var", lambda x, y: mg.var(x, axis=0) * y, [normal(3, 4), normal(4)]),
    ("std", lambda x, y: mg.std(x, axis=1, ddof=1) * y, [normal(3, 4), normal(3)]),
    ("logsumexp", lambda x, y: mg.logsumexp(x, axis=1) * y, [normal(3, 4), normal(3)]),
]

# sum and mean through the blocked fast path (tall: more than one block of rows), var and std
# (issue 10); an own generator leaves the inputs above as they were
_RNG_BLOCKED = np.random.default_rng(13)
GRADCHECKS += [
    ("sum", lambda x: mg.sum(x, axis=0), [_RNG_BLOCKED.standard_normal((200, 3))]),
    ("sum", lambda x: mg.sum(x, axis=(1, 2), keepdims=True), [_RNG_BLOCKED.standard_normal((2, 70, 2, 3))]),
    ("mean", lambda x: mg.mean(x, axis=0), [_RNG_BLOCKED.standard_normal((150, 2))]),
    ("var", lambda x: mg.var(x, axis=0), [100.0 + _RNG_BLOCKED.standard_normal((150, 2))]),
]
SECOND_ORDER += [
    ("sum", lambda x, y: mg.sum(x * x, axis=0) * y, [_RNG_BLOCKED.standard_normal((130, 2)),
                                                     _RNG_BLOCKED.standard_normal(2)]),
    ("mean", lambda x: mg.mean(x * x * x, axis=0), [_RNG_BLOCKED.standard_normal((130, 2))]),
    ("std", lambda x: mg.std(x, axis=0), [100.0 + _RNG_BLOCKED.standard_normal((150, 2))]),
]


def _ids(cases):
    return [f"{name}-{i}" for i, (name, _, _) in enumerate(cases)]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS, ids=_ids(GRADCHECKS))
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs)
    if sum(np.size(x) for x in inputs) <= 30:
        assert gradcheck(f, inputs, mode="full")


@pytest.mark.parametrize("op_name, f, inputs", SECOND_ORDER, ids=_ids(SECOND_ORDER))
def test_gradcheck_second_order(op_name, f, inputs):
    assert gradcheck(f, inputs, order=2)


# -- values against NumPy ------------------------------------------------------------------------
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", list(SMOOTH))
def test_values_match_numpy(name, axis, keepdims):
    fn, ref = SMOOTH[name]
    x = normal(2, 3, 4)
    out = fn(mg.tensor(x), axis=axis, keepdims=keepdims)
    expected = ref(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_logsumexp_matches_reference(axis, keepdims):
    x = normal(2, 3, 4)
    out = mg.logsumexp(mg.tensor(x), axis=axis, keepdims=keepdims)
    expected = np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("axis", [None, 0, (1, 2)], ids=str)
def test_var_std_ddof_match_numpy(axis, ddof):
    x = normal(3, 4, 5)
    np.testing.assert_allclose(mg.var(mg.tensor(x), axis=axis, ddof=ddof).numpy(),
                               np.var(x, axis=axis, ddof=ddof), rtol=1e-12)
    np.testing.assert_allclose(mg.std(mg.tensor(x), axis=axis, ddof=ddof).numpy(),
                               np.std(x, axis=axis, ddof=ddof), rtol=1e-12)
    np.testing.assert_allclose(mg.tensor(x).var(axis=axis, ddof=ddof).numpy(),
                               np.var(x, axis=axis, ddof=ddof), rtol=1e-12)


@pytest.mark.parametrize("name", list(SMOOTH) + ["logsumexp"])
def test_float32_stays_float32(name):
    fn = mg.logsumexp if name == "logsumexp" else SMOOTH[name][0]
    x = mg.tensor(normal(3, 4).astype(np.float32))
    assert fn(x, axis=1).dtype == np.float32
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, axis=1)
    assert tape.gradient(y, x).dtype == np.float32


def test_tensor_methods_call_the_ops():
    x = normal(3, 4)
    t = mg.tensor(x)
    np.testing.assert_allclose(t.max(axis=1).numpy(), x.max(axis=1))
    np.testing.assert_allclose(t.min(axis=0, keepdims=True).numpy(), x.min(axis=0, keepdims=True))
    np.testing.assert_allclose(t.std().numpy(), x.std())
    np.testing.assert_array_equal(t.argmax(axis=1).numpy(), x.argmax(axis=1))
    np.testing.assert_array_equal(t.argmin().numpy(), x.argmin())


def test_max_min_of_integers():
    x = np.array([[3, -1, 7], [2, 9, 0]])
    np.testing.assert_array_equal(mg.max(mg.tensor(x), axis=1).numpy(), [7, 9])
    np.testing.assert_array_equal(mg.min(mg.tensor(x)).numpy(), -1)
    assert mg.max(mg.tensor(x)).dtype == x.dtype


def test_reducing_a_zero_d_tensor():
    t = mg.tensor(np.float64(2.5))
    assert mg.max(t).item() == 2.5
    assert mg.logsumexp(t).item() == pytest.approx(2.5)
    assert mg.var(t).item() == 0.0
    with pytest.raises(ValueError, match="0-d tensor, which has no axes"):
        mg.sum(t, axis=0)  # as NumPy 2


def test_sum_of_empty_is_zero():
    assert mg.sum(mg.tensor(np.zeros((0, 3))), axis=0).numpy().tolist() == [0, 0, 0]
    assert mg.max(mg.tensor(np.zeros((0, 3))), axis=1).shape == (0,)  # no slice is empty


# -- gradients by hand ------------------------------------------------------------------------------
def test_max_ties_share_the_gradient_equally():
    g = _tape_grad(mg.max, np.array([1.0, 3.0, 3.0, 2.0]))
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.5, 0.5, 0.0])


def test_max_ties_per_slice_with_output_gradient():
    x = np.array([[5.0, 5.0, 5.0, 1.0], [2.0, 7.0, 0.0, 7.0]])
    g = _tape_grad(lambda t: mg.max(t, axis=1), x, output_gradients=np.array([3.0, 10.0]))
    np.testing.assert_allclose(g.numpy(), [[1.0, 1.0, 1.0, 0.0], [0.0, 5.0, 0.0, 5.0]])


def test_min_ties_share_the_gradient_equally():
    x = np.array([[0.0, 4.0], [0.0, -1.0], [3.0, -1.0]])
    g = _tape_grad(lambda t: mg.min(t, axis=0, keepdims=True), x)
    np.testing.assert_allclose(g.numpy(), [[0.5, 0.0], [0.5, 0.5], [0.0, 0.5]])


def test_max_over_all_ties_of_a_constant():
    g = _tape_grad(lambda t: mg.max(t, axis=(0, 1)), np.full((2, 2), 4.0))
    np.testing.assert_allclose(g.numpy(), np.full((2, 2), 0.25))


def test_max_gradient_goes_to_nan():
    x = np.array([1.0, np.nan, 3.0])
    assert np.isnan(mg.max(mg.tensor(x)).item())
    np.testing.assert_array_equal(_tape_grad(mg.max, x).numpy(), [0.0, 1.0, 0.0])


def test_var_gradient_by_hand():
    # var = mean((x - 2)^2) for x = [1, 2, 3]: dvar/dx = 2 (x - 2) / 3
    np.testing.assert_allclose(_tape_grad(mg.var, np.array([1.0, 2.0, 3.0])).numpy(),
                               [-2 / 3, 0.0, 2 / 3])
    # ddof=1 divides by n - 1 = 2
    g = _tape_grad(lambda t: mg.var(t, ddof=1), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g.numpy(), [-1.0, 0.0, 1.0])


def test_std_gradient_by_hand():
    # std of [0, 2] is 1; dstd/dx = (x - 1) / (2 * 1)
    np.testing.assert_allclose(_tape_grad(mg.std, np.array([0.0, 2.0])).numpy(), [-0.5, 0.5])


def test_logsumexp_gradient_is_softmax():
    x = normal(3, 5)
    g = _tape_grad(lambda t: mg.logsumexp(t, axis=1), x)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(g.numpy(), e / e.sum(axis=1, keepdims=True), rtol=1e-12)


def test_second_derivative_of_var_by_hand():
    # d/dx sum(dvar/dx * w) = (2 / n) (w - mean(w)): the Hessian of var is (2/n)(I - 1/n)
    x = mg.tensor(normal(4))
    w = mg.tensor(np.array([1.0, 0.0, 0.0, 0.0]))
    with mg.GradientTape() as outer:
        outer.watch(x)
        with mg.GradientTape() as inner:
            inner.watch(x)
            v = mg.var(x)
        h = mg.sum(inner.gradient(v, x) * w)
    np.testing.assert_allclose(outer.gradient(h, x).numpy(), 0.5 * (w.numpy() - 0.25), atol=1e-12)


# -- numerical stability ---------------------------------------------------------------------------
def test_logsumexp_does_not_overflow():
    x = mg.tensor(np.array([1000.0, 1000.0, -1000.0], dtype=np.float32))
    np.testing.assert_allclose(mg.logsumexp(x).item(), 1000.0 + np.log(2.0), rtol=1e-6)
    g = _tape_grad(mg.logsumexp, np.array([1000.0, 1000.0, -1000.0]))
    np.testing.assert_allclose(g.numpy(), [0.5, 0.5, 0.0])


def test_logsumexp_does_not_underflow():
    out = mg.logsumexp(mg.tensor(np.array([[-1000.0, -1001.0]])), axis=1)
    np.testing.assert_allclose(out.numpy(), [-1000.0 + np.log1p(np.exp(-1.0))], rtol=1e-12)


def test_logsumexp_of_minus_infinity_and_infinity():
    with np.errstate(divide="ignore"):
        out = mg.logsumexp(mg.tensor(np.array([[-np.inf, -np.inf], [0.0, -np.inf]])), axis=1)
    np.testing.assert_array_equal(out.numpy(), [-np.inf, 0.0])
    assert mg.logsumexp(mg.tensor(np.array([1.0, np.inf]))).item() == np.inf


def test_var_of_large_offset_is_accurate():
    x = 1e8 + np.array([1.0, 2.0, 3.0, 4.0])
    assert mg.var(mg.tensor(x)).item() == pytest.approx(1.25, rel=1e-6)


# -- argmax, argmin, all, any --------------------------------------------------------------------------
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions_match_numpy(name, axis, keepdims):
    x = RNG.integers(0, 4, (3, 4, 5)).astype(np.float64)  # many ties: the first one wins
    out = getattr(mg, name)(mg.tensor(x), axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), expected)


def test_argmax_is_not_differentiable():
    x = mg.tensor(normal(3, 4))
    with mg.GradientTape() as tape:
        tape.watch(x)
        i = mg.argmax(x, axis=1)
    assert i.dtype == np.int64
    assert tape.gradient(mg.sum(mg.cast(i, "float64")), x) is None
    assert mg.ops.REGISTRY["argmax"].differentiable is False
    assert mg.ops.REGISTRY["argmin"].differentiable is False


@pytest.mark.parametrize("axis", [None, 0, (0, 1)], ids=str)
def test_all_any_match_numpy(axis):
    x = RNG.integers(0, 2, (3, 4)).astype(bool)
    x[0] = True
    np.testing.assert_array_equal(mg.all(mg.tensor(x), axis=axis).numpy(), np.all(x, axis=axis))
    np.testing.assert_array_equal(mg.any(mg.tensor(x), axis=axis, keepdims=True).numpy(),
                                  np.any(x, axis=axis, keepdims=True))


# -- errors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["max", "min", "logsumexp", "mean"])
def test_empty_reduction_is_an_error(name):
    x = mg.tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="reduces zero elements"):
        getattr(mg, name)(x, axis=0)
    with pytest.raises(ValueError, match="reduces zero elements"):
        getattr(mg, name)(x)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reduction_of_empty_is_an_error(name):
    with pytest.raises(ValueError, match="empty tensor"):
        getattr(mg, name)(mg.tensor(np.zeros((0, 3))), axis=0)


@pytest.mark.parametrize("name", ["var", "std"])
def test_no_degrees_of_freedom_is_an_error(name):
    x = mg.tensor(normal(1, 3))
    with pytest.raises(ValueError, match="degrees of freedom"):
        getattr(mg, name)(x, axis=0, ddof=1)
    with pytest.raises(ValueError, match="degrees of freedom"):
        getattr(mg, name)(mg.tensor(np.zeros(0)))
    with pytest.raises(TypeError, match="ddof must be a number"):
        getattr(mg, name)(x, ddof="1")


@pytest.mark.parametrize("name", list(SMOOTH) + ["logsumexp", "argmax", "argmin", "all", "any"])
def test_bad_axis_is_an_error(name):
    x = mg.tensor(normal(2, 3))
    fn = getattr(mg, name)
    with pytest.raises(ValueError, match="axis 2 is out of range for a tensor of rank 2"):
        fn(x, axis=2)
    with pytest.raises(ValueError, match="out of range"):
        fn(x, axis=-3)
    with pytest.raises(TypeError, match="axis must be None, an int or a tuple of ints"):
        fn(x, axis=1.0)


@pytest.mark.parametrize("name", list(SMOOTH) + ["logsumexp"])
def test_repeated_axis_is_an_error(name):
    with pytest.raises(ValueError, match="repeats an axis"):
        getattr(mg, name)(mg.tensor(normal(2, 3)), axis=(1, -1))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reduction_takes_one_axis(name):
    with pytest.raises(TypeError, match="one int axis"):
        getattr(mg, name)(mg.tensor(normal(2, 3)), axis=(0, 1))


def test_axis_on_zero_d_tensor_is_an_error():
    with pytest.raises(ValueError, match="0-d tensor, which has no axes: use axis=None"):
        mg.max(mg.tensor(np.float64(1.0)), axis=1)


# -- sparse softmax cross-entropy ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sparse_softmax_cross_entropy_is_minus_log_softmax_at_the_label(dtype):
    x = (normal(4, 3) * 3).astype(dtype)
    x[1] = [1000.0, -1000.0, 0.0]  # large logits stay finite
    log_p = x - x.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    y = xent(x, HOT)
    assert y.dtype == dtype
    np.testing.assert_allclose(y.numpy(), -log_p[HOT], rtol=1e-6 if dtype == "float32" else 1e-12)
    g = normal(4)
    grad = _tape_grad(lambda t: xent(t, HOT), x, output_gradients=g).numpy()
    np.testing.assert_allclose(grad, (np.exp(log_p) - HOT) * g[:, None],
                               rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-7)


def test_sparse_softmax_cross_entropy_second_derivatives():
    assert gradcheck(lambda x: mg.tanh(xent(x, HOT)), [normal(4, 3)], order=2)
    def grad(x, g):
        return apply(XentGrad, x, mg.tensor(HOT), g, axis=1)
    assert gradcheck(grad, [normal(4, 3), normal(4)], order=2)


# -- sums of large arrays (matrix-vector products with ones) ------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [0, (0, 1), 1, (1, 2), (0, 2), -1, None])
def test_sum_and_mean_of_large_arrays_match_numpy(axis, dtype):
    x = normal(64, 40, 32).astype(dtype)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for keepdims in (False, True):
        got = mg.sum(x, axis=axis, keepdims=keepdims)
        assert got.dtype == dtype
        expected = x.astype(np.float64).sum(axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(got.numpy(), expected, rtol=rtol, atol=rtol * 10)
        expected = x.astype(np.float64).mean(axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(mg.mean(x, axis=axis, keepdims=keepdims).numpy(), expected,
                                   rtol=rtol, atol=rtol)


def test_large_sums_over_leading_axes_on_a_device(device):
    """Big contiguous arrays take a matmul path on the CPU (``_sum_by_matmul``), the plain
    reduction elsewhere: every device gives NumPy's sums."""
    x = np.random.default_rng(3).standard_normal((64, 32, 40))  # 81920 elements: the big-array path
    t = mg.tensor(x, device=device)
    for axis in ((0,), (0, 1), (1,)):
        s, m = mg.sum(t, axis=axis), mg.mean(t, axis=axis, keepdims=True)
        assert s.device == device and m.device == device
        np.testing.assert_allclose(s.numpy(), x.sum(axis=axis), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(m.numpy(), x.mean(axis=axis, keepdims=True), rtol=1e-12, atol=1e-12)
