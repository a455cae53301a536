"""erf and gelu: erf against math.erf on a dense grid, gelu's two forms against their formulas
(exact, float64), dtypes, argument errors, and gradient checks of order 1 and 2."""

from __future__ import annotations

import math

import numpy as np
import pytest
from devices import needs_cuda

import minigrad as mg
from minigrad.errors import ArgumentTypeError

ERF = np.vectorize(math.erf)


def test_erf_matches_math_erf_to_a_few_ulps():
    # the series/continued-fraction seam at 1.5, tiny and huge arguments, both signs
    x = np.concatenate([np.linspace(-40.0, 40.0, 40001), np.logspace(-300, 1.5, 500),
                        -np.logspace(-300, 1.5, 500), [1.5, np.nextafter(1.5, 0.0), 30.0, 0.0]])
    got = mg.erf(mg.tensor(x)).numpy()
    want = ERF(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=2e-15, atol=0)


def test_erf_values_at_known_points():
    got = mg.erf(mg.tensor(np.array([0.0, 0.5, 1.0, -2.0, 6.0, np.inf, -np.inf]))).numpy()
    np.testing.assert_allclose(got, [0.0, 0.5204998778130465, 0.8427007929497149,
                                     -0.9953222650189527, 1.0, 1.0, -1.0], rtol=1e-15)
    assert np.isnan(mg.erf(mg.tensor([np.nan])).numpy()[0])


def test_erf_of_a_scalar_and_of_an_empty_tensor():
    assert float(mg.erf(mg.tensor(np.float64(0.7))).numpy()) == pytest.approx(math.erf(0.7), rel=1e-15)
    assert mg.erf(mg.tensor(np.zeros((0, 3)))).shape == (0, 3)


def test_erf_keeps_float32_and_refuses_integers():
    x = np.float32([-1.2, 0.3, 2.7])
    y = mg.erf(mg.tensor(x))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), ERF(x.astype(np.float64)), rtol=1e-7)
    with pytest.raises(ArgumentTypeError, match="erf needs a floating-point tensor.*cast it"):
        mg.erf(mg.tensor([1, 2]))


X = np.linspace(-5.0, 5.0, 41)


def test_gelu_exact_against_the_erf_formula():
    np.testing.assert_allclose(mg.nn.gelu(mg.tensor(X)).numpy(),
                               0.5 * X * (1.0 + ERF(X / math.sqrt(2.0))), rtol=1e-14, atol=1e-15)
    # Phi(1) and -Phi(-1), the standard normal CDF at +-1
    np.testing.assert_allclose(mg.nn.gelu(mg.tensor(np.array([1.0, -1.0]))).numpy(),
                               [0.8413447460685429, -0.15865525393145707], rtol=1e-14)


def test_gelu_tanh_approximation_against_its_formula():
    c = math.sqrt(2.0 / math.pi)
    want = 0.5 * X * (1.0 + np.tanh(c * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(mg.nn.gelu(mg.tensor(X), approximate=True).numpy(), want,
                               rtol=1e-14, atol=1e-15)
    # the approximation stays within 5e-4 of the exact form
    gap = np.abs(mg.nn.gelu(mg.tensor(X), approximate=True).numpy() - mg.nn.gelu(mg.tensor(X)).numpy())
    assert 1e-5 < gap.max() < 5e-4


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_keeps_float32(approximate):
    y = mg.nn.gelu(mg.tensor(X.astype(np.float32)), approximate=approximate)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), mg.nn.gelu(mg.tensor(X), approximate=approximate).numpy(),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_gradchecks_order_1_and_2(approximate):
    x = np.random.default_rng(3).uniform(-3.0, 3.0, (3, 4))
    f = lambda t: mg.nn.gelu(t, approximate=approximate)  # noqa: E731
    assert mg.gradcheck(f, [x], mode="full")
    assert mg.gradcheck(f, [x], order=2, n_directions=4)


def test_gelu_derivative_is_phi_plus_x_times_density():
    # d/dx x Phi(x) = Phi(x) + x phi(x)
    x = mg.tensor(X)
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.sum(mg.nn.gelu(x))
    want = 0.5 * (1.0 + ERF(X / math.sqrt(2.0))) + X * np.exp(-X**2 / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), want, rtol=1e-13, atol=1e-15)


def test_gelu_refuses_bad_arguments():
    with pytest.raises(ArgumentTypeError, match="`approximate` must be a bool.*approximate=True"):
        mg.nn.gelu(mg.tensor(X), approximate="tanh")
    with pytest.raises(ArgumentTypeError, match="gelu needs a floating-point tensor.*cast it"):
        mg.nn.gelu(mg.tensor([1, 2, 3]))


def test_gelu_is_an_activation_name():
    import layers
    dense = layers.Dense(2, activation="gelu")
    assert layers.activations.serialize(dense.activation) == "gelu"
    assert layers.activations.get("gelu") is layers.activations.gelu


@needs_cuda
@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_on_the_gpu_matches_the_cpu(approximate):
    results = []
    for device in ("cpu", "cuda"):
        x = mg.tensor(X, device=device)
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = mg.nn.gelu(x, approximate=approximate)
            total = mg.sum(y)
        results.append((y.numpy(), tape.gradient(total, x).numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
