"""The CuPy kernels of fused batch normalization (``minigrad/kernels/batchnorm_gpu.py``).

They run here on the NumPy-backed fake CuPy of ``tests/fake_cupy.py``, which executes the
kernels' CUDA C subset with C's arithmetic rules, and are compared with the NumPy path of
``minigrad/kernels/batchnorm_cpu.py`` (itself checked against the definition in
``test_nn_batch_norm.py``) and with a float64 reference written from the definition:

    μ = mean(x),  σ² = mean((x - μ)²),  s = sqrt(σ² + ε),  y = γ (x - μ) / s + β
    dx = (γ/s)(g - mean(g) - x̂ mean(g x̂)) + gμ/n + 2 gσ² (x - μ)/n,  dγ = Σ g x̂,  dβ = Σ g

- float64: every output to ~1e-12, for channels last, channels first, rank 2 and middle
  axes, and with a small ``BLOCK_ELEMENTS`` so that every way of cutting the sums into
  partial sums runs (P cut, Q cut, both, short rows kept whole);
- float32 with mean 1e4 and std 1 (y to ~1e-7 relative), and a first block of rows
  unlike the rest; float16 around 1000 ± 300 (statistics in float32, y and dx in float16);
- inference, strided and broadcast inputs, the ops through ``minigrad.nn`` on "cuda"
  tensors (tape, gradcheck, nested tapes), and the kernels being made once per module.

The last test, marked ``needs_cuda``, repeats the float32 comparisons on a real GPU at a
size where the GPU's sequential partial sums are long.
"""

from __future__ import annotations

import numpy as np
import pytest
from devices import needs_cuda
from fake_cupy import FakeCupy

import minigrad as mg
from minigrad import backend
from minigrad.gradcheck import gradcheck
from minigrad.kernels import batchnorm_cpu as normalization
from minigrad.kernels import batchnorm_gpu as normalization_gpu
from minigrad.ops.normalization import batch_norm_train_grad

RNG = np.random.default_rng(7)
EPS = 1e-3

# (shape, axis) with a non-negative axis, as the ops pass it
LAYOUTS = [
    ((8, 3), 1),  # rank 2, channels last
    ((3, 8), 0),  # rank 2, channels first
    ((4, 5, 6), 1),
    ((4, 5, 6), 2),
    ((3, 4, 5, 2), 1),  # NCHW
    ((3, 4, 5, 2), 3),  # NHWC
    ((2, 3, 4, 5, 3), 2),
]

# (shape, axis, BLOCK_ELEMENTS, the (P1, P2, Q1, Q2) cut it gives): every way the sums are cut
CUTS = [
    ((64, 3), 1, 48, (2, 32, 1, 1)),  # channels last: P cut, neighbouring partials
    ((24, 2, 64), 1, 256, (4, 6, 1, 64)),  # P cut, rows of 64 kept whole
    ((1, 2, 256), 1, 64, (1, 1, 4, 64)),  # one sample: Q cut into rows of 64
    ((3, 2, 100), 1, 20, (1, 3, 2, 50)),  # P and Q cut
    ((12, 4, 5), 1, 64, (3, 4, 5, 1)),  # short rows (Q < 32): every q its own partial
    ((2, 6, 4, 10), 3, 16, None),  # NHWC, any cut
]


# -- the float64 reference ------------------------------------------------------------------------
def _axes(ndim, axis):
    return tuple(i for i in range(ndim) if i != axis)


def _bshape(shape, axis):
    return tuple(shape[axis] if i == axis else 1 for i in range(len(shape)))


def ref_train(x, gamma, beta, axis, eps=EPS):
    x = np.asarray(x, np.float64)
    axes, shape = _axes(x.ndim, axis), _bshape(x.shape, axis)
    mu = x.mean(axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axes, keepdims=True)
    y = np.float64(gamma).reshape(shape) * (x - mu) / np.sqrt(var + eps) + np.float64(beta).reshape(shape)
    return y, mu.reshape(-1), var.reshape(-1)


