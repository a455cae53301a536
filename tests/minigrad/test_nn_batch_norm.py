"""minigrad.nn.batch_norm_train and batch_norm_infer: the fused batch-normalization ops.

The reference is written from the definition in float64 NumPy, reducing over every
axis but the channel axis (``n`` elements per channel):

    μ = mean(x),  σ² = mean((x - μ)²)  (biased),  x̂ = (x - μ) / sqrt(σ² + ε)
    training:   y = γ x̂ + β
                dx = γ / sqrt(σ² + ε) (g - mean(g) - x̂ mean(g x̂)) + gμ / n + 2 gσ² (x - μ) / n
                dγ = Σ g x̂,  dβ = Σ g
    inference:  y = γ (x - m) / sqrt(v + ε) + β

Also: the hand-computed vector of the spec (keras_bn_spec.md §1), agreement with a
composite built from primitive ops to 1e-10 (values, gradients and a Hessian-vector
product), the numerics traps (mean 1e4 in float32, float16 around 1000 ± 300), small
chunk sizes that exercise every path of the chunked kernels, dtypes and errors.
``GRADCHECKS`` covers the three ops, with second derivatives.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import gradcheck
from minigrad.kernels import batchnorm_cpu as normalization
from minigrad.ops.normalization import batch_norm_train_grad

RNG = np.random.default_rng(0)
EPS = 1e-3

# (shape, axis): rank 2 to 5, channels last, channels first, an axis in the middle
LAYOUTS = [
    ((8, 3), -1),
    ((3, 8), 0),
    ((4, 5, 6), 1),
    ((4, 5, 6), -1),
    ((3, 4, 5, 2), 1),
    ((3, 4, 5, 2), 3),
    ((2, 3, 4, 5, 3), 2),
    ((2, 3, 2, 3, 4), -1),
]


# -- the float64 reference --------------------------------------------------------------------
def _axes(x, axis):
    axis %= x.ndim
    shape = tuple(x.shape[i] if i == axis else 1 for i in range(x.ndim))
    return tuple(i for i in range(x.ndim) if i != axis), shape


def ref_train(x, gamma, beta, axis, eps=EPS):
    x = np.asarray(x, np.float64)
    axes, shape = _axes(x, axis)
    mu = x.mean(axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axes, keepdims=True)
    y = gamma.reshape(shape) * (x - mu) / np.sqrt(var + eps) + beta.reshape(shape)
    return y, mu.reshape(-1), var.reshape(-1)


def ref_train_grads(x, gamma, g, gmean, gvar, axis, eps=EPS):
    x, g = np.asarray(x, np.float64), np.asarray(g, np.float64)
    axes, shape = _axes(x, axis)
    n = x.size // x.shape[axis]
    mu = x.mean(axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axes, keepdims=True)
    r = 1 / np.sqrt(var + eps)
    xh = (x - mu) * r
    mean_g, mean_gxh = g.mean(axes, keepdims=True), (g * xh).mean(axes, keepdims=True)
    dx = gamma.reshape(shape) * r * (g - mean_g - xh * mean_gxh)
    dx = dx + gmean.reshape(shape) / n + 2 * gvar.reshape(shape) * (x - mu) / n
    return dx, (g * xh).sum(axes), g.sum(axes)


def ref_infer(x, gamma, beta, mean, var, axis, eps=EPS):
    x = np.asarray(x, np.float64)
    _, shape = _axes(x, axis)
    xh = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * xh + beta.reshape(shape)


def params(c, dtype=np.float64):
    gamma = 1 + 0.5 * RNG.standard_normal(c)
    beta = RNG.standard_normal(c)
    mean = RNG.standard_normal(c)
    var = 0.5 + RNG.random(c)
    return [a.astype(dtype) for a in (gamma, beta, mean, var)]


def train_with_grads(x, gamma, beta, g, gmean, gvar, axis, eps=EPS):
    """minigrad's outputs and the tape's gradients for output gradients (g, gmean, gvar)."""
    tx, tg, tb = mg.tensor(x), mg.tensor(gamma), mg.tensor(beta)
    with mg.GradientTape() as tape:
        tape.watch([tx, tg, tb])
        outs = mg.nn.batch_norm_train(tx, tg, tb, axis=axis, epsilon=eps)
    seeds = [mg.tensor(g), mg.tensor(gmean), mg.tensor(gvar)]
    grads = tape.gradient(list(outs), [tx, tg, tb], output_gradients=seeds)
    return [o.numpy() for o in outs], [d.numpy() for d in grads]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 2 KiB and coefficient periods of 16 elements: every kernel path on tiny arrays."""
    monkeypatch.setattr(normalization, "CHUNK_BYTES", 2048)
    monkeypatch.setattr(normalization, "PERIOD", 16)


