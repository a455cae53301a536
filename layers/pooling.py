"""Pooling layers: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D and GlobalMaxPooling2D.

    MaxPooling2D            y[n, h, w, c] = max_{i, j} xpad[n, h*sh + i, w*sw + j, c]
    AveragePooling2D        the mean over each window (with "same", only the real elements)
    GlobalAveragePooling2D  y[n, c] = mean_{h, w} x[n, h, w, c]
    GlobalMaxPooling2D      y[n, c] = max_{h, w} x[n, h, w, c]

Window counts per axis: ``ceil((n - k + 1) / s)`` with "valid", ``ceil(n / s)`` with "same".
"""

from __future__ import annotations

import minigrad as mg
from layers.base import InputSpec, Layer, check_input_shape
from layers.convolutional import conv_output_length, normalize_data_format, normalize_padding, normalize_tuple
from minigrad.validation import check_bool


class Pooling2D(Layer):
    """Base class of the 2-D window poolings (MaxPooling2D, AveragePooling2D).

    Args:
        pool_function: ``minigrad.nn.max_pool2d`` or ``minigrad.nn.avg_pool2d``.
        pool_size: an int or a pair (ph, pw): the window.
        strides: an int or a pair; None means ``pool_size`` (windows that do not overlap).
        padding: "valid" or "same" (case-insensitive).
        data_format: "channels_last" (N, H, W, C; default, also for None) or
            "channels_first" (N, C, H, W).

    Raises:
        ValueError: for sizes that are not positive ints or pairs, or an unknown padding or
            data_format.
    """

    def __init__(self, pool_function, pool_size, strides, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_function = pool_function
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        return self.pool_function(inputs, pool_size=self.pool_size, strides=self.strides,
                                  padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape) -> tuple:
        """(N, H', W', C) or (N, C, H', W'), H' and W' from ``conv_output_length``."""
        n, a, b, c = check_input_shape(self, input_shape, rank=4)
        if self.data_format == "channels_first":
            rows, cols = b, c
        else:
            rows, cols = a, b
        rows = conv_output_length(rows, self.pool_size[0], self.padding, self.strides[0])
        cols = conv_output_length(cols, self.pool_size[1], self.padding, self.strides[1])
        if self.data_format == "channels_first":
            return (n, a, rows, cols)
        return (n, rows, cols, c)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config


class MaxPooling2D(Pooling2D):
    """The maximum over each window (see ``Pooling2D`` for the arguments).

    Args:
        pool_size: an int or a pair; (2, 2) halves each spatial size.
        strides: an int, a pair or None (= pool_size).
        padding: "valid" or "same"; "same" pads with -inf, so padding never wins.
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(mg.nn.max_pool2d, pool_size=pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class AveragePooling2D(Pooling2D):
    """The mean over each window (see ``Pooling2D`` for the arguments).

    Args:
        pool_size: an int or a pair; (2, 2) halves each spatial size.
        strides: an int, a pair or None (= pool_size).
        padding: "valid" or "same"; with "same" a border window averages only the input
            elements it covers (as TensorFlow does).
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(mg.nn.avg_pool2d, pool_size=pool_size, strides=strides, padding=padding,
                         data_format=data_format, **kwargs)


class GlobalAveragePooling2D(Layer):
    """The mean over the spatial axes: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with keepdims.

    Args:
        data_format: "channels_last" (default, also for None) or "channels_first"
            ((N, C, H, W) -> (N, C)).
        keepdims: keep the spatial axes with length 1.

    Raises:
        ValueError: (InvalidArgumentError) for an unknown data_format.
        TypeError: (ArgumentTypeError) for a keepdims that is not a bool.
    """

    _reduce = staticmethod(mg.mean)  # GlobalMaxPooling2D's is mg.max

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = check_bool("keepdims", keepdims, where=type(self).__name__)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        return self._reduce(inputs, axis=axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = check_input_shape(self, input_shape, rank=4)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1) if self.keepdims else (shape[0], shape[1])
        return (shape[0], 1, 1, shape[3]) if self.keepdims else (shape[0], shape[3])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalMaxPooling2D(GlobalAveragePooling2D):
    """The maximum over the spatial axes: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with keepdims.

    The gradient goes to the position of the maximum; where several positions tie for it,
    they share the gradient equally (``g / k`` each for ``k`` ties), as TensorFlow's
    ``reduce_max`` (which Keras's layer calls) does, not all to the first as a max-pooling
    window does.

    The arguments (``data_format``, ``keepdims``), output shapes, config and errors are
    ``GlobalAveragePooling2D``'s: only the reduction differs.
    """

    _reduce = staticmethod(mg.max)


MaxPool2D = MaxPooling2D  # Keras's aliases
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
