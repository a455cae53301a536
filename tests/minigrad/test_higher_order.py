"""Gradients of gradients: nested tapes, minigrad.grad(minigrad.grad(f)), Hessian-vector products.

Every backward is written in minigrad ops, so an outer tape records the inner
tape's gradient computation. Second derivatives are checked against closed forms
and against central differences of the analytic first derivative,
``(g(x + eps v) - g(x - eps v)) / (2 eps)``.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import gradcheck

RNG = np.random.default_rng(7)
EPS = 1e-5


def f64(a) -> mg.Tensor:
    return mg.tensor(np.asarray(a, dtype=np.float64))


def first_derivative(fn, x: mg.Tensor) -> mg.Tensor:
    """d sum(fn(x)) / dx: for an elementwise fn, fn'(x) entry by entry."""
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.sum(fn(x))
    return tape.gradient(y, x)


def second_derivative(fn, x: mg.Tensor) -> mg.Tensor:
    """d sum(fn'(x)) / dx through nested tapes: for an elementwise fn, fn''(x)."""
    with mg.GradientTape() as outer:
        outer.watch(x)
        g = first_derivative(fn, x)
        s = mg.sum(g)
    return outer.gradient(s, x)


def central_difference(fn, x: np.ndarray, v, eps: float = EPS) -> np.ndarray:
    """(fn(x + eps v) - fn(x - eps v)) / (2 eps) for fn: ndarray -> ndarray."""
    return (fn(x + eps * v) - fn(x - eps * v)) / (2 * eps)


# -- elementwise second derivatives: closed forms and finite differences ---------------------
def _tanh2(x):
    t = np.tanh(x)
    return -2 * t * (1 - t**2)


def _sigmoid2(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s) * (1 - 2 * s)


@pytest.mark.parametrize("fn, closed_form", [(mg.tanh, _tanh2), (mg.sigmoid, _sigmoid2)],
                         ids=["tanh", "sigmoid"])
def test_elementwise_second_derivative(fn, closed_form):
    x = np.linspace(-3.0, 3.0, 13).reshape(1, 13) + np.zeros((2, 1))
    h = second_derivative(fn, f64(x))
    assert h.shape == x.shape and h.dtype == np.float64
    np.testing.assert_allclose(h.numpy(), closed_form(x), rtol=1e-12, atol=1e-14)
    # against central differences of the analytic first derivative, entry by entry
    numeric = central_difference(lambda z: first_derivative(fn, f64(z)).numpy(), x, np.ones_like(x))
    np.testing.assert_allclose(h.numpy(), numeric, rtol=1e-6, atol=1e-9)
    assert gradcheck(fn, [x], order=2, mode="full")


def test_tanh_second_derivative_known_values():
    # tanh''(0) = 0; tanh''(atanh(1/sqrt 3)) = -2 (1/sqrt 3)(2/3) = -4 / (3 sqrt 3), its minimum
    x = np.array([0.0, np.arctanh(1 / np.sqrt(3))])
    h = second_derivative(mg.tanh, f64(x)).numpy()
    np.testing.assert_allclose(h, [0.0, -4 / (3 * np.sqrt(3))], atol=1e-15)


def test_sigmoid_second_derivative_known_values():
    # s''(0) = 1/4 * 1/2 * 0 = 0; s''(ln 3): s = 3/4, s'' = 3/4 * 1/4 * (-1/2) = -3/32
    h = second_derivative(mg.sigmoid, f64([0.0, np.log(3.0)])).numpy()
    np.testing.assert_allclose(h, [0.0, -3 / 32], atol=1e-15)


