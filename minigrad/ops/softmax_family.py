"""The softmax family over an axis: softmax, log_softmax, logsumexp, sparse cross-entropy.

All are numerically stable: ``m`` is the maximum over the axis, and subtracting it
changes nothing mathematically but keeps ``exp`` from overflowing (logits of 1000
are fine). Sums run over the axes with the reduced axes kept, so they broadcast
back. ``g`` is dL/dy; every backward is written in minigrad ops on the saved
output ``y``, so it can be differentiated again.

    op            y                                  dL/dx
    softmax       e ** (x - m) / sum e ** (x - m)    y * (g - sum(g * y))
    log_softmax   x - m - log sum e ** (x - m)       g - e ** y * sum(g)
    logsumexp     m + log sum e ** (x - m)           g e ** (x - y)  (softmax(x) times g)
    sparse_softmax_cross_entropy
                  logsumexp x - x[label]             (softmax(x) - hot) g   (labels as a one-hot
                                                     mask ``hot``; one op: ..._grad)
    sparse_softmax_cross_entropy_grad
                  (p - hot) g,  p = softmax(x)       x: p * (u - sum(p * u)), u = gg g
                                                     g: sum((p - hot) gg)

The array code (shifted by ``m``) is in ``minigrad/kernels/softmax.py``.
"""

from __future__ import annotations

from minigrad.errors import UnsupportedDtypeError
from minigrad.kernels import softmax as kernels
from minigrad.kernels.reductions import kept_shape
from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import exp
from minigrad.ops.reductions import _check_not_empty, _keepdims, expand_to_input
from minigrad.ops.reductions import sum as reduce_sum
from minigrad.ops.shape import broadcast_to, expand_dims, normalize_axis, reshape
from minigrad.tensor import Tensor, as_tensor


def _float_input(x, what: str) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise UnsupportedDtypeError(
            f"{what} needs a floating-point tensor, got {x.dtype}: cast it first, "
            "e.g. x.astype('float32')."
        )
    return x


class Softmax(Op):
    name = "softmax"

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return kernels.softmax(ctx.xp, x, axes)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return y * (g - reduce_sum(g * y, axis=ctx.axes, keepdims=True))


def softmax(x, axis=-1) -> Tensor:
    """``exp(x) / sum(exp(x))`` over ``axis`` (an int or a tuple of ints)."""
    x = _float_input(x, "softmax")
    return apply(Softmax, x, axes=normalize_axis(axis, x.ndim))


class LogSoftmax(Op):
    name = "log_softmax"

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return kernels.log_softmax(ctx.xp, x, axes)

    @staticmethod
    def backward(ctx, g):
        return g - exp(ctx.output) * reduce_sum(g, axis=ctx.axes, keepdims=True)


def log_softmax(x, axis=-1) -> Tensor:
    """``x - log(sum(exp(x)))`` over ``axis``: the log of softmax, without its underflow."""
    x = _float_input(x, "log_softmax")
    return apply(LogSoftmax, x, axes=normalize_axis(axis, x.ndim))


class Logsumexp(Op):
    name = "logsumexp"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return kernels.logsumexp(ctx.xp, x, axes, keepdims)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        y = broadcast_to(reshape(ctx.output, kept_shape(x.shape, ctx.axes)), x.shape)
        return expand_to_input(g, ctx) * exp(x - y)


def logsumexp(x, axis=None, keepdims: bool = False) -> Tensor:
    """``y = log sum_i e ** x_i``, computed as ``m + log sum_i e ** (x_i - m)`` with ``m = max x``.

    Subtracting the maximum keeps ``e ** ...`` in range, so large inputs (``1000.0``)
    do not overflow. The gradient is the softmax of ``x`` over ``axis``.

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: if True, the reduced axes stay, with length 1.

    Returns:
        The log-sum-exps.

    Raises:
        InvalidArgumentError: for a bad ``axis`` or a reduction over zero elements.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    _check_not_empty("logsumexp", x, axes)
    return apply(Logsumexp, x, axes=axes, keepdims=_keepdims(keepdims))


class SparseSoftmaxCrossEntropy(Op):
    """``y = -log_softmax(x)[label] = logsumexp(x) - x[label]`` over the class ``axis``.

    The labels come as ``hot``, a constant boolean mask with one True per slice
    along ``axis``. This is what a classifier's loss computes every step; as one
    op (and one for its gradient, ``(softmax(x) - hot) * g``) it records two
    ops where log_softmax, where, sum and negative and their backwards record
    about a dozen.
    """

    name = "sparse_softmax_cross_entropy"

    @staticmethod
    def forward(ctx, x, hot, axis):
        ctx.axis = axis
        # log_softmax(x) is kept: the gradient's softmax is exp(log_p)
        loss, ctx.log_p = kernels.sparse_cross_entropy(ctx.xp, x, hot, axis)
        return loss

    @staticmethod
    def backward(ctx, g):
        x, hot = ctx.inputs
        return apply(SparseSoftmaxCrossEntropyGrad, x, hot, g, axis=ctx.axis, log_p=ctx.log_p), None


def sparse_softmax_cross_entropy(logits, hot, axis: int = -1) -> Tensor:
    """Cross-entropy of integer labels given as a one-hot mask: ``-log_softmax(logits)[label]``.

    Args:
        logits: a floating tensor, classes along ``axis``.
        hot: a boolean tensor of ``logits``'s shape, True exactly at each label.
        axis: the class axis (an int).

    Returns:
        The per-example losses: ``logits``'s shape without ``axis``.
    """
    logits = as_tensor(logits)
    return apply(SparseSoftmaxCrossEntropy, logits, as_tensor(hot), axis=axis % logits.ndim)


class SparseSoftmaxCrossEntropyGrad(Op):
    """The gradient of ``sparse_softmax_cross_entropy``: ``(p - hot) * g``, ``p = softmax(x)``.

    ``g`` (one value per slice) is broadcast along ``axis``; ``log_p``, when given, is
    ``log_softmax(x)`` as the forward computed it (saves computing it again). Its own backward, for
    second derivatives, is written in ops: to ``g``, ``sum((p - hot) * gg)`` over
    ``axis``; to ``x``, the softmax Jacobian ``p * (u - sum(p * u))`` applied to
    ``u = gg * g``.
    """

    name = "sparse_softmax_cross_entropy_grad"

    @staticmethod
    def forward(ctx, x, hot, g, axis, log_p=None):
        ctx.axis = axis
        return kernels.sparse_cross_entropy_grad(ctx.xp, x, hot, g, axis, log_p)

    @staticmethod
    def backward(ctx, gg):
        x, hot, g = ctx.inputs
        axis = ctx.axis
        need_x, _, need_g = ctx.needs_input_grad
        p = exp(x - logsumexp(x, axis=axis, keepdims=True))
        gx = gg_g = None
        if need_x:
            u = gg * expand_dims(g, axis)
            gx = p * (u - reduce_sum(p * u, axis=axis, keepdims=True))
        if need_g:
            gg_g = reduce_sum((p - hot) * gg, axis=axis)
        return gx, None, gg_g


__all__ = ["logsumexp"]  # what minigrad.ops exported from here before (softmax: minigrad.nn)
