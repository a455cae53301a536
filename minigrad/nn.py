"""Neural-network functions: softmax, log_softmax, gelu, one_hot, dropout, dense, conv2d, pooling, batch norm.

The ops themselves (forward and backward) live in ``minigrad/ops/``; this
module is the namespace users call, as ``minigrad.nn.conv2d(...)``. It checks
the arguments, turns Keras-style options (``padding="same"``,
``data_format="channels_first"``, an int for a pair) into the explicit
attributes the ops take, and explains what to change when they are wrong.

Layouts follow Keras: images are (N, H, W, C) for "channels_last" (the
default) or (N, C, H, W) for "channels_first"; a conv kernel is
(kh, kw, in_channels, out_channels).
"""

from __future__ import annotations

import math
import numbers
import operator

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.ops.conv import conv2d_nhwc
from minigrad.ops.elementwise import erf, multiply, tanh
from minigrad.ops.linalg import affine, matmul
from minigrad.ops.normalization import batch_norm_infer_op, batch_norm_train_op, infer_coefficients
from minigrad.ops.pool import avg_pool2d_nhwc, max_pool2d_nhwc
from minigrad.ops.shape import transpose
from minigrad.ops.softmax_family import log_softmax, softmax
from minigrad.random import generator as _device_generator
from minigrad.random import new_generator
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_bool, check_float, check_generator, check_int

__all__ = ["softmax", "log_softmax", "gelu", "one_hot", "dropout", "dense", "conv2d", "max_pool2d",
           "avg_pool2d", "batch_norm_train", "batch_norm_infer"]

_TO_CHANNELS_LAST = (0, 2, 3, 1)
_TO_CHANNELS_FIRST = (0, 3, 1, 2)


# -- one_hot and dropout ------------------------------------------------------------------
def one_hot(indices, depth: int, dtype="float32") -> Tensor:
    """One-hot vectors: ``out[..., k] = 1 if indices[...] == k else 0``.

    Args:
        indices: integer Tensor (or array/list) of any shape, values in [0, depth).
        depth: the number of classes, a positive int.
        dtype: dtype of the result ("float32" by default).

    Returns:
        A Tensor of shape ``indices.shape + (depth,)``, not differentiable.

    Raises:
        ArgumentTypeError: for indices that are not integers, or a depth that is not an int.
        InvalidArgumentError: for a depth below 1 or an index outside [0, depth).
    """
    depth = check_int("depth", depth, minimum=1, where="one_hot")
    indices = as_tensor(indices)
    if indices.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"one_hot needs integer class indices, got dtype {indices.dtype}: "
            "cast them first, e.g. labels.astype('int64')."
        )
    a = indices._data
    if a.size and bool(((a < 0) | (a >= depth)).any()):  # one read-back (a GPU sync), not two
        bad = int(a.min()) if int(a.min()) < 0 else int(a.max())
        raise InvalidArgumentError(
            f"one_hot got index {bad}, outside [0, {depth}): class indices must lie in "
            f"[0, depth). Check the labels, or raise depth to cover them."
        )
    xp = backend.array_module(a)
    hot = a[..., None] == xp.arange(depth, dtype=a.dtype)
    return Tensor._wrap(hot.astype(backend.check_dtype("float32" if dtype is None else dtype)))


