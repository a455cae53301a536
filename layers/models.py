"""Models: ``Model`` (functional graphs and subclassed models) and ``Sequential``.

Three ways to make a model, as in tf.keras:

    # functional: call layers on symbolic Inputs, then name the ends of the graph
    inputs = layers.Input(shape=(2,))
    x = layers.Dense(64, activation="relu")(inputs)
    model = layers.Model(inputs, layers.Dense(3)(x))

    # Sequential: a stack of single-input, single-output layers
    model = layers.Sequential([layers.Dense(64, activation="relu", input_shape=(2,)), layers.Dense(3)])

    # subclassed: layers as attributes, the computation in call()
    class MLP(layers.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = layers.Dense(64, activation="relu"), layers.Dense(3)
        def call(self, x):
            return self.out(self.hidden(x))

A functional model remembers the graph: walking ``_keras_history`` back from the
outputs finds every node (one call of a layer), which are then ordered by depth
(the longest path to an output) and replayed on real tensors in ``call``. Every model
is a Layer (models nest) and a ``Trainer`` (compile / fit / evaluate / predict).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import tempfile

import numpy as np

import minigrad as mg
from layers import backend
from layers.base import Layer
from layers.input_layer import Input, InputLayer
from layers.nest import flatten, map_structure, pack_as, unwrap_single
from layers.node import KerasTensor, is_symbolic
from layers.training import Trainer

# where from_config looks for layer classes after custom_objects and the layers package
_LAYER_MODULES = ("layers.core", "layers.convolutional", "layers.pooling", "layers.normalization",
                  "layers.input_layer")
_WEIGHT_KEY = re.compile(r"^(\d+):(.*)$")


class Model(Trainer, Layer):
    """A model: layers joined into a graph, with training (``compile``, ``fit``, ...).

    ``Model(inputs, outputs, name=None)`` makes a functional model from symbolic tensors
    (``layers.Input`` and what layers returned when called on them); inputs and outputs
    may be single tensors, lists or dicts. ``Model(name=None)`` (no inputs/outputs), used
    by subclasses that define ``call``, makes a subclassed model.

    Args:
        inputs: the model's ``layers.Input`` tensor(s).
        outputs: the tensor(s) the model returns.
        name: the model's name ("model", "model_1", ... by default).
        trainable: whether its weights are trained.

    Raises:
        ValueError: if the graph does not lead from the inputs to the outputs, an input is
            not from ``layers.Input``, or two layers have the same name.
    """

    def __init__(self, *args, **kwargs):
        self._init_trainer()
        self._is_graph_network = False
        functional = (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
                      or ("inputs" in kwargs and "outputs" in kwargs))
        if functional:
            inputs = args[0] if args else kwargs.pop("inputs")
            outputs = args[1] if len(args) > 1 else kwargs.pop("outputs")
            unknown = set(kwargs) - {"name", "trainable"}
            if unknown:
                raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]!r} "
                                "(Model(inputs, outputs, name=None, trainable=True)).")
            Layer.__init__(self, name=kwargs.get("name"), trainable=kwargs.get("trainable", True))
            self._init_graph_network(inputs, outputs)
            return
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise ValueError("A functional Model needs both inputs and outputs: Model(inputs, outputs). "
                             "A subclassed model passes neither and defines call().")
        Layer.__init__(self, **kwargs)

    # -- the functional graph ------------------------------------------------------------
    def _init_graph_network(self, inputs, outputs) -> None:
        """Record the graph from ``inputs`` to ``outputs``: its nodes by depth and its layers."""
        if isinstance(inputs, list) and len(flatten(inputs)) == 1:
            inputs = inputs[0]
        if isinstance(outputs, list) and len(flatten(outputs)) == 1:
            outputs = outputs[0]
        flat_inputs, flat_outputs = flatten(inputs), flatten(outputs)
        _check_graph_ends(self.name, flat_inputs, flat_outputs)
        nodes_by_depth, layers = _map_graph(flat_inputs, flat_outputs)
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self._inputs_list, self._outputs_list = flat_inputs, flat_outputs
        self._nodes_by_depth = nodes_by_depth
        self._network_nodes = {id(node) for nodes in nodes_by_depth.values() for node in nodes}
        self._run_order = [node for depth in sorted(nodes_by_depth, reverse=True)
                           for node in nodes_by_depth[depth] if not _is_input_node(node)]
        self._tracked_layers = list(layers)
        self._is_graph_network = True
        self._autocast = False  # each layer casts its own inputs
        self.built = True
        self.input_names = [t._keras_history[0].name for t in flat_inputs]
        self.output_names = _unique_output_names([t._keras_history[0] for t in flat_outputs])

    @property
    def inputs(self):
        """The list of input KerasTensors (None for a subclassed or not yet built model)."""
        return list(self._inputs_list) if self._is_graph_network else None

    @property
    def outputs(self):
        """The list of output KerasTensors (None for a subclassed or not yet built model)."""
        return list(self._outputs_list) if self._is_graph_network else None

    @property
    def input(self):
        """The model's input tensor(s), nested as given to the constructor."""
        if self._is_graph_network:
            return self._nested_inputs
        return Layer.input.fget(self)

    @property
    def output(self):
        """The model's output tensor(s), nested as given to the constructor."""
        if self._is_graph_network:
            return self._nested_outputs
        return Layer.output.fget(self)

    @property
    def input_shape(self):
        if self._is_graph_network:
            return map_structure(lambda t: t.shape, self._nested_inputs)
        return Layer.input_shape.fget(self)

    @property
    def output_shape(self):
        if self._is_graph_network:
            return map_structure(lambda t: t.shape, self._nested_outputs)
        return Layer.output_shape.fget(self)

    @property
    def layers(self) -> list:
        """The model's layers: graph order for functional models (InputLayers included)."""
        return list(self._tracked_layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer of the model, by name or by index in ``layers``.

        Raises:
            ValueError: if both or neither are given, or no layer matches.
        """
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, "
                             f"name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # -- weights: layer by layer, as Keras orders a model's weights --------------------------
    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        nested = [w for layer in self._tracked_layers for w in layer.trainable_weights]
        return _dedup(nested + self._trainable_weights)

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            nested = [w for layer in self._tracked_layers for w in layer.weights]
            return _dedup(nested + self._trainable_weights + self._non_trainable_weights)
        nested = [w for layer in self._tracked_layers for w in layer.non_trainable_weights]
        return _dedup(nested + self._non_trainable_weights)

    @property
    def weights(self) -> list:
        """Every weight, layer by layer (each layer's trainable then non-trainable ones)."""
        nested = [w for layer in self._tracked_layers for w in layer.weights]
        return _dedup(nested + self._trainable_weights + self._non_trainable_weights)

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    # -- building and calling ------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights of a subclassed model by running it on zeros of ``input_shape``.

        Args:
            input_shape: a shape with the batch axis (None allowed), or a list / dict of them.

        Raises:
            ValueError: if no shape is given or the model cannot run on it.
        """
        if self._is_graph_network:
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling `build()` on a `Model` subclass.")
        symbolic = _map_shapes(lambda s: KerasTensor(s, self.compute_dtype), _shape_structure(input_shape))
        self.built = True
        try:
            self._infer_outputs(symbolic, {})
        except Exception as exc:
            self.built = False
            raise ValueError(f"Could not build model {self.name} on input shape {input_shape}: "
                             f"calling it on zeros of that shape failed with {exc!r}.") from exc
        self._build_input_shape = input_shape

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        if type(self).build is Model.build:  # nothing to create up front: sublayers build on use
            self.built = True
            return
        super()._maybe_build(inputs)

    def call(self, inputs, training=None, mask=None):
        """Run the graph on real tensors (functional models); subclasses override it.

        Raises:
            NotImplementedError: for a subclassed model that does not define call().
        """
        if not self._is_graph_network:
            raise NotImplementedError(
                f"Model {self.name} has no call(): to build a functional Model pass inputs and "
                "outputs, Model(inputs, outputs); otherwise subclass Model and define call()."
            )
        flat = self._flatten_to_reference_inputs(inputs)
        if len(flat) != len(self._inputs_list):
            raise ValueError(f'Layer "{self.name}" expects {len(self._inputs_list)} input(s), but it '
                             f"received {len(flat)} input tensors.")
        values = {id(ref): _conform(x, ref, i, self.name)
                  for i, (ref, x) in enumerate(zip(self._inputs_list, flat))}
        masks = {}
        if mask is not None:
            masks = {id(ref): m for ref, m in zip(self._inputs_list, self._flatten_to_reference_inputs(mask))}
        for node in self._run_order:
            if any(id(t) not in values for t in node.input_tensors):
                continue  # a branch that does not lead from these inputs
            _replay(node, values, masks, training)
        return pack_as(self._nested_outputs, [values[id(t)] for t in self._outputs_list])

    def _flatten_to_reference_inputs(self, data) -> list:
        """The inputs in ``self.inputs`` order (a dict may be keyed by input names)."""
        if isinstance(data, dict):
            names = (sorted(self._nested_inputs) if isinstance(self._nested_inputs, dict)
                     else self.input_names)
            missing = [n for n in names if n not in data]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing} of model {self.name}: its inputs "
                                 f"are {names}.")
            return [data[n] for n in names]
        if (isinstance(data, (list, tuple)) and len(data) == 1
                and len(self._inputs_list) == 1 and not isinstance(self._nested_inputs, (list, tuple))):
            return list(data)
        return flatten(data)

    # -- summary ------------------------------------------------------------------------------
    def summary(self, line_length: int | None = None, positions=None, print_fn=None,
                show_trainable: bool = False) -> None:
        """Print a table of the layers: name (type), output shape, number of parameters.

        Args:
            line_length: width of the table (65, or 98 with a "Connected to" column).
            positions: where the columns end (fractions of line_length, or character counts).
            print_fn: called with each line (default: print).
            show_trainable: add a column saying whether each layer is trainable.

        Raises:
            ValueError: if the model is not built yet.
        """
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling "
                             "`build()` or by calling the model on a batch of data.")
        _print_summary(self, line_length, positions, print_fn or print, show_trainable)

    # -- weights files ---------------------------------------------------------------------------
    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Write every weight (``model.weights`` order) to an ``.npz`` file, atomically.

        The arrays are keyed ``"0000:dense/kernel:0"`` (index, then the weight's name). They
        are written to a temporary file in the same directory, which then replaces
        ``filepath`` in one step: a crash never leaves a half-written file.

        Raises:
            ValueError: if the model is not built (it has no weights yet).
            FileExistsError: if ``overwrite`` is False and the file exists.
        """
        if not self.built:
            raise ValueError(f"Model {self.name} has not been built yet, so it has no weights to save. "
                             "Call it on a batch of data or call build(input_shape) first.")
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath} exists; pass overwrite=True to replace it.")
        arrays = {f"{i:04d}:{w.name}": w.numpy() for i, w in enumerate(self.weights)}
        directory = os.path.dirname(os.path.abspath(filepath))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-weights-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, filepath)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load_weights(self, filepath) -> None:
        """Read weights written by ``save_weights`` (matched by position, checked by shape).

        Everything is checked before anything is assigned: on any error the model's
        weights are left as they were.

        Raises:
            ValueError: if the model is not built, or the file holds a different number of
                arrays or an array of another shape, or was not written by save_weights.
        """
        if not self.built:
            raise ValueError(f"Unable to load weights into model {self.name}: it has not been built, so "
                             "its weights do not exist yet. Build it first: call it on a batch of data, "
                             "call build(input_shape), or give its first layer an input_shape.")
        filepath = os.fspath(filepath)
        with np.load(filepath, allow_pickle=False) as data:
            keyed = []
            for key in data.files:
                match = _WEIGHT_KEY.match(key)
                if match is None:
                    raise ValueError(f"{filepath} is not a weights file written by save_weights: it "
                                     f"holds an array named {key!r} (expected names like "
                                     "'0000:dense/kernel:0').")
                keyed.append((int(match.group(1)), key))
            keyed.sort()
            arrays = [np.asarray(data[key]) for _, key in keyed]
        if [i for i, _ in keyed] != list(range(len(keyed))):
            raise ValueError(f"{filepath} is damaged: its arrays are not numbered 0..{len(keyed) - 1}.")
        weights = self.weights
        if len(arrays) != len(weights):
            raise ValueError(f"Weight file {filepath} holds {len(arrays)} arrays, but model {self.name} has "
                             f"{len(weights)} weights: it was saved from a different architecture.")
        for (_, key), w, a in zip(keyed, weights, arrays):
            if tuple(a.shape) != tuple(w.shape):
                raise ValueError(f"Weight {w.name} of model {self.name} has shape {tuple(w.shape)} but "
                                 f"{filepath} holds an array of shape {a.shape} for it ({key!r}): it was "
                                 "saved from a different architecture. No weight was changed.")
        for w, a in zip(weights, arrays):
            w.assign(a)

    # -- config -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """Keras's functional config: name, layers (with inbound_nodes), input and output layers.

        Raises:
            NotImplementedError: for a subclassed model that does not override get_config.
        """
        if not self._is_graph_network:
            raise NotImplementedError(
                f"Model {type(self).__name__} is a subclassed model: its structure lives in Python "
                "code, not in a config. Override get_config() to return its __init__ arguments."
            )
        return _functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """A new model from ``get_config()``'s dict (its layers made afresh, unbuilt weights).

        Args:
            config: the dict from ``get_config``.
            custom_objects: ``{class name: class}`` for layers not in the ``layers`` package.

        Raises:
            ValueError: for an unknown layer class or an inconsistent config.
        """
        if "layers" in config and "input_layers" in config:
            inputs, outputs = _reconstruct_graph(config, custom_objects)
            kwargs = {"name": config.get("name")}
            if "trainable" in config:
                kwargs["trainable"] = config["trainable"]
            if cls.__init__ is Model.__init__:
                return cls(inputs, outputs, **kwargs)
            return Model(inputs, outputs, **kwargs)
        return cls(**config)

    def to_json(self, **kwargs) -> str:
        """The model's class and config as JSON (``model_from_json`` rebuilds it)."""
        return json.dumps(serialize_layer(self), default=_json_default, **kwargs)


