"""Layer: the base class of every layer and model, with the Keras API.

A layer is configured in ``__init__``, creates its weights in ``build(input_shape)``
(with ``add_weight``) the first time it is called, and computes in
``call(inputs, training=None, mask=None)``. ``__call__`` does the bookkeeping
around ``call``:

1. converts NumPy data to Tensors; builds the layer on first use;
2. casts floating inputs to the layer's compute dtype;
3. resolves ``training`` when the caller did not give it: the enclosing layer's
   call, else this thread's learning phase (if set), else ``call``'s own default;
4. runs ``call``, adds the activity-regularizer loss ``reg(output) / batch_size``;
5. on symbolic inputs (``layers.Input``) records a Node instead of computing.

It tracks weights (trainable / non-trainable, nested layers included),
updates (``add_update``: pending update objects the caller runs, V1 style) and
losses (``add_loss``; weight regularizers are evaluated each time ``losses`` is
read, so they can be differentiated on a GradientTape).
"""

from __future__ import annotations

import copy
import inspect
import numbers

import numpy as np

import minigrad as mg
from layers import backend, constraints, initializers, regularizers
from layers.nest import flatten, map_structure, pack_as, unwrap_single
from layers.node import KerasTensor, Node, is_symbolic
from layers.weights_file import checked_weight_values
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.pytorch_habits import PyTorchName
from minigrad.validation import check_bool, check_int, check_one_of, check_str

# policy name -> (variable dtype, compute dtype); NumPy has no bfloat16, so no "mixed_bfloat16"
_POLICIES = {"mixed_float16": ("float32", "float16")}
_BASE_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "input_dim", "autocast"}
_ADD_WEIGHT_KWARGS = {"partitioner", "use_resource", "synchronization", "aggregation", "getter",
                      "experimental_autocast", "caching_device"}
# Keras 3's names for tf.VariableSynchronization / tf.VariableAggregation
_ADD_WEIGHT_CHOICES = {"synchronization": ("auto", "none", "on_read", "on_write"),
                       "aggregation": ("none", "mean", "sum", "only_first_replica")}


class InputSpec:
    """What a layer accepts: rank (``ndim``, ``min_ndim``, ``max_ndim``) and sizes of some axes.

    Args:
        ndim, min_ndim, max_ndim: rank constraints (None: any).
        axes: ``{axis: size}`` that the input must have (negative axes count from the end).
    """

    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None, dtype=None, shape=None):
        where = "InputSpec"
        if shape is not None:
            shape = _check_shape_value("shape", shape, where=where)
            if ndim is not None and check_int("ndim", ndim, minimum=0, where=where) != len(shape):
                raise InvalidArgumentError(f"InputSpec: `ndim`={ndim} disagrees with `shape`={shape} "
                                           f"(rank {len(shape)}). Pass only one of them.")
        ndim = check_int("ndim", ndim, minimum=0, allow_none=True, where=where)
        min_ndim = check_int("min_ndim", min_ndim, minimum=0, allow_none=True, where=where)
        max_ndim = check_int("max_ndim", max_ndim, minimum=0, allow_none=True, where=where)
        if min_ndim is not None and max_ndim is not None and min_ndim > max_ndim:
            raise InvalidArgumentError(f"InputSpec: `min_ndim`={min_ndim} is above `max_ndim`={max_ndim}. "
                                       "Pass min_ndim <= max_ndim.")
        if axes is not None and not isinstance(axes, dict):
            raise ArgumentTypeError(f"InputSpec: `axes` must be a dict {{axis: size}} or None, got "
                                    f"{axes!r}. Pass e.g. axes={{-1: 3}}.")
        for axis, size in (axes or {}).items():
            check_int("axes key (an axis)", axis, where=where)
            check_int(f"axes[{axis}]", size, minimum=0, allow_none=True, where=where)
        if dtype is not None and not isinstance(dtype, str):
            try:
                dtype = np.dtype(dtype).name
            except TypeError as exc:
                raise ArgumentTypeError(f"InputSpec: `dtype` must be a dtype name or None, got "
                                        f"{dtype!r}. Pass e.g. dtype='float32'.") from exc
        self.ndim = len(shape) if shape is not None else ndim
        self.min_ndim, self.max_ndim = min_ndim, max_ndim
        self.axes = dict(axes or {})
        self.dtype = dtype
        self.shape = shape

    def check(self, layer_name: str, index: int, shape: tuple) -> None:
        """Raise InvalidArgumentError (a ValueError) naming the layer if an input of ``shape``
        does not fit."""
        def fail(what):
            raise InvalidArgumentError(
                f'Input {index} of layer "{layer_name}" is incompatible with the layer: {what}. '
                f"Full shape received: {shape}"
            )
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            fail(f"expected ndim={self.ndim}, found ndim={rank}")
        if self.min_ndim is not None and rank < self.min_ndim:
            fail(f"expected min_ndim={self.min_ndim}, found ndim={rank}")
        if self.max_ndim is not None and rank > self.max_ndim:
            fail(f"expected max_ndim={self.max_ndim}, found ndim={rank}")
        for axis, size in self.axes.items():
            if size is None or not -rank <= axis < rank:
                continue
            if shape[axis] is not None and shape[axis] != size:
                fail(f"expected axis {axis} of input shape to have value {size}")
        if self.shape is not None:
            for want, got in zip(self.shape, shape):
                if want is not None and got is not None and want != got:
                    fail(f"expected shape={self.shape}, found shape={shape}")


