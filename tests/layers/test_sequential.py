"""Sequential: eager and deferred building, add / pop, calling, training flag, configs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import minigrad as mg
from layers.base import Layer
from layers.core import Dense, Dropout, Flatten
from layers.input_layer import Input, InputLayer
from layers.models import Model, Sequential

RNG = np.random.default_rng(11)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def dense_ref(x, layer, activation=None):
    kernel, bias = layer.get_weights()
    y = x @ kernel + bias
    return np.maximum(y, 0) if activation == "relu" else y


class TwoOutputs(Layer):
    def call(self, inputs):
        return [inputs, inputs]


def test_input_shape_on_first_layer_builds_at_once():
    model = Sequential([Dense(4, activation="relu", input_shape=(3,), name="h"), Dense(2, name="o")])
    assert model.built
    assert [tuple(w.shape) for w in model.weights] == [(3, 4), (4,), (4, 2), (2,)]
    assert [layer.name for layer in model.layers] == ["h", "o"]  # no InputLayer
    assert len(model.inputs) == 1 and model.inputs[0].shape == (None, 3)
    assert model.input_shape == (None, 3) and model.output_shape == (None, 2)
    assert model.inputs[0]._keras_history[0].name == "h_input"
    x = randn(5, 3)
    expected = dense_ref(dense_ref(x, model.layers[0], "relu"), model.layers[1])
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_input_as_first_element():
    model = Sequential([Input(shape=(6,)), Dense(2)])
    assert model.built and model.input_shape == (None, 6)
    assert len(model.layers) == 1 and not isinstance(model.layers[0], InputLayer)
    model.summary(print_fn=lambda line: None)  # works before any data


def test_deferred_build_on_first_call():
    model = Sequential([Dense(4), Dense(1)])
    assert not model.built and model.weights == [] and model.inputs is None
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    x = randn(7, 5)
    y = model(x)
    assert y.shape == (7, 1) and model.built
    assert model.input_shape == (None, 5)  # the batch axis stays free
    np.testing.assert_allclose(y.numpy(), dense_ref(dense_ref(x, model.layers[0]), model.layers[1]),
                               rtol=1e-5, atol=1e-6)
    assert model(randn(2, 5)).shape == (2, 1)


def test_build_with_an_input_shape():
    model = Sequential([Dense(3), Dense(2)])
    model.build((None, 4))
    assert model.built and model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    with pytest.raises(ValueError, match="input_shape"):
        Sequential([Dense(3)]).build()


def test_add_and_pop():
    model = Sequential(name="stack")
    model.add(Dense(4, input_shape=(2,), name="a"))
    model.add(Dense(3, name="b"))
    assert model.output_shape == (None, 3)
    popped = model.pop()
    assert popped.name == "b" and model.output_shape == (None, 4)
    assert [layer.name for layer in model.layers] == ["a"] and len(model.weights) == 2
    model.add(Dense(5, name="c"))
    assert model.output_shape == (None, 5)
    x = randn(2, 2)
    np.testing.assert_allclose(model(x).numpy(), dense_ref(dense_ref(x, model.layers[0]), model.layers[1]),
                               rtol=1e-5, atol=1e-6)
    model.pop()
    model.pop()
    assert model.layers == []
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_add_errors():
    model = Sequential([Dense(2, input_shape=(3,), name="d")])
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match='Name "d" is already'):
        model.add(Dense(2, name="d"))
    with pytest.raises(ValueError, match="single output tensor"):
        model.add(TwoOutputs())
    assert len(model.layers) == 1  # a failed add leaves the model as it was
    with pytest.raises(ValueError, match="first element"):
        model.add(Input(shape=(3,)))


def test_training_flag_reaches_dropout():
    mg.random.seed(1)
    model = Sequential([Dropout(0.5, input_shape=(1000,))])
    x = np.ones((2, 1000), dtype=np.float32)
    np.testing.assert_array_equal(model(x).numpy(), x)
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)
    dropped = model(x, training=True).numpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_nested_sequential_and_sequential_in_functional():
    inner = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(2)], name="inner")
    outer = Sequential([inner, Dense(1, name="top")])
    assert outer.built and outer.input_shape == (None, 3)  # taken from the inner model
    x = randn(3, 3)
    np.testing.assert_allclose(outer(x).numpy(), dense_ref(inner(x).numpy(), outer.layers[1]),
                               rtol=1e-5, atol=1e-6)
    t = Input(shape=(3,))
    functional = Model(t, inner(t))
    np.testing.assert_array_equal(functional(x).numpy(), inner(x).numpy())


def test_images_through_flatten():
    model = Sequential([Flatten(input_shape=(4, 4, 2)), Dense(3)])
    x = randn(2, 4, 4, 2)
    np.testing.assert_allclose(model(x).numpy(), dense_ref(x.reshape(2, -1), model.layers[1]), rtol=1e-5,
                               atol=1e-6)


# -- configs -------------------------------------------------------------------------------------
def test_config_lists_the_input_layer_and_the_layers():
    model = Sequential([Dense(4, activation="relu", input_shape=(3,), name="h"), Dense(2, name="o")],
                       name="seq")
    config = model.get_config()
    assert config["name"] == "seq"
    assert [entry["class_name"] for entry in config["layers"]] == ["InputLayer", "Dense", "Dense"]
    assert config["layers"][0]["config"]["batch_input_shape"] == (None, 3)
    first = config["layers"][1]["config"]
    assert first["units"] == 4 and first["activation"] == "relu"


def test_round_trip_rebuilds_identical_model():
    model = Sequential([Dense(8, activation="relu", input_shape=(3,)), Dropout(0.2), Dense(2)], name="rt")
    config = json.loads(json.dumps(model.get_config()))
    clone = Sequential.from_config(config)
    assert clone.built and clone.name == "rt"
    assert [type(layer).__name__ for layer in clone.layers] == ["Dense", "Dropout", "Dense"]
    assert json.loads(json.dumps(clone.get_config())) == config
    clone.set_weights(model.get_weights())
    x = randn(4, 3)
    np.testing.assert_array_equal(clone(x).numpy(), model(x).numpy())


def test_round_trip_of_a_deferred_model():
    model = Sequential([Dense(3), Dense(1)])
    config = model.get_config()
    assert [entry["class_name"] for entry in config["layers"]] == ["Dense", "Dense"]
    clone = Sequential.from_config(config)
    assert not clone.built
    x = randn(2, 4)
    model(x), clone(x)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), model(x).numpy())
    # once built, the config records the input layer found from the data
    assert model.get_config()["layers"][0]["config"]["batch_input_shape"] == (None, 4)
