"""Dense, Activation, Flatten, Reshape and Dropout: values, arguments, shapes, configs, gradients."""

from __future__ import annotations

import numpy as np
import pytest
from gradutil import assert_weight_gradients

import layers
import minigrad as mg
from layers import activations, constraints, initializers, regularizers
from layers.core import Activation, Dense, Dropout, Flatten, Reshape

RNG = np.random.default_rng(1234)


def randn(*shape):
    return RNG.standard_normal(shape)


# == Dense ==========================================================================================
@pytest.mark.parametrize("activation, reference", [
    (None, lambda z: z),
    ("relu", lambda z: np.maximum(z, 0)),
    ("tanh", np.tanh),
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
    (lambda t: 2.0 * t, lambda z: 2.0 * z),
])
def test_dense_values(activation, reference):
    layer = Dense(3, activation=activation, dtype="float64")
    x = randn(4, 5)
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (5, 3) and bias.shape == (3,)
    layer.set_weights([randn(5, 3), randn(3)])
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(layer(x).numpy(), reference(x @ kernel + bias), rtol=1e-12)
    assert y.shape == (4, 3) and y.dtype == np.float64


def test_dense_contracts_the_last_axis_of_higher_rank_inputs():
    layer = Dense(2, dtype="float64")
    x = randn(3, 4, 5, 6)
    layer(x)
    layer.set_weights([randn(6, 2), randn(2)])
    kernel, bias = layer.get_weights()
    y = layer(x)
    assert y.shape == (3, 4, 5, 2)
    np.testing.assert_allclose(y.numpy(), np.tensordot(x, kernel, axes=[[-1], [0]]) + bias,
                               rtol=1e-12)


def test_dense_weights_names_and_defaults():
    layers.backend.clear_session()
    layer = Dense(7)
    layer(np.ones((2, 10), "float32"))
    assert layer.name == "dense"
    assert [w.name for w in layer.weights] == ["dense/kernel:0", "dense/bias:0"]
    assert layer.trainable_weights == [layer.kernel, layer.bias]
    assert layer.kernel.dtype == np.float32 and layer.count_params() == 10 * 7 + 7
    kernel, bias = layer.get_weights()
    limit = np.sqrt(6 / (10 + 7))  # glorot_uniform
    assert np.all(np.abs(kernel) <= limit) and kernel.std() > limit / 4
    np.testing.assert_array_equal(bias, np.zeros(7))
    assert isinstance(layer.kernel_initializer, initializers.GlorotUniform)
    assert isinstance(layer.bias_initializer, initializers.Zeros)
    assert layer.activation is activations.linear and layer.supports_masking
    assert layer.get_config()["activation"] == "linear"  # None is stored as Keras stores it


def test_dense_initializers_change_the_weights():
    layer = Dense(3, kernel_initializer="ones", bias_initializer=initializers.Constant(0.5))
    y = layer(np.array([[1.0, 2.0]], "float32"))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(layer.bias.numpy(), np.full(3, 0.5))
    np.testing.assert_allclose(y.numpy(), [[3.5, 3.5, 3.5]])
    seeded = [Dense(4, kernel_initializer=initializers.RandomNormal(stddev=0.3, seed=7)) for _ in range(2)]
    for layer in seeded:
        layer.build((None, 5))
    np.testing.assert_array_equal(seeded[0].kernel.numpy(), seeded[1].kernel.numpy())
    assert abs(seeded[0].kernel.numpy().std() - 0.3) < 0.15


def test_dense_use_bias_false():
    layer = Dense(3, use_bias=False, dtype="float64")
    x = randn(2, 4)
    y = layer(x)
    assert layer.bias is None and layer.weights == [layer.kernel] and layer.count_params() == 12
    np.testing.assert_allclose(y.numpy(), x @ layer.kernel.numpy(), rtol=1e-12)
    assert layer.get_config()["use_bias"] is False


def test_dense_weight_regularizers_add_the_hand_computed_losses():
    layer = Dense(3, kernel_regularizer=regularizers.L2(0.1), bias_regularizer="l1",
                  bias_initializer=initializers.Constant(-0.5), dtype="float64")
    layer(randn(2, 4))
    w, b = layer.get_weights()
    l2, l1 = regularizers.L2(0.1).l2, 0.01  # Keras keeps the factors as float32
    kernel_loss, bias_loss = (float(t) for t in layer.losses)
    np.testing.assert_allclose(kernel_loss, l2 * np.sum(w ** 2), rtol=1e-7)
    np.testing.assert_allclose(bias_loss, regularizers.L1().l1 * np.sum(np.abs(b)), rtol=1e-12)
    np.testing.assert_allclose(bias_loss, l1 * 3 * 0.5, rtol=1e-6)
    # the penalties are differentiable: d(sum losses)/dW = 2 l2 W, d/db = l1 sign(b)
    with mg.GradientTape() as tape:
        total = layer.losses[0] + layer.losses[1]
    gw, gb = tape.gradient(total, [layer.kernel, layer.bias])
    np.testing.assert_allclose(gw.numpy(), 2 * l2 * w, rtol=1e-7)
    np.testing.assert_allclose(gb.numpy(), np.full(3, -regularizers.L1().l1), rtol=1e-12)


