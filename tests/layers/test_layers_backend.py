"""layers.backend: floatx/epsilon, names, the learning phase, the call context, collections."""

from __future__ import annotations

import numpy as np
import pytest

from layers import Layer, backend


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def test_floatx_and_epsilon():
    assert backend.floatx() == "float32"
    assert backend.epsilon() == 1e-7


@pytest.mark.parametrize("class_name, snake", [
    ("Dense", "dense"), ("BatchNormalization", "batch_normalization"), ("Conv2D", "conv2d"),
    ("MaxPooling2D", "max_pooling2d"), ("GlobalAveragePooling2D", "global_average_pooling2d"),
    ("ReLU", "re_lu"), ("PReLU", "p_re_lu"), ("InputLayer", "input_layer"),
])
def test_to_snake_case_matches_keras(class_name, snake):
    assert backend.to_snake_case(class_name) == snake


def test_unique_name_get_uid_and_clear_session():
    assert [backend.unique_name("dense") for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert backend.unique_name("conv2d") == "conv2d"
    assert [backend.get_uid("input"), backend.get_uid("input")] == [1, 2]
    backend.clear_session()
    assert backend.unique_name("dense") == "dense" and backend.get_uid("input") == 1


def test_learning_phase_defaults_to_inference_and_unset():
    assert backend.learning_phase() == 0
    assert not backend.global_learning_phase_is_set()


@pytest.mark.parametrize("value, expected", [(1, 1), (0, 0), (True, 1), (False, 0),
                                             (np.int64(1), 1)])
def test_set_learning_phase(value, expected):
    backend.set_learning_phase(value)
    assert backend.learning_phase() == expected and type(backend.learning_phase()) is int
    assert backend.global_learning_phase_is_set()
    backend.set_learning_phase(None)
    assert not backend.global_learning_phase_is_set() and backend.learning_phase() == 0


@pytest.mark.parametrize("value", [2, -1, 0.5, 1.0, "1", "train"])
def test_set_learning_phase_rejects_other_values(value):
    with pytest.raises(ValueError, match="the learning phase must be 0, 1 \\(or a bool\\) or None"):
        backend.set_learning_phase(value)
    assert not backend.global_learning_phase_is_set()


def test_learning_phase_scope_sets_and_restores():
    with backend.learning_phase_scope(1):
        assert backend.learning_phase() == 1
        with backend.learning_phase_scope(False):
            assert backend.learning_phase() == 0 and backend.global_learning_phase_is_set()
        assert backend.learning_phase() == 1
    assert not backend.global_learning_phase_is_set()
    backend.set_learning_phase(0)
    with pytest.raises(KeyError):
        with backend.learning_phase_scope(1):
            raise KeyError("boom")
    assert backend.learning_phase() == 0 and backend.global_learning_phase_is_set()
    with pytest.raises(ValueError, match="the learning phase must be"):
        with backend.learning_phase_scope(3):
            pass
    assert backend.learning_phase() == 0


def test_clear_session_resets_learning_phase_and_collections():
    backend.set_learning_phase(1)
    backend.add_to_collection("UPDATE_OPS", "op")
    backend.clear_session()
    assert not backend.global_learning_phase_is_set()
    assert backend.get_collection("UPDATE_OPS") == []


def test_collections():
    assert backend.get_collection("UPDATE_OPS") == []
    backend.add_to_collection("UPDATE_OPS", "a")
    backend.add_to_collection("UPDATE_OPS", "b")
    backend.add_to_collection("LOSSES", "c")
    got = backend.get_collection("UPDATE_OPS")
    assert got == ["a", "b"] and backend.get_collection("LOSSES") == ["c"]
    got.append("not stored")  # a copy
    assert backend.get_collection("UPDATE_OPS") == ["a", "b"]


def test_call_frames_nest_and_share_the_outermost_inputs_and_generation():
    assert backend.current_frame() is None
    outer_layer, inner_layer = Layer(), Layer()
    with backend.call_frame(outer_layer, True, ["x"]) as outer:
        assert backend.current_frame() is outer
        assert (outer.layer, outer.training, outer.top_inputs) == (outer_layer, True, ["x"])
        with backend.call_frame(inner_layer, False, ["h"], shape_inference=True) as inner:
            assert backend.current_frame() is inner
            assert inner.top_inputs == ["x"] and inner.generation == outer.generation
            assert inner.shape_inference and not outer.shape_inference
            with backend.call_frame(inner_layer, None, ["g"]) as innermost:
                assert innermost.shape_inference  # inherited
        assert backend.current_frame() is outer
    assert backend.current_frame() is None
    with backend.call_frame(outer_layer, None, []) as again:
        assert again.generation == outer.generation + 1  # a new outermost call


def test_the_frame_is_popped_when_a_call_fails():
    class Fails(Layer):
        def call(self, inputs):
            raise ArithmeticError("bad")

    with pytest.raises(ArithmeticError):
        Fails()(np.ones((1, 2), np.float32))
    assert backend.current_frame() is None


def test_a_running_layer_sees_its_own_frame():
    frames = []

    class Look(Layer):
        def call(self, inputs, training=None):
            frames.append(backend.current_frame())
            return inputs

    layer = Look()
    x = np.ones((1, 2), np.float32)
    layer(x, training=True)
    frame = frames[0]
    assert frame.layer is layer and frame.training is True and not frame.shape_inference
    assert len(frame.top_inputs) == 1 and frame.top_inputs[0].shape == (1, 2)


# -- layers.nest --------------------------------------------------------------------------------
def test_nest_flatten_map_and_pack():
    from collections import namedtuple

    from layers import nest

    Pair = namedtuple("Pair", "a b")
    structure = {"y": [1, (2, 3)], "x": Pair(4, 5)}
    assert nest.flatten(structure) == [4, 5, 1, 2, 3]  # dicts by sorted key
    doubled = nest.map_structure(lambda v: 2 * v, structure)
    assert doubled == {"y": [2, (4, 6)], "x": Pair(8, 10)} and type(doubled["x"]) is Pair
    packed = nest.pack_as(structure, [40, 50, 10, 20, 30])
    assert packed == {"x": Pair(40, 50), "y": [10, (20, 30)]} and type(packed["y"][1]) is tuple
    assert nest.flatten(7) == [7] and nest.map_structure(str, None) == "None"
    assert nest.unwrap_single([7]) == 7 and nest.unwrap_single([7, 8]) == [7, 8]
