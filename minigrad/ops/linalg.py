"""Linear algebra.

    matmul    y = a @ b (batched over leading axes, broadcast like NumPy)
              dy/da applied to g: g @ b^T       dy/db applied to g: a^T @ g
    affine    y = x @ kernel + bias (the matmul op with a bias input; the bias
              gradient sums g over every axis but the last)

A 1-D operand is made a matrix with a reshape first (a row for ``a``, a column
for ``b``), so the op itself only sees operands of rank >= 2.

Like TensorFlow's MatMul, the op can transpose either operand's last two axes
first (``transpose_a``, ``transpose_b``): its backward then multiplies by the
transposes without recording transpose ops (a view that BLAS reads as
transposed, so no copy either). The four cases, for ``y = op_a(a) @ op_b(b)``:

    transpose_a  transpose_b   dL/da               dL/db
    no           no            g @ b^T             a^T @ g
    no           yes           g @ b               g^T @ a
    yes          no            b @ g^T             a @ g
    yes          yes           b^T @ g^T           g^T @ a^T

The engine sums the gradient of an operand that was broadcast over batch axes
back to its own shape.
"""

from __future__ import annotations

from minigrad.errors import InvalidArgumentError
from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import _pair
from minigrad.ops.reductions import sum as reduce_sum
from minigrad.ops.shape import reshape, transpose
from minigrad.tensor import Tensor, as_tensor


def matrix_transpose(t: Tensor) -> Tensor:
    """Swap the last two axes."""
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(t, axes)


class Matmul(Op):
    """``y = op_a(a) @ op_b(b)``, plus ``bias`` along the last axis when it is given.

    The bias is an optional third input so that a layer's ``x @ kernel + bias`` is
    one op that adds it into the fresh product in place (its gradient: ``g``
    summed over all axes but the last).
    """

    name = "matmul"

    @staticmethod
    def forward(ctx, a, b, bias=None, *, transpose_a=False, transpose_b=False):
        ctx.transposes = (transpose_a, transpose_b)
        y = ctx.xp.matmul(a.swapaxes(-1, -2) if transpose_a else a,
                          b.swapaxes(-1, -2) if transpose_b else b)
        if bias is not None:
            y += bias
        return y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs[:2]
        need_a, need_b = ctx.needs_input_grad[:2]
        ga = gb = None
        ta, tb = ctx.transposes
        if not ta:
            ga = _matmul(g, b, False, not tb) if need_a else None
        else:
            ga = _matmul(b, g, tb, True) if need_a else None
        if not tb:
            gb = _matmul(a, g, not ta, False) if need_b else None
        else:
            gb = _matmul(g, a, True, ta) if need_b else None
        if len(ctx.inputs) == 2:
            return ga, gb
        db = reduce_sum(g, axis=tuple(range(g.ndim - 1))) if ctx.needs_input_grad[2] else None
        return ga, gb, db


def affine(x, kernel, bias) -> Tensor:
    """``x @ kernel + bias`` as one op: a Dense layer's map.

    Args:
        x: a tensor of rank >= 2, (..., k).
        kernel: a matrix (k, n).
        bias: a vector (n,).

    Returns:
        The (..., n) result.

    Raises:
        InvalidArgumentError: for operands whose shapes do not fit together.
    """
    x, kernel = _pair(x, kernel)
    bias = as_tensor(bias, like=kernel)
    if x.ndim < 2 or kernel.ndim != 2 or x.shape[-1] != kernel.shape[0] or bias.shape != kernel.shape[1:]:
        raise InvalidArgumentError(
            f"affine needs x (..., k), kernel (k, n) and bias (n,); got shapes {x.shape}, "
            f"{kernel.shape} and {bias.shape}."
        )
    return apply(Matmul, x, kernel, bias)


def matmul(a, b) -> Tensor:
    """Matrix product ``y = a @ b`` with NumPy's rules: ``y[..., i, j] = sum_k a[..., i, k] b[..., k, j]``.

    Leading (batch) axes broadcast, so ``(B, m, k) @ (k, n)``, ``(m, k) @ (B, k, n)`` and
    ``(B, 1, m, k) @ (C, k, n)`` all work. A 1-D operand is a vector: ``a`` as a row
    (``(k,) @ (k, n) -> (n,)``), ``b`` as a column (``(m, k) @ (k,) -> (m,)``), and two
    vectors give their dot product (a 0-d tensor).

    Args:
        a: a tensor of rank >= 1.
        b: a tensor of rank >= 1.

    Returns:
        The product, of shape ``broadcast(batch_a, batch_b) + (m, n)`` (without the vector axes).

    Raises:
        InvalidArgumentError: for a 0-d operand, inner dimensions that differ, or batch axes
            that do not broadcast.
    """
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise InvalidArgumentError(
            f"matmul needs operands of rank >= 1, got shapes {a.shape} and {b.shape}; "
            "use multiply (a * b) to scale by a scalar."
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise InvalidArgumentError(
            f"matmul: shapes {a.shape} and {b.shape} do not line up: the last axis of the "
            "first operand must equal the second-to-last axis of the second "
            f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})."
        )
    if a.ndim == 1 and b.ndim == 1:  # a dot product: (1, k) @ (k, 1) -> (1, 1) -> ()
        out = matmul(reshape(a, (1, a.shape[0])), reshape(b, (b.shape[0], 1)))
        return reshape(out, ())
    if a.ndim == 1:  # a row vector: (k,) -> (1, k), then drop that axis again
        out = matmul(reshape(a, (1, a.shape[0])), b)
        return reshape(out, out.shape[:-2] + out.shape[-1:])
    if b.ndim == 1:  # a column vector: (k,) -> (k, 1)
        out = matmul(a, reshape(b, (b.shape[0], 1)))
        return reshape(out, out.shape[:-1])
    _batch_shape(a, b)
    return apply(Matmul, a, b)


def _matmul(a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool) -> Tensor:
    """The matmul op on operands whose shapes already fit (no checks: for backwards)."""
    if not (transpose_a or transpose_b):
        return apply(Matmul, a, b)
    return apply(Matmul, a, b, transpose_a=transpose_a, transpose_b=transpose_b)


def _batch_shape(a: Tensor, b: Tensor) -> None:
    """Check that the batch axes (all but the last two) broadcast against each other."""
    sa, sb = a.shape[:-2], b.shape[:-2]
    for x, y in zip(reversed(sa), reversed(sb)):
        if x != y and x != 1 and y != 1:
            raise InvalidArgumentError(
                f"matmul: the batch axes of shapes {a.shape} and {b.shape} ({sa} and {sb}) do "
                "not broadcast: each pair of batch lengths, aligned from the right, must be "
                "equal or one of them 1."
            )


__all__ = ["matmul", "matrix_transpose"]
