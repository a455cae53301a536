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
window loop. The array code is in ``minigrad/kernels/pool.py``.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.kernels import pool as kernels
from minigrad.ops.base import Op, apply
from minigrad.tensor import Tensor


# -- max pooling -------------------------------------------------------------------------
class MaxPool2D(Op):
    name = "max_pool2d"

    @staticmethod
    def forward(ctx, x, pool, strides, pads):
        ctx.attrs = dict(pool=pool, strides=strides, pads=pads)
        return kernels.max_pool(ctx.xp, x, pool, strides, pads)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        if getattr(ctx, "argmax", None) is None:  # found once, on the first backward
            ctx.argmax = kernels.window_argmax(ctx.xp, x._data, ctx.output._data, **ctx.attrs)
        return max_pool2d_scatter(g, ctx.argmax, x.shape, **ctx.attrs)


def max_pool2d_nhwc(x: Tensor, pool, strides, pads) -> Tensor:
    """The max_pool2d op on checked channels-last arguments (see ``minigrad.nn.max_pool2d``)."""
    return apply(MaxPool2D, x, pool=pool, strides=strides, pads=pads)


class MaxPool2DScatter(Op):
    name = "max_pool2d_scatter"

    @staticmethod
    def forward(ctx, g, argmax, input_shape, pool, strides, pads):
        ctx.attrs = dict(argmax=argmax, pool=pool, strides=strides, pads=pads)
        return kernels.max_pool_scatter(ctx.xp, g, argmax, input_shape, pool, strides, pads)

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
        ctx.attrs = dict(argmax=argmax, pool=pool, strides=strides, pads=pads)
        return kernels.max_pool_gather(ctx.xp, z, argmax, pool, strides, pads)

    @staticmethod
    def backward(ctx, u):
        return max_pool2d_scatter(u, input_shape=ctx.inputs[0].shape, **ctx.attrs)


def max_pool2d_gather(z: Tensor, argmax, pool, strides, pads) -> Tensor:
    """Read ``z`` at each window's argmax (the transpose of max_pool2d_scatter).

    ``argmax`` is moved to ``z``'s device if it is not there.
    """
    return apply(MaxPool2DGather, z, argmax=backend.to_device(argmax, z.device),
                 pool=pool, strides=strides, pads=pads)


# -- average pooling ---------------------------------------------------------------------
class AvgPool2D(Op):
    name = "avg_pool2d"

    @staticmethod
    def forward(ctx, x, pool, strides, pads):
        ctx.attrs = dict(pool=pool, strides=strides, pads=pads)
        return kernels.avg_pool(ctx.xp, x, pool, strides, pads)

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
        ctx.attrs = dict(pool=pool, strides=strides, pads=pads)
        return kernels.avg_pool_scatter(ctx.xp, g, input_shape, pool, strides, pads)

    @staticmethod
    def backward(ctx, u):
        return avg_pool2d_nhwc(u, **ctx.attrs)


def avg_pool2d_scatter(g: Tensor, input_shape, pool, strides, pads) -> Tensor:
    """Spread ``g / count`` over each window: the input gradient of avg_pool2d."""
    return apply(AvgPool2DScatter, g, input_shape=tuple(input_shape), pool=pool,
                 strides=strides, pads=pads)
