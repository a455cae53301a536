"""Elementwise ops: the derivative table.

Each op lists its forward (on raw arrays, ``xp`` is numpy or cupy) and its
backward (in minigrad ops, so it is differentiable again). Inputs are read in
backward as ``a, b = ctx.inputs`` and the output as ``y = ctx.output``.
tanh, sigmoid and relu run their backward as one op each (``tanh_grad``,
``sigmoid_grad``, ``relu_grad``, with backwards of their own) instead of two
or three, because these activations sit in every network and both the
tape's cost and the memory traffic are per op.
Binary ops broadcast like NumPy; the engine sums each gradient back to its
input's shape, so backwards here are written for equal shapes.

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
    tanh          tanh x                1 - y ** 2          (one op: tanh_grad)
    sigmoid       1 / (1 + e ** -x)     y (1 - y)           (one op: sigmoid_grad)
    relu          max(x, 0)             [x > 0]             (one op: relu_grad)
    leaky_relu    x or alpha x          [x > 0] + alpha [x <= 0]
    softplus      ln(1 + e ** x)        sigmoid(x)
    erf           2/sqrt(pi) int_0^x e ** -t**2 dt      2/sqrt(pi) e ** -x**2
    clip          min(max(x, lo), hi)   [lo <= x <= hi]
    where         c ? a : b             [c] for a, [not c] for b
    cast          x as dtype            1 (cast back to x's dtype)
"""

from __future__ import annotations

import math
import numbers

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.ops.base import CPU_MODULE, Op, apply
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_broadcastable, check_float


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


# -- binary ops ---------------------------------------------------------------------
class Add(Op):
    name = "add"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Subtract(Op):
    name = "subtract"

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


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


# -- unary ops ----------------------------------------------------------------------
class Negative(Op):
    name = "negative"

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Op):
    name = "exp"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.output


class Log(Op):
    name = "log"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.inputs[0]


class Sqrt(Op):
    name = "sqrt"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0.5 / ctx.output


class Rsqrt(Op):
    name = "rsqrt"

    @staticmethod
    def forward(ctx, x):
        return 1 / ctx.xp.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return g * -0.5 * y * y * y


class Square(Op):
    name = "square"

    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        return g * 2.0 * ctx.inputs[0]


class Abs(Op):
    name = "abs"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * _const(ctx.xp.sign(x._data))


class Tanh(Op):
    name = "tanh"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.tanh(x)

    @staticmethod
    def backward(ctx, g):
        return apply(TanhGrad, ctx.output, g)


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
        # 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for x < 0: never overflows
        xp = ctx.xp
        e = xp.exp(-xp.abs(x))
        r = 1 / (1 + e)
        return xp.where(x >= 0, r, e * r).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return apply(SigmoidGrad, ctx.output, g)


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
        return _relu(ctx.xp, x)

    @staticmethod
    def backward(ctx, g):
        return apply(ReluGrad, ctx.inputs[0], g)


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
        out = ctx.xp.empty(g.shape, dtype=g.dtype)
        ctx.xp.greater(x, 0, out=out)  # the mask, written as 0.0 / 1.0 straight into out
        out *= g
        return out

    @staticmethod
    def backward(ctx, gg):
        x = ctx.inputs[0]
        need_x, need_g = ctx.needs_input_grad
        return (zeros_like(x) if need_x else None), (apply(ReluGrad, x, gg) if need_g else None)


#: Row length for ``_relu``'s comparison against a row of zeros.
_RELU_ROW = 8192


def _relu(xp, x):
    """``max(x, 0)``, the same numbers as ``xp.maximum(x, 0)``, faster on NumPy.

    NumPy's ``maximum`` of two arrays runs a SIMD loop about three times faster
    than its loop for an array against a scalar. So a large contiguous ``x`` is
    viewed as rows of ``_RELU_ROW`` elements and compared with one row of zeros
    (broadcast down the rows); the few elements after the last full row use
    the scalar.
    """
    if xp is not CPU_MODULE or x.size < 4 * _RELU_ROW or not x.flags.c_contiguous:
        return xp.maximum(x, 0)
    out = xp.empty_like(x)
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    full = x.size - x.size % _RELU_ROW
    xp.maximum(flat_x[:full].reshape(-1, _RELU_ROW), xp.zeros(_RELU_ROW, dtype=x.dtype),
               out=flat_out[:full].reshape(-1, _RELU_ROW))
    xp.maximum(flat_x[full:], 0, out=flat_out[full:])
    return out


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


