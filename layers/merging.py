"""Merging layers: Add, Multiply and Concatenate, called on a list of tensors.

    x = layers.Input(shape=(16,))
    y = layers.Dense(16, activation="relu")(x)
    out = layers.Add()([x, y])                    # a residual connection

    Add          y = x_1 + x_2 + ... + x_n          (elementwise, NumPy broadcasting)
    Multiply     y = x_1 * x_2 * ... * x_n
    Concatenate  y = concatenate([x_1, ..., x_n], axis)

As in Keras (tf-keras 2.x, ``layers/merging/base_merge.py``): the inputs must share their
batch size; the other axes, aligned from the right, must be equal or 1 (an input of lower rank
gets length-1 axes inserted after the batch axis). Concatenate needs equal sizes on every
axis but ``axis``. The output mask is the logical AND of the input masks (None if none has one).
"""

from __future__ import annotations

import minigrad as mg
from layers.base import Layer
from minigrad.errors import InvalidArgumentError
from minigrad.validation import check_axis, check_broadcastable, check_int


def _shape_list(layer, input_shape) -> list:
    """The list of input shapes, or an error saying that a merge layer takes a list."""
    if not isinstance(input_shape, (list, tuple)) or not input_shape or \
            not all(isinstance(s, (list, tuple)) for s in input_shape):
        raise InvalidArgumentError(
            f"{type(layer).__name__} layer {layer.name!r} should be called on a list of at least "
            f"1 input, got input_shape={input_shape}. Pass a list of tensors, e.g. "
            f"{type(layer).__name__}()([x, y])."
        )
    return [tuple(s) for s in input_shape]


def _check_list(layer, inputs) -> None:
    if not isinstance(inputs, (list, tuple)):
        raise InvalidArgumentError(
            f"{type(layer).__name__} layer {layer.name!r} should be called on a list of inputs, "
            f"got one tensor of shape {getattr(inputs, 'shape', None)}. Pass a list, e.g. "
            f"{type(layer).__name__}()([x, y])."
        )


def _check_batch_sizes(layer, shapes: list) -> None:
    batch_sizes = {s[0] for s in shapes if s} - {None}
    if len(batch_sizes) > 1:
        raise InvalidArgumentError(
            f"{type(layer).__name__}: cannot merge tensors with different batch sizes. Got tensors "
            f"with shapes {shapes}. Give every input the same first (batch) axis."
        )


def _mask_list(inputs, mask):
    """Keras's checks of a merge layer's masks: None, or a list with one entry per input."""
    if mask is None:
        return None
    if not isinstance(mask, (list, tuple)) or not isinstance(inputs, (list, tuple)) \
            or len(mask) != len(inputs):
        raise InvalidArgumentError(
            f"a merge layer's `mask` must be a list with one entry (or None) per input, got "
            f"mask={mask!r} for {len(inputs) if isinstance(inputs, (list, tuple)) else 1} input(s)."
        )
    if all(m is None for m in mask):
        return None
    return [None if m is None else mg.tensor(m) if not isinstance(m, mg.Tensor) else m for m in mask]


