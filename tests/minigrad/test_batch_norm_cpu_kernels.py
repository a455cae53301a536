"""The CPU kernels of batch normalization (``minigrad/kernels/batchnorm_cpu.py``): the fast paths.

An MLP-sized channels-last batch (one chunk) trains without the chunk plan, and big
channels-last pieces sum products by einsum. Each fast path is checked against the
chunked path it replaces (to rounding, not bit for bit) and against the float64
reference written from the definition, with ``n`` elements per channel:

    μ = mean(x),  σ² = mean((x - μ)²),  s = sqrt(σ² + ε),  x̂ = (x - μ) / s,  y = γ x̂ + β
    dx = (γ / s) (g - mean(g) - x̂ mean(g x̂)) + gμ / n + 2 gσ² (x - μ) / n
    dγ = Σ g x̂,  dβ = Σ g
"""

import numpy as np
import pytest

from minigrad.kernels import batchnorm_cpu as kernels

RNG = np.random.default_rng(11)
EPS = 1e-3


def reference(x, gamma, beta, g, gmean, gvar):
    """(y, μ, σ², dx, dγ, dβ) in float64 for channels-last x, from the definition."""
    x, g = x.astype(np.float64).reshape(-1, x.shape[-1]), g.astype(np.float64).reshape(-1, x.shape[-1])
    n = x.shape[0]
    mu = x.mean(0)
    var = ((x - mu) ** 2).mean(0)
    r = 1 / np.sqrt(var + EPS)
    xh = (x - mu) * r
    y = gamma * xh + beta
    dx = gamma * r * (g - g.mean(0) - xh * (g * xh).mean(0)) + gmean / n + 2 * gvar * (x - mu) / n
    return y, mu, var, dx, (g * xh).sum(0), g.sum(0)


def problem(shape, dtype, mean=0.5):
    c = shape[-1]
    x = (RNG.standard_normal(shape) * 2 + mean).astype(dtype)
    g = RNG.standard_normal(shape).astype(dtype)
    gamma, beta, gmean, gvar = (RNG.standard_normal(c).astype(dtype) for _ in range(4))
    return x, gamma, beta, g, gmean, gvar


def run(x, gamma, beta, g, gmean, gvar):
    axis = x.ndim - 1
    y, mu, var, rstd = kernels.train_forward(np, x, gamma, beta, axis, EPS)
    dx, dgamma, dbeta = kernels.train_backward(np, x, g, gamma, gmean, gvar, mu, rstd, axis)
    return y, mu, var, dx, dgamma, dbeta


def chunked_only(monkeypatch):
    monkeypatch.setattr(kernels, "_small_train_forward", lambda *args: None)
    monkeypatch.setattr(kernels, "_one_chunk_channels_last", lambda *args: False)


@pytest.mark.parametrize("shape, dtype, rtol", [((128, 256), np.float32, 2e-5), ((8, 3), np.float64, 1e-12),
                                                ((4, 5, 6), np.float64, 1e-12)])
def test_one_chunk_path_matches_the_chunked_path_and_the_reference(monkeypatch, shape, dtype, rtol):
    arrays = problem(shape, dtype)
    assert kernels._small_train_forward(np, arrays[0], *arrays[1:3], len(shape) - 1, EPS) is not None
    fast = run(*arrays)
    chunked_only(monkeypatch)
    chunked = run(*arrays)
    want = reference(*arrays)
    for got, other, ref in zip(fast, chunked, want):
        assert got.dtype == other.dtype
        scale = np.abs(ref).max()
        np.testing.assert_allclose(got, other, rtol=rtol, atol=rtol * scale)
        np.testing.assert_allclose(got.reshape(ref.shape), ref, rtol=10 * rtol, atol=10 * rtol * scale)


def test_one_chunk_backward_with_a_zero_gamma_takes_the_general_form():
    # a = γ/s = 0 in a channel: q = b / a does not exist, so dx = x b + c + g a
    x, gamma, beta, g, gmean, gvar = problem((64, 5), np.float64)
    gamma[2] = 0.0
    got = run(x, gamma, beta, g, gmean, gvar)
    for value, ref in zip(got, reference(x, gamma, beta, g, gmean, gvar)):
        np.testing.assert_allclose(value, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape, axis, dtype, mean", [
    ((64, 4), 1, np.float32, 1e4),  # the mean far from zero: the shifted sums of the chunked path
    ((4, 64), 0, np.float32, 0.0),  # channels first
    ((64, 4), 1, np.float16, 0.0),  # computed in float32
    ((1024, 256), 1, np.float32, 0.0),  # more than one chunk (1 MiB)
])
def test_the_one_chunk_forward_declines_what_it_does_not_cover(shape, axis, dtype, mean):
    x = (RNG.standard_normal(shape) + mean).astype(dtype)
    c = shape[axis]
    gamma, beta = np.ones(c, np.float32), np.zeros(c, np.float32)
    assert kernels._small_train_forward(np, x, gamma, beta, axis, EPS) is None


def test_far_from_zero_one_chunk_data_still_normalizes():
    x, gamma, beta, g, gmean, gvar = problem((256, 8), np.float32, mean=1e4)
    y, mu, var, dx, dgamma, dbeta = run(x, gamma, beta, g, gmean, gvar)
    ry, rmu, rvar, rdx, rdgamma, _ = reference(x, gamma, beta, g, gmean, gvar)
    assert np.abs(y - ry).max() / np.abs(ry).max() < 1e-5
    np.testing.assert_allclose(var, rvar, rtol=1e-4)
    assert np.abs(dx - rdx).max() / np.abs(rdx).max() < 1e-5
    assert np.abs(dgamma - rdgamma).max() / np.abs(rdgamma).max() < 1e-5


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-11), (np.float32, 5e-5)])
def test_sums_of_products_by_einsum_match_the_reference(monkeypatch, dtype, rtol):
    calls = []
    einsum = np.einsum
    monkeypatch.setattr(np, "einsum", lambda *a, **k: calls.append(a[0]) or einsum(*a, **k))
    monkeypatch.setattr(kernels, "CHUNK_BYTES", 4096)  # many pieces of 16 or 32 rows
    monkeypatch.setattr(kernels, "DOT_BY_EINSUM", 1)
    chunked_only(monkeypatch)
    arrays = problem((300, 4, 8), dtype)
    got = run(*arrays)
    assert calls and set(calls) == {"ij,ij->j"}  # the statistics and the backward's sums took it
    for value, ref in zip(got, reference(*arrays)):
        scale = np.abs(ref).max()
        np.testing.assert_allclose(value.reshape(ref.shape), ref, rtol=rtol, atol=rtol * scale)
