"""What every normalization layer shares: argument checks, affine weights, two-pass moments.

Batch, layer and group normalization differ only in the axes they reduce. Each checks its
``axis`` (``_validate_axis``) and dtype (``check_float_dtype``), stores and makes ``gamma`` /
``beta`` (``set_affine_arguments``, ``add_affine_weights``), takes the two-pass moments
(``two_pass_moments``) and normalizes (``_batch_normalization``). Batch normalization also
moves its statistics with ``_assign_moving_average`` (the rule in its class docstring).
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from layers import backend, constraints, initializers, regularizers
from layers.base import Layer
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_float

_HALF_DTYPES = ("float16", "bfloat16")  # computed in float32, with float32 parameters


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _validate_axis(axis, input_shape: tuple) -> list:
    """``axis`` (an int or ints, possibly negative) as a list of non-negative ints.

    Raises:
        InvalidArgumentError: for an input of unknown rank, an axis outside [-rank, rank)
            (named as given, e.g. ``axis=-5``) or an axis given twice.
    """
    rank = len(input_shape)
    if not rank:
        raise InvalidArgumentError(f"Input has undefined rank. Received: input_shape={input_shape}. "
                                   "Batch normalization needs an input of rank >= 1.")
    given = [axis] if isinstance(axis, int) else list(axis)
    bad = [a for a in given if not -rank <= a < rank]
    if bad:
        raise InvalidArgumentError(
            "Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
            f"inputs.rank={rank}). Received: axis={axis!r} ({', '.join(map(str, bad))} out of "
            f"range). Use an axis in [-{rank}, {rank}) for input of shape {input_shape}."
        )
    axes = [a % rank for a in given]
    if len(axes) != len(set(axes)):
        raise InvalidArgumentError(f"Duplicate axis: axis={axis!r} names the same axis twice "
                                   f"(for input rank {rank}): name each axis once.")
    return axes


def check_float_dtype(layer: Layer) -> None:
    """A normalization divides by a standard deviation: ``layer`` needs a float dtype.

    Raises:
        TypeError: (ArgumentTypeError) for an integer, bool or other non-float dtype.
    """
    if np.dtype(layer.compute_dtype).kind != "f":
        raise ArgumentTypeError(
            f"{type(layer).__name__}: `dtype` must be a floating dtype, got "
            f"dtype={layer.dtype_policy!r}. Pass dtype='float32' (the default), 'float64', "
            "'float16' or 'mixed_float16'; integer inputs are cast to it."
        )


def set_affine_arguments(layer: Layer, epsilon, center, scale, beta_initializer,
                         gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint) -> None:
    """Check and store the arguments every normalization layer shares: ``epsilon``, whether
    to make ``beta`` (``center``) and ``gamma`` (``scale``), and their initializers,
    regularizers and constraints (resolved with ``initializers.get`` and the like).

    Raises:
        ValueError: (InvalidArgumentError) for an epsilon <= 0 or an unknown identifier.
        TypeError: (ArgumentTypeError) for a center or scale that is not a bool.
    """
    where = type(layer).__name__
    # epsilon > 0 keeps 1 / sqrt(variance + epsilon) finite for a constant channel or sample
    layer.epsilon = check_float("epsilon", epsilon, minimum=0.0, min_inclusive=False,
                                where=where)
    layer.center = check_bool("center", center, where=where)
    layer.scale = check_bool("scale", scale, where=where)
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def add_affine_weights(layer: Layer, shape: tuple, dtype: str, make_gamma: bool,
                       make_beta: bool) -> None:
    """Make ``layer.gamma`` then ``layer.beta`` (trainable, with the initializers,
    regularizers and constraints ``set_affine_arguments`` stored); None when not made."""
    layer.gamma = layer.beta = None
    if make_gamma:
        layer.gamma = layer.add_weight("gamma", shape, dtype, layer.gamma_initializer,
                                       layer.gamma_regularizer, True, layer.gamma_constraint)
    if make_beta:
        layer.beta = layer.add_weight("beta", shape, dtype, layer.beta_initializer,
                                      layer.beta_regularizer, True, layer.beta_constraint)


def _on_device(value, like):
    """``value`` (a Tensor, array or list) as a Tensor on ``like``'s device."""
    if isinstance(value, mg.Tensor):
        return value if value.device == like.device else mg.to_device(value, like.device)
    return mg.tensor(np.asarray(value), device=like.device)


