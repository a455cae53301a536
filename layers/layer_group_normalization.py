"""LayerNormalization and GroupNormalization: normalization within each sample (Keras 3).

Batch normalization takes each channel's statistics over the batch; these two layers take
them over the *features of one sample*, so a sample's output never depends on the other
samples of its batch and training and inference compute the same thing:

    layer norm:  mu, sigma2 over the axes in ``axis``          (per sample)
    group norm:  mu, sigma2 over the channels of one group and every other non-batch axis
    y = gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta

The statistics are ``two_pass_moments`` and the normalization ``_batch_normalization`` of
``layers.normalization``, the code BatchNormalization runs: only the reduced axes differ.
The shared arguments and ``gamma``/``beta`` are BatchNormalization's too
(``set_affine_arguments``, ``add_affine_weights``).
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from layers import constraints, initializers, regularizers
from layers.base import InputSpec, Layer
from layers.normalization import (
    _HALF_DTYPES,
    _batch_normalization,
    add_affine_weights,
    check_float_dtype,
    set_affine_arguments,
    two_pass_moments,
)
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_axis, check_bool, check_int


class _SampleNormalization(Layer):
    """What both layers share: epsilon, center/scale, gamma/beta arguments, dtypes, config."""

    def __init__(self, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        check_float_dtype(self)
        set_affine_arguments(self, epsilon, center, scale, beta_initializer, gamma_initializer,
                             beta_regularizer, gamma_regularizer, beta_constraint,
                             gamma_constraint)
        self.supports_masking = True

    def _make_weights(self, shape: tuple, make_gamma: bool, make_beta: bool) -> None:
        """``gamma`` then ``beta`` (None when not made); float32 for a float16 layer, whose
        statistics are computed in float32 (as BatchNormalization's)."""
        dtype = "float32" if self.dtype in _HALF_DTYPES else self.dtype
        add_affine_weights(self, shape, dtype, make_gamma, make_beta)

    @staticmethod
    def _float32_statistics(inputs):
        """``inputs`` in the dtype the statistics are computed in (float16 -> float32: a
        float16 variance overflows at 65504)."""
        if inputs.dtype.name in _HALF_DTYPES:
            return mg.cast(inputs, "float32")
        return inputs

    def _normalize(self, x, reduction_axes: tuple, broadcast_shape: tuple, weights=None):
        """``gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta`` with the statistics over
        ``reduction_axes`` and the parameters reshaped to ``broadcast_shape``."""
        _, variance, centered = two_pass_moments(x, reduction_axes, weights)
        scale = None if self.gamma is None else mg.reshape(self.gamma, broadcast_shape)
        offset = None if self.beta is None else mg.reshape(self.beta, broadcast_shape)
        return _batch_normalization(centered, variance, offset, scale, self.epsilon)

    def compute_output_shape(self, input_shape):
        """The input's shape."""
        return input_shape

    def get_config(self) -> dict:
        config = {
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
        return {**super().get_config(), **config}


class LayerNormalization(_SampleNormalization):
    r"""Layer normalization (Ba et al., 2016): each sample normalized over its features.

    For every sample (every index of the axes *not* in ``axis``) the mean ``mu`` and the
    biased variance ``sigma2 = mean((x - mu)**2)`` are taken over the axes in ``axis``,

        y = gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta,

    with two-pass statistics, as BatchNormalization's (``layers.normalization
    .two_pass_moments``). Nothing depends on the batch, so there is no ``training``
    argument and no moving statistics: training and inference compute the same function.
    Keras 3 semantics (``keras.layers.LayerNormalization``, with ``rms_scaling``), which
    tf-keras 2.x shares except for ``rms_scaling``.

    Args:
        axis: an int or a list/tuple of ints: the axis or axes normalized over (-1 by
            default: the features). ``gamma`` and ``beta`` have the sizes of these axes, in
            increasing axis order: ``axis=[1, 2, 3]`` on ``(N, 20, 30, 40)`` gives
            ``(20, 30, 40)``. (Keras keeps the order given and reshapes, which scrambles
            the parameters for a decreasing list such as ``[3, 1]``.)
        epsilon: added to the variance inside the square root (1e-3); must be > 0.
        center: add the learned offset ``beta`` (False: no beta weight).
        scale: multiply by the learned ``gamma`` (False: no gamma weight).
        rms_scaling: Keras 3's option: ``center`` and ``scale`` are ignored and
            ``y = x * gamma / sqrt(sigma2 + epsilon)`` with ``sigma2`` the variance as
            above; ``x`` is *not* centred, and only ``gamma`` is made. These are Keras's
            numbers: its docstring speaks of "the square of all inputs", but Keras computes
            the variance (keras-team/keras#21234), so this is not RMSNorm's
            ``x / sqrt(mean(x**2) + epsilon)``.
        beta_initializer, gamma_initializer: initializers (zeros / ones).
        beta_regularizer, gamma_regularizer: regularizers of beta / gamma (None).
        beta_constraint, gamma_constraint: constraints of beta / gamma (None).
        **kwargs: base Layer arguments (``name``, ``dtype``, ``trainable``,
            ``input_shape``, ...). With ``dtype='float16'`` or ``'mixed_float16'`` the
            statistics are computed in float32 and gamma and beta are float32; the output
            has the input's dtype.

    Call arguments:
        inputs: a Tensor of any rank that has the axes in ``axis``.
        mask: accepted and ignored, as in Keras (it passes on to the next layer): with the
            usual ``axis=-1`` a mask over samples or time steps cannot change a statistic
            taken over the features of one position.

    Input shape:
        Any; the sizes of the ``axis`` axes must be known. Output shape: the same.

    Raises:
        ArgumentTypeError: at construction, for an ``axis`` that is not an int or a
            non-empty list/tuple of ints, a flag that is not a bool, an ``epsilon`` that is
            not a number, or a non-float ``dtype``.
        InvalidArgumentError: at construction for ``epsilon <= 0`` (or NaN / infinite);
            at build (first call) for an axis out of range, an axis given twice, or a
            normalized axis of unknown size.

    Example:
        >>> ln = LayerNormalization()      # each row: mu, sigma2 = 2, 1 and 20, 100
        >>> ln(mg.tensor([[1.0, 3.0], [10.0, 30.0]])).numpy().round(4)   # epsilon shows in row 0
        array([[-0.9995,  0.9995],
               [-1.    ,  1.    ]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.axis = _check_axis_argument(axis, type(self).__name__)
        self.rms_scaling = check_bool("rms_scaling", rms_scaling, where=type(self).__name__)

    def build(self, input_shape) -> None:
        """Resolve ``axis`` for this rank (a sorted list of non-negative axes) and make
        ``gamma`` (scale or rms_scaling) and ``beta`` (center, without rms_scaling)."""
        input_shape = tuple(input_shape)
        self.axis = _resolve_axes(self.axis, input_shape, type(self).__name__)
        sizes = {a: input_shape[a] for a in self.axis}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=sizes)
        self._make_weights(tuple(sizes.values()), self.scale or self.rms_scaling,
                           self.center and not self.rms_scaling)
        self._broadcast_shape = tuple(sizes.get(i, 1) for i in range(len(input_shape)))
        self.built = True

    def call(self, inputs, mask=None):
        """Normalize each sample (see the class docstring for the formula)."""
        x = self._float32_statistics(inputs)
        axes = tuple(self.axis)
        if self.rms_scaling:  # Keras 3: the variance, but x itself (not x - mu) is scaled
            _, variance, _ = two_pass_moments(x, axes)
            outputs = x * mg.rsqrt(variance + self.epsilon) * mg.reshape(self.gamma,
                                                                          self._broadcast_shape)
        else:
            outputs = self._normalize(x, axes, self._broadcast_shape)
        return outputs if outputs.dtype == inputs.dtype else mg.cast(outputs, inputs.dtype)

    def get_config(self) -> dict:
        """The constructor arguments, as Keras 3 writes them (``axis`` resolved after build)."""
        return {**super().get_config(), "axis": self.axis, "rms_scaling": self.rms_scaling}


class GroupNormalization(_SampleNormalization):
    r"""Group normalization (Wu and He, 2018): each sample's channels normalized in groups.

    The channels (the ``axis`` axis, C of them) are cut into ``groups`` groups of
    ``C / groups`` consecutive channels, as Keras reshapes ``(N, ..., C)`` into
    ``(N, ..., groups, C / groups)``. For every sample and group, the mean ``mu`` and the
    biased variance ``sigma2`` are taken over the group's channels and every other
    non-batch axis (height, width, ...), and

        y = gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta,

    with one ``gamma`` and ``beta`` per channel (shape ``(C,)``). The statistics are the
    two-pass ones of BatchNormalization (``layers.normalization.two_pass_moments``). As
    with layer normalization nothing depends on the batch, so training and inference
    agree. ``groups=1`` normalizes all of a sample at once (layer normalization over the
    non-batch axes, with per-channel parameters); ``groups=C`` (or ``groups=-1``) is
    instance normalization. Keras 3 / tf-keras semantics; the mask is tf-keras's.

    Args:
        groups: the number of groups (32), between 1 and C, dividing C; -1 means C
            (instance normalization; ``groups`` then becomes C at build, as in Keras).
        axis: the channel axis, an int (-1: channels-last; 1: channels-first). It cannot
            be 0, the batch axis: each sample is normalized on its own.
        epsilon: added to the variance inside the square root (1e-3); must be > 0.
        center: add the learned offset ``beta`` (False: no beta weight).
        scale: multiply by the learned ``gamma`` (False: no gamma weight).
        beta_initializer, gamma_initializer: initializers (zeros / ones).
        beta_regularizer, gamma_regularizer: regularizers of beta / gamma (None).
        beta_constraint, gamma_constraint: constraints of beta / gamma (None).
        **kwargs: base Layer arguments (``name``, ``dtype``, ``trainable``, ...). With
            ``dtype='float16'`` or ``'mixed_float16'`` the statistics are computed in
            float32 and gamma and beta are float32; the output has the input's dtype.

    Call arguments:
        inputs: a Tensor of rank >= 2 (batch first).
        mask: None, or a bool Tensor of the input's shape (or broadcastable to it, with the
            input's rank), or of the input's shape without the channel axis: masked
            (False) positions are left out of the statistics; every position is still
            normalized (tf-keras's weighted moments; a group with nothing unmasked has mean
            and variance 0).

    Input shape:
        Any rank >= 2, with a known channel size. Output shape: the same.

    Raises:
        ArgumentTypeError: at construction, for ``groups`` or ``axis`` that is not an int,
            a flag that is not a bool, an ``epsilon`` that is not a number, or a non-float
            ``dtype``.
        InvalidArgumentError: at construction for ``groups`` that is 0 or below -1, or
            ``epsilon <= 0``; at build (first call) for an axis out of range or 0, a channel
            axis of unknown size, more groups than channels, or ``groups`` that does not
            divide the number of channels; at call for a mask that does not fit.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        where = type(self).__name__
        self.groups = check_int("groups", groups, where=where)
        if self.groups < 1 and self.groups != -1:
            raise InvalidArgumentError(
                f"{where}: `groups` must be a positive number of groups that divides the "
                f"number of channels, or -1 for one group per channel; got groups={groups}. "
                "Pass e.g. groups=32 (the default), groups=1 or groups=-1.")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ArgumentTypeError(
                f"{where}: `axis` must be an int (the channel axis), got {axis!r} of type "
                f"{type(axis).__name__}. Pass axis=-1 for channels-last data or axis=1 for "
                "channels-first.")
        self.axis = int(axis)

    def build(self, input_shape) -> None:
        """Check ``axis`` and ``groups`` against the input and make ``gamma`` and ``beta``
        (shape ``(C,)``)."""
        where = type(self).__name__
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        axis = check_axis("axis", self.axis, rank, where=where)
        if axis == 0:
            raise InvalidArgumentError(
                f"{where}: axis={self.axis} is the batch axis of an input of shape "
                f"{input_shape}, but group normalization normalizes each sample on its own. "
                "Pass the channel axis: axis=-1 (channels-last) or axis=1 (channels-first).")
        channels = input_shape[axis]
        if channels is None:
            raise InvalidArgumentError(
                f"{where}: axis {self.axis} of the input should have a defined size, but the "
                f"layer received an input with shape {input_shape}. Give the channel axis a "
                "known size (e.g. Input(shape=(28, 28, 3))).")
        if self.groups == -1:
            self.groups = channels
        if self.groups > channels or channels % self.groups:
            divisors = [d for d in range(1, channels + 1) if channels % d == 0]
            reason = ("cannot be more than the number of channels" if self.groups > channels
                      else "must divide the number of channels")
            raise InvalidArgumentError(
                f"{where}: the number of groups (groups={self.groups}) {reason} ({channels} "
                f"on axis {self.axis} of the input of shape {input_shape}). Pass groups "
                f"= one of the divisors of {channels}: {divisors} (or -1 for one group per "
                "channel).")
        self._channel_axis = axis  # self.axis stays as given (Keras writes it so in the config)
        self.input_spec = InputSpec(ndim=rank, axes={axis: channels})
        self._make_weights((channels,), self.scale, self.center)
        group_size = channels // self.groups
        self._group_shape = (self.groups, group_size)
        # the parameters against the grouped input (N, ..., groups, C / groups, ...)
        self._broadcast_shape = (1,) * axis + self._group_shape + (1,) * (rank - axis - 1)
        # every axis of the grouped input but the batch and the group axis
        self._reduction_axes = tuple(i for i in range(1, rank + 1) if i != axis)
        self.built = True

    def call(self, inputs, mask=None):
        """Normalize each sample's groups (see the class docstring for the formula)."""
        x = self._float32_statistics(inputs)
        shape = tuple(x.shape)
        axis = self._channel_axis
        grouped = shape[:axis] + self._group_shape + shape[axis + 1:]
        weights = None if mask is None else mg.reshape(self._mask_weights(mask, x), grouped)
        outputs = self._normalize(mg.reshape(x, grouped), self._reduction_axes,
                                  self._broadcast_shape, weights)
        outputs = mg.reshape(outputs, shape)
        return outputs if outputs.dtype == inputs.dtype else mg.cast(outputs, inputs.dtype)

    def _mask_weights(self, mask, x):
        """The mask as 0/1 weights of ``x``'s shape (a mask without the channel axis gets a
        size-1 axis there, then broadcasts).

        Raises:
            InvalidArgumentError: for a mask whose shape does not fit.
        """
        if not isinstance(mask, mg.Tensor):
            mask = mg.tensor(np.asarray(mask), device=x.device)
        elif mask.device != x.device:
            mask = mg.to_device(mask, x.device)
        if mask.ndim == x.ndim - 1:
            shape = list(mask.shape)
            shape.insert(self._channel_axis, 1)
            mask = mg.reshape(mask, tuple(shape))
        fits = mask.ndim == x.ndim and all(m in (1, n) for m, n in zip(mask.shape, x.shape))
        if not fits:
            raise InvalidArgumentError(
                f"{type(self).__name__}: the mask of shape {tuple(mask.shape)} does not fit the "
                f"input of shape {tuple(x.shape)}: give it the input's shape (or size 1 on axes "
                f"to broadcast), or the input's shape without the channel axis {self.axis}.")
        return mg.broadcast_to(mg.cast(mask, x.dtype), tuple(x.shape))

    def get_config(self) -> dict:
        """The constructor arguments, as Keras writes them (``groups=-1`` as the number of
        channels after build)."""
        return {**super().get_config(), "groups": self.groups, "axis": self.axis}


# -- helpers ---------------------------------------------------------------------------------
def _check_axis_argument(axis, where: str):
    """``axis`` as an int or a list of ints (its range is checked at build, knowing the rank).

    Raises:
        ArgumentTypeError: for anything else (an empty list included).
    """
    def is_int(a):
        return isinstance(a, (int, np.integer)) and not isinstance(a, bool)

    if is_int(axis):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(is_int(a) for a in axis):
        return [int(a) for a in axis]
    raise ArgumentTypeError(
        f"{where}: expected an int or a non-empty list/tuple of ints for the argument "
        f"'axis', but received: {axis!r}. Pass the axis or axes to normalize over, e.g. "
        "axis=-1 (the features) or axis=[1, 2, 3].")


def _resolve_axes(axis, input_shape: tuple, where: str) -> list:
    """``axis`` (an int or ints, possibly negative) as a sorted list of non-negative axes.

    Raises:
        InvalidArgumentError: for an axis out of range, an axis given twice, or an axis of
            unknown size.
    """
    rank = len(input_shape)
    given = [axis] if isinstance(axis, int) else list(axis)
    axes = [check_axis("axis", a, rank, where=where) for a in given]
    if len(set(axes)) != len(axes):
        raise InvalidArgumentError(
            f"{where}: duplicate axis: axis={axis!r} names the same axis twice for an input of "
            f"rank {rank}. Name each axis once.")
    unknown = [a for a in axes if input_shape[a] is None]
    if unknown:
        raise InvalidArgumentError(
            f"{where}: the normalized axes need a known size, but axis {unknown[0]} of the "
            f"input shape {input_shape} is unknown (axis={axis!r}). Give those axes a size.")
    return sorted(axes)