class Sequential(Model):
    """A linear stack of layers, each with one input and one output.

    The model knows its input shape (and creates its weights) at once when the first
    layer has an ``input_shape`` or the first element is ``layers.Input(...)``; otherwise
    on the first call (or ``build(input_shape)``).

    Args:
        layers: the layers, in order (``add`` appends more).
        name: the model's name ("sequential", "sequential_1", ... by default).

    Raises:
        TypeError: if an element is not a Layer.
        ValueError: if two layers have the same name or a layer has several outputs.
    """

    def __init__(self, layers=None, name: str | None = None):
        super().__init__(name=name)
        self._seq_layers: list = []
        self._input_layer = None
        self._layer_outputs = None  # [input KerasTensor, output of layer 1, ...] once the shape is known
        self._explicit_input = False
        self._autocast = False
        if layers is not None:
            for layer in (layers if isinstance(layers, (list, tuple)) else [layers]):
                self.add(layer)

    @property
    def layers(self) -> list:
        """The layers added, in order (without the InputLayer)."""
        return list(self._seq_layers)

    def add(self, layer) -> None:
        """Add a layer on top of the stack (or ``layers.Input(...)`` as the first element).

        Raises:
            TypeError: if ``layer`` is not a Layer.
            ValueError: for a duplicate name, a layer with several outputs, or an Input
                that is not first.
        """
        if is_symbolic(layer) and layer._keras_history is not None and \
                isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: layer={layer!r} "
                            f"of type {type(layer).__name__}.")
        if isinstance(layer, InputLayer):
            if self._seq_layers or self._input_layer is not None:
                raise ValueError("An Input (InputLayer) can only be the first element of a Sequential "
                                 "model; this one already has layers or an input.")
            self._input_layer = layer
            self._explicit_input = True
            self._layer_outputs = [layer._inbound_nodes[0].output_tensors[0]]
            self._refresh()
            return
        taken = [l.name for l in self._seq_layers] + ([self._input_layer.name] if self._input_layer else [])
        if layer.name in taken:
            raise ValueError(f'All layers added to a Sequential model should have unique names. Name '
                             f'"{layer.name}" is already the name of a layer in this model. Update the '
                             "`name` argument to pass a unique name.")
        outputs = self._layer_outputs
        input_layer, explicit = self._input_layer, self._explicit_input
        if outputs is None and not self._seq_layers:
            known = _known_input(layer)
            if known is not None:
                x = Input(batch_shape=known[0], dtype=known[1], name=f"{layer.name}_input")
                outputs, input_layer, explicit = [x], x._keras_history[0], True
        if outputs is not None:
            outputs = outputs + [_single_output(layer(outputs[-1]))]
        self._seq_layers.append(layer)
        self._layer_outputs, self._input_layer, self._explicit_input = outputs, input_layer, explicit
        self._refresh()

    def pop(self) -> Layer:
        """Remove and return the last layer.

        Raises:
            TypeError: if there are no layers.
        """
        if not self._seq_layers:
            raise TypeError("There are no layers in the model.")
        layer = self._seq_layers.pop()
        if self._layer_outputs is not None:
            self._layer_outputs = self._layer_outputs[:-1]
            if not self._seq_layers and not self._explicit_input:
                self._layer_outputs, self._input_layer = None, None
        self._refresh()
        return layer

    def _refresh(self) -> None:
        """Re-derive the graph (inputs, outputs, tracked layers) after a change."""
        if self._layer_outputs is not None:
            self._init_graph_network(self._layer_outputs[0], self._layer_outputs[-1])
        else:
            self._is_graph_network = False
            self._tracked_layers = list(self._seq_layers)
            self.built = False
            self.input_names = self.output_names = None

    def _build_graph(self, batch_shape, dtype) -> None:
        if self._layer_outputs is not None or not self._seq_layers:
            return
        x = Input(batch_shape=tuple(batch_shape), dtype=dtype, name=f"{self._seq_layers[0].name}_input")
        outputs = [x]
        for layer in self._seq_layers:
            outputs.append(_single_output(layer(outputs[-1])))
        self._layer_outputs, self._input_layer, self._explicit_input = outputs, x._keras_history[0], False
        self._refresh()

    def build(self, input_shape=None) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included, None allowed).

        Raises:
            ValueError: without a shape when the model does not know its input shape.
        """
        if self._layer_outputs is not None:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = _shape_structure(input_shape)
        if not isinstance(shape, tuple):
            raise ValueError(f"A Sequential model has one input; got the shapes {input_shape}.")
        self._build_graph(shape, backend.floatx())
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        flat = flatten(inputs)
        if len(flat) != 1:
            raise ValueError(f"A Sequential model has one input, but it was called on {len(flat)} tensors. "
                             "Use the functional API for several inputs.")
        self._build_graph((None,) + tuple(flat[0].shape[1:]), flat[0].dtype)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._seq_layers:
            kwargs = {} if training is None else {"training": training}
            if mask is not None and layer._expects_mask_arg:
                kwargs["mask"] = mask
            y = layer(x, **kwargs)
            mask = _output_mask(layer, x, mask)
            x = y
        return x

    def get_config(self) -> dict:
        """``{"name", "layers": [{"class_name", "config"}, ...]}`` (the InputLayer first if known)."""
        stack = ([self._input_layer] if self._input_layer is not None else []) + self._seq_layers
        return {"name": self.name, "layers": [serialize_layer(layer) for layer in stack]}

    @classmethod
    def from_config(cls, config, custom_objects: dict | None = None):
        """A new Sequential model from ``get_config()``'s dict (or a plain list of layer configs)."""
        if isinstance(config, list):
            config = {"layers": config}
        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects))
        if not model.built and config.get("build_input_shape") is not None:
            model.build(config["build_input_shape"])
        return model