class Update:
    """A pending state change, such as a moving-average step: calling it runs it.

    Layers in V1 style (``layers.v1.BatchNormalization``) hand these out through
    ``updates`` / ``get_updates_for`` instead of changing their state at once, so a
    custom training loop must run them, as TF1's UPDATE_OPS had to be run.
    """

    def __init__(self, fn, name: str = "update"):
        if not callable(fn):
            raise ArgumentTypeError(
                f"Update: an update must be callable, got {type(fn).__name__} ({fn!r}). Pass a "
                "zero-argument function, e.g. add_update(lambda: variable.assign_add(1.0)).")
        self._fn = fn
        self.name = check_str("name", name, where="Update")

    def __call__(self):
        return self._fn()

    def __repr__(self) -> str:
        return f"<Update {self.name}>"


class Layer:
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
        # regularizers are _RegularizerLoss callables here, in the order add_weight made them
        self._inbound_nodes: list = []
        self._generation = None  # the outermost call this layer last ran in
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._batch_input_shape = _batch_input_shape_from(kwargs, type(self).__name__)
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
        if not name.startswith("_") or name in ("_layers",):
            candidates = value if isinstance(value, (list, tuple)) else [value]
            tracked = self.__dict__.get("_tracked_layers")
            if tracked is not None:
                for v in candidates:
                    if isinstance(v, Layer) and v is not self and not any(v is t for t in tracked):
                        tracked.append(v)
        object.__setattr__(self, name, value)

    @property
    def name(self) -> str:
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
        return self._policy_name

    def _set_dtype(self, dtype) -> None:
        if isinstance(dtype, dict):  # a Keras 3 DTypePolicy config
            config = dtype.get("config")
            if not isinstance(config, dict) or not isinstance(config.get("name"), str):
                raise InvalidArgumentError(
                    f"{type(self).__name__}: a dict `dtype` must be a Keras dtype-policy config "
                    f"{{'class_name': 'DTypePolicy', 'config': {{'name': 'float32'}}}}, got {dtype!r}. "
                    "Pass e.g. dtype='float32'.")
            dtype = config["name"]
        if dtype is None:
            dtype = backend.floatx()
        # a policy name (and bfloat16, refused below) stays as given; NumPy reads the rest
        as_given = isinstance(dtype, str) and (dtype in _POLICIES or "bfloat16" in dtype)
        try:
            name = dtype if as_given else np.dtype(dtype).name
        except TypeError as exc:
            raise InvalidArgumentError(
                f"{type(self).__name__}: `dtype` {dtype!r} is neither a dtype nor a policy name "
                f"({sorted(_POLICIES)}). Pass e.g. dtype='float32'.") from exc
        if name in _POLICIES:
            self._variable_dtype, self._compute_dtype = _POLICIES[name]
        elif "bfloat16" in name:
            raise InvalidArgumentError(f"dtype {dtype!r} is not supported: NumPy has no bfloat16. "
                                       'Use "float32", "float64" or "mixed_float16".')
        else:
            if np.dtype(name).kind not in "biuf":  # what minigrad tensors can hold
                raise InvalidArgumentError(
                    f"{type(self).__name__}: `dtype` {dtype!r} is not a bool, integer or float "
                    "dtype, which are all minigrad tensors hold. Pass e.g. dtype='float32'.")
            self._variable_dtype = self._compute_dtype = name
        self._policy_name = name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = check_bool("trainable", value, where=type(self).__name__)
        for layer in self._tracked_layers:
            layer.trainable = value

    @property
    def _layers(self) -> list:
        return list(self._tracked_layers)

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
        outputs, _ = self._infer_outputs(placeholders, {})
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
            _check_call_mask(self, kwargs["mask"])
        _check_call_inputs(self, inputs)
        if self._device is None:
            inputs = map_structure(_to_tensor, inputs)
        else:  # host data goes where ``to`` put the weights
            inputs = map_structure(lambda x: _to_tensor(x, self._device), inputs)
        flat = flatten(inputs)
        if any(is_symbolic(t) for t in flat):
            with backend.name_scope(None, fresh=True):  # as Keras's scratch graph: no outer scope
                return self._symbolic_call(inputs, args, kwargs)
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

    def _start_call(self, frame) -> None:
        """The first time this layer runs in a new outermost call, forget the losses and
        updates that the previous outermost call recorded, here and in every nested layer
        (also those this call will not run). Later calls in the same outermost call add up."""
        if frame.shape_inference or self._generation == frame.generation:
            return
        for layer in self._flatten_layers():
            if layer._generation != frame.generation:
                layer._generation = frame.generation
                if layer._losses:  # (skipping empty lists keeps this hot path cheap)
                    layer._losses = [entry for entry in layer._losses if not entry[2]]
                if layer._updates:
                    layer._updates = []

    def _resolve_training(self, args: tuple, kwargs: dict):
        """Fill in ``training`` as Keras V2 does, and return ``(args, training)``.

        The value passed (by keyword or position; an int becomes a bool), else the enclosing
        layer call's, else this thread's learning phase if set, else ``call``'s default. A layer
        whose ``call`` takes no ``training`` does not get it, but its nested layers do.
        """
        position = self._training_position
        positional = position is not None and len(args) > position
        training = args[position] if positional else kwargs.pop("training", None)
        training = _check_training(self, training)
        if training is None:
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
        device = mg.backend.check_device(device)
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

    # -- symbolic calls (functional models) ---------------------------------------------
    def _symbolic_call(self, inputs, args, kwargs):
        flat = flatten(inputs)
        self._check_input_spec(flat, inputs)
        if not self.built:
            self._build_for(inputs)
        if "mask" in kwargs:  # an explicit mask wins over the inputs' own masks
            mask = kwargs["mask"]
        else:
            masks = [getattr(t, "_keras_mask", None) for t in flat]
            mask = pack_as(inputs, masks) if any(m is not None for m in masks) else None
            if mask is not None and self._expects_mask_arg:
                kwargs["mask"] = mask
        outputs, output_mask = self._infer_outputs(inputs, kwargs, args, mask)
        flat_out = flatten(outputs)
        node = Node(self, flat, flat_out, kwargs, arguments_structure=(inputs, args))
        self._inbound_nodes.append(node)
        flat_masks = flatten(output_mask) if output_mask is not None else []
        for i, t in enumerate(flat_out):
            t._keras_history = (self, len(self._inbound_nodes) - 1, i)
            t._keras_mask = flat_masks[i] if i < len(flat_masks) else None
        return outputs

    def _infer_outputs(self, inputs, kwargs, args=(), mask=None):
        """Shapes, dtypes and masks of the outputs, by running ``call`` on stand-in data.

        Unknown sizes (None) are filled in twice, with different values (batch 1 then 2,
        other axes 32 then 45); an output axis whose size changes between the two runs is
        unknown (None) too. Nothing the runs do is kept: losses and updates are not
        recorded, weights that ``call`` assigns (e.g. moving statistics) are restored, and
        they run in inference mode unless ``training`` was given.

        Returns:
            ``(outputs, output_mask)`` as KerasTensors (the mask may be None).
        """
        args, kwargs = list(args), dict(kwargs)
        position = self._training_position
        if position is not None and len(args) > position:
            training = args[position] = bool(_check_training(self, args[position]))
        else:
            training = bool(_check_training(self, kwargs.pop("training", None)))
            if self._expects_training_arg:
                kwargs["training"] = training
        if not self.built:
            self._build_for(inputs)
        unknown = any(None in t.shape for t in flatten(inputs) if is_symbolic(t))
        saved = [(w, w.value()) for w in self.weights]
        with mg.no_recording(), backend.call_frame(self, training, [], shape_inference=True):
            runs = [self._run_on_stand_ins(inputs, mask, args, kwargs, sizes)
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

    def _run_on_stand_ins(self, inputs, mask, args, kwargs, sizes):
        """One run of ``call`` and ``compute_mask`` with zeros for the symbolic inputs and
        all-True masks; unknown sizes become ``sizes = (batch, other axes)``."""
        def concrete(t, fill=np.zeros):
            if not is_symbolic(t):
                return t
            shape = tuple(s if s is not None else sizes[0] if i == 0 else sizes[1]
                          for i, s in enumerate(t.shape))
            return mg.tensor(fill(shape, dtype=t.dtype), device=self._device)
        data = self._cast_inputs(map_structure(concrete, inputs))
        data_mask = map_structure(lambda m: concrete(m, np.ones), mask)
        if "mask" in kwargs:
            kwargs = {**kwargs, "mask": data_mask}
        out = self._checked_call(data, tuple(args), kwargs)
        return out, self._output_mask(data, data_mask)

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
        unknown = set(kwargs) - _ADD_WEIGHT_KWARGS
        if unknown:
            raise ArgumentTypeError(f"Unknown keyword argument: {sorted(unknown)[0]!r} (add_weight). "
                                    f"It takes {sorted(_ADD_WEIGHT_KWARGS)} besides its named arguments.")
        check_str("name", name, allow_none=True, where="add_weight")
        shape = _check_weight_shape(shape, name)
        trainable = check_bool("trainable", trainable, allow_none=True, where="add_weight")
        for key, options in _ADD_WEIGHT_CHOICES.items():
            if isinstance(kwargs.get(key), str):
                check_one_of(key, kwargs[key], options, where="add_weight")
        try:
            dtype = np.dtype(dtype or self.dtype)
        except TypeError as exc:
            raise InvalidArgumentError(f"add_weight: `dtype` {dtype!r} is not a dtype. Pass e.g. "
                                       "dtype='float32' (or None for the layer's dtype).") from exc
        ### BEGIN SOLUTION ex06
        if initializer is None:
            if dtype.kind == "f":
                initializer = "glorot_uniform"
            elif dtype.kind in "iub":
                initializer = "zeros"
            else:
                raise InvalidArgumentError(f"An initializer for variable {name} of type {dtype} is "
                                           f"required for layer {self.name}: pass initializer=...")
        initializer = initializers.get(initializer)
        trainable = True if trainable is None else bool(trainable)
        ### END SOLUTION
        if kwargs.get("synchronization") == "on_read":
            trainable = False
        ### BEGIN SOLUTION ex06
        variable = mg.Variable(initializer(shape, dtype=dtype), trainable=trainable,
                               name=f"{backend.name_scope_prefix(self)}/{name}:0", dtype=dtype,
                               constraint=constraints.get(constraint))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:  # a callable loss, as Keras's add_loss(partial(...))
            self._losses.append((_RegularizerLoss(regularizer, variable), None, False))
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

    # -- updates --------------------------------------------------------------------------
    def add_update(self, updates, inputs=None) -> None:
        """Record pending updates (callables or ``Update`` objects) for the caller to run.

        Updates belong to one call: the next outermost call of the layer (or of a layer
        containing it) replaces them, so run them after each call, before the next one.

        Args:
            updates: an update, a zero-argument callable or a list of them.
            inputs: None for unconditional updates; otherwise the inputs they depend on
                (``get_updates_for(inputs)`` returns them).
        """
        frame = backend.current_frame()
        if frame is not None and frame.shape_inference:
            return
        condition = _condition(inputs, frame)
        for u in flatten(updates):
            if u is None:
                continue
            self._updates.append((u if isinstance(u, Update) else Update(u), condition))

    @property
    def updates(self) -> list:
        """Pending updates of this layer and nested ones (none from frozen layers, as in TF1)."""
        return [u for layer in self._flatten_layers() if layer.trainable
                for u, _ in layer._updates]

    def get_updates_for(self, inputs) -> list:
        """Updates conditional on ``inputs`` (None: the unconditional ones).

        Raises:
            ArgumentTypeError: for ``inputs`` that are not None, Tensors or a list of them.
        """
        _check_condition_inputs(inputs, "get_updates_for")
        return [u for layer in self._flatten_layers() if layer.trainable
                for u, cond in layer._updates if _matches(cond, inputs)]

    # -- losses -----------------------------------------------------------------------------
    def add_loss(self, losses, inputs=None) -> None:
        """Add loss tensors or zero-argument callables (None entries are skipped).

        Args:
            losses: a scalar Tensor, a callable returning one, or a list of them.
            inputs: None for unconditional losses (e.g. weight regularization); otherwise
                the inputs they depend on (activity regularization).
        """
        frame = backend.current_frame()
        if frame is not None and frame.shape_inference:
            return
        condition = _condition(inputs, frame)
        for loss in flatten(losses):
            if loss is None:
                continue
            if not callable(loss):
                loss = _to_tensor(loss)
                if not isinstance(loss, (mg.Tensor, KerasTensor)):
                    raise ArgumentTypeError(
                        f"Layer {self.name}: add_loss takes a scalar Tensor, a number, a "
                        f"zero-argument callable returning one, or a list of them; got {loss!r} "
                        f"of type {type(loss).__name__}. Pass e.g. add_loss(mg.sum(x ** 2)).")
            self._losses.append((loss, condition, frame is not None and not callable(loss)))

    @property
    def losses(self) -> list:
        """Losses of this layer and nested ones, in Keras's order: layer by layer (this one,
        then the nested ones, depth first), each layer's tensors (``add_loss`` of a tensor,
        activity regularization) in the order added, then its callables (``add_loss`` of a
        callable, weight regularizers) in the order added, evaluated now. A callable that
        returns None adds nothing."""
        out = []
        for layer in self._flatten_layers():
            out.extend(_ordered_losses(layer._losses))
        return out

    def get_losses_for(self, inputs) -> list:
        """Losses conditional on ``inputs`` (None: the unconditional ones, regularizers
        included), in the order of ``losses``.

        Raises:
            ArgumentTypeError: for ``inputs`` that are not None, Tensors or a list of them.
        """
        _check_condition_inputs(inputs, "get_losses_for")
        out = []
        for layer in self._flatten_layers():
            out.extend(_ordered_losses([entry for entry in layer._losses
                                        if _matches(entry[1], inputs)]))
        return out

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

    # -- the node API --------------------------------------------------------------------------
    def _node_attribute(self, node_index: int, attr: str, what: str):
        node_index = check_int("node_index", node_index, where=f"get_{what.replace(' ', '_')}_at")
        if not self._inbound_nodes:
            raise RuntimeError(f"The layer {self.name} has never been called and thus has no "
                               f"defined {what}.")
        if not -len(self._inbound_nodes) <= node_index < len(self._inbound_nodes):
            raise InvalidArgumentError(
                f"Asked to get {what} at node {node_index}, but the layer has only "
                f"{len(self._inbound_nodes)} inbound nodes: pass a `node_index` in "
                f"[-{len(self._inbound_nodes)}, {len(self._inbound_nodes)}).")
        return unwrap_single(getattr(self._inbound_nodes[node_index], attr))

    def get_input_at(self, node_index: int):
        return self._node_attribute(node_index, "input_tensors", "input")

    def get_output_at(self, node_index: int):
        return self._node_attribute(node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index: int):
        return self._node_attribute(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index: int):
        return self._node_attribute(node_index, "output_shapes", "output shape")

    def get_input_mask_at(self, node_index: int):
        return self._node_attribute(node_index, "input_masks", "input mask")

    def get_output_mask_at(self, node_index: int):
        return self._node_attribute(node_index, "output_masks", "output mask")

    @property
    def input(self):
        """The input tensor(s) of the first call on symbolic inputs.

        Raises:
            AttributeError: if the layer was never called on symbolic inputs.
        """
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return self.get_input_at(0)

    @property
    def output(self):
        """The output tensor(s) of the first call on symbolic inputs.

        Raises:
            AttributeError: if the layer was never called on symbolic inputs.
        """
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self.get_output_at(0)

    def _single_shape(self, attr: str, what: str):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 f"defined {what}.")
        shapes = {repr(getattr(node, attr)) for node in self._inbound_nodes}
        if len(shapes) != 1:
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes, with different {what}s. '
                f'Hence the notion of "{what}" is ill-defined for the layer. Use '
                f"`get_{attr[:-1]}_at(node_index)` instead."
            )
        return unwrap_single(getattr(self._inbound_nodes[0], attr))

    @property
    def input_shape(self):
        """The input shape, if every call had the same one.

        Raises:
            AttributeError: if the layer was never called or its calls had different shapes.
        """
        return self._single_shape("input_shapes", "input shape")

    @property
    def output_shape(self):
        """The output shape, if every call had the same one.

        Raises:
            AttributeError: if the layer was never called or its calls had different shapes.
        """
        return self._single_shape("output_shapes", "output shape")

    @property
    def input_mask(self):
        """The mask of ``input`` (None if it has none)."""
        inputs = self.input
        return unwrap_single([t._keras_mask for t in flatten(inputs)])

    @property
    def output_mask(self):
        """The mask of ``output`` (None if it has none)."""
        outputs = self.output
        return unwrap_single([t._keras_mask for t in flatten(outputs)])

    @property
    def inbound_nodes(self) -> list:
        return list(self._inbound_nodes)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def _check_training(layer, training):
    """``training`` as None or a Python bool: True/False, NumPy bools, the learning-phase
    ints 0 and 1, and 0-d bool or int Tensors (read on the host) are accepted.

    Raises:
        ArgumentTypeError: for anything else, e.g. ``training="no"`` (which would read as True).
        InvalidArgumentError: for an int other than 0 or 1.
    """
    if training is None or isinstance(training, bool):
        return training
    if isinstance(training, np.bool_):
        return bool(training)
    if isinstance(training, (int, np.integer)):
        if training not in (0, 1):
            raise InvalidArgumentError(
                f"Layer {layer.name}: `training` must be True, False, None or the learning-phase "
                f"values 0 / 1, got {training!r}. Pass training=True or training=False.")
        return bool(training)
    if isinstance(training, mg.Tensor) and training.ndim == 0 and training.dtype.kind in "biu":
        return _check_training(layer, training.item())
    raise ArgumentTypeError(
        f"Layer {layer.name}: `training` must be True, False or None, got {training!r} of type "
        f"{type(training).__name__}. Pass training=True (batch statistics, dropout on) or "
        "training=False (inference)"
        + (": a string such as 'no' would read as True." if isinstance(training, str) else "."))


