"""Elementwise arithmetic and math: the derivative table.

Each op lists its forward (on raw arrays, ``xp`` is numpy or cupy) and its
backward (in minigrad ops, so it is differentiable again). Inputs are read in
backward as ``a, b = ctx.inputs`` and the output as ``y = ctx.output``.
Binary ops broadcast like NumPy; the engine sums each gradient back to its
input's shape, so backwards here are written for equal shapes. Activations
(tanh, sigmoid, relu, ...) are in ``activation.py``, comparisons in
``comparison.py``.

    op            y                     dy/da                    dy/db
    add           a + b                 1                        1
    subtract      a - b                 1                        -1
    multiply      a * b                 b                        a
    divide        a / b                 1 / b                    -y / b
    power         a ** b                b * a ** (b - 1)         y * log(a)
    maximum       max(a, b)             [a >= b]                 [a < b]
    minimum       min(a, b)             [a <= b]                 [a > b]
    negative      -x                    -1
    exp           e ** x                y
    log           ln x                  1 / x
    sqrt          x ** 0.5              0.5 / y
    rsqrt         x ** -0.5             -0.5 * y ** 3
    square        x ** 2                2 x
    abs           |x|                   sign(x)
    clip          min(max(x, lo), hi)   [lo <= x <= hi]
    where         c ? a : b             [c] for a, [not c] for b
    cast          x as dtype            1 (cast back to x's dtype)
    to_device     x on a device         1 (moved back to x's device)
    stop_gradient x                     none
    sign          -1, 0 or 1            none
    full_like     value in x's shape    none  (also zeros_like, ones_like)
"""

from __future__ import annotations

import numbers

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.ops.base import Op, apply
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_broadcastable


def _const(array) -> Tensor:
    """A Tensor around an array computed in backward that needs no gradient (a mask)."""
    return Tensor._wrap(array)


def _mask(array, dtype) -> Tensor:
    """A 0/1 float mask of ``dtype``: a constant for the tape."""
    return Tensor._wrap(array.astype(dtype))


def _pair(a, b):
    """Make both operands Tensors; a Python number takes the other's dtype."""
    if not isinstance(a, Tensor):
        a = as_tensor(a, like=b if isinstance(b, Tensor) else None)
    if not isinstance(b, Tensor):
        b = as_tensor(b, like=a)
    return a, b


# -- binary ops ------------------------------------------------------------------------
class Add(Op):
    name = "add"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


def add(a, b) -> Tensor:
    """``a + b``, broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Add, a, b)


class Subtract(Op):
    name = "subtract"

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


def subtract(a, b) -> Tensor:
    """``a - b``, broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Subtract, a, b)


class Multiply(Op):
    name = "multiply"

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


def multiply(a, b) -> Tensor:
    """``a * b``, broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Multiply, a, b)


class Divide(Op):
    name = "divide"

    @staticmethod
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        _, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = g / b if need_a else None
        gb = -g * ctx.output / b if need_b else None
        return ga, gb


def divide(a, b) -> Tensor:
    """``a / b`` (true division), broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Divide, a, b)


class Power(Op):
    name = "power"

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a**b
        except ValueError as exc:  # not a broadcast error: ``apply`` explains those
            if "negative integer powers" not in str(exc):
                raise
            raise InvalidArgumentError(
                f"power: {exc} (an integer to a negative power is a fraction, which an integer "
                "tensor cannot hold). Cast the base to float first, e.g. x.astype('float32') ** -1."
            ) from exc

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = None
        if need_a:
            # b * a ** (b - 1) is 0 * inf where a == b == 0: exponent 1 there (gradient 0).
            # Only there: elsewhere the exponent stays b - 1, so d/db of this gradient is
            # a ** (b - 1) (1 + b ln a), which is 1 / a at b == 0
            xp = ctx.xp
            zero_base_and_power = xp.logical_and(xp.equal(b._data, 0), xp.equal(a._data, 0))
            exponent = where(_const(zero_base_and_power), 1.0, b - 1.0)
            ga = g * b * a**exponent
        gb = None
        if need_b:
            # d(a**b)/db = a**b * ln(a), taken as 0 where a <= 0 (ln undefined)
            positive = ctx.xp.greater(a._data, 0)
            safe_a = where(_const(positive), a, 1)
            gb = where(_const(positive), g * ctx.output * log(safe_a), 0)
        return ga, gb


def power(a, b) -> Tensor:
    """``a ** b``; the gradient for ``b`` is taken as 0 where ``a <= 0``."""
    a, b = _pair(a, b)
    return apply(Power, a, b)


class Maximum(Op):
    name = "maximum"

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        first = ctx.xp.greater_equal(a._data, b._data)  # ties go to the first input
        return where(_const(first), g, 0), where(_const(first), 0, g)


def maximum(a, b) -> Tensor:
    """Elementwise maximum; at ties the gradient goes to ``a``."""
    a, b = _pair(a, b)
    return apply(Maximum, a, b)


