"""Models: ``Model`` (functional graphs and subclassed models); ``Sequential`` builds on it.

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

This module holds ``Model`` (``layers.sequential`` holds ``Sequential``, re-exported
here); the work behind some of their methods lives next to it: ``layers.graph``
(mapping and replaying the functional graph), ``layers.saving`` (configs, JSON and
weight files; ``model_from_config`` and ``model_from_json`` are re-exported here),
``layers.keras_file`` (``save`` and ``load_model``), ``layers.cloning``
(``clone_model``) and ``layers.summary`` (``summary()``).
"""

from __future__ import annotations

import numpy as np

from layers import graph, keras_file, saving
from layers.base import Layer, _dedup
from layers.nest import flatten, map_structure, pack_as
from layers.node import KerasTensor, infer_outputs
from layers.saving import deserialize_layer, model_from_config, model_from_json, serialize_layer
from layers.summary import print_summary
from layers.training import Trainer
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_int


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
                raise ArgumentTypeError(
                    f"Keyword argument not understood: {sorted(unknown)[0]!r} "
                    "(Model(inputs, outputs, name=None, trainable=True)).")
            Layer.__init__(self, name=kwargs.get("name"), trainable=kwargs.get("trainable", True))
            self._init_graph_network(inputs, outputs)
            return
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise InvalidArgumentError(
                "A functional Model needs both inputs and outputs: Model(inputs, outputs). "
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
        graph.check_graph_ends(self.name, flat_inputs, flat_outputs)
        nodes_by_depth, layers = graph.map_graph(flat_inputs, flat_outputs)
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self._inputs_list, self._outputs_list = flat_inputs, flat_outputs
        self._nodes_by_depth = nodes_by_depth
        self._network_nodes = {id(node) for nodes in nodes_by_depth.values() for node in nodes}
        self._run_order = [node for depth in sorted(nodes_by_depth, reverse=True)
                           for node in nodes_by_depth[depth] if not graph.is_input_node(node)]
        self._tracked_layers = list(layers)
        self._is_graph_network = True
        self._autocast = False  # each layer casts its own inputs
        self.built = True
        self.input_names = [t._keras_history[0].name for t in flat_inputs]
        self.output_names = graph.unique_output_names([t._keras_history[0] for t in flat_outputs])

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
            InvalidArgumentError: (a ValueError) if both or neither are given, or no layer
                matches.
            ArgumentTypeError: (a TypeError) for a name that is not a string or an index
                that is not an int.
        """
        index = check_int("index", index, allow_none=True, where="get_layer")
        if name is not None and not isinstance(name, str):
            raise ArgumentTypeError(f"get_layer: `name` must be a string, got {name!r}. Pass "
                                    "get_layer(name='dense') or get_layer(index=0).")
        if index is not None and name is not None:
            raise InvalidArgumentError(
                f"Provide only a layer name or a layer index. Received: index={index}, "
                f"name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise InvalidArgumentError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise InvalidArgumentError(
                f"No such layer: {name}. Existing layers are: "
                f"{[layer.name for layer in self.layers]}.")
        raise InvalidArgumentError("Provide either a layer name or layer index at `get_layer`.")

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
            raise InvalidArgumentError(
                "Input shape must be defined when calling `build()` on a `Model` subclass.")
        symbolic = _map_shapes(lambda s: KerasTensor(s, self.compute_dtype), _shape_structure(input_shape))
        self.built = True
        try:
            infer_outputs(self, symbolic, {})
        except Exception as exc:
            self.built = False
            raise InvalidArgumentError(
                f"Could not build model {self.name} on input shape {input_shape}: "
                f"calling it on zeros of that shape failed with {exc!r}.") from exc
        self._build_input_shape = input_shape

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        if not self._is_graph_network:  # what model.save records to build the loaded copy
            self._build_input_shape = map_structure(lambda t: (None,) + tuple(t.shape[1:]), inputs)
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
            raise InvalidArgumentError(
                f'Layer "{self.name}" expects {len(self._inputs_list)} input(s), but it '
                f"received {len(flat)} input tensors.")
        values = {id(ref): graph.conform(x, ref, i, self.name)
                  for i, (ref, x) in enumerate(zip(self._inputs_list, flat))}
        masks = {}
        if mask is not None:
            masks = {id(ref): m for ref, m in zip(self._inputs_list, self._flatten_to_reference_inputs(mask))}
        for node in self._run_order:
            if any(id(t) not in values for t in node.input_tensors):
                continue  # a branch that does not lead from these inputs
            graph.replay(node, values, masks, training)
        return pack_as(self._nested_outputs, [values[id(t)] for t in self._outputs_list])

    def _flatten_to_reference_inputs(self, data) -> list:
        """The inputs in ``self.inputs`` order (a dict may be keyed by input names)."""
        if isinstance(data, dict):
            names = (sorted(self._nested_inputs) if isinstance(self._nested_inputs, dict)
                     else self.input_names)
            missing = [n for n in names if n not in data]
            if missing:
                raise InvalidArgumentError(
                    f"Missing data for input(s) {missing} of model {self.name}: its inputs "
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
        check_int("line_length", line_length, minimum=1, allow_none=True, where="summary")
        check_bool("show_trainable", show_trainable, where="summary")
        if not self.built:
            raise InvalidArgumentError(
                "This model has not yet been built. Build the model first by calling "
                "`build()` or by calling the model on a batch of data.")
        print_summary(self, line_length, positions, print_fn or print, show_trainable)

    # -- weights files ---------------------------------------------------------------------------
    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Write every weight (``model.weights`` order) to an ``.npz`` file, atomically.

        The arrays are keyed ``"0000:dense/kernel:0"`` (index, then the weight's name). They
        are written to a temporary file in the same directory, flushed to the disk (fsync),
        and renamed over ``filepath`` in one step: a crash never leaves a half-written file.
        A failed save removes its temporary file; the temporary files of killed saves are
        removed by a later save (``layers.weights_file`` states the rule).

        Args:
            filepath: a path ending in ``.npz``, e.g. ``"model.weights.npz"``.
            overwrite: whether an existing file may be replaced.

        Raises:
            ValueError: if the model is not built (it has no weights yet).
            InvalidArgumentError: if ``filepath`` does not end in ``.npz`` (minigrad does not
                write HDF5: ``.h5``, ``.weights.h5``, ``.keras`` are refused).
            FileExistsError: if ``overwrite`` is False and the file exists.
            PermissionError: if the file or its directory is read-only; it is not replaced.
        """
        saving.save_weights(self, filepath, overwrite)

    def load_weights(self, filepath) -> None:
        """Read weights written by ``save_weights`` (matched by position, checked by name, shape, dtype).

        Everything is checked before anything is assigned, and each array's header before its
        data are read: on any error the model's weights are left as they were.

        Raises:
            ValueError: if the model is not built.
            WeightsFileError: (a ValueError) if the file is truncated, damaged or not a minigrad
                weights file, or was saved from another architecture (another number of
                weights, other names, shapes or dtypes).
            OSError: if the file cannot be opened (FileNotFoundError, ...).
        """
        saving.load_weights(self, filepath)

    def save(self, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
        """Save the whole model to a ``.keras`` file: config, weights, compile state.

        ``layers.load_model(filepath)`` gives it back (``layers.keras_file`` describes the
        file: Keras 3's layout, with the weights as ``.npz`` instead of HDF5). The file is
        written atomically, as ``save_weights`` writes.

        Args:
            filepath: a path ending in ``.keras``.
            overwrite: whether an existing file may be replaced.
            include_optimizer: whether to save the optimizer's state (iterations, slots).

        Raises:
            InvalidArgumentError: for a path that does not end in ``.keras`` (``.h5`` is HDF5,
                which minigrad does not write).
            NotImplementedError: for a subclassed model without ``get_config``.
            ArgumentTypeError: for a flag that is not a bool, or compile arguments a file
                cannot name (a lambda loss, say).
            FileExistsError: if ``overwrite`` is False and the file exists.
            PermissionError: if the file or its directory is read-only; nothing is written.
        """
        keras_file.save_model(self, filepath, overwrite, include_optimizer)

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
        return saving.functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """A new model from ``get_config()``'s dict (its layers made afresh, unbuilt weights).

        Args:
            config: the dict from ``get_config``.
            custom_objects: ``{class name: class}`` for layers not in the ``layers`` package.

        Raises:
            ValueError: for an unknown layer class or an inconsistent config.
            ArgumentTypeError: (a TypeError) if ``config`` is not a dict.
        """
        if not isinstance(config, dict):
            raise ArgumentTypeError(f"{cls.__name__}.from_config: `config` must be a dict (get_config()'s "
                                    f"result), got {config!r} of type {type(config).__name__}.")
        if "layers" in config and "input_layers" in config:
            inputs, outputs = saving.reconstruct_graph(config, custom_objects)
            kwargs = {"name": config.get("name")}
            if "trainable" in config:
                kwargs["trainable"] = config["trainable"]
            if cls.__init__ is Model.__init__:
                return cls(inputs, outputs, **kwargs)
            return Model(inputs, outputs, **kwargs)
        return cls(**config)

    def to_json(self, **kwargs) -> str:
        """The model's class and config as JSON (``model_from_json`` rebuilds it)."""
        return saving.to_json(self, **kwargs)


# -- helpers of Model.build and Sequential.build --------------------------------------------
def _shape_structure(shape):
    """A shape (tuple or list of ints / None) or a list / dict of shapes -> tuples."""
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and all(s is None or isinstance(s, (int, np.integer)) for s in shape):
        if any(s is not None and s < 0 for s in shape):
            raise InvalidArgumentError(f"The shape {tuple(shape)} has a negative size: every size "
                                       "must be >= 0 (None for an unknown size).")
        return tuple(None if s is None else int(s) for s in shape)
    if isinstance(shape, (list, tuple)) and shape:
        return [_shape_structure(s) for s in shape]
    raise InvalidArgumentError(f"Could not read {shape!r} as a shape: give a tuple like (None, 28, 28, 1).")


def _map_shapes(fn, structure):
    """Apply ``fn`` to each shape (tuple) of a list / dict of shapes from ``_shape_structure``."""
    if isinstance(structure, tuple):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return [_map_shapes(fn, s) for s in structure]


# at the bottom: layers.sequential builds on Model, layers.cloning on both
from layers.sequential import Sequential  # noqa: E402

# isort: split
from layers.cloning import clone_model  # noqa: E402
from layers.keras_file import load_model, save_model  # noqa: E402, F401

__all__ = ["Model", "Sequential", "serialize_layer", "deserialize_layer", "model_from_config",
           "model_from_json", "clone_model", "load_model", "save_model"]
