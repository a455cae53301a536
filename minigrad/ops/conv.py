"""2-D convolution as three primitive ops that are each other's derivatives (as in TensorFlow).

All three work on channels-last arrays, x (N, H, W, C), kernel (kh, kw, C, O)
in the Keras layout, output y (N, Ho, Wo, O), with attributes
``strides=(sh, sw)``, ``dilations=(dh, dw)`` and explicit
``pads=((top, bottom), (left, right))`` (``minigrad.nn.conv2d`` turns
"same"/"valid" and channels-first into these). ``xpad`` is x with ``pads``
rows and columns of zeros added; ``g`` is dL/dy. In closed form:

    y[n, h, w, o]  = b[o] + sum_{i, j, c} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * kernel[i, j, c, o]
    dkernel[i, j, c, o] = sum_{n, h, w} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * g[n, h, w, o]
    dxpad[n, p, q, c]   = sum over (h, i) with h*sh + i*dh = p, (w, j) with w*sw + j*dw = q,
                          and o of g[n, h, w, o] * kernel[i, j, c, o]   (dx: dxpad without pads)
    db[o]               = sum_{n, h, w} g[n, h, w, o]

    op                        computes                 backward (to g = dL/d its output)
    conv2d                    y = conv(x, k) [+ b]     dx = backprop_input(g, k)
                                                       dk = backprop_kernel(x, g)
                                                       db = sum of g over (N, Ho, Wo)
    conv2d_backprop_input     dx = conv^T(g, k)        dg = conv(u, k)
                                                       dk = backprop_kernel(u, g)
    conv2d_backprop_kernel    dk = conv^T(x, g)        dx = backprop_input(g, v)
                                                       dg = conv(x, v)

(``u``, ``v``: the gradients arriving at backprop_input's and backprop_kernel's
outputs.) The convolution is bilinear, so each op's backward is made of the
other two: gradients of any order work.

Speed (the array code is in ``minigrad/kernels/conv.py`` and ``windows.py``).
The forward lays the windows out as rows (im2col: one strided copy;
for images with few channels, one whole-image copy per tap into a transposed
matrix) and does one GEMM, adding the bias into its output in place; it keeps
that column matrix for the kernel gradient, which is then one more GEMM. The
input gradient is a sum of kh*kw GEMMs over shifted row ranges of the
flattened output gradient (``windows.correlate_flat``): with stride 1 on the
padded image, with larger strides once per sub-pixel phase (the padded pixels
``p = a (mod s)`` only ever receive the taps ``i*d = a (mod s)``; see
``windows.phases``), so no column matrix and no scatter. Only when that grid
is mostly padding (a kernel much larger than its input) does it fall back to
the column matrix and its scatter-add, ``col2im``.
"""

from __future__ import annotations

from minigrad.kernels import conv as kernels
from minigrad.ops.base import Op, apply
from minigrad.ops.reductions import sum as reduce_sum
from minigrad.tensor import Tensor


class Conv2D(Op):
    """``y = conv(x, kernel)``, plus ``bias`` (O,) on every pixel when it is given.

    The bias is a third input so that a layer's ``conv + bias`` is one op that adds
    the bias into the fresh GEMM output in place: no second full-size array.
    """

    name = "conv2d"

    @staticmethod
    def forward(ctx, x, kernel, bias=None, *, strides, dilations, pads):
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        # the column matrix is kept for the kernel gradient (freed with the tape's record)
        y, ctx.cols = kernels.forward(ctx.xp, x, kernel, bias, strides, dilations, pads)
        return y

    @staticmethod
    def backward(ctx, g):
        x, kernel = ctx.inputs[:2]
        need_x, need_k = ctx.needs_input_grad[:2]
        dx = conv2d_backprop_input(g, kernel, x.shape, **ctx.attrs) if need_x else None
        dk = conv2d_backprop_kernel(x, g, kernel.shape, cols=ctx.cols, **ctx.attrs) if need_k else None
        if len(ctx.inputs) == 2:
            return dx, dk
        db = reduce_sum(g, axis=(0, 1, 2)) if ctx.needs_input_grad[2] else None
        return dx, dk, db


def conv2d_nhwc(x: Tensor, kernel: Tensor, strides, dilations, pads, bias: Tensor | None = None) -> Tensor:
    """The conv2d op on checked channels-last arguments (see ``minigrad.nn.conv2d``).

    ``bias``, when given, is a (O,) tensor of the kernel's dtype added to every output pixel
    (inside the op: see ``Conv2D``).
    """
    if bias is None:
        return apply(Conv2D, x, kernel, strides=strides, dilations=dilations, pads=pads)
    return apply(Conv2D, x, kernel, bias, strides=strides, dilations=dilations, pads=pads)


class Conv2DBackpropInput(Op):
    name = "conv2d_backprop_input"

    @staticmethod
    def forward(ctx, g, kernel, input_shape, strides, dilations, pads):
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        return kernels.input_gradient(ctx.xp, g, kernel, input_shape, strides, dilations, pads)

    @staticmethod
    def backward(ctx, u):
        g, kernel = ctx.inputs
        need_g, need_k = ctx.needs_input_grad
        dg = conv2d_nhwc(u, kernel, **ctx.attrs) if need_g else None
        dk = conv2d_backprop_kernel(u, g, kernel.shape, **ctx.attrs) if need_k else None
        return dg, dk


def conv2d_backprop_input(g: Tensor, kernel: Tensor, input_shape, strides, dilations, pads) -> Tensor:
    """The input gradient of conv2d for output gradient ``g`` (shape ``input_shape``)."""
    return apply(Conv2DBackpropInput, g, kernel, input_shape=tuple(input_shape),
                 strides=strides, dilations=dilations, pads=pads)


class Conv2DBackpropKernel(Op):
    name = "conv2d_backprop_kernel"

    @staticmethod
    def forward(ctx, x, g, kernel_shape, strides, dilations, pads, cols=None):
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        return kernels.kernel_gradient(ctx.xp, x, g, kernel_shape, strides, dilations, pads, cols)

    @staticmethod
    def backward(ctx, v):
        x, g = ctx.inputs
        need_x, need_g = ctx.needs_input_grad
        dx = conv2d_backprop_input(g, v, x.shape, **ctx.attrs) if need_x else None
        dg = conv2d_nhwc(x, v, **ctx.attrs) if need_g else None
        return dx, dg


def conv2d_backprop_kernel(x: Tensor, g: Tensor, kernel_shape, strides, dilations, pads,
                           cols=None) -> Tensor:
    """The kernel gradient of conv2d at input ``x`` for output gradient ``g``.

    ``cols``, when given, is the forward's im2col of ``x`` (saves recomputing it).
    """
    return apply(Conv2DBackpropKernel, x, g, kernel_shape=tuple(kernel_shape),
                 strides=strides, dilations=dilations, pads=pads, cols=cols)