# -- values and gradients against the reference ----------------------------------------------------
@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_training_values_and_gradients_match_the_reference(shape, axis):
    x = RNG.standard_normal(shape) * 3 + 2
    c = shape[axis]
    gamma, beta, _, _ = params(c)
    g, gmean, gvar = RNG.standard_normal(shape), RNG.standard_normal(c), RNG.standard_normal(c)
    (y, mean, var), (dx, dgamma, dbeta) = train_with_grads(x, gamma, beta, g, gmean, gvar, axis)
    ry, rmean, rvar = ref_train(x, gamma, beta, axis)
    np.testing.assert_allclose(y, ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mean, rmean, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(var, rvar, rtol=1e-12)  # the biased variance
    rdx, rdgamma, rdbeta = ref_train_grads(x, gamma, g, gmean, gvar, axis)
    np.testing.assert_allclose(dx, rdx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, rdgamma, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, rdbeta, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, axis", LAYOUTS[::2])
def test_float32_training_matches_the_reference(shape, axis):
    x = (RNG.standard_normal(shape) * 2 + 0.3).astype(np.float32)
    gamma, beta, _, _ = params(shape[axis], np.float32)
    g = RNG.standard_normal(shape).astype(np.float32)
    zeros = np.zeros(shape[axis], np.float32)
    (y, mean, var), (dx, dgamma, dbeta) = train_with_grads(x, gamma, beta, g, zeros, zeros, axis)
    assert y.dtype == mean.dtype == var.dtype == dx.dtype == dgamma.dtype == np.float32
    ry, rmean, rvar = ref_train(x, gamma, beta, axis)
    np.testing.assert_allclose(y, ry, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(var, rvar, rtol=1e-5)
    rdx, rdgamma, rdbeta = ref_train_grads(x, gamma, g, zeros, zeros, axis)
    np.testing.assert_allclose(dx, rdx, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dgamma, rdgamma, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape, axis", [((40, 6), -1), ((3, 40), 0), ((7, 5, 9), 1), ((6, 4, 3, 5), 3),
                                         ((2, 300), 1), ((5, 3, 200), 1), ((9, 2, 150), 2)])
@pytest.mark.parametrize("mean", [0.0, 5.0])
def test_every_chunking_path_gives_the_same_answer(small_chunks, shape, axis, mean):
    # 2 KiB chunks: many pieces, whole periods plus a shorter piece, pieces of channels
    # within one slab (the last two shapes), K = 0 and K = the first slab's mean
    x = RNG.standard_normal(shape) + mean
    gamma, beta, m, v = params(shape[axis])
    g, gmean, gvar = RNG.standard_normal(shape), *RNG.standard_normal((2, shape[axis]))
    (y, mu, var), (dx, dgamma, dbeta) = train_with_grads(x, gamma, beta, g, gmean, gvar, axis)
    ry, rmu, rvar = ref_train(x, gamma, beta, axis)
    np.testing.assert_allclose(y, ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mu, rmu, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(var, rvar, rtol=1e-12)
    rdx, rdgamma, rdbeta = ref_train_grads(x, gamma, g, gmean, gvar, axis)
    np.testing.assert_allclose(dx, rdx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, rdgamma, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, rdbeta, rtol=1e-12, atol=1e-12)
    out = mg.nn.batch_norm_infer(x, gamma, beta, m, v, axis=axis).numpy()
    np.testing.assert_allclose(out, ref_infer(x, gamma, beta, m, v, axis), rtol=1e-12, atol=1e-12)


def test_spec_reference_vector():
    # keras_bn_spec.md §1: x = [[0, 1], [2, 3], [4, 8]], axis -1, default arguments
    x = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 8.0]], np.float32)
    y, mean, var = mg.nn.batch_norm_train(x, np.ones(2, np.float32), np.zeros(2, np.float32))
    np.testing.assert_allclose(mean.numpy(), [2.0, 4.0], rtol=1e-6)
    np.testing.assert_allclose(var.numpy(), [8 / 3, 26 / 3], rtol=1e-6)  # biased: σ², not s² = [4, 13]
    np.testing.assert_allclose(y.numpy()[:, 0], [-1.224515, 0.0, 1.224515], atol=2e-6)
    np.testing.assert_allclose(y.numpy()[:, 1], [-1.018991, -0.339664, 1.358654], atol=2e-6)


