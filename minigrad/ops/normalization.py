"""Fused batch normalization: three primitive ops with closed-form backwards.

``x`` has one channel axis ``a`` with ``C`` channels; the statistics reduce over every
other axis (``n`` elements per channel). ``E[.]`` is the mean over those axes, ``Σ``
the sum. In training, with ``μ = E[x]``, the biased variance ``σ² = E[(x - μ)²]``,
``s = sqrt(σ² + ε)`` and ``x̂ = (x - μ) / s``:

    op                      computes                     backward
    batch_norm_train        y = γ x̂ + β, μ, σ²           batch_norm_train_grad(x, γ, g, gμ, gσ²)
    batch_norm_train_grad   dx = (γ/s)(g - E[g] - x̂ E[g x̂])
                                 + gμ/n + 2 gσ² (x - μ)/n   closed form below, in minigrad ops
                            dγ = Σ g x̂,  dβ = Σ g
    batch_norm_infer        y = x k + (β - m k) (*),     dx = g k,  dβ = Σ g,  dm = -k Σ g,
                            k = γ / sqrt(v + ε)          dγ = Σ g (x - m) / sqrt(v + ε),
                                                         dv = -k Σ g (x - m) / (2 (v + ε))

(``g``, ``gμ``, ``gσ²``: the gradients arriving at ``y``, ``μ`` and ``σ²``; (*) as Keras,
except that a mean far from zero is taken off x first: see the kernels.) The
backward of ``batch_norm_train_grad`` (the second derivative) is written in minigrad
ops from the formula above; for its cotangents ``u`` (of dx), ``a`` (dγ), ``b`` (dβ),
with ``r = 1/s`` and ``Q = E[u g] - E[u]E[g] - E[u x̂]E[g x̂]``:

    d/dg  = γ r (u - E[u] - x̂ E[u x̂]) + a x̂ + b
    d/dγ  = n r Q,   d/dgμ = E[u],   d/dgσ² = 2 E[u (x - μ)]
    d/dx  = r (h - E[h] - x̂ E[h x̂]) - γ r² Q x̂ + 2 gσ² (u - E[u]) / n,
            with h = a g - γ r (u E[g x̂] + g E[u x̂])

so gradients of any order work through nested tapes.

The forwards are kernels (``minigrad/kernels/batchnorm_cpu.py``, which hands CuPy arrays
to ``batchnorm_gpu.py``): two-pass statistics accurate for data far from zero, chunked
passes over x, and inference as one multiply-add per element with per-channel ``k`` and
offset (``infer_coefficients``, which a layer may keep between calls).
"""

from __future__ import annotations

import math

from minigrad.kernels import batchnorm_cpu as kernels
from minigrad.kernels.batchnorm_cpu import infer_coefficients  # noqa: F401  (nn.py makes them here)
from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import cast, rsqrt
from minigrad.ops.reductions import mean, sum
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor


# -- bookkeeping the backwards share ---------------------------------------------------------------------
def _layout(x: Tensor, axis: int):
    """(reduced axes, the broadcast shape of a per-channel vector, n)."""
    axes = tuple(i for i in range(x.ndim) if i != axis)
    shape = tuple(x.shape[axis] if i == axis else 1 for i in range(x.ndim))
    return axes, shape, math.prod(x.shape[i] for i in axes)


def _as(t: Tensor, dtype) -> Tensor:
    return t if t.dtype == dtype else cast(t, dtype)


# -- the ops ---------------------------------------------------------------------------------------------
class BatchNormTrain(Op):
    name = "batch_norm_train"
    multiple_outputs = True

    @staticmethod
    def forward(ctx, x, gamma, beta, axis, epsilon):
        y, mu, var, rstd = kernels.train_forward(ctx.xp, x, gamma, beta, axis, epsilon)
        ctx.axis, ctx.epsilon, ctx.mu, ctx.rstd = axis, epsilon, mu, rstd
        return y, mu.astype(gamma.dtype), var.astype(gamma.dtype)

    @staticmethod
    def backward(ctx, g, gmean, gvar):
        x, gamma, _ = ctx.inputs
        g, gmean, gvar = _as(g, x.dtype), _as(gmean, gamma.dtype), _as(gvar, gamma.dtype)
        return batch_norm_train_grad(x, gamma, g, gmean, gvar, ctx.axis, ctx.epsilon,
                                     stats=(ctx.mu, ctx.rstd))


def batch_norm_train_op(x: Tensor, gamma: Tensor, beta: Tensor, axis: int, epsilon: float):
    """The batch_norm_train op: ``(y, μ, σ²)`` for a non-negative channel ``axis``."""
    return apply(BatchNormTrain, x, gamma, beta, axis=axis, epsilon=float(epsilon))


