"""Constraints: projections applied to a weight after each optimizer step, as in tf.keras (Keras 2).

A constraint is called on a weight and returns the projected value; optimizers apply it
with ``v.assign(constraint(v))``::

    layer = Dense(64, kernel_constraint="max_norm")   # MaxNorm(max_value=2, axis=0)

``axis`` names the axes the norms are taken over, so each norm belongs to one slice along
the other axes. For a Dense kernel ``(in, out)``, ``axis=0`` constrains each output unit's
incoming weight vector (a column); for a Conv2D kernel ``(kh, kw, in, out)``, use
``axis=[0, 1, 2]`` to constrain each filter. The norms are
``norms = sqrt(sum(w ** 2, axis, keepdims=True))`` and every rescaling divides by
``epsilon() + norms`` with Keras's ``epsilon() = 1e-7``.
"""

from __future__ import annotations

import minigrad as mg
from layers import backend as keras_backend
from layers.serialization import (
    check_from_config,
    deserialize_keras_object,
    get_object,
    serialize_keras_object,
)
from minigrad import Tensor
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_float


def _as_tensor(w) -> Tensor:
    return w if isinstance(w, Tensor) else mg.tensor(w)


def _axis(axis):
    """``axis`` as minigrad's reductions take it (a list becomes a tuple)."""
    return tuple(axis) if isinstance(axis, list) else axis


def _check_axis_argument(axis, where: str):
    """``axis`` unchanged if it is an int or a non-empty list/tuple of distinct ints.

    Raises:
        ArgumentTypeError: for anything else.
    """
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not axes or any(isinstance(a, bool) or not isinstance(a, int) for a in axes) \
            or len(set(axes)) != len(axes):
        raise ArgumentTypeError(
            f"{where}: `axis` must be an int or a list of distinct ints, got {axis!r}. Pass "
            "axis=0 for a Dense kernel, axis=[0, 1, 2] for a Conv2D kernel.")
    return axis


def _norms(w: Tensor, axis) -> Tensor:
    """The L2 norms over ``axis``, kept as length-1 axes so they broadcast against ``w``."""
    return mg.sqrt(mg.sum(mg.square(w), axis=_axis(axis), keepdims=True))


class Constraint:
    """Base class of the constraints: ``constraint(w) -> projected w``.

    The base class returns ``w`` unchanged. Subclasses override ``__call__`` and, when
    they take arguments, ``get_config``; ``from_config`` is ``cls(**config)``.
    """

    def __call__(self, w):
        """The projected weight (here: ``w`` itself)."""
        return w

    def get_config(self) -> dict:
        """The constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Build a constraint from ``get_config()``'s dict."""
        return cls(**check_from_config(cls, config, "constraint"))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Caps the norm of each weight vector: ``w * clip(norms, 0, max_value) / (eps + norms)``.

    Vectors with a norm below ``max_value`` are (almost) unchanged: they are multiplied by
    ``norms / (eps + norms)``, just below 1, exactly as in Keras.

    Args:
        max_value: the largest norm allowed.
        axis: an int or a list of ints: the axes the norms are taken over (see the module
            docstring); 0 for a Dense kernel, [0, 1, 2] for a Conv2D kernel.

    Raises:
        InvalidArgumentError: for a negative or non-finite max_value.
        ArgumentTypeError: for a max_value that is not a number or a bad axis.
    """

    def __init__(self, max_value=2, axis=0):
        check_float("max_value", max_value, minimum=0.0, where="MaxNorm")
        self.max_value = max_value
        self.axis = _check_axis_argument(axis, "MaxNorm")

    def __call__(self, w) -> Tensor:
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = mg.clip(norms, 0, self.max_value)
        return w * (desired / (keras_backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero: ``w * (w >= 0)``."""

    def __call__(self, w) -> Tensor:
        w = _as_tensor(w)
        return w * mg.cast(w >= 0.0, w.dtype)