@pytest.mark.parametrize("shape, axis", LAYOUTS[1::2])
def test_inference_values_and_gradients(shape, axis):
    x = RNG.standard_normal(shape)
    gamma, beta, mean, var = params(shape[axis])
    g = RNG.standard_normal(shape)
    tensors = [mg.tensor(a) for a in (x, gamma, beta, mean, var)]
    with mg.GradientTape() as tape:
        tape.watch(tensors)
        y = mg.nn.batch_norm_infer(*tensors, axis=axis)
    grads = [d.numpy() for d in tape.gradient(y, tensors, output_gradients=mg.tensor(g))]
    np.testing.assert_allclose(y.numpy(), ref_infer(x, gamma, beta, mean, var, axis), rtol=1e-12, atol=1e-12)
    axes, bshape = _axes(x, axis)
    r = 1 / np.sqrt(var + EPS)
    xc = x - mean.reshape(bshape)
    expected = [g * (gamma * r).reshape(bshape), (g * xc).sum(axes) * r, g.sum(axes),
                -gamma * r * g.sum(axes), -0.5 * gamma * r**3 * (g * xc).sum(axes)]
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)


def test_inference_uses_the_keras_formula_in_float32():
    # y = x k + (β - m k), k = γ / sqrt(v + ε): what Keras computes, to float32 rounding
    x = RNG.standard_normal((64, 5)).astype(np.float32)
    gamma, beta, mean, var = params(5, np.float32)
    y = mg.nn.batch_norm_infer(x, gamma, beta, mean, var).numpy()
    k = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + EPS)
    np.testing.assert_allclose(y, x * k + (beta - mean * k), rtol=1e-5, atol=1e-6)
    assert y.dtype == np.float32


# -- agreement with a composite from primitive ops -------------------------------------------------
def composite(x, gamma, beta, axis, eps=EPS):
    """Batch normalization from mean, subtract, square, mean, rsqrt, multiply, add."""
    axes, shape = _axes(x, axis)
    mu = mg.mean(x, axis=axes, keepdims=True)
    xc = mg.subtract(x, mu)
    var = mg.mean(mg.square(xc), axis=axes, keepdims=True)
    scale = mg.multiply(mg.rsqrt(var + eps), mg.reshape(gamma, shape))
    y = mg.add(mg.multiply(xc, scale), mg.reshape(beta, shape))
    return y, mg.reshape(mu, (-1,)), mg.reshape(var, (-1,))


@pytest.mark.parametrize("shape, axis", [((6, 4), -1), ((3, 4, 5), 1), ((2, 3, 4, 2), 3),
                                         ((2, 2, 3, 2, 2), 0)])
def test_fused_agrees_with_the_composite(shape, axis):
    x = RNG.standard_normal(shape) * 2 - 1
    gamma, beta, _, _ = params(shape[axis])
    g = RNG.standard_normal(shape)
    w = RNG.standard_normal(shape)
    results = []
    for fn in (composite, lambda x, gm, bt, axis: mg.nn.batch_norm_train(x, gm, bt, axis=axis)):
        tx, tg, tb = mg.tensor(x), mg.tensor(gamma), mg.tensor(beta)
        with mg.GradientTape() as outer:
            outer.watch([tx, tg, tb])
            with mg.GradientTape() as inner:
                inner.watch([tx, tg, tb])
                y, mean, var = fn(tx, tg, tb, axis)
                loss = mg.sum(y * g) + mg.sum(mean * mean) + mg.sum(var)
            grads = inner.gradient(loss, [tx, tg, tb])
            hvp_target = mg.sum(grads[0] * w)  # a Hessian-vector product through nested tapes
        hvp = outer.gradient(hvp_target, [tx, tg, tb], unconnected_gradients="zero")
        results.append([y, mean, var, *grads, *hvp])
    for got, want in zip(*results):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-10)