def _check_call_inputs(layer, inputs) -> None:
    """Refuse what cannot be a layer's input before NumPy sees it (one isinstance per input).

    Raises:
        ArgumentTypeError: for ``inputs=None``, or an input that is neither a Tensor, an array
            (anything with ``shape`` and ``dtype``) nor a number: a string, a set, an object.
    """
    if inputs is None:
        raise ArgumentTypeError(
            f"Layer {layer.name} was called with inputs=None. Pass a Tensor or a NumPy array "
            "(batch axis first), or a layers.Input(...) to build a model.")
    for x in flatten(inputs):
        if isinstance(x, (mg.Tensor, KerasTensor, np.ndarray)):
            continue
        if isinstance(x, (str, bytes)):
            raise ArgumentTypeError(
                f"Layer {layer.name} was called with the string {x!r} as an input. Pass a "
                "Tensor or a NumPy array of numbers.")
        if not (isinstance(x, numbers.Number) or (hasattr(x, "shape") and hasattr(x, "dtype"))):
            raise ArgumentTypeError(
                f"Layer {layer.name} was called with {x!r} of type {type(x).__name__} as an "
                "input. Pass a Tensor or a NumPy array of numbers (a list or dict of them for a "
                "layer with several inputs).")


def _check_call_mask(layer, mask) -> None:
    """Refuse a ``mask`` the layer's ``call`` cannot take, or one that is not mask-like.

    Raises:
        ArgumentTypeError: for a mask given to a layer whose ``call`` takes no ``mask``, or a
            mask that is not None, a Tensor, an array or a list of them.
    """
    if mask is not None and not layer._expects_mask_arg:
        raise ArgumentTypeError(
            f"Layer {layer.name} ({type(layer).__name__}) was called with a `mask`, but its "
            "call() takes no mask. Drop mask=..., or mask the data before this layer.")
    for m in flatten(mask) if mask is not None else ():
        if m is not None and not isinstance(m, (mg.Tensor, KerasTensor, np.ndarray, np.generic,
                                                bool, int)):
            raise ArgumentTypeError(
                f"Layer {layer.name}: `mask` must be None, or a bool Tensor / array (or a list "
                f"of them, one per input), got {m!r} of type {type(m).__name__}. Pass e.g. "
                "mask=x != 0.")