def test_dense_activity_regularizer_adds_reg_of_output_over_batch():
    layer = Dense(3, activity_regularizer=regularizers.L2(0.01), dtype="float64")
    x = randn(5, 4)
    y = layer(x).numpy()
    (loss,) = layer.losses
    np.testing.assert_allclose(float(loss), regularizers.L2(0.01).l2 * np.sum(y ** 2) / 5, rtol=1e-12)
    layer(x[:2])  # a new call replaces the previous call's activity loss
    assert len(layer.losses) == 1
    assert layer.get_config()["activity_regularizer"] == {"class_name": "L2",
                                                          "config": {"l2": regularizers.L2(0.01).l2}}


def test_dense_constraints_are_stored_on_the_variables_and_applied_by_optimizers():
    max_norm, non_neg = constraints.MaxNorm(1.0), constraints.NonNeg()
    layer = Dense(2, kernel_constraint=max_norm, bias_constraint=non_neg, kernel_initializer="ones")
    x = np.ones((1, 3), "float32")
    layer(x)
    assert layer.kernel.constraint is max_norm and layer.bias.constraint is non_neg
    with mg.GradientTape() as tape:
        loss = mg.sum(layer(x) * mg.tensor(np.array([[-1.0, 1.0]], "float32")))
    grads = tape.gradient(loss, layer.trainable_weights)
    mg.optimizers.SGD(learning_rate=1.0).apply_gradients(zip(grads, layer.trainable_weights))
    # plain SGD gives kernel columns 2 (norm sqrt(12)) and 0, and bias [1, -1]:
    # MaxNorm rescales the first column to norm 1, NonNeg zeroes the negative bias
    np.testing.assert_allclose(layer.kernel.numpy(), [[2 / np.sqrt(12), 0.0]] * 3, rtol=1e-6)
    np.testing.assert_array_equal(layer.bias.numpy(), [1.0, 0.0])
    layer2 = Dense(2, kernel_constraint="max_norm", bias_constraint="non_neg")
    layer2.build((None, 3))
    assert isinstance(layer2.kernel.constraint, constraints.MaxNorm)
    assert isinstance(layer2.bias.constraint, constraints.NonNeg)


def test_dense_casts_inputs_to_its_dtype():
    layer = Dense(2, kernel_initializer="ones")
    y = layer(np.array([[1, 2, 3]], dtype="int64"))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [[6.0, 6.0]])
    y64 = layer(np.array([[1.0, 2.0, 3.0]]))  # float64 data into a float32 layer
    assert y64.dtype == np.float32


def test_dense_mixed_precision_policy():
    layer = Dense(2, dtype="mixed_float16", kernel_initializer="ones")
    y = layer(np.ones((1, 3), "float32"))
    assert layer.kernel.dtype == np.float32 and y.dtype == np.float16
    np.testing.assert_array_equal(y.numpy(), [[3.0, 3.0]])


def test_dense_shapes_symbolic_and_compute_output_shape():
    x = layers.Input(shape=(6,))
    layer = Dense(4)
    y = layer(x)
    assert y.shape == (None, 4) and layer.kernel.shape == (6, 4)
    assert layer.input_shape == (None, 6) and layer.output_shape == (None, 4)
    seq = Dense(5)(layers.Input(shape=(3, 7)))
    assert seq.shape == (None, 3, 5)
    assert layer.compute_output_shape((None, 6)) == (None, 4)
    assert layer.compute_output_shape((2, 3, 6)) == (2, 3, 4)
    with pytest.raises(ValueError, match="must have rank at least 2"):
        layer.compute_output_shape((6,))
    with pytest.raises(ValueError, match="The last dimension of the input shape of a Dense layer "
                                         "should be defined. Found None"):
        layer.compute_output_shape((None, None))


