"""Indexing: ``x[index]`` and its backward, a scatter-add.

    op            y                               dy/dx applied to g
    getitem       x[index]                        scatter_add(g, index, x.shape)
    scatter_add   zeros(shape), += u at index     getitem(g, index)

``getitem`` and ``scatter_add`` are each other's backward, so gradients of
gradients of indexing work. Repeated integer indices (``x[[0, 0, 1]]``) add
their gradients up; basic indexing (ints, slices, None, ``...``) and boolean
masks never repeat an element, so their scatter assigns.
"""

from __future__ import annotations

import operator

from minigrad import backend
from minigrad.errors import ArgumentTypeError, IndexOutOfRangeError, InvalidArgumentError
from minigrad.kernels import indexing as kernels
from minigrad.ops.base import Op, apply
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_shape


class Getitem(Op):
    name = "getitem"

    @staticmethod
    def forward(ctx, x, index, assign):
        ctx.index, ctx.assign = index, assign
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return _scatter_add(g, ctx.index, ctx.inputs[0].shape, ctx.assign)


def _getitem(x: Tensor, index: tuple, assign: bool) -> Tensor:
    """``x[index]`` for an index already normalized."""
    return apply(Getitem, x, index=index, assign=assign)


def getitem(x, index) -> Tensor:
    """``x[index]`` with NumPy's rules: basic and advanced indexing, masks, ``None`` and ``...``.

    The gradient scatters ``g`` back into zeros of ``x``'s shape; an element picked
    several times (``x[[0, 0]]``) gets the sum of its gradients.

    Args:
        x: a tensor.
        index: ints, slices (negative steps too), None, Ellipsis, integer arrays, lists
            or Tensors, boolean masks (arrays or bool Tensors), or a tuple of these.

    Returns:
        The selected elements (a 0-d tensor for a full integer index).

    Raises:
        ArgumentTypeError: for float, string or other non-index values.
        IndexOutOfRangeError: for an index out of bounds, too many indices, or a mask of the
            wrong shape (an IndexError).
        DeviceMismatchError: for an index Tensor on another device than ``x``.
    """
    x = as_tensor(x)
    normalized, assign = normalize_index(index, x.shape, x.device)
    try:
        return _getitem(x, normalized, assign)
    except (IndexError, TypeError, ValueError) as exc:
        raise _index_error("getitem", exc, index, x.shape) from exc


class ScatterAdd(Op):
    name = "scatter_add"

    @staticmethod
    def forward(ctx, u, index, shape, assign):
        ctx.index, ctx.assign = index, assign
        return kernels.scatter_add(ctx.xp, u, index, shape, assign)

    @staticmethod
    def backward(ctx, g):
        return _getitem(g, ctx.index, ctx.assign)


def _scatter_add(u: Tensor, index: tuple, shape: tuple, assign: bool) -> Tensor:
    """Zeros of ``shape`` plus ``u`` at ``index`` (already normalized)."""
    return apply(ScatterAdd, u, index=index, shape=tuple(shape), assign=assign)


def scatter_add(updates, index, shape) -> Tensor:
    """Zeros of ``shape`` with ``updates`` added at ``index``: the adjoint of ``getitem``.

    ``y = zeros(shape); y[index] += updates``, except that an element named several
    times by an integer index receives the sum of all its updates.

    Args:
        updates: a tensor of the shape ``zeros(shape)[index]`` has (or broadcastable to it).
        index: any index ``getitem`` accepts.
        shape: the shape of the result.

    Returns:
        A tensor of ``shape`` and the dtype of ``updates``.

    Raises:
        ArgumentTypeError, IndexOutOfRangeError, DeviceMismatchError: as ``getitem``.
    """
    updates = as_tensor(updates)
    shape = check_shape("shape", shape, where="scatter_add")
    normalized, assign = normalize_index(index, shape, updates.device)
    try:
        return _scatter_add(updates, normalized, shape, assign)
    except (IndexError, TypeError, ValueError) as exc:
        raise _index_error("scatter_add", exc, index, shape) from exc


# -- index normalization -------------------------------------------------------------------
_INDEX_KINDS = (
    "only integers, slices (a:b:c), None (newaxis), Ellipsis (...), integer arrays, lists or "
    "Tensors, and boolean masks are valid indices"
)