def ref_grads(x, gamma, g, gmean, gvar, axis, eps=EPS):
    x, g = np.asarray(x, np.float64), np.asarray(g, np.float64)
    axes, shape = _axes(x.ndim, axis), _bshape(x.shape, axis)
    n = x.size // x.shape[axis]
    mu = x.mean(axes, keepdims=True)
    r = 1 / np.sqrt(((x - mu) ** 2).mean(axes, keepdims=True) + eps)
    xh = (x - mu) * r
    dx = np.float64(gamma).reshape(shape) * r * (g - g.mean(axes, keepdims=True)
                                                  - xh * (g * xh).mean(axes, keepdims=True))
    dx = dx + np.float64(gmean).reshape(shape) / n + 2 * np.float64(gvar).reshape(shape) * (x - mu) / n
    return dx, (g * xh).sum(axes), g.sum(axes)


def ref_affine(x, axis, scale, offset, center=None):
    shape = _bshape(x.shape, axis)
    c = 0.0 if center is None else np.float64(center).reshape(shape)
    return (np.float64(x) - c) * np.float64(scale).reshape(shape) + np.float64(offset).reshape(shape)


def rel_err(got, want):
    return np.abs(np.float64(got) - want).max() / np.abs(want).max()


# -- fixtures and helpers -----------------------------------------------------------------------------
@pytest.fixture
def xp(fake_gpu):
    """The fake CuPy, installed as this process's CuPy for one test."""
    return fake_gpu


@pytest.fixture
def block(monkeypatch):
    """``block(n)``: make the first-stage partial sums cover about ``n`` elements each."""
    return lambda n: monkeypatch.setattr(normalization_gpu, "BLOCK_ELEMENTS", n)


def problem(shape, axis, dtype=np.float64, loc=0.0, scale=1.0):
    """x, γ, β, g, gμ, gσ² as NumPy arrays (parameters in the compute dtype)."""
    c = shape[axis]
    pdt = np.float32 if dtype == np.float16 else dtype
    x = (loc + scale * RNG.standard_normal(shape)).astype(dtype)
    gamma, beta = (1 + 0.5 * RNG.standard_normal(c)).astype(pdt), RNG.standard_normal(c).astype(pdt)
    g = RNG.standard_normal(shape).astype(dtype)
    gmean, gvar = RNG.standard_normal(c).astype(pdt), RNG.standard_normal(c).astype(pdt)
    return x, gamma, beta, g, gmean, gvar


def on_gpu(xp, *arrays):
    return [xp.asarray(a) for a in arrays]


def run_both(xp, x, gamma, beta, g, gmean, gvar, axis):
    """(train_forward + train_backward) of the NumPy path and of the kernels, as host arrays."""
    outs = []
    for module, arrays in ((np, (x, gamma, beta, g, gmean, gvar)),
                           (xp, on_gpu(xp, x, gamma, beta, g, gmean, gvar))):
        ax, agamma, abeta, ag, agmean, agvar = arrays
        y, mu, var, rstd = normalization.train_forward(module, ax, agamma, abeta, axis, EPS)
        grads = normalization.train_backward(module, ax, ag, agamma, agmean, agvar, mu, rstd, axis)
        outs.append([backend.to_device(a, "cpu") for a in (y, mu, var, rstd, *grads)])
    return outs


def assert_close_to_numpy_path(cpu, gpu, rtol, atol):
    names = ("y", "mean", "variance", "1/s", "dx", "dgamma", "dbeta")
    for name, want, got in zip(names, cpu, gpu):
        assert got.dtype == want.dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=name)