@pytest.mark.parametrize("units", [0, -3, 2.5, "3", None, True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="Received an invalid value for `units`, expected a positive "
                                         "integer"):
        Dense(units)


def test_dense_accepts_an_integral_float_for_units():
    assert Dense(3.0).units == 3 and isinstance(Dense(3.0).units, int)


def test_dense_input_errors():
    layer = Dense(3)
    with pytest.raises(ValueError, match=r'layer "dense\w*" is incompatible.*expected min_ndim=2, '
                                         r'found ndim=1'):
        layer(np.ones(4, "float32"))
    with pytest.raises(ValueError, match="The last dimension of the inputs to a Dense layer should be "
                                         "defined. Found None"):
        Dense(3).build((None, None))
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(np.ones((2, 5), "float32"))
    with pytest.raises(TypeError, match="A Dense layer can only be built with a floating-point dtype"):
        Dense(3, dtype="int32").build((None, 4))
    with pytest.raises(ValueError, match="Unknown activation function: 'rellu'"):
        Dense(3, activation="rellu")
    with pytest.raises(TypeError, match="Keyword argument not understood: 'unit'"):
        Dense(3, unit=4)


def test_dense_config_keys_and_round_trip():
    layer = Dense(4, activation="tanh", use_bias=True, kernel_initializer="he_normal",
                  bias_initializer=initializers.Constant(0.1),
                  kernel_regularizer=regularizers.L1L2(0.01, 0.02),
                  bias_regularizer="l2", activity_regularizer="l1", kernel_constraint=constraints.MaxNorm(3),
                  bias_constraint="non_neg", dtype="float64", name="my_dense")
    config = layer.get_config()
    assert list(config) == ["name", "trainable", "dtype", "units", "activation", "use_bias",
                            "kernel_initializer", "bias_initializer", "kernel_regularizer",
                            "bias_regularizer", "activity_regularizer", "kernel_constraint",
                            "bias_constraint"]
    assert config["name"] == "my_dense" and config["dtype"] == "float64"
    assert config["units"] == 4 and config["activation"] == "tanh"
    assert config["kernel_initializer"] == {"class_name": "HeNormal", "config": {"seed": None}}
    assert config["bias_initializer"] == {"class_name": "Constant", "config": {"value": 0.1}}
    assert config["kernel_regularizer"]["class_name"] == "L1L2"
    assert config["kernel_constraint"] == {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}}
    assert config["bias_constraint"] == {"class_name": "NonNeg", "config": {}}
    clone = Dense.from_config(config)
    assert clone.get_config() == config
    x = randn(3, 5)
    y = layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), y.numpy())
    assert isinstance(clone.kernel_regularizer, regularizers.L1L2)
    assert isinstance(clone.kernel.constraint, constraints.MaxNorm)
    np.testing.assert_allclose([float(t) for t in clone.losses], [float(t) for t in layer.losses])


def test_dense_config_with_input_shape():
    config = Dense(2, input_shape=(3,)).get_config()
    assert config["batch_input_shape"] == (None, 3)
    assert Dense.from_config(config)._batch_input_shape == (None, 3)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3)])
def test_dense_gradients(shape):
    layer = Dense(2, activation="tanh", dtype="float64", bias_initializer="random_normal")
    x = randn(*shape)
    assert mg.gradcheck(lambda t: layer(t), [x], mode="full")
    assert_weight_gradients(layer, x, RNG)


def test_dense_second_order_gradients():
    layer = Dense(2, activation="tanh", dtype="float64")
    assert mg.gradcheck(lambda t: layer(t), [randn(3, 3)], order=2)


# == Activation =====================================================================================
def test_activation_layer_values_config_and_gradient():
    layer = Activation("relu")
    x = np.array([[-1.0, 0.5, 2.0]], "float32")
    np.testing.assert_array_equal(layer(x).numpy(), [[0.0, 0.5, 2.0]])
    assert layer.supports_masking
    config = layer.get_config()
    assert config["activation"] == "relu"
    assert Activation.from_config(config).activation is activations.relu
    sig = Activation(mg.sigmoid)
    np.testing.assert_allclose(sig(x).numpy(), 1 / (1 + np.exp(-x)), rtol=1e-6)
    assert Activation(None)(x) is not None and np.array_equal(Activation(None)(x).numpy(), x)
    smooth = Activation("softplus", dtype="float64")
    assert mg.gradcheck(lambda t: smooth(t), [randn(3, 4)], mode="full")
    assert Activation("elu")(layers.Input((5, 2))).shape == (None, 5, 2)
    assert layer.compute_output_shape((None, 5)) == (None, 5)