def _check_weight_shape(shape, name) -> tuple:
    """``add_weight``'s shape as a tuple of ints >= 0 (None: a scalar, ``()``).

    Raises:
        ArgumentTypeError: for something that is not a sequence of ints (``(2.5,)`` would
            silently become ``(2,)``).
        InvalidArgumentError: for a negative size.
    """
    if shape is None:
        return ()
    try:
        dims = None if isinstance(shape, (str, bytes)) else tuple(shape)
    except TypeError:
        dims = None
    if dims is None or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in dims):
        raise ArgumentTypeError(f"add_weight: the shape of weight {name!r} must be a tuple of ints, got "
                                f"{shape!r}. Pass e.g. shape=(input_dim, units).")
    if any(d < 0 for d in dims):
        raise InvalidArgumentError(f"add_weight: the shape of weight {name!r} has a negative size: "
                                   f"{shape!r}. Every size must be >= 0.")
    return tuple(int(d) for d in dims)


def _to_tensor(x, device=None):
    """NumPy arrays and numbers become Tensors (floats as float32) on ``device`` (None: the
    default device); others pass through."""
    if isinstance(x, (mg.Tensor, KerasTensor)) or x is None:
        return x
    if isinstance(x, (np.ndarray, np.generic, list, float, int)):
        return mg.tensor(x, device=device)  # an array keeps its dtype; __call__ then casts it
    return x