# -- float64: the kernels give the NumPy path's numbers -------------------------------------------------
@pytest.mark.parametrize("shape, axis", LAYOUTS)
def test_float64_training_matches_the_numpy_path_and_the_definition(xp, shape, axis):
    x, gamma, beta, g, gmean, gvar = problem(shape, axis, loc=2.0, scale=3.0)
    cpu, gpu = run_both(xp, x, gamma, beta, g, gmean, gvar, axis)
    assert_close_to_numpy_path(cpu, gpu, rtol=1e-12, atol=1e-13)
    ry, rmu, rvar = ref_train(x, gamma, beta, axis)
    np.testing.assert_allclose(gpu[0], ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gpu[1], rmu, rtol=1e-13)
    np.testing.assert_allclose(gpu[2], rvar, rtol=1e-12)
    np.testing.assert_allclose(gpu[3], 1 / np.sqrt(rvar + EPS), rtol=1e-12)
    for got, want in zip(gpu[4:], ref_grads(x, gamma, g, gmean, gvar, axis)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape, axis, size, cut", CUTS)
def test_partial_sums_cut_every_way_give_the_same_numbers(xp, block, shape, axis, size, cut):
    block(size)
    layout = normalization_gpu._layout(shape, axis)
    if cut is not None:
        assert (layout.P1, layout.P2, layout.Q1, layout.Q2) == cut
    assert layout.parts > 1  # the two-stage sums really run
    x, gamma, beta, g, gmean, gvar = problem(shape, axis, loc=-5.0, scale=2.0)
    cpu, gpu = run_both(xp, x, gamma, beta, g, gmean, gvar, axis)
    assert_close_to_numpy_path(cpu, gpu, rtol=1e-12, atol=1e-12)
    mu, var = normalization.moments(xp, xp.asarray(x), axis)  # BatchNormTrainGrad's path without stats
    np.testing.assert_allclose(mu.get(), cpu[1], rtol=1e-13)
    np.testing.assert_allclose(var.get(), cpu[2], rtol=1e-12)


def test_partition_cuts_divide_the_axes_and_keep_rows_long():
    for P, C, Q in [(100352, 64, 1), (32, 64, 3136), (128, 256, 196), (1, 64, 65536), (7, 3, 5), (97, 5, 1)]:
        layout = normalization_gpu._Layout((P, C, Q), 1, normalization_gpu.BLOCK_ELEMENTS)
        assert layout.P1 * layout.P2 == P and layout.Q1 * layout.Q2 == Q
        assert layout.M == layout.P2 * C * layout.Q1
        if Q >= normalization_gpu.RUN:
            assert layout.Q2 >= normalization_gpu.RUN  # a block reads whole rows of >= 32 elements
        else:
            assert layout.Q2 == 1  # neighbouring partials are neighbours in memory
    # a large channels-last batch: hundreds of blocks of 32 partials, not 64 / 32 = 2
    nhwc = normalization_gpu._Layout((32 * 56 * 56, 64, 1), 1, 16384)
    assert nhwc.M // 32 >= 256 and nhwc.P1 >= 256
    nchw = normalization_gpu._Layout((32, 64, 56 * 56), 1, 16384)
    assert nchw.M >= 196  # about P C Q / 16384 = 392 blocks wanted; 32 has no divisor 7
    assert normalization_gpu._largest_divisor(3136, 98) == 98
    assert normalization_gpu._largest_divisor(97, 10) == 1
    assert normalization_gpu._largest_divisor(12, 100) == 12


# -- float32 and float16 -------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, axis, size", [((512, 16), 1, 16384), ((16, 8, 64), 1, 16384),
                                               ((512, 16), 1, 256), ((16, 8, 64), 1, 256)])
def test_float32_with_mean_1e4_and_std_1(xp, block, shape, axis, size):
    block(size)
    x, gamma, beta, g, _, _ = problem(shape, axis, np.float32, loc=1e4)
    zeros = np.zeros(shape[axis], np.float32)
    cpu, gpu = run_both(xp, x, gamma, beta, g, zeros, zeros, axis)
    y, mu, var, _, dx, dgamma, dbeta = gpu
    ry, rmu, rvar = ref_train(x, gamma, beta, axis)  # float64 from the same float32 data
    assert y.dtype == dx.dtype == np.float32 and mu.dtype == np.float64
    assert rel_err(y, ry) < 1e-6  # about 1e-7; E[x²] - E[x]² in float32 is off by ~1
    np.testing.assert_allclose(mu, rmu, rtol=1e-10)
    np.testing.assert_allclose(var, rvar, rtol=1e-5)
    rdx, rdgamma, rdbeta = ref_grads(x, gamma, g, zeros, zeros, axis)
    assert rel_err(dx, rdx) < 1e-5
    assert rel_err(dgamma, rdgamma) < 1e-5 and rel_err(dbeta, rdbeta) < 1e-5
    assert rel_err(y, cpu[0]) < 1e-6  # and the NumPy path's float32 numbers


def test_a_first_block_of_rows_unlike_the_rest(xp):
    # the shift K of each partial sum is its first element (rows 0 .. P2 - 1 here): 1000 away
    # from the mean for every partial
    x = (RNG.standard_normal((2000, 3)) + 50).astype(np.float32)
    x[:168] += 1000
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    layout = normalization_gpu._layout(x.shape, 1)
    assert 1 < layout.P2 <= 168
    y, mu, var, _ = normalization.train_forward(xp, *on_gpu(xp, x, gamma, beta), 1, EPS)
    ry, rmu, rvar = ref_train(x, gamma, beta, 1)
    np.testing.assert_allclose(mu.get(), rmu, rtol=1e-6)
    np.testing.assert_allclose(var.get(), rvar, rtol=1e-5)
    np.testing.assert_allclose(y.get(), ry, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape, axis", [((256, 4), 1), ((4, 6, 3, 5), 1), ((2, 3, 5, 6), 3)])
def test_float16_computes_in_float32_and_stores_float16(xp, block, shape, axis):
    block(32)
    x, gamma, beta, g, gmean, gvar = problem(shape, axis, np.float16, loc=1000.0, scale=300.0)
    cpu, gpu = run_both(xp, x, gamma, beta, g, gmean, gvar, axis)
    y, mu, var, _, dx, dgamma, dbeta = gpu
    assert y.dtype == dx.dtype == np.float16 and dgamma.dtype == dbeta.dtype == np.float32
    assert var.max() > 65504  # a variance that float16 cannot hold
    ry, rmu, rvar = ref_train(x, gamma, beta, axis)
    np.testing.assert_allclose(mu, rmu, rtol=1e-6)
    np.testing.assert_allclose(var, rvar, rtol=1e-5)
    np.testing.assert_allclose(y, ry, rtol=2e-3, atol=4e-3)  # float16 rounding of y
    rdx, rdgamma, rdbeta = ref_grads(x, gamma, g, gmean, gvar, axis)
    np.testing.assert_allclose(dx, rdx, rtol=2e-3, atol=2e-3 * np.abs(rdx).max())
    np.testing.assert_allclose(dgamma, rdgamma, rtol=1e-4, atol=1e-4 * np.abs(rdgamma).max())
    np.testing.assert_allclose(dbeta, rdbeta, rtol=1e-4, atol=1e-4 * np.abs(rdbeta).max())
    # the NumPy path rounds the same float32 values: at most one float16 step apart
    for got, want in ((y, cpu[0]), (dx, cpu[4])):
        step = np.spacing(np.abs(want).astype(np.float16)).astype(np.float64)
        assert (np.abs(np.float64(got) - want) <= step).all()


# -- inference ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, axis", [((6, 4), 1), ((3, 4, 5), 1), ((2, 3, 4, 5), 3)])
@pytest.mark.parametrize("centered", [False, True])
def test_affine_matches_the_numpy_path(xp, shape, axis, centered):
    x = RNG.standard_normal(shape)
    c = shape[axis]
    scale, offset, center = RNG.standard_normal(c), RNG.standard_normal(c), RNG.standard_normal(c)
    center = center if centered else None
    want = normalization.affine(np, x, axis, scale, offset, center)
    gx, gscale, goffset = on_gpu(xp, x, scale, offset)
    got = normalization.affine(xp, gx, axis, gscale, goffset, None if center is None else xp.asarray(center))
    assert type(got) is xp.ndarray and got.dtype == np.float64
    np.testing.assert_allclose(got.get(), want, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(got.get(), ref_affine(x, axis, scale, offset, center), rtol=1e-13, atol=1e-14)


def test_affine_of_an_empty_array(xp):
    got = normalization.affine(xp, xp.zeros((0, 3)), 1, xp.ones(3), xp.ones(3))
    assert got.shape == (0, 3) and type(got) is xp.ndarray


def test_inference_through_nn_on_cuda_with_mean_1e4_in_float32(xp):
    x = (1e4 + RNG.standard_normal((512, 16))).astype(np.float32)
    gamma, beta = (1 + 0.1 * RNG.standard_normal(16)).astype(np.float32), np.zeros(16, np.float32)
    mean, var = (1e4 + 0.01 * RNG.standard_normal(16)).astype(np.float32), np.ones(16, np.float32)
    args = [mg.tensor(a, device="cuda") for a in (x, gamma, beta, mean, var)]
    y = mg.nn.batch_norm_infer(*args)
    assert y.device == "cuda" and y.dtype == np.float32
    ref = gamma * (np.float64(x) - mean) / np.sqrt(np.float64(var) + EPS) + beta
    assert rel_err(y.numpy(), ref) < 1e-5


# -- strided inputs -----------------------------------------------------------------------------------------
def test_strided_x_and_broadcast_g(xp):
    base = RNG.standard_normal((5, 4, 6))
    x_host = base.transpose(2, 0, 1)  # (6, 5, 4), not contiguous; channel axis 2
    gamma, beta, gmean, gvar = (RNG.standard_normal(4) for _ in range(4))
    g_row = RNG.standard_normal(4)
    x = xp.asarray(base).transpose(2, 0, 1)
    g = xp.broadcast_to(xp.asarray(g_row), x.shape)  # zero strides, as the tape's sum gradient
    y, mu, var, rstd = normalization.train_forward(xp, x, *on_gpu(xp, gamma, beta), 2, EPS)
    dx, dgamma, dbeta = normalization.train_backward(xp, x, g, *on_gpu(xp, gamma, gmean, gvar), mu, rstd, 2)
    ry, _, _ = ref_train(x_host, gamma, beta, 2)
    np.testing.assert_allclose(y.get(), ry, rtol=1e-12, atol=1e-12)
    g_host = np.broadcast_to(g_row, x_host.shape)
    for got, want in zip((dx, dgamma, dbeta), ref_grads(x_host, gamma, g_host, gmean, gvar, 2)):
        np.testing.assert_allclose(got.get(), want, rtol=1e-10, atol=1e-12)


# -- the ops through minigrad.nn on "cuda" tensors --------------------------------------------------
def _tape_run(device, x, gamma, beta, g, gmean, gvar, axis):
    tensors = [mg.tensor(a, device=device) for a in (x, gamma, beta)]
    with mg.GradientTape() as tape:
        tape.watch(tensors)
        outs = mg.nn.batch_norm_train(*tensors, axis=axis, epsilon=EPS)
    seeds = [mg.tensor(a, device=device) for a in (g, gmean, gvar)]
    grads = tape.gradient(list(outs), tensors, output_gradients=seeds)
    return [*outs, *grads]


@pytest.mark.parametrize("shape, axis", [((7, 3), -1), ((3, 4, 5, 2), 1), ((2, 3, 4, 5), -1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_norm_train_on_cuda_matches_cpu(xp, monkeypatch, shape, axis, dtype):
    calls = []
    for name in ("train_forward", "train_backward"):
        real = getattr(normalization_gpu, name)
        monkeypatch.setattr(normalization_gpu, name,
                            lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    arrays = problem(shape, axis % len(shape), dtype, loc=3.0, scale=2.0)
    on_cuda = _tape_run("cuda", *arrays, axis)
    on_cpu = _tape_run("cpu", *arrays, axis)
    assert calls == ["train_forward", "train_backward"]  # the kernels did the work
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for got, want in zip(on_cuda, on_cpu):
        assert got.device == "cuda" and got.dtype == want.dtype
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=tol)


def _train(axis):
    def f(x, gamma, beta):
        y, mean, var = mg.nn.batch_norm_train(x, gamma, beta, axis=axis)
        shape = _bshape(y.shape, axis % y.ndim)
        return y + mg.reshape(mean * mean + var, shape)
    return f


@pytest.mark.parametrize("shape, axis", [((5, 3), -1), ((3, 2, 4), 1), ((2, 3, 2, 3), -1)])
def test_gradcheck_of_batch_norm_train_on_the_fake_gpu(xp, shape, axis):
    c = shape[axis]
    inputs = [mg.tensor(a, device="cuda") for a in
              (RNG.standard_normal(shape), 1 + 0.5 * RNG.standard_normal(c), RNG.standard_normal(c))]
    assert gradcheck(_train(axis), inputs)


def test_gradcheck_of_batch_norm_infer_on_the_fake_gpu(xp):
    c = 3
    values = (RNG.standard_normal((2, 3, 4)), 1 + 0.5 * RNG.standard_normal(c), RNG.standard_normal(c),
              RNG.standard_normal(c), 0.5 + RNG.random(c))
    f = lambda *ts: mg.nn.batch_norm_infer(*ts, axis=1)  # noqa: E731
    assert gradcheck(f, [mg.tensor(a, device="cuda") for a in values])


def test_train_grad_without_stats_and_its_second_derivative_on_cuda(xp):
    # batch_norm_train_grad called directly takes its statistics from moments() (a kernel),
    # and its own backward (in minigrad ops) runs on the device through a nested tape
    shape, axis, c = (4, 3, 5), 1, 3
    values = [RNG.standard_normal(shape), 1 + 0.5 * RNG.standard_normal(c), RNG.standard_normal(shape),
              RNG.standard_normal(c), RNG.standard_normal(c)]
    w = RNG.standard_normal(shape)
    results = []
    for device in ("cuda", "cpu"):
        x, gamma, g, gmean, gvar = ts = [mg.tensor(a, device=device) for a in values]
        with mg.GradientTape() as outer:
            outer.watch(ts)
            dx, dgamma, dbeta = batch_norm_train_grad(x, gamma, g, gmean, gvar, axis, EPS)
            target = mg.sum(dx * mg.tensor(w, device=device)) + mg.sum(dgamma * dbeta)
        second = outer.gradient(target, ts)
        results.append([dx, dgamma, dbeta, *second])
    for got, want in zip(*results):
        assert got.device == "cuda"
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-11, atol=1e-12)


# -- the kernels are made once per CuPy module ------------------------------------------------------
def test_kernels_are_made_once_per_module_and_dtype(xp):
    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    kernels = normalization_gpu._kernels(xp, f32)
    assert normalization_gpu._kernels(xp, f32) is kernels
    assert normalization_gpu._kernels(xp, f64) is not kernels
    other = FakeCupy()
    assert normalization_gpu._kernels(other, f32) is not kernels
    assert isinstance(kernels.affine, type(xp.ElementwiseKernel("T x", "T y", "y = x;")))  # made by xp
    # a kernel made by one module runs on that module's arrays
    x = other.asarray(RNG.standard_normal((4, 2)))
    y = normalization.affine(other, x, 1, other.ones(2), other.zeros(2))
    assert type(y) is other.ndarray
    np.testing.assert_allclose(y.get(), x.get(), rtol=0, atol=0)


# -- on a real GPU ----------------------------------------------------------------------------------
@needs_cuda
@pytest.mark.parametrize("shape, axis", [((64 * 16 * 16, 64), 1), ((64, 32, 32 * 32), 1)])
def test_float32_far_from_zero_at_a_realistic_size(shape, axis):
    # long partial sums: on a GPU each thread adds its elements sequentially in float32
    xp = backend.cupy_module()
    x, gamma, beta, g, _, _ = problem(shape, axis, np.float32, loc=1e4)
    zeros = np.zeros(shape[axis], np.float32)
    cpu, gpu = run_both(xp, x, gamma, beta, g, zeros, zeros, axis)
    ry, rmu, rvar = ref_train(x, gamma, beta, axis)
    assert rel_err(gpu[0], ry) < 1e-6
    np.testing.assert_allclose(gpu[1], rmu, rtol=1e-10)
    np.testing.assert_allclose(gpu[2], rvar, rtol=1e-5)
    for got, want in zip(gpu[4:], cpu[4:]):
        assert rel_err(got, want) < 1e-5
