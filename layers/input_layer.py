"""InputLayer and Input: where a functional model's graph starts.

``x = layers.Input(shape=(28, 28, 1))`` makes an InputLayer and returns its
symbolic output, a KerasTensor of shape ``(None, 28, 28, 1)``; calling layers
on it records the graph that ``layers.Model(x, y)`` then runs.
"""

from __future__ import annotations

import numbers

from layers import backend
from layers.base import Layer
from layers.node import KerasTensor, Node
from minigrad.errors import InvalidArgumentError
from minigrad.validation import check_int


class InputLayer(Layer):
    """The entry point of a model: it passes its input through unchanged.

    Args:
        input_shape: the shape of one sample (without the batch axis).
        batch_size: the fixed batch size, or None.
        dtype: the dtype of the data (float32 by default).
        batch_input_shape: the full shape, batch axis first (instead of the two above).
        name: the layer's name (``input_1``, ``input_2``, ... by default).

    Raises:
        InvalidArgumentError: (a ValueError) if neither or both of input_shape and
            batch_input_shape are given, or for a shape that is not a sequence of ints >= 0
            / None.
        ArgumentTypeError: (a TypeError) for a batch_size that is not an int or None.
    """

    def __init__(self, input_shape=None, batch_size=None, dtype=None, batch_input_shape=None,
                 name=None, **kwargs):
        if input_shape is None and batch_input_shape is None:
            raise InvalidArgumentError(
                "InputLayer needs input_shape=(...) (one sample's shape) or "
                "batch_input_shape=(batch, ...).")
        if input_shape is not None and batch_input_shape is not None:
            raise InvalidArgumentError(
                "Only provide the input_shape OR batch_input_shape argument to "
                "InputLayer, not both at the same time.")
        batch_size = check_int("batch_size", batch_size, minimum=1, allow_none=True,
                               where="InputLayer")
        if batch_input_shape is None:
            shape = (input_shape,) if isinstance(input_shape, int) else input_shape
            batch_input_shape = (batch_size,) + _check_shape(shape, "input_shape")
        else:
            batch_input_shape = _check_shape(batch_input_shape, "batch_input_shape")
        super().__init__(name=name or f"input_{backend.get_uid('input')}", dtype=dtype,
                         batch_input_shape=batch_input_shape, **kwargs)
        self.built = True
        self.is_placeholder = True
        tensor = KerasTensor(self._batch_input_shape, self.dtype, name=self.name)
        tensor._keras_history = (self, 0, 0)
        self._inbound_nodes.append(Node(self, [tensor], [tensor], {}))  # as Keras: input is output

    def get_config(self) -> dict:
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype,
                "sparse": False, "ragged": False, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        config = {k: v for k, v in config.items() if k not in ("sparse", "ragged")}
        return cls(**config)


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None, **kwargs):  # noqa: N802
    """A symbolic input: ``layers.Input(shape=(4,))`` is a KerasTensor of shape (None, 4).

    Args:
        shape: the shape of one sample, without the batch axis.
        batch_size: a fixed batch size, or None.
        name: the InputLayer's name (``input_1``, ``input_2``, ... by default).
        dtype: the data's dtype (float32 by default).
        batch_shape: the full shape, batch axis first (instead of shape and batch_size);
            ``batch_input_shape`` is accepted as its other name, as in tf.keras.

    Returns:
        The KerasTensor to call layers on.

    Raises:
        InvalidArgumentError: (a ValueError) if neither or both of shape and batch_shape are
            given, for an unknown keyword argument (as tf.keras does), or a bad shape.
        ArgumentTypeError: (a TypeError) for a batch_size that is not an int or None.
    """
    batch_shape = kwargs.pop("batch_input_shape", batch_shape)
    if kwargs:
        raise InvalidArgumentError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    if shape is not None and batch_shape is not None:
        raise InvalidArgumentError(
            "Only provide the `shape` OR `batch_shape` argument to Input, not both "
            "at the same time.")
    if shape is None and batch_shape is None:
        raise InvalidArgumentError(
            "Please provide to Input a `shape` or a `batch_shape` argument. Note "
            "that `shape` does not include the batch dimension.")
    layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                       batch_input_shape=batch_shape)
    return layer._inbound_nodes[0].output_tensors[0]


def _check_shape(shape, name: str) -> tuple:
    """``shape`` as a tuple of ints >= 0 and Nones (unknown sizes).

    Raises:
        InvalidArgumentError: for anything else (a string, a float, a negative size).
    """
    try:
        dims = None if isinstance(shape, (str, bytes)) else tuple(shape)
    except TypeError:
        dims = None
    if dims is None or any(d is not None and (isinstance(d, bool) or not isinstance(d, numbers.Integral)
                                              or d < 0) for d in dims):
        raise InvalidArgumentError(
            f"InputLayer: `{name}` must be a tuple of ints >= 0 or None (unknown size), got "
            f"{shape!r}. Pass e.g. shape=(28, 28, 1) for one sample (no batch axis).")
    return tuple(None if d is None else int(d) for d in dims)