class _Merge(Layer):
    """Base class of the elementwise merges: shape checks, rank alignment, masks.

    A subclass implements ``_merge_function(inputs)`` on a list of tensors of equal rank.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _elementwise_shape(self, shape1, shape2) -> tuple:
        """The broadcast shape of two shapes without the batch axis (None: unknown size).

        Raises:
            InvalidArgumentError: for sizes that are neither equal nor 1.
        """
        if len(shape1) < len(shape2):
            return self._elementwise_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        output = list(shape1[: len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                output.append(None)
            elif i == 1 or j == 1:
                output.append(j if i == 1 else i)
            elif i != j:
                raise InvalidArgumentError(
                    f"{type(self).__name__}: inputs have incompatible shapes. Received shapes "
                    f"{tuple(shape1)} and {tuple(shape2)} (without the batch axis). Aligned from "
                    "the right, each pair of sizes must be equal or one of them 1: reshape an "
                    "input, or project it with a Dense/Conv2D layer to the other's size."
                )
            else:
                output.append(i)
        return tuple(output)

    def build(self, input_shape) -> None:
        shapes = _shape_list(self, input_shape)
        _check_batch_sizes(self, shapes)
        output_shape = shapes[0][1:]
        for shape in shapes[1:]:
            output_shape = self._elementwise_shape(output_shape, shape[1:])
        self._reshape_required = len({len(s) for s in shapes}) > 1
        self.built = True

    def call(self, inputs):
        _check_list(self, inputs)
        if self._reshape_required:  # insert axes after the batch axis until the ranks agree
            rank = max(x.ndim for x in inputs)
            inputs = [x if x.ndim == rank else mg.reshape(x, (x.shape[0],) + (1,) * (rank - x.ndim)
                                                          + tuple(x.shape[1:]))
                      for x in inputs]
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs: list):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        """The AND of the inputs' masks (None when no input has one)."""
        masks = _mask_list(inputs, mask)
        if masks is None:
            return None
        present = [m for m in masks if m is not None]
        shape = check_broadcastable({f"mask[{i}]": m.shape for i, m in enumerate(masks)
                                     if m is not None}, where=type(self).__name__)
        return mg.all(mg.stack([mg.broadcast_to(m, shape) for m in present]), axis=0)


class Add(_Merge):
    """Adds a list of inputs elementwise: ``x_1 + ... + x_n`` (all of one shape, or broadcastable).

    >>> a, b = layers.Input(shape=(4,)), layers.Input(shape=(4,))
    >>> layers.Add()([a, b]).shape
    (None, 4)

    Args:
        **kwargs: the standard layer arguments (name, dtype, trainable).

    Raises:
        InvalidArgumentError: when called on one tensor instead of a list, on inputs with
            different batch sizes or on shapes that do not broadcast.
    """

    def _merge_function(self, inputs: list):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise: ``x_1 * ... * x_n`` (see ``Add`` for the rules).

    Args:
        **kwargs: the standard layer arguments (name, dtype, trainable).

    Raises:
        InvalidArgumentError: as ``Add``.
    """

    def _merge_function(self, inputs: list):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Concatenate(_Merge):
    """Concatenates a list of inputs along ``axis``; the other axes must be equal.

    >>> a, b = layers.Input(shape=(4, 3)), layers.Input(shape=(4, 5))
    >>> layers.Concatenate()([a, b]).shape
    (None, 4, 8)

    Args:
        axis: the axis to join along (negative counts from the end). Defaults to -1.
        **kwargs: the standard layer arguments (name, dtype, trainable).

    Raises:
        ArgumentTypeError: for an axis that is not an int.
        InvalidArgumentError: when called on one tensor, for an axis outside the inputs' rank,
            or for inputs whose shapes differ on an axis other than ``axis`` (None sizes are
            not compared).
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_int("axis", axis, where="Concatenate")

    def build(self, input_shape) -> None:
        shapes = _shape_list(self, input_shape)
        _check_batch_sizes(self, shapes)
        ranks = {len(s) for s in shapes}
        error = InvalidArgumentError(
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis (axis={self.axis}). Received: input_shape={shapes}. Make the "
            "other axes agree (e.g. with Reshape), or concatenate along another axis."
        )
        if len(ranks) != 1:
            raise error
        rank = ranks.pop()
        axis = check_axis("axis", self.axis, rank, where="Concatenate")
        for i in range(rank):
            sizes = {s[i] for s in shapes if s[i] is not None}
            if i != axis and len(sizes) > 1:
                raise error
        self.built = True

    def _merge_function(self, inputs: list):
        return mg.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras's rule: each input's mask (all True where it has none), joined along ``axis``,
        true where every entry of the last axis is."""
        masks = _mask_list(inputs, mask)
        if masks is None:
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                m = mg.ones_like(x, dtype="bool")
            elif m.ndim < x.ndim:
                m = mg.expand_dims(m, -1)
            full.append(m)
        return mg.all(mg.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