# -- graph helpers ---------------------------------------------------------------------------
def _is_input_node(node) -> bool:
    return isinstance(node.layer, InputLayer)


def _parent_nodes(node) -> list:
    if _is_input_node(node):
        return []
    out = []
    for t in node.input_tensors:
        layer, index, _ = t._keras_history
        out.append(layer._inbound_nodes[index])
    return out


def _check_graph_ends(name: str, inputs: list, outputs: list) -> None:
    for t in inputs:
        if not is_symbolic(t) or t._keras_history is None:
            raise ValueError(f"Input tensors to a Model must come from `layers.Input`. Received: {t!r} "
                             "(missing previous layer metadata).")
        if not isinstance(t._keras_history[0], InputLayer):
            raise ValueError(f"Model inputs must come from `layers.Input`, but an input of {name!r} was "
                             f"made by layer {t._keras_history[0].name!r}: use the Input tensor itself.")
    if len({id(t) for t in inputs}) != len(inputs):
        raise ValueError("The list of inputs passed to the model contains the same input multiple times. "
                         "All inputs should only appear once.")
    for t in outputs:
        if not is_symbolic(t) or t._keras_history is None:
            raise ValueError(f"Output tensors of a Model must be the output of a layer called on "
                             f"symbolic inputs (layers.Input). Found: {t!r}")