def _index_array(item, device: str):
    """An index component that is an array, list or Tensor, as a raw array on ``device``.

    Returns ``(component, repeats)``: a 0-d integer becomes a plain int; ``repeats`` is
    True for an integer array (it may name an element twice).
    """
    if isinstance(item, Tensor):
        arr = item._data
        if backend.device_of(arr) != device:
            backend.check_same_device("getitem (a tensor and its index)", [arr, _probe(device)])
    else:
        try:
            arr = backend.as_array(item, device=device)
        except (TypeError, ValueError):
            raise ArgumentTypeError(f"{_INDEX_KINDS}; got {item!r}.") from None
        if arr.size == 0 and arr.dtype.kind == "f":  # [] means "no elements", as in NumPy
            arr = arr.astype("int64")
        elif arr is item:  # the backward reuses the index: keep it safe from later writes
            arr = arr.copy()
    kind = arr.dtype.kind
    if kind == "b":
        return arr, False
    if kind in "iu":
        if arr.ndim == 0:
            return int(arr), False
        return arr, True
    raise ArgumentTypeError(
        f"{_INDEX_KINDS}; got an array of dtype {arr.dtype}. Cast float indices with "
        "astype('int64'), or compare to get a boolean mask."
    )


def _probe(device: str):
    """A tiny array on ``device`` (to name it in a device-mismatch error)."""
    return backend.module_for_device(device).zeros(0)


def normalize_index(index, shape: tuple, device: str):
    """Turn a user's index into a tuple NumPy/CuPy can use on an array of ``shape``.

    Tensors, lists and arrays become raw arrays on ``device``; 0-d integer arrays become
    ints. Returns ``(index, assign)`` where ``assign`` is False when the index has an
    integer array, whose repeated entries must accumulate in the backward.

    Raises:
        ArgumentTypeError: for an index of another kind (floats, strings, ...).
        DeviceMismatchError: for an index Tensor on another device than the tensor.
        IndexOutOfRangeError: for an integer index out of bounds.
    """
    items = index if isinstance(index, tuple) else (index,)
    out = []
    assign = True
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, (slice, int)):  # bool is an int
            out.append(item)
        elif not isinstance(item, Tensor) and not hasattr(item, "ndim") and hasattr(item, "__index__"):
            out.append(operator.index(item))  # an int-like object of another library
        else:
            item, repeats = _index_array(item, device)
            assign = assign and not repeats
            out.append(item)
    index = tuple(out)
    if device != "cpu" and not assign:
        _check_bounds(index, shape)  # NumPy checks itself; CuPy would wrap around silently
    return index, assign


def _is_mask(item) -> bool:
    return getattr(item, "dtype", None) is not None and item.dtype.kind == "b"


def _check_bounds(index: tuple, shape: tuple) -> None:
    """Raise IndexError for integer-array entries outside their axis (NumPy's message)."""
    used = sum(  # how many axes the index names, so that `...` covers the rest
        item.ndim if _is_mask(item) else 1
        for item in index if item is not None and item is not Ellipsis and not isinstance(item, bool)
    )
    axis = 0
    for item in index:
        if item is Ellipsis:
            axis += len(shape) - used
        elif item is None or isinstance(item, bool):
            continue
        elif _is_mask(item):
            axis += item.ndim
        else:
            if not isinstance(item, (int, slice)) and item.size and axis < len(shape):
                n = shape[axis]
                lo, hi = int(item.min()), int(item.max())
                if lo < -n or hi >= n:
                    bad = lo if lo < -n else hi
                    raise IndexOutOfRangeError(f"index {bad} is out of bounds for axis {axis} with size {n}")
            axis += 1


def _index_error(op_name: str, exc: Exception, index, shape: tuple) -> Exception:
    """NumPy's indexing error as a named one, with the shape and what to do."""
    text = f"{op_name}: {exc} (indexing a tensor of shape {shape} with {index!r:.80})."
    if isinstance(exc, IndexError):
        return IndexOutOfRangeError(
            f"{text} Each integer index must lie in [-n, n) for an axis of length n, give at "
            "most one index per axis (and one ...), and a boolean mask must have the shape "
            "of the axes it selects."
        )
    if isinstance(exc, TypeError):
        return ArgumentTypeError(f"{text} {_INDEX_KINDS}.")
    return InvalidArgumentError(f"{text} A slice step must not be 0: use e.g. x[::2] or x[::-1].")


__all__ = ["getitem", "scatter_add"]
