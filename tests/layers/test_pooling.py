"""MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D: values vs loops, shapes, configs, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import layers
import minigrad as mg
from layers.pooling import AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D, Pooling2D

RNG = np.random.default_rng(7)


def distinct(*shape):
    """Inputs whose entries are all distinct and at least 1e-3 apart (no ties for max pooling)."""
    values = RNG.permutation(math.prod(shape)).astype("float64") / 10 + RNG.uniform(0, 0.05)
    return values.reshape(shape)


def pool_reference(x, kind, pool, strides, padding, data_format="channels_last"):
    """By loops: the max or the mean of the real (unpadded) elements of each window."""
    if data_format == "channels_first":
        x = x.transpose(0, 2, 3, 1)
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
        top = max((oh - 1) * sh + ph - h, 0) // 2
        left = max((ow - 1) * sw + pw - w, 0) // 2
    else:
        oh, ow, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            rows = [r for r in range(i * sh - top, i * sh - top + ph) if 0 <= r < h]
            cols = [q for q in range(j * sw - left, j * sw - left + pw) if 0 <= q < w]
            window = x[:, rows][:, :, cols]  # (n, len(rows), len(cols), c)
            y[:, i, j] = window.max(axis=(1, 2)) if kind == "max" else window.mean(axis=(1, 2))
    return y.transpose(0, 3, 1, 2) if data_format == "channels_first" else y


def to_format(x, data_format):
    return x.transpose(0, 3, 1, 2) if data_format == "channels_first" else x


LAYERS = {"max": MaxPooling2D, "avg": AveragePooling2D}
CASES = [  # pool_size, strides (None: pool_size), input (H, W)
    ((2, 2), None, (6, 6)),
    ((2, 2), None, (7, 5)),
    ((3, 3), (2, 2), (7, 8)),
    ((2, 3), (1, 2), (5, 7)),
    ((3, 1), (3, 1), (8, 3)),
    (3, 1, (4, 5)),
]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool_size, strides, hw", CASES)
def test_pooling_matches_loop_reference(kind, data_format, padding, pool_size, strides, hw):
    x = to_format(distinct(2, *hw, 3), data_format)
    layer = LAYERS[kind](pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                         dtype="float64")
    pool = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = pool if strides is None else ((strides, strides) if isinstance(strides, int) else strides)
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), pool_reference(x, kind, pool, stride, padding, data_format),
                               rtol=1e-12)
    assert y.shape == layer.compute_output_shape(x.shape)
    assert layer.strides == stride and layer.pool_size == pool


def test_defaults_halve_the_image():
    x = distinct(1, 4, 6, 2).astype("float32")
    for cls in (MaxPooling2D, AveragePooling2D):
        layer = cls()
        assert (layer.pool_size, layer.strides, layer.padding, layer.data_format) == (
            (2, 2), (2, 2), "valid", "channels_last")
        y = layer(x)
        assert y.shape == (1, 2, 3, 2) and y.dtype == np.float32
        assert layer.weights == [] and layer.count_params() == 0
    np.testing.assert_allclose(MaxPooling2D()(x).numpy(), x.reshape(1, 2, 2, 3, 2, 2).max(axis=(2, 4)))
    np.testing.assert_allclose(AveragePooling2D()(x).numpy(), x.reshape(1, 2, 2, 3, 2, 2).mean(axis=(2, 4)),
                               rtol=1e-6)


def test_same_padding_averages_only_real_elements():
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    y = AveragePooling2D(2, padding="same", dtype="float64")(x).numpy()[0, :, :, 0]
    # windows [[0,1],[3,4]], [[2],[5]], [[6,7]], [[8]]
    np.testing.assert_allclose(y, [[2.0, 3.5], [6.5, 8.0]])
    x = -np.ones((1, 3, 3, 1))
    np.testing.assert_array_equal(MaxPooling2D(2, padding="same", dtype="float64")(x).numpy(),
                                  -np.ones((1, 2, 2, 1)))


@pytest.mark.parametrize("cls", [MaxPooling2D, AveragePooling2D])
def test_pooling_shapes(cls):
    for padding, expected in [("valid", (3, 2)), ("same", (4, 3))]:
        layer = cls((2, 3), strides=(2, 2), padding=padding)
        y = layer(layers.Input((7, 6, 5)))
        assert y.shape == (None, *expected, 5)
        assert layer.compute_output_shape((None, 7, 6, 5)) == (None, *expected, 5)
        first = cls((2, 3), strides=(2, 2), padding=padding, data_format="channels_first")
        assert first(layers.Input((5, 7, 6))).shape == (None, 5, *expected)
        assert first.compute_output_shape((4, 5, 7, 6)) == (4, 5, *expected)
    assert cls(2).compute_output_shape((None, None, 6, 3)) == (None, None, 3, 3)


@pytest.mark.parametrize("cls", [MaxPooling2D, AveragePooling2D])
def test_pooling_config_round_trip(cls):
    layer = cls(pool_size=(3, 2), strides=(1, 2), padding="Same", data_format="channels_first",
                name="pool", dtype="float64")
    config = layer.get_config()
    assert config == {"name": "pool", "trainable": True, "dtype": "float64", "pool_size": (3, 2),
                      "padding": "same", "strides": (1, 2), "data_format": "channels_first"}
    clone = cls.from_config(config)
    assert clone.get_config() == config
    x = distinct(2, 3, 5, 6)
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("cls", [MaxPooling2D, AveragePooling2D])
@pytest.mark.parametrize("kwargs, match", [
    ({"pool_size": 0}, r"The `pool_size` argument must be a tuple of 2 integers. Received pool_size=0 "
                       r"including \{0\}"),
    ({"pool_size": (2, 2, 2)}, "The `pool_size` argument must be a tuple of 2 integers"),
    ({"pool_size": 2.0}, "The `pool_size` argument must be a tuple of 2 integers"),
    ({"strides": (0, 1)}, "The `strides` argument must be a tuple of 2 integers.*requirement `> 0`"),
    ({"padding": "full"}, "The `padding` argument must be one of 'valid', 'same'"),
    ({"padding": "causal"}, "Causal padding is only supported"),
    ({"data_format": "channels_middle"}, 'The `data_format` argument must be one of "channels_first"'),
])
def test_pooling_argument_errors(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_pooling_input_errors():
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        MaxPooling2D()(np.ones((4, 4, 1), "float32"))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=5"):
        AveragePooling2D()(layers.Input((2, 4, 4, 1)))
    with pytest.raises(ValueError, match="padding='valid'.*window spans 3 pixels"):
        MaxPooling2D(3)(np.ones((1, 2, 5, 1), "float32"))


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding, pool, strides", [("valid", 2, None), ("same", 3, 2)])
def test_pooling_gradients(kind, data_format, padding, pool, strides):
    layer = LAYERS[kind](pool, strides=strides, padding=padding, data_format=data_format, dtype="float64")
    x = to_format(distinct(2, 5, 4, 2), data_format)
    assert mg.gradcheck(lambda t: layer(t), [x], mode="full")


def test_pooling_base_class_takes_the_pool_function():
    layer = Pooling2D(mg.nn.max_pool2d, pool_size=2, strides=None, dtype="float64")
    x = distinct(1, 4, 4, 1)
    np.testing.assert_array_equal(layer(x).numpy(), MaxPooling2D(dtype="float64")(x).numpy())


# == GlobalAveragePooling2D =====================================================================
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_average_pooling_values_and_shapes(data_format, keepdims):
    x = to_format(distinct(2, 3, 4, 5), data_format)
    layer = GlobalAveragePooling2D(data_format=data_format, keepdims=keepdims, dtype="float64")
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), x.mean(axis=axes, keepdims=keepdims), rtol=1e-12)
    expected = {("channels_last", False): (None, 5), ("channels_last", True): (None, 1, 1, 5),
                ("channels_first", False): (None, 5), ("channels_first", True): (None, 5, 1, 1)}
    shape = expected[(data_format, keepdims)]
    assert layer.compute_output_shape((None,) + x.shape[1:]) == shape
    assert GlobalAveragePooling2D(data_format=data_format, keepdims=keepdims)(
        layers.Input(x.shape[1:])).shape == shape
    assert y.shape == (2,) + shape[1:]
    assert mg.gradcheck(lambda t: layer(t), [x], mode="full")


def test_global_average_pooling_config_and_errors():
    layer = GlobalAveragePooling2D(data_format="channels_first", keepdims=True, name="gap")
    config = layer.get_config()
    assert config == {"name": "gap", "trainable": True, "dtype": "float32",
                      "data_format": "channels_first", "keepdims": True}
    assert GlobalAveragePooling2D.from_config(config).get_config() == config
    default = GlobalAveragePooling2D()
    assert default.data_format == "channels_last" and default.keepdims is False
    with pytest.raises(ValueError, match='The `data_format` argument must be one of'):
        GlobalAveragePooling2D(data_format="nchw")
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        default(np.ones((2, 3, 4), "float32"))