# -- numerics ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, axis", [((512, 16), -1), ((16, 8, 64), 1)])
def test_inference_with_mean_1e4_in_float32(shape, axis):
    # x k and β - m k would be two ~1e4 terms that cancel; m_hi is taken off x first
    x = (1e4 + RNG.standard_normal(shape)).astype(np.float32)
    c = shape[axis]
    gamma, beta = (1 + 0.1 * RNG.standard_normal(c)).astype(np.float32), np.zeros(c, np.float32)
    mean, var = (1e4 + 0.01 * RNG.standard_normal(c)).astype(np.float32), np.ones(c, np.float32)
    y = mg.nn.batch_norm_infer(x, gamma, beta, mean, var, axis=axis).numpy()
    ref = ref_infer(x, gamma, beta, mean, var, axis)
    assert np.abs(y - ref).max() / np.abs(ref).max() < 1e-5
    axes, shape_c = _axes(x, axis)
    k = gamma / np.sqrt(var + np.float32(EPS))
    keras = x * k.reshape(shape_c) + (beta - mean * k).reshape(shape_c)  # Keras' float32 formula
    assert np.abs(keras - ref).max() / np.abs(ref).max() > 1e-4  # the test has teeth


@pytest.mark.parametrize("shape, axis", [((512, 16), -1), ((16, 8, 64), 1)])
def test_mean_1e4_std_1_in_float32(shape, axis):
    x = (1e4 + RNG.standard_normal(shape)).astype(np.float32)
    gamma, beta = np.ones(shape[axis], np.float32), np.zeros(shape[axis], np.float32)
    g, zeros = RNG.standard_normal(shape).astype(np.float32), np.zeros(shape[axis], np.float32)
    (y, mean, var), (dx, dgamma, _) = train_with_grads(x, gamma, beta, g, zeros, zeros, axis)
    ry, rmean, rvar = ref_train(x, gamma, beta, axis)  # float64 from the same float32 data
    assert np.abs(y - ry).max() / np.abs(ry).max() < 1e-3  # the requirement; we get about 1e-7
    np.testing.assert_allclose(var, rvar, rtol=1e-3)
    rdx, rdgamma, _ = ref_train_grads(x, gamma, g, zeros, zeros, axis)
    assert np.abs(dx - rdx).max() / np.abs(rdx).max() < 1e-5
    assert np.abs(dgamma - rdgamma).max() / np.abs(rdgamma).max() < 1e-5
    # the one-pass formula E[x²] - E[x]² in float32 fails this (the test has teeth)
    axes, _ = _axes(x, axis)
    naive = (x * x).mean(axes, dtype=np.float32) - x.mean(axes, dtype=np.float32) ** 2
    assert np.abs(naive - rvar).max() / rvar.max() > 1e-3


def test_a_first_slab_unlike_the_rest_is_handled(small_chunks, monkeypatch):
    # the shift comes from the first piece (168 rows here); when it is more than σ away
    # from the mean, the sums are taken again around the mean found
    calls = []
    sums_around = normalization._sums_around
    monkeypatch.setattr(normalization, "_sums_around", lambda *a: calls.append(1) or sums_around(*a))
    x = (RNG.standard_normal((2000, 3)) + 50).astype(np.float32)
    x[:168] += 1000
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    y, mean, var = mg.nn.batch_norm_train(x, gamma, beta)
    assert len(calls) == 2  # around the first piece's mean, then around the mean
    ry, rmean, rvar = ref_train(x, gamma, beta, -1)
    np.testing.assert_allclose(var.numpy(), rvar, rtol=1e-5)
    np.testing.assert_allclose(mean.numpy(), rmean, rtol=1e-6)
    np.testing.assert_allclose(y.numpy(), ry, rtol=1e-4, atol=1e-4)


