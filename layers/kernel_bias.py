"""The arguments Dense and Conv2D share: an activation, a kernel and an optional bias.

Both layers take ``activation, use_bias`` and an initializer, regularizer and constraint
for each of the kernel and the bias, resolve them the same way and write them into their
config in Keras's order; the two functions here do that once for both.
"""

from __future__ import annotations

from layers import activations, constraints, initializers, regularizers
from minigrad.validation import check_bool


def set_kernel_bias_arguments(layer, activation, use_bias, kernel_initializer, bias_initializer,
                              kernel_regularizer, bias_regularizer, kernel_constraint,
                              bias_constraint) -> None:
    """Resolve the arguments (names, config dicts or objects) and store them on ``layer``.

    Raises:
        ArgumentTypeError: for a ``use_bias`` that is not a bool (``"False"`` would read as
            True), or an activation of the wrong kind.
        InvalidArgumentError: for an unknown name.
    """
    layer.activation = activations.get(activation)
    layer.use_bias = check_bool("use_bias", use_bias, where=type(layer).__name__)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def kernel_bias_config(layer) -> dict:
    """The serialized arguments, in the order Keras writes them (activity_regularizer included)."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        "kernel_initializer": initializers.serialize(layer.kernel_initializer),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
        "kernel_constraint": constraints.serialize(layer.kernel_constraint),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }
