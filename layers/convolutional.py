"""Conv2D, and the argument rules shared by the convolution and pooling layers.

A 2-D convolution slides ``filters`` kernels of size ``kh x kw`` over an image batch:

    y[n, h, w, o] = b[o] + sum_{i, j, c} xpad[n, h*sh + i*dh, w*sw + j*dw, c] * W[i, j, c, o]

then applies the activation. Images are (N, H, W, C) for "channels_last" (the default)
or (N, C, H, W) for "channels_first"; the kernel is always (kh, kw, C / groups, filters).

Output sizes (``conv_output_length``), with ``k' = (k - 1) * d + 1`` the dilated window:

    "valid":  ceil((n - k' + 1) / s)        "same":  ceil(n / s)
"""

from __future__ import annotations

import numbers
import operator

import minigrad as mg
from layers.base import InputSpec, Layer, check_input_shape
from layers.kernel_bias import kernel_bias_config, set_kernel_bias_arguments
from minigrad.errors import InvalidArgumentError

_FORMATS = ("channels_first", "channels_last")


# -- argument rules (Keras's conv_utils) ----------------------------------------------------------
def normalize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """An int, or an iterable of ``n`` ints, as a tuple of ``n`` ints.

    Args:
        value: an int (repeated ``n`` times) or ``n`` ints.
        n: the length wanted (2 for a 2-D window).
        name: the argument's name, for the error message.
        allow_zero: whether 0 is allowed (otherwise every entry must be > 0).

    Returns:
        A tuple of ``n`` Python ints.

    Raises:
        ValueError: for another length, a non-integer or an entry that is too small.
    """
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}"

    def as_int(v):
        if isinstance(v, bool):
            raise InvalidArgumentError(f"{message} including element {v!r} of type {type(v).__name__}.")
        try:
            return operator.index(v)
        except TypeError:
            raise InvalidArgumentError(
                f"{message} including element {v!r} of type {type(v).__name__}.") from None

    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise InvalidArgumentError(f"{message}.") from None
        if len(values) != n:
            raise InvalidArgumentError(f"{message}.")
        values = tuple(as_int(v) for v in values)
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise InvalidArgumentError(
            f"{message} including {bad} that does not satisfy the requirement "
            f"`{requirement}`.")
    return values


def normalize_padding(value) -> str:
    """"valid" or "same" (any case), lower-cased.

    Raises:
        ValueError: for anything else ("causal" only exists for 1-D convolutions).
    """
    padding = value.lower() if isinstance(value, str) else value
    if padding == "causal":
        raise InvalidArgumentError(
            "Causal padding is only supported for `Conv1D` and `SeparableConv1D`. "
            "Use padding='valid' or 'same'.")
    if padding not in ("valid", "same"):
        raise InvalidArgumentError(
            f"The `padding` argument must be one of 'valid', 'same'. Received: "
            f"{value!r}. 'valid' adds no padding; 'same' pads so the output has "
            "ceil(input / stride) positions.")
    return padding


def normalize_data_format(value) -> str:
    """"channels_last" (also for None, Keras's default image format) or "channels_first".

    Raises:
        ValueError: for anything else.
    """
    if value is None:
        return "channels_last"
    data_format = value.lower() if isinstance(value, str) else value
    if data_format not in _FORMATS:
        raise InvalidArgumentError(
            'The `data_format` argument must be one of "channels_first", '
            f'"channels_last". Received: {value!r}. channels_last is (N, H, W, C), '
            "channels_first is (N, C, H, W).")
    return data_format


def conv_output_length(length: int | None, window: int, padding: str, stride: int,
                       dilation: int = 1) -> int | None:
    """The number of window positions along one axis (None stays None).

    ``"valid"``: ``ceil((n - ((k - 1) d + 1) + 1) / s)``;  ``"same"``: ``ceil(n / s)``.
    """
    if length is None:
        return None
    dilated = window + (window - 1) * (dilation - 1)
    out = length if padding == "same" else length - dilated + 1
    return (out + stride - 1) // stride