# -- log_softmax: Hessian against its closed form --------------------------------------------------
def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_log_softmax_hessian_vector_product_closed_form():
    # L = sum(c * log_softmax(z)) row-wise: grad = c - (sum c) p, Hessian = -(sum c)(diag p - p p^T)
    z, c, v = RNG.standard_normal((3, 5)), RNG.standard_normal((3, 5)), RNG.standard_normal((3, 5))
    tz = f64(z)
    with mg.GradientTape() as outer:
        outer.watch(tz)
        with mg.GradientTape() as inner:
            inner.watch(tz)
            loss = mg.sum(mg.nn.log_softmax(tz, axis=-1) * c)
        g = inner.gradient(loss, tz)
        gv = mg.sum(g * v)
    hv = outer.gradient(gv, tz)
    p, sc = _softmax(z), c.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(g.numpy(), c - sc * p, rtol=1e-12, atol=1e-14)
    expected = -sc * (p * v - p * np.sum(p * v, axis=-1, keepdims=True))
    np.testing.assert_allclose(hv.numpy(), expected, rtol=1e-10, atol=1e-13)


def test_log_softmax_second_order_gradcheck():
    z = RNG.standard_normal((2, 4))
    assert gradcheck(lambda t: mg.nn.log_softmax(t, axis=-1), [z], order=2, mode="full")
    assert gradcheck(lambda t: mg.nn.log_softmax(t, axis=0), [z], order=2)


# -- a Hessian-vector product of a small MLP ----------------------------------------------------------
X = RNG.standard_normal((6, 4))
LABELS = np.array([0, 2, 1, 2, 0, 1])
ONE_HOT = np.eye(3)[LABELS]


def mlp_loss(w1, b1, w2, b2):
    """Mean softmax cross-entropy of a 4-5-3 tanh MLP on (X, LABELS)."""
    hidden = mg.tanh(mg.matmul(f64(X), w1) + b1)
    logits = mg.matmul(hidden, w2) + b2
    return -mg.mean(mg.sum(mg.nn.log_softmax(logits, axis=-1) * ONE_HOT, axis=-1))


def mlp_gradient(params):
    ts = [f64(p) for p in params]
    with mg.GradientTape() as tape:
        tape.watch(ts)
        loss = mlp_loss(*ts)
    return [g.numpy() for g in tape.gradient(loss, ts)]


def test_mlp_hessian_vector_product_matches_finite_differences():
    params = [RNG.standard_normal((4, 5)) * 0.7, RNG.standard_normal(5) * 0.1,
              RNG.standard_normal((5, 3)) * 0.7, RNG.standard_normal(3) * 0.1]
    v = [RNG.standard_normal(p.shape) for p in params]
    ts = [f64(p) for p in params]
    with mg.GradientTape() as outer:
        outer.watch(ts)
        with mg.GradientTape() as inner:
            inner.watch(ts)
            loss = mlp_loss(*ts)
        grads = inner.gradient(loss, ts)
        gv = mg.sum(grads[0] * v[0])
        for g, vi in zip(grads[1:], v[1:]):
            gv = gv + mg.sum(g * vi)
    hv = outer.gradient(gv, ts)
    plus = mlp_gradient([p + EPS * vi for p, vi in zip(params, v)])
    minus = mlp_gradient([p - EPS * vi for p, vi in zip(params, v)])
    for h, gp, gm, p in zip(hv, plus, minus, params):
        assert h.shape == p.shape
        numeric = (gp - gm) / (2 * EPS)
        np.testing.assert_allclose(h.numpy(), numeric, rtol=1e-6, atol=1e-9)
    assert np.abs(np.concatenate([h.numpy().ravel() for h in hv])).max() > 1e-2  # not trivially 0