def test_float16_input_around_1000_stays_finite():
    x = (1000 + 300 * RNG.standard_normal((256, 4))).astype(np.float16)
    gamma, beta = np.full(4, 1.5, np.float32), np.full(4, 0.25, np.float32)
    tx, tg, tb = mg.tensor(x), mg.tensor(gamma), mg.tensor(beta)
    with mg.GradientTape() as tape:
        tape.watch([tx, tg, tb])
        y, mean, var = mg.nn.batch_norm_train(tx, tg, tb)
    g = RNG.standard_normal((256, 4)).astype(np.float16)
    dx, dgamma, dbeta = tape.gradient(y, [tx, tg, tb], output_gradients=mg.tensor(g))
    assert y.dtype == dx.dtype == np.float16
    assert mean.dtype == var.dtype == dgamma.dtype == dbeta.dtype == np.float32
    assert var.numpy().min() > 65504  # the variance would overflow float16
    for t in (y, mean, var, dx, dgamma, dbeta):
        assert np.isfinite(t.numpy()).all()
    ry, _, rvar = ref_train(x, gamma, beta, -1)
    np.testing.assert_allclose(var.numpy(), rvar, rtol=1e-5)
    np.testing.assert_allclose(y.numpy(), ry, rtol=2e-3, atol=4e-3)  # float16 rounding of y
    rdx, rdgamma, _ = ref_train_grads(x, gamma, g, np.zeros(4), np.zeros(4), -1)
    np.testing.assert_allclose(dx.numpy(), rdx, rtol=2e-3, atol=1e-5)
    np.testing.assert_allclose(dgamma.numpy(), rdgamma, rtol=1e-4, atol=1e-3)
    out = mg.nn.batch_norm_infer(x, gamma, beta, mean, var)
    assert out.dtype == np.float16 and np.isfinite(out.numpy()).all()


@pytest.mark.parametrize("shape, axis", [((300, 4), -1), ((6, 4, 50), 1), ((2, 3, 900), 1)])
def test_float16_in_chunks(small_chunks, shape, axis):
    # float16 data goes through float32 scratch, chunk by chunk
    x = (1000 + 300 * RNG.standard_normal(shape)).astype(np.float16)
    gamma, beta, m, v = params(shape[axis], np.float32)
    g = RNG.standard_normal(shape).astype(np.float16)
    zeros = np.zeros(shape[axis], np.float32)
    (y, mean, var), (dx, dgamma, dbeta) = train_with_grads(x, gamma, beta, g, zeros, zeros, axis)
    assert y.dtype == dx.dtype == np.float16 and var.dtype == np.float32
    ry, rmean, rvar = ref_train(x, gamma, beta, axis)
    np.testing.assert_allclose(var, rvar, rtol=1e-5)
    np.testing.assert_allclose(y, ry, rtol=2e-3, atol=4e-3)
    rdx, rdgamma, rdbeta = ref_train_grads(x, gamma, g, zeros, zeros, axis)
    np.testing.assert_allclose(dx, rdx, rtol=2e-3, atol=1e-5)
    np.testing.assert_allclose(dgamma, rdgamma, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(dbeta, rdbeta, rtol=1e-4, atol=1e-3)
    out = mg.nn.batch_norm_infer(x, gamma, beta, m, v, axis=axis).numpy()
    np.testing.assert_allclose(out, ref_infer(x, gamma, beta, m, v, axis), rtol=1e-3, atol=1e-2)


def test_float64_in_float64_out():
    x = RNG.standard_normal((5, 3))
    y, mean, var = mg.nn.batch_norm_train(x, np.ones(3), np.zeros(3))
    assert y.dtype == mean.dtype == var.dtype == np.float64
    assert mg.nn.batch_norm_infer(x, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3)).dtype == np.float64


def test_a_constant_channel_gives_beta_and_finite_gradients():
    x = np.ones((6, 2)) * 3.25
    x[:, 1] = RNG.standard_normal(6)
    (y, _, var), (dx, dgamma, _) = train_with_grads(x, np.array([2.0, 1.0]), np.array([0.5, 0.0]),
                                                   RNG.standard_normal((6, 2)), np.zeros(2), np.zeros(2), -1)
    assert var[0] == 0.0
    np.testing.assert_array_equal(y[:, 0], 0.5)
    assert np.isfinite(dx).all() and np.isfinite(dgamma).all()


