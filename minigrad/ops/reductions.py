"""Reductions over ``axis`` (None, an int or a tuple) with ``keepdims``: the derivative table.

``n`` is the number of elements reduced, ``x̄`` their mean and ``y`` the output;
every gradient is ``g`` broadcast back over the reduced axes, times:

    op          y                              dy/dx
    sum         sum x                          1
    mean        sum x / n                      1 / n
    max         max x                          [x == y] / #{x == y}   (ties share equally, as TF)
    min         min x                          [x == y] / #{x == y}
    var         sum (x - x̄)² / (n - ddof)      2 (x - x̄) / (n - ddof)
    std         sqrt(var x)                    (x - x̄) / ((n - ddof) y)
    argmax      index of the first maximum     none (an integer result)
    argmin      index of the first minimum     none
    all, any    logical and / or               none (a bool result)

logsumexp and sparse_softmax_cross_entropy are in ``softmax_family.py`` (the softmax family);
the fast sums and the float64-accumulated variance are ``minigrad/kernels/reductions.py``.
"""

from __future__ import annotations

from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.kernels import reductions as kernels
from minigrad.kernels.reductions import kept_shape, reduced_size
from minigrad.ops.base import Op, apply
from minigrad.ops.shape import broadcast_to, normalize_axis, reshape
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_bool, check_float


# -- axis bookkeeping -------------------------------------------------------------------
def expand_to_input(g: Tensor, ctx) -> Tensor:
    """Broadcast a reduction's output gradient back to the input's shape."""
    x = ctx.inputs[0]
    kept = kept_shape(x.shape, ctx.axes)
    if g.ndim and g.shape != kept:  # a 0-d or keepdims gradient broadcasts as it is
        g = reshape(g, kept)
    return broadcast_to(g, x.shape)


def _check_not_empty(op_name: str, x: Tensor, axes: tuple) -> None:
    """Raise ValueError for a reduction over no elements when the result would be undefined."""
    if reduced_size(x.shape, axes) == 0:
        raise InvalidArgumentError(
            f"{op_name} over axis {axes} of a tensor of shape {x.shape} reduces zero elements, "
            f"and the {op_name} of nothing is undefined. Reduce over non-empty axes, or check "
            "the input is not empty (x.size > 0) first."
        )


def _center(ctx) -> Tensor:
    """``x - mean(x)`` over the reduced axes, in minigrad ops (differentiable again)."""
    x = ctx.inputs[0]
    return x - mean(x, axis=ctx.axes, keepdims=True)


def _extremum_share(ctx, dtype) -> Tensor:
    """``[x == y] / #{x == y}``: the output gradient's share of each input (ties split).

    A NaN counts as the extremum (it is what the forward returned), as in PyTorch.
    """
    xp = ctx.xp
    x = ctx.inputs[0]._data
    y = ctx.output._data.reshape(kept_shape(x.shape, ctx.axes))
    hit = x == y
    if x.dtype.kind == "f":
        hit |= xp.isnan(x)
    hit = hit.astype(dtype)
    count = hit.sum(axis=ctx.axes, keepdims=True)
    return Tensor._wrap(hit / count)


def _keepdims(keepdims) -> bool:
    """``keepdims`` checked to be a bool (``"no"`` would read as True); two identity tests
    for the usual ``True``/``False``."""
    if keepdims is False or keepdims is True:
        return keepdims
    return check_bool("keepdims", keepdims)


def _dof(op_name: str, x: Tensor, axes: tuple, ddof) -> float:
    if isinstance(ddof, bool) or not isinstance(ddof, (int, float)):
        raise ArgumentTypeError(
            f"{op_name}: ddof must be a number (0 or 1 usually), got {ddof!r}. Pass ddof=0 for "
            "the population statistic or ddof=1 for the sample one."
        )
    check_float("ddof", ddof, where=op_name)  # NaN and infinities have no meaning here
    n = reduced_size(x.shape, axes)
    if n - ddof <= 0:
        raise InvalidArgumentError(
            f"{op_name} over axis {axes} of a tensor of shape {x.shape} averages {n} elements "
            f"with ddof={ddof}, leaving {n - ddof} degrees of freedom (the divisor n - ddof must "
            "be positive). Reduce over more elements or lower ddof (ddof=0 is the population "
            "variance, ddof=1 the unbiased sample variance)."
        )
    return ddof


