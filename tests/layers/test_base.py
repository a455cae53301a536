"""layers.Layer, member by member: construction, build/call, dtypes, input_spec, training,
weights, updates, losses, config, deepcopy, masks and output shapes.

The layers under test are small subclasses defined here, so that these tests depend on the
base class only (not on layers.core).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import InputSpec, Layer, Update, backend, regularizers

X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


# -- small layers used below ----------------------------------------------------------------
class Linear(Layer):
    """Dense-like: ``x @ kernel + bias`` with a ones kernel and a zeros bias."""

    def __init__(self, units=2, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel_regularizer = kernel_regularizer
        self.build_shapes = []

    def build(self, input_shape):
        self.build_shapes.append(input_shape)
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), initializer="ones",
                                      regularizer=self.kernel_regularizer)
        self.bias = self.add_weight("bias", (self.units,), initializer="zeros")
        super().build(input_shape)

    def call(self, inputs):
        self.seen_dtype = inputs.dtype
        kernel = mg.cast(self.kernel, self.compute_dtype)  # float32 weights, float16 compute
        bias = mg.cast(self.bias, self.compute_dtype)
        return mg.matmul(inputs, kernel) + bias

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Counter(Layer):
    """Passes its input through; counts calls in a non-trainable weight via a pending update,
    and adds the loss ``mean(inputs)``."""

    def build(self, input_shape):
        self.count = self.add_weight("count", (), initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        self.add_update(Update(lambda: self.count.assign_add(1.0), name="count"), inputs=inputs)
        self.add_loss(mg.mean(inputs), inputs=inputs)
        return inputs


class Block(Layer):
    """A Linear(3) then a Counter: nested layers tracked as attributes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = Linear(3)
        self.counter = Counter()

    def call(self, inputs):
        return self.counter(self.linear(inputs))


class Probe(Layer):
    """Records the ``training`` value its call receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


class TrainingDefaultTrue(Probe):
    def call(self, inputs, training=True):
        self.seen.append(training)
        return inputs


class Outer(Layer):
    """Calls an inner Probe without passing ``training``; records its own."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Probe()
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return self.inner(inputs)


