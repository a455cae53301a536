"""Reductions over ``axis`` (None, an int or a tuple) with ``keepdims``.

    op          y                          dy/dx (g broadcast back over the reduced axes)
    sum         sum x                      g
    mean        sum x / n                  g / n
"""

from __future__ import annotations

from minigrad.ops.base import Op, apply
from minigrad.ops.shape import broadcast_to, reshape
from minigrad.tensor import Tensor, as_tensor


def normalize_axis(axis, ndim: int) -> tuple:
    """``axis`` (None, int or tuple, negatives allowed) as a sorted tuple of non-negative ints.

    Raises:
        ValueError: for an axis out of range or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, int) or not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a!r} is out of range for a tensor of rank {ndim}.")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"axis {axis!r} repeats an axis.")
    return tuple(sorted(out))


def kept_shape(shape: tuple, axes: tuple) -> tuple:
    """``shape`` with the reduced ``axes`` set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def expand_to_input(g: Tensor, ctx) -> Tensor:
    """Broadcast a reduction's output gradient back to the input's shape."""
    x = ctx.inputs[0]
    return broadcast_to(reshape(g, kept_shape(x.shape, ctx.axes)), x.shape)


class Sum(Op):
    name = "sum"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx)


class Mean(Op):
    name = "mean"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        n = 1
        for a in ctx.axes:
            n *= x.shape[a]
        return expand_to_input(g, ctx) / float(n)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """Sum over ``axis`` (all axes by default)."""
    x = as_tensor(x)
    return apply(Sum, x, axes=normalize_axis(axis, x.ndim), keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (all axes by default)."""
    x = as_tensor(x)
    return apply(Mean, x, axes=normalize_axis(axis, x.ndim), keepdims=keepdims)


__all__ = ["sum", "mean", "normalize_axis"]