def _shapes_to_placeholders(shape, dtype):
    """A shape (tuple of ints/None) or a nest of shapes -> the same nest of KerasTensors.

    Raises:
        ArgumentTypeError: for something that is neither a shape nor a list / dict of shapes.
        InvalidArgumentError: for a negative size.
    """
    if isinstance(shape, (list, tuple)) and all(s is None or (isinstance(s, (int, np.integer))
                                                              and not isinstance(s, bool))
                                                 for s in shape):
        return KerasTensor(_check_shape_value("input_shape", shape, where="compute_output_shape"), dtype)
    if isinstance(shape, dict):
        return {k: _shapes_to_placeholders(v, dtype) for k, v in shape.items()}
    if not isinstance(shape, (list, tuple)) or not shape:
        raise ArgumentTypeError(
            f"compute_output_shape: `input_shape` must be a tuple of ints / None (one shape), or "
            f"a list or dict of them, got {shape!r}. Pass e.g. (None, 3).")
    return [_shapes_to_placeholders(s, dtype) for s in shape]


class _RegularizerLoss:
    """The loss ``regularizer(variable)``, computed when called (so: when ``losses`` is read).

    A class rather than a lambda so that ``copy.deepcopy`` of a layer gives a loss on the
    copy's own variable.
    """

    def __init__(self, regularizer, variable):
        self.regularizer = regularizer
        self.variable = variable

    def __call__(self):
        return self.regularizer(self.variable)