# -- differentiable reductions ----------------------------------------------------------
class Sum(Op):
    name = "sum"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return kernels.sum(ctx.xp, x, axes, keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """Sum over ``axis``: ``y = sum_i x_i``.

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints; negatives count from the end.
        keepdims: if True, the reduced axes stay, with length 1.

    Returns:
        The sums (0 for an empty reduction).

    Raises:
        InvalidArgumentError, ArgumentTypeError: for a bad ``axis``; ArgumentTypeError for a
            ``keepdims`` that is not a bool (``"no"`` would read as True), in every reduction.
    """
    x = as_tensor(x)
    return apply(Sum, x, axes=normalize_axis(axis, x.ndim), keepdims=_keepdims(keepdims))


class Mean(Op):
    name = "mean"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return kernels.mean(ctx.xp, x, axes, keepdims)

    @staticmethod
    def backward(ctx, g):
        # divide the small gradient, then broadcast it: the same numbers as dividing
        # the broadcast one, without a full-size array
        n = reduced_size(ctx.inputs[0].shape, ctx.axes)
        return expand_to_input(g / float(n), ctx)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis``: ``y = sum_i x_i / n``.

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: if True, the reduced axes stay, with length 1.

    Returns:
        The means.

    Raises:
        InvalidArgumentError: for a bad ``axis`` or a reduction over zero elements (0 / 0).
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    _check_not_empty("mean", x, axes)
    return apply(Mean, x, axes=axes, keepdims=_keepdims(keepdims))


class Max(Op):
    name = "max"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return x.max(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx) * _extremum_share(ctx, g.dtype)


def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """Largest element over ``axis``: ``y = max_i x_i``.

    The gradient goes to the elements equal to the maximum; tied maxima share it
    equally (``g / k`` each for ``k`` ties), as TensorFlow's ``reduce_max`` does.

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: if True, the reduced axes stay, with length 1.

    Returns:
        The maxima.

    Raises:
        InvalidArgumentError: for a bad ``axis`` or a reduction over zero elements.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    _check_not_empty("max", x, axes)
    return apply(Max, x, axes=axes, keepdims=_keepdims(keepdims))


class Min(Op):
    name = "min"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return x.min(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx) * _extremum_share(ctx, g.dtype)


def min(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """Smallest element over ``axis``: ``y = min_i x_i`` (ties share the gradient equally).

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: if True, the reduced axes stay, with length 1.

    Returns:
        The minima.

    Raises:
        InvalidArgumentError: for a bad ``axis`` or a reduction over zero elements.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    _check_not_empty("min", x, axes)
    return apply(Min, x, axes=axes, keepdims=_keepdims(keepdims))


class Var(Op):
    name = "var"

    @staticmethod
    def forward(ctx, x, axes, keepdims, ddof):
        ctx.axes, ctx.ddof = axes, ddof
        return kernels.variance(ctx.xp, x, axes, keepdims, ddof)

    @staticmethod
    def backward(ctx, g):
        dof = reduced_size(ctx.inputs[0].shape, ctx.axes) - ctx.ddof
        return expand_to_input(g, ctx) * _center(ctx) * (2.0 / dof)


def var(x, axis=None, keepdims: bool = False, ddof=0) -> Tensor:
    """Variance over ``axis``: ``y = sum_i (x_i - x̄)² / (n - ddof)`` (NumPy's meaning of ddof).

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: if True, the reduced axes stay, with length 1.
        ddof: "delta degrees of freedom": 0 (default) for the population variance,
            1 for the unbiased sample variance.

    Returns:
        The variances.

    Raises:
        InvalidArgumentError: for a bad ``axis`` or when ``n - ddof <= 0`` (e.g. an empty reduction).
        ArgumentTypeError: for a ``ddof`` that is not a number.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    ddof = _dof("var", x, axes, ddof)
    return apply(Var, x, axes=axes, keepdims=_keepdims(keepdims), ddof=ddof)


class Std(Op):
    name = "std"

    @staticmethod
    def forward(ctx, x, axes, keepdims, ddof):
        ctx.axes, ctx.ddof = axes, ddof
        return kernels.variance(ctx.xp, x, axes, keepdims, ddof, root=True)

    @staticmethod
    def backward(ctx, g):
        dof = reduced_size(ctx.inputs[0].shape, ctx.axes) - ctx.ddof
        return expand_to_input(g / ctx.output, ctx) * _center(ctx) * (1.0 / dof)


def std(x, axis=None, keepdims: bool = False, ddof=0) -> Tensor:
    """Standard deviation over ``axis``: ``y = sqrt(var(x, axis, ddof=ddof))``.

    Its gradient ``(x - x̄) / ((n - ddof) y)`` is ``0 / 0``, NaN, for every element of a
    slice whose elements are all equal (``y = 0``), as in TensorFlow and PyTorch (NumPy
    may warn of the division). Where that can happen, take ``sqrt(var(x) + eps)`` instead.

    Args:
        x: a tensor.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: if True, the reduced axes stay, with length 1.
        ddof: 0 (default) for the population, 1 for the sample standard deviation.

    Returns:
        The standard deviations.

    Raises:
        InvalidArgumentError: for a bad ``axis`` or when ``n - ddof <= 0``.
        ArgumentTypeError: for a ``ddof`` that is not a number.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    ddof = _dof("std", x, axes, ddof)
    return apply(Std, x, axes=axes, keepdims=_keepdims(keepdims), ddof=ddof)


# -- reductions without a gradient -----------------------------------------------------
def _arg_axis(op_name: str, x: Tensor, axis):
    if axis is not None and isinstance(axis, (tuple, list)):
        raise ArgumentTypeError(
            f"{op_name} takes axis=None (the flattened tensor) or one int axis, got {axis!r}; "
            "reshape first to search several axes at once."
        )
    axes = normalize_axis(axis, x.ndim)
    if x.size == 0 or reduced_size(x.shape, axes) == 0:
        raise InvalidArgumentError(
            f"{op_name} of an empty tensor (shape {x.shape}, axis {axis!r}) has no answer: "
            "there is no element to point to. Check the input is not empty first."
        )
    return None if axis is None else axes[0]


class Argmax(Op):
    name = "argmax"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return x.argmax(axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the largest element along ``axis`` (the first one at ties); no gradient.

    Args:
        x: a tensor.
        axis: None (index into the flattened tensor) or an int.
        keepdims: if True, the searched axis (all axes for None) stays with length 1.

    Returns:
        An int64 tensor of indices.

    Raises:
        ArgumentTypeError: for a tuple ``axis``.
        InvalidArgumentError: for an axis out of range or an empty tensor.
    """
    x = as_tensor(x)
    return apply(Argmax, x, axis=_arg_axis("argmax", x, axis), keepdims=_keepdims(keepdims))


class Argmin(Op):
    name = "argmin"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return x.argmin(axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the smallest element along ``axis`` (the first one at ties); no gradient.

    Args:
        x: a tensor.
        axis: None (index into the flattened tensor) or an int.
        keepdims: if True, the searched axis (all axes for None) stays with length 1.

    Returns:
        An int64 tensor of indices.

    Raises:
        ArgumentTypeError: for a tuple ``axis``.
        InvalidArgumentError: for an axis out of range or an empty tensor.
    """
    x = as_tensor(x)
    return apply(Argmin, x, axis=_arg_axis("argmin", x, axis), keepdims=_keepdims(keepdims))


class All(Op):
    name = "all"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        return x.all(axis=axes, keepdims=keepdims)


def all(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """True where every element over ``axis`` is nonzero (True for an empty reduction); no gradient.

    Returns:
        A bool tensor.
    """
    x = as_tensor(x)
    return apply(All, x, axes=normalize_axis(axis, x.ndim), keepdims=_keepdims(keepdims))


class Any(Op):
    name = "any"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        return x.any(axis=axes, keepdims=keepdims)


def any(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """True where some element over ``axis`` is nonzero (False for an empty reduction); no gradient.

    Returns:
        A bool tensor.
    """
    x = as_tensor(x)
    return apply(Any, x, axes=normalize_axis(axis, x.ndim), keepdims=_keepdims(keepdims))


__all__ = [
    "sum",
    "mean",
    "max",
    "min",
    "var",
    "std",
    "argmax",
    "argmin",
    "all",
    "any",
    "normalize_axis",
]


# The softmax family lived here before it moved to softmax_family.py; minigrad.losses and tests import
# these from here. (minigrad.ops imports this file first; softmax_family.py imports from it.)
from minigrad.ops.softmax_family import (  # noqa: E402, F401, I001
    Logsumexp, SparseSoftmaxCrossEntropy, SparseSoftmaxCrossEntropyGrad,
    logsumexp, sparse_softmax_cross_entropy,
)