def test_activation_layer_errors():
    with pytest.raises(ValueError, match="Unknown activation function: 'nope'"):
        Activation("nope")
    with pytest.raises(TypeError, match="Could not interpret activation function identifier"):
        Activation(1.5)


# == Flatten ========================================================================================
def test_flatten_values_and_shapes():
    x = randn(2, 3, 4, 5)
    y = Flatten()(x)
    np.testing.assert_array_equal(y.numpy(), x.reshape(2, 60).astype("float32"))
    np.testing.assert_array_equal(Flatten()(np.arange(3.0)).numpy(), [[0.0], [1.0], [2.0]])
    assert Flatten()(layers.Input((4, 5))).shape == (None, 20)
    flatten = Flatten()
    assert flatten.compute_output_shape((None, 4, 5)) == (None, 20)
    assert flatten.compute_output_shape((7, None, 5)) == (7, None)
    assert flatten.compute_output_shape((7,)) == (7, 1)
    assert flatten.compute_output_shape(()) == (1,)


def test_flatten_channels_first_orders_values_as_channels_last():
    x = randn(2, 3, 4, 5)  # (N, C, H, W)
    y = Flatten(data_format="channels_first", dtype="float64")(x)
    np.testing.assert_array_equal(y.numpy(), x.transpose(0, 2, 3, 1).reshape(2, 60))
    # the same image in either layout flattens to the same vector
    last = Flatten(dtype="float64")(x.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(last.numpy(), y.numpy())
    x3 = randn(2, 3, 4)  # (N, C, L)
    np.testing.assert_array_equal(Flatten(data_format="channels_first", dtype="float64")(x3).numpy(),
                                  x3.transpose(0, 2, 1).reshape(2, 12))


def test_flatten_config_errors_and_gradient():
    layer = Flatten(data_format="CHANNELS_FIRST")
    assert layer.data_format == "channels_first"
    config = layer.get_config()
    assert config["data_format"] == "channels_first"
    assert Flatten.from_config(config).get_config() == config
    assert Flatten().data_format == "channels_last"
    with pytest.raises(ValueError, match='The `data_format` argument must be one of "channels_first", '
                                         '"channels_last". Received: \'nhwc\''):
        Flatten(data_format="nhwc")
    with pytest.raises(ValueError, match="expected min_ndim=1, found ndim=0"):
        Flatten()(np.float32(3.0))
    cf = Flatten(data_format="channels_first", dtype="float64")
    assert mg.gradcheck(lambda t: cf(t), [randn(2, 3, 2, 2)], mode="full")


# == Reshape ========================================================================================
def test_reshape_values_and_inferred_dimension():
    x = randn(2, 3, 4)
    np.testing.assert_array_equal(Reshape((4, 3), dtype="float64")(x).numpy(), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(Reshape((2, -1), dtype="float64")(x).numpy(), x.reshape(2, 2, 6))
    np.testing.assert_array_equal(Reshape([-1], dtype="float64")(x).numpy(), x.reshape(2, 12))
    assert Reshape((6, 2))(layers.Input((3, 4))).shape == (None, 6, 2)
    assert Reshape((-1, 3))(layers.Input((3, 4))).shape == (None, 4, 3)


def test_reshape_compute_output_shape():
    layer = Reshape((2, -1))
    assert layer.compute_output_shape((None, 3, 4)) == (None, 2, 6)
    assert layer.compute_output_shape((5, None, 4)) == (5, 2, None)
    assert Reshape((4, 3)).compute_output_shape((None, 12)) == (None, 4, 3)
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        Reshape((5, -1)).compute_output_shape((None, 12))


def test_reshape_errors():
    with pytest.raises(ValueError, match=r"total size of new array must be unchanged, input_shape = "
                                         r"\[3, 4\], output_shape = \[5, 2\]"):
        Reshape((5, 2))(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        Reshape((5, -1))(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="There must be at most one unknown dimension"):
        Reshape((-1, -1))
    for bad in [(0, 3), (-2, 3), (2.5,), ("a",)]:
        with pytest.raises(ValueError, match="target_shape entries must be positive ints"):
            Reshape(bad)
    with pytest.raises(ValueError, match="target_shape must be a tuple of ints"):
        Reshape(4)


def test_reshape_config_and_gradient():
    layer = Reshape([3, -1], dtype="float64")
    config = layer.get_config()
    assert config["target_shape"] == (3, -1)
    clone = Reshape.from_config(config)
    x = randn(2, 6)
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    assert mg.gradcheck(lambda t: layer(t), [x], mode="full")


# == Dropout ========================================================================================
def test_dropout_is_the_identity_unless_training():
    layer = Dropout(0.5)
    x = np.ones((4, 6), "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    with layers.backend.learning_phase_scope(1):
        assert np.any(layer(x).numpy() == 0)  # the global learning phase turns it on
    assert layer.supports_masking


def test_dropout_training_drops_and_rescales():
    layer = Dropout(0.25, seed=3)
    x = RNG.uniform(1, 2, size=(200, 100)).astype("float32")
    y = layer(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / 0.75, rtol=1e-6)
    assert abs(1 - kept.mean() - 0.25) < 0.01  # 20000 draws: std of the fraction ~ 0.003


def test_dropout_seed_repeats_runs_and_draws_new_masks_per_call():
    x = np.ones((8, 50), "float32")
    a, b = Dropout(0.5, seed=11), Dropout(0.5, seed=11)
    first_a, first_b = a(x, training=True).numpy(), b(x, training=True).numpy()
    np.testing.assert_array_equal(first_a, first_b)
    second_a = a(x, training=True).numpy()
    assert not np.array_equal(first_a, second_a)
    np.testing.assert_array_equal(second_a, b(x, training=True).numpy())
    assert not np.array_equal(first_a, Dropout(0.5, seed=12)(x, training=True).numpy())
    mg.random.seed(5)
    unseeded = Dropout(0.5)(x, training=True).numpy()
    mg.random.seed(5)
    np.testing.assert_array_equal(Dropout(0.5)(x, training=True).numpy(), unseeded)


def test_dropout_noise_shape_shares_the_mask():
    x = np.ones((3, 4, 5, 6), "float32")
    y = Dropout(0.5, noise_shape=(None, 1, 1, None), seed=0)(x, training=True).numpy()
    # one mask entry per (sample, channel): constant over the spatial axes
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :1, :], y.shape))
    assert set(np.unique(y)) <= {0.0, 2.0} and 0 < (y == 0).mean() < 1
    y = Dropout(0.5, noise_shape=(3, 1, 1, 6), seed=0)(x, training=True).numpy()
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :1, :], y.shape))
    with pytest.raises(ValueError, match="noise_shape .* does not broadcast"):
        Dropout(0.5, noise_shape=(3, 2, 1, 6))(x, training=True)
    with pytest.raises(ValueError, match=r"noise_shape \(None, 1\) has 2 entries but the input has rank 4"):
        Dropout(0.5, noise_shape=(None, 1))(x, training=True)


