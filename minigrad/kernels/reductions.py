"""Reductions on raw arrays: sums by blocked BLAS products, and NumPy's variance made accurate.

``sum`` and ``mean`` return the same numbers as ``x.sum``/``x.mean`` (to rounding: more
accurate on tall float32 columns) and are faster on NumPy for sums over leading axes;
``variance`` accumulates float16/float32 data in float64.
"""

from __future__ import annotations

from minigrad.kernels import CPU_MODULE


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


def sum(xp, x, axes, keepdims):  # noqa: A001  (what it computes)
    """``x.sum(axis=axes, keepdims=keepdims)``, by ``sum_by_matmul`` where that applies."""
    if axes:
        y = sum_by_matmul(xp, x, axes, keepdims)
        if y is not None:
            return y
    return x.sum(axis=axes, keepdims=keepdims)


def mean(xp, x, axes, keepdims):
    """``x.mean(axis=axes, keepdims=keepdims)``, by ``sum_by_matmul`` where that applies."""
    if axes:
        y = sum_by_matmul(xp, x, axes, keepdims)
        if y is not None:
            y /= y.dtype.type(reduced_size(x.shape, axes))
            return y
    return x.mean(axis=axes, keepdims=keepdims)


# -- differentiable reductions ----------------------------------------------------------
#: Rows per block of ``sum_by_matmul``: a block's sum adds its rows into one accumulator,
#: so its rounding grows with the block's length. With 64, float32 column sums err as
#: NumPy's pairwise sum does (0.5 ulp rms; 0.8 with 128), at 0.8 to 1 times the speed of 128.
_SUM_BLOCK = 64
#: Rows this long (elements) are summed by NumPy's loop, in blocks of 16 rows: per call it
#: costs no more than a BLAS product there (NumPy's batched products slow down by up to 300x
#: from 8192), and its plain additions need the shorter blocks to err as the pairwise sum.
_LONG_ROW = 2048
_LONG_ROW_BLOCK = 16


def sum_by_matmul(xp, x, axes, keepdims):
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



def variance(xp, x, axes, keepdims, ddof, root=False):
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