class Softplus(Op):
    name = "softplus"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.logaddexp(x.dtype.type(0), x)

    @staticmethod
    def backward(ctx, g):
        return g * sigmoid(ctx.inputs[0])


class Erf(Op):
    name = "erf"

    @staticmethod
    def forward(ctx, x):
        return _erf(ctx.xp, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (_TWO_OVER_SQRT_PI * exp(-square(x)))


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erf(xp, x):
    """The error function, accurate to a few units in the last place of float64.

    NumPy has no erf (SciPy does, but ops import no library beyond the array module), so
    this is the method of CPython's former ``math.erf``, run on whole arrays: the Taylor
    series ``erf x = 2/sqrt(pi) e**-x**2 sum_k (2x**2)**k x / (1*3*...*(2k+1))`` (25 terms)
    for ``|x| < 1.5``, and the continued fraction of ``erfc`` (50 terms) for ``|x| >= 1.5``,
    where ``erfc |x| < 1e-390`` past 30 rounds to 0. Both run in float64, each on its own
    elements only (6x faster than both on all: 5 ms instead of 32 for 65536 normal draws);
    the result has ``x``'s dtype.
    """
    x64 = x.astype("float64")
    ax = xp.abs(x64)
    magnitude = xp.empty_like(ax)
    small = ax < 1.5
    s = ax[small]  # the series, in place
    s2 = s * s
    acc = xp.zeros_like(s)
    fk = 25.5
    for _ in range(25):
        acc *= s2
        acc /= fk
        acc += 2.0
        fk -= 1.0
    magnitude[small] = acc * s * xp.exp(-s2) / math.sqrt(math.pi)
    large = ~small  # the continued fraction (NaN goes here and stays NaN)
    c = xp.minimum(ax[large], 30.0)
    c2 = c * c
    a, da = 0.0, 0.5
    p, p_last = xp.ones_like(c), xp.zeros_like(c)
    q, q_last = da + c2, xp.ones_like(c)
    for _ in range(50):
        a += da
        da += 2.0
        b = da + c2
        p, p_last = b * p - a * p_last, p
        q, q_last = b * q - a * q_last, q
    magnitude[large] = 1.0 - p / q * c * xp.exp(-c2) / math.sqrt(math.pi)
    return (xp.sign(x64) * magnitude).astype(x.dtype, copy=False)


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


class Cast(Op):
    name = "cast"

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine casts it back to the input's dtype


class ToDevice(Op):
    name = "to_device"

    @staticmethod
    def forward(ctx, x, device):
        return backend.to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return to_device(g, ctx.inputs[0].device)


# -- ops without a gradient ------------------------------------------------------------
class StopGradient(Op):
    name = "stop_gradient"
    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return x


class Sign(Op):
    name = "sign"
    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.sign(x)


def _comparison(op_name: str, ufunc: str):
    """A non-differentiable comparison op returning a bool tensor."""

    def forward(ctx, a, b):
        return getattr(ctx.xp, ufunc)(a, b)

    cls = type(ufunc.title().replace("_", ""), (Op,), {
        "name": op_name, "differentiable": False, "forward": staticmethod(forward),
    })
    return cls


Equal = _comparison("equal", "equal")
NotEqual = _comparison("not_equal", "not_equal")
Less = _comparison("less", "less")
LessEqual = _comparison("less_equal", "less_equal")
Greater = _comparison("greater", "greater")
GreaterEqual = _comparison("greater_equal", "greater_equal")


class FullLike(Op):
    name = "full_like"
    differentiable = False

    @staticmethod
    def forward(ctx, x, value, dtype):
        return ctx.xp.full(x.shape, value, dtype=x.dtype if dtype is None else dtype)


# -- the functions users call -------------------------------------------------------------
def add(a, b) -> Tensor:
    """``a + b``, broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Add, a, b)


def subtract(a, b) -> Tensor:
    """``a - b``, broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Subtract, a, b)