def _map_graph(inputs: list, outputs: list) -> tuple:
    """Nodes by depth and layers in order (Keras's ``_map_graph_network``).

    A node's depth is the longest path from it to an output (outputs have depth 0); a
    shared layer takes the largest depth of its nodes. Layers are ordered by decreasing
    depth, ties by the order a depth-first walk from the outputs first met them.

    Raises:
        ValueError: for a cycle, a tensor not computable from the inputs, or duplicate names.
    """
    ordered, layer_order = [], {}
    finished, in_progress = set(), set()

    def visit(tensor) -> None:
        layer, index, _ = tensor._keras_history
        node = layer._inbound_nodes[index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f'Tensor {tensor!r} from layer "{layer.name}" is part of a cycle.')
        layer_order.setdefault(id(layer), (len(layer_order), layer))
        in_progress.add(id(node))
        for parent_tensor in ([] if _is_input_node(node) else node.input_tensors):
            visit(parent_tensor)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered.append(node)

    for t in outputs:
        visit(t)
    node_depth, layer_depth = {}, {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in _parent_nodes(node):
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    nodes = {id(node): node for node in ordered}
    for t in inputs:  # inputs that lead to no output still belong to the model
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_order[id(layer)] = (-1, layer)
            node_depth[id(layer._inbound_nodes[0])] = 0
            nodes[id(layer._inbound_nodes[0])] = layer._inbound_nodes[0]
    nodes_by_depth: dict = {}
    for key, depth in node_depth.items():
        nodes_by_depth.setdefault(depth, []).append(nodes[key])
    layers = sorted(layer_order.values(), key=lambda item: (-layer_depth[id(item[1])], item[0]))
    layers = [layer for _, layer in layers]
    computable = {id(t) for t in inputs}
    reached = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if _is_input_node(node):
                continue
            for t in node.input_tensors:
                if id(t) not in computable:
                    raise ValueError(f'Graph disconnected: cannot obtain value for tensor {t!r} at layer '
                                     f'"{node.layer.name}". The following previous layers were accessed '
                                     f"without issue: {reached}")
            computable.update(id(t) for t in node.output_tensors)
            reached.append(node.layer.name)
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. All '
                             "layer names should be unique.")
    return nodes_by_depth, layers


