"""Convolution on raw arrays: im2col + one GEMM, its input and kernel gradients, the bias add.

The arrays are channels-last, x (N, H, W, C), kernel (kh, kw, C, O), output
(N, Ho, Wo, O); ``strides``, ``dilations`` and ``pads = ((top, bottom), (left,
right))`` as in ``minigrad/ops/conv.py``, whose table states what each computes.
The window geometry is in ``windows``.
"""

from __future__ import annotations

from minigrad.kernels import CPU_MODULE
from minigrad.kernels.windows import (
    col2im,
    conv_transpose,
    crop_spatial,
    im2col,
    out_size,
    pad_spatial,
    transpose_cost,
)


def _padded_hw(shape, pads) -> tuple:
    (top, bottom), (left, right) = pads
    return shape[1] + top + bottom, shape[2] + left + right


def columns(xp, x, kernel_hw, strides, dilations, pads):
    """im2col of x padded by ``pads``: ((N*Ho*Wo, kh*kw*C), (Ho, Wo))."""
    xpad = pad_spatial(xp, x, pads)
    out_hw = tuple(
        out_size(p, k, s, d) for p, k, s, d in zip(xpad.shape[1:3], kernel_hw, strides, dilations)
    )
    return im2col(xp, xpad, kernel_hw, out_hw, strides, dilations), out_hw


def input_gradient(xp, g, kernel, input_shape, strides, dilations, pads):
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


def kernel_gradient_from_columns(xp, cols, g, kernel_shape):
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


def add_bias(xp, y, bias):
    """``y += bias`` in place, for a fresh (rows, O) output ``y`` and a (O,) ``bias``.

    NumPy adds a short row broadcast down many rows with one slow inner loop per
    row. Viewing ``y`` as rows of ``k*O`` elements (``k`` a power of two dividing
    the row count, up to about 8192 elements) against the bias tiled ``k`` times
    runs its SIMD loop over long rows instead: the same sums, 2-3x faster.
    """
    rows, o = y.shape
    k = 1
    while k * 2 * o <= WIDE_ROW and rows % (k * 2) == 0:
        k *= 2
    if xp is not CPU_MODULE or k < 8:
        y += bias
    else:
        wide = y.reshape(rows // k, k * o)
        wide += xp.tile(bias, k)


WIDE_ROW = 8192  # elements per row for add_bias



def forward(xp, x, kernel, bias, strides, dilations, pads):
    """``conv(x, kernel) [+ bias]`` as (y (N, Ho, Wo, O), the column matrix of x).

    The column matrix is returned so the kernel gradient can reuse it (one GEMM).
    """
    kh, kw, c, o = kernel.shape
    cols, (ho, wo) = columns(xp, x, (kh, kw), strides, dilations, pads)
    y = xp.matmul(cols, kernel.reshape(kh * kw * c, o))
    if bias is not None:
        add_bias(xp, y, bias)
    return y.reshape(x.shape[0], ho, wo, o), cols


def kernel_gradient(xp, x, g, kernel_shape, strides, dilations, pads, cols=None):
    """The kernel gradient at input ``x``; ``cols``, when given, is ``x``'s column matrix."""
    if cols is None:
        cols, _ = columns(xp, x, kernel_shape[:2], strides, dilations, pads)
    return kernel_gradient_from_columns(xp, cols, g, kernel_shape)