def _positive_count(value, name: str) -> int:
    """A positive integer argument such as ``filters`` (an integral float is accepted, as Keras)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise InvalidArgumentError(
            f"Invalid value for argument `{name}`. Expected a strictly positive "
            f"value. Received {name}={value!r}.")
    return int(value)


def _in_compute_dtype(x, dtype):
    """``x`` (an input or a weight) cast to ``dtype`` if it has another one."""
    return x if x.dtype == dtype else mg.cast(x, dtype)


# -- the layer ------------------------------------------------------------------------------------
class Conv2D(Layer):
    """2-D convolution layer: ``activation(conv2d(x, kernel) + bias)``.

    Args:
        filters: the number of output channels (a positive int).
        kernel_size: an int or a pair (kh, kw).
        strides: an int or a pair (sh, sw).
        padding: "valid" (no padding) or "same" (output ``ceil(n / s)``), case-insensitive.
        data_format: "channels_last" (N, H, W, C; the default, also for None) or
            "channels_first" (N, C, H, W).
        dilation_rate: an int or a pair; spacing between kernel taps. Strides > 1 together
            with dilation > 1 is not supported (as in Keras).
        groups: split the channels into this many groups, each convolved with its own
            ``filters / groups`` kernels; both channel counts must be divisible by it
            (None or 0 mean 1, as in Keras).
        activation: an activation name or function (None: linear).
        use_bias: whether to add a bias per output channel.
        kernel_initializer, bias_initializer: initializers (names, dicts or objects).
        kernel_regularizer, bias_regularizer: regularizers; each adds ``reg(weight)`` to
            ``losses``.
        activity_regularizer: adds ``reg(output) / batch_size`` to ``losses`` on each call.
        kernel_constraint, bias_constraint: constraints, stored on the Variables
            (optimizers apply them after each update).

    Input shape:
        (N, H, W, C) or (N, C, H, W), with any number of extra leading batch axes.

    Output shape:
        (N, H', W', filters) or (N, filters, H', W'), sizes from ``conv_output_length``.

    Raises:
        ValueError: for a bad argument (non-positive filters, sizes that are not ints or
            pairs, zeros in kernel_size or strides, strides > 1 with dilation > 1, an
            unknown padding or data_format, filters or channels not divisible by groups),
            and at build time for an undefined channel axis or an output size <= 0.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = 2
        self.filters = _positive_count(filters, "filters")
        # None means 1 (as tf.keras); 0 is refused (tf.keras silently reads it as 1)
        self.groups = _positive_count(1 if groups is None else groups, "groups")
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size", allow_zero=True)
        self.strides = normalize_tuple(strides, 2, "strides", allow_zero=True)
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")
        set_kernel_bias_arguments(self, activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer, kernel_constraint,
                                  bias_constraint)
        self.input_spec = InputSpec(min_ndim=4)
        self._validate_init()

    def _validate_init(self) -> None:
        if self.filters % self.groups != 0:
            raise InvalidArgumentError(
                "The number of filters must be evenly divisible by the number of "
                f"groups. Received: groups={self.groups}, filters={self.filters}")
        if not all(self.kernel_size):
            raise InvalidArgumentError(
                f"The argument `kernel_size` cannot contain 0(s). Received: "
                f"{self.kernel_size}")
        if not all(self.strides):
            raise InvalidArgumentError(
                f"The argument `strides` cannot contains 0(s). Received: {self.strides}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise InvalidArgumentError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}. Use one of "
                "them, e.g. a strided convolution followed by a dilated one."
            )

    @property
    def _channel_axis(self) -> int:
        return -3 if self.data_format == "channels_first" else -1

    def build(self, input_shape) -> None:
        """Create ``kernel`` (kh, kw, C / groups, filters) and ``bias`` (filters,).

        Raises:
            ValueError: for a rank below 4, an undefined channel axis, channels not
                divisible by ``groups``, or an output size <= 0.
        """
        input_shape = check_input_shape(self, input_shape)
        if len(input_shape) < 4:
            raise InvalidArgumentError(
                f"Conv2D {self.name} needs inputs of rank >= 4 (a batch of images), "
                f"got input shape {input_shape}.")
        axis = self._channel_axis
        channels = input_shape[axis]
        if channels is None:
            raise InvalidArgumentError(
                f"The channel dimension of the inputs should be defined. The input_shape received "
                f"is {input_shape}, where axis {axis} (0-based) is the channel dimension, which "
                "found to be `None`."
            )
        if channels % self.groups != 0:
            raise InvalidArgumentError(
                f"The number of input channels must be evenly divisible by the number of groups. "
                f"Received groups={self.groups}, but the input has {channels} channels (full input "
                f"shape is {input_shape})."
            )
        self.compute_output_shape(input_shape)  # checks that every output size is positive
        kernel_shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, trainable=True)
        self.input_spec = InputSpec(min_ndim=4, axes={axis: channels})
        self.built = True

    def call(self, inputs):
        """``activation(conv2d(x, kernel) + bias)``, bias on the channel axis of the layout."""
        dtype = self.compute_dtype
        x = _in_compute_dtype(inputs, dtype)
        lead = x.shape[:-3]
        if x.ndim > 4:  # extra batch axes: fold them into one
            x = mg.reshape(x, (-1,) + x.shape[-3:])
        kernel = _in_compute_dtype(self.kernel, dtype)
        bias = _in_compute_dtype(self.bias, dtype) if self.use_bias else None
        if self.groups == 1:  # conv and bias in one op (see minigrad.nn.conv2d)
            y = self._conv(x, kernel, bias)
        else:
            y = self._grouped_conv(x, kernel, bias)
        if len(lead) > 1:
            y = mg.reshape(y, lead + y.shape[1:])
        return self.activation(y)

    def _conv(self, x, kernel, bias=None):
        return mg.nn.conv2d(x, kernel, strides=self.strides, padding=self.padding,
                            data_format=self.data_format, dilation_rate=self.dilation_rate, bias=bias)

    def _grouped_conv(self, x, kernel, bias):
        """One convolution per group of channels, concatenated, then the bias."""
        axis = 1 if self.data_format == "channels_first" else 3
        cin, cout = kernel.shape[2], self.filters // self.groups
        outs = []
        for g in range(self.groups):
            index = [slice(None)] * 4
            index[axis] = slice(g * cin, (g + 1) * cin)
            outs.append(self._conv(x[tuple(index)], kernel[:, :, :, g * cout:(g + 1) * cout]))
        y = mg.concatenate(outs, axis=axis)
        if bias is None:
            return y
        if self.data_format == "channels_first":
            bias = mg.reshape(bias, (self.filters, 1, 1))
        return y + bias

    def compute_output_shape(self, input_shape) -> tuple:
        """``input_shape`` with the spatial sizes from ``conv_output_length`` and ``filters`` channels.

        Raises:
            ValueError: if an output size would be <= 0.
        """
        shape = list(check_input_shape(self, input_shape, min_rank=4))
        batch_rank = len(shape) - 3
        if self.data_format == "channels_last":
            spatial, head, tail = shape[batch_rank:-1], shape[:batch_rank], [self.filters]
        else:
            spatial, head, tail = shape[batch_rank + 1:], shape[:batch_rank] + [self.filters], []
        sizes = [conv_output_length(n, self.kernel_size[i], self.padding, self.strides[i],
                                    self.dilation_rate[i]) for i, n in enumerate(spatial)]
        if any(s is not None and s <= 0 for s in sizes):
            raise InvalidArgumentError(
                f"One of the dimensions in the output is <= 0 due to downsampling in {self.name}. "
                f"Consider increasing the input size. Received input shape {tuple(input_shape)} "
                "which would produce output shape with a zero or negative value in a dimension."
            )
        return tuple(head + sizes + tail)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
        })
        config.update(kernel_bias_config(self))
        return config


Convolution2D = Conv2D  # Keras's alias