def _unique_output_names(layers: list) -> list:
    names, counts = [], {}
    for layer in layers:
        proposal = layer.name
        while proposal in names:
            count = counts.get(layer.name, 1)
            proposal = f"{layer.name}_{count}"
            counts[layer.name] = count + 1
        names.append(proposal)
    return names


def _conform(x, ref: KerasTensor, index: int, model_name: str):
    """Keras's ``_conform_to_reference_input``: fix a trailing length-1 axis, check, cast."""
    if not isinstance(x, mg.Tensor):
        x = mg.tensor(np.asarray(x))
    if x.ndim == ref.ndim + 1 and x.shape[-1] == 1:
        x = mg.squeeze(x, -1)
    elif x.ndim == ref.ndim - 1 and ref.shape[-1] == 1:
        x = mg.expand_dims(x, -1)
    compatible = x.ndim == ref.ndim and all(r is None or r == s for r, s in zip(ref.shape[1:], x.shape[1:]))
    if not compatible:
        raise ValueError(f'Input {index} of layer "{model_name}" is incompatible with the layer: expected '
                         f"shape={ref.shape}, found shape={tuple(x.shape)}")
    if x.dtype != ref.dtype:
        x = mg.cast(x, ref.dtype)
    return x


def _output_mask(layer, inputs, mask):
    """The mask of a layer's output, computed only where masks exist or the layer makes one."""
    if any(m is not None for m in flatten(mask)) or type(layer).compute_mask is not Layer.compute_mask:
        return layer.compute_mask(inputs, mask)
    return None