def _ordered_losses(entries: list) -> list:
    """One layer's ``(loss, condition, from_call)`` entries as Keras lists them: the tensors,
    then the callables' values (None dropped), each group in the order added (tf-keras keeps
    them in two lists, ``_eager_losses`` and ``_callable_losses``)."""
    tensors = [loss for loss, _, _ in entries if not callable(loss)]
    values = [loss() for loss, _, _ in entries if callable(loss)]
    for value in values:
        if value is not None and not isinstance(value, (mg.Tensor, KerasTensor)):
            raise ArgumentTypeError(
                f"A loss callable given to add_loss returned {value!r} of type "
                f"{type(value).__name__}; it must return a scalar Tensor (or None for no loss). "
                "Return e.g. mg.sum(w ** 2).")
    return tensors + [value for value in values if value is not None]


def _condition(inputs, frame):
    """What an update/loss is conditional on: None (unconditional) or ``{id(t): t}`` for the
    inputs and the outermost call's inputs (which reach every nested layer's inputs).
    Holding the tensors keeps their ids from being reused by new tensors."""
    if inputs is None:
        return None
    condition = {id(t): t for t in flatten(inputs)}
    if frame is not None:
        condition.update((id(t), t) for t in frame.top_inputs)
    return condition


def _check_condition_inputs(inputs, where: str) -> None:
    """Refuse ``inputs`` of get_updates_for / get_losses_for that cannot be a layer's inputs."""
    for t in flatten(inputs) if inputs is not None else ():
        if not isinstance(t, (mg.Tensor, KerasTensor, np.ndarray)):
            raise ArgumentTypeError(
                f"{where}: `inputs` must be None (the unconditional entries) or the Tensors a "
                f"layer was called on (or a list of them), got {t!r} of type {type(t).__name__}.")


