"""Sequential: a model that is a linear stack of single-input, single-output layers.

    model = layers.Sequential([layers.Dense(64, activation="relu", input_shape=(2,)),
                               layers.Dense(3)])

A Sequential model is a functional ``Model`` whose graph it builds itself: as soon as it
knows its input shape (the first layer's ``input_shape``, a leading ``layers.Input``,
``build(input_shape)`` or the first call) it calls each layer on the previous layer's
symbolic output and records the graph from the first input to the last output.
"""

from __future__ import annotations

from layers import backend, graph
from layers.base import Layer
from layers.input_layer import Input, InputLayer
from layers.models import Model, _shape_structure
from layers.nest import flatten
from layers.node import is_symbolic
from layers.saving import deserialize_layer, serialize_layer
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


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
            raise ArgumentTypeError(
                f"The added layer must be an instance of class Layer. Received: layer={layer!r} "
                f"of type {type(layer).__name__}.")
        if isinstance(layer, InputLayer):
            if self._seq_layers or self._input_layer is not None:
                raise InvalidArgumentError(
                    "An Input (InputLayer) can only be the first element of a Sequential "
                    "model; this one already has layers or an input.")
            self._input_layer = layer
            self._explicit_input = True
            self._layer_outputs = [layer._inbound_nodes[0].output_tensors[0]]
            self._refresh()
            return
        taken = [l.name for l in self._seq_layers] + ([self._input_layer.name] if self._input_layer else [])
        if layer.name in taken:
            raise InvalidArgumentError(
                f'All layers added to a Sequential model should have unique names. Name '
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
            raise ArgumentTypeError("There are no layers in the model.")
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
            raise InvalidArgumentError("You must provide an `input_shape` argument.")
        shape = _shape_structure(input_shape)
        if not isinstance(shape, tuple):
            raise InvalidArgumentError(f"A Sequential model has one input; got the shapes {input_shape}.")
        self._build_graph(shape, backend.floatx())
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        flat = flatten(inputs)
        if len(flat) != 1:
            raise InvalidArgumentError(
                f"A Sequential model has one input, but it was called on {len(flat)} tensors. "
                "Use the functional API for several inputs.")
        self._build_graph((None,) + tuple(flat[0].shape[1:]), flat[0].dtype)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        """Run the layers one after the other.

        Raises:
            ArgumentTypeError: for a dict of inputs (a Sequential model has one input).
        """
        if isinstance(inputs, dict):
            raise ArgumentTypeError(
                f"Sequential model {self.name} takes one input tensor, got a dict with keys "
                f"{sorted(inputs)}. Pass the array itself; named inputs need a functional "
                "Model(inputs={...}, outputs=...).")
        x = inputs
        for layer in self._seq_layers:
            kwargs = {"training": training}  # as this call got it (Layer._resolve_training)
            if mask is not None and layer._expects_mask_arg:
                kwargs["mask"] = mask
            y = layer(x, **kwargs)
            mask = graph.output_mask(layer, x, mask)
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
        if not isinstance(config, dict) or not isinstance(config.get("layers", []), list):
            raise ArgumentTypeError(
                f"Sequential.from_config: `config` must be a dict {{'name': ..., 'layers': [layer "
                f"configs]}} (get_config()'s result) or a list of layer configs, got {config!r}.")
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            model.add(deserialize_layer(layer_config, custom_objects))
        if not model.built and config.get("build_input_shape") is not None:
            model.build(config["build_input_shape"])
        return model


# -- helpers of Sequential ------------------------------------------------------------------
def _single_output(outputs):
    """The one tensor a layer of a Sequential model returned (an error for several)."""
    flat = flatten(outputs)
    if len(flat) != 1:
        raise InvalidArgumentError(
            "All layers in a Sequential model should have a single output tensor. For "
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


__all__ = ["Sequential"]
