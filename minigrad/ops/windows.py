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
``correlate_flat`` is the stride-1 shortcut that needs no column matrix at all.
"""

from __future__ import annotations


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
    """
    n, _, _, c = x.shape
    (kh, kw), (ho, wo) = kernel_hw, out_hw
    (sh, sw), (dh, dw) = strides, dilations
    s_n, s_h, s_w, s_c = x.strides
    view = xp.lib.stride_tricks.as_strided(
        x, (n, ho, wo, kh, kw, c), (s_n, sh * s_h, sw * s_w, dh * s_h, dw * s_w, s_c)
    )
    return xp.ascontiguousarray(view).reshape(n * ho * wo, kh * kw * c)


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


def correlate_flat(xp, g, kernel, padded_hw, dilations):
    """Stride-1 ``col2im(g @ kernel^T)`` without the column matrix (the input gradient of a conv).

    With stride 1, output pixel (n, h, w) of a convolution reads padded pixel
    ``q + i*dh*Wp + j*dw`` where ``q = (n*Hp + h)*Wp + w`` is its own position
    in the flattened padded image. Spread ``g`` onto that flat grid (zeros
    between), and the input gradient is

        dx_flat[p] = sum_{i,j} g_flat[p - (i*dh*Wp + j*dw)] @ kernel[i, j]^T,

    kh*kw GEMMs whose left operands are contiguous row ranges of one array:
    no copies, no scatter. Rows of ``g_flat`` outside the output are zeros, so
    the sums never mix pixels of different rows or images.

    On the CPU the rows are taken in blocks of about a megabyte (cache blocking,
    not a loop over images or pixels): the kh*kw products of a block then read
    the same cached rows of ``g_flat`` and add up in cache, which makes this
    ~25% faster than kh*kw GEMMs over the whole array.

    Args:
        g: (N, Ho, Wo, O) output gradient.
        kernel: (kh, kw, C, O).
        padded_hw: (Hp, Wp) of the padded input.

    Returns:
        The padded input gradient (N, Hp, Wp, C).
    """
    n, ho, wo, o = g.shape
    kh, kw, c, _ = kernel.shape
    hp, wp = padded_hw
    dh, dw = dilations
    dtype = xp.result_type(g.dtype, kernel.dtype)
    rows = n * hp * wp
    lead = (kh - 1) * dh * wp + (kw - 1) * dw  # zeros in front, for p - offset < 0
    g_flat = xp.zeros((lead + rows, o), dtype=dtype)
    g_flat[lead:].reshape(n, hp, wp, o)[:, :ho, :wo, :] = g
    taps = [(lead - (i * dh * wp + j * dw), kernel[i, j].T.astype(dtype, copy=False))
            for i in range(kh) for j in range(kw)]
    out = xp.empty((rows, c), dtype=dtype)
    block = rows if xp.__name__ != "numpy" else max(256, _CACHE_BYTES // (dtype.itemsize * (o + 2 * c)))
    term = xp.empty((min(block, rows), c), dtype=dtype)
    for start in range(0, rows, block):
        size = min(block, rows - start)
        acc, tmp = out[start : start + size], term[:size]
        for k, (shift, k_t) in enumerate(taps):
            a = g_flat[shift + start : shift + start + size]
            if k == 0:
                xp.matmul(a, k_t, out=acc)
            else:
                xp.matmul(a, k_t, out=tmp)
                acc += tmp
    return out.reshape(n, hp, wp, c)


_CACHE_BYTES = 1 << 21  # working set of one block of correlate_flat: about the L2 cache
