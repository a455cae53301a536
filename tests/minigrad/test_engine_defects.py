"""Engine defects found by differential testing against PyTorch and TensorFlow (issue 10).

Each test states the right answer by hand (or against a float64 reference) and checks
the engine gives it: transpose with negative axes, power's derivatives at exponent 0,
softmax over an empty axis, integer targets, a persistent tape differentiating its own
gradient, and the accuracy of var/std and of the BLAS sum fast path at large offsets.
The gradchecks of the changed ops live in the GRADCHECKS tables of test_ops_*.py.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import InvalidArgumentError
from minigrad.kernels.reductions import sum_by_matmul as _sum_by_matmul


def _grad(f, x, output_gradients=None):
    x = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x, output_gradients=output_gradients)


# -- transpose with negative axes -----------------------------------------------------------
def test_transpose_negative_axes_gradient_is_the_inverse_permutation_on_a_square():
    # y = x.T, so dL/dx = w.T for dL/dy = w; a non-symmetric w tells w from w.T
    w = np.arange(9.0).reshape(3, 3) * 1.5 + 1.0
    g = _grad(lambda x: mg.transpose(x, (-1, 0)), np.zeros((3, 3)), output_gradients=w)
    np.testing.assert_array_equal(g.numpy(), w.T)


@pytest.mark.parametrize("axes", [(-1, 0, 1), (2, -3, -2), (-2, -1, -3)])
def test_transpose_negative_axes_gradient_on_a_non_square(axes):
    # y = x.transpose(axes) moves element x[i] to y[i permuted]: the gradient moves it back
    w = np.arange(24.0).reshape(np.transpose(np.zeros((2, 3, 4)), axes).shape)
    g = _grad(lambda x: mg.transpose(x, axes), np.zeros((2, 3, 4)), output_gradients=w)
    positive = tuple(a % 3 for a in axes)
    np.testing.assert_array_equal(g.numpy(), np.transpose(w, np.argsort(positive)))
    np.testing.assert_array_equal(mg.transpose(mg.tensor(w), np.argsort(positive)).numpy(),
                                  g.numpy())


def test_transpose_rejects_axes_that_are_not_a_permutation():
    x = mg.zeros((2, 3))
    with pytest.raises(InvalidArgumentError, match=r"transpose: `axes`=\(1, 1\).*exactly once"):
        mg.transpose(x, (1, -1))
    with pytest.raises(InvalidArgumentError, match="`axes`=2 is out of range.*rank 2"):
        mg.transpose(x, (0, 2))


# -- power at exponent 0 ----------------------------------------------------------------------
def test_power_mixed_second_derivative_at_exponent_zero_is_one_over_a():
    # y = a ** b, dy/da = b a ** (b - 1), d/db(dy/da) = a ** (b - 1) (1 + b ln a) -> 1 / a at b = 0
    a = mg.tensor(np.array([2.0, 0.25, -4.0]))
    b = mg.tensor(np.zeros(3))
    with mg.GradientTape() as outer:
        outer.watch([a, b])
        with mg.GradientTape() as inner:
            inner.watch([a, b])
            y = mg.sum(a**b)
        dy_da = inner.gradient(y, a)
        total = mg.sum(dy_da)
    d2_da2, d2_dadb = outer.gradient(total, [a, b])
    np.testing.assert_array_equal(dy_da.numpy(), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(d2_dadb.numpy(), [0.5, 4.0, -0.25], rtol=1e-15)
    # d2y/da2 = b (b - 1) a ** (b - 2) = 0 at b = 0
    np.testing.assert_array_equal(d2_da2.numpy(), [0.0, 0.0, 0.0])


def test_power_mixed_second_derivative_away_from_zero_exponent():
    # at b = 2: d/db(dy/da) = a (1 + 2 ln a)
    a, b = mg.tensor(np.array([3.0])), mg.tensor(np.array([2.0]))
    with mg.GradientTape() as outer:
        outer.watch(b)
        with mg.GradientTape() as inner:
            inner.watch(a)
            y = mg.sum(a**b)
        dy_da = inner.gradient(y, a)
    np.testing.assert_allclose(outer.gradient(dy_da, b).numpy(), [3.0 * (1 + 2 * np.log(3.0))])


# -- softmax and log_softmax over an empty axis --------------------------------------------------
@pytest.mark.parametrize("fn", [mg.nn.softmax, mg.nn.log_softmax], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, axis", [((3, 0), -1), ((0, 4), 0), ((0, 4), -1), ((0,), 0),
                                         ((2, 0, 3), (1, 2))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_of_an_empty_axis_is_empty(fn, shape, axis, dtype):
    x = mg.tensor(np.zeros(shape, dtype=dtype))
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, axis=axis)
    g = tape.gradient(y, x, output_gradients=np.zeros(shape, dtype=dtype))
    assert (y.shape, y.dtype) == (shape, np.dtype(dtype))
    assert (g.shape, g.dtype) == (shape, np.dtype(dtype))


# -- integer targets -------------------------------------------------------------------------
def test_an_integer_target_has_no_gradient():
    # TF: the gradient of an integer target is None (with a warning), not ones
    x = mg.tensor([1.5, 2.5])
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = mg.cast(x * 3.0, "int32")
    with pytest.warns(UserWarning, match=r"dtype int32 has no gradient.*before the cast"):
        assert tape.gradient(y, x) is None
    with pytest.warns(UserWarning, match="int32"):
        zeros = tape.gradient(y, x, unconnected_gradients="zero")
    np.testing.assert_array_equal(zeros.numpy(), [0.0, 0.0])
    assert zeros.dtype == x.dtype


def test_an_integer_target_beside_a_float_one_adds_nothing():
    x = mg.tensor([1.5, 2.5])
    with mg.GradientTape() as tape:
        tape.watch(x)
        y, k = x * x, mg.cast(x, "int64")
    with pytest.warns(UserWarning, match="int64"):
        g = tape.gradient([y, k], x)
    np.testing.assert_array_equal(g.numpy(), [3.0, 5.0])


# -- a persistent tape differentiating its own gradient --------------------------------------
def test_persistent_tape_second_derivative_inside_its_own_with_block():
    # y = x^3: dy/dx = 3 x^2, d2y/dx2 = 6 x, d3y/dx3 = 6
    x = mg.tensor([1.0, -2.0, 0.5])
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        dy = tape.gradient(y, x)
        d2y = tape.gradient(dy, x)
        d3y = tape.gradient(d2y, x)
    np.testing.assert_allclose(dy.numpy(), 3.0 * x.numpy() ** 2)
    np.testing.assert_allclose(d2y.numpy(), 6.0 * x.numpy())
    np.testing.assert_allclose(d3y.numpy(), [6.0, 6.0, 6.0])
    # outside the block nothing more is recorded, and the first answers still hold
    entries = len(tape._entries)
    np.testing.assert_allclose(tape.gradient(dy, x).numpy(), 6.0 * x.numpy())
    assert len(tape._entries) == entries


def test_persistent_tape_gradient_of_a_variable_gradient_inside_the_block():
    # L = sum(v^2 * x): dL/dv = 2 v x, d(sum dL/dv)/dv = 2 x
    v = mg.Variable([1.0, 3.0], dtype="float64")
    x = mg.tensor([2.0, -1.0])
    with mg.GradientTape(persistent=True) as tape:
        loss = mg.sum(v * v * x)
        gv = tape.gradient(loss, v)
        total = mg.sum(gv)
    np.testing.assert_allclose(gv.numpy(), [4.0, -6.0])
    np.testing.assert_allclose(tape.gradient(total, v).numpy(), [4.0, -2.0])


def test_a_non_persistent_or_paused_tape_does_not_record_its_gradient():
    x = mg.tensor(3.0)
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = x * x * x
        g = tape.gradient(y, x)  # recording is paused while it walks back, then the record is freed
    np.testing.assert_allclose(g.numpy(), 27.0)
    assert tape._entries is None
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        with tape.stop_recording():
            g = tape.gradient(y, x)
        recorded = len(tape._entries)
        assert tape.gradient(g, x) is None  # the walk was not recorded
        assert len(tape._entries) == recorded


# -- var and std of float32 data at a large offset ------------------------------------------------
@pytest.mark.parametrize("shape, axis", [((10_000, 100), 0), ((10_000, 100), 1), ((10_000, 100), None),
                                         ((64, 32, 32, 16), (0, 1, 2)), ((50, 200, 20), (0, 2))])
def test_var_and_std_of_float32_data_at_offset_1e4_are_accurate(shape, axis):
    # before: float32 sums of a leading axis put the mean's error (~1e-2) squared into the
    # variance, 3.7e-4 relative for (1e4, 100) over axis 0 (and 9.0 for the 4-d case)
    x = (1e4 + np.random.default_rng(4).standard_normal(shape)).astype(np.float32)
    for ddof in (0, 1):
        reference = x.astype(np.float64).var(axis=axis, ddof=ddof)
        var = mg.var(mg.tensor(x), axis=axis, ddof=ddof)
        std = mg.std(mg.tensor(x), axis=axis, ddof=ddof)
        assert var.dtype == std.dtype == np.float32
        assert np.max(np.abs(var.numpy() - reference) / reference) <= 1e-6
        assert np.max(np.abs(std.numpy() - np.sqrt(reference)) / np.sqrt(reference)) <= 1e-6


def test_var_of_integers_stays_float64_as_numpy():
    x = mg.tensor(np.arange(6, dtype=np.int32))
    assert mg.var(x).dtype == mg.std(x).dtype == np.float64
    assert mg.var(x).item() == pytest.approx(35.0 / 12.0, rel=1e-15)


# -- the BLAS sum fast path on tall columns ------------------------------------------------------
def _ulps(approx, reference):
    spacing = np.spacing(np.abs(reference).astype(np.float32)).astype(np.float64)
    return np.abs(approx.astype(np.float64) - reference) / spacing


@pytest.mark.parametrize("shape, axis", [((4096, 256), 0), ((100_000, 16), 0), ((1_000_000, 2), 0),
                                         ((8000, 10, 8), (0, 1)), ((4, 30_000, 3), 1),
                                         ((2048, 64), 0), ((300, 256), 0),  # tall, under 65536
                                         ((300, 4096), 0)])  # long rows: blocks by NumPy's loop
def test_sum_fast_path_is_as_accurate_as_a_pairwise_sum(shape, axis):
    # positive data (1 + N(0, 1)): sums near n, so ulps of the result measure the error
    x = (1.0 + np.random.default_rng(5).standard_normal(shape)).astype(np.float32)
    axes = (axis,) if isinstance(axis, int) else axis
    assert _sum_by_matmul(np, x, axes, False) is not None  # the fast path is what is measured
    reference = x.astype(np.float64).sum(axis=axis)
    # NumPy's pairwise sum, where it applies: along a contiguous last axis
    moved = np.moveaxis(x, axes, tuple(range(-len(axes), 0)))
    pairwise = np.ascontiguousarray(moved).reshape(*moved.shape[: x.ndim - len(axes)], -1).sum(axis=-1)
    errors, pairwise_errors = _ulps(mg.sum(x, axis=axis).numpy(), reference), _ulps(pairwise, reference)
    # one BLAS product over all rows erred 14 to 100 ulp (max) here; blocks of 64 rows added
    # pairwise err as NumPy's pairwise sum does: a max under 3 ulp, and the same rms (about
    # 0.5 ulp) where there are enough sums for an rms to mean something
    assert errors.max() <= 3.0
    if errors.size >= 64:
        assert np.sqrt(np.mean(errors**2)) <= 1.25 * np.sqrt(np.mean(pairwise_errors**2))
    mean = mg.mean(x, axis=axis).numpy()
    assert _ulps(mean, reference / np.prod([shape[a] for a in axes])).max() <= 3.5


@pytest.mark.parametrize("shape, axes", [((3, 1000, 30), (1,)), ((4, 129, 2, 64), (1, 2)),
                                         ((2, 257, 256), (0, 1)), ((3, 130, 2, 2048), (1,)),
                                         ((70_000, 1), (0,)), ((100, 700), (0,))])
def test_sum_fast_path_values_on_leading_and_middle_axes(shape, axes):
    # blocks, a last partial block, leading axes kept apart (pre > 1), and long rows
    x = np.random.default_rng(6).standard_normal(shape)
    for keepdims in (False, True):
        got = _sum_by_matmul(np, x, axes, keepdims)
        expected = x.sum(axis=axes, keepdims=keepdims)
        assert got is not None and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


# -- std's gradient where the variance is 0 -------------------------------------------------------
def test_std_gradient_at_zero_variance_is_nan_as_documented():
    assert "NaN" in mg.std.__doc__
    x = mg.tensor(np.array([[4.0, 4.0, 4.0], [1.0, 2.0, 3.0]]))
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.std(x, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = tape.gradient(y, x).numpy()
    assert np.isnan(g[0]).all()
    # elsewhere (x - mean) / (n y): y = sqrt(2/3)
    np.testing.assert_allclose(g[1], np.array([-1.0, 0.0, 1.0]) / (3.0 * np.sqrt(2.0 / 3.0)))
