"""Regularizers: penalties on weights (or activations) added to the loss, as in tf.keras (Keras 2).

A regularizer is called on a weight and returns a scalar Tensor built from minigrad ops,
so a GradientTape differentiates it like any other part of the loss::

    reg = layers.regularizers.get("l2")    # L2(l2=0.01)
    penalty = reg(kernel)                  # 0.01 * sum(kernel ** 2)

Keras stores the factors as float32 (``backend.cast_to_floatx``): ``L2(0.01).l2`` is
0.009999999776482582, and so is ``get_config()["l2"]``. minigrad does the same.
"""

from __future__ import annotations

import math

import minigrad as mg
from layers.serialization import (
    check_from_config,
    deserialize_keras_object,
    get_object,
    serialize_keras_object,
)
from minigrad import Tensor
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


def _check_penalty_number(x) -> None:
    """Keras's check: a factor is a finite int or float (not a bool, not a string).

    Raises:
        InvalidArgumentError: (a ValueError, as Keras) for another type, an infinity or NaN.
    """
    if isinstance(x, bool) or not isinstance(x, (float, int)):  # L2(True) is a mistake
        raise InvalidArgumentError(
            f"Value {x!r} is not a valid regularization penalty number, expected an int or "
            "float value, e.g. 0.01 (convert NumPy numbers with float(x))."
        )
    if math.isinf(x) or math.isnan(x):
        raise InvalidArgumentError(
            f"Value {x} is not a valid regularization penalty number, an infinite number or "
            "NaN are not valid values. Pass a finite factor such as 0.01."
        )


def _as_floatx(x) -> float:
    """``x`` rounded to float32, as Keras's ``cast_to_floatx`` stores it (kept a Python float
    so that it takes the dtype of the weight it multiplies)."""
    return mg.tensor(float(x), dtype="float32", device="cpu").item()


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else mg.tensor(x)


