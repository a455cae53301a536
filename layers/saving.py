"""Saving models: configs (to rebuild the architecture) and weight files (to restore values).

A layer's config is ``{"class_name": ..., "config": layer.get_config()}``; a functional
model's config lists its layers, each with the nodes it was called on, in Keras's format
(``[layer_name, node_index, tensor_index, kwargs]`` references), so that the graph can be
rebuilt by calling new layers in the same way. Weights go to an ``.npz`` file, one array
per weight in ``model.weights`` order (``layers.weights_file`` reads and writes it).

    config = serialize_layer(model)          # model_from_config(config) rebuilds it
    save_weights(model, "w.npz")             # Model.save_weights / load_weights call these
    load_weights(model, "w.npz")
    save_model(model, "m.keras")             # the whole model (layers.keras_file): model.save
    load_model("m.keras", custom_objects={"MyLayer": MyLayer})

Classes of your own are found by ``custom_objects`` or by ``@register_keras_serializable()``
(``layers.object_registration``, re-exported here as in ``keras.saving``).
"""

from __future__ import annotations

import importlib
import inspect
import json
from typing import TYPE_CHECKING

import numpy as np

import minigrad as mg
from layers.base import Layer
from layers.input_layer import InputLayer
from layers.nest import flatten, map_structure, pack_as, unwrap_single
from layers.node import is_symbolic
from layers.object_registration import (  # noqa: F401 - register_keras_serializable & co. live here too
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    registered_by_bare_name,
)
from layers.weights_file import load_weights, save_weights  # the .npz format lives there
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, UnknownObjectError

if TYPE_CHECKING:  # for annotations only: layers.models imports this module
    from layers.models import Model

# where from_config looks for layer classes after custom_objects and the layers package
_LAYER_MODULES = ("layers.core", "layers.convolutional", "layers.pooling", "layers.normalization",
                  "layers.input_layer")


# -- layers as configs -----------------------------------------------------------------------
def serialize_layer(layer) -> dict:
    """``{"class_name": ..., "config": layer.get_config()}``, plus ``"registered_name"`` for a
    class registered with ``register_keras_serializable`` (``"package>MyLayer"``)."""
    data = {"class_name": _class_name(layer), "config": layer.get_config()}
    registered_name = get_registered_name(type(layer))
    if registered_name != type(layer).__name__:
        data["registered_name"] = registered_name
    return data


def deserialize_layer(data: dict, custom_objects: dict | None = None) -> Layer:
    """A new layer (or model) from ``{"class_name", "config"}``.

    Raises:
        UnknownObjectError: (a ValueError) for an unknown class name.
        InvalidArgumentError: (a ValueError) for a malformed dict.
    """
    if not isinstance(data, dict) or "class_name" not in data:
        raise InvalidArgumentError(
            f"A layer config must be a dict with 'class_name' and 'config'; got {data!r}. Pass "
            "what serialize_layer(layer) or model.get_config() wrapped that way returns, e.g. "
            "{'class_name': 'Dense', 'config': {'units': 2}}.")
    if not isinstance(data["class_name"], str):
        raise InvalidArgumentError(f"A layer config's 'class_name' must be a class name (a string), "
                                   f"got {data['class_name']!r}. Pass e.g. 'class_name': 'Dense'.")
    cls = _find_class(data["class_name"], custom_objects, data.get("registered_name"))
    config = data.get("config", {})
    if not isinstance(config, (dict, list)):
        raise InvalidArgumentError(
            f"The 'config' of layer class {data['class_name']!r} must be a dict (get_config()'s "
            f"result), got {config!r}.")
    config = dict(config) if isinstance(config, dict) else list(config)
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)
    return cls.from_config(config)


