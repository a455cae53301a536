"""Where minigrad follows Keras closely, and where it differs on purpose (README: "Deliberate
differences from Keras").

Fixed to match tf-keras 2.x (eager):
- weight names: a weight made while other layers' calls run is named after them,
  ``outer/inner/kernel:0`` (``tf.name_scope(layer.name)`` in ``Layer.__call__``); a layer
  called on symbolic inputs starts afresh (Keras builds it in a scratch graph), so the
  layers of Sequential and functional models are ``dense/kernel:0``;
- the order of ``losses``: layer by layer, each layer's tensors, then its callables (the
  two lists ``_eager_losses`` and ``_callable_losses`` of tf-keras's ``Layer.losses``).

Documented differences, each pinned here with minigrad's numbers: constraints and masks with
``virtual_batch_size``, ``fused=None`` with ``axis=-4`` on rank 4, ``Dense(0)``, and the
weight names of a subclassed model built with ``build`` or of a layer built directly.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from layers import backend, constraints, regularizers
from layers.base import Layer
from layers.core import Dense
from layers.input_layer import Input
from layers.models import Model, Sequential
from layers.normalization import BatchNormalization


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def names(layer) -> list:
    return [w.name for w in layer.weights]


class Outer(Layer):
    """A layer with its own weight ``w`` that owns a Dense and calls it in ``call``."""

    def __init__(self, inner=None, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner if inner is not None else Dense(3, name="inner")

    def build(self, input_shape):
        self.w = self.add_weight("w", (1,), initializer="ones")
        self.built = True

    def call(self, x):
        return self.inner(x) * self.w


# -- weight names (fixed: as Keras) ---------------------------------------------------------------
def test_weights_built_inside_another_layers_call_carry_its_name():
    outer = Outer(name="outer")
    outer(np.ones((2, 4), np.float32))
    assert names(outer) == ["outer/w:0", "outer/inner/kernel:0", "outer/inner/bias:0"]


def test_names_nest_as_deep_as_the_calls():
    top = Outer(inner=Outer(name="middle"), name="top")
    top(np.ones((2, 4), np.float32))
    assert names(top) == ["top/w:0", "top/middle/w:0", "top/middle/inner/kernel:0",
                          "top/middle/inner/bias:0"]


def test_a_subclassed_model_called_on_data_prefixes_its_name():
    class Net(Model):
        def __init__(self):
            super().__init__(name="net")
            self.hidden = Dense(2, name="hidden")
            self.block = Outer(name="block")

        def call(self, x):
            return self.block(self.hidden(x))

    net = Net()
    net(np.ones((2, 4), np.float32))
    assert names(net) == ["net/hidden/kernel:0", "net/hidden/bias:0", "net/block/w:0",
                          "net/block/inner/kernel:0", "net/block/inner/bias:0"]

    # deliberate difference: build() names them as the first call does (Keras's
    # Model.build runs call() outside the model's scope: "hidden/kernel:0")
    backend.clear_session()
    built = Net()
    built.build((None, 4))
    assert names(built) == names(net)


def test_sequential_and_functional_layers_have_no_model_prefix():
    seq = Sequential([Dense(2, name="d1"), Outer(name="o")], name="seq")
    seq(np.ones((2, 4), np.float32))  # built lazily, on symbolic inputs, as Keras does
    assert names(seq) == ["d1/kernel:0", "d1/bias:0", "o/w:0", "o/inner/kernel:0", "o/inner/bias:0"]

    x = Input(shape=(4,))
    model = Model(x, Outer(inner=Dense(3, name="head"), name="block")(x), name="functional")
    assert names(model) == ["block/w:0", "block/head/kernel:0", "block/head/bias:0"]


def test_a_sequential_built_inside_a_layers_call_starts_afresh():
    """Keras builds the lazy Sequential on symbolic inputs in a scratch graph, whose name
    scope is empty: the enclosing ``wrap`` scope is not in the names."""
    class Wrap(Layer):
        def __init__(self):
            super().__init__(name="wrap")
            self.body = Sequential([Dense(2, name="d")])
            self.extra = Dense(1, name="extra")

        def call(self, x):
            return self.extra(self.body(x))

    wrap = Wrap()
    wrap(np.ones((2, 3), np.float32))
    assert names(wrap) == ["d/kernel:0", "d/bias:0", "wrap/extra/kernel:0", "wrap/extra/bias:0"]


def test_direct_build_keeps_the_layers_own_name():
    """Deliberate difference: Keras names a weight only by the scopes entered, so a layer
    built by calling ``build`` itself gets "kernel:0" (top level) or "outer/kernel:0"
    (inside outer's build); minigrad always includes the layer's own name."""
    dense = Dense(2, name="d")
    dense.build((None, 3))
    assert names(dense) == ["d/kernel:0", "d/bias:0"]

    class BuildsInner(Outer):
        def build(self, input_shape):
            self.inner.build(input_shape)
            super().build(input_shape)

    outer = BuildsInner(name="outer")
    outer(np.ones((2, 4), np.float32))
    assert names(outer) == ["outer/w:0", "outer/inner/kernel:0", "outer/inner/bias:0"]


def test_the_scope_is_left_when_build_or_call_raises():
    class Broken(Layer):
        def build(self, input_shape):
            raise RuntimeError("no weights today")

    with pytest.raises(RuntimeError, match="no weights today"):
        Outer(inner=Broken(), name="outer")(np.ones((2, 4), np.float32))
    dense = Dense(2, name="after")
    dense(np.ones((1, 3), np.float32))
    assert names(dense) == ["after/kernel:0", "after/bias:0"]


def test_save_and_load_weights_of_a_nested_model_by_its_new_names(tmp_path):
    def make():
        x = Input(shape=(4,))
        return Model(x, Outer(name="block")(x))

    source, target = make(), make()
    source.get_layer("block").inner.kernel.assign(np.arange(12, dtype=np.float32).reshape(4, 3))
    path = tmp_path / "nested.weights.npz"
    source.save_weights(path)
    with np.load(path) as data:
        assert data.files == ["0000:block/w:0", "0001:block/inner/kernel:0", "0002:block/inner/bias:0"]
    target.load_weights(path)
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- the order of losses (fixed: as Keras) ---------------------------------------------------------
class Mixed(Layer):
    """Adds, in this order: callable 1.0 (init), the regularizer of w (build: 0.5 * 2**2 = 2.0),
    callable 3.0 (build), tensor 10.0, callable 20.0, a callable returning None, tensor 30.0
    (call), and the activity regularizer (after call)."""

    def __init__(self, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1(0.1), **kwargs)
        self.add_loss(lambda: mg.tensor(1.0))

    def build(self, input_shape):
        self.w = self.add_weight("w", (1,), initializer=lambda shape, dtype=None: np.full(shape, 2.0, dtype),
                                 regularizer=regularizers.L2(0.5))
        self.add_loss(lambda: mg.tensor(3.0))
        self.built = True

    def call(self, x):
        self.add_loss(mg.tensor(10.0))
        self.add_loss(lambda: mg.tensor(20.0))
        self.add_loss(lambda: None)
        self.add_loss(mg.tensor(30.0))
        return x


X = np.array([[1.0, -2.0], [3.0, 4.0]], np.float32)  # activity loss: 0.1 * 10 / 2 = 0.5


def loss_values(losses) -> list:
    return [float(np.asarray(mg.tensor(v).numpy())) for v in losses]


def test_tensors_come_before_callables_each_in_the_order_added():
    layer = Mixed()
    layer(X)
    np.testing.assert_allclose(loss_values(layer.losses), [10.0, 30.0, 0.5, 1.0, 2.0, 3.0, 20.0],
                               rtol=1e-6)


def test_the_order_holds_layer_by_layer_outer_first():
    class Holder(Layer):
        def __init__(self):
            super().__init__()
            self.first = Mixed()
            self.second = Dense(1, kernel_initializer="ones", kernel_regularizer=regularizers.L1(1.0),
                                activity_regularizer=regularizers.L1(1.0))

        def call(self, x):
            self.add_loss(lambda: mg.tensor(100.0))
            self.add_loss(mg.tensor(200.0))
            return self.second(self.first(x))

    holder = Holder()
    holder(X)
    # holder: tensor 200, callable 100; first: as above; second: activity |x @ 1| / 2 =
    # (|1 - 2| + |3 + 4|) / 2 = 4, then its kernel regularizer sum(|ones(2, 1)|) = 2
    np.testing.assert_allclose(loss_values(holder.losses),
                               [200.0, 100.0, 10.0, 30.0, 0.5, 1.0, 2.0, 3.0, 20.0, 4.0, 2.0], rtol=1e-6)


def test_get_losses_for_none_keeps_the_same_order():
    layer = Mixed()
    layer(X)
    # the activity loss is conditional on the inputs; the rest is unconditional
    np.testing.assert_allclose(loss_values(layer.get_losses_for(None)), [10.0, 30.0, 1.0, 2.0, 3.0, 20.0],
                               rtol=1e-6)


def test_the_next_call_replaces_tensors_and_keeps_callables():
    layer = Mixed()
    layer(X)
    layer(X)  # callables added in call accumulate, as in Keras (its _callable_losses grows)
    np.testing.assert_allclose(loss_values(layer.losses), [10.0, 30.0, 0.5, 1.0, 2.0, 3.0, 20.0, 20.0],
                               rtol=1e-6)


# -- BatchNormalization: documented differences ----------------------------------------------------
@pytest.mark.parametrize("constraint, ours, keras", [
    (constraints.MaxNorm(2.0), [1.2, 1.6], [2.0, 2.0]),      # 2 * w / 5, or 2 * w / |w|
    (constraints.UnitNorm(), [0.6, 0.8], [1.0, 1.0]),        # w / 5, or w / |w|
    (constraints.MinMaxNorm(0.0, 1.0), [0.6, 0.8], [1.0, 1.0]),  # clip(5, 0, 1) * w / 5
])
def test_ghost_batch_constraints_act_on_the_whole_channel_vector(constraint, ours, keras):
    """gamma has shape (C,) here, so the norm over axis 0 is over the channels; Keras's gamma
    is (1, 1, C) with virtual_batch_size, where axis 0 has length 1: one norm per element."""
    layer = BatchNormalization(virtual_batch_size=2, gamma_constraint=constraint)
    layer(np.zeros((4, 2), np.float32))
    assert tuple(layer.gamma.shape) == (2,)
    layer.gamma.assign(np.array([3.0, 4.0], np.float32))
    mg.optimizers.SGD(0.1).apply_gradients([(mg.tensor(np.zeros(2, np.float32)), layer.gamma)])
    np.testing.assert_allclose(layer.gamma.numpy(), ours, rtol=1e-6)
    # the same constraint on Keras's (1, 1, C) shape gives Keras's per-element result
    keras_shaped = constraint(mg.tensor(np.array([[[3.0, 4.0]]], np.float32)))
    np.testing.assert_allclose(keras_shaped.numpy().ravel(), keras, rtol=1e-6)


def test_a_mask_splits_into_the_ghost_batches():
    """Ghost batch 0 = samples {0, 2}, ghost 1 = {1, 3}; sample 2 is masked out, so ghost 0's
    statistics come from sample 0 alone (mean 1, variance 0) and ghost 1's from 2 and 8
    (mean 5, variance 9). Keras fails here (the mask is not reshaped)."""
    layer = BatchNormalization(virtual_batch_size=2)
    x = np.array([[1.0], [2.0], [5.0], [8.0]], np.float32)
    y = layer(x, training=True, mask=np.array([True, True, False, True]))
    eps = 1e-3
    expected = [0.0, -3 / np.sqrt(9 + eps), (5 - 1) / np.sqrt(0 + eps), 3 / np.sqrt(9 + eps)]
    np.testing.assert_allclose(y.numpy().ravel(), expected, rtol=1e-5, atol=1e-6)
    # one moving step towards the mean ghost mean (3) and the mean ghost variance (4.5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [0.01 * 3.0], rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), [0.99 + 0.01 * 4.5], rtol=1e-6)


def test_fused_none_with_axis_minus_4_on_rank_4_runs_the_composite_path():
    """axis=-4 on rank 4 is axis 0: each sample is normalized over its own 4 values. Keras
    V2 resolves fused=None to the fused kernel and raises "Unsupported axis"."""
    layer = BatchNormalization(axis=-4)
    x = np.array([1, 2, 3, 4, 10, 10, 10, 14], np.float32).reshape(2, 2, 2, 1)
    y = layer(x, training=True)
    assert layer.fused is False and layer.axis == [0]
    eps = 1e-3
    sample0 = (np.array([1, 2, 3, 4]) - 2.5) / np.sqrt(1.25 + eps)  # mean 2.5, variance 1.25
    sample1 = (np.array([10, 10, 10, 14]) - 11.0) / np.sqrt(3.0 + eps)  # mean 11, variance 3
    np.testing.assert_allclose(y.numpy().ravel(), np.concatenate([sample0, sample1]), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [0.025, 0.11], rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), [0.99 + 0.0125, 0.99 + 0.03], rtol=1e-6)


def test_fused_true_with_axis_minus_4_on_rank_4_still_raises_as_keras():
    layer = BatchNormalization(axis=-4, fused=True)
    with pytest.raises(ValueError, match="Unsupported axis"):
        layer(np.zeros((2, 2, 2, 1), np.float32), training=True)


# -- Dense(0): documented difference ---------------------------------------------------------------
def test_dense_with_zero_units_is_rejected():
    """tf-keras accepts units=0 (its output is empty); minigrad keeps the error."""
    with pytest.raises(ValueError, match=r"`units`.*positive integer.*units=0"):
        Dense(0)
    assert Dense(1).units == 1


# -- the README lists them in one place ------------------------------------------------------------
def test_the_readme_lists_every_difference_pinned_here():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert readme.count("## Deliberate differences from Keras") == 1
    section = readme.split("## Deliberate differences from Keras")[1].split("\n## ")[0]
    for fragment in ["`(1, 1, C)`", "`MaxNorm(2)` on `[3, 4]` gives `[1.2, 1.6]`",
                     "A `mask` with `virtual_batch_size`", "`axis=-4`", "`Dense(0)`",
                     "`outer/dense/kernel:0`", "`model.build(input_shape)`",
                     "each layer's tensors before its callables"]:
        assert fragment in section, fragment
