"""Sliding windows over NHWC arrays: the raw-array kernels behind convolution and pooling.

Everything here works on backend arrays (``xp`` is numpy or cupy) in the
channels-last layout ``(N, H, W, C)``, and knows nothing about tapes. The
geometry, per spatial axis, with input size ``n``, window ``k``, stride ``s``,
dilation ``d`` and padding ``(before, after)``:

    padded size      p = before + n + after
    window extent    e = (k - 1) d + 1
    output size      m = (p - e) // s + 1
    output o reads   padded rows o s + i d,  i = 0 .. k - 1

``im2col`` lays every window out as one row of a matrix (so a convolution is a
single GEMM); ``col2im`` is its transpose (a scatter-add back onto the image).
``correlate_flat`` computes that transpose without any column matrix, as sums of
shifted GEMMs; ``phases`` splits a strided one into stride-1 pieces for it, and
``conv_transpose`` puts the two together (the input gradient of a convolution).
"""

from __future__ import annotations

from minigrad.kernels import CPU_MODULE


def out_size(padded: int, k: int, stride: int, dilation: int = 1) -> int:
    """Windows that fit along an axis of ``padded`` elements: ``(p - (k-1) d - 1) // s + 1``."""
    return (padded - (k - 1) * dilation - 1) // stride + 1


def pad_spatial(xp, x, pads, value=0):
    """``x`` (N, H, W, C) with ``pads = ((top, bottom), (left, right))`` rows/columns of ``value``.

    Returns ``x`` itself when there is nothing to pad.
    """
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    shape = (n, top + h + bottom, left + w + right, c)
    out = xp.zeros(shape, dtype=x.dtype) if value == 0 else xp.full(shape, value, dtype=x.dtype)
    out[:, top : top + h, left : left + w, :] = x
    return out


def crop_spatial(x, pads, shape):
    """Undo ``pad_spatial``: the (N, H, W, C) = ``shape`` window of padded ``x`` (a view)."""
    (top, _), (left, _) = pads
    return x[:, top : top + shape[1], left : left + shape[2], :]


def window_slice(a, i: int, j: int, out_hw, strides):
    """The elements at offset (i, j) of every window: ``a[:, i + s*o, j + s*o', :]`` (a view)."""
    (ho, wo), (sh, sw) = out_hw, strides
    return a[:, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw, :]


