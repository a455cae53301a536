"""Checks of what a layer is given: input specs, call arguments, shapes, dtypes, configs.

Each check raises a named error (``minigrad.errors``) that says what was given, what is
allowed and how to fix it. ``Layer`` calls them from ``__init__``, ``__call__`` and
``add_weight``; layers call ``check_input_shape`` and ``check_config`` themselves.
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

import minigrad as mg
from layers import backend
from layers.nest import flatten
from layers.node import KerasTensor
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_int, check_one_of, check_str

# policy name -> (variable dtype, compute dtype); NumPy has no bfloat16, so no "mixed_bfloat16"
POLICIES = {"mixed_float16": ("float32", "float16")}
ADD_WEIGHT_KWARGS = {"partitioner", "use_resource", "synchronization", "aggregation", "getter",
                     "experimental_autocast", "caching_device"}
# Keras 3's names for tf.VariableSynchronization / tf.VariableAggregation
ADD_WEIGHT_CHOICES = {"synchronization": ("auto", "none", "on_read", "on_write"),
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
            shape = check_shape_value("shape", shape, where=where)
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



def check_training(layer, training):
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
        return check_training(layer, training.item())
    raise ArgumentTypeError(
        f"Layer {layer.name}: `training` must be True, False or None, got {training!r} of type "
        f"{type(training).__name__}. Pass training=True (batch statistics, dropout on) or "
        "training=False (inference)"
        + (": a string such as 'no' would read as True." if isinstance(training, str) else "."))


def check_call_inputs(layer, inputs) -> None:
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


def check_call_mask(layer, mask) -> None:
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


def check_weight_shape(shape, name) -> tuple:
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



def to_tensor(x, device=None):
    """NumPy arrays and numbers become Tensors (floats as float32) on ``device`` (None: the
    default device); others pass through."""
    if isinstance(x, (mg.Tensor, KerasTensor)) or x is None:
        return x
    if isinstance(x, (np.ndarray, np.generic, list, float, int)):
        return mg.tensor(x, device=device)  # an array keeps its dtype; __call__ then casts it
    return x



def check_shape_value(name: str, shape, *, where: str, allow_unknown: bool = True) -> tuple:
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
    shape = check_shape_value(what, input_shape, where=where)
    if (rank is not None and len(shape) != rank) or len(shape) < min_rank:
        wanted = f"rank {rank}" if rank is not None else f"rank >= {min_rank}"
        raise InvalidArgumentError(
            f"{where}: `{what}`={shape} has rank {len(shape)}, but this layer takes {wanted} "
            "(the batch axis included). Pass e.g. (None, 3) for batches of vectors.")
    return shape


def batch_input_shape_from(kwargs: dict, where: str):
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
        return check_shape_value("batch_input_shape", kwargs["batch_input_shape"], where=where)
    if "input_dim" in kwargs:
        return (batch_size, check_int("input_dim", kwargs["input_dim"], minimum=1, where=where))
    if "input_shape" in kwargs:
        return (batch_size,) + check_shape_value("input_shape", kwargs["input_shape"], where=where)
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


def read_dtype_policy(dtype, where: str) -> tuple:
    """A layer's ``dtype`` argument as ``(policy name, variable dtype, compute dtype)``.

    Accepts a dtype (None: ``backend.floatx()``), a policy name (``"mixed_float16"``: float32
    weights, float16 compute) or a Keras 3 DTypePolicy config dict.

    Raises:
        InvalidArgumentError: for a dict that is not a policy config, something that is
            neither a dtype nor a policy name, bfloat16, or a dtype that is not bool, integer
            or float.
    """
    if isinstance(dtype, dict):  # a Keras 3 DTypePolicy config
        config = dtype.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("name"), str):
            raise InvalidArgumentError(
                f"{where}: a dict `dtype` must be a Keras dtype-policy config "
                f"{{'class_name': 'DTypePolicy', 'config': {{'name': 'float32'}}}}, got {dtype!r}. "
                "Pass e.g. dtype='float32'.")
        dtype = config["name"]
    if dtype is None:
        dtype = backend.floatx()
    # a policy name (and bfloat16, refused below) stays as given; NumPy reads the rest
    as_given = isinstance(dtype, str) and (dtype in POLICIES or "bfloat16" in dtype)
    try:
        name = dtype if as_given else np.dtype(dtype).name
    except TypeError as exc:
        raise InvalidArgumentError(
            f"{where}: `dtype` {dtype!r} is neither a dtype nor a policy name "
            f"({sorted(POLICIES)}). Pass e.g. dtype='float32'.") from exc
    if name in POLICIES:
        return (name,) + POLICIES[name]
    if "bfloat16" in name:
        raise InvalidArgumentError(f"dtype {dtype!r} is not supported: NumPy has no bfloat16. "
                                   'Use "float32", "float64" or "mixed_float16".')
    if np.dtype(name).kind not in "biuf":  # what minigrad tensors can hold
        raise InvalidArgumentError(
            f"{where}: `dtype` {dtype!r} is not a bool, integer or float "
            "dtype, which are all minigrad tensors hold. Pass e.g. dtype='float32'.")
    return name, name, name


def check_add_weight_arguments(name, shape, trainable, kwargs: dict) -> tuple:
    """``add_weight``'s name, shape, trainable flag and Keras keywords checked, as
    ``(shape, trainable)``: trainable defaults to True, and is False for
    ``synchronization="on_read"``.

    Raises:
        ArgumentTypeError: for an unknown keyword, a name that is not a string, a shape that
            is not a sequence of ints, or a trainable that is not a bool or None.
        InvalidArgumentError: for a negative size or an unknown synchronization/aggregation.
    """
    unknown = set(kwargs) - ADD_WEIGHT_KWARGS
    if unknown:
        raise ArgumentTypeError(f"Unknown keyword argument: {sorted(unknown)[0]!r} (add_weight). "
                                f"It takes {sorted(ADD_WEIGHT_KWARGS)} besides its named arguments.")
    check_str("name", name, allow_none=True, where="add_weight")
    shape = check_weight_shape(shape, name)
    trainable = check_bool("trainable", trainable, allow_none=True, where="add_weight")
    for key, options in ADD_WEIGHT_CHOICES.items():
        if isinstance(kwargs.get(key), str):
            check_one_of(key, kwargs[key], options, where="add_weight")
    trainable = True if trainable is None else bool(trainable)
    return shape, trainable and kwargs.get("synchronization") != "on_read"


def weight_dtype_and_initializer(layer, name, dtype, initializer) -> tuple:
    """``add_weight``'s dtype (None: the layer's) and initializer (None: glorot_uniform for
    floats, zeros for integers and booleans), as ``(np.dtype, initializer or its name)``.

    Raises:
        InvalidArgumentError: for an unknown dtype, or no initializer for another dtype.
    """
    try:
        dtype = np.dtype(dtype or layer.dtype)
    except TypeError as exc:
        raise InvalidArgumentError(f"add_weight: `dtype` {dtype!r} is not a dtype. Pass e.g. "
                                   "dtype='float32' (or None for the layer's dtype).") from exc
    if initializer is None:
        if dtype.kind == "f":
            initializer = "glorot_uniform"
        elif dtype.kind in "iub":
            initializer = "zeros"
        else:
            raise InvalidArgumentError(f"An initializer for variable {name} of type {dtype} is "
                                       f"required for layer {layer.name}: pass initializer=...")
    return dtype, initializer