def _shape_inference() -> bool:
    """True while ``call`` runs only to find output shapes (symbolic inputs): no updates."""
    frame = backend.current_frame()
    return frame is not None and frame.shape_inference


def _nonzero(count):
    """``count`` with zeros replaced by ones: ``sum / _nonzero(count)`` is 0 where count is
    0 (then the sum is 0 too), as tf.math.divide_no_nan."""
    return mg.where(count > 0, count, mg.ones_like(count))



def two_pass_moments(x, reduction_axes: tuple, weights=None):
    """Mean and biased variance over ``reduction_axes`` (kept as size-1 axes), and the
    centred input ``x - mean``: the statistics of every normalization layer (batch, layer
    and group normalization differ only in the axes they reduce).

    Two passes, with a correction (``E[.]`` the mean over ``reduction_axes``, weighted
    by ``w`` with a mask, ``n = sum(w)``; n = 0 gives 0, as tf.math.divide_no_nan):

        mu0 = E[x]                 (rounded: float32 sums of values near 1e4 lose ~1e-2)
        d = x - mu0                (exact where x is near mu0)
        mu = mu0 + E[d],   x - mu = d - E[d],   sigma2 = E[(x - mu)**2]

    never ``E[x**2] - E[x]**2``, so the output keeps its precision when ``|mu| >> sigma``.
    ``mu0`` is a constant for the gradient (``mu`` is the same for any shift).

    Returns:
        ``(mean, variance, centered)``.
    """
    if weights is None:
        def average(t):
            return mg.mean(t, axis=reduction_axes, keepdims=True)
    else:
        count = _nonzero(mg.sum(weights, axis=reduction_axes, keepdims=True))

        def average(t):
            return mg.sum(weights * t, axis=reduction_axes, keepdims=True) / count
    shift = mg.stop_gradient(average(x))
    deviation = x - shift
    correction = average(deviation)
    centered = deviation - correction
    return shift + correction, average(mg.square(centered)), centered


def _compose_transforms(scale, offset, then_scale, then_offset):
    """``(v * scale + offset) * then_scale + then_offset`` as one ``v * scale' + offset'``;
    a None factor or term is left out."""
    if then_scale is not None:
        scale = scale * then_scale
        offset = offset * then_scale
    if then_offset is not None:
        offset = offset + then_offset
    return scale, offset


def _batch_normalization(centered, variance, offset, scale, epsilon):
    """``y = centered / sqrt(variance + epsilon) * scale + offset`` with ``centered = x - mean``
    (scale None: 1; offset None: 0).

    TensorFlow's ``tf.nn.batch_normalization`` computes ``x * k + (offset - mean * k)`` with
    ``k = scale / sqrt(variance + epsilon)``, the same number up to rounding; but when
    ``|mean| >> sqrt(variance)`` the two large terms cancel and float32 keeps only about
    ``|mean| / sqrt(variance) * 1e-7`` of relative accuracy (1e-3 at mean 1e4, std 1).
    Centring first (``x - mean`` is exact when ``x`` is near ``mean``) avoids that.
    """
    inv = mg.rsqrt(variance + epsilon)
    if scale is not None:
        inv = inv * scale
    outputs = centered * inv
    return outputs if offset is None else outputs + offset


def _assign_moving_average(variable, value, momentum):
    """One step of BatchNormalization's moving-average rule (its class docstring), as
    tf-keras writes it: ``variable <- variable - (variable - value) * (1 - momentum)``.
    Not recorded by tapes.

    Returns:
        The variable.
    """
    with mg.no_recording():
        value = mg.cast(value, variable.dtype) if value.dtype != variable.dtype else value
        delta = (variable.value() - value) * (1.0 - momentum)
        return variable.assign_sub(delta)
