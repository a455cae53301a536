"""GlobalMaxPooling2D: values, shapes (both data formats, keepdims), where the gradient goes
(ties shared equally, as TensorFlow's reduce_max), configs, errors and gradchecks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import layers
import minigrad as mg
from minigrad.errors import ArgumentTypeError

RNG = np.random.default_rng(21)


def distinct(*shape):
    values = RNG.permutation(math.prod(shape)).astype("float64") / 10 + RNG.uniform(0, 0.05)
    return values.reshape(shape)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_values_and_shapes(data_format, keepdims):
    x = distinct(2, 3, 4, 5)
    layer = layers.GlobalMaxPooling2D(data_format=data_format, keepdims=keepdims, dtype="float64")
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    y = layer(x)
    np.testing.assert_array_equal(y.numpy(), x.max(axis=axes, keepdims=keepdims))
    channels = 5 if data_format == "channels_last" else 3
    expected = {(False, "channels_last"): (None, channels), (True, "channels_last"): (None, 1, 1, channels),
                (False, "channels_first"): (None, channels),
                (True, "channels_first"): (None, channels, 1, 1)}[(keepdims, data_format)]
    assert layer.compute_output_shape((None,) + x.shape[1:]) == expected
    assert layers.GlobalMaxPooling2D(data_format=data_format, keepdims=keepdims)(
        layers.Input(x.shape[1:])).shape == expected


def test_gradient_goes_to_the_maximum_and_ties_share_it():
    x = np.zeros((1, 2, 2, 2))
    x[0, 1, 0, 0] = 5.0          # channel 0: one maximum
    x[0, :, :, 1] = [[3.0, 3.0], [1.0, 3.0]]   # channel 1: three tied maxima
    t = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(t)
        y = mg.sum(layers.GlobalMaxPooling2D(dtype="float64")(t) * mg.tensor(np.array([[2.0, 6.0]])))
    g = tape.gradient(y, t).numpy()
    want = np.zeros_like(x)
    want[0, 1, 0, 0] = 2.0
    want[0, :, :, 1] = [[2.0, 2.0], [0.0, 2.0]]
    np.testing.assert_array_equal(g, want)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_gradchecks_order_1_and_2(data_format):
    layer = layers.GlobalMaxPooling2D(data_format=data_format, dtype="float64")
    x = distinct(2, 3, 3, 2)
    assert mg.gradcheck(lambda t: layer(t), [x], mode="full")
    # max is piecewise linear: square it so that the second derivative is not zero
    assert mg.gradcheck(lambda t: mg.square(layer(t)), [x], order=2, n_directions=4)


def test_config_alias_and_errors():
    layer = layers.GlobalMaxPooling2D(data_format="channels_first", keepdims=True, name="gmp")
    config = layer.get_config()
    assert config == {"name": "gmp", "trainable": True, "dtype": "float32",
                      "data_format": "channels_first", "keepdims": True}
    assert layers.GlobalMaxPooling2D.from_config(config).get_config() == config
    assert layers.GlobalMaxPool2D is layers.GlobalMaxPooling2D
    with pytest.raises(ValueError, match="The `data_format` argument must be one of"):
        layers.GlobalMaxPooling2D(data_format="nchw")
    with pytest.raises(ArgumentTypeError, match="`keepdims` must be a bool"):
        layers.GlobalMaxPooling2D(keepdims="yes")
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layers.GlobalMaxPooling2D()(np.ones((2, 3, 4), "float32"))


def test_in_a_small_convnet_that_trains():
    seeded = layers.initializers.GlorotUniform
    model = layers.Sequential([layers.Conv2D(4, 3, activation="relu", input_shape=(6, 6, 1),
                                             kernel_initializer=seeded(seed=4)),
                               layers.GlobalMaxPooling2D(),
                               layers.Dense(1, kernel_initializer=seeded(seed=5))])
    model.compile(mg.optimizers.Adam(0.02), "mse")
    x = RNG.standard_normal((32, 6, 6, 1)).astype("float32")
    y = x.max(axis=(1, 2, 3))[:, None].astype("float32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.5 * before
