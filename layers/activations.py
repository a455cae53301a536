"""Activation functions by name, as ``tf.keras.activations`` (Keras 2) has them.

    act = layers.activations.get("relu")      # the function relu
    layers.activations.serialize(act)          # "relu"
    layers.Dense(8, activation="tanh")         # layers resolve names with get()

Every function takes a Tensor and returns a Tensor of the same shape, built from
minigrad ops, so gradients (and gradients of gradients) flow through it.

    name            formula
    linear          x
    relu            max(x, 0)   (Keras 2 extras: alpha, max_value, threshold)
    relu6           min(max(x, 0), 6)
    leaky_relu      x if x > 0 else negative_slope * x          (Keras 3 name)
    elu             x if x > 0 else alpha * (exp(x) - 1)
    selu            scale * elu(x, alpha), alpha = 1.6732632..., scale = 1.0507009...
    softplus        log(1 + exp(x))
    softsign        x / (|x| + 1)
    swish (silu)    x * sigmoid(x)
    mish            x * tanh(softplus(x))
    gelu            0.5 x (1 + erf(x / sqrt(2)))   (approximate=True: the tanh form)
    sigmoid         1 / (1 + exp(-x))
    hard_sigmoid    clip(0.2 x + 0.5, 0, 1)     (the Keras 2 formula)
    tanh            tanh(x)
    exponential     exp(x)
    softmax         exp(x) / sum(exp(x)) over ``axis`` (rank >= 2)
    log_softmax     x - log(sum(exp(x))) over ``axis``
"""

from __future__ import annotations

from collections.abc import Callable

import minigrad as mg
from layers.object_registration import get_registered_object, registered_by_bare_name
from layers.serialization import get_object, serialize_keras_object
from minigrad import Tensor, as_tensor
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_float

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def linear(x) -> Tensor:
    """The identity: ``x``."""
    return as_tensor(x)


def relu(x, alpha: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Tensor:
    """Rectified linear unit, with Keras 2's optional leak, cap and threshold.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for ``threshold <= x < max_value``,
    ``alpha * (x - threshold)`` otherwise. The defaults give ``max(x, 0)``.

    Args:
        x: a floating Tensor.
        alpha: the slope below the threshold.
        max_value: the saturation value (None: no cap).
        threshold: values below it are damped (or zeroed).

    Returns:
        A Tensor like ``x``.

    Raises:
        ArgumentTypeError: for ``alpha``, ``max_value`` or ``threshold`` that is not a number.
        InvalidArgumentError: for one that is NaN or infinite.
    """
    x = as_tensor(x)
    if alpha == 0 and max_value is None and threshold == 0:  # (the common case: no checks)
        return mg.relu(x)
    alpha = check_float("alpha", alpha, where="relu")
    max_value = check_float("max_value", max_value, allow_none=True, where="relu")
    threshold = check_float("threshold", threshold, where="relu")
    if alpha != 0 and max_value is None and threshold == 0:
        return mg.leaky_relu(x, alpha)
    negative = mg.relu(threshold - x) if alpha != 0 else None
    if threshold != 0:
        y = x * mg.cast(mg.greater(x, threshold), x.dtype)
    else:
        y = mg.relu(x)
    if max_value is not None:
        y = mg.clip(y, 0.0, float(max_value))
    if negative is not None:
        y = y - alpha * negative
    return y


def relu6(x) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return relu(x, max_value=6.0)


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``.

    Raises:
        ArgumentTypeError / InvalidArgumentError: for a ``negative_slope`` that is not a finite number.
    """
    return mg.leaky_relu(as_tensor(x), check_float("negative_slope", negative_slope, where="leaky_relu"))


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Written as ``relu(x) + alpha * (exp(min(x, 0)) - 1)``, so ``exp`` never overflows.

    Raises:
        ArgumentTypeError / InvalidArgumentError: for an ``alpha`` that is not a finite number.
    """
    x = as_tensor(x)
    alpha = check_float("alpha", alpha, where="elu")
    return mg.relu(x) + alpha * (mg.exp(mg.minimum(x, 0.0)) - 1.0)


def selu(x) -> Tensor:
    """Scaled ELU: ``scale * elu(x, alpha)`` with the self-normalizing constants."""
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``."""
    return mg.softplus(as_tensor(x))


def softsign(x) -> Tensor:
    """``x / (|x| + 1)``."""
    x = as_tensor(x)
    return x / (mg.abs(x) + 1.0)


def swish(x) -> Tensor:
    """``x * sigmoid(x)`` (also called SiLU)."""
    x = as_tensor(x)
    return x * mg.sigmoid(x)


silu = swish


def mish(x) -> Tensor:
    """``x * tanh(softplus(x))``."""
    x = as_tensor(x)
    return x * mg.tanh(mg.softplus(x))


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit, ``0.5 x (1 + erf(x / sqrt(2)))`` (see ``minigrad.nn.gelu``).

    Args:
        x: a floating Tensor.
        approximate: use the tanh approximation. Defaults to False, as Keras 3's and
            tf-keras's ``activations.gelu`` (``keras.ops.gelu`` defaults to True).

    Returns:
        A Tensor like ``x``.

    Raises:
        ArgumentTypeError: for an approximate that is not a bool.
    """
    return mg.nn.gelu(as_tensor(x), approximate=approximate)


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return mg.sigmoid(as_tensor(x))


def hard_sigmoid(x) -> Tensor:
    """Piecewise-linear sigmoid (Keras 2): ``clip(0.2 * x + 0.5, 0, 1)``."""
    x = as_tensor(x)
    return mg.clip(0.2 * x + 0.5, 0.0, 1.0)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return mg.tanh(as_tensor(x))


def exponential(x) -> Tensor:
    """``exp(x)``."""
    return mg.exp(as_tensor(x))


def softmax(x, axis=-1) -> Tensor:
    """``exp(x) / sum(exp(x))`` over ``axis`` (an int or a tuple of ints).

    Raises:
        ValueError: for a tensor of rank <= 1 (as Keras 2: the batch axis must not be mixed in).
    """
    x = as_tensor(x)
    if x.ndim <= 1:
        raise InvalidArgumentError(
            f"Cannot apply softmax to a tensor that is 1D. Received input shape {x.shape}: "
            "softmax needs a batch axis, e.g. x[None]."
        )
    return mg.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1) -> Tensor:
    """``x - log(sum(exp(x)))`` over ``axis``: the log of softmax, computed stably."""
    return mg.nn.log_softmax(as_tensor(x), axis=axis)


