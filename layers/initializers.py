"""Initializers: the starting values of weights, with the names and numbers of tf.keras (Keras 2).

An initializer is an object you call with a shape (and optionally a dtype) to get a new
Tensor on the default device::

    init = layers.initializers.get("glorot_uniform")
    kernel = init((784, 128))            # float32, U[-limit, limit], limit = sqrt(6 / (784 + 128))

Every random initializer draws from its own generator, seeded with ``seed``. As in tf-keras
2.x (which uses stateless random ops), one initializer object returns the SAME values each
time it is called with the same shape. Without a seed, the object picks one on its first
call from ``minigrad.random`` (so ``minigrad.random.seed(n)`` makes runs repeat) and keeps
it; calling it a second time warns, as tf-keras does. Use one object per weight.

Fans (``compute_fans``), as Keras counts them:

- shape ``()``: fan_in = fan_out = 1;  ``(n,)``: both n;
- a dense kernel ``(in, out)``: fan_in = in, fan_out = out;
- a convolution kernel ``(k1, ..., kd, in, out)``: with ``receptive = k1 * ... * kd``,
  fan_in = receptive * in and fan_out = receptive * out.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

import minigrad as mg
from layers import backend as keras_backend
from layers.serialization import (
    check_from_config,
    deserialize_keras_object,
    get_object,
    serialize_keras_object,
)
from minigrad import Tensor
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_dtype, check_float

#: std of a standard normal truncated to [-2, 2] (scipy.stats.truncnorm.std(a=-2, b=2)).
TRUNCATED_NORMAL_STD = 0.87962566103423978


# -- helpers ---------------------------------------------------------------------------------
def compute_fans(shape) -> tuple[int, int]:
    """The number of input and output units of a weight of this shape (Keras's rule).

    Args:
        shape: the weight's shape, e.g. ``(in, out)`` or ``(kh, kw, in, out)``.

    Returns:
        ``(fan_in, fan_out)`` as ints; see the module docstring for the rule.
    """
    shape = _check_shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _check_shape(shape) -> tuple:
    """``shape`` as a tuple of non-negative ints (an int n means ``(n,)``)."""
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ArgumentTypeError(f"shape must be a tuple of ints such as (3, 4), got {shape!r}.") from None
    for d in dims:
        if isinstance(d, bool) or not hasattr(d, "__index__"):
            raise ArgumentTypeError(f"shape must be a tuple of ints such as (3, 4), got {shape!r}.")
        if d < 0:
            raise InvalidArgumentError(
                f"shape {shape!r} has a negative dimension; every dimension must be >= 0.")
    return tuple(int(d) for d in dims)


def _is_numeric(value) -> bool:
    """Whether ``value`` is a number or a (nested) sequence / array of numbers."""
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _dtype(dtype):
    """The requested dtype, or ``floatx()`` (float32) when None."""
    return check_dtype(keras_backend.floatx() if dtype is None else dtype)


def _float_dtype(dtype, who: str):
    """The requested dtype, which must be a float dtype (Keras's ``_assert_float_dtype``)."""
    dt = _dtype(dtype)
    if dt.kind != "f":
        raise InvalidArgumentError(
            f"Expected floating point type, got {dt}. {who} draws real numbers: ask for "
            "dtype='float32' (the default), 'float64' or 'float16'."
        )
    return dt


def _truncated_standard_normal(gen, shape: tuple):
    """Standard normal samples, every one outside [-2, 2] drawn again until none is left."""
    z = gen.standard_normal(shape)
    outside = abs(z) > 2.0
    while bool(outside.any()):
        z[outside] = gen.standard_normal(int(outside.sum()))
        outside = abs(z) > 2.0
    return z


def _tensor(array, dtype) -> Tensor:
    """A Tensor of ``dtype`` around ``array``, drawn on the default device (where it stays)."""
    return mg.tensor(array, dtype=dtype)


# -- the base classes ------------------------------------------------------------------------
class Initializer:
    """Base class of the initializers: ``init(shape, dtype=None) -> Tensor``.

    Subclasses implement ``__call__`` and, when they take arguments, ``get_config``
    (the constructor's keyword arguments as a dict); ``from_config`` then works as is.
    """

    def __call__(self, shape, dtype=None) -> Tensor:
        """A new Tensor of ``shape`` and ``dtype`` (float32 if None) on the default device."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(self, shape, dtype=None)."
        )

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Build an initializer from ``get_config()``'s dict (a "dtype" key is ignored, as in Keras)."""
        config = dict(check_from_config(cls, config if not isinstance(config, dict) else
                                        {k: v for k, v in config.items() if k != "dtype"}, "initializer"))
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _RandomInitializer(Initializer):
    """An initializer that draws from its own generator, seeded with ``seed``.

    With a seed, every call starts the generator afresh: the same shape gives the same
    values, call after call (tf-keras's stateless behaviour). Without one, a seed is drawn
    from minigrad's shared generator on the first call and kept.
    """

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise InvalidArgumentError(
                f"{type(self).__name__}: seed must be None or a non-negative int, got {seed!r}. "
                "Pass e.g. seed=42 (the same values on every call) or seed=None.")
        seed = None if seed is None else int(seed)
        self.seed = seed
        self._drawn_seed = None

    def _generator(self):
        """A fresh generator on the default device, seeded with this initializer's seed."""
        seed = self.seed
        if seed is None:
            if self._drawn_seed is None:
                self._drawn_seed = int(mg.random.generator("cpu").integers(1, 10**9))
            else:
                warnings.warn(
                    f"The initializer {type(self).__name__} is unseeded and being called "
                    "multiple times, which will return identical values each time (even if "
                    "the initializer is unseeded). Please update your code to provide a seed "
                    "to the initializer, or avoid using the same initializer instance more "
                    "than once.",
                    stacklevel=3,
                )
            seed = self._drawn_seed
        return mg.random.new_generator(seed, mg.get_default_device())


# -- constant initializers -------------------------------------------------------------------
class Zeros(Initializer):
    """All zeros: ``w = 0``. Any numeric or bool dtype.

    Example:
        >>> Zeros()((2, 2))
        Tensor([[0., 0.], [0., 0.]], shape=(2, 2), dtype=float32)
    """

    def __call__(self, shape, dtype=None) -> Tensor:
        return mg.zeros(_check_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones: ``w = 1``. Any numeric or bool dtype."""

    def __call__(self, shape, dtype=None) -> Tensor:
        return mg.ones(_check_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """A constant: ``w = value`` everywhere.

    Args:
        value: a Python scalar (the usual case); like ``tf.constant``, an array with as many
            elements as the shape is also accepted and reshaped to it.

    Raises:
        TypeError (on call): if ``value`` is an array that does not fit the shape.
    """

    def __init__(self, value=0):
        if not (isinstance(value, Tensor) or _is_numeric(value)):
            raise ArgumentTypeError(
                f"Constant: `value` must be a number or an array of numbers, got {value!r}. "
                "Pass e.g. Constant(0.1).")
        self.value = value

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = _check_shape(shape)
        # checked and cast on the host (a constant is small), then one copy to the default device
        value = mg.tensor(self.value, dtype=_dtype(dtype), device="cpu").numpy()
        if value.size == 1:
            return mg.tensor(np.broadcast_to(value.reshape(()), shape).copy())
        if value.size == math.prod(shape):
            return mg.tensor(value.reshape(shape).copy())
        raise ArgumentTypeError(
            f"Constant got a value of shape {value.shape} ({value.size} elements) for a weight "
            f"of shape {shape}: give a scalar, or exactly {math.prod(shape)} values."
        )

    def get_config(self) -> dict:
        return {"value": self.value}


class Identity(Initializer):
    """The identity matrix times ``gain`` (``tf.eye``; rectangular shapes allowed).

    Args:
        gain: a multiplicative factor.

    Raises:
        ValueError (on call): if the shape is not 2-D or the dtype is not a float.
    """

    def __init__(self, gain=1.0):
        self.gain = check_float("gain", gain, where="Identity")

    def __call__(self, shape, dtype=None) -> Tensor:
        dtype = _float_dtype(dtype, "Identity")
        shape = _check_shape(shape)
        if len(shape) != 2:
            raise InvalidArgumentError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return mg.cast(self.gain * mg.eye(*shape, dtype="float64"), dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


# -- random initializers ---------------------------------------------------------------------
class RandomNormal(_RandomInitializer):
    """Normal samples: ``w ~ N(mean, stddev**2)``.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int makes the values repeat call after call (see the module docstring).

    Raises:
        ValueError (on call): for a non-float dtype.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = check_float("mean", mean, where=type(self).__name__)
        self.stddev = check_float("stddev", stddev, minimum=0.0, where=type(self).__name__)

    def __call__(self, shape, dtype=None) -> Tensor:
        dtype = _float_dtype(dtype, "RandomNormal")
        return mg.random.normal(_check_shape(shape), self.mean, self.stddev, dtype=dtype,
                                generator=self._generator())

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_RandomInitializer):
    """Uniform samples: ``w ~ U[minval, maxval)``.

    For an integer dtype, integers in ``[int(minval), int(maxval))``, as ``tf.random.uniform``.

    Args:
        minval: the lower bound (inclusive).
        maxval: the upper bound (exclusive).
        seed: an int makes the values repeat call after call.

    Raises:
        ValueError (on call): for a dtype that is neither float nor integer, or an empty
            integer range.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = check_float("minval", minval, where="RandomUniform")
        self.maxval = check_float("maxval", maxval, where="RandomUniform")
        if self.minval > self.maxval:  # Keras draws from the swapped range; a mistake
            raise InvalidArgumentError(
                f"RandomUniform: minval={minval!r} is greater than maxval={maxval!r}. Pass "
                "minval <= maxval, e.g. RandomUniform(-0.05, 0.05).")

    def __call__(self, shape, dtype=None) -> Tensor:
        dt = _dtype(dtype)
        shape = _check_shape(shape)
        if dt.kind in "iu":
            lo, hi = int(self.minval), int(self.maxval)
            if hi <= lo:
                raise InvalidArgumentError(
                    f"RandomUniform with dtype {dt} draws integers in [int(minval), int(maxval)) "
                    f"= [{lo}, {hi}), which is empty: give integer bounds with maxval > minval."
                )
            return _tensor(self._generator().integers(lo, hi, size=shape), dt)
        if dt.kind != "f":
            raise InvalidArgumentError(f"Expected float or integer dtype, got {dt}.")
        return mg.random.uniform(shape, self.minval, self.maxval, dtype=dt, generator=self._generator())

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_RandomInitializer):
    """Normal samples ``N(mean, stddev**2)``, redrawn while more than 2 stddev from the mean.

    The result lies in ``[mean - 2 stddev, mean + 2 stddev]``; its standard deviation is
    ``0.87962566103423978 * stddev`` (``stddev`` is the one before truncation).

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: an int makes the values repeat call after call.

    Raises:
        ValueError (on call): for a non-float dtype.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = check_float("mean", mean, where=type(self).__name__)
        self.stddev = check_float("stddev", stddev, minimum=0.0, where=type(self).__name__)

    def __call__(self, shape, dtype=None) -> Tensor:
        dtype = _float_dtype(dtype, "TruncatedNormal")
        z = _truncated_standard_normal(self._generator(), _check_shape(shape))
        return _tensor(self.mean + self.stddev * z, dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_RandomInitializer):
    """Samples whose variance is ``scale / n``, with ``n`` taken from the weight's fans.

    ``n`` is ``max(1, fan_in)`` for mode "fan_in", ``max(1, fan_out)`` for "fan_out" and
    ``max(1, (fan_in + fan_out) / 2)`` for "fan_avg" (see ``compute_fans``). Then:

    - "truncated_normal": ``N(0, stddev**2)`` truncated at 2 stddev, with
      ``stddev = sqrt(scale / n) / 0.87962566103423978`` so that the std after truncation
      is ``sqrt(scale / n)``;
    - "untruncated_normal": ``N(0, scale / n)``;
    - "uniform": ``U[-limit, limit)`` with ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: a positive float.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform" (any case);
            "normal" means "truncated_normal", as in Keras.
        seed: an int makes the values repeat call after call.

    Raises:
        ValueError: for a scale <= 0, an unknown mode or distribution, or (on call) a
            non-float dtype.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        scale = check_float("scale", scale, where="VarianceScaling")
        if scale <= 0.0:
            raise InvalidArgumentError(f"`scale` must be positive float. Received: scale={scale}.")
        allowed_modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in allowed_modes:
            raise InvalidArgumentError(
                f"Invalid `mode` argument: {mode!r}. Please use one of {allowed_modes}.")
        distribution = str(distribution).lower()
        if distribution == "normal":  # compatibility with keras-team/keras
            distribution = "truncated_normal"
        allowed = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in allowed:
            raise InvalidArgumentError(
                f"Invalid `distribution` argument: {distribution!r}. Allowed distributions: {allowed}."
            )
        super().__init__(seed)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution

    def __call__(self, shape, dtype=None) -> Tensor:
        dtype = _float_dtype(dtype, type(self).__name__)
        shape = _check_shape(shape)
        fan_in, fan_out = compute_fans(shape)
        if self.mode == "fan_in":
            n = max(1.0, fan_in)
        elif self.mode == "fan_out":
            n = max(1.0, fan_out)
        else:
            n = max(1.0, (fan_in + fan_out) / 2.0)
        scale = self.scale / n
        gen = self._generator()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / TRUNCATED_NORMAL_STD
            return _tensor(stddev * _truncated_standard_normal(gen, shape), dtype)
        if self.distribution == "untruncated_normal":
            return mg.random.normal(shape, 0.0, math.sqrt(scale), dtype=dtype, generator=gen)
        limit = math.sqrt(3.0 * scale)
        return mg.random.uniform(shape, -limit, limit, dtype=dtype, generator=gen)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class _VarianceScalingPreset(VarianceScaling):
    """A VarianceScaling with fixed arguments: its config is just the seed."""

    _preset: dict = {}

    def __init__(self, seed=None):
        super().__init__(seed=seed, **self._preset)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_VarianceScalingPreset):
    """Glorot (Xavier) uniform: ``U[-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``.

    VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform"). The default kernel
    initializer of Keras layers.
    """

    _preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}


class GlorotNormal(_VarianceScalingPreset):
    """Glorot (Xavier) normal: truncated normal with std ``sqrt(2 / (fan_in + fan_out))``.

    VarianceScaling(scale=1.0, mode="fan_avg", distribution="truncated_normal").
    """

    _preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


class HeUniform(_VarianceScalingPreset):
    """He uniform: ``U[-limit, limit)``, ``limit = sqrt(6 / fan_in)``.

    VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform").
    """

    _preset = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}


class HeNormal(_VarianceScalingPreset):
    """He normal: truncated normal with std ``sqrt(2 / fan_in)``.

    VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal").
    """

    _preset = {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal"}


class LecunUniform(_VarianceScalingPreset):
    """LeCun uniform: ``U[-limit, limit)``, ``limit = sqrt(3 / fan_in)``.

    VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform").
    """

    _preset = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}


class LecunNormal(_VarianceScalingPreset):
    """LeCun normal: truncated normal with std ``sqrt(1 / fan_in)``.

    VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal").
    """

    _preset = {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}


class Orthogonal(_RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, from the QR decomposition of normal samples.

    The shape is flattened to ``(prod(shape[:-1]), shape[-1])``. With fewer rows than
    columns the rows are orthonormal, otherwise the columns. The signs of Q's columns
    follow the diagonal of R, so that Q is uniformly distributed.

    Args:
        gain: a multiplicative factor.
        seed: an int makes the values repeat call after call.

    Raises:
        ValueError (on call): for a shape of rank < 2 or a non-float dtype.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = check_float("gain", gain, where="Orthogonal")

    def __call__(self, shape, dtype=None) -> Tensor:
        dtype = _float_dtype(dtype, "Orthogonal")
        shape = _check_shape(shape)
        if len(shape) < 2:
            raise InvalidArgumentError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        xp = mg.array_module(a)  # QR where the samples are (NumPy or CuPy)
        q, r = xp.linalg.qr(a)
        q = q * xp.sign(xp.diagonal(r))
        if rows < cols:
            q = q.T
        return _tensor(self.gain * q.reshape(shape), dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


# -- Keras's lowercase aliases (the same classes) --------------------------------------------
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal

_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal)
_SNAKE_CASE = {Zeros: "zeros", Ones: "ones", Constant: "constant", Identity: "identity",
               RandomNormal: "random_normal", RandomUniform: "random_uniform",
               TruncatedNormal: "truncated_normal", VarianceScaling: "variance_scaling",
               GlorotUniform: "glorot_uniform", GlorotNormal: "glorot_normal",
               HeUniform: "he_uniform", HeNormal: "he_normal", LecunUniform: "lecun_uniform",
               LecunNormal: "lecun_normal", Orthogonal: "orthogonal"}

#: every name ``get`` understands: class names, their snake_case aliases, and Keras's
#: compatibility names ("normal", "uniform", "one", "zero", "GlorotUniformV2", ...).
ALL_OBJECTS: dict = {}
for _cls in _CLASSES:
    ALL_OBJECTS[_cls.__name__] = _cls
    ALL_OBJECTS[_SNAKE_CASE[_cls]] = _cls
    ALL_OBJECTS[_cls.__name__ + "V2"] = _cls
for _cls in (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform):
    ALL_OBJECTS[_SNAKE_CASE[_cls] + "V2"] = _cls
ALL_OBJECTS.update(normal=RandomNormal, uniform=RandomUniform, one=Ones, zero=Zeros)
del _cls


# -- get / serialize / deserialize -----------------------------------------------------------
def serialize(initializer) -> dict | None:
    """``{"class_name": ..., "config": ...}`` for an initializer (None for None).

    Raises:
        ValueError: if the object has no ``get_config`` and is not a named function.
    """
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects: dict | None = None) -> Initializer:
    """Build an initializer from ``{"class_name": name, "config": {...}}`` or a name.

    Args:
        config: a dict as ``serialize`` makes (a "module" key, as Keras 2.13+ writes, is
            ignored), or a name such as "glorot_uniform" or "GlorotUniform".
        custom_objects: extra ``{name: class or function}`` to look names up in first.

    Returns:
        A new initializer.

    Raises:
        ValueError: for an unknown name or a dict without "class_name".
        TypeError: when the config holds arguments the class does not take.
    """
    return deserialize_keras_object(
        config, ALL_OBJECTS, custom_objects, kind="initializer",
        example="{'class_name': 'RandomNormal', 'config': {'stddev': 0.1}}",
        valid_names=sorted({c.__name__ for c in _CLASSES} | set(_SNAKE_CASE.values())),
    )


def get(identifier):
    """An initializer from a name, a config dict, a class, a callable or None.

    Args:
        identifier: "glorot_uniform" / "GlorotUniform" (any name of ``ALL_OBJECTS``), a dict
            ``{"class_name": "RandomNormal", "config": {"stddev": 0.1}}``, an Initializer
            class (instantiated with its defaults), any callable ``f(shape, dtype=None)``
            (returned as is), or None (returned as is).

    Returns:
        The initializer, or None.

    Raises:
        ValueError: for an unknown name or an identifier of another kind.
    """
    # base_class=object: any class is instantiated, not only Initializer subclasses.
    return get_object(
        identifier, deserialize, base_class=object, what="initializer",
        hint="Pass a name such as 'glorot_uniform', a config dict, an Initializer, or a "
        "function f(shape, dtype=None).",
    )
