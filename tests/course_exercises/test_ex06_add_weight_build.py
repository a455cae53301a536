"""ex06: ``Layer.add_weight`` and the lazy ``build`` (weights made on the first call, once).

A small layer defined here makes its weights in ``build`` with ``add_weight``: a kernel
(default initializer: Glorot uniform), a bias (zeros, an L2 regularizer) and an integer
counter that is not trainable. The test checks when ``build`` runs and with which shape,
what each weight is (shape, dtype, values, name, trainable or not) and that the layer tracks
it (``trainable_weights``, ``non_trainable_weights``, ``weights``, ``losses``).
"""

from __future__ import annotations

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import backend


class Probe(layers.Layer):
    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.build_calls: list = []

    def build(self, input_shape):
        self.build_calls.append(tuple(input_shape))
        self.kernel = self.add_weight("kernel", shape=(input_shape[-1], self.units))
        self.steps = self.add_weight("steps", shape=(), dtype="int64", trainable=False)
        self.bias = self.add_weight("bias", shape=(self.units,), initializer="zeros",
                                    regularizer=layers.regularizers.L2(0.5))
        self.scale = self.add_weight("scale", shape=(self.units,), initializer="ones", trainable=False)

    def call(self, inputs):
        return mg.matmul(inputs, self.kernel) * self.scale + self.bias


@pytest.fixture(autouse=True)
def fresh_names():
    backend.clear_session()
    yield
    backend.clear_session()


def names(weights) -> list:
    return [w.name for w in weights]


def test_no_weights_before_the_first_call():
    layer = Probe(4, name="probe")
    assert layer.build_calls == [] and not layer.built, "build ran before the layer was called"
    assert layer.weights == [], f"a layer has no weights before its first call; got {names(layer.weights)}"
    layer(np.ones((1, 2), "float32"))
    assert len(layer.weights) == 4, f"after the first call: 4 weights; got {names(layer.weights)}"


def test_the_first_call_builds_once_with_the_input_shape():
    layer = Probe(4, name="probe")
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    y = layer(x)
    assert layer.build_calls == [(5, 3)], (
        f"build must run once, on the first call, with the input's shape (5, 3); calls: {layer.build_calls}")
    assert layer.built, "layer.built must be True after the first call"
    layer(x[:2])
    assert layer.build_calls == [(5, 3)], f"build ran again on the second call: {layer.build_calls}"
    assert tuple(y.shape) == (5, 4), f"output shape {tuple(y.shape)}, expected (5, 4)"


def test_weights_are_tracked_by_kind_in_creation_order():
    layer = Probe(4, name="probe")
    layer(np.ones((2, 3), "float32"))
    assert names(layer.trainable_weights) == ["probe/kernel:0", "probe/bias:0"], (
        f"trainable_weights: {names(layer.trainable_weights)}; expected the kernel and the bias, named "
        "'<layer name>/<weight name>:0', in the order add_weight made them")
    assert names(layer.non_trainable_weights) == ["probe/steps:0", "probe/scale:0"], (
        f"non_trainable_weights: {names(layer.non_trainable_weights)}; expected steps and scale "
        "(trainable=False)")
    assert names(layer.weights) == ["probe/kernel:0", "probe/bias:0", "probe/steps:0", "probe/scale:0"]
    assert layer.kernel.trainable and not layer.steps.trainable, "each Variable's trainable flag"


def test_each_weight_has_its_shape_dtype_and_initial_values():
    layer = Probe(4, name="probe")
    layer(np.ones((2, 3), "float32"))
    kernel = layer.kernel.numpy()
    assert kernel.shape == (3, 4) and kernel.dtype == np.float32, (
        f"kernel: shape {kernel.shape} dtype {kernel.dtype}; expected (3, 4) float32 (the layer's dtype)")
    limit = np.sqrt(6 / (3 + 4))
    assert np.all(np.abs(kernel) <= limit) and kernel.std() > limit / 10, (
        f"the default initializer of a float weight is Glorot uniform, U(-{limit:.4f}, {limit:.4f}) for "
        f"fan_in 3, fan_out 4; got values from {kernel.min():.4f} to {kernel.max():.4f}")
    steps = layer.steps.numpy()
    assert steps.dtype == np.int64 and steps.shape == () and steps == 0, (
        f"steps: dtype {steps.dtype} shape {steps.shape} value {steps}; an integer weight defaults to zeros")
    assert np.array_equal(layer.bias.numpy(), np.zeros(4, "float32")), "bias: initializer='zeros'"
    assert np.array_equal(layer.scale.numpy(), np.ones(4, "float32")), "scale: initializer='ones'"


def test_a_float64_layer_makes_float64_weights():
    layer = Probe(2, name="probe", dtype="float64")
    layer(np.ones((1, 3)))
    assert layer.kernel.dtype == "float64" and layer.bias.dtype == "float64", (
        f"add_weight without dtype uses the layer's dtype (float64); got {layer.kernel.dtype}")


def test_the_regularizer_adds_a_loss_evaluated_when_read():
    layer = Probe(3, name="probe")
    layer(np.ones((2, 2), "float32"))
    assert len(layer.losses) == 1, f"one regularizer, one loss; got {len(layer.losses)}"
    layer.bias.assign(np.array([1.0, -2.0, 3.0], "float32"))
    (loss,) = layer.losses
    assert abs(float(loss.numpy()) - 0.5 * 14.0) < 1e-5, (
        f"L2(0.5) of bias [1, -2, 3] is 0.5 * 14 = 7 (computed when `losses` is read); "
        f"got {float(loss.numpy())}")


@pytest.mark.hidden
def test_random_shapes(course_seed):
    rng = np.random.default_rng(course_seed)
    units, features, batch = (int(v) for v in rng.integers(1, 7, size=3))
    layer = Probe(units, name="probe")
    layer(np.ones((batch, features), "float32"))
    assert layer.build_calls == [(batch, features)]
    assert layer.kernel.shape == (features, units) and layer.bias.shape == (units,)
    limit = np.sqrt(6 / (features + units))
    assert np.all(np.abs(layer.kernel.numpy()) <= limit)
    assert names(layer.trainable_weights) == ["probe/kernel:0", "probe/bias:0"]
