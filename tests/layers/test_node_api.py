"""The node API of layers.Layer: calling a layer on symbolic ``layers.Input`` tensors records a
Node, and ``input``, ``output``, ``input_shape``, ``output_shape``, ``input_mask``,
``output_mask`` and ``get_*_at(node_index)`` read it back as tf.keras does, raising
AttributeError / RuntimeError / ValueError exactly where Keras raises them.
"""

from __future__ import annotations

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import KerasTensor, Layer, Node, backend


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


class Double(Layer):
    def call(self, inputs):
        return inputs * 2.0


class Dense2(Layer):
    """``x @ ones((d, 2))``: output shape (batch, 2)."""

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], 2), initializer="ones")
        super().build(input_shape)

    def call(self, inputs):
        return mg.matmul(inputs, self.kernel)


class SumDiff(Layer):
    """Two inputs, two outputs: ``[a + b, a - b]``."""

    def call(self, inputs):
        a, b = inputs
        return [a + b, a - b]


class MaskNonZero(Layer):
    """Like keras Masking(0): timesteps whose features are all 0 are masked."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return mg.not_equal(inputs, 0.0).any(axis=-1)

    def call(self, inputs):
        return inputs


class MaskUser(Layer):
    """Supports masking (passes the mask on) and records the mask its call receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.masks = []

    def call(self, inputs, mask=None):
        self.masks.append(mask)
        return inputs


class Probe(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


# -- before any symbolic call ------------------------------------------------------------------
@pytest.mark.parametrize("call_eagerly", [False, True])
def test_a_layer_without_symbolic_calls_has_no_node_attributes(call_eagerly):
    layer = Double(name="d")
    if call_eagerly:  # eager calls record no nodes
        layer(np.ones((2, 3), np.float32))
    assert layer.inbound_nodes == []
    with pytest.raises(AttributeError, match="Layer d is not connected, no input to return."):
        _ = layer.input
    with pytest.raises(AttributeError, match="Layer d has no inbound nodes."):
        _ = layer.output
    for attr, what in [("input_shape", "input shape"), ("output_shape", "output shape")]:
        with pytest.raises(AttributeError, match=f"The layer d has never been called and thus "
                                                 f"has no defined {what}."):
            getattr(layer, attr)
    for attr in ("input_mask", "output_mask"):
        with pytest.raises(AttributeError):
            getattr(layer, attr)
    for method, what in [("get_input_at", "input"), ("get_output_at", "output"),
                         ("get_input_shape_at", "input shape"),
                         ("get_output_shape_at", "output shape"),
                         ("get_input_mask_at", "input mask"),
                         ("get_output_mask_at", "output mask")]:
        with pytest.raises(RuntimeError, match=f"The layer d has never been called and thus has "
                                               f"no defined {what}."):
            getattr(layer, method)(0)


# -- one call ------------------------------------------------------------------------------------
def test_one_symbolic_call_records_a_node():
    x = layers.Input(shape=(3,))
    layer = Dense2(name="dense2")
    y = layer(x)
    assert isinstance(y, KerasTensor) and y.shape == (None, 2) and y.dtype == np.float32
    assert layer.built and layer.kernel.shape == (3, 2)
    assert y._keras_history == (layer, 0, 0)
    assert len(layer.inbound_nodes) == 1
    node = layer.inbound_nodes[0]
    assert isinstance(node, Node) and node.layer is layer
    assert node.input_tensors == [x] and node.output_tensors == [y]
    assert node.inbound_layers == [x._keras_history[0]] and not node.is_input
    assert node.input_shapes == [(None, 3)] and node.output_shapes == [(None, 2)]
    assert node.call_kwargs == {} and node.inputs_structure == (x, ())
    assert layer.input is x and layer.output is y
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 2)
    assert layer.input_mask is None and layer.output_mask is None
    assert layer.get_input_at(0) is x and layer.get_output_at(0) is y
    assert layer.get_input_shape_at(0) == (None, 3) and layer.get_output_shape_at(0) == (None, 2)
    assert layer.get_input_mask_at(0) is None and layer.get_output_mask_at(0) is None
    assert layer.get_output_at(-1) is y  # Python-style negative index, as Keras allows


