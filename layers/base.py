"""Layer: the base class of every layer and model, with the Keras API.

A layer is configured in ``__init__``, creates its weights in ``build(input_shape)``
(with ``add_weight``) the first time it is called, and computes in
``call(inputs, training=None, mask=None)``. ``__call__`` does the bookkeeping
around ``call``:

1. converts NumPy data to Tensors; builds the layer on first use;
2. casts floating inputs to the layer's compute dtype;
3. resolves ``training`` (``_resolve_training``, the one place that does): the value
   given, else the enclosing layer call's, else this thread's learning phase if set,
   else ``call``'s own default;
4. runs ``call``, adds the activity-regularizer loss ``reg(output) / batch_size``;
5. on symbolic inputs (``layers.Input``) records a Node instead of computing
   (``layers.node``).

It tracks weights (trainable / non-trainable, nested layers included). Losses and
pending updates (``add_loss``, ``add_update``) live in ``layers.losses_updates``; the
argument checks in ``layers.layer_checks``.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np

import minigrad as mg
from layers import backend, constraints, initializers, regularizers
from layers.layer_checks import (
    InputSpec,
    batch_input_shape_from,
    check_add_weight_arguments,
    check_call_inputs,
    check_call_mask,
    check_config,
    check_input_shape,
    check_shape_value,
    check_training,
    read_dtype_policy,
    to_tensor,
    weight_dtype_and_initializer,
)
from layers.losses_updates import LossesAndUpdates, RegularizerLoss, Update
from layers.nest import flatten, map_structure
from layers.node import (
    KerasTensor,
    first_input,
    first_output,
    infer_outputs,
    is_symbolic,
    mask_of,
    node_attribute,
    single_shape,
    symbolic_call,
)
from layers.weights_file import checked_weight_values
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.pytorch_habits import PyTorchName
from minigrad.validation import check_bool

_BASE_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "input_dim", "autocast"}


class Layer(LossesAndUpdates):
    """Base class of all layers.

    Args:
        trainable: whether the layer's weights are trained (``trainable_weights``).
        name: a name; by default the snake_case class name made unique (``dense_1``).
        dtype: the dtype of the weights and of the computation ("float32" by default), or a
            mixed-precision policy name ("mixed_float16": float32 weights, float16 compute).
        input_shape: shape of one sample (no batch axis), for the first layer of a
            Sequential model; ``batch_input_shape`` and ``batch_size`` as in Keras.
        activity_regularizer: a regularizer applied to the output; its loss is
            ``regularizer(output) / batch_size``.

    Raises:
        ArgumentTypeError: (a TypeError) for an unknown keyword argument, a ``trainable``
            that is not a bool, or a ``name`` that is not a string.
        InvalidArgumentError: (a ValueError) for a ``dtype`` that is neither a dtype nor a
            policy name.
    """

    is_placeholder = False  # True for InputLayer, where graph walks stop
    # PyTorch's names: each raises mg.errors.PyTorchHabitError with the minigrad way
    parameters = PyTorchName()
    train = PyTorchName()
    eval = PyTorchName()
    zero_grad = PyTorchName()
    _device = None  # set by ``to(device)``: where this layer's weights live and are made

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 activity_regularizer=None, **kwargs):
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise ArgumentTypeError(
                f"Keyword argument not understood: {sorted(unknown)[0]!r} (layer "
                f"{type(self).__name__}). Check its spelling; the base layer takes "
                f"{sorted(_BASE_KWARGS)} besides trainable, name, dtype, activity_regularizer.")
        self._tracked_layers: list = []  # must exist before any attribute assignment is tracked
        self._trainable = check_bool("trainable", trainable, where=type(self).__name__)
        if name is not None and not isinstance(name, str):
            raise ArgumentTypeError(f"{type(self).__name__}: the layer name must be a string or None, got "
                                    f"{name!r}. Pass name='my_layer'.")
        self._name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self._set_dtype(dtype)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        # condition: None (unconditional) or the inputs it depends on (see _condition)
        self._updates: list = []  # (update, condition); the next outermost call replaces them
        self._losses: list = []  # (tensor or callable, condition, from_call); the next
        # outermost call replaces those with from_call (tensors added during a call); weight
        # regularizers are RegularizerLoss callables here, in the order add_weight made them
        self._inbound_nodes: list = []
        self._generation = None  # the outermost call this layer last ran in
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._batch_input_shape = batch_input_shape_from(kwargs, type(self).__name__)
        self._autocast = kwargs.get("autocast", True)
        self._inspect_call_signature()
        self._initialized = True

    def _inspect_call_signature(self) -> None:
        """Does ``call`` take ``training`` / ``mask`` (by name or through ``**kwargs``), at which
        position can ``training`` come, and what is its default?"""
        params = inspect.signature(self.call).parameters
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        self._expects_training_arg = "training" in params or takes_kwargs
        self._expects_mask_arg = "mask" in params or takes_kwargs
        default = params["training"].default if "training" in params else None
        self._default_training_arg = None if default is inspect.Parameter.empty else default
        positional = [name for name, p in params.items()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        # call(inputs, training) -> training is args[0] of __call__(inputs, *args)
        self._training_position = positional.index("training") - 1 if "training" in positional else None

    # -- attributes -----------------------------------------------------------------
    def __setattr__(self, name, value):
        # a Layer (or list of Layers) stored on a layer is a sublayer: its weights are ours
        if not name.startswith("_"):
            candidates = value if isinstance(value, (list, tuple)) else [value]
            tracked = self.__dict__.get("_tracked_layers")
            if tracked is not None:
                for v in candidates:
                    if isinstance(v, Layer) and v is not self and not any(v is t for t in tracked):
                        tracked.append(v)
        object.__setattr__(self, name, value)

    @property
    def name(self) -> str:
        """The layer's name: the ``name`` argument, else unique from the class (``dense_2``)."""
        return self._name

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights."""
        return self._variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in (and casts floating inputs to)."""
        return self._compute_dtype

    @property
    def dtype_policy(self) -> str:
        """The dtype policy's name (``"float32"``; ``"mixed_float16"``: float32 weights, float16 compute)."""
        return self._policy_name

    def _set_dtype(self, dtype) -> None:
        self._policy_name, self._variable_dtype, self._compute_dtype = read_dtype_policy(
            dtype, type(self).__name__)

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates the weights; setting it sets every nested layer's too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = check_bool("trainable", value, where=type(self).__name__)
        for layer in self._tracked_layers:
            layer.trainable = value

    def _flatten_layers(self, include_self: bool = True) -> list:
        """This layer and every nested layer, each once, depth first."""
        seen, out, stack = set(), [], [self] if include_self else list(reversed(self._tracked_layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._tracked_layers))
        return out

    # -- the layer's job: subclasses override these -----------------------------------
    def build(self, input_shape) -> None:
        """Create the weights, knowing the input shape (the base version only marks built)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The computation (the base version returns its inputs)."""
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (a shape tuple or a nest of them), found by
        running ``call`` on zeros; None sizes stay None in the batch axis."""
        placeholders = _shapes_to_placeholders(input_shape, self.compute_dtype)
        outputs, _ = infer_outputs(self, placeholders, {})
        return map_structure(lambda t: t.shape, outputs)

    def compute_mask(self, inputs, mask=None):
        """The output mask: the input mask passed through if the layer supports masking.

        Raises:
            TypeError: if a mask is given to a layer that does not support masking.
        """
        if not self.supports_masking:
            if any(m is not None for m in flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed "
                                f"an input_mask: {mask}")
            return None
        return mask

    # -- calling ----------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if not self.__dict__.get("_initialized"):
            raise RuntimeError(
                f"It looks like you are subclassing `Layer` ({type(self).__name__}) and forgot "
                "to call `super().__init__()`. Always start with this line."
            )
        if "mask" in kwargs:
            check_call_mask(self, kwargs["mask"])
        check_call_inputs(self, inputs)
        if self._device is None:
            inputs = map_structure(to_tensor, inputs)
        else:  # host data goes where ``to`` put the weights
            inputs = map_structure(lambda x: to_tensor(x, self._device), inputs)
        flat = flatten(inputs)
        if any(is_symbolic(t) for t in flat):
            with backend.name_scope(None, fresh=True):  # as Keras's scratch graph: no outer scope
                return symbolic_call(self, inputs, args, kwargs)
        self._check_input_spec(flat, inputs)
        self._maybe_build(inputs)
        inputs = self._cast_inputs(inputs)
        args, training = self._resolve_training(args, kwargs)
        with backend.call_frame(self, training, flat) as frame:
            self._start_call(frame)
            outputs = self._checked_call(inputs, args, kwargs)
            if self.activity_regularizer is not None and not frame.shape_inference:
                self._add_activity_loss(outputs, flat)
        return outputs

    def _checked_call(self, inputs, args, kwargs):
        with backend.name_scope(self):  # weights made in call, or by layers it calls, say so
            outputs = self.call(inputs, *args, **kwargs)
        if outputs is None:
            raise ValueError(f"the call() of layer {self.name} returned None; it must "
                             "return its output tensor(s).")
        return outputs

    def apply(self, inputs, *args, **kwargs):
        """The same as calling the layer (the TF1 name)."""
        return self(inputs, *args, **kwargs)

    def _resolve_training(self, args: tuple, kwargs: dict, *, shape_inference: bool = False):
        """Fill in ``training`` for ``call`` and return ``(args, training)``.

        The one place where ``training=None`` is resolved: ``__call__`` asks it for every
        call, real or symbolic, and containers (``Sequential``, the functional graph replay)
        forward the value their own ``call`` got. The first of these that says wins:

        1. the value passed to this call, by keyword or position (``1``/``0``, NumPy bools
           and 0-d Tensors become bools, anything else raises: ``layer_checks.check_training``);
        2. on symbolic inputs (``shape_inference``: a run on stand-in zeros that only finds
           the output shapes): False, so that stand-in data never runs training-only code;
        3. the enclosing layer call's value (a model's, for the layers it calls);
        4. this thread's learning phase, if set (``backend.set_learning_phase``);
        5. ``call``'s own default; where that is None (or absent), ``call`` gets None, which
           every layer reads as False (inference).

        Steps 4 and 5 apply only to a ``call`` that takes ``training``; a layer whose call
        does not take it still hands steps 1-3 down to the layers it calls.
        """
        position = self._training_position
        positional = position is not None and len(args) > position
        training = check_training(self, args[position] if positional else kwargs.pop("training", None))
        if training is None and shape_inference:
            training = False
        elif training is None:
            frame = backend.current_frame()
            if frame is not None and frame.training is not None:
                training = frame.training
            elif self._expects_training_arg and backend.global_learning_phase_is_set():
                training = bool(backend.learning_phase())
            elif self._expects_training_arg:
                training = self._default_training_arg
        if positional:
            args = args[:position] + (training,) + args[position + 1:]
        elif self._expects_training_arg:
            kwargs["training"] = training
        return args, training

    def _check_input_spec(self, flat: list, inputs=None) -> None:
        specs = self.input_spec
        if specs is None:
            return
        specs = specs if isinstance(specs, (list, tuple)) else [specs]
        if len(specs) != len(flat) or (len(specs) == 1 and isinstance(inputs, dict)):
            raise InvalidArgumentError(
                f'Layer "{self.name}" expects {len(specs)} input(s), but it received '
                f"{'a dict of ' if isinstance(inputs, dict) else ''}{len(flat)} input tensors. "
                + ("Pass one Tensor or array (a nested list of numbers is read as a list of "
                   "inputs: convert it with np.array(...) first)." if len(specs) == 1 else
                   f"Pass a list of {len(specs)} Tensors or arrays."))
        for i, (spec, x) in enumerate(zip(specs, flat)):
            if spec is not None:
                spec.check(self.name, i, tuple(x.shape))

    def _maybe_build(self, inputs) -> None:
        if not self.built:
            self._build_for(inputs)

    def _build_for(self, inputs) -> None:
        """``build`` for the shapes of ``inputs`` (Tensors or KerasTensors), making the
        weights on the device that ``to`` gave, if any."""
        shapes = map_structure(lambda t: tuple(t.shape), inputs)
        with backend.name_scope(self):
            if self._device is None:
                self.build(shapes)
            else:
                with mg.device(self._device):
                    self.build(shapes)
        self.built = True

    # -- devices -------------------------------------------------------------------------
    def to(self, device: str) -> Layer:
        """Move this layer's weights, and those of the layers inside it, to ``device``.

        The move is in place (as ``torch.nn.Module.to``): every Variable in ``weights``
        moves with ``Variable.move_to``, and weights made later (a layer builds on its first
        call) are made on ``device``. Optimizer slots follow their variables at the next
        step. ``fit``, ``evaluate`` and ``predict`` send each batch to the model's device.

        Args:
            device: "cpu" or "cuda".

        Returns:
            This layer, so that ``model = Sequential([...]).to("cuda")`` reads naturally.

        Raises:
            ValueError: for an unknown device name.
            DeviceUnavailableError: for "cuda" without CuPy or a GPU.
        """
        device = mg.check_device(device)
        for layer in self._flatten_layers():
            layer._device = device
        for weight in self.weights:
            weight.move_to(device)
        return self

    def _weights_device(self) -> str:
        """Where this layer computes: the device given to ``to``, else its first weight's,
        else the default device."""
        if self._device is not None:
            return self._device
        weights = self.weights
        return weights[0].device if weights else mg.get_default_device()

    def _cast_inputs(self, inputs):
        if not self._autocast:
            return inputs
        dtype = self.compute_dtype

        def cast(t):
            if isinstance(t, mg.Tensor) and t.dtype.kind == "f" and t.dtype != dtype:
                return mg.cast(t, dtype)
            return t
        return map_structure(cast, inputs)

    def _add_activity_loss(self, outputs, flat_inputs) -> None:
        for out in flatten(outputs):
            batch = out.shape[0] if out.ndim else 1
            loss = self.activity_regularizer(out) / float(batch)
            self.add_loss(loss, inputs=flat_inputs)

    def _output_mask(self, inputs, mask):
        """``compute_mask``, asked only of layers that support masking or override it (as in
        Keras: any other layer drops the mask)."""
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            return self.compute_mask(inputs, mask)
        return None

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, name: str | None = None, shape=None, dtype=None, initializer=None,
                   regularizer=None, trainable: bool | None = None, constraint=None, **kwargs):
        """Create a weight (a minigrad Variable) and track it.

        Args:
            name: the weight's name. The Variable is named "<layer>/<name>:0", after the
                layers whose calls enclose its creation, as in Keras: a layer built while
                ``outer`` runs names its kernel "outer/<layer>/kernel:0". A layer called on
                symbolic inputs (``Input``; Sequential and functional models build so) starts
                afresh: "dense/kernel:0" wherever the model is built.
            shape: its shape (``()`` by default).
            dtype: by default the layer's dtype (float32).
            initializer: an initializer or its name; by default glorot_uniform for floats
                and zeros for integers and booleans.
            regularizer: adds the loss ``regularizer(weight)``, evaluated when ``losses`` is read.
            trainable: whether it goes to ``trainable_weights`` (default True).
            constraint: applied by optimizers after each update.

        Returns:
            The new Variable.

        Raises:
            ArgumentTypeError: (a TypeError) for an unknown keyword argument, a shape that is
                not a sequence of ints, or a trainable that is not a bool or None.
            InvalidArgumentError: (a ValueError) for a negative size, an unknown dtype, or
                if no initializer fits the dtype.
        """
        shape, trainable = check_add_weight_arguments(name, shape, trainable, kwargs)
        dtype, initializer = weight_dtype_and_initializer(self, name, dtype, initializer)
        ### BEGIN SOLUTION ex06
        initializer = initializers.get(initializer)
        variable = mg.Variable(initializer(shape, dtype=dtype), trainable=trainable,
                               name=f"{backend.name_scope_prefix(self)}/{name}:0", dtype=dtype,
                               constraint=constraints.get(constraint))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:  # a callable loss, as Keras's add_loss(partial(...))
            self._losses.append((RegularizerLoss(regularizer, variable), None, False))
        return variable
        ### END SOLUTION

    def add_variable(self, *args, **kwargs):
        """Deprecated alias of ``add_weight``."""
        return self.add_weight(*args, **kwargs)

    @property
    def trainable_weights(self) -> list:
        """Weights the optimizer trains: [] when ``trainable`` is False."""
        if not self.trainable:
            return []
        own = [v for v in self._trainable_weights]
        return _dedup(own + [w for layer in self._tracked_layers for w in layer.trainable_weights])

    @property
    def non_trainable_weights(self) -> list:
        """The other weights (all of them when ``trainable`` is False)."""
        if not self.trainable:
            own = self._trainable_weights + self._non_trainable_weights
            nested = [w for layer in self._tracked_layers for w in layer.weights]
        else:
            own = list(self._non_trainable_weights)
            nested = [w for layer in self._tracked_layers for w in layer.non_trainable_weights]
        return _dedup(own + nested)

    @property
    def weights(self) -> list:
        """trainable_weights + non_trainable_weights."""
        return _dedup(self.trainable_weights + self.non_trainable_weights)

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in ``weights`` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from NumPy arrays (in ``weights`` order); nothing changes on error.

        Every array is checked (count, shape, dtype, values) before any weight is assigned.
        Numbers are cast to each weight's dtype as Keras casts them (ints and float64 into a
        float32 weight are fine); what would change a value is refused.

        Raises:
            InvalidArgumentError: (a ValueError) for a wrong number of arrays, an incompatible
                shape, or values the weight's dtype cannot hold (2.5 into an int weight, 1e40
                into float32).
            ArgumentTypeError: (a TypeError) for an array of strings, Python objects, complex
                numbers or booleans where a number weight is.
        """
        params = self.weights
        arrays = checked_weight_values(params, weights, self.name)
        for p, w in zip(params, arrays):
            p.assign(w)

    def count_params(self) -> int:
        """The number of scalars in the weights.

        Raises:
            InvalidArgumentError: (a ValueError) if the layer is not built yet.
        """
        if not self.built:
            raise InvalidArgumentError(
                f"You tried to call `count_params` on layer {self.name}, but the layer isn't built. "
                f"You can build it manually via: `{self.name}.build(batch_input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # -- config -----------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The arguments that recreate this layer (``from_config``).

        Raises:
            NotImplementedError: for a subclass whose ``__init__`` takes other arguments but
                which does not override ``get_config`` (those arguments would be lost).
        """
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_policy}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is Layer.get_config and type(self).__init__ is not Layer.__init__:
            params = inspect.signature(type(self).__init__).parameters.values()
            extra = [p.name for p in params if p.name != "self" and p.name not in config
                     and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
            if extra:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {extra} in `__init__` and "
                    "therefore must override `get_config()`: return "
                    "`{**super().get_config(), <each argument>: <its value>}`."
                )
        return config

    @classmethod
    def from_config(cls, config: dict):
        """A new, unbuilt layer from ``get_config()``'s dict.

        Raises:
            ArgumentTypeError: (a TypeError) if ``config`` is not a dict.
            InvalidArgumentError: (a ValueError) if it lacks an argument ``__init__`` requires.
        """
        check_config(cls, config)
        return cls(**config)

    def __deepcopy__(self, memo):
        """An independent copy: its own weights (same values), no graph connections."""
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for w in self.weights:  # new Variables (copy.deepcopy would keep the optimizer-slot key)
            if id(w) not in memo:
                memo[id(w)] = mg.Variable(w.value(), trainable=w.trainable, name=w.name,
                                          dtype=w.dtype, constraint=w.constraint)
        for key, value in self.__dict__.items():
            if key == "_inbound_nodes":
                object.__setattr__(clone, key, [])
            else:
                object.__setattr__(clone, key, copy.deepcopy(value, memo))
        return clone

    # -- the node API (layers.node) -------------------------------------------------------------
    def get_input_at(self, node_index: int):
        """The input tensor(s) of the layer's call ``node_index`` on symbolic inputs (0: the first)."""
        return node_attribute(self, node_index, "input_tensors", "input")

    def get_output_at(self, node_index: int):
        """The output tensor(s) of the layer's call ``node_index`` on symbolic inputs (0: the first)."""
        return node_attribute(self, node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index: int):
        """The input shape(s) of the layer's call ``node_index`` on symbolic inputs (0: the first)."""
        return node_attribute(self, node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index: int):
        """The output shape(s) of the layer's call ``node_index`` on symbolic inputs (0: the first)."""
        return node_attribute(self, node_index, "output_shapes", "output shape")

    def get_input_mask_at(self, node_index: int):
        """The input mask(s) of the layer's call ``node_index`` on symbolic inputs (0: the first)."""
        return node_attribute(self, node_index, "input_masks", "input mask")

    def get_output_mask_at(self, node_index: int):
        """The output mask(s) of the layer's call ``node_index`` on symbolic inputs (0: the first)."""
        return node_attribute(self, node_index, "output_masks", "output mask")

    @property
    def input(self):
        """The input tensor(s) of the first call on symbolic inputs (AttributeError if none)."""
        return first_input(self)

    @property
    def output(self):
        """The output tensor(s) of the first call on symbolic inputs (AttributeError if none)."""
        return first_output(self)

    @property
    def input_shape(self):
        """The input shape, if every call had the same one (AttributeError if not, or never called)."""
        return single_shape(self, "input_shapes", "input shape")

    @property
    def output_shape(self):
        """The output shape, if every call had the same one (AttributeError if not, or never called)."""
        return single_shape(self, "output_shapes", "output shape")

    @property
    def input_mask(self):
        """The mask of ``input`` (None if it has none)."""
        return mask_of(self.input)

    @property
    def output_mask(self):
        """The mask of ``output`` (None if it has none)."""
        return mask_of(self.output)

    @property
    def inbound_nodes(self) -> list:
        """The ``layers.node.Node`` of each call on symbolic inputs, in call order."""
        return list(self._inbound_nodes)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def _shapes_to_placeholders(shape, dtype):
    """A shape (tuple of ints/None) or a nest of shapes -> the same nest of KerasTensors.

    Raises:
        ArgumentTypeError: for something that is neither a shape nor a list / dict of shapes.
        InvalidArgumentError: for a negative size.
    """
    if isinstance(shape, (list, tuple)) and all(s is None or (isinstance(s, (int, np.integer))
                                                              and not isinstance(s, bool))
                                                 for s in shape):
        return KerasTensor(check_shape_value("input_shape", shape, where="compute_output_shape"), dtype)
    if isinstance(shape, dict):
        return {k: _shapes_to_placeholders(v, dtype) for k, v in shape.items()}
    if not isinstance(shape, (list, tuple)) or not shape:
        raise ArgumentTypeError(
            f"compute_output_shape: `input_shape` must be a tuple of ints / None (one shape), or "
            f"a list or dict of them, got {shape!r}. Pass e.g. (None, 3).")
    return [_shapes_to_placeholders(s, dtype) for s in shape]


def _dedup(weights: list) -> list:
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


__all__ = ["InputSpec", "Layer", "Update", "check_config", "check_input_shape"]