class Regularizer:
    """Base class of the regularizers: ``reg(x) -> scalar Tensor`` added to the loss.

    Subclasses implement ``__call__`` and ``get_config``; ``from_config`` is ``cls(**config)``.
    Any function ``f(x) -> scalar`` can also be used where a regularizer is expected.
    """

    def __call__(self, x):
        """The penalty for ``x`` (the base class: 0.0, as in Keras)."""
        return 0.0

    @classmethod
    def from_config(cls, config: dict):
        """Build a regularizer from ``get_config()``'s dict."""
        return cls(**check_from_config(cls, config, "regularizer"))

    def get_config(self) -> dict:
        """The constructor arguments as a dict.

        Raises:
            NotImplementedError: in a subclass that does not define it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_config(): define it to return the "
            "constructor's arguments as a dict, so that the regularizer can be saved."
        )

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """L1 and L2 penalties together: ``l1 * sum(|x|) + l2 * sum(x ** 2)``.

    The class defaults are 0.0 (no penalty), but the string "l1_l2" and the function
    ``l1_l2()`` use 0.01 for both, as in Keras. A zero factor adds no term, so with both
    factors 0 the penalty is a constant 0 (no gradient flows to ``x``).

    Args:
        l1: the L1 factor (None means 0.0).
        l2: the L2 factor (None means 0.0).

    Raises:
        ValueError: for a factor that is not a finite int or float.
    """

    def __init__(self, l1=0.0, l2=0.0):
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        _check_penalty_number(l1)
        _check_penalty_number(l2)
        self.l1 = _as_floatx(l1)
        self.l2 = _as_floatx(l2)

    def __call__(self, x) -> Tensor:
        x = _as_tensor(x)
        penalty = mg.tensor(0.0, dtype=x.dtype, device=x.device)
        if self.l1:
            penalty = penalty + self.l1 * mg.sum(mg.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * mg.sum(mg.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": float(self.l1), "l2": float(self.l2)}


def _single_factor(value, kwargs: dict, name: str = "l2"):
    """The factor of L1 or L2: the old keyword ``l`` accepted (as Keras), None meaning 0.01."""
    value = kwargs.pop("l", value)
    if kwargs:
        raise ArgumentTypeError(f"Argument(s) not recognized: {kwargs}. {name.upper()} takes one "
                                f"argument, `{name}` (the old name `l` works too): pass e.g. {name}=0.01.")
    value = 0.01 if value is None else value
    _check_penalty_number(value)
    return _as_floatx(value)


class L1(Regularizer):
    """An L1 penalty: ``l1 * sum(|x|)``.

    Args:
        l1: the factor (None means 0.01). The old keyword ``l`` is accepted too.

    Raises:
        ValueError: for a factor that is not a finite int or float.
        TypeError: for an unknown keyword argument.
    """

    def __init__(self, l1=0.01, **kwargs):
        self.l1 = _single_factor(l1, kwargs, "l1")

    def __call__(self, x) -> Tensor:
        return self.l1 * mg.sum(mg.abs(_as_tensor(x)))

    def get_config(self) -> dict:
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """An L2 penalty: ``l2 * sum(x ** 2)`` (no factor 1/2: ``L2(2.0)(ones((5, 5)))`` is 50).

    Args:
        l2: the factor (None means 0.01). The old keyword ``l`` is accepted too.

    Raises:
        ValueError: for a factor that is not a finite int or float.
        TypeError: for an unknown keyword argument.
    """

    def __init__(self, l2=0.01, **kwargs):
        self.l2 = _single_factor(l2, kwargs)

    def __call__(self, x) -> Tensor:
        return self.l2 * mg.sum(mg.square(_as_tensor(x)))

    def get_config(self) -> dict:
        return {"l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a matrix towards being orthogonal to each other.

    With ``v_i`` the L2-normalized rows (mode "rows") or columns (mode "columns") of a
    2-D ``x`` and ``n`` their number, the penalty is
    ``factor * 0.5 * sum_{i != j} |v_i . v_j| / (n * (n - 1) / 2)``, i.e. ``factor`` times
    the mean absolute cosine between distinct pairs. Normalizing divides by
    ``sqrt(max(sum(v ** 2), 1e-12))``, as ``tf.math.l2_normalize``.

    Args:
        factor: the factor.
        mode: "rows" or "columns".

    Raises:
        ValueError: for a bad factor or mode, or (on call) an input that is not 2-D.
    """

    def __init__(self, factor=0.01, mode="rows"):
        _check_penalty_number(factor)
        if mode not in ("rows", "columns"):
            raise InvalidArgumentError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode}"
            )
        self.factor = _as_floatx(factor)
        self.mode = mode

    def __call__(self, x) -> Tensor:
        x = _as_tensor(x)
        if x.ndim != 2:
            raise InvalidArgumentError(
                f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape == {x.shape}"
            )
        axis = 1 if self.mode == "rows" else 0
        v = x * mg.rsqrt(mg.maximum(mg.sum(mg.square(x), axis=axis, keepdims=True), 1e-12))
        product = v @ v.T if self.mode == "rows" else v.T @ v
        n = x.shape[1 - axis]
        off_diagonal = product * (1.0 - mg.eye(n, dtype=x.dtype, device=x.device))
        num_pairs = n * (n - 1.0) / 2.0
        return self.factor * 0.5 * mg.sum(mg.abs(off_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": float(self.factor), "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    """An L1L2 regularizer with Keras's function defaults (0.01 and 0.01, unlike the class).

    Returns:
        ``L1L2(l1=l1, l2=l2)``.
    """
    return L1L2(l1=l1, l2=l2)


# Keras's lowercase aliases (the classes themselves: ``l2()`` is ``L2(0.01)``).
l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

#: every name ``get`` understands.
ALL_OBJECTS: dict = {
    "L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
    "l1": l1, "l2": l2, "l1_l2": l1_l2, "orthogonal_regularizer": orthogonal_regularizer,
}


# -- get / serialize / deserialize -----------------------------------------------------------
def serialize(regularizer) -> dict | None:
    """``{"class_name": ..., "config": ...}`` for a regularizer (None for None).

    Raises:
        ValueError: if the object has no ``get_config`` and is not a named function.
    """
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects: dict | None = None):
    """Build a regularizer from ``{"class_name": name, "config": {...}}`` or a name.

    The string "l1_l2" gives ``L1L2(l1=0.01, l2=0.01)`` (the class defaults are 0.0).

    Args:
        config: a dict as ``serialize`` makes (a "module" key is ignored) or a name.
        custom_objects: extra ``{name: class or function}`` to look names up in first.

    Returns:
        A new regularizer.

    Raises:
        ValueError: for an unknown name or a dict without "class_name".
        TypeError: when the config holds arguments the class does not take.
    """
    if config == "l1_l2":
        return L1L2(l1=0.01, l2=0.01)
    return deserialize_keras_object(
        config, ALL_OBJECTS, custom_objects, kind="regularizer",
        example="{'class_name': 'L2', 'config': {'l2': 0.01}}", valid_names=sorted(ALL_OBJECTS),
    )


def get(identifier):
    """A regularizer from a name, a config dict, a class, a callable or None.

    Args:
        identifier: "l1", "l2", "l1_l2", a class name such as "L2", a dict
            ``{"class_name": "L2", "config": {"l2": 0.1}}``, a Regularizer class
            (instantiated with its defaults, as Keras 3 does), any callable ``f(x)``
            (returned as is), or None (returned as is).

    Returns:
        The regularizer, or None.

    Raises:
        ValueError: for an unknown name or an identifier of another kind.
    """
    return get_object(
        identifier, deserialize, base_class=Regularizer, what="regularizer",
        hint="Pass a name such as 'l2', a config dict, a Regularizer, or a function f(x) "
        "returning a scalar.",
    )