def _matches(condition, inputs) -> bool:
    if inputs is None:
        return condition is None
    if condition is None:
        return False
    return any(id(t) in condition for t in flatten(inputs))


def _dedup(weights: list) -> list:
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _check_shape_value(name: str, shape, *, where: str, allow_unknown: bool = True) -> tuple:
    """``shape`` (a tuple or list of ints >= 0, or None for unknown sizes) as a tuple.

    Raises:
        ArgumentTypeError: for a shape that is not a sequence, or a size that is not an int.
        InvalidArgumentError: for a negative size.
    """
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list)):
        unknown = " (None for an unknown size)" if allow_unknown else ""
        raise ArgumentTypeError(
            f"{where}: `{name}` must be a tuple of ints{unknown}, got {shape!r} of type "
            f"{type(shape).__name__}. Pass e.g. {name}=(None, 3).")
    for i, size in enumerate(shape):
        if size is None and allow_unknown:
            continue
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            raise ArgumentTypeError(
                f"{where}: `{name}`[{i}] must be an int{' or None' if allow_unknown else ''}, got "
                f"{size!r} in {name}={tuple(shape)!r}. Pass sizes as whole numbers, e.g. (None, 3).")
        if size < 0:
            raise InvalidArgumentError(
                f"{where}: `{name}`[{i}] is negative ({size}) in {name}={tuple(shape)!r}. Every "
                "size must be >= 0 (None for an unknown size).")
    return tuple(None if size is None else int(size) for size in shape)


