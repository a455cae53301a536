"""layers.Input and layers.InputLayer: shapes, dtypes, names, errors, the node, config."""

from __future__ import annotations

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import InputLayer, KerasTensor, backend


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def test_input_returns_a_symbolic_tensor_with_a_none_batch():
    x = layers.Input(shape=(4,))
    assert isinstance(x, KerasTensor)
    assert x.shape == (None, 4) and x.ndim == 2 and x.dtype == np.float32
    assert layers.Input(shape=(28, 28, 1)).shape == (None, 28, 28, 1)
    assert layers.Input(shape=[3]).shape == (None, 3)


def test_input_batch_size_batch_shape_and_dtype():
    assert layers.Input(shape=(2, 3), batch_size=8).shape == (8, 2, 3)
    assert layers.Input(batch_shape=(5, 3)).shape == (5, 3)
    assert layers.Input(batch_shape=(None, 3)).shape == (None, 3)
    assert layers.Input(batch_input_shape=(5, 3)).shape == (5, 3)  # tf.keras's other name
    x = layers.Input(shape=(3,), dtype="int32")
    assert x.dtype == np.int32 and x._keras_history[0].dtype == "int32"


def test_input_names_are_input_1_input_2_and_clear_session_resets_them():
    assert [layers.Input(shape=(1,)).name for _ in range(3)] == ["input_1", "input_2", "input_3"]
    assert layers.Input(shape=(1,), name="pixels").name == "pixels"
    assert layers.Input(shape=(1,))._keras_history[0].name == "input_4"
    backend.clear_session()
    assert layers.Input(shape=(1,)).name == "input_1"


def test_input_errors():
    with pytest.raises(ValueError, match="Please provide to Input a `shape` or a `batch_shape` "
                                         "argument. Note that `shape` does not include the batch "
                                         "dimension."):
        layers.Input()
    with pytest.raises(ValueError, match="Only provide the `shape` OR `batch_shape` argument to "
                                         "Input, not both at the same time."):
        layers.Input(shape=(3,), batch_shape=(2, 3))
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments: \['sparse'\]"):
        layers.Input(shape=(3,), sparse=True)


def test_input_layer_node_has_its_tensor_as_input_and_output():
    x = layers.Input(shape=(4,))
    layer, node_index, tensor_index = x._keras_history
    assert isinstance(layer, InputLayer) and (node_index, tensor_index) == (0, 0)
    assert layer.is_placeholder and layer.built and not layers.Layer().is_placeholder
    assert len(layer.inbound_nodes) == 1
    node = layer.inbound_nodes[0]
    assert node.input_tensors == [x] and node.output_tensors == [x]
    assert node.is_input and node.inbound_layers == []
    assert layer.input is x and layer.output is x
    assert layer.input_shape == (None, 4) and layer.output_shape == (None, 4)
    assert layer.weights == [] and layer.count_params() == 0


def test_input_layer_constructor():
    layer = InputLayer(input_shape=(3,), name="in")
    assert layer.name == "in" and layer._batch_input_shape == (None, 3)
    assert layer.output.shape == (None, 3)
    assert InputLayer(input_shape=3).output.shape == (None, 3)
    assert InputLayer(input_shape=(3,), batch_size=2).output.shape == (2, 3)
    assert InputLayer(batch_input_shape=(7, 2), dtype="float64").output.dtype == np.float64


def test_input_layer_errors():
    with pytest.raises(ValueError, match=r"InputLayer needs input_shape=\(...\)"):
        InputLayer()
    with pytest.raises(ValueError, match="Only provide the input_shape OR batch_input_shape "
                                         "argument to InputLayer, not both at the same time."):
        InputLayer(input_shape=(3,), batch_input_shape=(None, 3))
    with pytest.raises(TypeError, match="Keyword argument not understood: 'colour'"):
        InputLayer(input_shape=(3,), colour="red")


def test_input_layer_config_round_trip():
    layer = InputLayer(input_shape=(3, 2), batch_size=4, dtype="float64", name="features")
    config = layer.get_config()
    assert config == {"batch_input_shape": (4, 3, 2), "dtype": "float64", "sparse": False,
                      "ragged": False, "name": "features"}
    clone = InputLayer.from_config(config)
    assert isinstance(clone, InputLayer) and clone is not layer
    assert clone.get_config() == config
    assert clone.output.shape == (4, 3, 2) and clone.output.dtype == np.float64


def test_calling_an_input_layer_on_data_passes_it_through():
    layer = InputLayer(input_shape=(3,))
    x = mg.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