class UnitNorm(Constraint):
    """Scales each weight vector to unit norm: ``w / (eps + norms)``.

    Args:
        axis: an int or a list of ints: the axes the norms are taken over.

    Raises:
        ArgumentTypeError: for an axis that is not an int or a list of distinct ints.
    """

    def __init__(self, axis=0):
        self.axis = _check_axis_argument(axis, "UnitNorm")

    def __call__(self, w) -> Tensor:
        w = _as_tensor(w)
        return w / (keras_backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm of each weight vector between ``min_value`` and ``max_value``.

    ``desired = rate * clip(norms, min_value, max_value) + (1 - rate) * norms`` and the
    result is ``w * desired / (eps + norms)``: ``rate=1.0`` enforces the bounds at once,
    a smaller rate moves the norms towards them step by step.

    Args:
        min_value: the smallest norm allowed.
        max_value: the largest norm allowed.
        rate: how strictly to enforce the bounds, in [0, 1].
        axis: an int or a list of ints: the axes the norms are taken over.

    Raises:
        InvalidArgumentError: for a negative or non-finite bound, ``min_value > max_value``
            or a rate outside [0, 1] (Keras accepts these silently).
        ArgumentTypeError: for a bound that is not a number or an axis that is not an int
            or a list of ints.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        check_float("min_value", min_value, minimum=0.0, where="MinMaxNorm")
        check_float("max_value", max_value, minimum=0.0, where="MinMaxNorm")
        check_float("rate", rate, minimum=0.0, maximum=1.0, where="MinMaxNorm")
        if min_value > max_value:
            raise InvalidArgumentError(
                f"MinMaxNorm: min_value={min_value!r} is greater than max_value={max_value!r}, so "
                "no norm fits. Pass min_value <= max_value.")
        axis = _check_axis_argument(axis, "MinMaxNorm")
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w) -> Tensor:
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * mg.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (keras_backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras's lowercase aliases (the classes themselves) and its legacy spellings.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
maxnorm = max_norm
nonneg = non_neg
unitnorm = unit_norm

#: every name ``get`` understands.
ALL_OBJECTS: dict = {
    "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
    "max_norm": max_norm, "non_neg": non_neg, "unit_norm": unit_norm, "min_max_norm": min_max_norm,
    "maxnorm": maxnorm, "nonneg": nonneg, "unitnorm": unitnorm,
}


# -- get / serialize / deserialize -----------------------------------------------------------
def serialize(constraint) -> dict | None:
    """``{"class_name": ..., "config": ...}`` for a constraint (None for None).

    Raises:
        ValueError: if the object has no ``get_config`` and is not a named function.
    """
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects: dict | None = None) -> Constraint:
    """Build a constraint from ``{"class_name": name, "config": {...}}`` or a name.

    Args:
        config: a dict as ``serialize`` makes (a "module" key is ignored) or a name.
        custom_objects: extra ``{name: class or function}`` to look names up in first.

    Returns:
        A new constraint.

    Raises:
        ValueError: for an unknown name or a dict without "class_name".
        TypeError: when the config holds arguments the class does not take.
    """
    return deserialize_keras_object(
        config, ALL_OBJECTS, custom_objects, kind="constraint",
        example="{'class_name': 'MaxNorm', 'config': {'max_value': 2, 'axis': 0}}",
        valid_names=("MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm",
                     "max_norm", "min_max_norm", "non_neg", "unit_norm"),
    )


def get(identifier):
    """A constraint from a name, a config dict, a class, a callable or None.

    Args:
        identifier: "max_norm" / "MaxNorm" / "non_neg" / ..., a dict
            ``{"class_name": "MaxNorm", "config": {"max_value": 3}}``, a Constraint class
            (instantiated with its defaults, as Keras 3 does), any callable ``f(w)``
            (returned as is), or None (returned as is).

    Returns:
        The constraint, or None.

    Raises:
        ValueError: for an unknown name or an identifier of another kind.
    """
    return get_object(
        identifier, deserialize, base_class=Constraint, what="constraint function",
        hint="Pass a name such as 'max_norm', a config dict, a Constraint, or a function f(w) "
        "returning the new w.",
    )