def dropout(x, rate: float, seed: int | None = None, generator=None, noise_shape=None) -> Tensor:
    """Inverted dropout: keep each element with probability ``1 - rate``, scaled by ``1 / (1 - rate)``.

    ``y = x * mask / (1 - rate)`` with ``mask ~ Bernoulli(1 - rate)``, so ``E[y] = x``
    (TensorFlow's ``tf.nn.dropout``). The mask is a constant: the gradient is
    ``g * mask / (1 - rate)``. This is always the training behaviour; layers
    decide when to call it.

    Args:
        x: floating-point Tensor.
        rate: the probability of dropping an element, in [0, 1). 0 returns ``x``.
        seed: if given, the mask comes from a fresh generator seeded with it, so
            the same seed gives the same mask.
        generator: a generator to draw from (e.g. ``minigrad.random.new_generator(0)``);
            by default the shared generator of ``x``'s device (``minigrad.random.seed``).
        noise_shape: shape of the mask, broadcast against ``x`` (e.g. ``(N, 1, 1, C)``
            drops whole channels); defaults to ``x.shape``.

    Returns:
        A Tensor like ``x``.

    Raises:
        InvalidArgumentError: for a rate outside [0, 1) (the fraction of elements dropped),
            a negative seed, or a noise_shape that does not broadcast.
        ArgumentTypeError: for a non-floating ``x``, a rate that is not a number, a seed
            that is not an int.
    """
    rate = check_float("rate", rate, minimum=0, maximum=1, max_inclusive=False, where="dropout")
    seed = check_int("seed", seed, minimum=0, allow_none=True, where="dropout")
    generator = check_generator("generator", generator, where="dropout")
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise ArgumentTypeError(f"dropout needs a floating-point tensor, got {x.dtype}: cast it first.")
    shape = x.shape if noise_shape is None else tuple(noise_shape)
    if len(shape) != x.ndim or any(s not in (1, xs) for s, xs in zip(shape, x.shape)):
        raise InvalidArgumentError(
            f"noise_shape {shape} does not broadcast to the input's shape {x.shape}: use the input's "
            "sizes, or 1 on the axes that share one mask entry."
        )
    if rate == 0:
        return x
    if seed is not None:
        gen = new_generator(seed, x.device)
    elif generator is not None:
        gen = generator
    else:
        gen = _device_generator(x.device)
    u = gen.random(shape, dtype="float32" if x.dtype.itemsize <= 4 else "float64")
    mask = (u >= rate).astype(x.dtype)
    mask *= x.dtype.type(1.0 / (1.0 - float(rate)))
    return multiply(x, Tensor._wrap(mask))


# -- argument checks shared by conv and pooling ---------------------------------------------
def _positive_int(value) -> int | None:
    """``value`` as an int if it is a positive integer (Python or NumPy, not bool), else None."""
    if isinstance(value, bool):
        return None
    try:
        n = operator.index(value)
    except TypeError:
        return None
    return n if n >= 1 else None


def _pair(value, what: str) -> tuple:
    """An int or a pair of positive ints, as a pair."""
    n = _positive_int(value)
    if n is not None:
        return n, n
    pair = tuple(_positive_int(v) for v in value) if isinstance(value, (tuple, list)) else ()
    if len(pair) != 2 or None in pair:
        raise InvalidArgumentError(
            f"{what} must be a positive int or a pair of positive ints, got {value!r}: "
            "pass e.g. 2 or (2, 3)."
        )
    return pair


def _padding_mode(padding) -> str:
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise InvalidArgumentError(
            f"padding must be 'valid' (no padding) or 'same' (output size ceil(input / stride)), "
            f"got {padding!r}."
        )
    return mode


def _check_format(data_format) -> bool:
    """True for channels_first."""
    if data_format not in ("channels_last", "channels_first"):
        raise InvalidArgumentError(
            f"data_format must be 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W), "
            f"got {data_format!r}."
        )
    return data_format == "channels_first"


def _image(x, what: str, channels_first: bool) -> Tensor:
    x = as_tensor(x)
    if x.ndim != 4:
        layout = "(N, C, H, W)" if channels_first else "(N, H, W, C)"
        raise InvalidArgumentError(
            f"{what} needs a rank-4 batch of images {layout}, got shape {x.shape}; "
            "add a batch axis for a single image (x[None])."
        )
    if x.dtype.kind != "f":
        raise ArgumentTypeError(f"{what} needs a floating-point tensor, got {x.dtype}: cast it first.")
    return x