def test_mlp_hessian_is_symmetric():
    params = [RNG.standard_normal((4, 5)), RNG.standard_normal(5), RNG.standard_normal((5, 3)),
              RNG.standard_normal(3)]
    u = [RNG.standard_normal(p.shape) for p in params]
    v = [RNG.standard_normal(p.shape) for p in params]

    def hvp(direction):
        ts = [f64(p) for p in params]
        with mg.GradientTape() as outer:
            outer.watch(ts)
            with mg.GradientTape() as inner:
                inner.watch(ts)
                loss = mlp_loss(*ts)
            grads = inner.gradient(loss, ts)
            s = sum((mg.sum(g * d) for g, d in zip(grads, direction)), start=f64(0.0))
        return [h.numpy() for h in outer.gradient(s, ts)]

    u_hv = sum(np.sum(a * b) for a, b in zip(u, hvp(v)))
    v_hu = sum(np.sum(a * b) for a, b in zip(v, hvp(u)))
    np.testing.assert_allclose(u_hv, v_hu, rtol=1e-10)


def test_mlp_second_order_gradcheck():
    params = [RNG.standard_normal((4, 5)) * 0.7, RNG.standard_normal(5) * 0.1,
              RNG.standard_normal((5, 3)) * 0.7, RNG.standard_normal(3) * 0.1]
    assert gradcheck(mlp_loss, params, order=2, n_directions=4)


# -- the functional helpers -----------------------------------------------------------------------
def test_grad_of_grad():
    f = lambda x: x * x * x + 2.0 * mg.tanh(x)  # noqa: E731
    x = f64(0.7)
    t = np.tanh(0.7)
    np.testing.assert_allclose(mg.grad(f)(x).numpy(), 3 * 0.49 + 2 * (1 - t**2), rtol=1e-14)
    np.testing.assert_allclose(mg.grad(mg.grad(f))(x).numpy(), 6 * 0.7 + 2 * _tanh2(0.7),
                               rtol=1e-13)


def test_grad_of_grad_of_a_linear_function_is_zero():
    f = lambda x: 3.0 * x + 1.0  # noqa: E731  (its gradient is a constant)
    np.testing.assert_array_equal(mg.grad(mg.grad(f))(f64(2.0)).numpy(), 0.0)


def test_grad_of_grad_with_vector_input():
    # f(x) = sum(x^3) / 3 -> grad = x^2; sum(grad) -> second grad = 2x
    x = f64([0.5, -1.0, 2.0])
    f = lambda x: mg.sum(x * x * x) / 3.0  # noqa: E731
    g2 = mg.grad(lambda x: mg.sum(mg.grad(f)(x)))(x)
    np.testing.assert_allclose(g2.numpy(), [1.0, -2.0, 4.0], rtol=1e-14)


@pytest.mark.parametrize("x", [-1.5, 0.3, 2.0, 0.0])  # at 0 the x**2 term must give 0, not 0 * inf
def test_third_derivative_of_a_polynomial(x):
    # f = 2x^4 - 3x^3 + x^2 - 5x + 1: f' = 8x^3 - 9x^2 + 2x - 5, f'' = 24x^2 - 18x + 2, f''' = 48x - 18
    f = lambda x: 2.0 * x**4 - 3.0 * x**3 + x**2 - 5.0 * x + 1.0  # noqa: E731
    t = f64(x)
    np.testing.assert_allclose(mg.grad(f)(t).numpy(), 8 * x**3 - 9 * x**2 + 2 * x - 5,
                               rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(mg.grad(mg.grad(f))(t).numpy(), 24 * x**2 - 18 * x + 2,
                               rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(mg.grad(mg.grad(mg.grad(f)))(t).numpy(), 48 * x - 18,
                               rtol=1e-13, atol=1e-13)


def test_third_derivative_with_three_nested_tapes():
    x = f64(1.3)
    with mg.GradientTape() as t3:
        t3.watch(x)
        with mg.GradientTape() as t2:
            t2.watch(x)
            with mg.GradientTape() as t1:
                t1.watch(x)
                y = x**5  # y''' = 60 x^2
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    np.testing.assert_allclose([d1.numpy(), d2.numpy(), d3.numpy()],
                               [5 * 1.3**4, 20 * 1.3**3, 60 * 1.3**2], rtol=1e-13)