def _replay(node, values: dict, masks: dict, training) -> None:
    """Call ``node.layer`` as recorded, on the real tensors in ``values``; store its outputs."""
    def real(t):
        return values[id(t)] if is_symbolic(t) else t
    if node.inputs_structure is not None:
        structure, args = node.inputs_structure
    else:
        structure, args = unwrap_single(node.input_tensors), ()
    inputs = map_structure(real, structure)
    args = map_structure(real, tuple(args))
    kwargs = {k: map_structure(real, v) for k, v in node.call_kwargs.items() if k != "mask"}
    if kwargs.get("training") is None:
        kwargs.pop("training", None)
        if training is not None:
            kwargs["training"] = training
    in_masks = [masks.get(id(t)) for t in node.input_tensors]
    mask = unwrap_single(in_masks) if any(m is not None for m in in_masks) else None
    if mask is not None and node.layer._expects_mask_arg:
        kwargs["mask"] = mask
    outputs = node.layer(inputs, *args, **kwargs)
    flat = flatten(outputs)
    if len(flat) != len(node.output_tensors):
        raise ValueError(f"Layer {node.layer.name} returned {len(flat)} tensors but returned "
                         f"{len(node.output_tensors)} when the model was built.")
    for ref, y in zip(node.output_tensors, flat):
        values[id(ref)] = y
    out_mask = _output_mask(node.layer, inputs, mask)
    if out_mask is not None:
        out_masks = flatten(out_mask) if len(flat) > 1 else [out_mask]
        for ref, m in zip(node.output_tensors, out_masks):
            masks[id(ref)] = m


