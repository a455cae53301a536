"""Functional and subclassed models: graph walking, replay, shared layers, nesting, configs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import minigrad as mg
from layers.base import Layer
from layers.core import Dense, Dropout
from layers.input_layer import Input, InputLayer
from layers.models import Model, Sequential, model_from_json

RNG = np.random.default_rng(7)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


class AddPair(Layer):
    """Adds a list of two tensors (a layer with a list input)."""

    def call(self, inputs):
        return inputs[0] + inputs[1]


class Scale(Layer):
    """Multiplies by a constant ``factor`` (a config argument)."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class TrainingProbe(Layer):
    """Records the ``training`` value of each call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def dense_ref(x, layer, activation=None):
    kernel, bias = layer.get_weights()
    y = x @ kernel + bias
    if activation == "relu":
        return np.maximum(y, 0)
    if activation == "tanh":
        return np.tanh(y)
    return y


# -- building and calling ------------------------------------------------------------------------
def test_mlp_output_matches_numpy_and_layers_are_in_graph_order():
    inputs = Input(shape=(4,), name="features")
    hidden = Dense(8, activation="relu", name="hidden")
    head = Dense(3, name="head")
    model = Model(inputs, head(hidden(inputs)), name="mlp")
    x = randn(5, 4)
    expected = dense_ref(dense_ref(x, hidden, "relu"), head)
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in model.layers] == ["features", "hidden", "head"]
    assert isinstance(model.layers[0], InputLayer)
    assert model.inputs == [inputs] and len(model.outputs) == 1
    assert model.input is inputs
    assert model.input_shape == (None, 4) and model.output_shape == (None, 3)
    assert model.name == "mlp" and model.built
    assert [w.name for w in model.weights] == ["hidden/kernel:0", "hidden/bias:0", "head/kernel:0",
                                               "head/bias:0"]
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3


def test_layers_are_ordered_by_depth_then_traversal_as_keras():
    a, b = Input(shape=(2,), name="a"), Input(shape=(2,), name="b")
    shared = Dense(4, name="shared")
    out = Dense(1, name="out")(shared(a))
    model = Model([a, b], [out, shared(b)])
    # shared's deepest node is one above "out"; "b" feeds only the shallow node
    assert [layer.name for layer in model.layers] == ["a", "shared", "b", "out"]
    assert model.output_names == ["out", "shared"]
    assert model.input_names == ["a", "b"]


def test_multi_input_multi_output_lists():
    a, b = Input(shape=(3,), name="in_a"), Input(shape=(2,), name="in_b")
    da, db = Dense(4, name="da"), Dense(4, name="db")
    summed = AddPair(name="sum")([da(a), db(b)])
    out1, out2 = Dense(2, name="o1")(summed), Dense(1, name="o2")(summed)
    model = Model(inputs=[a, b], outputs=[out1, out2])
    xa, xb = randn(6, 3), randn(6, 2)
    y1, y2 = model([xa, xb])
    s = dense_ref(xa, da) + dense_ref(xb, db)
    np.testing.assert_allclose(y1.numpy(), dense_ref(s, model.get_layer("o1")), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y2.numpy(), dense_ref(s, model.get_layer("o2")), rtol=1e-5, atol=1e-6)
    # a list model can be called with a dict keyed by input names
    z1, z2 = model({"in_b": xb, "in_a": xa})
    np.testing.assert_array_equal(z1.numpy(), y1.numpy())
    with pytest.raises(ValueError, match="in_b"):
        model({"in_a": xa})
    with pytest.raises(ValueError, match="expects 2 input"):
        model([xa])


def test_dict_inputs_and_outputs_keep_their_structure():
    inputs = {"x": Input(shape=(2,), name="x"), "y": Input(shape=(2,), name="y")}
    total = AddPair(name="total")([inputs["x"], inputs["y"]])
    outputs = {"sum": total, "scaled": Scale(3.0, name="scaled")(total)}
    model = Model(inputs, outputs)
    x, y = randn(4, 2), randn(4, 2)
    result = model({"y": y, "x": x})
    assert set(result) == {"sum", "scaled"}
    np.testing.assert_allclose(result["sum"].numpy(), x + y, rtol=1e-6)
    np.testing.assert_allclose(result["scaled"].numpy(), 3 * (x + y), rtol=1e-6)
    assert model.output_shape == {"sum": (None, 2), "scaled": (None, 2)}


def test_single_element_lists_are_unwrapped_as_keras():
    x = Input(shape=(2,))
    y = Dense(1)(x)
    model = Model([x], [y])
    assert model.input is x and model.output is y
    out = model(randn(3, 2))
    assert isinstance(out, mg.Tensor) and out.shape == (3, 1)


def test_shared_layer_has_one_set_of_weights_and_gets_both_gradients():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    shared = Dense(2, name="twice")
    model = Model([a, b], AddPair()([shared(a), shared(b)]))
    assert len(model.weights) == 2 and len(shared._inbound_nodes) == 2
    xa, xb = randn(5, 3), randn(5, 3)
    with mg.GradientTape() as tape:
        loss = mg.sum(model([xa, xb]))
    g_kernel, g_bias = tape.gradient(loss, shared.trainable_weights)
    # d/dW sum((xa + xb) W + 2b) = sum over rows of (xa + xb), for every output column
    np.testing.assert_allclose(g_kernel.numpy(), np.repeat((xa + xb).sum(0)[:, None], 2, axis=1), rtol=1e-5)
    np.testing.assert_allclose(g_bias.numpy(), [10.0, 10.0], rtol=1e-6)


def test_nested_model_records_a_node_and_computes_the_same():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(4, activation="tanh", name="inner_dense")(inner_in), name="inner")
    x = Input(shape=(3,))
    features = inner(x)
    assert features.shape == (None, 4) and features._keras_history[0] is inner
    outer = Model(x, Dense(1, name="outer_dense")(features))
    assert [layer.name for layer in outer.layers][1] == "inner"
    assert [w.name for w in outer.weights] == ["inner_dense/kernel:0", "inner_dense/bias:0",
                                             "outer_dense/kernel:0", "outer_dense/bias:0"]
    data = randn(5, 3)
    hidden = dense_ref(data, inner.get_layer("inner_dense"), "tanh")
    expected = dense_ref(hidden, outer.get_layer("outer_dense"))
    np.testing.assert_allclose(outer(data).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_training_flag_reaches_every_layer_and_explicit_values_are_kept():
    x = Input(shape=(2,))
    free, fixed = TrainingProbe(name="free"), TrainingProbe(name="fixed")
    model = Model(x, fixed(free(x), training=False))
    data = randn(2, 2)
    free.seen.clear()
    fixed.seen.clear()
    model(data, training=True)
    model(data, training=False)
    model(data)
    assert free.seen == [True, False, None]
    assert fixed.seen == [False, False, False]


def test_dropout_in_a_functional_model_follows_training():
    mg.random.seed(0)
    x = Input(shape=(1000,))
    model = Model(x, Dropout(0.5)(x))
    data = np.ones((1, 1000), dtype=np.float32)
    np.testing.assert_array_equal(model(data).numpy(), data)
    dropped = model(data, training=True).numpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}
    assert 400 < (dropped == 0).sum() < 600


def test_inputs_are_conformed_to_the_input_spec():
    x = Input(shape=(1,))
    model = Model(x, Scale(2.0)(x))
    out = model(np.arange(3, dtype=np.float64))  # (3,) -> (3, 1), float64 -> float32
    assert out.shape == (3, 1) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy()[:, 0], [0.0, 2.0, 4.0])
    y = Input(shape=(3,))
    model3 = Model(y, Dense(1)(y))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(2, 4\)"):
        model3(randn(2, 4))


# -- errors -------------------------------------------------------------------------------------
def test_graph_disconnected_names_the_missing_tensor():
    a, b = Input(shape=(2,), name="first"), Input(shape=(2,), name="second")
    out = AddPair(name="joined")([Dense(2, name="from_a")(a), Dense(2, name="from_b")(b)])
    with pytest.raises(ValueError, match="Graph disconnected.*'second'.* at layer \"from_b\".*'from_a'"):
        Model(a, out)


def test_duplicate_layer_names_are_rejected():
    x = Input(shape=(2,))
    y = Dense(2, name="same")(Dense(2, name="same")(x))
    with pytest.raises(ValueError, match='"same" is used 2 times'):
        Model(x, y)


def test_inputs_must_come_from_input():
    x = Input(shape=(2,))
    h = Dense(2)(x)
    with pytest.raises(ValueError, match="layers.Input"):
        Model(h, Dense(1)(h))
    with pytest.raises(ValueError, match="layers.Input"):
        Model(randn(2, 2), Dense(1)(x))
    with pytest.raises(ValueError, match="same input multiple times"):
        Model([x, x], Dense(1)(x))
    with pytest.raises(ValueError, match="needs both inputs and outputs"):
        Model(x)


def test_get_layer_by_name_and_index():
    x = Input(shape=(2,), name="x_in")
    model = Model(x, Dense(1, name="d")(x))
    assert model.get_layer("d") is model.layers[1]
    assert model.get_layer(index=0).name == "x_in"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)
    with pytest.raises(ValueError, match="Provide only"):
        model.get_layer("d", 0)
    with pytest.raises(ValueError, match="Provide either"):
        model.get_layer()


# -- subclassed models ---------------------------------------------------------------------------
class TwoLayer(Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = Dense(units, activation="relu")
        self.out = Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def test_subclassed_model_tracks_layers_and_computes():
    model = TwoLayer(name="two")
    assert not model.built and model.layers == [model.hidden, model.out]
    x = randn(3, 5)
    y = model(x)
    expected = dense_ref(dense_ref(x, model.hidden, "relu"), model.out)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert model.built and len(model.trainable_weights) == 4
    assert model.inputs is None and model.outputs is None
    lines = []
    model.summary(print_fn=lines.append)
    assert any("multiple" in line for line in lines)
    with pytest.raises(NotImplementedError, match="subclassed model"):
        model.get_config()


def test_subclassed_model_build_creates_weights():
    model = TwoLayer(units=3)
    model.build((None, 7))
    assert model.built
    assert [tuple(w.shape) for w in model.weights] == [(7, 3), (3,), (3, 2), (2,)]
    with pytest.raises(ValueError, match="Input shape must be defined"):
        TwoLayer().build(None)


def test_model_without_call_says_what_to_do():
    with pytest.raises(NotImplementedError, match="define call"):
        Model()(randn(2, 2))


def test_subclassed_model_can_be_used_in_a_functional_graph():
    inner = TwoLayer(units=3, name="sub")
    x = Input(shape=(4,))
    outer = Model(x, Scale(0.5)(inner(x)))
    data = randn(2, 4)
    np.testing.assert_allclose(outer(data).numpy(), 0.5 * inner(data).numpy(), rtol=1e-6)


# -- configs ---------------------------------------------------------------------------------
def build_multi_input_shared():
    a, b = Input(shape=(3,), name="left"), Input(shape=(3,), name="right")
    shared = Dense(4, activation="tanh", name="shared")
    merged = AddPair(name="merge")([shared(a), shared(b)])
    out = Dense(2, name="out")(merged)
    return Model([a, b], [out, Scale(2.0, name="double")(merged)], name="siamese")


def test_functional_config_has_keras_layout():
    model = build_multi_input_shared()
    config = model.get_config()
    assert config["name"] == "siamese"
    assert config["input_layers"] == [["left", 0, 0], ["right", 0, 0]]
    assert config["output_layers"] == [["out", 0, 0], ["double", 0, 0]]
    by_name = {entry["name"]: entry for entry in config["layers"]}
    assert by_name["left"]["class_name"] == "InputLayer" and by_name["left"]["inbound_nodes"] == []
    assert by_name["shared"]["inbound_nodes"] == [[["left", 0, 0, {}]], [["right", 0, 0, {}]]]
    assert by_name["merge"]["inbound_nodes"] == [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]
    assert by_name["double"]["config"]["factor"] == 2.0
    json.dumps(config)  # JSON-ready


def test_functional_round_trip_rebuilds_identical_model():
    model = build_multi_input_shared()
    config = json.loads(json.dumps(model.get_config()))
    clone = Model.from_config(config, custom_objects={"AddPair": AddPair, "Scale": Scale})
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert json.loads(json.dumps(clone.get_config())) == config
    assert len(clone.get_layer("shared")._inbound_nodes) == 2 and len(clone.weights) == 4
    clone.set_weights(model.get_weights())
    xa, xb = randn(5, 3), randn(5, 3)
    for got, want in zip(clone([xa, xb]), model([xa, xb])):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_round_trip_of_nested_models_and_json():
    inner = Sequential([Dense(5, activation="relu", input_shape=(3,)), Dense(2)], name="inner_seq")
    x = Input(shape=(3,), name="x")
    model = Model(x, Dense(1, name="head")(inner(x)), name="outer")
    clone = model_from_json(model.to_json())
    assert type(clone) is Model and clone.name == "outer"
    assert isinstance(clone.get_layer("inner_seq"), Sequential)
    clone.set_weights(model.get_weights())
    data = randn(4, 3)
    np.testing.assert_array_equal(clone(data).numpy(), model(data).numpy())


def test_training_kwarg_survives_the_config():
    x = Input(shape=(2,), name="x")
    model = Model(x, Dropout(0.5, name="always")(x, training=True))
    config = model.get_config()
    drop = next(entry for entry in config["layers"] if entry["name"] == "always")
    assert drop["inbound_nodes"] == [[["x", 0, 0, {"training": True}]]]
    clone = Model.from_config(config)
    mg.random.seed(0)
    out = clone(np.ones((1, 2), dtype=np.float32)).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert clone.get_layer("always")._inbound_nodes[0].call_kwargs == {"training": True}


def test_from_config_errors_name_the_problem():
    model = build_multi_input_shared()
    with pytest.raises(ValueError, match="Unknown layer: 'AddPair'.*custom_objects"):
        Model.from_config(model.get_config())
    config = model.get_config()
    config["output_layers"] = [["missing", 0, 0]]
    with pytest.raises(ValueError, match="'missing'"):
        Model.from_config(config, custom_objects={"AddPair": AddPair, "Scale": Scale})