class BatchNormTrainGrad(Op):
    name = "batch_norm_train_grad"
    multiple_outputs = True

    @staticmethod
    def forward(ctx, x, gamma, g, gmean, gvar, axis, epsilon, stats):
        ctx.axis, ctx.epsilon = axis, epsilon
        return kernels.train_gradients(ctx.xp, x, g, gamma, gmean, gvar, axis, epsilon, stats)

    @staticmethod
    def backward(ctx, u, a, b):
        return _train_grad_backward(ctx, u, a, b)


def batch_norm_train_grad(x: Tensor, gamma: Tensor, g: Tensor, gmean: Tensor, gvar: Tensor, axis: int,
                          epsilon: float, stats=None):
    """``(dx, dγ, dβ)`` of batch_norm_train for output gradients ``g``, ``gmean``, ``gvar``.

    ``stats``, when given, is the forward's ``(μ, 1/s)`` as float64 arrays (saves a pass).
    """
    return apply(BatchNormTrainGrad, x, gamma, g, gmean, gvar, axis=axis, epsilon=float(epsilon),
                 stats=stats)


def _train_grad_backward(ctx, u, a, b):
    """The VJP of batch_norm_train_grad (formulas in the module docstring), in minigrad ops."""
    x, gamma, g, _, gvar = ctx.inputs
    need_x, need_gamma, need_g, need_gmean, need_gvar = ctx.needs_input_grad
    dtype = gamma.dtype
    x, g, u = _as(x, dtype), _as(g, dtype), _as(u, dtype)
    axes, shape, n = _layout(x, ctx.axis)

    def e(t):
        return mean(t, axis=axes, keepdims=True)

    def per_channel(t):
        return reshape(t, shape)

    def flat(t):
        return reshape(t, gamma.shape)

    xc = x - e(x)
    r = rsqrt(e(xc * xc) + ctx.epsilon)
    xh = xc * r
    gam, a, b = per_channel(gamma), per_channel(a), per_channel(b)
    eu, eux = e(u), e(u * xh)
    eg, egx = e(g), e(g * xh)
    dx = dgamma = dg = dgmean = dgvar = None
    if need_x or need_gamma:
        q = e(u * g) - eu * eg - eux * egx
    if need_gamma:
        dgamma = flat(q * r * float(n))
    if need_g:
        dg = gam * r * (u - eu - xh * eux) + a * xh + b
    if need_gmean:
        dgmean = flat(eu)
    if need_gvar:
        dgvar = flat(2.0 * eux / r)
    if need_x:
        h = a * g - gam * r * (u * egx + g * eux)
        dx = r * (h - e(h) - xh * e(h * xh)) - gam * r * r * q * xh
        dx = dx + (u - eu) * per_channel(gvar) * (2.0 / n)
    return dx, dgamma, dg, dgmean, dgvar


class BatchNormInfer(Op):
    name = "batch_norm_infer"

    @staticmethod
    def forward(ctx, x, gamma, beta, mean, variance, axis, epsilon, coefficients=None):
        ctx.axis, ctx.epsilon = axis, epsilon
        return kernels.infer(ctx.xp, x, gamma, beta, mean, variance, axis, epsilon, coefficients)

    @staticmethod
    def backward(ctx, g):
        return _infer_backward(ctx, g)


def batch_norm_infer_op(x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, axis: int,
                        epsilon: float, coefficients=None) -> Tensor:
    """The batch_norm_infer op for a non-negative channel ``axis`` (``coefficients``: those
    ``infer_coefficients`` gives for these arguments, or None to compute them)."""
    return apply(BatchNormInfer, x, gamma, beta, mean, variance, axis=axis, epsilon=float(epsilon),
                 coefficients=coefficients)


def _infer_backward(ctx, g):
    """dx = g k, dγ = Σ g (x - m) r, dβ = Σ g, dm = -k Σ g, dv = -k r² Σ g (x - m) / 2."""
    x, gamma, _, m, v = ctx.inputs
    need_x, need_gamma, need_beta, need_m, need_v = ctx.needs_input_grad
    axes, shape, _ = _layout(x, ctx.axis)
    g = _as(g, gamma.dtype)
    r = rsqrt(v + ctx.epsilon)
    k = gamma * r
    dx = g * reshape(k, shape) if need_x else None
    sum_g = sum(g, axis=axes) if (need_beta or need_m) else None
    sum_gxc = None
    if need_gamma or need_v:
        sum_gxc = sum(g * (_as(x, gamma.dtype) - reshape(m, shape)), axis=axes)
    dgamma = sum_gxc * r if need_gamma else None
    dm = -(k * sum_g) if need_m else None
    dv = sum_gxc * k * r * r * -0.5 if need_v else None
    return dx, dgamma, sum_g if need_beta else None, dm, dv
