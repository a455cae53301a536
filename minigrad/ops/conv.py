"""2-D convolution as three primitive ops that are each other's derivatives (as in TensorFlow).

All three work on channels-last arrays, x (N, H, W, C), kernel (kh, kw, C, O)
in the Keras layout, output y (N, Ho, Wo, O), with attributes
``strides=(sh, sw)``, ``dilations=(dh, dw)`` and explicit
``pads=((top, bottom), (left, right))`` (``minigrad.nn.conv2d`` turns
"same"/"valid" and channels-first into these):

    y[n, h, w, o] = sum_{i, j, c} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * kernel[i, j, c, o]

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

Speed. The forward lays the windows out as rows (im2col: one strided copy;
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

from minigrad.ops.base import CPU_MODULE, Op, apply
from minigrad.ops.reductions import sum as reduce_sum
from minigrad.ops.windows import (
    col2im,
    conv_transpose,
    crop_spatial,
    im2col,
    out_size,
    pad_spatial,
    transpose_cost,
)
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
    if transpose_cost((kh, kw), strides, dilations, (hp, wp), (ho, wo)) <= 2:
        return conv_transpose(xp, g, kernel, input_shape, pads, strides, dilations)
    # mostly padding: columns of the gradient, scattered back
    cols = xp.matmul(g.reshape(-1, o), kernel.reshape(-1, o).T)
    cols = cols.reshape(n, ho, wo, kh, kw, c)
    dxpad = col2im(xp, cols, (n, hp, wp, c), strides, dilations)
    return crop_spatial(dxpad, pads, input_shape)


def _kernel_gradient(xp, cols, g, kernel_shape):
    """conv^T in the kernel: ``cols^T @ g`` reshaped to (kh, kw, C, O).

    BLAS runs this long-inner-dimension product fastest with the column matrix
    in its stored orientation: for a row-major ``cols`` (many channels) as
    ``(g^T @ cols)^T``, for a column-major one (few channels, see ``im2col``)
    as ``cols^T @ g``; only the small (K, O) result is transposed.
    """
    o = g.shape[-1]
    g2 = g.reshape(-1, o)
    if cols.flags.f_contiguous and not cols.flags.c_contiguous:
        return xp.matmul(cols.T, g2).reshape(kernel_shape)
    return xp.ascontiguousarray(xp.matmul(g2.T, cols).T).reshape(kernel_shape)


def _add_bias(xp, y, bias):
    """``y += bias`` in place, for a fresh (rows, O) output ``y`` and a (O,) ``bias``.

    NumPy adds a short row broadcast down many rows with one slow inner loop per
    row. Viewing ``y`` as rows of ``k*O`` elements (``k`` a power of two dividing
    the row count, up to about 8192 elements) against the bias tiled ``k`` times
    runs its SIMD loop over long rows instead: the same sums, 2-3x faster.
    """
    rows, o = y.shape
    k = 1
    while k * 2 * o <= _WIDE_ROW and rows % (k * 2) == 0:
        k *= 2
    if xp is not CPU_MODULE or k < 8:
        y += bias
    else:
        wide = y.reshape(rows // k, k * o)
        wide += xp.tile(bias, k)


_WIDE_ROW = 8192  # elements per row for _add_bias


class Conv2D(Op):
    """``y = conv(x, kernel)``, plus ``bias`` (O,) on every pixel when it is given.

    The bias is a third input so that a layer's ``conv + bias`` is one op that adds
    the bias into the fresh GEMM output in place: no second full-size array.
    """

    name = "conv2d"

    @staticmethod
    def forward(ctx, x, kernel, bias=None, *, strides, dilations, pads):
        kh, kw, c, o = kernel.shape
        cols, (ho, wo) = _columns(ctx.xp, x, (kh, kw), strides, dilations, pads)
        ctx.cols = cols  # kept for the kernel gradient (freed with the tape's record)
        ctx.attrs = dict(strides=strides, dilations=dilations, pads=pads)
        y = ctx.xp.matmul(cols, kernel.reshape(kh * kw * c, o))
        if bias is not None:
            _add_bias(ctx.xp, y, bias)
        return y.reshape(x.shape[0], ho, wo, o)

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


def conv2d_nhwc(x: Tensor, kernel: Tensor, strides, dilations, pads, bias: Tensor | None = None) -> Tensor:
    """The conv2d op on checked channels-last arguments (see ``minigrad.nn.conv2d``).

    ``bias``, when given, is a (O,) tensor of the kernel's dtype added to every output pixel
    (inside the op: see ``Conv2D``).
    """
    if bias is None:
        return apply(Conv2D, x, kernel, strides=strides, dilations=dilations, pads=pads)
    return apply(Conv2D, x, kernel, bias, strides=strides, dilations=dilations, pads=pads)


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