def model_from_config(config: dict, custom_objects: dict | None = None) -> Layer:
    """A model (or layer) from ``{"class_name", "config"}``, e.g. ``serialize_layer(model)``."""
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Layer:
    """A model from ``model.to_json()``.

    Raises:
        ArgumentTypeError: (a TypeError) if ``json_string`` is not a string.
        InvalidArgumentError: (a ValueError) if it is not JSON, or not a model's config.
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise ArgumentTypeError(f"model_from_json: `json_string` must be a string (model.to_json()'s "
                                f"result), got {type(json_string).__name__}.")
    try:
        data = json.loads(json_string)
    except json.JSONDecodeError as exc:
        raise InvalidArgumentError(f"model_from_json: `json_string` is not JSON ({exc}). Pass the "
                                   "string that model.to_json() returned.") from exc
    return deserialize_layer(data, custom_objects)


def to_json(layer, **kwargs) -> str:
    """``serialize_layer(layer)`` as JSON (NumPy values made plain); kwargs go to ``json.dumps``."""
    return json.dumps(serialize_layer(layer), default=_json_default, **kwargs)


def _class_name(layer) -> str:
    """The class name a config records: "Functional" for a plain functional ``Model``."""
    from layers.models import Model  # here, not at the top: layers.models imports this module

    if type(layer) is Model and layer._is_graph_network:
        return "Functional"
    return type(layer).__name__


def _find_class(class_name: str, custom_objects: dict | None, registered_name: str | None = None):
    """The layer class a config names (``layers.object_registration`` states the lookup order).

    Raises:
        UnknownObjectError: (a ValueError) if no class has that name.
    """
    from layers.models import Model, Sequential  # here, not at the top: layers.models imports this module

    for name in (registered_name, class_name):
        found = get_registered_object(name, custom_objects) if isinstance(name, str) else None
        if found is not None:
            return found
    if class_name in ("Functional", "Model"):
        return Model
    if class_name == "Sequential":
        return Sequential
    import layers as package  # noqa: PLC0415 - the package imports this module

    found = getattr(package, class_name, None)
    if isinstance(found, type) and issubclass(found, Layer):
        return found
    for module_name in _LAYER_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, class_name, None)
        if isinstance(found, type) and issubclass(found, Layer):
            return found
    found = registered_by_bare_name(class_name) if isinstance(class_name, str) else None
    if found is not None:
        return found
    shown = registered_name or class_name
    raise UnknownObjectError(
        f"Unknown layer: '{shown}'. It is not a layers.* class, and no class of that name was "
        f"registered or passed in custom_objects. Either pass your class when loading, "
        f"custom_objects={{'{class_name}': {class_name}}}, or decorate its definition with "
        "@layers.saving.register_keras_serializable() (and run that definition before loading).")


def _json_default(obj):
    """NumPy scalars, arrays and dtypes as plain JSON values."""
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.dtype):
        return obj.name
    raise TypeError(f"{obj!r} of type {type(obj).__name__} is not JSON serializable.")


# -- functional configs ---------------------------------------------------------------------
def functional_config(model: Model) -> dict:
    """The config of a functional model, in Keras's format."""
    kept = {}  # id(node) -> its index among the layer's nodes that belong to this model
    for layer in model.layers:
        count = 0
        for node in layer._inbound_nodes:
            if id(node) in model._network_nodes:
                kept[id(node)] = count
                count += 1

    def ref(t) -> list:
        layer, node_index, tensor_index = t._keras_history
        return [layer.name, kept.get(id(layer._inbound_nodes[node_index]), 0), tensor_index]

    layer_configs = []
    for layer in model.layers:
        inbound = []
        if not isinstance(layer, InputLayer):
            for node in layer._inbound_nodes:
                if id(node) in model._network_nodes:
                    inbound.append(_serialize_node(node, ref))
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = inbound
        layer_configs.append(entry)

    def ends(nested):
        packed = pack_as(nested, [ref(t) for t in flatten(nested)])
        return [packed] if is_symbolic(nested) else packed
    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": ends(model._nested_inputs), "output_layers": ends(model._nested_outputs)}


