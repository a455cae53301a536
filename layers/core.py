"""The core layers: Dense, Activation, Flatten, Reshape and Dropout (Keras 2 semantics).

    Dense        y = activation(x @ W + b)     W: (in, units), b: (units,)
    Activation   y = activation(x)
    Flatten      (N, d1, ..., dk) -> (N, d1 * ... * dk)
    Reshape      (N, ...) -> (N, *target_shape)   (one -1 entry is inferred)
    Dropout      y = x * mask / (1 - rate) when training, else y = x
"""

from __future__ import annotations

import math
import numbers

import numpy as np

import minigrad as mg
from layers import activations
from layers.base import InputSpec, Layer, check_input_shape
from layers.convolutional import _in_compute_dtype, normalize_data_format
from layers.kernel_bias import kernel_bias_config, set_kernel_bias_arguments
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_float, check_int


class Dense(Layer):
    """A fully connected layer: ``y = activation(x @ kernel + bias)``.

    Inputs of rank > 2 are contracted along their last axis (``(N, T, in) -> (N, T, units)``),
    as ``tensordot(x, kernel, [[-1], [0]])``.

    Args:
        units: the size of the output's last axis (a positive int). ``Dense(0)`` is
            rejected, deliberately: tf-keras accepts ``units=0`` (it rejects only negative
            values) and makes a layer whose output is empty, ``(N, ..., 0)``, which is
            always a mistake.
        activation: an activation name or function (None: linear, ``a(x) = x``).
        use_bias: whether to add ``bias``.
        kernel_initializer, bias_initializer: initializers (names, dicts or objects).
        kernel_regularizer, bias_regularizer: regularizers; each adds ``reg(weight)`` to
            ``losses``.
        activity_regularizer: adds ``reg(output) / batch_size`` to ``losses`` on each call.
        kernel_constraint, bias_constraint: constraints, stored on the Variables
            (optimizers apply them after each update).

    Input shape:
        (N, ..., in), rank >= 2; ``in`` is fixed once the layer is built.

    Output shape:
        (N, ..., units).

    Raises:
        ValueError: for ``units`` that is not a positive int; at build time for a last
            input axis of unknown size (None) or an input of rank < 2.
        TypeError: at build time for a non-floating dtype.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, float) and units.is_integer():
            units = int(units)  # Keras accepts units=2.0
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
            # Dense(0) has no output: refused, as Keras 3 does
            raise InvalidArgumentError(
                f"Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units!r}. Pass the number of outputs, e.g. Dense(units=10).")
        self.units = int(units)
        set_kernel_bias_arguments(self, activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer, kernel_constraint,
                                  bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        """Create ``kernel`` (in, units) and ``bias`` (units,); fix the last input axis to ``in``.

        Raises:
            TypeError: if the layer's dtype is not floating.
            ValueError: for a rank < 2 or an undefined last axis.
        """
        if np.dtype(self.dtype).kind != "f":
            raise ArgumentTypeError(
                f"A Dense layer can only be built with a floating-point dtype. "
                f"Received: dtype={self.dtype}. Pass dtype='float32' (the default) or 'float64'.")
        last_dim = _last_dim(input_shape, "inputs to a Dense layer", self)
        self.kernel = self.add_weight("kernel", (last_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, trainable=True)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.built = True

    def call(self, inputs):
        """``activation(x @ kernel + bias)``; every input (integers too) is cast to the compute dtype."""
        dtype = self.compute_dtype
        x = _in_compute_dtype(inputs, dtype)
        kernel = _in_compute_dtype(self.kernel, dtype)
        flat = x if x.ndim == 2 else mg.reshape(x, (-1, x.shape[-1]))  # fold leading axes into one
        bias = _in_compute_dtype(self.bias, dtype) if self.use_bias else None
        y = mg.nn.dense(flat, kernel, bias)  # with a bias, one op (see minigrad.nn.dense)
        if x.ndim != 2:  # unfold them again
            y = mg.reshape(y, x.shape[:-1] + (self.units,))
        return self.activation(y)

    def compute_output_shape(self, input_shape) -> tuple:
        """``input_shape[:-1] + (units,)``.

        Raises:
            ValueError: for a rank < 2 or an undefined last axis.
        """
        _last_dim(input_shape, "input shape of a Dense layer", self)
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units,
        })
        config.update(kernel_bias_config(self))
        return config


def _check_noise_shape(noise_shape) -> tuple:
    """Dropout's ``noise_shape`` as a tuple of positive ints and Nones.

    Raises:
        ArgumentTypeError: for something that is not a sequence of ints / None.
        InvalidArgumentError: for an entry < 1.
    """
    hint = "Pass a tuple with one entry per input axis, e.g. noise_shape=(None, 1, 1, None)."
    if not isinstance(noise_shape, (tuple, list)):
        raise ArgumentTypeError(f"Dropout: `noise_shape` must be a tuple of ints / None, got "
                                f"{noise_shape!r}. {hint}")
    shape = tuple(noise_shape)
    for d in shape:
        if d is not None:
            check_int("noise_shape entry", d, minimum=1, where="Dropout")
    return tuple(None if d is None else int(d) for d in shape)


def _last_dim(input_shape, what: str, layer=None) -> int:
    shape = tuple(input_shape) if layer is None else check_input_shape(layer, input_shape)
    if len(shape) < 2:
        raise InvalidArgumentError(
            f"Shape {shape} must have rank at least 2: a Dense layer needs a batch "
            "axis and a feature axis (reshape a single sample with x[None]).")
    if shape[-1] is None:
        raise InvalidArgumentError(
            f"The last dimension of the {what} should be defined. Found None. "
            f"Full input shape received: {shape}")
    return int(shape[-1])


class Activation(Layer):
    """Applies an activation function: ``y = activation(x)``.

    Args:
        activation: a name such as "relu" (see ``layers.activations``), a function, or None
            (linear).

    Raises:
        ValueError: for an unknown name.
        TypeError: for something that is neither a name nor callable.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Flatten(Layer):
    """Flattens every sample: ``(N, d1, ..., dk) -> (N, d1 * ... * dk)``; ``(N,) -> (N, 1)``.

    With ``data_format="channels_first"`` the input is first moved to channels-last order
    (``(N, C, H, W) -> (N, H, W, C)``), so a model's weights after Flatten do not depend
    on the layout, as in Keras.

    Args:
        data_format: "channels_last" (default, also for None) or "channels_first".

    Raises:
        ValueError: for another data_format.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x.ndim > 2:
            x = mg.transpose(x, (0, *range(2, x.ndim), 1))
        if x.ndim == 1:
            return mg.reshape(x, (x.shape[0], 1))
        return mg.reshape(x, (x.shape[0], math.prod(x.shape[1:])))

    def compute_output_shape(self, input_shape) -> tuple:
        shape = check_input_shape(self, input_shape, min_rank=0)
        if not shape:
            return (1,)
        rest = shape[1:]
        return (shape[0], math.prod(rest) if None not in rest else None)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes every sample: ``(N, ...) -> (N, *target_shape)``.

    Args:
        target_shape: the new shape of one sample (no batch axis), ints > 0 with at most one
            -1, whose size is inferred from the input.

    Raises:
        ValueError: for a target with a non-integer, zero or negative entry other than one
            -1; at call time when the input's size does not fit the target.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target = None if isinstance(target_shape, (str, bytes)) else tuple(target_shape)
        except TypeError:
            target = None
        if target is None:
            # a ValueError, as minigrad always raised here
            raise InvalidArgumentError(f"Reshape: target_shape must be a tuple of ints such as "
                                       f"(4, -1), got {target_shape!r}.")
        for d in target:
            if isinstance(d, bool) or not isinstance(d, numbers.Integral) or (d <= 0 and d != -1):
                raise InvalidArgumentError(
                    f"Reshape: target_shape entries must be positive ints or a single -1 "
                    f"(inferred), got {target!r}. Pass e.g. target_shape=(4, -1).")
        if target.count(-1) > 1:
            raise InvalidArgumentError(
                f"There must be at most one unknown dimension in output_shape. "
                f"Received: output_shape={target}. Give every size but one (-1).")
        self.target_shape = tuple(int(d) for d in target)
        self.input_spec = InputSpec(min_ndim=1)  # one input, with a batch axis

    def _fix_unknown_dimension(self, input_shape: tuple) -> tuple:
        """The target shape with its -1 resolved for a sample of ``input_shape``.

        Raises:
            ValueError: if the sizes cannot match.
        """
        known = math.prod(d for d in self.target_shape if d != -1)
        original = math.prod(input_shape)
        message = (f"total size of new array must be unchanged, input_shape = {list(input_shape)}, "
                   f"output_shape = {list(self.target_shape)}: a sample of {original} values "
                   f"cannot be reshaped to {self.target_shape}.")
        if -1 in self.target_shape:
            if known == 0 or original % known != 0:
                raise InvalidArgumentError(message)
            return tuple(original // known if d == -1 else d for d in self.target_shape)
        if original != known:
            raise InvalidArgumentError(message)
        return self.target_shape

    def call(self, inputs):
        target = self._fix_unknown_dimension(inputs.shape[1:])
        return mg.reshape(inputs, (inputs.shape[0],) + target)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = check_input_shape(self, input_shape)
        if None in shape[1:]:
            return (shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        return (shape[0],) + self._fix_unknown_dimension(shape[1:])

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Dropout(Layer):
    """Inverted dropout, active only when ``training`` is True.

    ``y = x * mask / (1 - rate)`` with ``mask ~ Bernoulli(1 - rate)`` in training (so
    ``E[y] = x``), ``y = x`` in inference. ``training`` comes from the call, else the
    enclosing layer's call, else this thread's learning phase; by default it is inference.

    Args:
        rate: the fraction of inputs to drop, in [0, 1] (1 drops everything).
        noise_shape: the mask's shape, broadcast against the input; None entries take the
            input's size, e.g. ``(None, 1, 1, None)`` drops whole feature maps of (N, H, W, C).
        seed: seeds the layer's own generator, so a run repeats (different masks each call);
            None uses minigrad's shared generator (``minigrad.random.seed``).

    Raises:
        ValueError: for a rate outside [0, 1]; at call time for a noise_shape that does not
            broadcast against the input.
        TypeError: for a rate that is not a number, or a seed that is not an int.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        # rate=1 drops everything (the limit of x * mask / (1 - rate)), as Keras allows
        rate = check_float("rate", rate, where="Dropout")  # a finite number; Keras's range:
        if not 0 <= rate <= 1:
            raise InvalidArgumentError(
                f"Invalid value {rate} received for `rate`, expected a value between 0 and 1. "
                "Pass the fraction of inputs to drop, e.g. Dropout(rate=0.5).")
        seed = check_int("seed", seed, minimum=0, allow_none=True, where="Dropout")
        if noise_shape is not None:
            noise_shape = _check_noise_shape(noise_shape)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True
        self._generators: dict = {}  # device -> this layer's generator (when seeded)

    def _get_noise_shape(self, inputs) -> tuple | None:
        if self.noise_shape is None:
            return None
        if len(self.noise_shape) != inputs.ndim:
            raise InvalidArgumentError(
                f"noise_shape {self.noise_shape} has {len(self.noise_shape)} entries but "
                f"the input has rank {inputs.ndim} (shape {inputs.shape}): give one "
                "entry per axis (None: the input's size, 1: share the mask).")
        return tuple(s if d is None else d for d, s in zip(self.noise_shape, inputs.shape))

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:  # everything dropped: the limit of x * mask / (1 - rate)
            return inputs * 0.0
        generator = None
        if self.seed is not None:
            generator = self._generators.get(inputs.device)
            if generator is None:
                generator = mg.random.new_generator(self.seed, inputs.device)
                self._generators[inputs.device] = generator
        return mg.nn.dropout(inputs, self.rate, generator=generator,
                             noise_shape=self._get_noise_shape(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config