def im2col(xp, x, kernel_hw, out_hw, strides, dilations):
    """Every window of the padded ``x`` (N, Hp, Wp, C) as a row: (N*Ho*Wo, kh*kw*C).

    Column ``(i*kw + j)*C + c`` of row ``(n, h, w)`` holds ``x[n, h*sh + i*dh, w*sw + j*dw, c]``,
    which is the row order of a Keras kernel ``(kh, kw, C, O)`` reshaped to ``(kh*kw*C, O)``.
    The windows are a strided view of ``x``; one copy turns them into the matrix.

    With fewer than ``FEW_CHANNELS`` channels (an image's 1 or 3) that copy would
    move a handful of elements per inner step; instead each tap's pixels are
    copied as one whole-image slice into a row of the transposed matrix, and the
    result is its transpose (a column-major matrix: same values, and matmul
    reads either layout without a copy). That is about five times faster for C = 1.
    """
    n, _, _, c = x.shape
    (kh, kw), (ho, wo) = kernel_hw, out_hw
    (sh, sw), (dh, dw) = strides, dilations
    if c < FEW_CHANNELS:
        cols_t = xp.empty((kh, kw, c, n, ho, wo), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols_t[i, j] = window_slice(x, i * dh, j * dw, out_hw, strides).transpose(3, 0, 1, 2)
        return cols_t.reshape(kh * kw * c, n * ho * wo).T
    s_n, s_h, s_w, s_c = x.strides
    view = xp.lib.stride_tricks.as_strided(
        x, (n, ho, wo, kh, kw, c), (s_n, sh * s_h, sw * s_w, dh * s_h, dw * s_w, s_c)
    )
    return xp.ascontiguousarray(view).reshape(n * ho * wo, kh * kw * c)


#: Below this many channels ``im2col`` builds the transposed (column-major) matrix.
FEW_CHANNELS = 4


def col2im(xp, cols, padded_shape, strides, dilations):
    """The transpose of ``im2col``: add each row's entries back onto their pixels.

    Args:
        cols: (N, Ho, Wo, kh, kw, C) window values.
        padded_shape: the (N, Hp, Wp, C) shape of the padded image.

    Returns:
        The padded image (N, Hp, Wp, C) where every pixel sums the entries of
        all windows that cover it.
    """
    _, ho, wo, kh, kw, _ = cols.shape
    (dh, dw) = dilations
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            window_slice(out, i * dh, j * dw, (ho, wo), strides)[...] += cols[:, :, :, i, j, :]
    return out


def correlate_flat(xp, g, tap_groups, grid_hw):
    """Sums of shifted GEMMs over a flattened grid: the column-free core of a transposed conv.

    For each group of kernel taps, computes on an (N, H', W') grid
    ``(H', W') = grid_hw`` holding ``g`` (N, Ho, Wo, O) in its top-left corner
    and zeros elsewhere

        out[n, u, v] = sum_{(ti, tj, k) in taps} g[n, u - ti, v - tj] @ k^T

    for taps ``k`` of shape (C, O) at offsets ``(ti, tj) >= 0``. Flatten the
    grid and output pixel ``p`` reads grid pixel ``p - (ti*W' + tj)``, so each
    tap is one GEMM whose left operand is a contiguous row range of the flat
    ``g``: no copies, no scatter. With ``H' >= Ho + max ti`` and
    ``W' >= Wo + max tj`` a read that runs off the left or top edge lands on
    the zero columns or rows of the previous grid row or image, so the sums
    never mix pixels of different rows or images.

    On the CPU the rows are taken in blocks of about a megabyte (cache blocking,
    not a loop over images or pixels): the products of a block then read the
    same cached rows of ``g_flat`` and add up in cache, which makes this ~25%
    faster than one GEMM per tap over the whole array.

    Args:
        g: (N, Ho, Wo, O) output gradient.
        tap_groups: lists of ``(ti, tj, k)``, each list non-empty, ``k`` of shape (C, O).
        grid_hw: (H', W') as above.

    Yields:
        For each group in turn, its (N, H', W', C) grid ``out``. The groups share one
        output buffer: use (copy) each grid before asking for the next.
    """
    n, ho, wo, o = g.shape
    hg, wg = grid_hw
    c = tap_groups[0][0][2].shape[0]
    dtype = xp.result_type(g.dtype, tap_groups[0][0][2].dtype)
    rows = n * hg * wg
    lead = max(ti * wg + tj for taps in tap_groups for ti, tj, _ in taps)  # zeros for p - shift < 0
    g_flat = xp.zeros((lead + rows, o), dtype=dtype)
    g_flat[lead:].reshape(n, hg, wg, o)[:, :ho, :wo, :] = g
    out = xp.empty((rows, c), dtype=dtype)
    block = rows if xp is not CPU_MODULE else max(256, _CACHE_BYTES // (dtype.itemsize * (o + 2 * c)))
    term = xp.empty((min(block, rows), c), dtype=dtype)
    for taps in tap_groups:
        shifted = [(lead - (ti * wg + tj), k.T.astype(dtype, copy=False)) for ti, tj, k in taps]
        for start in range(0, rows, block):
            size = min(block, rows - start)
            acc, tmp = out[start : start + size], term[:size]
            for t, (shift, k_t) in enumerate(shifted):
                a = g_flat[shift + start : shift + start + size]
                if t == 0:
                    xp.matmul(a, k_t, out=acc)
                else:
                    xp.matmul(a, k_t, out=tmp)
                    acc += tmp
        yield out.reshape(n, hg, wg, c)


def phases(kernel_hw, strides, dilations, padded_hw, out_hw):
    """The sub-pixel (polyphase) split of a strided convolution's transpose.

    With stride ``s`` a tap ``i`` only ever reaches padded rows ``p = h*s + i*d``
    with ``p = i*d (mod s)``. So the padded rows fall into ``s`` phases
    ``p = a + s*u`` (``a = 0 .. s-1``), and phase ``a`` receives exactly the
    taps with ``i*d = a (mod s)``, each at the whole-row offset
    ``ti = (i*d) // s``: ``dx[a + s*u] = sum_i g[u - ti] @ k[i]^T``, a stride-1
    correlation on the phase's own grid. Columns split the same way.

    Returns:
        ``(grid_hw, [((a, b), [(i, j, ti, tj), ...]), ...])``: one grid (H', W')
        big enough for every phase (see ``correlate_flat``), and each phase's
        row and column offsets with its taps (an empty list for a phase no tap
        reaches: its pixels get no gradient).
    """
    per_axis, grid = [], []
    for k, s, d, p, m in zip(kernel_hw, strides, dilations, padded_hw, out_hw):
        groups = [[(i, (i * d) // s) for i in range(k) if (i * d) % s == a] for a in range(s)]
        per_axis.append(groups)
        size = -(-p // s)  # rows of phase 0, the largest
        grid.append(max([size] + [m + max(t for _, t in taps) for taps in groups if taps]))
    result = []
    for a, rows in enumerate(per_axis[0]):
        for b, cols in enumerate(per_axis[1]):
            result.append(((a, b), [(i, j, ti, tj) for i, ti in rows for j, tj in cols]))
    return tuple(grid), result


def conv_transpose(xp, g, kernel, input_shape, pads, strides, dilations):
    """The input gradient of a convolution, ``col2im(g @ kernel^T)``, without the column matrix.

    Stride 1 is one ``correlate_flat`` over the padded image, cropped (a view).
    Larger strides run it once per phase (see ``phases``) on one shared grid,
    and copy each phase's pixels into its strided slice of the (unpadded)
    result: the same GEMMs as the column matrix, minus its memory and the
    scatter-add of ``col2im``.

    Args:
        g: (N, Ho, Wo, O) output gradient.
        kernel: (kh, kw, C, O).
        input_shape: (N, H, W, C) of the convolution's input.
        pads, strides, dilations: the convolution's geometry.

    Returns:
        The input gradient (N, H, W, C).
    """
    n, h, w, c = input_shape
    (top, bottom), (left, right) = pads
    padded_hw = (h + top + bottom, w + left + right)
    grid_hw, split = phases(kernel.shape[:2], strides, dilations, padded_hw, g.shape[1:3])
    groups = [[(ti, tj, kernel[i, j]) for i, j, ti, tj in taps] for _, taps in split if taps]
    grids = correlate_flat(xp, g, groups, grid_hw)
    if len(split) == 1:  # stride 1: the grid is the padded image
        return crop_spatial(next(grids), pads, input_shape)
    dx = xp.empty(tuple(input_shape), dtype=xp.result_type(g.dtype, kernel.dtype))
    (sh, sw) = strides
    for (a, b), taps in split:
        # the input rows r of this phase: r + top = a + sh*u, so r = r0, r0 + sh, ...
        r0, c0 = (a - top) % sh, (b - left) % sw
        u0, v0 = (r0 + top - a) // sh, (c0 + left - b) // sw
        target = dx[:, r0::sh, c0::sw, :]
        if taps:
            target[...] = next(grids)[:, u0 : u0 + target.shape[1], v0 : v0 + target.shape[2], :]
        else:  # no tap reaches these pixels
            target[...] = 0
    return dx


def transpose_cost(kernel_hw, strides, dilations, padded_hw, out_hw) -> float:
    """GEMM work of ``conv_transpose`` relative to the column matrix of ``col2im``.

    Each tap multiplies a whole grid in ``conv_transpose`` but only the Ho*Wo
    output pixels in the column matrix; this is the ratio, about 1 for a
    convolution with little padding and large when the grid is mostly padding.
    """
    grid_hw, split = phases(kernel_hw, strides, dilations, padded_hw, out_hw)
    grid_rows = sum(len(taps) for _, taps in split) * grid_hw[0] * grid_hw[1]
    return grid_rows / (kernel_hw[0] * kernel_hw[1] * out_hw[0] * out_hw[1])


_CACHE_BYTES = 1 << 21  # working set of one block of correlate_flat: about the L2 cache
