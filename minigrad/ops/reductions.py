"""Reductions over ``axis`` (None, an int or a tuple) with ``keepdims``.

``n`` is the number of elements reduced, ``x̄`` their mean and ``y`` the output;
every gradient is ``g`` broadcast back over the reduced axes, times:

    op          y                              dy/dx
    sum         sum x                          1
    mean        sum x / n                      1 / n
    max         max x                          [x == y] / #{x == y}   (ties share equally, as TF)
    min         min x                          [x == y] / #{x == y}
    var         sum (x - x̄)² / (n - ddof)      2 (x - x̄) / (n - ddof)
    std         sqrt(var x)                    (x - x̄) / ((n - ddof) y)
    logsumexp   m + log sum e ** (x - m)       e ** (x - y)  (the softmax of x; m = max x)
    sparse_softmax_cross_entropy
                logsumexp x - x[label]         softmax(x) - hot   (labels as a one-hot mask
                                               ``hot``; the gradient is one op, ..._grad)
    argmax      index of the first maximum     none (an integer result)
    argmin      index of the first minimum     none
    all, any    logical and / or               none (a bool result)
"""

from __future__ import annotations

from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.ops.base import CPU_MODULE, Op, apply
from minigrad.ops.elementwise import exp
from minigrad.ops.shape import broadcast_to, expand_dims, normalize_axis, reshape
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_bool, check_float