class NoTrainingArg(Layer):
    """``call`` has no ``training`` parameter, but calls a nested Probe."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Probe()

    def call(self, inputs):
        return self.inner(inputs)


def ids(tensors):
    """Compare lists of Variables by identity (``==`` on Tensors is elementwise)."""
    return [id(t) for t in tensors]


# -- __init__ ---------------------------------------------------------------------------------
def test_default_names_are_unique_snake_case_and_clear_session_resets_them():
    class MyConv2D(Layer):
        pass

    class BatchNormalizationLike(Layer):
        pass

    assert [Linear().name, Linear().name, Linear().name] == ["linear", "linear_1", "linear_2"]
    assert MyConv2D().name == "my_conv2d"
    assert BatchNormalizationLike().name == "batch_normalization_like"
    assert Linear(name="head").name == "head"
    assert Linear().name == "linear_3"  # an explicit name does not use up a default one
    backend.clear_session()
    assert Linear().name == "linear"


def test_unknown_keyword_argument_raises_type_error():
    with pytest.raises(TypeError, match="Keyword argument not understood: 'foo'"):
        Linear(foo=1)
    with pytest.raises(TypeError, match="name must be a string"):
        Layer(name=3)


def test_shape_keywords_set_batch_input_shape():
    assert Layer(input_shape=(3,))._batch_input_shape == (None, 3)
    assert Layer(input_shape=(3, 4), batch_size=8)._batch_input_shape == (8, 3, 4)
    assert Layer(input_dim=5)._batch_input_shape == (None, 5)
    assert Layer(batch_input_shape=(2, 7))._batch_input_shape == (2, 7)
    assert Layer()._batch_input_shape is None


def test_missing_super_init_raises_runtime_error():
    class Forgetful(Layer):
        def __init__(self, units):
            self.units = units

        def call(self, inputs):
            return inputs

    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`"):
        Forgetful(2)(X)


def test_trainable_name_and_attributes_after_init():
    layer = Linear(trainable=False, name="frozen")
    assert (layer.trainable, layer.name, layer.built) == (False, "frozen", False)
    assert layer.weights == [] and layer.input_spec is None and layer.supports_masking is False
    assert repr(layer) == "<Linear name='frozen', built=False>"


# -- dtypes -----------------------------------------------------------------------------------
def test_default_dtype_is_float32_and_float64_input_is_cast():
    layer = Linear()
    out = layer(X.astype(np.float64))
    assert (layer.dtype, layer.compute_dtype, layer.dtype_policy) == ("float32", "float32", "float32")
    assert layer.seen_dtype == np.float32 and out.dtype == np.float32
    assert layer.kernel.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [[6.0, 6.0], [15.0, 15.0]])


def test_float64_layer_keeps_float64_weights_and_computes_in_float64():
    layer = Linear(dtype="float64")
    out = layer(X)  # float32 data is cast up
    assert layer.dtype == "float64" and layer.compute_dtype == "float64"
    assert layer.kernel.dtype == np.float64 and layer.bias.dtype == np.float64
    assert layer.seen_dtype == np.float64 and out.dtype == np.float64
    assert Linear(dtype=np.float64).dtype == "float64"


def test_mixed_float16_has_float32_weights_and_float16_compute():
    layer = Linear(dtype="mixed_float16")
    out = layer(X)
    assert (layer.dtype, layer.compute_dtype, layer.dtype_policy) == ("float32", "float16",
                                                                      "mixed_float16")
    assert layer.kernel.dtype == np.float32
    assert layer.seen_dtype == np.float16 and out.dtype == np.float16
    np.testing.assert_array_equal(out.numpy(), [[6.0, 6.0], [15.0, 15.0]])
    assert layer.get_config()["dtype"] == "mixed_float16"


def test_integer_inputs_are_not_cast_and_autocast_false_keeps_dtypes():
    seen = {}

    class Record(Layer):
        def call(self, inputs):
            seen["dtype"] = inputs.dtype
            return inputs

    Record()(np.array([[1, 2]], dtype=np.int64))
    assert seen["dtype"] == np.int64
    Record(autocast=False)(X.astype(np.float64))
    assert seen["dtype"] == np.float64


def test_bad_dtype_raises_value_error():
    with pytest.raises(ValueError, match="neither a dtype nor a policy name"):
        Layer(dtype="float33")
    with pytest.raises(ValueError, match="bfloat16"):
        Layer(dtype="mixed_bfloat16")  # NumPy has no bfloat16


# -- build / call / __call__ / apply ----------------------------------------------------------
def test_call_builds_once_with_the_input_shape():
    layer = Linear(2)
    out = layer(X)
    layer(X)
    assert layer.built and layer.build_shapes == [(2, 3)]
    assert layer.kernel.shape == (3, 2) and layer.bias.shape == (2,)
    np.testing.assert_array_equal(out.numpy(), [[6.0, 6.0], [15.0, 15.0]])


def test_base_build_only_marks_built_and_base_call_returns_inputs():
    layer = Layer()
    layer.build((None, 3))
    assert layer.built and layer.weights == []
    x = mg.tensor(X)
    assert Layer()(x) is x


def test_apply_is_the_same_as_calling():
    layer = Probe()
    out = layer.apply(mg.tensor(X), training=True)
    np.testing.assert_array_equal(out.numpy(), X)
    assert layer.seen == [True]


def test_call_returning_none_raises_value_error():
    class Forgets(Layer):
        def call(self, inputs):
            inputs * 2

    with pytest.raises(ValueError, match="call\\(\\) of layer forgets returned None"):
        Forgets()(X)
    with pytest.raises(ValueError, match="returned None"):
        Forgets()(layers.Input(shape=(3,)))


# -- input_spec -------------------------------------------------------------------------------
class Spec(Layer):
    def __init__(self, spec, **kwargs):
        super().__init__(name="spec", **kwargs)
        self.input_spec = spec


def test_input_spec_ndim_message():
    with pytest.raises(ValueError) as info:
        Spec(InputSpec(ndim=2))(np.zeros((1, 2, 3), np.float32))
    assert str(info.value) == ('Input 0 of layer "spec" is incompatible with the layer: expected '
                               "ndim=2, found ndim=3. Full shape received: (1, 2, 3)")


@pytest.mark.parametrize("spec, shape, message", [
    (InputSpec(min_ndim=3), (2, 3), "expected min_ndim=3, found ndim=2"),
    (InputSpec(max_ndim=2), (1, 2, 3), "expected max_ndim=2, found ndim=3"),
    (InputSpec(axes={-1: 4}), (2, 3), "expected axis -1 of input shape to have value 4"),
    (InputSpec(axes={1: 4}), (2, 3, 5), "expected axis 1 of input shape to have value 4"),
    (InputSpec(shape=(None, 4)), (2, 3), r"expected shape=\(None, 4\), found shape=\(2, 3\)"),
])
def test_input_spec_violations_name_the_layer_and_the_rule(spec, shape, message):
    with pytest.raises(ValueError, match='Input 0 of layer "spec" is incompatible') as info:
        Spec(spec)(np.zeros(shape, np.float32))
    assert info.match(message)


def test_input_spec_accepts_fitting_inputs_and_checks_symbolic_ones():
    layer = Spec(InputSpec(min_ndim=2, axes={-1: 3}))
    assert layer(X).shape == (2, 3)
    assert layer(layers.Input(shape=(3,))).shape == (None, 3)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        Spec(InputSpec(axes={-1: 3}))(layers.Input(shape=(4,)))


def test_input_spec_counts_inputs():
    layer = Spec([InputSpec(ndim=2), InputSpec(ndim=2)])
    with pytest.raises(ValueError, match='Layer "spec" expects 2 input\\(s\\), but it received 1'):
        layer(X)
    assert len(layer([X, X])) == 2


# -- training resolution ----------------------------------------------------------------------
def test_explicit_training_is_passed_and_ints_become_bools():
    probe = Probe()
    probe(X, training=True)
    probe(X, training=False)
    probe(X, training=1)
    probe(X, training=0)
    probe(X, True)  # positionally
    assert probe.seen == [True, False, True, False, True]
    assert all(isinstance(t, bool) for t in probe.seen)


def test_without_anything_set_the_call_signature_default_is_used():
    probe, eager = Probe(), TrainingDefaultTrue()
    probe(X)
    eager(X)
    assert probe.seen == [None] and eager.seen == [True]
    assert not backend.global_learning_phase_is_set()


def test_global_learning_phase_fills_training():
    probe = Probe()
    backend.set_learning_phase(1)
    probe(X)
    probe(X, training=False)  # explicit wins
    backend.set_learning_phase(0)
    probe(X)
    eager = TrainingDefaultTrue()
    eager(X)
    with backend.learning_phase_scope(1):
        probe(X)
    assert probe.seen == [True, False, False, True] and eager.seen == [False]
    backend.set_learning_phase(None)
    probe(X)
    assert probe.seen[-1] is None


def test_enclosing_call_passes_its_training_to_nested_layers():
    outer = Outer()
    outer(X, training=True)
    outer(X, training=False)
    outer(X)
    assert outer.seen == [True, False, None]
    assert outer.inner.seen == [True, False, None]
    with backend.learning_phase_scope(1):
        outer(X)
    assert outer.inner.seen[-1] is True


def test_enclosing_default_reaches_nested_and_nested_explicit_value_wins():
    class OuterDefaultTrue(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Probe()

        def call(self, inputs, training=True):
            return self.inner(inputs, training=False) + self.inner(inputs)

    outer = OuterDefaultTrue()
    outer(X)
    assert outer.inner.seen == [False, True]
    backend.set_learning_phase(0)
    outer(X)  # the global phase (0) beats the outer call's signature default
    assert outer.inner.seen[-1] is False


def test_layer_without_training_parameter_accepts_training_and_passes_it_down():
    layer = NoTrainingArg()
    out = layer(X, training=True)
    layer(X)
    layer(X, training=False)
    np.testing.assert_array_equal(out.numpy(), X)
    assert layer.inner.seen == [True, None, False]


def test_training_in_call_kwargs_signature():
    seen = []

    class Kw(Layer):
        def call(self, inputs, **kwargs):
            seen.append(kwargs.get("training"))
            return inputs

    Kw()(X, training=True)
    with backend.learning_phase_scope(1):
        Kw()(X)
    assert seen == [True, True]


# -- add_weight / weights ---------------------------------------------------------------------
def test_add_weight_returns_a_named_tracked_variable():
    layer = Layer(name="lay")
    w = layer.add_weight("w", (2, 3), initializer="ones")
    s = layer.add_weight("s", initializer="zeros", trainable=False)
    assert isinstance(w, mg.Variable) and w.name == "lay/w:0" and w.trainable
    assert w.shape == (2, 3) and w.dtype == np.float32
    np.testing.assert_array_equal(w.numpy(), np.ones((2, 3)))
    assert s.shape == () and not s.trainable
    assert ids(layer.trainable_weights) == ids([w]) and ids(layer.non_trainable_weights) == ids([s])
    assert layer.add_variable("v", (1,), initializer="zeros").name == "lay/v:0"  # the alias


def test_add_weight_default_initializers_and_errors():
    layer = Layer(name="lay")
    w = layer.add_weight("w", (30, 20))
    limit = np.sqrt(6.0 / (30 + 20))  # glorot_uniform
    assert np.all(np.abs(w.numpy()) <= limit) and w.numpy().std() > limit / 4
    i = layer.add_weight("i", (3,), dtype="int32")
    assert i.dtype == np.int32
    np.testing.assert_array_equal(i.numpy(), [0, 0, 0])
    with pytest.raises(ValueError, match="An initializer for variable c of type complex64 is "
                                         "required for layer lay"):
        layer.add_weight("c", (2,), dtype="complex64")
    with pytest.raises(TypeError, match="Unknown keyword argument: 'colour'"):
        layer.add_weight("x", (2,), colour="red")


def test_add_weight_dtype_constraint_and_on_read_synchronization():
    layer = Layer(dtype="float64")
    clip = layers.constraints.NonNeg()
    w = layer.add_weight("w", (2,), initializer="ones", constraint=clip)
    assert w.dtype == np.float64 and w.constraint is clip
    m = layer.add_weight("m", (2,), initializer="zeros", synchronization="on_read")
    assert ids(layer.non_trainable_weights) == ids([m]) and not m.trainable


def test_weight_lists_include_nested_layers_own_first():
    block = Block()
    block(X)
    lin, cnt = block.linear, block.counter
    assert ids(block.trainable_weights) == ids([lin.kernel, lin.bias]) == ids(block.trainable_variables)
    assert ids(block.non_trainable_weights) == ids([cnt.count]) == ids(block.non_trainable_variables)
    assert ids(block.weights) == ids([lin.kernel, lin.bias, cnt.count]) == ids(block.variables)
    assert block._tracked_layers == [lin, cnt]


def test_trainable_false_moves_every_weight_to_non_trainable():
    block = Block()
    block(X)
    block.trainable = False
    assert block.trainable_weights == [] and block.trainable_variables == []
    assert ids(block.non_trainable_weights) == ids([block.linear.kernel, block.linear.bias,
                                                    block.counter.count])
    assert block.linear.trainable is False  # propagated to nested layers
    block.trainable = True
    assert ids(block.trainable_weights) == ids([block.linear.kernel, block.linear.bias])


def test_frozen_nested_layer_weights_are_non_trainable_in_the_parent():
    block = Block()
    block(X)
    block.linear.trainable = False
    assert block.trainable_weights == []
    assert ids(block.non_trainable_weights) == ids([block.linear.kernel, block.linear.bias,
                                                    block.counter.count])


def test_lists_of_layers_are_tracked_and_weights_are_not_repeated():
    class Stack(Layer):
        def __init__(self):
            super().__init__()
            shared = Linear(3)
            self.stack = [shared, Linear(3)]
            self.again = shared

        def call(self, inputs):
            for layer in self.stack:
                inputs = layer(inputs)
            return inputs

    s = Stack()
    s(X)
    assert len(s._tracked_layers) == 2
    assert ids(s.weights) == ids([s.stack[0].kernel, s.stack[0].bias, s.stack[1].kernel,
                                  s.stack[1].bias])


def test_get_weights_and_set_weights_round_trip():
    layer = Linear(2)
    layer(X)
    got = layer.get_weights()
    assert all(isinstance(a, np.ndarray) for a in got)
    np.testing.assert_array_equal(got[0], np.ones((3, 2)))
    np.testing.assert_array_equal(got[1], np.zeros(2))
    new = [np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])]
    layer.set_weights(new)
    np.testing.assert_array_equal(layer.kernel.numpy(), new[0])
    np.testing.assert_array_equal(layer.bias.numpy(), new[1])
    assert layer.kernel.dtype == np.float32  # cast to the weight's dtype
    np.testing.assert_allclose(layer(X).numpy(), X @ new[0] + new[1])


def test_set_weights_errors_and_atomicity():
    layer = Linear(2, name="lin")
    layer(X)
    with pytest.raises(ValueError, match='on layer "lin" with a weight list of length 1, but the '
                                         "layer was expecting 2 weights"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"weight shape \(2,\) is not compatible with provided "
                                         r"weight shape \(3,\)"):
        layer.set_weights([np.full((3, 2), 5.0), np.zeros(3)])
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((3, 2)))  # unchanged


def test_count_params():
    layer = Linear(2, name="lin")
    with pytest.raises(ValueError, match="call `count_params` on layer lin, but the layer isn't "
                                         "built"):
        layer.count_params()
    layer(X)
    assert layer.count_params() == 3 * 2 + 2
    block = Block()
    block(X)
    assert block.count_params() == 3 * 3 + 3 + 1
    assert isinstance(block.count_params(), int)


# -- updates ----------------------------------------------------------------------------------
def test_updates_are_pending_until_run():
    counter = Counter()
    x = mg.tensor(X)
    counter(x)
    updates = counter.updates
    assert len(updates) == 1 and isinstance(updates[0], Update) and repr(updates[0]) == "<Update count>"
    assert float(counter.count.numpy()) == 0.0
    for u in updates:
        u()
    assert float(counter.count.numpy()) == 1.0


def test_add_update_accepts_callables_and_rejects_other_values():
    layer = Layer()
    box = []
    layer.add_update([lambda: box.append(1), None])
    assert len(layer.updates) == 1
    layer.updates[0]()
    assert box == [1]
    with pytest.raises(TypeError, match="an update must be callable, got int"):
        layer.add_update(3)


def test_updates_of_the_last_call_replace_the_previous_ones():
    block = Block()
    block(X)
    first = block.updates
    block(X)
    assert len(block.updates) == 1 and block.updates[0] is not first[0]


def test_unconditional_updates():
    counter = Counter()
    counter.add_update(lambda: None)  # outside a call: unconditional
    assert len(counter.get_updates_for(None)) == 1 and len(counter.updates) == 1
    counter(X)  # updates are per call: the call replaces them
    assert counter.get_updates_for(None) == [] and len(counter.updates) == 1


def test_frozen_layers_list_no_updates():
    block = Block()
    block(X)
    block.counter.trainable = False
    assert block.updates == [] and block.counter.updates == []
    block.counter.trainable = True
    block.trainable = False
    assert block.updates == []


def test_get_updates_for_inputs_versus_none():
    counter = Counter()
    x, other = mg.tensor(X), mg.tensor(X)
    counter(x)
    assert counter.get_updates_for(x) == counter.updates
    assert counter.get_updates_for(None) == []
    assert counter.get_updates_for(other) == []
    block = Block()
    block(x)  # nested updates depend on the outermost inputs too
    assert block.get_updates_for(x) == block.updates and len(block.updates) == 1


# -- losses -----------------------------------------------------------------------------------
def test_add_loss_tensors_numbers_callables_and_none():
    layer = Layer()
    w = layer.add_weight("w", (2,), initializer="ones")
    layer.add_loss(mg.tensor(1.5))
    layer.add_loss([2.0, None, lambda: mg.sum(w)])
    assert [float(v.numpy()) for v in layer.losses] == [1.5, 2.0, 2.0]
    w.assign([3.0, 4.0])
    assert float(layer.losses[-1].numpy()) == 7.0  # callables are evaluated when read


def test_nested_losses_and_replacement_by_the_next_call():
    block = Block()
    block(X)
    first = float(block.losses[0].numpy())
    assert len(block.losses) == 1
    np.testing.assert_allclose(first, (X @ np.ones((3, 3))).mean(), rtol=1e-6)
    block(2 * X)
    assert len(block.losses) == 1  # replaced, not accumulated
    np.testing.assert_allclose(float(block.losses[0].numpy()), 2 * first, rtol=1e-6)


def test_a_layer_called_twice_in_one_call_keeps_both_losses():
    class Twice(Layer):
        def __init__(self):
            super().__init__()
            self.counter = Counter()

        def call(self, inputs):
            return self.counter(self.counter(inputs) + 1.0)

    twice = Twice()
    twice(X)
    twice(X)
    np.testing.assert_allclose([float(v.numpy()) for v in twice.losses], [X.mean(), X.mean() + 1],
                               rtol=1e-6)
    assert len(twice.updates) == 2


def test_losses_of_a_nested_layer_not_called_this_time_are_cleared():
    class Maybe(Layer):
        def __init__(self):
            super().__init__()
            self.counter = Counter()

        def call(self, inputs, training=None):
            return self.counter(inputs) if training else inputs

    maybe = Maybe()
    maybe(X, training=True)
    assert len(maybe.losses) == 1 and len(maybe.updates) == 1
    maybe(X, training=False)
    assert maybe.losses == [] and maybe.updates == []


def test_weight_regularizer_loss_is_evaluated_on_read_and_differentiable():
    layer = Linear(2, kernel_regularizer=regularizers.L2(0.5))
    layer(X)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0].numpy()), 0.5 * 6)
    kernel = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]], np.float32)
    layer.kernel.assign(kernel)
    np.testing.assert_allclose(float(layer.losses[0].numpy()), 0.5 * (kernel ** 2).sum(), rtol=1e-6)
    with mg.GradientTape() as tape:
        total = mg.sum(mg.stack(layer.losses))
    grad = tape.gradient(total, layer.kernel)
    np.testing.assert_allclose(grad.numpy(), 2 * 0.5 * kernel, rtol=1e-6)
    assert layer.get_losses_for(None)[0].numpy() == layer.losses[0].numpy()


def test_regularizer_losses_of_frozen_and_nested_layers_are_kept():
    class Wrap(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Linear(2, kernel_regularizer="l2")

        def call(self, inputs):
            return self.inner(inputs)

    wrap = Wrap()
    wrap(X)
    wrap.trainable = False
    np.testing.assert_allclose([float(v.numpy()) for v in wrap.losses], [0.01 * 6], rtol=1e-6)


def test_activity_regularizer_adds_reg_of_output_over_batch_size():
    layer = Linear(2, activity_regularizer=regularizers.L1(0.1))
    x = mg.tensor(X)
    out = layer(x)
    expected = 0.1 * np.abs(out.numpy()).sum() / 2  # batch size 2
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0].numpy()), expected, rtol=1e-6)
    assert len(layer.get_losses_for(x)) == 1 and layer.get_losses_for(None) == []
    assert layer.get_losses_for(mg.tensor(X)) == []  # another tensor
    layer(x)
    assert len(layer.losses) == 1  # per call, replaced
    assert isinstance(Layer(activity_regularizer="l2").activity_regularizer, regularizers.L2)


def test_get_losses_for_separates_unconditional_and_conditional_losses():
    layer = Linear(2, kernel_regularizer=regularizers.L2(1.0))
    x = mg.tensor(X)
    layer(x)
    layer.add_loss(mg.tensor(4.0))
    layer.add_loss(mg.tensor(5.0), inputs=x)
    assert [float(v.numpy()) for v in layer.get_losses_for(None)] == [4.0, 6.0]
    assert [float(v.numpy()) for v in layer.get_losses_for(x)] == [5.0]
    assert [float(v.numpy()) for v in layer.get_losses_for([mg.tensor(1.0), x])] == [5.0]


# -- config, deepcopy -------------------------------------------------------------------------
def test_get_config_and_from_config_round_trip():
    layer = Linear(4, name="lin", trainable=False, dtype="float64", input_shape=(3,))
    config = layer.get_config()
    assert config == {"name": "lin", "trainable": False, "dtype": "float64",
                      "batch_input_shape": (None, 3), "units": 4}
    clone = Linear.from_config(config)
    assert isinstance(clone, Linear) and not clone.built
    assert clone.get_config() == config
    assert Layer(name="base").get_config() == {"name": "base", "trainable": True, "dtype": "float32"}


def test_get_config_must_be_overridden_when_init_has_arguments():
    class NoConfig(Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

    with pytest.raises(NotImplementedError, match="NoConfig has arguments \\['units'\\] in "
                                                  "`__init__` and therefore must override "
                                                  "`get_config\\(\\)`"):
        NoConfig(2).get_config()


def test_deepcopy_gives_independent_weights_with_equal_values():
    layer = Linear(2, kernel_regularizer=regularizers.L2(1.0))
    layer(layers.Input(shape=(3,)))
    layer.kernel.assign(np.arange(6.0).reshape(3, 2))
    clone = copy.deepcopy(layer)
    assert clone.name == layer.name and clone.built
    assert clone.kernel is not layer.kernel and clone.weights[0] is clone.kernel
    for a, b in zip(clone.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    clone.kernel.assign(np.zeros((3, 2)))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.arange(6.0).reshape(3, 2))
    assert float(clone.losses[0].numpy()) == 0.0  # the clone's regularizer reads its own kernel
    assert float(layer.losses[0].numpy()) == 55.0
    assert clone.inbound_nodes == [] and len(layer.inbound_nodes) == 1
    assert clone.kernel._uid != layer.kernel._uid  # optimizer slots are keyed by it


def test_deepcopy_of_nested_layers():
    block = Block()
    block(X)
    clone = copy.deepcopy(block)
    assert clone.linear is not block.linear and clone._tracked_layers == [clone.linear, clone.counter]
    assert clone.weights[0] is clone.linear.kernel
    clone.linear.kernel.assign(np.zeros((3, 3)))
    np.testing.assert_array_equal(block.linear.kernel.numpy(), np.ones((3, 3)))


# -- compute_mask, compute_output_shape -------------------------------------------------------
def test_compute_mask():
    x = mg.tensor(X)
    mask = mg.tensor([True, False])
    layer = Layer(name="plain")
    assert layer.compute_mask(x) is None and layer.compute_mask(x, None) is None
    with pytest.raises(TypeError, match="Layer plain does not support masking, but was passed an "
                                        "input_mask"):
        layer.compute_mask(x, mask)
    layer.supports_masking = True
    assert layer.compute_mask(x, mask) is mask


def test_compute_output_shape_runs_call_on_placeholders():
    assert Linear(5).compute_output_shape((None, 3)) == (None, 5)
    assert Linear(5).compute_output_shape((4, 3)) == (4, 5)
    assert Layer().compute_output_shape([None, 2, 3]) == (None, 2, 3)

    class Concat(Layer):
        def call(self, inputs):
            return mg.concatenate(inputs, axis=-1)

    assert Concat().compute_output_shape([(None, 2), (None, 3)]) == (None, 5)
    layer = Linear(5)
    layer.compute_output_shape((None, 3))
    assert layer.losses == [] and layer.updates == [] and layer.inbound_nodes == []


def test_losses_and_updates_are_not_recorded_by_symbolic_calls():
    block = Block()
    block(layers.Input(shape=(3,)))
    assert block.built and block.losses == [] and block.updates == []


# -- Update, InputSpec --------------------------------------------------------------------------
def test_update_objects():
    box = []
    update = Update(lambda: box.append("ran") or 7, name="step")
    assert update() == 7 and box == ["ran"] and update.name == "step"
    with pytest.raises(TypeError, match="an update must be callable"):
        Update("x")


def test_input_spec_attributes():
    spec = InputSpec(shape=(None, 4), axes={-1: 4})
    assert (spec.ndim, spec.min_ndim, spec.max_ndim, spec.axes) == (2, None, None, {-1: 4})
    spec.check("any", 0, (7, 4))  # does not raise