def _serialize_node(node, ref) -> list:
    """One call of a layer: its inputs as ``[layer, node, tensor, kwargs]``, nested as called."""
    layer = node.layer
    structure, args = node.inputs_structure if node.inputs_structure is not None else (
        unwrap_single(node.input_tensors), ())
    kwargs = {k: v for k, v in node.call_kwargs.items() if k != "mask"}
    if args:
        names = list(inspect.signature(layer.call).parameters)[1:]
        if len(args) > len(names):
            raise TypeError(f"Layer {layer.name} was called with {len(args)} extra positional arguments "
                            "that cannot be named in a config.")
        kwargs.update(zip(names, args))

    def encode(value):
        if is_symbolic(value):
            return ref(value)
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, mg.Tensor):
            return value.numpy().tolist()
        return value
    kwargs = map_structure(encode, kwargs)
    try:
        json.dumps(kwargs, default=_json_default)
    except TypeError as exc:
        raise TypeError(f"Layer {layer.name} was passed non-JSON-serializable arguments {kwargs}: the model "
                        "cannot be described by a config.") from exc
    data = map_structure(lambda t: ref(t) + [kwargs], structure)
    return [data] if is_symbolic(structure) else data


def reconstruct_graph(config: dict, custom_objects: dict | None) -> tuple:
    """Make the layers of a functional config and call them as its nodes say (Keras's order)."""
    created, pending = {}, {}
    for layer_data in config["layers"]:
        name = layer_data.get("name", layer_data.get("config", {}).get("name"))
        created[name] = deserialize_layer(layer_data, custom_objects)
        pending[name] = list(layer_data.get("inbound_nodes", []))
    node_map, counts = {}, dict.fromkeys(created, 0)

    def tensor(data):
        name, node_index, tensor_index = data[0], int(data[1]), int(data[2])
        if name not in created:
            raise InvalidArgumentError(
                f"The model config refers to layer {name!r}, which it does not define.")
        layer = created[name]
        index = 0 if isinstance(layer, InputLayer) else node_map.get((name, node_index))
        if index is None:
            raise LookupError(name)  # not made yet: try again later
        return layer._inbound_nodes[index].output_tensors[tensor_index]

    def process(name, node_data) -> bool:
        leaves = []
        _map_refs(leaves.append, node_data)
        kwargs = next((leaf[3] for leaf in leaves if len(leaf) == 4 and leaf[3]), {})
        try:
            inputs = _map_refs(tensor, node_data)
            kwargs = {k: _map_refs(tensor, v) for k, v in kwargs.items()}
        except LookupError:
            return False
        if isinstance(inputs, list) and len(inputs) == 1:
            inputs = inputs[0]
        layer = created[name]
        layer(inputs, **kwargs)
        node_map[(name, counts[name])] = len(layer._inbound_nodes) - 1
        counts[name] += 1
        return True

    while any(pending.values()):
        progressed = False
        for name, queue in pending.items():
            while queue and process(name, queue[0]):
                queue.pop(0)
                progressed = True
        if not progressed:
            stuck = sorted(name for name, queue in pending.items() if queue)
            raise InvalidArgumentError(
                f"Inconsistent model config: the inputs of layers {stuck} can never be computed.")

    def ends(data):
        if _is_tensor_ref(data):
            return tensor(data)
        return _map_refs(tensor, data)
    return ends(config["input_layers"]), ends(config["output_layers"])


def _is_tensor_ref(data) -> bool:
    """Whether ``data`` is a ``[layer_name, node_index, tensor_index(, kwargs)]`` reference."""
    return (isinstance(data, (list, tuple)) and len(data) in (3, 4) and isinstance(data[0], str)
            and isinstance(data[1], (int, np.integer)) and isinstance(data[2], (int, np.integer)))


def _map_refs(fn, data):
    """Apply ``fn`` to each ``[layer_name, node_index, tensor_index(, kwargs)]`` in a nest."""
    if _is_tensor_ref(data):
        return fn(data)
    if isinstance(data, dict):
        return {k: _map_refs(fn, v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_map_refs(fn, item) for item in data]
    return data


# at the bottom: layers.keras_file builds on the functions above
from layers.keras_file import load_model, save_model  # noqa: E402

__all__ = ["serialize_layer", "deserialize_layer", "model_from_config", "model_from_json", "to_json",
           "functional_config", "reconstruct_graph", "save_weights", "load_weights", "save_model",
           "load_model", "register_keras_serializable", "custom_object_scope", "CustomObjectScope",
           "get_registered_name", "get_registered_object", "get_custom_objects"]