def check_input_shape(layer, input_shape, *, min_rank: int = 1, rank: int | None = None,
                      what: str = "input_shape") -> tuple:
    """A single-input layer's ``input_shape`` (for ``build``/``compute_output_shape``) checked.

    Raises:
        ArgumentTypeError: for a shape that is not a flat tuple of ints/None.
        InvalidArgumentError: for a negative size or a rank the layer cannot take.
    """
    where = f"{type(layer).__name__} {layer.name}"
    shape = _check_shape_value(what, input_shape, where=where)
    if (rank is not None and len(shape) != rank) or len(shape) < min_rank:
        wanted = f"rank {rank}" if rank is not None else f"rank >= {min_rank}"
        raise InvalidArgumentError(
            f"{where}: `{what}`={shape} has rank {len(shape)}, but this layer takes {wanted} "
            "(the batch axis included). Pass e.g. (None, 3) for batches of vectors.")
    return shape


def _batch_input_shape_from(kwargs: dict, where: str):
    """The ``(batch_size,) + input_shape`` given by ``input_shape``/``input_dim``/
    ``batch_input_shape``/``batch_size`` (Keras's base-layer keywords), checked; None if none.

    Raises:
        ArgumentTypeError: for a shape that is not a tuple of ints/None, or an ``input_dim``
            or ``batch_size`` that is not an int.
        InvalidArgumentError: for a negative size, or ``input_dim``/``batch_size`` below 1.
    """
    batch_size = check_int("batch_size", kwargs.get("batch_size"), minimum=1, allow_none=True,
                           where=where)
    if "batch_input_shape" in kwargs:
        return _check_shape_value("batch_input_shape", kwargs["batch_input_shape"], where=where)
    if "input_dim" in kwargs:
        return (batch_size, check_int("input_dim", kwargs["input_dim"], minimum=1, where=where))
    if "input_shape" in kwargs:
        return (batch_size,) + _check_shape_value("input_shape", kwargs["input_shape"], where=where)
    return None


def check_config(cls, config) -> None:
    """Refuse a ``from_config`` config that is not a dict or lacks a required argument.

    Raises:
        ArgumentTypeError: if ``config`` is not a dict.
        InvalidArgumentError: naming the missing arguments.
    """
    if not isinstance(config, dict):
        raise ArgumentTypeError(
            f"{cls.__name__}.from_config: `config` must be a dict (as get_config() returns), got "
            f"{config!r} of type {type(config).__name__}.")
    params = inspect.signature(cls.__init__).parameters.values()
    missing = [p.name for p in params if p.name != "self" and p.default is p.empty
               and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in config]
    if missing:
        raise InvalidArgumentError(
            f"{cls.__name__}.from_config: `config` lacks {', '.join(map(repr, missing))}, which "
            f"{cls.__name__} requires. Pass the dict that get_config() returned, e.g. "
            f"{cls.__name__}.from_config(layer.get_config()).")
