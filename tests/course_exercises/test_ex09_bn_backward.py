"""ex09: the closed-form backward of training-mode batch normalization, at order 1 and 2.

The student writes the per-channel coefficients of ``dx = a g + b (x - mu) + c`` and the
parameter gradients in the CPU kernel ``train_backward``. The kernel is called directly
(``batch_norm_train_grad``, no tape) and compared, quantity by quantity (dx, dgamma, dbeta),
with the textbook closed form in NumPy (``course.oracles.bn_train_backward``), for upstream
gradients of all three outputs ``(y, mean, variance)``. Order 1 is also checked against
finite differences, and order 2 through nested tapes (``minigrad.gradcheck(order=2)``).
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from course.diagnose import check_table
from course.oracles import bn_train_backward
from minigrad.ops.normalization import batch_norm_train_grad


def t(a, dtype="float64"):
    return mg.tensor(np.asarray(a), dtype=dtype)


def check_backward(shape, axis, seed=0, offset=1.0, dtype="float64", moment_grads=True, epsilon=1e-3):
    rng = np.random.default_rng(seed)
    channels = shape[axis]
    x = (offset + rng.normal(size=shape) * rng.uniform(0.5, 2.0, size=channels).reshape(
        [channels if i == axis % len(shape) else 1 for i in range(len(shape))])).astype(dtype)
    gamma, g = rng.normal(size=channels).astype(dtype), rng.normal(size=shape).astype(dtype)
    gmean = rng.normal(size=channels).astype(dtype) if moment_grads else np.zeros(channels, dtype)
    gvar = rng.normal(size=channels).astype(dtype) if moment_grads else np.zeros(channels, dtype)
    dx, dgamma, dbeta = batch_norm_train_grad(t(x, dtype), t(gamma, dtype), t(g, dtype), t(gmean, dtype),
                                              t(gvar, dtype), axis % len(shape), epsilon)
    expected = bn_train_backward(x, gamma, g, gmean, gvar, axis, epsilon)
    wrong = None
    if moment_grads:
        wrong = {"no_moment_gradients": bn_train_backward(x, gamma, g, 0 * gmean, 0 * gvar, axis, epsilon)}
    tol = {"rtol": 1e-9, "atol": 1e-10} if dtype == "float64" else {"rtol": 2e-3, "atol": 2e-4}
    check_table(f"batch_norm_train backward, x {shape} {dtype}, channel axis {axis}, mean about {offset}",
                [("dx", dx, expected[0]), ("dgamma", dgamma, expected[1]), ("dbeta", dbeta, expected[2])],
                **tol, wrong=wrong)


@pytest.mark.parametrize("shape,axis", [((8, 3), -1), ((4, 5, 3), -1), ((2, 3, 4, 5), 1),
                                        ((3, 2, 2, 4), -1), ((1, 4), -1)])
def test_closed_form(shape, axis):
    check_backward(shape, axis)


def test_without_gradients_of_the_statistics():
    check_backward((6, 4), -1, seed=3, moment_grads=False)


@pytest.mark.parametrize("offset", [0.0, 50.0, -3e4])
def test_channels_far_from_zero(offset):
    """The kernel subtracts a high part of the mean first; the coefficients must use the rest."""
    check_backward((16, 3), -1, seed=4, offset=offset)


def test_float32():
    check_backward((2, 4, 4, 3), -1, seed=5, offset=2.0, dtype="float32")


def test_large_epsilon():
    check_backward((5, 2), -1, seed=6, epsilon=1.0)


@pytest.mark.parametrize("order", [1, 2])
def test_gradcheck(order):
    """Order 1: the closed form against finite differences of the forward. Order 2: its own
    derivative (the backward's backward, through nested tapes) against finite differences. The
    closed form is checked directly first (the tape calls it only through the walk)."""
    check_backward((5, 3), -1, seed=7, offset=0.5)
    rng = np.random.default_rng(7)
    x, gamma, beta = rng.normal(size=(5, 3)) + 0.5, rng.normal(size=3), rng.normal(size=3)
    w_mean, w_var = rng.normal(size=3), rng.normal(size=3)

    def f(x, gamma, beta):
        y, mean, variance = mg.nn.batch_norm_train(x, gamma, beta, axis=-1, epsilon=1e-3)
        return mg.sum(y * y) + mg.sum(mean * w_mean) + mg.sum(variance * w_var)

    try:
        mg.gradcheck(f, [x, gamma, beta], order=order, mode="random", n_directions=6)
    except mg.errors.GradcheckError as exc:
        raise AssertionError(f"batch_norm_train, order {order}:\n{exc}") from None


@pytest.mark.hidden
def test_closed_form_random(course_seed):
    rng = np.random.default_rng(course_seed)
    ndim = int(rng.integers(2, 5))
    shape = tuple(int(s) for s in rng.integers(2, 5, size=ndim))
    axis = int(rng.choice([-1, 1])) if ndim > 2 else -1
    check_backward(shape, axis, seed=int(rng.integers(2**31)), offset=float(rng.normal() * 10),
                   epsilon=float(rng.choice([1e-5, 1e-3, 0.1])))
