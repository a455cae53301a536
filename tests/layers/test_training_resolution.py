"""The order in which ``Layer._resolve_training`` fills in ``training=None``, seen in outputs.

explicit argument > enclosing layer call > learning phase > ``call``'s default > None (read as
False); symbolic calls: explicit, else False; containers forward what their call got.
"""

import numpy as np
import pytest

import minigrad as mg
from layers import Dense, Input, Model, Sequential, backend
from layers.base import Layer

X = np.array([[1.0, -2.0, 3.0]], dtype=np.float32)


class Shift(Layer):
    """``x + 1`` in training, ``x`` in inference."""

    def call(self, inputs, training=None):
        return inputs + 1.0 if training else inputs


class ShiftDefaultTrue(Layer):
    def call(self, inputs, training=True):
        return inputs + 1.0 if training else inputs


class Widen(Layer):
    """``[x, x]`` along the last axis in training, ``x`` in inference: the output shape says
    which mode a symbolic call's stand-in run was in."""

    def call(self, inputs, training=None):
        return mg.concatenate([inputs, inputs], axis=-1) if training else inputs


class Wrapper(Layer):
    """Calls ``inner`` without passing ``training``."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def call(self, inputs, training=None):
        return self.inner(inputs)


@pytest.fixture(autouse=True)
def _unset_learning_phase():
    backend.set_learning_phase(None)
    yield
    backend.set_learning_phase(None)


def out(layer, *args, **kwargs):
    return layer(X, *args, **kwargs).numpy()


def test_explicit_argument_beats_the_enclosing_call():
    class Outer(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Shift()

        def call(self, inputs, training=None):
            return self.inner(inputs, training=False)

    np.testing.assert_array_equal(out(Outer(), training=True), X)


def test_enclosing_call_beats_the_learning_phase():
    outer = Wrapper(Shift())
    with backend.learning_phase_scope(0):
        np.testing.assert_array_equal(out(outer, training=True), X + 1)
    with backend.learning_phase_scope(1):
        np.testing.assert_array_equal(out(outer, training=False), X)


def test_learning_phase_beats_calls_default():
    with backend.learning_phase_scope(0):
        np.testing.assert_array_equal(out(ShiftDefaultTrue()), X)
    with backend.learning_phase_scope(1):
        np.testing.assert_array_equal(out(Shift()), X + 1)


def test_calls_default_beats_the_inference_fallback():
    np.testing.assert_array_equal(out(ShiftDefaultTrue()), X + 1)
    np.testing.assert_array_equal(out(Shift()), X)  # default None: inference
    np.testing.assert_array_equal(out(ShiftDefaultTrue(), training=False), X)


def test_enclosing_calls_default_reaches_nested_layers():
    class OuterDefaultTrue(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Shift()

        def call(self, inputs, training=True):
            return self.inner(inputs)

    np.testing.assert_array_equal(out(OuterDefaultTrue()), X + 1)
    with backend.learning_phase_scope(0):
        np.testing.assert_array_equal(out(OuterDefaultTrue()), X)


def test_symbolic_call_infers_in_inference_mode_unless_told():
    with backend.learning_phase_scope(1):
        assert Widen()(Input(shape=(3,))).shape == (None, 3)
    assert Widen()(Input(shape=(3,)), training=True).shape == (None, 6)
    assert Widen()(Input(shape=(3,)), training=1).shape == (None, 6)
    assert Widen().compute_output_shape((None, 3)) == (None, 3)


def test_symbolic_call_inside_a_training_call_still_infers_in_inference_mode():
    """A Sequential built lazily inside an outer training call builds on stand-ins."""
    inner = Sequential([Widen()])
    outer = Wrapper(inner)
    y = outer(X, training=True)
    np.testing.assert_array_equal(y.numpy(), np.concatenate([X, X], axis=-1))
    assert inner.output_shape == (None, 3)


def test_recorded_symbolic_argument_beats_the_models_training():
    x = Input(shape=(3,))
    model = Model(x, Shift()(Shift()(x), training=False))
    np.testing.assert_array_equal(out(model, training=True), X + 1)  # only the first shifts
    np.testing.assert_array_equal(out(model), X)


def test_nested_containers_forward_their_training():
    x = Input(shape=(3,))
    functional = Model(x, Sequential([Shift(), Shift()])(x))
    outer = Sequential([functional, Shift()])
    np.testing.assert_array_equal(out(outer, training=True), X + 3)
    np.testing.assert_array_equal(out(outer, training=False), X)
    np.testing.assert_array_equal(out(outer), X)
    with backend.learning_phase_scope(1):
        np.testing.assert_array_equal(out(outer), X + 3)
        np.testing.assert_array_equal(out(outer, training=False), X)


def test_containers_forward_none_so_a_nested_default_still_applies():
    outer = Sequential([Sequential([ShiftDefaultTrue()])])
    np.testing.assert_array_equal(out(outer), X + 1)
    np.testing.assert_array_equal(out(outer, training=False), X)


def test_layer_without_training_parameter_hands_the_value_down():
    class NoTraining(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Shift()

        def call(self, inputs):
            return self.inner(inputs)

    np.testing.assert_array_equal(out(NoTraining(), training=True), X + 1)
    np.testing.assert_array_equal(out(NoTraining()), X)
    with backend.learning_phase_scope(1):
        np.testing.assert_array_equal(out(NoTraining()), X + 1)


def test_dense_in_a_functional_model_is_unaffected_by_training():
    x = Input(shape=(3,))
    model = Model(x, Dense(2, kernel_initializer="ones")(x))
    np.testing.assert_allclose(out(model, training=True), out(model, training=False))
    np.testing.assert_allclose(out(model), [[2.0, 2.0]])
