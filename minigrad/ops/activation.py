"""softmax and log_softmax over an axis, as primitive ops (numerically stable).

    op            y                                  dL/dx for g = dL/dy
    softmax       e ** (x - m) / sum e ** (x - m)    y * (g - sum(g * y))
    log_softmax   x - m - log sum e ** (x - m)       g - e ** y * sum(g)

``m`` is the maximum over the axis: subtracting it changes nothing
mathematically and keeps ``exp`` from overflowing (logits of 1000 are fine).
Sums run over ``axes`` with the reduced axes kept, so they broadcast back.
Both backwards are written in minigrad ops on the saved output ``y``, so they
can be differentiated again.
"""

from __future__ import annotations

from minigrad.errors import UnsupportedDtypeError
from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import exp
from minigrad.ops.reductions import normalize_axis
from minigrad.ops.reductions import sum as reduce_sum
from minigrad.tensor import Tensor, as_tensor


def _shifted(xp, x, axes):
    """``x - max(x)`` over ``axes``, with rows whose maximum is not finite shifted by 0."""
    m = x.max(axis=axes, keepdims=True)
    return x - xp.where(xp.isfinite(m), m, 0)


class Softmax(Op):
    name = "softmax"

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        if x.size == 0:  # empty in, empty out (as TF and torch); NumPy's max would raise
            return x.copy()
        e = ctx.xp.exp(_shifted(ctx.xp, x, axes))
        e /= e.sum(axis=axes, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return y * (g - reduce_sum(g * y, axis=ctx.axes, keepdims=True))


class LogSoftmax(Op):
    name = "log_softmax"

    @staticmethod
    def forward(ctx, x, axes):
        xp = ctx.xp
        ctx.axes = axes
        if x.size == 0:  # as softmax
            return x.copy()
        z = _shifted(xp, x, axes)
        z -= xp.log(xp.exp(z).sum(axis=axes, keepdims=True))
        return z

    @staticmethod
    def backward(ctx, g):
        return g - exp(ctx.output) * reduce_sum(g, axis=ctx.axes, keepdims=True)


def _float_input(x, what: str) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise UnsupportedDtypeError(
            f"{what} needs a floating-point tensor, got {x.dtype}: cast it first, "
            "e.g. x.astype('float32')."
        )
    return x


def softmax(x, axis=-1) -> Tensor:
    """``exp(x) / sum(exp(x))`` over ``axis`` (an int or a tuple of ints)."""
    x = _float_input(x, "softmax")
    return apply(Softmax, x, axes=normalize_axis(axis, x.ndim))


def log_softmax(x, axis=-1) -> Tensor:
    """``x - log(sum(exp(x)))`` over ``axis``: the log of softmax, without its underflow."""
    x = _float_input(x, "log_softmax")
    return apply(LogSoftmax, x, axes=normalize_axis(axis, x.ndim))