def _single_output(outputs):
    flat = flatten(outputs)
    if len(flat) != 1:
        raise ValueError("All layers in a Sequential model should have a single output tensor. For "
                         "multi-output layers, use the functional API.")
    return flat[0]


def _known_input(layer):
    """``(batch_shape, dtype)`` a Sequential model can take from its first layer, or None."""
    if isinstance(layer, Sequential):
        if layer._layer_outputs is not None:
            t = layer._layer_outputs[0]
            return t.shape, t.dtype
        return _known_input(layer._seq_layers[0]) if layer._seq_layers else None
    if isinstance(layer, Model):
        if layer._is_graph_network and len(layer._inputs_list) == 1:
            t = layer._inputs_list[0]
            return t.shape, t.dtype
        return None
    if layer._batch_input_shape is not None:
        return layer._batch_input_shape, layer.dtype
    return None


def _shape_structure(shape):
    """A shape (tuple or list of ints / None) or a list / dict of shapes -> tuples."""
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and all(s is None or isinstance(s, (int, np.integer)) for s in shape):
        return tuple(None if s is None else int(s) for s in shape)
    if isinstance(shape, (list, tuple)):
        return [_shape_structure(s) for s in shape]
    raise ValueError(f"Could not read {shape!r} as a shape: give a tuple like (None, 28, 28, 1).")


def _map_shapes(fn, structure):
    """Apply ``fn`` to each shape (tuple) of a list / dict of shapes from ``_shape_structure``."""
    if isinstance(structure, tuple):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return [_map_shapes(fn, s) for s in structure]


def _dedup(weights: list) -> list:
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


# -- serialization -------------------------------------------------------------------------
def _class_name(layer) -> str:
    if type(layer) is Model and layer._is_graph_network:
        return "Functional"
    return type(layer).__name__


def serialize_layer(layer) -> dict:
    """``{"class_name": ..., "config": layer.get_config()}``."""
    return {"class_name": _class_name(layer), "config": layer.get_config()}


def _find_class(class_name: str, custom_objects: dict | None):
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
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
    raise ValueError(f"Unknown layer: '{class_name}'. Please ensure you are using a layers.* class, or pass "
                     f"your own class in custom_objects={{'{class_name}': {class_name}}}.")


def deserialize_layer(data: dict, custom_objects: dict | None = None) -> Layer:
    """A new layer (or model) from ``{"class_name", "config"}``.

    Raises:
        ValueError: for an unknown class name or a malformed dict.
    """
    if not isinstance(data, dict) or "class_name" not in data:
        raise ValueError(f"A layer config must be a dict with 'class_name' and 'config'; got {data!r}.")
    cls = _find_class(data["class_name"], custom_objects)
    config = dict(data.get("config", {}))
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)
    return cls.from_config(config)