class Minimum(Op):
    name = "minimum"

    @staticmethod
    def forward(ctx, a, b):
        return ctx.xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        first = ctx.xp.less_equal(a._data, b._data)
        return where(_const(first), g, 0), where(_const(first), 0, g)


def minimum(a, b) -> Tensor:
    """Elementwise minimum; at ties the gradient goes to ``a``."""
    a, b = _pair(a, b)
    return apply(Minimum, a, b)


# -- unary ops -------------------------------------------------------------------------
class Negative(Op):
    name = "negative"

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


def negative(x) -> Tensor:
    """``-x``."""
    return apply(Negative, as_tensor(x))


class Exp(Op):
    name = "exp"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.output


def exp(x) -> Tensor:
    """``e ** x``."""
    return apply(Exp, as_tensor(x))


class Log(Op):
    name = "log"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.inputs[0]


def log(x) -> Tensor:
    """Natural logarithm."""
    return apply(Log, as_tensor(x))


class Sqrt(Op):
    name = "sqrt"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0.5 / ctx.output


def sqrt(x) -> Tensor:
    """``x ** 0.5``."""
    return apply(Sqrt, as_tensor(x))


class Rsqrt(Op):
    name = "rsqrt"

    @staticmethod
    def forward(ctx, x):
        return 1 / ctx.xp.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return g * -0.5 * y * y * y


def rsqrt(x) -> Tensor:
    """``1 / sqrt(x)``."""
    return apply(Rsqrt, as_tensor(x))


class Square(Op):
    name = "square"

    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        return g * 2.0 * ctx.inputs[0]


def square(x) -> Tensor:
    """``x * x``."""
    return apply(Square, as_tensor(x))


class Abs(Op):
    name = "abs"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * _const(ctx.xp.sign(x._data))


def abs(x) -> Tensor:  # noqa: A001  (NumPy's name)
    """``|x|``; its gradient at 0 is 0."""
    return apply(Abs, as_tensor(x))