def multiply(a, b) -> Tensor:
    """``a * b``, broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Multiply, a, b)


def divide(a, b) -> Tensor:
    """``a / b`` (true division), broadcasting like NumPy."""
    a, b = _pair(a, b)
    return apply(Divide, a, b)


def power(a, b) -> Tensor:
    """``a ** b``; the gradient for ``b`` is taken as 0 where ``a <= 0``."""
    a, b = _pair(a, b)
    return apply(Power, a, b)


def maximum(a, b) -> Tensor:
    """Elementwise maximum; at ties the gradient goes to ``a``."""
    a, b = _pair(a, b)
    return apply(Maximum, a, b)


def minimum(a, b) -> Tensor:
    """Elementwise minimum; at ties the gradient goes to ``a``."""
    a, b = _pair(a, b)
    return apply(Minimum, a, b)


def negative(x) -> Tensor:
    """``-x``."""
    return apply(Negative, as_tensor(x))


def exp(x) -> Tensor:
    """``e ** x``."""
    return apply(Exp, as_tensor(x))


def log(x) -> Tensor:
    """Natural logarithm."""
    return apply(Log, as_tensor(x))


def sqrt(x) -> Tensor:
    """``x ** 0.5``."""
    return apply(Sqrt, as_tensor(x))


def rsqrt(x) -> Tensor:
    """``1 / sqrt(x)``."""
    return apply(Rsqrt, as_tensor(x))


def square(x) -> Tensor:
    """``x * x``."""
    return apply(Square, as_tensor(x))


def abs(x) -> Tensor:  # noqa: A001  (NumPy's name)
    """``|x|``; its gradient at 0 is 0."""
    return apply(Abs, as_tensor(x))


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return apply(Tanh, as_tensor(x))


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``, computed without overflow."""
    return apply(Sigmoid, as_tensor(x))


def relu(x) -> Tensor:
    """``max(x, 0)``; its gradient at 0 is 0."""
    return apply(Relu, as_tensor(x))


def leaky_relu(x, alpha: float = 0.2) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * x`` (Keras's default alpha is 0.2)."""
    alpha = check_float("alpha", alpha, where="leaky_relu")
    return apply(LeakyRelu, as_tensor(x), alpha=alpha)


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``, computed without overflow."""
    return apply(Softplus, as_tensor(x))


def erf(x) -> Tensor:
    """The error function ``erf x = 2/sqrt(pi) int_0^x e ** -t**2 dt`` of a floating tensor.

    Computed in float64 (series and continued fraction, see ``_erf``) and returned in
    ``x``'s dtype; its gradient ``2/sqrt(pi) e ** -x**2`` is written in ops, so it can be
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


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype``; differentiable between floating dtypes."""
    x = as_tensor(x)
    dtype = backend.check_dtype(dtype)
    if x.dtype == dtype:
        return x
    return apply(Cast, x, dtype=dtype)


def to_device(x, device: str) -> Tensor:
    """``x`` on ``device`` ("cpu" or "cuda"); gradients flow back to the original device."""
    x = as_tensor(x)
    device = backend.check_device(backend._not_none_device("device", device, "to_device"))
    if x.device == device:
        return x
    return apply(ToDevice, x, device=device)


def stop_gradient(x) -> Tensor:
    """``x``, but no gradient flows through it."""
    return apply(StopGradient, as_tensor(x))


def sign(x) -> Tensor:
    """-1, 0 or 1 (no gradient)."""
    return apply(Sign, as_tensor(x))


def equal(a, b) -> Tensor:
    """``a == b`` as a bool tensor (no gradient)."""
    return apply(Equal, *_pair(a, b))


def not_equal(a, b) -> Tensor:
    """``a != b`` as a bool tensor (no gradient)."""
    return apply(NotEqual, *_pair(a, b))


def less(a, b) -> Tensor:
    """``a < b`` as a bool tensor (no gradient)."""
    return apply(Less, *_pair(a, b))


def less_equal(a, b) -> Tensor:
    """``a <= b`` as a bool tensor (no gradient)."""
    return apply(LessEqual, *_pair(a, b))


def greater(a, b) -> Tensor:
    """``a > b`` as a bool tensor (no gradient)."""
    return apply(Greater, *_pair(a, b))


def greater_equal(a, b) -> Tensor:
    """``a >= b`` as a bool tensor (no gradient)."""
    return apply(GreaterEqual, *_pair(a, b))


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
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "softplus",
    "erf",
    "clip",
    "where",
    "cast",
    "to_device",
    "stop_gradient",
    "sign",
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "zeros_like",
    "ones_like",
    "full_like",
]
