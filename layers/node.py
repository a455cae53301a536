"""Symbolic tensors and nodes: how a functional model remembers its graph.

Calling a layer on a ``KerasTensor`` (what ``layers.Input`` returns) computes
nothing: ``symbolic_call`` records a ``Node`` (this layer was called on these tensors
and produced those) and returns new KerasTensors that point back to it through
``_keras_history = (layer, node_index, tensor_index)``. ``layers.Model`` walks these
links from its outputs back to its inputs. The output shapes come from ``infer_outputs``,
which runs the layer's ``call`` on stand-in zeros.

The node API (``layer.input``, ``get_output_shape_at(i)``, ...) reads the nodes back:
``Layer``'s properties delegate to the functions at the end of this file.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from layers import backend
from layers.nest import flatten, map_structure, pack_as, unwrap_single
from minigrad.errors import InvalidArgumentError
from minigrad.validation import check_int


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
        """The number of axes, the batch axis included."""
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
    """Whether ``x`` is a ``KerasTensor`` (a layer called on it records a Node instead of computing).

    Args:
        x: anything a layer can be called on.

    Returns:
        True for a KerasTensor, False for a Tensor, an array or anything else.
    """
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
        """The shape of each input tensor of the call (None for the batch axis)."""
        return [t.shape for t in self.input_tensors]

    @property
    def output_shapes(self) -> list:
        """The shape of each output tensor of the call (None for the batch axis)."""
        return [t.shape for t in self.output_tensors]

    @property
    def input_masks(self) -> list:
        """The mask of each input tensor of the call (None where it has none)."""
        return [t._keras_mask for t in self.input_tensors]

    @property
    def output_masks(self) -> list:
        """The mask of each output tensor of the call (None where it has none)."""
        return [t._keras_mask for t in self.output_tensors]


# -- symbolic calls ------------------------------------------------------------------------
def symbolic_call(layer, inputs, args: tuple, kwargs: dict):
    """Call ``layer`` on symbolic ``inputs``: record a Node, return its output KerasTensors
    (``Layer.__call__`` hands every call with a KerasTensor among its inputs here)."""
    flat = flatten(inputs)
    layer._check_input_spec(flat, inputs)
    if not layer.built:
        layer._build_for(inputs)
    if "mask" in kwargs:  # an explicit mask wins over the inputs' own masks
        mask = kwargs["mask"]
    else:
        masks = [getattr(t, "_keras_mask", None) for t in flat]
        mask = pack_as(inputs, masks) if any(m is not None for m in masks) else None
        if mask is not None and layer._expects_mask_arg:
            kwargs["mask"] = mask
    outputs, output_mask = infer_outputs(layer, inputs, kwargs, args, mask)
    flat_out = flatten(outputs)
    node = Node(layer, flat, flat_out, kwargs, arguments_structure=(inputs, args))
    layer._inbound_nodes.append(node)
    flat_masks = flatten(output_mask) if output_mask is not None else []
    for i, t in enumerate(flat_out):
        t._keras_history = (layer, len(layer._inbound_nodes) - 1, i)
        t._keras_mask = flat_masks[i] if i < len(flat_masks) else None
    return outputs


def infer_outputs(layer, inputs, kwargs: dict, args=(), mask=None):
    """Shapes, dtypes and masks of the outputs, by running ``call`` on stand-in data.

    Unknown sizes (None) are filled in twice, with different values (batch 1 then 2,
    other axes 32 then 45); an output axis whose size changes between the two runs is
    unknown (None) too. Nothing the runs do is kept: losses and updates are not
    recorded, weights that ``call`` assigns (e.g. moving statistics) are restored, and
    they run in inference mode unless ``training`` was given.

    Returns:
        ``(outputs, output_mask)`` as KerasTensors (the mask may be None).
    """
    kwargs = dict(kwargs)  # the Node keeps the kwargs as given
    args, training = layer._resolve_training(tuple(args), kwargs, shape_inference=True)
    if not layer.built:
        layer._build_for(inputs)
    unknown = any(None in t.shape for t in flatten(inputs) if is_symbolic(t))
    saved = [(w, w.value()) for w in layer.weights]
    with mg.no_recording(), backend.call_frame(layer, training, [], shape_inference=True):
        runs = [_run_on_stand_ins(layer, inputs, mask, args, kwargs, sizes)
                for sizes in ([(1, 32), (2, 45)] if unknown else [(1, 32)])]
    for w, value in saved:
        w.assign(value)

    def symbolic(first, last):
        if first is None:
            return None
        shape = tuple(a if a == b else None for a, b in zip(first.shape, last.shape))
        return KerasTensor(shape, first.dtype)

    (out, out_mask), (out_last, out_mask_last) = runs[0], runs[-1]
    return (pack_as(out, [symbolic(a, b) for a, b in zip(flatten(out), flatten(out_last))]),
            pack_as(out_mask, [symbolic(a, b) for a, b in zip(flatten(out_mask),
                                                              flatten(out_mask_last))]))


def _run_on_stand_ins(layer, inputs, mask, args, kwargs, sizes):
    """One run of ``call`` and ``compute_mask`` with zeros for the symbolic inputs and
    all-True masks; unknown sizes become ``sizes = (batch, other axes)``."""
    def concrete(t, fill=np.zeros):
        if not is_symbolic(t):
            return t
        shape = tuple(s if s is not None else sizes[0] if i == 0 else sizes[1]
                      for i, s in enumerate(t.shape))
        return mg.tensor(fill(shape, dtype=t.dtype), device=layer._device)
    data = layer._cast_inputs(map_structure(concrete, inputs))
    data_mask = map_structure(lambda m: concrete(m, np.ones), mask)
    if "mask" in kwargs:
        kwargs = {**kwargs, "mask": data_mask}
    out = layer._checked_call(data, tuple(args), kwargs)
    return out, layer._output_mask(data, data_mask)


# -- the node API: Layer's input, output, get_input_at(i), ... read the nodes ----------------
def node_attribute(layer, node_index: int, attr: str, what: str):
    """``attr`` (a Node property) of ``layer``'s node ``node_index``, unwrapped if single.

    Raises:
        RuntimeError: if the layer was never called on symbolic inputs.
        InvalidArgumentError: for an index past the nodes.
    """
    node_index = check_int("node_index", node_index, where=f"get_{what.replace(' ', '_')}_at")
    if not layer._inbound_nodes:
        raise RuntimeError(f"The layer {layer.name} has never been called and thus has no "
                           f"defined {what}.")
    if not -len(layer._inbound_nodes) <= node_index < len(layer._inbound_nodes):
        raise InvalidArgumentError(
            f"Asked to get {what} at node {node_index}, but the layer has only "
            f"{len(layer._inbound_nodes)} inbound nodes: pass a `node_index` in "
            f"[-{len(layer._inbound_nodes)}, {len(layer._inbound_nodes)}).")
    return unwrap_single(getattr(layer._inbound_nodes[node_index], attr))


def first_input(layer):
    """``layer.input``: the input tensor(s) of its first symbolic call (AttributeError if none)."""
    if not layer._inbound_nodes:
        raise AttributeError(f"Layer {layer.name} is not connected, no input to return.")
    return layer.get_input_at(0)


def first_output(layer):
    """``layer.output``: the output tensor(s) of its first symbolic call (AttributeError if none)."""
    if not layer._inbound_nodes:
        raise AttributeError(f"Layer {layer.name} has no inbound nodes.")
    return layer.get_output_at(0)


def single_shape(layer, attr: str, what: str):
    """``attr`` (``input_shapes`` / ``output_shapes``) if every node has the same one.

    Raises:
        AttributeError: if the layer was never called or its calls had different shapes.
    """
    if not layer._inbound_nodes:
        raise AttributeError(f"The layer {layer.name} has never been called and thus has no "
                             f"defined {what}.")
    shapes = {repr(getattr(node, attr)) for node in layer._inbound_nodes}
    if len(shapes) != 1:
        raise AttributeError(
            f'The layer "{layer.name}" has multiple inbound nodes, with different {what}s. '
            f'Hence the notion of "{what}" is ill-defined for the layer. Use '
            f"`get_{attr[:-1]}_at(node_index)` instead."
        )
    return unwrap_single(getattr(layer._inbound_nodes[0], attr))


def mask_of(tensors):
    """The ``_keras_mask`` of each tensor, unwrapped if single (None where there is none)."""
    return unwrap_single([t._keras_mask for t in flatten(tensors)])
