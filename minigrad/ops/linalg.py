"""Linear algebra.

    matmul    y = a @ b (batched over leading axes, broadcast like NumPy)
              dy/da applied to g: g @ b^T       dy/db applied to g: a^T @ g

The engine sums the gradient of an operand that was broadcast over batch axes
back to its own shape.
"""

from __future__ import annotations

from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import _pair
from minigrad.ops.shape import reshape, transpose
from minigrad.tensor import Tensor


def matrix_transpose(t: Tensor) -> Tensor:
    """Swap the last two axes."""
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(t, axes)


class Matmul(Op):
    name = "matmul"

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = matmul(g, matrix_transpose(b)) if need_a else None
        gb = matmul(matrix_transpose(a), g) if need_b else None
        return ga, gb


def matmul(a, b) -> Tensor:
    """Matrix product ``a @ b`` with NumPy's rules (batched; a 1-D operand is a vector).

    Raises:
        ValueError: for a 0-d operand or inner dimensions that differ.
    """
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs operands of rank >= 1; use multiply for scalars.")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not line up: the last axis of the "
            "first operand must equal the second-to-last axis of the second."
        )
    if a.ndim == 1:  # a row vector: (k,) -> (1, k), then drop that axis again
        out = matmul(reshape(a, (1, a.shape[0])), b)
        return reshape(out, out.shape[:-2] + out.shape[-1:])
    if b.ndim == 1:  # a column vector: (k,) -> (k, 1)
        out = matmul(a, reshape(b, (b.shape[0], 1)))
        return reshape(out, out.shape[:-1])
    return apply(Matmul, a, b)


__all__ = ["matmul", "matrix_transpose"]
