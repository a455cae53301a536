"""Conv2D: values against a direct float64 loop, every argument, shapes, configs, errors, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gradutil import assert_weight_gradients

import layers
import minigrad as mg
from layers import activations, constraints, initializers, regularizers
from layers.convolutional import Conv2D, conv_output_length, normalize_tuple
from minigrad.errors import InvalidArgumentError

RNG = np.random.default_rng(99)


def randn(*shape):
    return RNG.standard_normal(shape)


def conv_reference(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation=(1, 1),
                   data_format="channels_last", groups=1):
    """The definition, by loops.

    ``y[n, i, j, o] = b[o] + sum_{a, c, ch} xpad[n, i sh + a dh, j sw + c dw, g cin + ch] W[a, c, ch, o]``
    with ``g = o // (filters / groups)`` the group of output channel ``o``.
    """
    if data_format == "channels_first":
        x = x.transpose(0, 2, 3, 1)
    n, h, w, channels = x.shape
    kh, kw, cin, filters = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    if padding == "same":
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
        pad_h = max((oh - 1) * sh + span_h - h, 0)
        pad_w = max((ow - 1) * sw + span_w - w, 0)
    else:
        oh, ow = (h - span_h) // sh + 1, (w - span_w) // sw + 1
        pad_h = pad_w = 0
    xpad = np.zeros((n, h + pad_h, w + pad_w, channels))
    xpad[:, pad_h // 2:pad_h // 2 + h, pad_w // 2:pad_w // 2 + w, :] = x
    cout = filters // groups
    y = np.zeros((n, oh, ow, filters))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for o in range(filters):
                    g = o // cout
                    total = 0.0
                    for a in range(kh):
                        for c in range(kw):
                            for ch in range(cin):
                                total += (xpad[b, i * sh + a * dh, j * sw + c * dw, g * cin + ch]
                                          * kernel[a, c, ch, o])
                    y[b, i, j, o] = total + (0.0 if bias is None else bias[o])
    return y.transpose(0, 3, 1, 2) if data_format == "channels_first" else y


def to_format(x_nhwc, data_format):
    return x_nhwc.transpose(0, 3, 1, 2) if data_format == "channels_first" else x_nhwc


def random_weights(layer):
    layer.set_weights([randn(*w.shape) for w in layer.weights])
    return [w.numpy() for w in layer.weights]


# -- values ------------------------------------------------------------------------------------
CASES = [  # kernel_size, strides, dilation, input (H, W)
    ((3, 3), (1, 1), (1, 1), (5, 6)),
    ((2, 3), (2, 2), (1, 1), (7, 6)),
    ((3, 2), (1, 3), (1, 1), (6, 7)),
    ((3, 3), (1, 1), (2, 2), (7, 7)),
    ((2, 2), (1, 1), (3, 1), (8, 5)),
    ((1, 1), (2, 1), (1, 1), (5, 4)),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel_size, strides, dilation, hw", CASES)
def test_conv2d_matches_loop_reference(data_format, padding, kernel_size, strides, dilation, hw):
    x = to_format(randn(2, *hw, 3), data_format)
    layer = Conv2D(4, kernel_size, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation, dtype="float64")
    layer.build(x.shape)
    kernel, bias = random_weights(layer)
    assert kernel.shape == kernel_size + (3, 4) and bias.shape == (4,)
    y = layer(x)
    expected = conv_reference(x, kernel, bias, strides, padding, dilation, data_format)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-12)
    assert y.shape == layer.compute_output_shape(x.shape)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_groups(data_format):
    x = to_format(randn(2, 5, 5, 4), data_format)
    layer = Conv2D(6, 3, padding="same", groups=2, data_format=data_format, dtype="float64")
    layer.build(x.shape)
    kernel, bias = random_weights(layer)
    assert kernel.shape == (3, 3, 2, 6)  # in_channels / groups
    np.testing.assert_allclose(layer(x).numpy(),
                               conv_reference(x, kernel, bias, padding="same", data_format=data_format,
                                              groups=2), rtol=1e-10, atol=1e-12)
    assert layer.get_config()["groups"] == 2


def test_conv2d_activation_and_use_bias():
    x = randn(2, 5, 5, 2)
    layer = Conv2D(3, 2, activation="relu", dtype="float64")
    layer.build(x.shape)
    kernel, bias = random_weights(layer)
    y = layer(x).numpy()
    np.testing.assert_allclose(y, np.maximum(conv_reference(x, kernel, bias), 0), rtol=1e-10, atol=1e-12)
    assert (y == 0).any() and (y > 0).any()
    no_bias = Conv2D(3, 2, use_bias=False, dtype="float64")
    no_bias.build(x.shape)
    assert no_bias.bias is None and no_bias.weights == [no_bias.kernel]
    assert no_bias.count_params() == 2 * 2 * 2 * 3
    (kernel,) = random_weights(no_bias)
    np.testing.assert_allclose(no_bias(x).numpy(), conv_reference(x, kernel), rtol=1e-10, atol=1e-12)


def test_conv2d_extra_batch_axes_are_folded():
    layer = Conv2D(2, 3, padding="same", dtype="float64", bias_initializer="ones")
    x = randn(2, 3, 4, 4, 1)
    y = layer(x)
    assert y.shape == (2, 3, 4, 4, 2)
    np.testing.assert_allclose(y.numpy()[1], layer(x[1]).numpy(), rtol=1e-12)
    assert layer.compute_output_shape((None, 3, 4, 4, 1)) == (None, 3, 4, 4, 2)


# -- weights and every constructor argument -----------------------------------------------------------
def test_conv2d_weights_names_and_defaults():
    layers.backend.clear_session()
    layer = Conv2D(8, (3, 5))
    y = layer(np.ones((1, 6, 7, 3), "float32"))
    assert layer.name == "conv2d" and y.shape == (1, 4, 3, 8) and y.dtype == np.float32
    assert [w.name for w in layer.weights] == ["conv2d/kernel:0", "conv2d/bias:0"]
    assert layer.kernel.shape == (3, 5, 3, 8) and layer.bias.shape == (8,)
    assert layer.trainable_weights == [layer.kernel, layer.bias]
    assert layer.strides == (1, 1) and layer.padding == "valid" and layer.dilation_rate == (1, 1)
    assert layer.data_format == "channels_last" and layer.groups == 1 and layer.use_bias is True
    assert layer.activation is activations.linear and layer.get_config()["activation"] == "linear"
    limit = np.sqrt(6 / (15 * 3 + 15 * 8))  # glorot_uniform: fans are receptive field * channels
    kernel = layer.kernel.numpy()
    assert np.all(np.abs(kernel) <= limit) and kernel.std() > limit / 4
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(8))


def test_conv2d_int_and_tuple_arguments_agree():
    a = Conv2D(2, 3, strides=2, dilation_rate=1)
    b = Conv2D(2, (3, 3), strides=(2, 2), dilation_rate=(1, 1))
    assert (a.kernel_size, a.strides, a.dilation_rate) == (b.kernel_size, b.strides, b.dilation_rate)
    assert a.kernel_size == (3, 3) and a.strides == (2, 2)
    c = Conv2D(2.0, [2, 3], strides=[1, 2], dilation_rate=np.int64(1), padding="SAME")
    assert c.filters == 2 and c.kernel_size == (2, 3) and c.strides == (1, 2) and c.padding == "same"
    # groups=None means 1, as tf.keras's `groups or 1`; groups=0 (tf.keras: also 1) is refused
    assert Conv2D(2, 3, groups=None).groups == 1
    with pytest.raises(InvalidArgumentError, match="argument `groups`. Expected a strictly positive"):
        Conv2D(2, 3, groups=0)


def test_conv2d_initializers_change_the_weights():
    layer = Conv2D(2, 2, kernel_initializer="ones", bias_initializer=initializers.Constant(0.25))
    y = layer(np.ones((1, 3, 3, 2), "float32"))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((2, 2, 2, 2)))
    np.testing.assert_array_equal(y.numpy(), np.full((1, 2, 2, 2), 8.25))
    seeded = [Conv2D(3, 2, kernel_initializer=initializers.HeNormal(seed=5)) for _ in range(2)]
    for layer in seeded:
        layer.build((None, 4, 4, 2))
    np.testing.assert_array_equal(seeded[0].kernel.numpy(), seeded[1].kernel.numpy())


def test_conv2d_regularizers_add_the_hand_computed_losses():
    layer = Conv2D(2, 2, kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.1),
                   bias_regularizer=regularizers.L2(0.5), bias_initializer="ones", dtype="float64")
    layer.build((None, 4, 4, 3))
    w, b = layer.get_weights()
    kernel_loss, bias_loss = (float(t) for t in layer.losses)
    reg = regularizers.L1L2(l1=0.01, l2=0.1)
    np.testing.assert_allclose(kernel_loss, reg.l1 * np.abs(w).sum() + reg.l2 * (w ** 2).sum(), rtol=1e-12)
    np.testing.assert_allclose(bias_loss, 0.5 * 2, rtol=1e-12)


def test_conv2d_activity_regularizer_adds_reg_of_output_over_batch():
    layer = Conv2D(2, 2, activity_regularizer=regularizers.L1(0.05), dtype="float64")
    x = randn(3, 4, 4, 1)
    y = layer(x).numpy()
    (loss,) = layer.losses
    np.testing.assert_allclose(float(loss), regularizers.L1(0.05).l1 * np.abs(y).sum() / 3, rtol=1e-12)


def test_conv2d_constraints_are_stored_on_the_variables():
    unit, non_neg = constraints.UnitNorm(axis=[0, 1, 2]), constraints.NonNeg()
    layer = Conv2D(2, 2, kernel_constraint=unit, bias_constraint=non_neg)
    layer.build((None, 3, 3, 1))
    assert layer.kernel.constraint is unit and layer.bias.constraint is non_neg
    layer2 = Conv2D(2, 2, kernel_constraint="unit_norm")
    layer2.build((None, 3, 3, 1))
    assert isinstance(layer2.kernel.constraint, constraints.UnitNorm) and layer2.bias.constraint is None


def test_conv2d_channels_first_equals_channels_last_with_the_same_weights():
    x = randn(2, 6, 5, 3)
    last = Conv2D(4, 3, strides=2, padding="same", dtype="float64")
    first = Conv2D(4, 3, strides=2, padding="same", data_format="channels_first", dtype="float64")
    last.build(x.shape)
    first.build(to_format(x, "channels_first").shape)
    first.set_weights(random_weights(last))
    np.testing.assert_allclose(first(to_format(x, "channels_first")).numpy(),
                               to_format(last(x).numpy(), "channels_first"), rtol=1e-12)


# -- shapes ------------------------------------------------------------------------------------------
def test_conv_output_length_formula():
    # valid: ceil((n - ((k-1)d + 1) + 1) / s); same: ceil(n / s)
    assert conv_output_length(7, 3, "valid", 1) == 5
    assert conv_output_length(7, 3, "valid", 2) == 3
    assert conv_output_length(8, 3, "valid", 2) == 3
    assert conv_output_length(7, 3, "valid", 1, dilation=2) == 3
    assert conv_output_length(7, 3, "same", 2) == 4
    assert conv_output_length(7, 3, "same", 1, dilation=3) == 7
    assert conv_output_length(None, 3, "same", 2) is None


@pytest.mark.parametrize("padding, strides, dilation, expected_hw", [
    ("valid", (1, 1), (1, 1), (8, 6)),
    ("valid", (2, 3), (1, 1), (4, 2)),
    ("same", (2, 3), (1, 1), (5, 3)),
    ("valid", (1, 1), (2, 2), (6, 4)),
    ("same", (1, 1), (2, 2), (10, 8)),
])
def test_conv2d_symbolic_shapes(padding, strides, dilation, expected_hw):
    for data_format, shape in [("channels_last", (10, 8, 3)), ("channels_first", (3, 10, 8))]:
        layer = Conv2D(5, 3, strides=strides, padding=padding, dilation_rate=dilation,
                       data_format=data_format)
        y = layer(layers.Input(shape=shape))
        expected = (None, *expected_hw, 5) if data_format == "channels_last" else (None, 5, *expected_hw)
        assert y.shape == expected
        assert layer.compute_output_shape((None,) + shape) == expected
        assert layer.output_shape == expected
    assert Conv2D(5, 3, padding=padding, strides=strides, dilation_rate=dilation).compute_output_shape(
        (None, None, 8, 3))[1] is None


# -- errors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"filters": 0}, "Invalid value for argument `filters`. Expected a strictly positive value. "
                     "Received filters=0"),
    ({"filters": -2}, "Received filters=-2"),
    ({"filters": 2.5}, "Received filters=2.5"),
    ({"kernel_size": (3, 3, 3)}, r"The `kernel_size` argument must be a tuple of 2 integers. "
                                 r"Received kernel_size=\(3, 3, 3\)"),
    ({"kernel_size": "3"}, "The `kernel_size` argument must be a tuple of 2 integers"),
    ({"kernel_size": (3, 1.5)}, "including element 1.5"),
    ({"kernel_size": 0}, "The argument `kernel_size` cannot contain 0"),
    ({"kernel_size": -1}, "that does not satisfy the requirement `>= 0`"),
    ({"strides": 0}, "The argument `strides` cannot contains 0"),
    ({"strides": (1, -1)}, "that does not satisfy the requirement `>= 0`"),
    ({"dilation_rate": 0}, "The `dilation_rate` argument must be a tuple of 2 integers.*requirement `> 0`"),
    ({"strides": 2, "dilation_rate": 2},
     r"`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
    ({"strides": (1, 2), "dilation_rate": (2, 1)}, "not supported in conjunction"),
    ({"padding": "full"}, "The `padding` argument must be one of 'valid', 'same'. Received: 'full'"),
    ({"padding": "causal"}, "Causal padding is only supported for `Conv1D`"),
    ({"padding": 1}, "The `padding` argument must be one of"),
    ({"data_format": "NHWC"}, 'The `data_format` argument must be one of "channels_first", "channels_last"'),
    ({"groups": 3}, "The number of filters must be evenly divisible by the number of groups. "
                    "Received: groups=3, filters=4"),
    ({"groups": -1}, "Invalid value for argument `groups`. Expected a strictly positive value"),
    ({"groups": 1.5}, "Received groups=1.5"),
    ({"activation": "swishy"}, "Unknown activation function: 'swishy'"),
])
def test_conv2d_argument_errors(kwargs, match):
    args = {"filters": 4, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        Conv2D(**args)


def test_conv2d_build_and_call_errors():
    with pytest.raises(ValueError, match="The number of input channels must be evenly divisible by the "
                                         "number of groups. Received groups=2, but the input has 3 channels"):
        Conv2D(4, 3, groups=2).build((None, 5, 5, 3))
    with pytest.raises(ValueError, match="The channel dimension of the inputs should be defined"):
        Conv2D(4, 3).build((None, 5, 5, None))
    with pytest.raises(ValueError, match="The channel dimension.*axis -3"):
        Conv2D(4, 3, data_format="channels_first").build((None, None, 5, 5))
    with pytest.raises(ValueError, match="One of the dimensions in the output is <= 0 due to downsampling"):
        Conv2D(4, 5).build((None, 3, 8, 1))
    with pytest.raises(ValueError, match="One of the dimensions in the output is <= 0"):
        Conv2D(4, 3, dilation_rate=3)(layers.Input((6, 6, 1)))
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        Conv2D(4, 3)(np.ones((5, 5, 1), "float32"))
    layer = Conv2D(4, 3)
    layer(np.ones((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
        layer(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="needs inputs of rank >= 4"):
        Conv2D(4, 3).build((5, 5, 1))


def test_normalize_tuple():
    assert normalize_tuple(3, 2, "pool_size") == (3, 3)
    assert normalize_tuple((0, 2), 2, "strides", allow_zero=True) == (0, 2)
    with pytest.raises(ValueError, match=r"Received strides=\(0, 2\) including \{0\}"):
        normalize_tuple((0, 2), 2, "strides")
    with pytest.raises(ValueError, match="including element True"):
        normalize_tuple((True, 2), 2, "strides")


# -- config ------------------------------------------------------------------------------------------
def test_conv2d_config_keys_and_round_trip():
    layer = Conv2D(4, (3, 2), strides=(2, 1), padding="same", data_format="channels_first",
                   dilation_rate=(1, 1), groups=2, activation="elu", use_bias=True,
                   kernel_initializer="lecun_normal", bias_initializer="random_uniform",
                   kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.3),
                   activity_regularizer=regularizers.L2(0.02), kernel_constraint=constraints.MaxNorm(2.0),
                   bias_constraint=constraints.MinMaxNorm(0.0, 1.0), dtype="float64", name="conv")
    config = layer.get_config()
    assert list(config) == ["name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding",
                            "data_format", "dilation_rate", "groups", "activation", "use_bias",
                            "kernel_initializer", "bias_initializer", "kernel_regularizer",
                            "bias_regularizer", "activity_regularizer", "kernel_constraint",
                            "bias_constraint"]
    assert (config["filters"], config["kernel_size"], config["strides"], config["padding"]) == (
        4, (3, 2), (2, 1), "same")
    assert config["data_format"] == "channels_first" and config["dilation_rate"] == (1, 1)
    assert config["activation"] == "elu" and config["kernel_initializer"]["class_name"] == "LecunNormal"
    assert config["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": regularizers.L2().l2}}
    assert config["bias_constraint"]["class_name"] == "MinMaxNorm"
    clone = Conv2D.from_config(config)
    assert clone.get_config() == config
    x = randn(2, 4, 5, 6)
    y = layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), y.numpy())
    np.testing.assert_allclose([float(t) for t in clone.losses], [float(t) for t in layer.losses])


# -- gradients -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"},
    {"padding": "same", "strides": (2, 1)},
    {"padding": "same", "dilation_rate": (2, 2)},
    {"padding": "valid", "groups": 2},
])
def test_conv2d_gradients(data_format, kwargs):
    layer = Conv2D(2, (3, 2), data_format=data_format, activation="tanh", dtype="float64",
                   bias_initializer="random_normal", **kwargs)
    x = to_format(randn(2, 5, 4, 2), data_format)
    assert mg.gradcheck(lambda t: layer(t), [x], mode="full")
    assert_weight_gradients(layer, x, RNG)


def test_conv2d_second_order_gradients():
    layer = Conv2D(2, 2, activation="tanh", dtype="float64")
    assert mg.gradcheck(lambda t: layer(t), [randn(1, 3, 3, 1)], order=2)
