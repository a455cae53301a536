"""Comparisons: elementwise ``==, !=, <, <=, >, >=`` as bool tensors, without a gradient.

    op              y
    equal           a == b
    not_equal       a != b
    less            a < b
    less_equal      a <= b
    greater         a > b
    greater_equal   a >= b

A bool result has no derivative: these ops are ``differentiable = False`` and
the tape records nothing for them. Both operands broadcast like NumPy, and a
Python number takes the other operand's dtype.
"""

from __future__ import annotations

from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import _pair
from minigrad.tensor import Tensor


class Equal(Op):
    name = "equal"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.equal(a, b)


def equal(a, b) -> Tensor:
    """``a == b`` as a bool tensor (no gradient)."""
    return apply(Equal, *_pair(a, b))


class NotEqual(Op):
    name = "not_equal"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.not_equal(a, b)


def not_equal(a, b) -> Tensor:
    """``a != b`` as a bool tensor (no gradient)."""
    return apply(NotEqual, *_pair(a, b))


class Less(Op):
    name = "less"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.less(a, b)


def less(a, b) -> Tensor:
    """``a < b`` as a bool tensor (no gradient)."""
    return apply(Less, *_pair(a, b))


class LessEqual(Op):
    name = "less_equal"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.less_equal(a, b)


def less_equal(a, b) -> Tensor:
    """``a <= b`` as a bool tensor (no gradient)."""
    return apply(LessEqual, *_pair(a, b))


class Greater(Op):
    name = "greater"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.greater(a, b)


def greater(a, b) -> Tensor:
    """``a > b`` as a bool tensor (no gradient)."""
    return apply(Greater, *_pair(a, b))


class GreaterEqual(Op):
    name = "greater_equal"
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.greater_equal(a, b)


def greater_equal(a, b) -> Tensor:
    """``a >= b`` as a bool tensor (no gradient)."""
    return apply(GreaterEqual, *_pair(a, b))


__all__ = [
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
]