@pytest.mark.parametrize("method, what", [
    ("get_input_at", "input"), ("get_output_at", "output"),
    ("get_input_shape_at", "input shape"), ("get_output_shape_at", "output shape"),
    ("get_input_mask_at", "input mask"), ("get_output_mask_at", "output mask"),
])
def test_node_index_out_of_range_raises_value_error(method, what):
    layer = Double()
    layer(layers.Input(shape=(3,)))
    for index in (1, 5, -2):
        with pytest.raises(ValueError, match=f"Asked to get {what} at node {index}, but the layer "
                                             "has only 1 inbound nodes."):
            getattr(layer, method)(index)


def test_symbolic_outputs_have_a_none_batch_unless_it_is_fixed():
    assert Dense2()(layers.Input(shape=(3,))).shape == (None, 2)
    assert Dense2()(layers.Input(shape=(3,), batch_size=4)).shape == (4, 2)
    assert Double()(layers.Input(shape=(5, 3))).shape == (None, 5, 3)
    assert Dense2(dtype="float64")(layers.Input(shape=(3,))).dtype == np.float64
    with pytest.raises(TypeError, match="a symbolic KerasTensor has no value"):
        bool(layers.Input(shape=(3,)))


def test_unknown_axes_stay_unknown_and_known_ones_are_found():
    class SumOverBatch(Layer):
        def call(self, inputs):
            return mg.sum(inputs, axis=0)

    class Halve(Layer):  # stride-2 style: size // 2
        def call(self, inputs):
            return inputs[:, ::2]

    assert Double()(layers.Input(shape=(None, 3))).shape == (None, None, 3)
    assert Dense2()(layers.Input(shape=(None, 3))).shape == (None, None, 2)
    assert SumOverBatch()(layers.Input(shape=(None, 3))).shape == (None, 3)
    assert SumOverBatch()(layers.Input(shape=(5, 3))).shape == (5, 3)
    assert Halve()(layers.Input(shape=(None, 3))).shape == (None, None, 3)
    assert Halve()(layers.Input(shape=(7, 3))).shape == (None, 4, 3)
    fixed = Probe()
    fixed(layers.Input(batch_shape=(2, 3)))
    assert fixed.seen == [False]  # nothing unknown: one run


def test_symbolic_calls_chain_and_keep_their_history():
    x = layers.Input(shape=(3,))
    d1, d2 = Double(), Double()
    y = d2(d1(x))
    assert y._keras_history == (d2, 0, 0)
    assert d2.input is d1.output
    assert d2.inbound_nodes[0].inbound_layers == [d1]
    assert "created by layer 'double_1'" in repr(y)


# -- several calls -----------------------------------------------------------------------------
def test_two_calls_with_the_same_shapes():
    layer = Double()
    x1, x2 = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    y1, y2 = layer(x1), layer(x2)
    assert y2._keras_history == (layer, 1, 0)
    assert layer.input is x1 and layer.output is y1  # node 0 (Keras does not raise)
    assert layer.get_input_at(1) is x2 and layer.get_output_at(1) is y2
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 3)


def test_two_calls_with_different_shapes_make_shapes_ill_defined():
    layer = Double(name="d")
    layer(layers.Input(shape=(3,)))
    layer(layers.Input(shape=(4,)))
    with pytest.raises(AttributeError, match='The layer "d" has multiple inbound nodes, with '
                                             'different input shapes. Hence the notion of "input '
                                             'shape" is ill-defined for the layer. Use '
                                             r"`get_input_shape_at\(node_index\)` instead."):
        _ = layer.input_shape
    with pytest.raises(AttributeError, match=r"different output shapes.*"
                                             r"`get_output_shape_at\(node_index\)` instead."):
        _ = layer.output_shape
    assert layer.get_input_shape_at(1) == (None, 4) and layer.get_output_shape_at(0) == (None, 3)


def test_a_shared_layer_applied_twice_in_sequence():
    layer = Double()
    x = layers.Input(shape=(3,))
    y = layer(layer(x))
    assert y._keras_history == (layer, 1, 0)
    assert layer.get_input_at(1) is layer.get_output_at(0)
    assert layer.inbound_nodes[1].inbound_layers == [layer]