class Clip(Op):
    name = "clip"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        return ctx.xp.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xp, x = ctx.xp, ctx.inputs[0]._data
        inside = xp.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= x >= ctx.lo
        if ctx.hi is not None:
            inside &= x <= ctx.hi
        return g * _mask(inside, g.dtype)


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002  (NumPy's names)
    """Limit values to ``[min, max]`` (either may be None); gradient 1 inside, 0 outside.

    Args:
        x: a tensor.
        min, max: the bounds: numbers, or arrays/Tensors that broadcast against ``x``.

    Raises:
        InvalidArgumentError: when both bounds are None, for a NaN bound, for number
            bounds with ``min > max`` (NumPy and PyTorch would return ``max`` everywhere),
            or bounds that do not broadcast against ``x``.
        ArgumentTypeError: for a bound that is not a number or an array of numbers.
    """
    if min is None and max is None:
        raise InvalidArgumentError(
            "clip: `min` and `max` are both None: pass at least one of min and max, e.g. clip(x, 0.0, 1.0)."
        )
    x = as_tensor(x)
    if (min is None or type(min) in _NUMBERS) and (max is None or type(max) in _NUMBERS):
        lo, hi = min, max  # the usual case, checked cheaply: NaN is the one number != itself
        if min != min or max != max:
            _clip_bound("min" if min != min else "max", min if min != min else max, x)
        bounds_cross = lo is not None and hi is not None and lo > hi
    else:
        lo, hi = _clip_bound("min", min, x), _clip_bound("max", max, x)
        bounds_cross = lo is not None and hi is not None and bool((lo > hi).any())
    if bounds_cross:
        raise InvalidArgumentError(
            f"clip: `min` ({min!r:.40}) is greater than `max` ({max!r:.40}), so no value fits: "
            "pass min <= max (swap them?)."
        )
    return apply(Clip, x, lo=lo, hi=hi)


_NUMBERS = (int, float)


def _clip_bound(name: str, bound, x: Tensor):
    """A bound of ``clip`` as an array on ``x``'s device (None stays None), checked."""
    if bound is None:
        return None
    if isinstance(bound, Tensor):
        arr = bound._data
        backend.check_same_device(f"clip (x and `{name}`)", (x._data, arr))
    else:
        try:
            arr = backend.as_array(bound, device=x.device)
        except (TypeError, ValueError) as exc:
            raise ArgumentTypeError(
                f"clip: `{name}` must be a number or an array of numbers, got {bound!r:.40} of "
                f"type {type(bound).__name__}. Pass e.g. clip(x, 0.0, 1.0)."
            ) from exc
    if arr.dtype.kind == "b":
        raise ArgumentTypeError(f"clip: `{name}` must be a number, got a bool: pass e.g. {name}=0.0.")
    if arr.dtype.kind == "f" and bool(backend.array_module(arr).isnan(arr).any()):
        raise InvalidArgumentError(
            f"clip: `{name}` is NaN, which would make the result NaN everywhere: pass a number, "
            f"or {name}=None for no bound."
        )
    check_broadcastable({"x": x.shape, name: arr.shape}, where="clip")
    return arr


# -- selection, dtype and device ------------------------------------------------------
class Where(Op):
    name = "where"

    @staticmethod
    def forward(ctx, condition, a, b):
        return ctx.xp.where(condition, a, b)

    @staticmethod
    def backward(ctx, g):
        c = ctx.inputs[0]
        c = _const(c._data.astype(bool, copy=False))
        _, need_a, need_b = ctx.needs_input_grad
        zero = zeros_like(g)
        return None, (where(c, g, zero) if need_a else None), (where(c, zero, g) if need_b else None)


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (all three broadcast).

    Raises:
        InvalidArgumentError: naming the three shapes when they do not broadcast.
    """
    condition = condition if isinstance(condition, Tensor) else Tensor(condition)
    a, b = _pair(a, b)
    try:
        return apply(Where, condition, a, b)
    except ValueError:  # checked only on failure: backwards call where, and the check costs ~3 us
        check_broadcastable({"condition": condition.shape, "a": a.shape, "b": b.shape}, where="where")
        raise


class Cast(Op):
    name = "cast"

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine casts it back to the input's dtype


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype``; differentiable between floating dtypes."""
    x = as_tensor(x)
    dtype = backend.check_dtype(dtype)
    if x.dtype == dtype:
        return x
    return apply(Cast, x, dtype=dtype)


class ToDevice(Op):
    name = "to_device"

    @staticmethod
    def forward(ctx, x, device):
        return backend.to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return to_device(g, ctx.inputs[0].device)


def to_device(x, device: str) -> Tensor:
    """``x`` on ``device`` ("cpu" or "cuda"); gradients flow back to the original device."""
    x = as_tensor(x)
    device = backend.check_device(backend._not_none_device("device", device, "to_device"))
    if x.device == device:
        return x
    return apply(ToDevice, x, device=device)


# -- ops without a gradient -----------------------------------------------------------
class StopGradient(Op):
    name = "stop_gradient"
    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return x


def stop_gradient(x) -> Tensor:
    """``x``, but no gradient flows through it."""
    return apply(StopGradient, as_tensor(x))


class Sign(Op):
    name = "sign"
    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.sign(x)


def sign(x) -> Tensor:
    """-1, 0 or 1 (no gradient)."""
    return apply(Sign, as_tensor(x))


class FullLike(Op):
    name = "full_like"
    differentiable = False

    @staticmethod
    def forward(ctx, x, value, dtype):
        return ctx.xp.full(x.shape, value, dtype=x.dtype if dtype is None else dtype)


def zeros_like(x, dtype=None) -> Tensor:
    """Zeros of ``x``'s shape, dtype (or ``dtype``) and device."""
    return _full_like(x, 0, dtype)


def ones_like(x, dtype=None) -> Tensor:
    """Ones of ``x``'s shape, dtype (or ``dtype``) and device."""
    return _full_like(x, 1, dtype)


def full_like(x, value, dtype=None) -> Tensor:
    """``value`` everywhere, in ``x``'s shape, dtype (or ``dtype``) and device.

    Raises:
        ArgumentTypeError: for a ``value`` that is not one number (NaN and infinities are numbers).
        UnsupportedDtypeError: for a ``dtype`` minigrad does not hold.
    """
    if not isinstance(value, numbers.Real):
        raise ArgumentTypeError(
            f"full_like: `value` must be one number, got {value!r:.40} of type "
            f"{type(value).__name__}. Pass e.g. full_like(x, 0.5); for an array use tensor()."
        )
    return _full_like(x, value, dtype)


def _full_like(x, value, dtype) -> Tensor:
    """``full_like`` without the check of ``value`` (backwards call zeros_like: ~350 ns saved)."""
    dtype = None if dtype is None else backend.check_dtype(dtype)
    return apply(FullLike, as_tensor(x), value=value, dtype=dtype)


__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "power",
    "maximum",
    "minimum",
    "negative",
    "exp",
    "log",
    "sqrt",
    "rsqrt",
    "square",
    "abs",
    "clip",
    "where",
    "cast",
    "to_device",
    "stop_gradient",
    "sign",
    "zeros_like",
    "ones_like",
    "full_like",
]


# Activations and comparisons were defined in this file before it was split by idea; code
# imports them from here (minigrad.nn, minigrad.distributed, tests), so they stay importable.
# (minigrad.ops imports this file before activation.py and comparison.py, which import it.)
from minigrad.ops.activation import (  # noqa: E402, F401, I001
    Erf, LeakyRelu, Relu, ReluGrad, Sigmoid, SigmoidGrad, Softplus, Tanh, TanhGrad,
    erf, leaky_relu, relu, sigmoid, softplus, tanh,
)
from minigrad.ops.comparison import (  # noqa: E402, F401
    Equal, Greater, GreaterEqual, Less, LessEqual, NotEqual,
    equal, greater, greater_equal, less, less_equal, not_equal,
)
