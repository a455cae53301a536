"""Shape ops: they move elements around, so their backwards move gradients back.

    op            y                               dy/dx applied to g
    reshape       x viewed as ``shape``           reshape(g, x.shape)
    transpose     axes permuted by ``axes``       transpose(g, inverse permutation)
    broadcast_to  x repeated to ``shape``         sum of g over the repeated axes
    concatenate   [x1, x2, ...] joined on axis    split(g) at the inputs' boundaries
    stack         [x1, x2, ...] on a new axis     split(g) into pieces, new axis dropped
    split         pieces x[s_i:e_i] on axis       concatenate(g_1, g_2, ...) (or pad-and-add)
    pad           x inside a constant frame       g[the slice where x sits]

``expand_dims`` and ``squeeze`` are reshapes. Indexing (``x[index]``) lives in
``indexing.py``.
"""

from __future__ import annotations

import operator

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.ops.base import Op, apply
from minigrad.ops.indexing import _getitem
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_axis

# -- axis bookkeeping -------------------------------------------------------------------


def normalize_axis(axis, ndim: int) -> tuple:
    """``axis`` (None, int or tuple, negatives allowed) as a sorted tuple of non-negative ints.

    Raises:
        ArgumentTypeError: for an axis that is not an integer.
        InvalidArgumentError: for an axis out of range or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        try:
            if type(a) is bool:  # True is 1 to Python: axis=True would reduce axis 1
                raise TypeError
            a = operator.index(a)
        except TypeError:
            raise ArgumentTypeError(
                f"axis must be None, an int or a tuple of ints, got {type(a).__name__} {a!r}."
            ) from None
        if not -ndim <= a < ndim:
            raise InvalidArgumentError(
                f"axis {a} is out of range for a tensor of rank {ndim}: use an axis in "
                f"[{-ndim}, {ndim - 1}]." if ndim else
                f"axis {a} is out of range for a 0-d tensor, which has no axes: use axis=None."
            )
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise InvalidArgumentError(f"axis {axis!r} repeats an axis: name each axis once.")
    return tuple(sorted(out))


def _one_axis(axis, ndim: int, op_name: str) -> int:
    """A single int ``axis`` in ``[-ndim, ndim)`` as a non-negative int."""
    if isinstance(axis, (tuple, list)):
        raise ArgumentTypeError(f"{op_name} takes one int axis, got {axis!r}.")
    if ndim == 0:
        raise InvalidArgumentError(f"{op_name} needs tensors of rank >= 1, got a 0-d tensor.")
    return normalize_axis(axis, ndim)[0]


# -- the ops, each with its function -----------------------------------------------------
class Reshape(Op):
    name = "reshape"

    @staticmethod
    def forward(ctx, x, shape):
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.inputs[0].shape)


def reshape(x, shape) -> Tensor:
    """``x`` with a new shape of the same size (one entry may be -1, inferred).

    Args:
        x: a tensor.
        shape: an int or a tuple of ints whose product is ``x.size``.

    Returns:
        ``x`` itself if the shape is unchanged, else a reshaped view.

    Raises:
        ArgumentTypeError: for a shape that is not an int or a tuple of ints.
        InvalidArgumentError: if the sizes differ, for a size below -1 or two -1s.
    """
    x = as_tensor(x)
    try:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if shape == x.shape:
            return x
        out = apply(Reshape, x, shape=shape)
    except (TypeError, ValueError) as exc:
        raise _shape_error("reshape", x, shape, exc) from exc
    # NumPy takes any negative size for -1 (a shape it inferred differs from the one asked)
    if out._data.shape != shape and (min(shape) < -1 or shape.count(-1) > 1):
        raise _shape_error("reshape", x, shape, ValueError(f"size {min(shape)} < -1"))
    return out


def expand_dims(x, axis) -> Tensor:
    """``x`` with new length-1 axes at the positions ``axis`` (an int or a tuple) of the result.

    Args:
        x: a tensor.
        axis: positions in the output, in ``[-(ndim + k), ndim + k)`` for ``k`` new axes.

    Returns:
        A reshaped view of ``x``, e.g. shape (2, 3) with axis=1 gives (2, 1, 3).

    Raises:
        ArgumentTypeError: for an axis that is None or not an int.
        InvalidArgumentError: for an axis out of range or repeated.
    """
    x = as_tensor(x)
    if axis is None:
        raise ArgumentTypeError(
            "expand_dims: `axis` is None: pass the position of the new axis, e.g. axis=0."
        )
    k = len(axis) if isinstance(axis, (tuple, list)) else 1
    axes = normalize_axis(axis, x.ndim + k)
    rest = iter(x.shape)
    return reshape(x, tuple(1 if i in axes else next(rest) for i in range(x.ndim + k)))


def squeeze(x, axis=None) -> Tensor:
    """``x`` without length-1 axes (all of them, or those in ``axis``).

    Args:
        x: a tensor.
        axis: None (every length-1 axis), an int or a tuple of ints.

    Returns:
        A reshaped view of ``x``, e.g. shape (2, 1, 3) gives (2, 3).

    Raises:
        InvalidArgumentError: for an axis out of range, or one whose length is not 1.
    """
    x = as_tensor(x)
    if axis is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        axes = normalize_axis(axis, x.ndim)
        for a in axes:
            if x.shape[a] != 1:
                raise InvalidArgumentError(
                    f"cannot squeeze axis {a} of a tensor of shape {x.shape}: it has length "
                    f"{x.shape[a]}, not 1. Squeeze only length-1 axes (or pass axis=None)."
                )
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


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
        return apply(Transpose, g, axes=inverse)  # a permutation by construction: no checks


def transpose(x, axes=None) -> Tensor:
    """Permute the axes: ``y.shape[i] = x.shape[axes[i]]`` (reversed when ``axes`` is None).

    Args:
        x: a tensor.
        axes: a permutation of ``range(x.ndim)`` (negative axes count from the end),
            or None.

    Returns:
        A transposed view of ``x``.

    Raises:
        ArgumentTypeError: for an axis that is not an int.
        InvalidArgumentError: for ``axes`` that are not a permutation of the axes.
    """
    x = as_tensor(x)
    if axes is not None:
        if isinstance(axes, str) or not hasattr(axes, "__iter__"):
            raise ArgumentTypeError(
                f"transpose: `axes` must be None or a tuple of ints (a permutation), got "
                f"{axes!r}. Pass e.g. axes=(1, 0), or call x.transpose(1, 0)."
            )
        # stored non-negative: the backward's inverse permutation sorts by these values
        axes = tuple(check_axis("axes", a, x.ndim, where="transpose") for a in axes)
        if sorted(axes) != list(range(x.ndim)):
            raise InvalidArgumentError(
                f"transpose: `axes`={axes} is not a permutation of the {x.ndim} axes of a "
                f"tensor of shape {x.shape}: name each axis in range({x.ndim}) exactly once."
            )
    return apply(Transpose, x, axes=axes)


class BroadcastTo(Op):
    name = "broadcast_to"

    @staticmethod
    def forward(ctx, x, shape):
        return ctx.xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine sums it back over the broadcast axes


def broadcast_to(x, shape) -> Tensor:
    """``x`` broadcast to ``shape`` as NumPy does; the gradient sums over the repeated axes.

    Args:
        x: a tensor.
        shape: a shape ``x`` broadcasts to.

    Returns:
        ``x`` itself if the shape is unchanged, else a read-only broadcast view.

    Raises:
        ArgumentTypeError: for a shape that is not a tuple of ints.
        InvalidArgumentError: for a shape ``x`` does not broadcast to.
    """
    x = as_tensor(x)
    try:
        shape = tuple(shape)
        if shape == x.shape:
            return x
        return apply(BroadcastTo, x, shape=shape)
    except (TypeError, ValueError) as exc:
        raise _shape_error("broadcast_to", x, shape, exc) from exc


class Concatenate(Op):
    name = "concatenate"

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return ctx.xp.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        points, at = [], 0
        for t in ctx.inputs[:-1]:
            at += t.shape[ctx.axis]
            points.append(at)
        return tuple(split(g, points, axis=ctx.axis))


def concatenate(tensors, axis=0) -> Tensor:
    """Join tensors along an existing axis: shapes must agree except along ``axis``.

    Args:
        tensors: a list or tuple of tensors of the same rank.
        axis: the axis to join along; None flattens every tensor first (as NumPy).

    Returns:
        A tensor whose ``axis`` has the sum of the inputs' lengths.

    Raises:
        ArgumentTypeError: if ``tensors`` is not a list or tuple.
        InvalidArgumentError: for an empty list, 0-d tensors, a bad axis or mismatched shapes.
    """
    tensors = _tensor_list("concatenate", tensors)
    if axis is None:
        tensors = [reshape(t, (-1,)) for t in tensors]
        axis = 0
    ndim = tensors[0].ndim
    if ndim == 0:
        raise InvalidArgumentError("concatenate cannot join 0-d tensors: use stack to make a new axis.")
    axis = _one_axis(axis, ndim, "concatenate")
    for i, t in enumerate(tensors):
        same = t.ndim == ndim and all(
            a == b for k, (a, b) in enumerate(zip(t.shape, tensors[0].shape)) if k != axis
        )
        if not same:
            raise InvalidArgumentError(
                f"concatenate along axis {axis}: tensor {i} has shape {t.shape} but tensor 0 "
                f"has shape {tensors[0].shape}; all axes except axis {axis} must match."
            )
    if len(tensors) == 1:
        return tensors[0]
    return apply(Concatenate, *tensors, axis=axis)


class Stack(Op):
    name = "stack"

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return ctx.xp.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        pieces = split(g, len(ctx.inputs), axis=ctx.axis)
        return tuple(reshape(p, t.shape) for p, t in zip(pieces, ctx.inputs))


def stack(tensors, axis=0) -> Tensor:
    """Join tensors of one shape along a new axis at position ``axis`` of the result.

    Args:
        tensors: a list or tuple of tensors of the same shape.
        axis: the new axis's position, in ``[-(ndim + 1), ndim + 1)``.

    Returns:
        A tensor of shape ``shape[:axis] + (len(tensors),) + shape[axis:]``.

    Raises:
        ArgumentTypeError: if ``tensors`` is not a list or tuple.
        InvalidArgumentError: for an empty list, a bad axis or shapes that differ.
    """
    tensors = _tensor_list("stack", tensors)
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise InvalidArgumentError(
                f"stack needs tensors of one shape: tensor {i} has shape {t.shape} but tensor 0 "
                f"has shape {shape}."
            )
    axis = _one_axis(axis, len(shape) + 1, "stack")
    return apply(Stack, *tensors, axis=axis)


class Split(Op):
    name = "split"
    multiple_outputs = True

    @staticmethod
    def forward(ctx, x, bounds, axis, tiles):
        ctx.bounds, ctx.axis, ctx.tiles = bounds, axis, tiles
        lead = (slice(None),) * axis
        return tuple(x[lead + (slice(s, e),)] for s, e in bounds)

    @staticmethod
    def backward(ctx, *gs):
        if ctx.tiles:  # the pieces lie side by side: their gradients do too
            return concatenate(gs, axis=ctx.axis)
        # overlapping or reordered pieces (NumPy allows split points like [3, 1]):
        # put each piece's gradient back where the piece came from and add them up
        n = ctx.inputs[0].shape[ctx.axis]
        total = None
        for g, (s, e) in zip(gs, ctx.bounds):
            widths = [(0, 0)] * g.ndim
            widths[ctx.axis] = (s, n - e)
            part = pad(g, widths)
            total = part if total is None else total + part
        return total


def split(x, indices_or_sections, axis=0) -> list:
    """Cut ``x`` into pieces along ``axis``, as ``numpy.split``.

    Args:
        x: a tensor of rank >= 1.
        indices_or_sections: an int ``N`` (``N`` equal pieces; the axis length must be a
            multiple of ``N``) or a list of split points ``[i, j, ...]`` giving the
            pieces ``[:i], [i:j], ..., [last:]`` (Python slice rules: negatives count from
            the end, points past the end give empty pieces).
        axis: the axis to cut.

    Returns:
        A list of tensors.

    Raises:
        InvalidArgumentError: for an unequal division, a non-positive section count or a bad axis.
        ArgumentTypeError: for split points that are not ints.
    """
    x = as_tensor(x)
    axis = _one_axis(axis, x.ndim, "split")
    n = x.shape[axis]
    bounds = _split_bounds(n, indices_or_sections)
    tiles = bounds[0][0] == 0 and bounds[-1][1] == n and all(
        e == s for (_, e), (s, _) in zip(bounds[:-1], bounds[1:])
    )
    return list(apply(Split, x, bounds=tuple(bounds), axis=axis, tiles=tiles))


class Pad(Op):
    name = "pad"

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.widths = widths
        shape = tuple(b + s + a for (b, a), s in zip(widths, x.shape))
        out = ctx.xp.full(shape, value, dtype=x.dtype)
        out[_inner(widths, x.shape)] = x
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return _getitem(g, _inner(ctx.widths, x.shape), assign=True)


def pad(x, pad_width, constant_values=0) -> Tensor:
    """``x`` surrounded by ``constant_values`` (``numpy.pad`` in "constant" mode).

    Args:
        x: a tensor.
        pad_width: an int (every side of every axis), ``(before, after)`` (every axis),
            or ``((before_0, after_0), ...)`` with one pair per axis.
        constant_values: the fill value (a number).

    Returns:
        A tensor of shape ``before_i + x.shape[i] + after_i`` along each axis.

    Raises:
        InvalidArgumentError: for negative widths or the wrong number of pairs.
        ArgumentTypeError: for non-integer widths or a fill value that is not a number.
    """
    x = as_tensor(x)
    widths = _pad_widths(pad_width, x.ndim)
    if isinstance(constant_values, Tensor):
        constant_values = constant_values.item()
    if not isinstance(constant_values, (int, float)):
        raise ArgumentTypeError(f"pad fills with one number (constant_values), got {constant_values!r}.")
    if all(w == (0, 0) for w in widths):
        return x
    return apply(Pad, x, widths=widths, value=constant_values)


# -- argument checks and messages --------------------------------------------------------
def _inner(widths, shape) -> tuple:
    """The slices of a padded array where the original ``shape`` sits."""
    return tuple(slice(b, b + s) for (b, _), s in zip(widths, shape))


def _shape_error(op_name: str, x: Tensor, shape, exc: Exception) -> Exception:
    """The named error for a ``shape`` that ``reshape`` or ``broadcast_to`` refused."""
    sizes = shape if isinstance(shape, (tuple, list)) else (shape,)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
        return ArgumentTypeError(
            f"{op_name}: `shape` must be an int or a tuple of ints, got {shape!r}. "
            f"Pass whole numbers, e.g. {op_name}(x, (2, 3))."
        )
    if op_name == "reshape":
        return InvalidArgumentError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) into "
            f"shape {tuple(sizes)} ({exc}): the sizes must hold the same number of elements, with at "
            "most one -1 (inferred) and no other negative size."
        )
    return InvalidArgumentError(
        f"broadcast_to: a tensor of shape {x.shape} does not broadcast to shape {tuple(sizes)} "
        f"({exc}): "
        "aligned from the right, each size of x must equal the target's or be 1, and sizes "
        "must be >= 0. Reshape or expand_dims x first."
    )


def _tensor_list(op_name: str, tensors) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise ArgumentTypeError(
            f"{op_name} takes a list or tuple of tensors, got {type(tensors).__name__}; "
            f"write {op_name}([a, b], axis=0)."
        )
    if not tensors:
        raise InvalidArgumentError(f"{op_name} needs at least one tensor, got an empty list.")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [as_tensor(t, like=first) for t in tensors]


def _split_bounds(n: int, indices_or_sections) -> list:
    """The ``(start, stop)`` of each piece, with NumPy's meaning of the second argument."""
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = backend.to_device(indices_or_sections._data, "cpu").tolist()
    elif hasattr(indices_or_sections, "tolist"):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, (list, tuple)):
        try:
            points = [operator.index(p) for p in indices_or_sections]
        except TypeError:
            raise ArgumentTypeError(
                f"split points must be ints, got {indices_or_sections!r}."
            ) from None
        edges = [0, *points, n]
        bounds = []
        for a, b in zip(edges[:-1], edges[1:]):
            s, e, _ = slice(a, b).indices(n)
            bounds.append((s, e if e > s else s))
        return bounds
    if isinstance(indices_or_sections, bool):
        raise ArgumentTypeError("split takes a number of sections or a list of split points, got a bool.")
    try:
        sections = operator.index(indices_or_sections)
    except TypeError:
        raise ArgumentTypeError(
            "split takes a number of sections (int) or a list of split points, got "
            f"{indices_or_sections!r}."
        ) from None
    if sections <= 0:
        raise InvalidArgumentError(f"split needs a positive number of sections, got {sections}.")
    if n % sections:
        raise InvalidArgumentError(
            f"split into {sections} equal sections is impossible along an axis of length {n} "
            f"({n} is not a multiple of {sections}). Pass a list of split points instead, "
            "e.g. split(x, [2, 5]) for the pieces [:2], [2:5], [5:]."
        )
    size = n // sections
    return [(i * size, (i + 1) * size) for i in range(sections)]