def test_dropout_rate_edges():
    x = RNG.uniform(1, 2, size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True).numpy(), x)
    np.testing.assert_array_equal(Dropout(1.0)(x, training=True).numpy(), np.zeros((3, 4)))
    np.testing.assert_array_equal(Dropout(1)(x, training=False).numpy(), x)


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_dropout_rejects_rates_outside_0_1(rate):
    with pytest.raises(ValueError, match=f"Invalid value {rate} received for `rate`, expected a value "
                                         "between 0 and 1"):
        Dropout(rate)


def test_dropout_type_errors():
    with pytest.raises(TypeError, match="`rate` must be a number"):
        Dropout("0.5")
    with pytest.raises(TypeError, match="`seed` must be an int"):
        Dropout(0.5, seed=1.5)


def test_dropout_gradient_is_the_mask_over_keep_probability():
    layer = Dropout(0.4, seed=1, dtype="float64")
    x = mg.tensor(RNG.uniform(1, 2, size=(5, 7)))
    r = randn(5, 7)
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = mg.sum(y * mg.tensor(r))
    (g,) = tape.gradient(loss, [x])
    mask_over_keep = y.numpy() / x.numpy()  # mask / (1 - rate): 0 or 1 / 0.6
    assert set(np.round(np.unique(mask_over_keep), 12)) <= {0.0, round(1 / 0.6, 12)}
    np.testing.assert_allclose(g.numpy(), r * mask_over_keep, rtol=1e-12)
    # in inference it is the identity: gradcheck applies
    assert mg.gradcheck(lambda t: layer(t, training=False), [x.numpy()], mode="full")


def test_dropout_config_and_shapes():
    layer = Dropout(0.3, noise_shape=[None, 1], seed=42, name="drop")
    config = layer.get_config()
    assert {k: config[k] for k in ("name", "rate", "noise_shape", "seed")} == {
        "name": "drop", "rate": 0.3, "noise_shape": (None, 1), "seed": 42}
    clone = Dropout.from_config(config)
    x = np.ones((4, 9), "float32")
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())
    assert Dropout(0.5)(layers.Input((3, 2))).shape == (None, 3, 2)
    assert layer.compute_output_shape((None, 9)) == (None, 9)