#: name -> function: what ``get`` resolves and ``serialize`` returns.
ACTIVATIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (linear, relu, relu6, leaky_relu, elu, selu, softplus, softsign, swish, mish,
               gelu, sigmoid, hard_sigmoid, tanh, exponential, softmax, log_softmax)
}
_ALIASES = {"silu": swish}


def serialize(activation) -> str | dict | None:
    """The name of an activation (what a layer's ``get_config`` stores).

    A built-in or any other function gives its ``__name__`` (a custom one is then found
    again through ``custom_objects``); an object with ``get_config`` (an activation
    layer) gives ``{"class_name": ..., "config": ...}``.

    Args:
        activation: a callable or None.

    Returns:
        A name, a dict, or None for None.

    Raises:
        ValueError: for something that is not callable.
    """
    return serialize_keras_object(
        activation,
        "Cannot serialize {obj!r}: an activation must be a function or a name such as 'relu'.",
    )


def deserialize(name, custom_objects: dict | None = None) -> Callable:
    """The activation called ``name`` (or described by a ``serialize`` dict).

    Args:
        name: an activation name such as "relu", or a dict from ``serialize``.
        custom_objects: ``{name: function or class}`` for user-defined activations.

    Returns:
        The function (or a new object, for a dict).

    Raises:
        ValueError: for an unknown name.
    """
    custom_objects = custom_objects or {}
    if isinstance(name, dict):
        class_name, config = name.get("class_name"), name.get("config", {})
        if class_name == "function" and isinstance(config, str):
            return deserialize(config, custom_objects)
        cls = get_registered_object(class_name, custom_objects) if isinstance(class_name, str) else None
        if cls is not None:
            return cls.from_config(config)
        raise InvalidArgumentError(
            f"Unknown activation class: {class_name!r}. Pass it in custom_objects="
            f"{{{class_name!r}: {class_name}}}.")
    found = get_registered_object(name, custom_objects) if isinstance(name, str) else None
    if found is not None:
        return found
    fn = ACTIVATIONS.get(name) or _ALIASES.get(name)
    if fn is None and isinstance(name, str):
        fn = registered_by_bare_name(name)
    if fn is None:
        raise InvalidArgumentError(
            f"Unknown activation function: {name!r}. Use one of {sorted(ACTIVATIONS)}, or pass "
            f"a function (for a config, from_config(config, custom_objects={{{name!r}: fn}}))."
        )
    return fn


def get(identifier) -> Callable:
    """Resolve what a layer's ``activation`` argument can be into a function.

    Args:
        identifier: None (the identity, ``linear``), a name, a ``serialize`` dict, or a callable.

    Returns:
        A callable.

    Raises:
        ValueError: for an unknown name.
        TypeError: for anything else.
    """
    return get_object(
        identifier, deserialize, base_class=None, what="activation function",
        hint="Pass a name such as 'relu', a function, or None.", default=linear,
        error_class=ArgumentTypeError,
    )
