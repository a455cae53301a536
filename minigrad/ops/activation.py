"""Activation functions applied elementwise: the derivative table.

Each op lists its forward (on raw arrays) and its backward (in minigrad ops,
so it is differentiable again); ``y`` is the output. tanh, sigmoid and relu
run their backward as one op each (``tanh_grad``, ``sigmoid_grad``,
``relu_grad``, with backwards of their own) instead of two or three, because
these activations sit in every network and both the tape's cost and the
memory traffic are per op. softmax and its kin are in ``softmax_family.py``.

    op            y                     dy/dx
    tanh          tanh x                1 - y ** 2          (one op: tanh_grad)
    sigmoid       1 / (1 + e ** -x)     y (1 - y)           (one op: sigmoid_grad)
    relu          max(x, 0)             [x > 0]             (one op: relu_grad)
    leaky_relu    x or alpha x          [x > 0] + alpha [x <= 0]
    softplus      ln(1 + e ** x)        sigmoid(x)
    erf           2/sqrt(pi) int_0^x e ** -t**2 dt      2/sqrt(pi) e ** -x**2

    op            inputs      y                      its backward (to gg)
    tanh_grad     y, g        g (1 - y ** 2)         y: -2 gg g y,    g: tanh_grad(y, gg)
    sigmoid_grad  y, g        g y (1 - y)            y: gg g (1 - 2y), g: sigmoid_grad(y, gg)
    relu_grad     x, g        g [x > 0]              x: 0,            g: relu_grad(x, gg)
"""

from __future__ import annotations

from minigrad.errors import ArgumentTypeError
from minigrad.kernels import activations as kernels
from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import _const, exp, square, zeros_like
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_float


class Tanh(Op):
    name = "tanh"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.tanh(x)

    @staticmethod
    def backward(ctx, g):
        return apply(TanhGrad, ctx.output, g)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return apply(Tanh, as_tensor(x))


class TanhGrad(Op):
    """tanh's backward as one op: ``g * (1 - y**2)`` from ``y = tanh(x)`` (fewer dispatches)."""

    name = "tanh_grad"

    @staticmethod
    def forward(ctx, y, g):
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.inputs
        return gg * g * -2.0 * y, apply(TanhGrad, y, gg)


class Sigmoid(Op):
    name = "sigmoid"

    @staticmethod
    def forward(ctx, x):
        return kernels.sigmoid(ctx.xp, x)

    @staticmethod
    def backward(ctx, g):
        return apply(SigmoidGrad, ctx.output, g)


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``, computed without overflow."""
    return apply(Sigmoid, as_tensor(x))


class SigmoidGrad(Op):
    """sigmoid's backward as one op: ``g * y * (1 - y)`` from ``y = sigmoid(x)``."""

    name = "sigmoid_grad"

    @staticmethod
    def forward(ctx, y, g):
        return g * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.inputs
        return gg * g * (1.0 - 2.0 * y), apply(SigmoidGrad, y, gg)


class Relu(Op):
    name = "relu"

    @staticmethod
    def forward(ctx, x):
        return kernels.relu(ctx.xp, x)

    @staticmethod
    def backward(ctx, g):
        return apply(ReluGrad, ctx.inputs[0], g)


def relu(x) -> Tensor:
    """``max(x, 0)``; its gradient at 0 is 0."""
    return apply(Relu, as_tensor(x))


class ReluGrad(Op):
    """relu's backward as one op: ``g * [x > 0]`` from relu's input ``x``.

    One op and one new array instead of a mask, its float copy and a product:
    relu sits after every hidden layer, on the largest tensors of a network.
    The mask is piecewise constant, so ``x`` gets a zero gradient (the
    derivative almost everywhere) and ``g`` gets ``relu_grad(x, gg)``.
    """

    name = "relu_grad"

    @staticmethod
    def forward(ctx, x, g):
        return kernels.relu_grad(ctx.xp, x, g)

    @staticmethod
    def backward(ctx, gg):
        x = ctx.inputs[0]
        need_x, need_g = ctx.needs_input_grad
        return (zeros_like(x) if need_x else None), (apply(ReluGrad, x, gg) if need_g else None)


class LeakyRelu(Op):
    name = "leaky_relu"

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        return ctx.xp.where(x > 0, x, x * x.dtype.type(alpha))

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        slope = ctx.xp.where(x._data > 0, 1.0, ctx.alpha).astype(g.dtype)
        return g * _const(slope)


def leaky_relu(x, alpha: float = 0.2) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * x`` (Keras's default alpha is 0.2)."""
    alpha = check_float("alpha", alpha, where="leaky_relu")
    return apply(LeakyRelu, as_tensor(x), alpha=alpha)


class Softplus(Op):
    name = "softplus"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.logaddexp(x.dtype.type(0), x)

    @staticmethod
    def backward(ctx, g):
        return g * sigmoid(ctx.inputs[0])


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``, computed without overflow."""
    return apply(Softplus, as_tensor(x))


class Erf(Op):
    name = "erf"

    @staticmethod
    def forward(ctx, x):
        return kernels.erf(ctx.xp, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (kernels.TWO_OVER_SQRT_PI * exp(-square(x)))


def erf(x) -> Tensor:
    """The error function ``erf x = 2/sqrt(pi) int_0^x e ** -t**2 dt`` of a floating tensor.

    Computed in float64 (series and continued fraction, see ``minigrad.kernels.activations.erf``)
    and returned in ``x``'s dtype; its gradient ``2/sqrt(pi) e ** -x**2`` is written in ops, so it can be
    differentiated again.

    Raises:
        ArgumentTypeError: for a tensor that is not floating point.
    """
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise ArgumentTypeError(
            f"erf needs a floating-point tensor, got {x.dtype}: cast it first, "
            "e.g. x.astype('float32')."
        )
    return apply(Erf, x)


__all__ = [
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "softplus",
    "erf",
]