def _same_pads(size: int, k: int, stride: int, dilation: int) -> tuple:
    """TensorFlow's SAME: total = max((ceil(n/s) - 1) s + (k-1) d + 1 - n, 0), the extra at the end."""
    total = max((math.ceil(size / stride) - 1) * stride + (k - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _pads(mode: str, hw, window, strides, dilations, what: str) -> tuple:
    """Explicit ((top, bottom), (left, right)) padding; errors for a window that cannot fit."""
    if mode == "same":
        return tuple(_same_pads(n, k, s, d) for n, k, s, d in zip(hw, window, strides, dilations))
    for n, k, d, axis in zip(hw, window, dilations, ("height", "width")):
        if (k - 1) * d + 1 > n:
            raise InvalidArgumentError(
                f"{what} with padding='valid': the window spans {(k - 1) * d + 1} pixels along the "
                f"{axis} but the input has only {n}. Use padding='same', a smaller window, or a "
                "larger input."
            )
    return ((0, 0), (0, 0))


# -- dense ------------------------------------------------------------------------------------
def dense(x, kernel, bias=None) -> Tensor:
    """The map of a Dense (fully connected) layer: ``y = x @ kernel + bias``.

    ``y[..., j] = sum_i x[..., i] * kernel[i, j] + bias[j]``

    With a bias it is one op: the bias is added into the fresh product in place, and its
    gradient is the output gradient summed over every axis but the last. Leading axes of
    ``x`` are batch axes (``kernel`` is shared by all of them).

    Args:
        x: a floating tensor (..., k) of rank >= 2.
        kernel: a matrix (k, n) of ``x``'s dtype.
        bias: None, or a vector (n,) of ``x``'s dtype.

    Returns:
        The (..., n) result.

    Raises:
        InvalidArgumentError: for an ``x`` of rank < 2, a kernel that is not a matrix, a
            kernel whose first axis is not ``x``'s last, or a bias that is not (n,).
        ArgumentTypeError: for a non-floating ``x``, or a kernel or bias of another dtype.
    """
    x, kernel = as_tensor(x), as_tensor(kernel)
    if x.ndim < 2 or kernel.ndim != 2 or x.shape[-1] != kernel.shape[0]:
        raise InvalidArgumentError(
            f"dense needs x (..., k) of rank >= 2 and a kernel (k, n); got shapes {x.shape} and "
            f"{kernel.shape}. Add a batch axis to a single sample (x[None]) and give the kernel "
            "as many rows as x has features."
        )
    _same_float_dtype("dense", x, kernel, "kernel")
    if bias is None:
        return matmul(x, kernel)
    bias = as_tensor(bias)
    _check_bias("dense", bias, kernel.shape[1], x)
    return affine(x, kernel, bias)


def _same_float_dtype(what: str, x: Tensor, weight: Tensor, name: str) -> None:
    """Refuse a non-floating ``x`` or a ``weight`` whose dtype differs from it."""
    if x.dtype.kind != "f":
        raise ArgumentTypeError(f"{what} needs a floating-point tensor, got {x.dtype}: cast it first.")
    if weight.dtype != x.dtype:
        raise ArgumentTypeError(
            f"{what} got an input of dtype {x.dtype} and a {name} of dtype {weight.dtype}: "
            "cast one of them so both match."
        )


def _check_bias(what: str, bias: Tensor, units: int, x: Tensor) -> None:
    """Refuse a bias that is not a vector of ``units`` entries of ``x``'s dtype."""
    if bias.shape != (units,):
        raise InvalidArgumentError(
            f"{what} bias must be a vector of {units} entries (one per output unit), got shape "
            f"{bias.shape}."
        )
    _same_float_dtype(what, x, bias, "bias")


# -- convolution ------------------------------------------------------------------------------
def conv2d(x, kernel, strides=1, padding: str = "valid", data_format: str = "channels_last",
           dilation_rate=1, bias=None) -> Tensor:
    """2-D convolution (cross-correlation, as in every framework), with an optional bias.

    ``y[n, h, w, o] = bias[o] + sum_{i, j, c} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * kernel[i, j, c, o]``

    With a bias, convolution and bias are one op: the bias is added to the fresh output in
    place, and its gradient is the output gradient summed over batch, rows and columns.

    With padding "valid" the output has ``floor((H - (kh-1) dh - 1) / sh) + 1`` rows; with
    "same" it has ``ceil(H / sh)``, padding ``max((ceil(H/sh) - 1) sh + (kh-1) dh + 1 - H, 0)``
    rows split evenly, the odd one at the bottom (right), as TensorFlow does.

    Args:
        x: images, (N, H, W, C) or (N, C, H, W) per ``data_format``.
        kernel: (kh, kw, C, O), the Keras layout.
        strides: an int or (sh, sw).
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last" or "channels_first"; the output has the same layout.
        dilation_rate: an int or (dh, dw); spacing between kernel taps.
        bias: None, or a vector (O,) of the kernel's dtype, added to every output pixel.

    Returns:
        (N, Ho, Wo, O), or (N, O, Ho, Wo) for channels_first.

    Raises:
        ValueError: for ranks other than 4, a channel count that differs from the kernel's
            third axis, a bad padding or data_format, strides > 1 together with
            dilation > 1 (TensorFlow does not support both), or a kernel larger than the
            input with "valid" padding, or a bias that is not (O,).
        TypeError: for non-floating inputs or a kernel or bias of another dtype than ``x``.
    """
    channels_first = _check_format(data_format)
    x = _image(x, "conv2d", channels_first)
    kernel = as_tensor(kernel)
    if kernel.ndim != 4:
        raise InvalidArgumentError(
            f"conv2d kernel must have rank 4, (kh, kw, in_channels, out_channels) as in Keras, "
            f"got shape {kernel.shape}."
        )
    if kernel.dtype != x.dtype:
        raise ArgumentTypeError(
            f"conv2d got an input of dtype {x.dtype} and a kernel of dtype {kernel.dtype}: "
            "cast one of them so both match."
        )
    strides = _pair(strides, "conv2d strides")
    dilations = _pair(dilation_rate, "conv2d dilation_rate")
    mode = _padding_mode(padding)
    if max(strides) > 1 and max(dilations) > 1:
        raise InvalidArgumentError(
            f"conv2d got strides {strides} and dilation_rate {dilations}: strides > 1 together "
            "with dilation_rate > 1 is not supported (as in TensorFlow). Use one of them, e.g. "
            "a strided conv followed by a dilated one."
        )
    if channels_first:
        x = transpose(x, _TO_CHANNELS_LAST)
    channels = x.shape[3]
    if channels != kernel.shape[2]:
        raise InvalidArgumentError(
            f"conv2d: the input has {channels} channels but the kernel {kernel.shape} expects "
            f"{kernel.shape[2]} (its third axis). Check data_format "
            f"({data_format!r}) and the kernel's in_channels."
        )
    if bias is not None:
        bias = as_tensor(bias)
        _check_bias("conv2d", bias, kernel.shape[3], x)
    pads = _pads(mode, x.shape[1:3], kernel.shape[:2], strides, dilations, "conv2d")
    y = conv2d_nhwc(x, kernel, strides=strides, dilations=dilations, pads=pads, bias=bias)
    return transpose(y, _TO_CHANNELS_FIRST) if channels_first else y


# -- pooling -----------------------------------------------------------------------------------
def _pool(op, what, x, pool_size, strides, padding, data_format) -> Tensor:
    channels_first = _check_format(data_format)
    x = _image(x, what, channels_first)
    pool = _pair(pool_size, f"{what} pool_size")
    strides = pool if strides is None else _pair(strides, f"{what} strides")
    mode = _padding_mode(padding)
    if channels_first:
        x = transpose(x, _TO_CHANNELS_LAST)
    pads = _pads(mode, x.shape[1:3], pool, strides, (1, 1), what)
    y = op(x, pool=pool, strides=strides, pads=pads)
    return transpose(y, _TO_CHANNELS_FIRST) if channels_first else y


def max_pool2d(x, pool_size=2, strides=None, padding: str = "valid",
               data_format: str = "channels_last") -> Tensor:
    """Maximum over each ``pool_size`` window.

    ``y[n, h, w, c] = max_{i, j} xpad[n, h*sh + i, w*sw + j, c]``, where "same" pads with
    -inf (padding never wins). The gradient goes to the window's maximum; when several
    elements tie it goes to the first in row-major window order (top-left first), as
    TensorFlow's CPU kernel and PyTorch do.

    Args:
        x: images, (N, H, W, C) or (N, C, H, W) per ``data_format``.
        pool_size: an int or (ph, pw).
        strides: an int or (sh, sw); None means ``pool_size``.
        padding: "valid" or "same", with TensorFlow's SAME rule (as for conv2d).
        data_format: "channels_last" or "channels_first".

    Returns:
        The pooled images in the input's layout.

    Raises:
        ValueError: for ranks other than 4, bad sizes, padding or data_format, or a window
            larger than the input with "valid" padding.
        TypeError: for a non-floating ``x``.
    """
    return _pool(max_pool2d_nhwc, "max_pool2d", x, pool_size, strides, padding, data_format)


def avg_pool2d(x, pool_size=2, strides=None, padding: str = "valid",
               data_format: str = "channels_last") -> Tensor:
    """Mean over each ``pool_size`` window.

    ``y[n, h, w, c] = sum_{i, j} xpad[n, h*sh + i, w*sw + j, c] / count[h, w]``, where
    ``count`` is the number of real (unpadded) elements of the window: with "same"
    padding the border windows average only what they cover, as TensorFlow does.

    Args:
        x: images, (N, H, W, C) or (N, C, H, W) per ``data_format``.
        pool_size: an int or (ph, pw).
        strides: an int or (sh, sw); None means ``pool_size``.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".

    Returns:
        The pooled images in the input's layout.

    Raises:
        ValueError: for ranks other than 4, bad sizes, padding or data_format, or a window
            larger than the input with "valid" padding.
        TypeError: for a non-floating ``x``.
    """
    return _pool(avg_pool2d_nhwc, "avg_pool2d", x, pool_size, strides, padding, data_format)


# -- batch normalization (fused) --------------------------------------------------------------------
def _batch_norm_args(what: str, x, axis, epsilon, params: dict) -> tuple:
    """Check batch-norm arguments; return (x, non-negative axis, epsilon, params as Tensors)."""
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise ArgumentTypeError(
            f"{what} needs a floating-point input, got {x.dtype}: cast it first, e.g. x.astype('float32')."
        )
    if x.ndim < 2:
        raise InvalidArgumentError(
            f"{what} needs an input of rank >= 2 (a batch axis and a channel axis), got shape {x.shape}; "
            "add a batch axis for a single example (x[None])."
        )
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ArgumentTypeError(
            f"{what} takes one int channel axis, got {axis!r}; for several axes use the composite "
            "(non-fused) BatchNormalization."
        )
    if not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(
            f"{what}: axis {axis} is out of range for an input of rank {x.ndim}; use an axis in "
            f"[{-x.ndim}, {x.ndim - 1}] (-1 for channels last, 1 for channels first)."
        )
    axis = int(axis) % x.ndim
    epsilon = check_float("epsilon", epsilon, minimum=0, where=what)
    if x.size == 0 and what == "batch_norm_train":
        raise InvalidArgumentError(
            f"{what} got an empty input of shape {x.shape}: the batch statistics of nothing are undefined."
        )
    channels = x.shape[axis]
    dtype = backend.check_dtype("float32") if x.dtype == backend.check_dtype("float16") else x.dtype
    checked = []
    for name, p in params.items():
        if isinstance(p, Tensor):
            if p.dtype != dtype:
                rule = " (float16 inputs take float32 parameters)" if dtype != x.dtype else ""
                raise ArgumentTypeError(
                    f"{what}: {name} has dtype {p.dtype} but an input of dtype {x.dtype} needs {dtype} "
                    f"parameters{rule}; cast it, e.g. {name}.astype('{dtype}')."
                )
        else:
            p = Tensor(p, dtype=dtype, device=x.device)
        if p.shape != (channels,):
            raise InvalidArgumentError(
                f"{what}: {name} must have shape ({channels},), one value per channel of axis {axis} of the "
                f"input {x.shape}, got {p.shape}."
            )
        checked.append(p)
    return x, axis, float(epsilon), checked


def batch_norm_train(x, gamma, beta, axis: int = -1, epsilon: float = 1e-3) -> tuple:
    """Batch normalization with the batch's statistics (training mode), as one fused op.

    With ``μ = E[x]`` and the biased variance ``σ² = E[(x - μ)²]`` taken over every axis
    except ``axis`` (``n`` elements per channel):

        y = γ (x - μ) / sqrt(σ² + ε) + β

    The statistics are two-pass (accurate when ``|μ| >> σ``). float16 inputs compute in
    float32 with float32 parameters and return a float16 ``y``. The gradient is closed-form
    (``dx = (γ/s)(g - E[g] - x̂ E[g x̂])`` with ``s = sqrt(σ² + ε)``, ``x̂ = (x - μ)/s``),
    and ``mean`` and ``variance`` are differentiable too (``dμ/dx = 1/n``,
    ``dσ²/dx = 2 (x - μ)/n``). A layer that keeps moving averages wraps them in
    ``stop_gradient`` and applies Bessel's correction ``σ² n / (n - 1)`` itself.

    Args:
        x: floating-point Tensor of rank >= 2.
        gamma: scale, shape ``(C,)`` with ``C = x.shape[axis]``.
        beta: offset, shape ``(C,)``.
        axis: the one channel axis (-1 for channels last, 1 for channels first).
        epsilon: added to the variance, >= 0 (Keras' default 1e-3).

    Returns:
        ``(y, mean, variance)``: ``y`` like ``x``; the batch mean and biased variance, shape
        ``(C,)``, in the parameters' dtype.

    Raises:
        TypeError: for a non-floating ``x``, a non-int ``axis``, or parameters of the wrong
            dtype (``x``'s dtype, float32 for float16 ``x``).
        ValueError: for rank < 2, an axis out of range, an empty ``x``, a negative
            ``epsilon``, or parameters not of shape ``(C,)``.
    """
    x, axis, epsilon, (gamma, beta) = _batch_norm_args("batch_norm_train", x, axis, epsilon,
                                                       {"gamma": gamma, "beta": beta})
    return batch_norm_train_op(x, gamma, beta, axis, epsilon)


def batch_norm_infer(x, gamma, beta, mean, variance, axis: int = -1, epsilon: float = 1e-3,
                     coefficients=None) -> Tensor:
    """Batch normalization with given statistics (inference mode), as one fused op.

        y = γ (x - m) / sqrt(v + ε) + β,  computed as  y = x k + (β - m k),  k = γ / sqrt(v + ε)

    as Keras and TensorFlow do, except where ``|m| > 8 sqrt(v + ε)``: there the two terms
    would cancel (float32 data with mean 1e4), so the float32 part of ``m`` is taken off
    ``x`` first. float16 inputs compute in float32 with float32 parameters and return
    float16. Differentiable in every argument.

    Args:
        x: floating-point Tensor of rank >= 2.
        gamma, beta: scale and offset, shape ``(C,)`` with ``C = x.shape[axis]``.
        mean, variance: the statistics to normalize with (e.g. the moving averages), shape ``(C,)``.
        axis: the one channel axis (-1 for channels last, 1 for channels first).
        epsilon: added to the variance, >= 0.
        coefficients: optional, what ``batch_norm_infer_coefficients`` returned for these
            gamma, beta, mean, variance and epsilon and x's dtype: the per-channel scale and
            shift, kept by a caller that normalizes many batches with the same parameters.
            The gradient is unchanged (it is taken with respect to the arguments).

    Returns:
        ``y``, like ``x``.

    Raises:
        TypeError: for a non-floating ``x``, a non-int ``axis``, or parameters of the wrong dtype.
        ValueError: for rank < 2, an axis out of range, a negative ``epsilon``, parameters
            not of shape ``(C,)``, or ``coefficients`` made for another epsilon, dtype, device
            or channel count.
    """
    x, axis, epsilon, params = _batch_norm_args(
        "batch_norm_infer", x, axis, epsilon,
        {"gamma": gamma, "beta": beta, "mean": mean, "variance": variance},
    )
    if coefficients is not None:
        coefficients = coefficients._arrays_for(x, epsilon)
    return batch_norm_infer_op(x, *params, axis, epsilon, coefficients)


# -- gelu ---------------------------------------------------------------------------------
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit: ``x`` times the standard normal CDF at ``x``.

        exact (approximate=False)   0.5 x (1 + erf(x / sqrt(2)))
        tanh  (approximate=True)    0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x**3)))

    The default is the exact form, as ``keras.activations.gelu`` (Keras 3 and tf-keras) and
    ``torch.nn.functional.gelu``; note that ``keras.ops.gelu`` defaults to the approximation.
    The two differ by at most about 5e-4. Built from ``erf``/``tanh`` ops, so gradients of
    any order flow through it.

    Args:
        x: a floating Tensor (or array).
        approximate: use the tanh approximation. Defaults to False.

    Returns:
        A Tensor of ``x``'s shape and dtype.

    Raises:
        ArgumentTypeError: for an approximate that is not a bool, or an x that is not floating point.
    """
    approximate = check_bool("approximate", approximate, where="gelu")
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise ArgumentTypeError(
            f"gelu needs a floating-point tensor, got {x.dtype}: cast it first, "
            "e.g. x.astype('float32')."
        )
    if approximate:
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))))
    return 0.5 * x * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))


# -- batch normalization inference: the per-channel coefficients, kept ----------------------
class BatchNormCoefficients:
    """The per-channel scale and shift of ``batch_norm_infer`` for fixed parameters (made by
    ``batch_norm_infer_coefficients``; pass it as ``batch_norm_infer(..., coefficients=)``)."""

    __slots__ = ("_arrays", "_dtype", "_device", "_epsilon", "_channels")

    def __init__(self, arrays, dtype, device: str, epsilon: float, channels: int):
        self._arrays, self._dtype, self._device = arrays, dtype, device
        self._epsilon, self._channels = epsilon, channels

    def _arrays_for(self, x: Tensor, epsilon: float):
        """The arrays, after checking they were made for this ``x`` and ``epsilon``."""
        if (x.dtype, x.device, epsilon) != (self._dtype, self._device, self._epsilon) or (
                self._channels not in x.shape):
            raise InvalidArgumentError(
                f"batch_norm_infer: the coefficients were made for dtype {self._dtype}, device "
                f"{self._device!r}, epsilon {self._epsilon} and {self._channels} channels, but x "
                f"has dtype {x.dtype}, device {x.device!r}, shape {x.shape} and epsilon is "
                f"{epsilon}: make them again with batch_norm_infer_coefficients for this input."
            )
        return self._arrays

    def __repr__(self) -> str:
        return (f"<BatchNormCoefficients {self._channels} channels, {self._dtype}, "
                f"{self._device}, epsilon={self._epsilon}>")


def batch_norm_infer_coefficients(gamma, beta, mean, variance, epsilon: float = 1e-3,
                                  dtype="float32") -> BatchNormCoefficients:
    """Precompute ``batch_norm_infer``'s per-channel scale ``k`` and shift, so that each call
    with the same parameters is one multiply-add per element:

        k = γ / sqrt(v + ε),   y = x k + (β - m k)   (m's float part taken off x first where
                                                      |m| > 8 sqrt(v + ε), as batch_norm_infer)

    Not differentiable and not recorded: ``batch_norm_infer`` still takes the gradient with
    respect to its own arguments. Make them again whenever a parameter changes.

    Args:
        gamma, beta, mean, variance: Tensors of shape ``(C,)``, float32 (float16 inputs) or
            the input's dtype, on the input's device.
        epsilon: added to the variance, >= 0.
        dtype: the dtype of the inputs they will normalize.

    Returns:
        A ``BatchNormCoefficients`` for ``batch_norm_infer(..., coefficients=)``.

    Raises:
        TypeError: for parameters of the wrong dtype for ``dtype``.
        ValueError: for parameters of different shapes, or a negative ``epsilon``.
    """
    mean = as_tensor(mean)
    if mean.ndim != 1:
        raise InvalidArgumentError(
            f"batch_norm_infer_coefficients: the parameters must have shape (C,), got mean of "
            f"shape {mean.shape}; pass one value per channel.")
    dtype = backend.check_dtype(dtype)
    # an empty input of this dtype with C channels: the parameters are checked as for a call
    empty = Tensor(backend.module_for_device(mean.device).zeros((0, mean.shape[0]), dtype))
    _, _, epsilon, params = _batch_norm_args(
        "batch_norm_infer_coefficients", empty, -1, epsilon,
        {"gamma": gamma, "beta": beta, "mean": mean, "variance": variance})
    xp = backend.array_module(params[0]._data)
    arrays = infer_coefficients(xp, dtype, *(p._data for p in params), epsilon)
    return BatchNormCoefficients(arrays, dtype, params[0].device, epsilon, params[0].shape[0])
