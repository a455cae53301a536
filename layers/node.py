"""Symbolic tensors and nodes: how a functional model remembers its graph.

Calling a layer on a ``KerasTensor`` (what ``layers.Input`` returns) computes
nothing: it records a ``Node`` (this layer was called on these tensors and
produced those) and returns new KerasTensors that point back to it through
``_keras_history = (layer, node_index, tensor_index)``. ``layers.Model``
walks these links from its outputs back to its inputs.
"""

from __future__ import annotations

import numpy as np


class KerasTensor:
    """A symbolic tensor: a shape (None for the batch axis), a dtype and where it came from.

    Args:
        shape: a tuple whose entries are ints or None.
        dtype: the dtype it will have when real data flows.
        name: a readable name.
    """

    def __init__(self, shape, dtype="float32", name: str | None = None):
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        self.name = name
        self._keras_history = None  # (layer, node_index, tensor_index)
        self._keras_mask = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        layer = self._keras_history[0].name if self._keras_history else None
        return f"<KerasTensor shape={self.shape} dtype={self.dtype} (created by layer {layer!r})>"

    def __bool__(self):
        raise TypeError(
            "a symbolic KerasTensor has no value: it only describes what a functional model "
            "will compute. Build the model with layers.Model(inputs, outputs) and call it on data."
        )


def is_symbolic(x) -> bool:
    return isinstance(x, KerasTensor)


class Node:
    """One call of ``layer`` on symbolic inputs.

    Attributes:
        layer: the layer that was called.
        input_tensors / output_tensors: lists of KerasTensors.
        call_kwargs: the other arguments of the call (``training``, ``mask``, ...).
    """

    def __init__(self, layer, input_tensors: list, output_tensors: list, call_kwargs: dict,
                 arguments_structure=None):
        self.layer = layer
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        self.call_kwargs = dict(call_kwargs)
        self.inputs_structure = arguments_structure  # how the inputs were nested (for replay)

    @property
    def is_input(self) -> bool:
        """True for an InputLayer's node, whose input tensor is its output: the graph starts here."""
        return getattr(self.layer, "is_placeholder", False)

    @property
    def inbound_layers(self) -> list:
        """The layers that made this node's inputs ([] for an InputLayer's node)."""
        if self.is_input:
            return []
        return [t._keras_history[0] for t in self.input_tensors if t._keras_history]

    @property
    def input_shapes(self) -> list:
        return [t.shape for t in self.input_tensors]

    @property
    def output_shapes(self) -> list:
        return [t.shape for t in self.output_tensors]

    @property
    def input_masks(self) -> list:
        return [t._keras_mask for t in self.input_tensors]

    @property
    def output_masks(self) -> list:
        return [t._keras_mask for t in self.output_tensors]
