"""Shape ops: they move elements around, so their backwards move gradients back.

    op            y                           dy/dx applied to g
    reshape       x viewed as ``shape``       reshape(g, x.shape)
    transpose     axes permuted by ``axes``   transpose(g, inverse permutation)
    broadcast_to  x repeated to ``shape``     sum of g over the repeated axes
"""

from __future__ import annotations

from minigrad.ops.base import Op, apply
from minigrad.tensor import Tensor, as_tensor


class Reshape(Op):
    name = "reshape"

    @staticmethod
    def forward(ctx, x, shape):
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.inputs[0].shape)


class Transpose(Op):
    name = "transpose"

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        axes = ctx.axes if ctx.axes is not None else tuple(reversed(range(g.ndim)))
        inverse = tuple(sorted(range(len(axes)), key=axes.__getitem__))
        return transpose(g, inverse)


class BroadcastTo(Op):
    name = "broadcast_to"

    @staticmethod
    def forward(ctx, x, shape):
        return ctx.xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine sums it back over the broadcast axes


def reshape(x, shape) -> Tensor:
    """``x`` with a new shape of the same size (one entry may be -1)."""
    x = as_tensor(x)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if shape == x.shape:
        return x
    return apply(Reshape, x, shape=shape)


def transpose(x, axes=None) -> Tensor:
    """Permute the axes (reverse them when ``axes`` is None)."""
    x = as_tensor(x)
    return apply(Transpose, x, axes=None if axes is None else tuple(axes))


def broadcast_to(x, shape) -> Tensor:
    """``x`` broadcast to ``shape`` as NumPy does."""
    x = as_tensor(x)
    shape = tuple(shape)
    if shape == x.shape:
        return x
    return apply(BroadcastTo, x, shape=shape)


__all__ = ["reshape", "transpose", "broadcast_to"]