# -- axis bookkeeping -------------------------------------------------------------------
def kept_shape(shape: tuple, axes: tuple) -> tuple:
    """``shape`` with the reduced ``axes`` set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def reduced_size(shape: tuple, axes: tuple) -> int:
    """How many elements each output element of a reduction over ``axes`` combines."""
    n = 1
    for a in axes:
        if a < len(shape):
            n *= shape[a]
    return n


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


# -- differentiable reductions ----------------------------------------------------------
#: Rows per block of ``_sum_by_matmul``: a block's sum adds its rows into one accumulator,
#: so its rounding grows with the block's length. With 64, float32 column sums err as
#: NumPy's pairwise sum does (0.5 ulp rms; 0.8 with 128), at 0.8 to 1 times the speed of 128.
_SUM_BLOCK = 64
#: Rows this long (elements) are summed by NumPy's loop, in blocks of 16 rows: per call it
#: costs no more than a BLAS product there (NumPy's batched products slow down by up to 300x
#: from 8192), and its plain additions need the shorter blocks to err as the pairwise sum.
_LONG_ROW = 2048
_LONG_ROW_BLOCK = 16


def _sum_by_matmul(xp, x, axes, keepdims):
    """The sum of ``x`` over ``axes`` by blocks of rows added pairwise, or None where that
    does not apply.

    NumPy sums a C-contiguous array over leading or middle axes by adding whole
    rows into an accumulator, one row per loop call: for short rows (the bias
    gradient of a convolution sums (N*H*W, C) over N*H*W with C = 32) the calls
    cost about ten times a BLAS matrix-vector product, and one accumulator for all
    n rows errs by 15 to 200 ulp on tall float32 columns. So when ``axes`` is one
    run of consecutive axes ending before the last axis, ``x`` is viewed as
    (pre, n, post); blocks of ``_SUM_BLOCK`` rows are summed by one batched
    ``ones @ block`` product (rows of ``_LONG_ROW`` or more: blocks of
    ``_LONG_ROW_BLOCK`` by NumPy's loop) and the block sums are added pairwise,
    as NumPy's pairwise sum does along a contiguous axis (about 0.5 ulp rms).
    Contiguous float32/float64 NumPy arrays take this path when they are tall
    (more than one block of rows) or, with short rows, big (65536 elements or
    more); otherwise it returns None.
    """
    if xp is not CPU_MODULE or x.dtype.char not in "fd" or not x.flags.c_contiguous:
        return None
    first, last = axes[0], axes[-1]
    if axes != tuple(range(first, last + 1)) or last == x.ndim - 1:
        return None
    shape = x.shape
    n = reduced_size(shape, axes)
    post = 1
    for s in shape[last + 1 :]:
        post *= s
    block = _LONG_ROW_BLOCK if post >= _LONG_ROW else _SUM_BLOCK
    if x.size == 0 or n <= block and (x.size < 1 << 16 or post >= _LONG_ROW):
        return None  # one block: NumPy's loop is as accurate, and as fast here
    x3 = x.reshape(-1, n, post)
    if n <= block:
        y = xp.matmul(xp.ones(n, dtype=x.dtype), x3)
    else:
        y = _pairwise_total(xp, _block_sums(xp, x3, block))
    out_shape = kept_shape(shape, axes) if keepdims else shape[:first] + shape[last + 1 :]
    return y.reshape(out_shape)


def _block_sums(xp, x3, block: int):
    """(pre, n, post) -> (pre, ceil(n / block), post): the sums of its blocks of rows."""
    pre, n, post = x3.shape
    blocks = n // block
    whole = blocks * block
    stacked = x3[:, :whole].reshape(pre, blocks, block, post)
    if post >= _LONG_ROW:
        sums, rest = stacked.sum(axis=2), x3[:, whole:].sum(axis=1)
    else:
        ones = xp.ones(block, dtype=x3.dtype)
        sums, rest = xp.matmul(ones, stacked), xp.matmul(ones[: n - whole], x3[:, whole:])
    if whole < n:
        sums = xp.concatenate([sums, rest.reshape(pre, 1, post)], axis=1)
    return sums


def _pairwise_total(xp, parts):
    """(pre, k, post) -> (pre, post): the sum over axis 1, adding halves pairwise.

    Each level adds the second half onto the first (an odd one out joins the first
    sum), so every part passes through about log2(k) additions, not k.
    """
    k = parts.shape[1]
    while k > 1:
        half = k // 2
        total = parts[:, :half] + parts[:, half : 2 * half]
        if k % 2:
            total[:, :1] += parts[:, 2 * half :]
        parts, k = total, half
    return parts[:, 0]


class Sum(Op):
    name = "sum"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        if axes:
            y = _sum_by_matmul(ctx.xp, x, axes, keepdims)
            if y is not None:
                return y
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx)


class Mean(Op):
    name = "mean"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        if axes:
            y = _sum_by_matmul(ctx.xp, x, axes, keepdims)
            if y is not None:
                y /= y.dtype.type(reduced_size(x.shape, axes))
                return y
        return x.mean(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        # divide the small gradient, then broadcast it: the same numbers as dividing
        # the broadcast one, without a full-size array
        n = reduced_size(ctx.inputs[0].shape, ctx.axes)
        return expand_to_input(g / float(n), ctx)


class Max(Op):
    name = "max"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return x.max(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx) * _extremum_share(ctx, g.dtype)


class Min(Op):
    name = "min"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.axes = axes
        return x.min(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return expand_to_input(g, ctx) * _extremum_share(ctx, g.dtype)


def _variance(xp, x, axes, keepdims, ddof, root=False):
    """NumPy's two-pass variance (its square root if ``root``), float16/float32 data
    accumulated in float64 and the result rounded to the data's dtype.

    In float32 NumPy adds a leading axis's rows one at a time into the mean: for
    data at an offset (1e4 + N(0, 1), shape (1e4, 100), axis 0) the mean is off by
    about 1e-2, and that error squared lands in the variance (3.7e-4 relative).
    Summed in float64, as torch does on the CPU, the result is rounded once
    (6e-8 relative); it costs about 1.1 to 3.4 times NumPy's float32 var.
    """
    wide = x.dtype.kind == "f" and x.dtype.itemsize < 8
    v = x.var(axis=axes, keepdims=keepdims, ddof=ddof, dtype="float64" if wide else None)
    if root:
        v = xp.sqrt(v)
    return v.astype(x.dtype) if wide else v


class Var(Op):
    name = "var"

    @staticmethod
    def forward(ctx, x, axes, keepdims, ddof):
        ctx.axes, ctx.ddof = axes, ddof
        return _variance(ctx.xp, x, axes, keepdims, ddof)

    @staticmethod
    def backward(ctx, g):
        dof = reduced_size(ctx.inputs[0].shape, ctx.axes) - ctx.ddof
        return expand_to_input(g, ctx) * _center(ctx) * (2.0 / dof)


class Std(Op):
    name = "std"

    @staticmethod
    def forward(ctx, x, axes, keepdims, ddof):
        ctx.axes, ctx.ddof = axes, ddof
        return _variance(ctx.xp, x, axes, keepdims, ddof, root=True)

    @staticmethod
    def backward(ctx, g):
        dof = reduced_size(ctx.inputs[0].shape, ctx.axes) - ctx.ddof
        return expand_to_input(g / ctx.output, ctx) * _center(ctx) * (1.0 / dof)


class Logsumexp(Op):
    name = "logsumexp"

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        xp = ctx.xp
        ctx.axes = axes
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf) in a slice: shift by 0
        out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        if not keepdims:
            out = out.reshape(tuple(s for i, s in enumerate(out.shape) if i not in axes))
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        y = broadcast_to(reshape(ctx.output, kept_shape(x.shape, ctx.axes)), x.shape)
        return expand_to_input(g, ctx) * exp(x - y)


def _log_softmax(xp, x, axis):
    """``x - m - log sum e ** (x - m)`` over ``axis`` (``m`` the maximum, 0 where not finite)."""
    m = x.max(axis=axis, keepdims=True)
    z = x - xp.where(xp.isfinite(m), m, 0)
    z -= xp.log(xp.exp(z).sum(axis=axis, keepdims=True))
    return z


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
        ctx.log_p = _log_softmax(ctx.xp, x, axis)  # kept: the gradient's softmax is exp(log_p)
        return -ctx.xp.where(hot, ctx.log_p, 0).sum(axis=axis)

    @staticmethod
    def backward(ctx, g):
        x, hot = ctx.inputs
        return apply(SparseSoftmaxCrossEntropyGrad, x, hot, g, axis=ctx.axis, log_p=ctx.log_p), None


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
        xp = ctx.xp
        ctx.axis = axis
        p = xp.exp(_log_softmax(xp, x, axis) if log_p is None else log_p)
        p -= hot
        p *= xp.expand_dims(g, axis)
        return p

    @staticmethod
    def backward(ctx, gg):
        x, hot, g = ctx.inputs
        axis = ctx.axis
        need_x, _, need_g = ctx.needs_input_grad
        p = exp(x - logsumexp(x, axis=axis, keepdims=True))
        gx = gg_g = None
        if need_x:
            u = gg * expand_dims(g, axis)
            gx = p * (u - sum(p * u, axis=axis, keepdims=True))
        if need_g:
            gg_g = sum((p - hot) * gg, axis=axis)
        return gx, None, gg_g


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


# -- reductions without a gradient --------------------------------------------------------
class Argmax(Op):
    name = "argmax"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return x.argmax(axis=axis, keepdims=keepdims)


class Argmin(Op):
    name = "argmin"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        return x.argmin(axis=axis, keepdims=keepdims)


class All(Op):
    name = "all"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        return x.all(axis=axes, keepdims=keepdims)


class Any(Op):
    name = "any"
    differentiable = False

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        return x.any(axis=axes, keepdims=keepdims)


# -- the functions users call ---------------------------------------------------------------
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


def all(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001  (NumPy's name)
    """True where every element over ``axis`` is nonzero (True for an empty reduction); no gradient.

    Returns:
        A bool tensor.
    """
    x = as_tensor(x)
    return apply(All, x, axes=normalize_axis(axis, x.ndim), keepdims=_keepdims(keepdims))


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
    "logsumexp",
    "argmax",
    "argmin",
    "all",
    "any",
    "normalize_axis",
]
