"""Pooling on raw arrays: 2-D max and average pooling over NHWC windows, and their transposes.

``pool=(ph, pw)``, ``strides=(sh, sw)``, ``pads=((top, bottom), (left, right))`` as in
``minigrad/ops/pool.py``, whose table states what each computes. When the windows tile
the image exactly (stride = pool, no padding, sizes divisible) the windows are a
reshape, so no window loop runs.
"""

from __future__ import annotations

from minigrad.kernels import CPU_MODULE
from minigrad.kernels.windows import crop_spatial, out_size, pad_spatial, window_slice


def _out_hw(shape, pool, strides, pads) -> tuple:
    (top, bottom), (left, right) = pads
    return (out_size(shape[1] + top + bottom, pool[0], strides[0]),
            out_size(shape[2] + left + right, pool[1], strides[1]))


def _tiles(shape, pool, strides, pads) -> bool:
    """True when the windows are an exact, non-overlapping tiling of the unpadded image."""
    no_pad = not any(pads[0] + pads[1])
    return no_pad and tuple(strides) == tuple(pool) and shape[1] % pool[0] == 0 and shape[2] % pool[1] == 0


def _tiled(a, pool):
    """(N, H, W, C) viewed as (N, H/ph, ph, W/pw, pw, C)."""
    n, h, w, c = a.shape
    return a.reshape(n, h // pool[0], pool[0], w // pool[1], pool[1], c)


def _offsets(pool):
    """The window offsets (t, i, j), t = i*pw + j: row-major order."""
    return [(i * pool[1] + j, i, j) for i in range(pool[0]) for j in range(pool[1])]


def _real_counts(xp, shape, pool, strides, pads, dtype):
    """How many unpadded elements each window holds, shaped (1, Ho, Wo, 1) to broadcast."""
    counts = []
    for axis, (size, k, s, (before, _)) in enumerate(zip(shape[1:3], pool, strides, pads)):
        start = xp.arange(_out_hw(shape, pool, strides, pads)[axis]) * s
        first = xp.maximum(start, before)
        last = xp.minimum(start + k, before + size)
        counts.append((last - first).astype(dtype))
    return (counts[0][:, None] * counts[1][None, :])[None, :, :, None]


def max_pool(xp, x, pool, strides, pads):
    """The maximum over each window (padding is -inf, so it never wins)."""
    if _tiles(x.shape, pool, strides, pads):
        return _tiled(x, pool).max(axis=(2, 4))
    xpad = pad_spatial(xp, x, pads, -xp.inf)
    out_hw = _out_hw(x.shape, pool, strides, pads)
    y = window_slice(xpad, 0, 0, out_hw, strides).copy()
    for _, i, j in _offsets(pool)[1:]:
        xp.maximum(y, window_slice(xpad, i, j, out_hw, strides), out=y)
    return y


def window_argmax(xp, x, y, pool, strides, pads):
    """Offset t = i*pw + j of each window's first maximum (small ints, shaped like ``y``)."""
    xpad = pad_spatial(xp, x, pads, -xp.inf)
    argmax = xp.zeros(y.shape, dtype=xp.int8 if pool[0] * pool[1] < 128 else xp.int32)
    for t, i, j in reversed(_offsets(pool)):  # the last match wins: the first maximum
        hit = window_slice(xpad, i, j, y.shape[1:3], strides) == y
        argmax *= ~hit  # arithmetic, not argmax[hit] = t: no fancy indexing, several times faster
        argmax += hit * argmax.dtype.type(t)
    return argmax


def _tiled_scatter(xp, g, argmax, pool):
    """Scatter for exactly tiling windows: one broadcast product straight into (N, H, W, C) order."""
    n, ho, wo, c = g.shape
    ph, pw = pool
    offsets = xp.arange(ph * pw, dtype=argmax.dtype).reshape(1, 1, ph, 1, pw, 1)
    hit = argmax[:, :, None, :, None, :] == offsets
    g = g[:, :, None, :, None, :]
    # on the CPU, 0 * g elsewhere is exactly 0 for finite g, and a product is fast; the
    # check reads a value back, which on a GPU would wait for the device, so it uses where
    if xp is CPU_MODULE and bool(xp.isfinite(g).all()):
        out = hit * g
    else:
        out = xp.where(hit, g, xp.zeros((), dtype=g.dtype))  # inf/nan stay at the argmax only
    return out.reshape(n, ho * ph, wo * pw, c)


def max_pool_scatter(xp, g, argmax, input_shape, pool, strides, pads):
    """Each window's ``g`` sent to its argmax, summed onto an (N, H, W, C) image."""
    if _tiles(input_shape, pool, strides, pads):
        return _tiled_scatter(xp, g, argmax, pool)
    zero = xp.zeros((), dtype=g.dtype)
    (top, bottom), (left, right) = pads
    n, h, w, c = input_shape
    out = xp.zeros((n, top + h + bottom, left + w + right, c), dtype=g.dtype)
    for t, i, j in _offsets(pool):
        window_slice(out, i, j, g.shape[1:3], strides)[...] += xp.where(argmax == t, g, zero)
    return crop_spatial(out, pads, input_shape)


def max_pool_gather(xp, z, argmax, pool, strides, pads):
    """``z`` read at each window's argmax (the transpose of ``max_pool_scatter``)."""
    zpad = pad_spatial(xp, z, pads)
    out = xp.zeros(argmax.shape, dtype=z.dtype)
    for t, i, j in _offsets(pool):
        # a masked copy, not out[hit] = z[hit]: boolean indexing counts the hits
        # first, which on a GPU waits for the device twice per tap
        xp.copyto(out, window_slice(zpad, i, j, argmax.shape[1:3], strides), where=argmax == t)
    return out


def avg_pool(xp, x, pool, strides, pads):
    """The mean of each window's real (unpadded) elements."""
    if _tiles(x.shape, pool, strides, pads):
        return _tiled(x, pool).mean(axis=(2, 4))
    xpad = pad_spatial(xp, x, pads)
    out_hw = _out_hw(x.shape, pool, strides, pads)
    y = window_slice(xpad, 0, 0, out_hw, strides).copy()
    for _, i, j in _offsets(pool)[1:]:
        y += window_slice(xpad, i, j, out_hw, strides)
    y /= _real_counts(xp, x.shape, pool, strides, pads, x.dtype)
    return y


def avg_pool_scatter(xp, g, input_shape, pool, strides, pads):
    """``g / count`` spread over each window (the transpose of ``avg_pool``)."""
    if _tiles(input_shape, pool, strides, pads):
        share = g * (1.0 / (pool[0] * pool[1]))
        n, ho, wo, c = g.shape
        out = xp.broadcast_to(share[:, :, None, :, None, :], (n, ho, pool[0], wo, pool[1], c))
        return xp.ascontiguousarray(out).reshape(input_shape)
    share = g / _real_counts(xp, input_shape, pool, strides, pads, g.dtype)
    (top, bottom), (left, right) = pads
    n, h, w, c = input_shape
    out = xp.zeros((n, top + h + bottom, left + w + right, c), dtype=g.dtype)
    for _, i, j in _offsets(pool):
        window_slice(out, i, j, g.shape[1:3], strides)[...] += share
    return crop_spatial(out, pads, input_shape)
