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
