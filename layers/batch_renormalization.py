"""Batch renormalization (Ioffe, 2017): the clipping argument, the extra weights, ``r`` and ``d``.

With ``renorm=True`` a BatchNormalization layer corrects the batch-normalized value towards
what the moving statistics would give: ``y = ((x - mu) / s_B * r + d) * gamma + beta`` in
training (the formulas of ``r`` and ``d`` are in the layer's docstring, argument ``renorm``).
``renorm_mean`` / ``renorm_stddev`` move during the training call itself (they are part of
the computation); the layer moves ``moving_mean`` and ``moving_stddev``.
"""

from __future__ import annotations

import math
import numbers

import minigrad as mg
from layers.normalization_shared import _assign_moving_average, _shape_inference
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_float

_RENORM_CLIPPING_KEYS = ["rmax", "rmin", "dmax"]


def _check_renorm_clipping(renorm_clipping, where: str) -> dict:
    """``renorm_clipping`` as a dict with some of the keys rmax, rmin, dmax.

    Keras checks only the keys. minigrad also checks the values: each is None or a number
    (rmax and dmax may be +inf), ``rmin >= 0`` (r is a ratio of standard deviations),
    ``rmax > 0``, ``rmin <= rmax`` (else clip(r, rmin, rmax) is empty) and ``dmax >= 0``
    (d is clipped to ``[-dmax, dmax]``). ``rmax < 1`` or ``rmin > 1`` are allowed (they
    force r to one side of 1, an experiment rather than a mistake).

    Raises:
        ArgumentTypeError: for something other than a dict or None, or a value that is
            not a number.
        InvalidArgumentError: for an unknown key or a value out of range.
    """
    if renorm_clipping is None:
        return {}
    if not isinstance(renorm_clipping, dict):
        raise ArgumentTypeError(
            f"{where}: `renorm_clipping` must be a dict or None, got {renorm_clipping!r}. Pass "
            "e.g. renorm_clipping={'rmax': 3.0, 'rmin': 1 / 3, 'dmax': 5.0}.")
    clipping = dict(renorm_clipping)
    if set(clipping) - set(_RENORM_CLIPPING_KEYS):
        raise InvalidArgumentError(
            f"Received invalid keys for `renorm_clipping` argument: {clipping}. "
            f"Supported values: {_RENORM_CLIPPING_KEYS}. Remove the others."
        )
    bounds = {"rmin": (0.0, True), "rmax": (0.0, False), "dmax": (0.0, True)}
    for key, value in clipping.items():
        if value is None:
            continue
        minimum, inclusive = bounds[key]
        name = f"renorm_clipping[{key!r}]"
        if key != "rmin" and isinstance(value, numbers.Real) and value == math.inf:
            continue  # no clipping on that side
        check_float(name, value, minimum=minimum, min_inclusive=inclusive, where=where)
    rmin, rmax = clipping.get("rmin"), clipping.get("rmax")
    if rmin is not None and rmax is not None and rmin > rmax:
        raise InvalidArgumentError(
            f"{where}: renorm_clipping has rmin={rmin} > rmax={rmax}, so no r fits in "
            "[rmin, rmax]. Pass rmin <= rmax, e.g. {'rmin': 1 / 3, 'rmax': 3.0}.")
    return clipping


def add_renorm_weights(layer, shape: tuple, dtype: str) -> None:
    """Make ``moving_stddev``, ``renorm_mean`` and ``renorm_stddev`` (non-trainable), seeded
    by the layer's moving initializers: renorm tracks the standard deviation, not the
    variance."""
    def moving_stddev_initializer(shape, dtype=None):
        return mg.sqrt(mg.tensor(layer.moving_variance_initializer(shape, dtype=dtype)))

    layer.moving_stddev = layer.add_weight("moving_stddev", shape, dtype,
                                           moving_stddev_initializer, trainable=False)
    layer.renorm_mean = layer.add_weight("renorm_mean", shape, dtype,
                                         layer.moving_mean_initializer, trainable=False)
    layer.renorm_stddev = layer.add_weight("renorm_stddev", shape, dtype,
                                           moving_stddev_initializer, trainable=False)


def renorm_correction(layer, mean, variance):
    """The renorm correction ``(r, d)`` (parameter-shaped constants for the gradient);
    moves ``renorm_mean`` and ``renorm_stddev`` towards this batch's ``mu`` and ``s_B``.

    The renorm statistics change during the training call itself, in V1 too (as in
    Keras, where they are part of the training computation): only the moving
    (inference) statistics are deferred in V1.
    """
    epsilon = layer.epsilon
    stddev = mg.sqrt(variance + epsilon)
    renorm_mean = layer.renorm_mean.value()
    # avoid dividing by zero early in training
    renorm_stddev = mg.maximum(layer.renorm_stddev.value(), math.sqrt(epsilon))
    r = stddev / renorm_stddev
    d = (mean - renorm_mean) / renorm_stddev
    clipping = layer.renorm_clipping
    rmin, rmax, dmax = (clipping.get(key) for key in ("rmin", "rmax", "dmax"))
    if rmin is not None:
        r = mg.maximum(r, rmin)
    if rmax is not None:
        r = mg.minimum(r, rmax)
    if dmax is not None:
        d = mg.minimum(mg.maximum(d, -dmax), dmax)
    r, d = mg.stop_gradient(r), mg.stop_gradient(d)  # computed before the update below
    if not _shape_inference():
        _assign_moving_average(layer.renorm_mean, mean, layer.renorm_momentum)
        _assign_moving_average(layer.renorm_stddev, stddev, layer.renorm_momentum)
    return r, d


def variance_from_stddev(layer) -> None:
    """``moving_variance = relu(moving_stddev**2 - epsilon)`` (epsilon is part of
    ``moving_stddev``, mirroring the training path)."""
    stddev = layer.moving_stddev.value()
    with mg.no_recording():
        layer.moving_variance.assign(mg.relu(stddev * stddev - layer.epsilon))