def model_from_config(config: dict, custom_objects: dict | None = None) -> Layer:
    """A model (or layer) from ``{"class_name", "config"}``, e.g. ``serialize_layer(model)``."""
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Layer:
    """A model from ``model.to_json()``."""
    return deserialize_layer(json.loads(json_string), custom_objects)


def _json_default(obj):
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.dtype):
        return obj.name
    raise TypeError(f"{obj!r} of type {type(obj).__name__} is not JSON serializable.")


def _is_tensor_ref(data) -> bool:
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


def _functional_config(model: Model) -> dict:
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


def _reconstruct_graph(config: dict, custom_objects: dict | None) -> tuple:
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
            raise ValueError(f"The model config refers to layer {name!r}, which it does not define.")
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
            raise ValueError(f"Inconsistent model config: the inputs of layers {stuck} can never be "
                             "computed.")

    def ends(data):
        if _is_tensor_ref(data):
            return tensor(data)
        return _map_refs(tensor, data)
    return ends(config["input_layers"]), ends(config["output_layers"])


# -- summary ------------------------------------------------------------------------------
def _readable_size(n_bytes: float) -> str:
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _count(weights: list) -> tuple:
    weights = _dedup(weights)
    params = sum(int(np.prod(w.shape)) for w in weights)
    size = sum(int(np.prod(w.shape)) * np.dtype(w.dtype).itemsize for w in weights)
    return params, size


def _sequential_like(model: Model) -> bool:
    if not model._is_graph_network or isinstance(model, Sequential):
        return True
    seen = set()
    for nodes in model._nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
        seen.update(id(node) for node in nodes)
    for layer in model.layers:
        if sum(id(node) in seen for node in layer._inbound_nodes) > 1:
            return False
    return True


def _shape_field(model: Model, layer):
    if model._is_graph_network:
        nodes = [node for node in layer._inbound_nodes if id(node) in model._network_nodes]
        if nodes:
            shapes = [node.output_shapes if isinstance(layer, InputLayer)
                      else unwrap_single(node.output_shapes) for node in nodes]
            return shapes[0] if all(s == shapes[0] for s in shapes) else "multiple"
    try:
        return layer.output_shape
    except (AttributeError, RuntimeError):
        return "multiple"


def _connections(model: Model, layer) -> list:
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in model._network_nodes or _is_input_node(node):
            continue
        for t in node.input_tensors:
            parent, node_index, tensor_index = t._keras_history
            out.append(f"{parent.name}[{node_index}][{tensor_index}]")
    return out


def _print_row(fields: list, positions: list, print_fn) -> None:
    """Keras's table row: each column cut to its width (at a ``),`` if one is near), wrapping."""
    left = [str(f) for f in fields]
    last = len(positions) - 1
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col else 0
            gap = 0 if col == last else 2
            width = positions[col] - start - gap - (0 if col == last else 1)
            piece = text[:width]
            breaks = [piece.find(m) + len(m) for m in ("),", "},", "],", "',") if piece.find(m) >= 0]
            if breaks:
                width = min(breaks)
                piece = piece[:width]
            line += (" " if col == 0 else "") + piece + " " * gap
            left[col] = text[width:]
            line += " " * (positions[col] - len(line))
        print_fn(line)


def _print_summary(model: Model, line_length, positions, print_fn, show_trainable: bool) -> None:
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = list(positions or [0.3, 0.6, 0.70, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(header, positions, print_fn)
    print_fn("=" * line_length)
    for layer in model.layers:
        if not layer.built and not getattr(layer, "_is_graph_network", False):
            params = "0 (unused)"
        else:
            params = layer.count_params()
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_field(model, layer), params]
        if not sequential_like:
            fields.append(_connections(model, layer))
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        _print_row(fields, positions, print_fn)
        print_fn(" " * line_length)
    print_fn("=" * line_length)
    trainable, trainable_size = _count(model.trainable_weights)
    frozen, frozen_size = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + frozen} ({_readable_size(trainable_size + frozen_size)})")
    print_fn(f"Trainable params: {trainable} ({_readable_size(trainable_size)})")
    print_fn(f"Non-trainable params: {frozen} ({_readable_size(frozen_size)})")
    print_fn("_" * line_length)


__all__ = ["Model", "Sequential", "serialize_layer", "deserialize_layer", "model_from_config",
           "model_from_json"]