def _pad_widths(pad_width, ndim: int) -> tuple:
    """NumPy's pad_width forms as one ``(before, after)`` pair per axis."""

    def as_int(v):
        if isinstance(v, bool):
            raise ArgumentTypeError(f"pad widths must be ints, got {v!r}.")
        try:
            v = operator.index(v)
        except TypeError:
            raise ArgumentTypeError(f"pad widths must be ints, got {v!r}.") from None
        if v < 0:
            raise InvalidArgumentError(
                f"pad widths must be >= 0, got {v}; slice the tensor to remove elements."
            )
        return v

    def pair(p):
        if isinstance(p, (list, tuple)):
            if len(p) == 1:
                return (as_int(p[0]),) * 2
            if len(p) == 2:
                return as_int(p[0]), as_int(p[1])
            raise InvalidArgumentError(f"each pad width is (before, after) or (both,), got {p!r}.")
        v = as_int(p)
        return v, v

    if hasattr(pad_width, "tolist"):
        pad_width = pad_width.tolist()
    if not isinstance(pad_width, (list, tuple)):
        return (pair(pad_width),) * ndim
    if len(pad_width) and all(isinstance(p, (list, tuple)) for p in pad_width):
        if len(pad_width) == 1:
            return (pair(pad_width[0]),) * ndim
        if len(pad_width) != ndim:
            raise InvalidArgumentError(
                f"pad_width has {len(pad_width)} (before, after) pairs for a tensor of rank {ndim}: "
                "give one pair per axis, one pair for all axes, or a single int."
            )
        return tuple(pair(p) for p in pad_width)
    if len(pad_width) in (1, 2):
        return (pair(tuple(pad_width)),) * ndim
    raise InvalidArgumentError(
        f"pad_width {pad_width!r} is not a form NumPy accepts: use an int, (before, after), "
        "or ((before_0, after_0), (before_1, after_1), ...) with one pair per axis."
    )


__all__ = [
    "reshape",
    "transpose",
    "broadcast_to",
    "expand_dims",
    "squeeze",
    "concatenate",
    "stack",
    "split",
    "pad",
]
