"""2-D convolution as three primitive ops that are each other's derivatives (as in TensorFlow).

All three work on channels-last arrays, x (N, H, W, C), kernel (kh, kw, C, O)
in the Keras layout, output y (N, Ho, Wo, O), with attributes
``strides=(sh, sw)``, ``dilations=(dh, dw)`` and explicit
``pads=((top, bottom), (left, right))`` (``minigrad.nn.conv2d`` turns
"same"/"valid" and channels-first into these):

    y[n, h, w, o] = sum_{i, j, c} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * kernel[i, j, c, o]

    op                        computes                 backward (to g = dL/d its output)
    conv2d                    y = conv(x, k)           dx = backprop_input(g, k)
                                                       dk = backprop_kernel(x, g)
    conv2d_backprop_input     dx = conv^T(g, k)        dg = conv(u, k)
                                                       dk = backprop_kernel(u, g)
    conv2d_backprop_kernel    dk = conv^T(x, g)        dx = backprop_input(g, v)
                                                       dg = conv(x, v)

(``u``, ``v``: the gradients arriving at backprop_input's and backprop_kernel's
outputs.) The convolution is bilinear, so each op's backward is made of the
other two: gradients of any order work.

Speed. The forward lays the windows out as rows (im2col: one strided copy)
and does one GEMM; it keeps that column matrix for the kernel gradient, which
is then one more GEMM. The input gradient with stride 1 is a sum of kh*kw
GEMMs over shifted row ranges of the flattened output gradient (see
``windows.correlate_flat``): no scatter. Other strides use col2im.
"""

from __future__ import annotations

from minigrad.ops.base import Op, apply
from minigrad.ops.windows import col2im, correlate_flat, crop_spatial, im2col, out_size, pad_spatial
from minigrad.tensor import Tensor


def _padded_hw(shape, pads) -> tuple:
    (top, bottom), (left, right) = pads
    return shape[1] + top + bottom, shape[2] + left + right


def _columns(xp, x, kernel_hw, strides, dilations, pads):
    """im2col of x padded by ``pads``: ((N*Ho*Wo, kh*kw*C), (Ho, Wo))."""
    xpad = pad_spatial(xp, x, pads)
    out_hw = tuple(
        out_size(p, k, s, d) for p, k, s, d in zip(xpad.shape[1:3], kernel_hw, strides, dilations)
    )
    return im2col(xp, xpad, kernel_hw, out_hw, strides, dilations), out_hw


def _input_gradient(xp, g, kernel, input_shape, strides, dilations, pads):
    """conv^T: the input gradient (N, H, W, C) of a convolution for output gradient ``g``."""
    hp, wp = _padded_hw(input_shape, pads)
    n, ho, wo, o = g.shape
    kh, kw, c, _ = kernel.shape
    if strides == (1, 1) and hp * wp <= 2 * ho * wo:
        dxpad = correlate_flat(xp, g, kernel, (hp, wp), dilations)
    else:  # strided (or mostly padding): columns of the gradient, scattered back
        cols = xp.matmul(g.reshape(-1, o), kernel.reshape(-1, o).T)
        cols = cols.reshape(n, ho, wo, kh, kw, c)
        dxpad = col2im(xp, cols, (n, hp, wp, c), strides, dilations)
    return crop_spatial(dxpad, pads, input_shape)


def _kernel_gradient(xp, cols, g, kernel_shape):
    """conv^T in the kernel: ``cols^T @ g`` reshaped to (kh, kw, C, O)."""
    o = g.shape[-1]
    # (O, rows) @ (rows, K) runs faster in BLAS than (K, rows) @ (rows, O); transpose the small result
    return xp.ascontiguousarray(xp.matmul(g.reshape(-1, o).T, cols).T).reshape(kernel_shape)


class Conv2D(Op):
    name = "conv2d"

    @staticmethod
    def forward(ctx, x, kernel, strides, dilations, pads):
        kh, kw, c, o = kernel.shape
        cols, (ho, wo) = _columns(ctx.xp, x, (kh, kw), strides, dilations, pads)
        ctx.cols = cols  # kept for the kernel gradient (freed with the tape's record)
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        y = ctx.xp.matmul(cols, kernel.reshape(kh * kw * c, o))
        return y.reshape(x.shape[0], ho, wo, o)

    @staticmethod
    def backward(ctx, g):
        x, kernel = ctx.inputs
        need_x, need_k = ctx.needs_input_grad
        dx = conv2d_backprop_input(g, kernel, x.shape, **ctx.attrs) if need_x else None
        dk = conv2d_backprop_kernel(x, g, kernel.shape, cols=ctx.cols, **ctx.attrs) if need_k else None
        return dx, dk


class Conv2DBackpropInput(Op):
    name = "conv2d_backprop_input"

    @staticmethod
    def forward(ctx, g, kernel, input_shape, strides, dilations, pads):
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        return _input_gradient(ctx.xp, g, kernel, input_shape, strides, dilations, pads)

    @staticmethod
    def backward(ctx, u):
        g, kernel = ctx.inputs
        need_g, need_k = ctx.needs_input_grad
        dg = conv2d_nhwc(u, kernel, **ctx.attrs) if need_g else None
        dk = conv2d_backprop_kernel(u, g, kernel.shape, **ctx.attrs) if need_k else None
        return dg, dk


class Conv2DBackpropKernel(Op):
    name = "conv2d_backprop_kernel"

    @staticmethod
    def forward(ctx, x, g, kernel_shape, strides, dilations, pads, cols=None):
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        if cols is None:
            cols, _ = _columns(ctx.xp, x, kernel_shape[:2], strides, dilations, pads)
        return _kernel_gradient(ctx.xp, cols, g, kernel_shape)

    @staticmethod
    def backward(ctx, v):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        dx = conv2d_backprop_input(g, v, x.shape, **ctx.attrs) if need_x else None
        dg = conv2d_nhwc(x, v, **ctx.attrs) if need_g else None
        return dx, dg


def conv2d_nhwc(x: Tensor, kernel: Tensor, strides, dilations, pads) -> Tensor:
    """The conv2d op on checked channels-last arguments (see ``minigrad.nn.conv2d``)."""
    return apply(Conv2D, x, kernel, strides=strides, dilations=dilations, pads=pads)


def conv2d_backprop_input(g: Tensor, kernel: Tensor, input_shape, strides, dilations, pads) -> Tensor:
    """The input gradient of conv2d for output gradient ``g`` (shape ``input_shape``)."""
    return apply(Conv2DBackpropInput, g, kernel, input_shape=tuple(input_shape),
                 strides=strides, dilations=dilations, pads=pads)


def conv2d_backprop_kernel(x: Tensor, g: Tensor, kernel_shape, strides, dilations, pads,
                           cols=None) -> Tensor:
    """The kernel gradient of conv2d at input ``x`` for output gradient ``g``.

    ``cols``, when given, is the forward's im2col of ``x`` (saves recomputing it).
    """
    return apply(Conv2DBackpropKernel, x, g, kernel_shape=tuple(kernel_shape),
                 strides=strides, dilations=dilations, pads=pads, cols=cols)