# -- several inputs and outputs ----------------------------------------------------------------
def test_a_layer_with_two_inputs_and_two_outputs():
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    layer = SumDiff()
    s, d = layer([a, b])
    assert s._keras_history == (layer, 0, 0) and d._keras_history == (layer, 0, 1)
    assert layer.input == [a, b] and layer.output == [s, d]
    assert layer.input_shape == [(None, 3), (None, 3)]
    assert layer.get_output_shape_at(0) == [(None, 3), (None, 3)]
    assert layer.input_mask == [None, None] and layer.get_output_mask_at(0) == [None, None]
    assert layer.inbound_nodes[0].inputs_structure == ([a, b], ())


# -- masks -------------------------------------------------------------------------------------
def test_masks_flow_through_symbolic_calls():
    x = layers.Input(shape=(4, 2))
    masking = MaskNonZero()
    m = masking(x)
    mask = masking.output_mask
    assert isinstance(mask, KerasTensor) and mask.shape == (None, 4) and mask.dtype == np.bool_
    assert m._keras_mask is mask and masking.get_output_mask_at(0) is mask
    assert masking.input_mask is None

    user = MaskUser()
    out = user(m)
    assert user.input_mask is mask and user.get_input_mask_at(0) is mask
    assert user.output_mask.shape == (None, 4) and out._keras_mask is user.output_mask
    assert user.inbound_nodes[0].call_kwargs == {"mask": mask}
    # call ran on batches of size 1 and 2 (to find the unknown axes) with all-True masks
    assert [m.shape for m in user.masks] == [(1, 4), (2, 4)]
    np.testing.assert_array_equal(user.masks[0].numpy(), np.ones((1, 4), bool))


def test_a_layer_that_does_not_support_masking_drops_the_mask():
    m = MaskNonZero()(layers.Input(shape=(4, 2)))
    layer = Double()
    out = layer(m)  # no TypeError: Keras only asks layers that support masking
    assert out._keras_mask is None and layer.output_mask is None
    assert layer.input_mask is m._keras_mask


def test_an_explicit_mask_argument_wins_over_the_input_mask():
    m = MaskNonZero()(layers.Input(shape=(4, 2)))
    other = MaskNonZero()(layers.Input(shape=(4, 2)))._keras_mask
    user = MaskUser()
    user(m, mask=other)
    assert user.inbound_nodes[0].call_kwargs == {"mask": other}
    assert user.output_mask.shape == (None, 4)


# -- training in symbolic calls ------------------------------------------------------------------
def test_symbolic_calls_run_in_inference_mode_unless_training_is_given():
    probe = Probe()
    x = layers.Input(shape=(3,))
    probe(x)
    probe(x, training=True)
    with backend.learning_phase_scope(1):
        probe(x)
    assert probe.seen == [False, False, True, True, False, False]  # two stand-in runs per call
    assert [n.call_kwargs for n in probe.inbound_nodes] == [{}, {"training": True}, {}]


def test_training_given_to_a_symbolic_call_of_a_layer_without_training_parameter():
    layer = Double()
    y = layer(layers.Input(shape=(3,)), training=True)
    assert y.shape == (None, 3)
    assert layer.inbound_nodes[0].call_kwargs == {"training": True}


def test_a_symbolic_call_changes_no_weights():
    class Tracker(Layer):
        """Assigns the batch mean to a weight in training mode (as BatchNormalization does)."""

        def build(self, input_shape):
            self.mean = self.add_weight("mean", (input_shape[-1],), initializer="ones",
                                        trainable=False)
            super().build(input_shape)

        def call(self, inputs, training=None):
            if training:
                self.mean.assign(mg.mean(inputs, axis=0))
            return inputs

    layer = Tracker()
    layer(layers.Input(shape=(3,)), training=True)
    np.testing.assert_array_equal(layer.mean.numpy(), np.ones(3))
    layer(np.zeros((2, 3), np.float32), training=True)  # an eager call does change it
    np.testing.assert_array_equal(layer.mean.numpy(), np.zeros(3))
