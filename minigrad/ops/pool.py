"""2-D max and average pooling, channels-last, with their transposes as ops.

Attributes: ``pool=(ph, pw)``, ``strides=(sh, sw)`` and explicit
``pads=((top, bottom), (left, right))`` (``minigrad.nn`` turns "same"/"valid"
and channels-first into these). Window (h, w) covers padded rows
``h*sh .. h*sh + ph - 1`` and columns ``w*sw .. w*sw + pw - 1``.

    op                        computes                               backward (to g)
    max_pool2d                y = max over the window                max_pool2d_scatter(g)
    max_pool2d_scatter        dx: g sent to each window's argmax     max_pool2d_gather(u)
    max_pool2d_gather         y: z read at each window's argmax      max_pool2d_scatter(u)
    avg_pool2d                y = sum over real elements / count     avg_pool2d_scatter(g)
    avg_pool2d_scatter        dx: g / count spread over the window   avg_pool2d(u)

Max pooling pads with -inf, so padding never wins; its gradient goes to one
element per window, the first maximum in row-major window order (top-left
first) when several tie, as TensorFlow's CPU kernel and PyTorch do. The
argmax is a constant of the backward, so scatter and gather are linear ops,
each the other's transpose: second derivatives are exact (zero through the
argmax choice). Average pooling with "same" padding divides by the number of
real, unpadded elements in each window, as TensorFlow does.

When the windows tile the image exactly (stride = pool, no padding, sizes
divisible) the windows are a reshape, so forward and backward need no
window loop.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.kernels.windows import crop_spatial, out_size, pad_spatial, window_slice
from minigrad.ops.base import CPU_MODULE, Op, apply
from minigrad.tensor import Tensor

# -- window geometry ---------------------------------------------------------------------


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


def _window_argmax(xp, x, y, pool, strides, pads):
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


class MaxPool2D(Op):
    name = "max_pool2d"

    @staticmethod
    def forward(ctx, x, pool, strides, pads):
        xp = ctx.xp
        ctx.attrs = dict(pool=pool, strides=strides, pads=pads)
        if _tiles(x.shape, pool, strides, pads):
            return _tiled(x, pool).max(axis=(2, 4))
        xpad = pad_spatial(xp, x, pads, -xp.inf)
        out_hw = _out_hw(x.shape, pool, strides, pads)
        y = window_slice(xpad, 0, 0, out_hw, strides).copy()
        for _, i, j in _offsets(pool)[1:]:
            xp.maximum(y, window_slice(xpad, i, j, out_hw, strides), out=y)
        return y

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        if getattr(ctx, "argmax", None) is None:  # found once, on the first backward
            ctx.argmax = _window_argmax(ctx.xp, x._data, ctx.output._data, **ctx.attrs)
        return max_pool2d_scatter(g, ctx.argmax, x.shape, **ctx.attrs)


def max_pool2d_nhwc(x: Tensor, pool, strides, pads) -> Tensor:
    """The max_pool2d op on checked channels-last arguments (see ``minigrad.nn.max_pool2d``)."""
    return apply(MaxPool2D, x, pool=pool, strides=strides, pads=pads)


class MaxPool2DScatter(Op):
    name = "max_pool2d_scatter"

    @staticmethod
    def forward(ctx, g, argmax, input_shape, pool, strides, pads):
        xp = ctx.xp
        ctx.attrs = dict(argmax=argmax, pool=pool, strides=strides, pads=pads)
        if _tiles(input_shape, pool, strides, pads):
            return _tiled_scatter(xp, g, argmax, pool)
        zero = xp.zeros((), dtype=g.dtype)
        (top, bottom), (left, right) = pads
        n, h, w, c = input_shape
        out = xp.zeros((n, top + h + bottom, left + w + right, c), dtype=g.dtype)
        for t, i, j in _offsets(pool):
            window_slice(out, i, j, g.shape[1:3], strides)[...] += xp.where(argmax == t, g, zero)
        return crop_spatial(out, pads, input_shape)

    @staticmethod
    def backward(ctx, u):
        return max_pool2d_gather(u, **ctx.attrs)


def max_pool2d_scatter(g: Tensor, argmax, input_shape, pool, strides, pads) -> Tensor:
    """Send each window's value of ``g`` to its argmax: the input gradient of max_pool2d.

    ``argmax`` (an integer array shaped like ``g``, as ``max_pool2d`` finds it) is moved to
    ``g``'s device if it is not there, as index arrays are.
    """
    return apply(MaxPool2DScatter, g, argmax=backend.to_device(argmax, g.device),
                 input_shape=tuple(input_shape), pool=pool, strides=strides, pads=pads)


class MaxPool2DGather(Op):
    name = "max_pool2d_gather"

    @staticmethod
    def forward(ctx, z, argmax, pool, strides, pads):
        xp = ctx.xp
        ctx.attrs = dict(argmax=argmax, pool=pool, strides=strides, pads=pads)
        zpad = pad_spatial(xp, z, pads)
        out = xp.zeros(argmax.shape, dtype=z.dtype)
        for t, i, j in _offsets(pool):
            # a masked copy, not out[hit] = z[hit]: boolean indexing counts the hits
            # first, which on a GPU waits for the device twice per tap
            xp.copyto(out, window_slice(zpad, i, j, argmax.shape[1:3], strides), where=argmax == t)
        return out

    @staticmethod
    def backward(ctx, u):
        return max_pool2d_scatter(u, input_shape=ctx.inputs[0].shape, **ctx.attrs)


def max_pool2d_gather(z: Tensor, argmax, pool, strides, pads) -> Tensor:
    """Read ``z`` at each window's argmax (the transpose of max_pool2d_scatter).

    ``argmax`` is moved to ``z``'s device if it is not there.
    """
    return apply(MaxPool2DGather, z, argmax=backend.to_device(argmax, z.device),
                 pool=pool, strides=strides, pads=pads)


class AvgPool2D(Op):
    name = "avg_pool2d"

    @staticmethod
    def forward(ctx, x, pool, strides, pads):
        xp = ctx.xp
        ctx.attrs = dict(pool=pool, strides=strides, pads=pads)
        if _tiles(x.shape, pool, strides, pads):
            return _tiled(x, pool).mean(axis=(2, 4))
        xpad = pad_spatial(xp, x, pads)
        out_hw = _out_hw(x.shape, pool, strides, pads)
        y = window_slice(xpad, 0, 0, out_hw, strides).copy()
        for _, i, j in _offsets(pool)[1:]:
            y += window_slice(xpad, i, j, out_hw, strides)
        y /= _real_counts(xp, x.shape, pool, strides, pads, x.dtype)
        return y

    @staticmethod
    def backward(ctx, g):
        return avg_pool2d_scatter(g, ctx.inputs[0].shape, **ctx.attrs)


def avg_pool2d_nhwc(x: Tensor, pool, strides, pads) -> Tensor:
    """The avg_pool2d op on checked channels-last arguments (see ``minigrad.nn.avg_pool2d``)."""
    return apply(AvgPool2D, x, pool=pool, strides=strides, pads=pads)


class AvgPool2DScatter(Op):
    name = "avg_pool2d_scatter"

    @staticmethod
    def forward(ctx, g, input_shape, pool, strides, pads):
        xp = ctx.xp
        ctx.attrs = dict(pool=pool, strides=strides, pads=pads)
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

    @staticmethod
    def backward(ctx, u):
        return avg_pool2d_nhwc(u, **ctx.attrs)


def avg_pool2d_scatter(g: Tensor, input_shape, pool, strides, pads) -> Tensor:
    """Spread ``g / count`` over each window: the input gradient of avg_pool2d."""
    return apply(AvgPool2DScatter, g, input_shape=tuple(input_shape), pool=pool,
                 strides=strides, pads=pads)
