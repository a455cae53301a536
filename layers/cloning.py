"""``clone_model``: the same architecture made of new layers, with new weights (Keras's semantics).

Each layer is cloned with ``clone_function`` (by default ``cls.from_config(layer.get_config())``,
so its weights are made afresh by its initializers: nothing is copied), then the graph is
called again on new inputs: a Sequential model stacks the clones, a functional model calls
each clone as its original was called, node by node (a layer used twice is cloned once and
called twice). A subclassed model keeps its structure in ``call``, which cannot be replayed:
``clone_model`` refuses it, as Keras 2 does. To copy the weights too::

    twin = layers.models.clone_model(model)
    twin.set_weights(model.get_weights())
"""

from __future__ import annotations

from layers.base import Layer
from layers.input_layer import InputLayer
from layers.models import Model, Sequential
from layers.nest import flatten, map_structure, pack_as, unwrap_single
from layers.node import is_symbolic
from layers.object_registration import CustomObjectScope
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


def clone_model(model: Model, input_tensors=None, clone_function=None) -> Model:
    """A new model of the same architecture, with new layers and freshly initialized weights.

    Args:
        model: a Sequential or functional ``layers.Model``.
        input_tensors: None (new ``Input`` layers like the model's), or ``layers.Input``
            tensors to build the clone on: one per model input, nested as a list.
        clone_function: ``layer -> new layer``, called on every layer but the InputLayers
            (None: ``type(layer).from_config(layer.get_config())``). Returning the layer itself
            shares it (and its weights) with the original.

    Returns:
        A model of the same class (Sequential, or a functional Model) and name.

    Raises:
        ArgumentTypeError: for a ``model`` that is not a ``layers.Model``, a ``clone_function``
            that is not callable or returns something other than a Layer, or ``input_tensors``
            that are not ``layers.Input`` tensors.
        InvalidArgumentError: for a subclassed model (its structure lives in ``call``), or
            another number of ``input_tensors`` than the model has inputs.
    """
    if not isinstance(model, Model):
        raise ArgumentTypeError(f"clone_model: `model` must be a layers.Model, got {type(model).__name__}. "
                                "Clone a single layer with type(layer).from_config(layer.get_config()).")
    if clone_function is not None and not callable(clone_function):
        raise ArgumentTypeError(f"clone_model: `clone_function` must be a function layer -> new layer, "
                                f"got {clone_function!r}.")
    if not isinstance(model, Sequential) and not model._is_graph_network:
        raise InvalidArgumentError(
            f"clone_model: expected a Sequential or functional model, but {model.name!r} is a subclassed "
            f"model ({type(model).__name__}): its structure lives in call(), which cannot be replayed. "
            f"Make a new one with {type(model).__name__}.from_config(model.get_config()) (after "
            "overriding get_config), or build the model with the functional API.")
    inputs = _checked_input_tensors(model, input_tensors)
    known = {type(layer).__name__: type(layer) for layer in model._flatten_layers()}
    with CustomObjectScope(known):  # nested models' configs name these classes
        if isinstance(model, Sequential):
            return _clone_sequential(model, inputs, clone_function)
        return _clone_functional(model, inputs, clone_function)


def _default_clone(layer: Layer) -> Layer:
    return type(layer).from_config(layer.get_config())


def _clone(layer: Layer, clone_function) -> Layer:
    clone = (clone_function or _default_clone)(layer)
    if not isinstance(clone, Layer):
        raise ArgumentTypeError(f"clone_model: `clone_function` must return a Layer, but for layer "
                                f"{layer.name!r} it returned {clone!r}.")
    return clone


def _checked_input_tensors(model: Model, input_tensors):
    """``input_tensors`` as a list of ``layers.Input`` tensors, one per model input (or None)."""
    if input_tensors is None:
        return None
    flat = flatten(input_tensors)
    for t in flat:
        if not is_symbolic(t) or t._keras_history is None or not isinstance(t._keras_history[0], InputLayer):
            raise ArgumentTypeError(f"clone_model: `input_tensors` must be layers.Input(...) tensors, got "
                                    f"{t!r}. Make them with layers.Input(shape=...).")
    expected = len(model._inputs_list) if model._is_graph_network else 1
    if len(flat) != expected:
        raise InvalidArgumentError(f"clone_model: model {model.name!r} has {expected} input(s), but "
                                   f"{len(flat)} input_tensors were given. Pass one layers.Input per input.")
    return flat


def _clone_sequential(model: Sequential, inputs, clone_function) -> Sequential:
    stack = [_clone(layer, clone_function) for layer in model.layers]
    if inputs is not None:
        stack.insert(0, inputs[0])
    elif model._input_layer is not None:
        stack.insert(0, InputLayer.from_config(model._input_layer.get_config()))
    return Sequential(stack, name=model.name)


def _clone_functional(model: Model, inputs, clone_function) -> Model:
    """Call each clone as its original was called, each layer's nodes in their original order
    (so that the clone's config, which numbers them, is the original's)."""
    if inputs is None:
        inputs = [InputLayer.from_config(t._keras_history[0].get_config())._inbound_nodes[0].output_tensors[0]
                  for t in model._inputs_list]
    values = {id(ref): new for ref, new in zip(model._inputs_list, inputs)}
    pending = {id(layer): [node for node in layer._inbound_nodes if id(node) in model._network_nodes]
               for layer in model.layers if not isinstance(layer, InputLayer)}
    clones = {id(layer): _clone(layer, clone_function) for layer in model.layers
              if not isinstance(layer, InputLayer)}
    progressed = True
    while progressed:
        progressed = False
        for layer_id, queue in pending.items():
            while queue and all(id(t) in values for t in queue[0].input_tensors):
                _call_like(clones[layer_id], queue.pop(0), values)
                progressed = True
    outputs = pack_as(model._nested_outputs, [values[id(t)] for t in model._outputs_list])
    return Model(pack_as(model._nested_inputs, inputs), outputs, name=model.name)


def _call_like(clone: Layer, node, values: dict) -> None:
    """Call ``clone`` as ``node`` called its layer, on the new tensors in ``values``; store its outputs."""
    def new(t):
        return values[id(t)] if is_symbolic(t) else t
    structure, args = node.inputs_structure or (unwrap_single(node.input_tensors), ())
    kwargs = {k: map_structure(new, v) for k, v in node.call_kwargs.items() if k != "mask"}
    outputs = clone(map_structure(new, structure), *map_structure(new, tuple(args)), **kwargs)
    for ref, output in zip(node.output_tensors, flatten(outputs)):
        values[id(ref)] = output


__all__ = ["clone_model"]