def test_one_element_per_channel_gives_beta():
    y, mean, var = mg.nn.batch_norm_train(np.array([[1.0, -2.0, 7.0]]), np.ones(3), np.array([0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(y.numpy(), [[0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(var.numpy(), 0.0)


def test_strided_inputs_and_gradients():
    # a transposed view and Fortran-ordered arrays: the kernels work on C-ordered copies
    base = RNG.standard_normal((3, 7, 5))
    x = base.transpose(1, 2, 0)  # (7, 5, 3), not contiguous
    g = np.asfortranarray(RNG.standard_normal((7, 5, 3)))
    gamma, beta, m, v = params(3)
    (y, _, _), (dx, dgamma, _) = train_with_grads(x, gamma, beta, g, np.zeros(3), np.zeros(3), -1)
    np.testing.assert_allclose(y, ref_train(x, gamma, beta, -1)[0], rtol=1e-12, atol=1e-12)
    rdx, rdgamma, _ = ref_train_grads(x, gamma, g, np.zeros(3), np.zeros(3), -1)
    np.testing.assert_allclose(dx, rdx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, rdgamma, rtol=1e-10)
    out = mg.nn.batch_norm_infer(np.asfortranarray(x), gamma, beta, m, v).numpy()
    np.testing.assert_allclose(out, ref_infer(x, gamma, beta, m, v, -1), rtol=1e-12, atol=1e-12)


def test_inference_on_an_empty_batch_gives_an_empty_result():
    y = mg.nn.batch_norm_infer(np.zeros((0, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))
    assert y.shape == (0, 3) and y.dtype == np.float64


def test_variables_as_parameters_get_gradients():
    x = RNG.standard_normal((7, 3))
    gamma, beta = mg.Variable(np.ones(3)), mg.Variable(np.zeros(3))
    g = RNG.standard_normal((7, 3))
    with mg.GradientTape() as tape:
        y, _, _ = mg.nn.batch_norm_train(x, gamma, beta)
        loss = mg.sum(y * g)
    dgamma, dbeta = tape.gradient(loss, [gamma, beta])
    _, rdgamma, rdbeta = ref_train_grads(x, np.ones(3), g, np.zeros(3), np.zeros(3), -1)
    np.testing.assert_allclose(dgamma.numpy(), rdgamma, rtol=1e-12)
    np.testing.assert_allclose(dbeta.numpy(), rdbeta, rtol=1e-12)


def test_outputs_stay_on_the_inputs_device(fake_cuda):
    # a stand-in GPU array module takes the whole-array path (no chunks, no kept scratch)
    x = RNG.standard_normal((6, 3, 2))
    gamma, beta, mean, var = params(3)
    tensors = [fake_cuda(a) for a in (x, gamma, beta)]
    with mg.GradientTape() as tape:
        tape.watch(tensors)
        y, mu, sigma2 = mg.nn.batch_norm_train(*tensors, axis=1)
    grads = tape.gradient(y, tensors, output_gradients=fake_cuda(np.ones_like(x)))
    assert {t.device for t in (y, mu, sigma2, *grads)} == {"cuda"}
    np.testing.assert_allclose(y.numpy(), ref_train(x, gamma, beta, 1)[0], rtol=1e-12, atol=1e-12)
    out = mg.nn.batch_norm_infer(*tensors, fake_cuda(mean), fake_cuda(var), axis=1)
    assert out.device == "cuda"
    np.testing.assert_allclose(out.numpy(), ref_infer(x, gamma, beta, mean, var, 1), rtol=1e-12, atol=1e-12)


# -- errors -----------------------------------------------------------------------------------------
X = np.zeros((4, 3), np.float32)
ONES = np.ones(3, np.float32)


@pytest.mark.parametrize("call, error, match", [
    (lambda: mg.nn.batch_norm_train(X.astype(np.int32), ONES, ONES), TypeError, "floating-point"),
    (lambda: mg.nn.batch_norm_train(ONES, ONES, ONES), ValueError, "rank >= 2"),
    (lambda: mg.nn.batch_norm_train(X, ONES, ONES, axis=2), ValueError, r"\[-2, 1\]"),
    (lambda: mg.nn.batch_norm_train(X, ONES, ONES, axis=-3), ValueError, "out of range"),
    (lambda: mg.nn.batch_norm_train(X, ONES, ONES, axis=(0, 1)), TypeError, "one int channel axis"),
    (lambda: mg.nn.batch_norm_train(X, ONES, ONES, axis=1.0), TypeError, "one int channel axis"),
    (lambda: mg.nn.batch_norm_train(X, np.ones(4, np.float32), ONES), ValueError,
     r"gamma must have shape \(3,\)"),
    (lambda: mg.nn.batch_norm_train(X, ONES, np.ones((1, 3), np.float32)), ValueError,
     "beta must have shape"),
    (lambda: mg.nn.batch_norm_train(X, mg.tensor(np.ones(3)), ONES), TypeError, "needs float32"),
    (lambda: mg.nn.batch_norm_train(X.astype(np.float16), mg.tensor(ONES.astype(np.float16)), ONES),
     TypeError, "float16 inputs take float32"),
    (lambda: mg.nn.batch_norm_train(X, ONES, ONES, epsilon=-1e-3), ValueError, "epsilon"),
    (lambda: mg.nn.batch_norm_train(X, ONES, ONES, epsilon=float("nan")), ValueError, "epsilon"),
    (lambda: mg.nn.batch_norm_train(np.zeros((0, 3), np.float32), ONES, ONES), ValueError, "empty"),
    (lambda: mg.nn.batch_norm_infer(X, ONES, ONES, ONES, np.ones(2, np.float32)), ValueError,
     r"variance must have shape \(3,\)"),
    (lambda: mg.nn.batch_norm_infer(X, ONES, ONES, mg.tensor(np.ones(3)), ONES), TypeError, "mean has dtype"),
])
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- gradient checks (float64) ----------------------------------------------------------------------
def _train(axis):
    """All three outputs of batch_norm_train folded into one tensor, so each gets a gradient."""
    def f(x, gamma, beta):
        y, mean, var = mg.nn.batch_norm_train(x, gamma, beta, axis=axis)
        _, shape = _axes(y, axis)
        return y + mg.reshape(mean * mean + var, shape)
    return f


def _train_grad(axis):
    def f(x, gamma, g, gmean, gvar):
        dx, dgamma, dbeta = batch_norm_train_grad(x, gamma, g, gmean, gvar, axis % x.ndim, EPS)
        _, shape = _axes(dx, axis)
        return dx + mg.reshape(dgamma * dbeta, shape)
    return f


def _infer(axis):
    return lambda x, gamma, beta, mean, var: mg.nn.batch_norm_infer(x, gamma, beta, mean, var, axis=axis)


def _xs(shape, axis):
    c = shape[axis]
    return RNG.standard_normal(shape), 1 + 0.5 * RNG.standard_normal(c), RNG.standard_normal(c)


def _grad_inputs(shape, axis):
    c = shape[axis]
    return [*_xs(shape, axis)[:2], RNG.standard_normal(shape), RNG.standard_normal(c), RNG.standard_normal(c)]


GRADCHECKS = [
    ("batch_norm_train", _train(-1), list(_xs((5, 3), -1))),
    ("batch_norm_train", _train(1), list(_xs((3, 2, 4), 1))),
    ("batch_norm_train", _train(0), list(_xs((2, 3, 2, 2), 0))),
    ("batch_norm_train_grad", _train_grad(-1), _grad_inputs((5, 3), -1)),
    ("batch_norm_train_grad", _train_grad(1), _grad_inputs((2, 3, 3), 1)),
    ("batch_norm_infer", _infer(-1), [*_xs((4, 3), -1), RNG.standard_normal(3), 0.5 + RNG.random(3)]),
    ("batch_norm_infer", _infer(1), [*_xs((2, 3, 4), 1), RNG.standard_normal(3), 0.5 + RNG.random(3)]),
]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS)
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs)
    assert gradcheck(f, inputs, order=2, n_directions=4)


def test_gradcheck_full_jacobian_of_training():
    assert gradcheck(_train(1), list(_xs((3, 2, 2), 1)), mode="full")
