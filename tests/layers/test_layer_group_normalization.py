"""LayerNormalization and GroupNormalization against float64 references written as loops.

The references (``reference_layer_norm``, ``reference_group_norm``) take each sample's (and
group's) values one by one with ``np.ndindex``, sum them with ``math.fsum`` and apply
``gamma * (x - mu) / sqrt(sigma2 + epsilon) + beta`` element by element: no code shared
with the layers, which reduce whole axes with minigrad ops. Gradients are checked against
central differences (``mg.gradcheck``, float64) at order 1 and 2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from devices import DEVICES

import layers
import minigrad as mg
from layers import GroupNormalization, LayerNormalization
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

EPS = 1e-3


# -- references: loops in float64 -------------------------------------------------------------
def _stats(values: list, weights: list | None = None) -> tuple:
    """(mean, biased variance) of ``values``, weighted (0 and 0 for no weight, as Keras)."""
    weights = [1.0] * len(values) if weights is None else weights
    total = math.fsum(weights)
    if total == 0:
        return 0.0, 0.0
    mean = math.fsum(w * v for w, v in zip(weights, values)) / total
    return mean, math.fsum(w * (v - mean) ** 2 for w, v in zip(weights, values)) / total


def reference_layer_norm(x, axes, gamma=None, beta=None, eps=EPS, rms_scaling=False):
    """Each index of the kept axes: mean and variance over the ``axes`` (non-negative)."""
    x = np.asarray(x, dtype=np.float64)
    axes = sorted(a % x.ndim for a in ([axes] if isinstance(axes, int) else axes))
    kept = [a for a in range(x.ndim) if a not in axes]
    y = np.empty_like(x)
    for outer in np.ndindex(*[x.shape[a] for a in kept]):
        positions = []
        for inner in np.ndindex(*[x.shape[a] for a in axes]):
            index = [0] * x.ndim
            for a, i in zip(kept, outer):
                index[a] = i
            for a, i in zip(axes, inner):
                index[a] = i
            positions.append((tuple(index), inner))
        mean, var = _stats([x[p] for p, _ in positions])
        for p, inner in positions:
            g = 1.0 if gamma is None else gamma[inner]
            b = 0.0 if beta is None else beta[inner]
            if rms_scaling:
                y[p] = x[p] / math.sqrt(var + eps) * g
            else:
                y[p] = (x[p] - mean) / math.sqrt(var + eps) * g + b
    return y


def reference_group_norm(x, groups, axis=-1, gamma=None, beta=None, eps=EPS, mask=None):
    """Each sample and group: the group's channels at every position of the other axes."""
    x = np.asarray(x, dtype=np.float64)
    axis %= x.ndim
    channels = x.shape[axis]
    size = channels // groups
    m = np.ones(x.shape) if mask is None else np.broadcast_to(mask, x.shape).astype(float)
    y = np.empty_like(x)
    for n in range(x.shape[0]):
        for g in range(groups):
            members = [index for index in np.ndindex(*x.shape)
                       if index[0] == n and g * size <= index[axis] < (g + 1) * size]
            mean, var = _stats([x[i] for i in members], [m[i] for i in members])
            for i in members:
                c = i[axis]
                scale = 1.0 if gamma is None else gamma[c]
                offset = 0.0 if beta is None else beta[c]
                y[i] = (x[i] - mean) / math.sqrt(var + eps) * scale + offset
    return y


def with_random_weights(layer, shape, seed=0):
    """Build ``layer`` (float64) for ``shape`` and give gamma / beta random values."""
    rng = np.random.default_rng(seed)
    layer.build(shape)
    for w in (layer.gamma, layer.beta):
        if w is not None:
            w.assign(rng.normal(size=w.shape) * 0.5 + (1.0 if w is layer.gamma else 0.0))
    return layer


def params(layer):
    g = None if layer.gamma is None else layer.gamma.numpy()
    b = None if layer.beta is None else layer.beta.numpy()
    return g, b


def data(shape, seed=1, loc=0.5, scale=1.5):
    return np.random.default_rng(seed).normal(size=shape) * scale + loc


# -- a case small enough to do by hand ----------------------------------------------------------
def test_layer_norm_worked_example():
    """Row [1, 3]: mu = 2, sigma2 = 1; row [10, 30]: mu = 20, sigma2 = 100."""
    y = LayerNormalization(dtype="float64")(np.array([[1.0, 3.0], [10.0, 30.0]])).numpy()
    np.testing.assert_allclose(y, [[-1 / math.sqrt(1 + EPS), 1 / math.sqrt(1 + EPS)],
                                   [-10 / math.sqrt(100 + EPS), 10 / math.sqrt(100 + EPS)]],
                               rtol=1e-14)


def test_group_norm_worked_example():
    """Channels [a, b | c, d] in two groups: each pair normalized to -+1/sqrt(1 + eps/s2)."""
    x = np.array([[0.0, 2.0, 5.0, 11.0]])  # group 0: mu 1, s2 1; group 1: mu 8, s2 9
    y = GroupNormalization(groups=2, dtype="float64")(x).numpy()
    np.testing.assert_allclose(y, [[-1 / math.sqrt(1 + EPS), 1 / math.sqrt(1 + EPS),
                                    -3 / math.sqrt(9 + EPS), 3 / math.sqrt(9 + EPS)]], rtol=1e-14)


# -- LayerNormalization against the reference ----------------------------------------------------
LN_CASES = [  # (input shape, axis, expected parameter shape)
    ((4, 5), -1, (5,)),
    ((3, 4, 5), -1, (5,)),
    ((3, 4, 5), 1, (4,)),
    ((3, 4, 5), [1, 2], (4, 5)),
    ((2, 3, 4, 5), [1, 2, 3], (3, 4, 5)),  # Keras's docstring example, smaller
    ((2, 3, 4, 5), [1, 3], (3, 5)),         # not contiguous
    ((2, 3, 4, 5), [-1, 1], (3, 5)),        # given out of order: parameters in axis order
    ((5, 3), 0, (5,)),                      # over the batch: allowed, as Keras
]


@pytest.mark.parametrize("shape, axis, param_shape", LN_CASES)
def test_layer_norm_matches_loops(shape, axis, param_shape):
    layer = with_random_weights(LayerNormalization(axis=axis, dtype="float64"), shape)
    assert layer.gamma.shape == param_shape and layer.beta.shape == param_shape
    x = data(shape)
    gamma, beta = params(layer)
    np.testing.assert_allclose(layer(x).numpy(), reference_layer_norm(x, axis, gamma, beta),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("center, scale", [(False, True), (True, False), (False, False)])
def test_layer_norm_center_scale_off(center, scale):
    layer = with_random_weights(
        LayerNormalization(axis=[1, 2], center=center, scale=scale, dtype="float64"), (3, 2, 4))
    assert [w.name.split("/")[-1] for w in layer.weights] == (
        (["gamma:0"] if scale else []) + (["beta:0"] if center else []))
    x = data((3, 2, 4), seed=2)
    gamma, beta = params(layer)
    np.testing.assert_allclose(layer(x).numpy(), reference_layer_norm(x, [1, 2], gamma, beta),
                               rtol=1e-12, atol=1e-12)


def test_layer_norm_rms_scaling_is_keras_formula():
    """rms_scaling: only gamma; y = x * gamma / sqrt(var(x) + eps), x not centred (Keras 3)."""
    layer = with_random_weights(LayerNormalization(rms_scaling=True, center=True,
                                                   dtype="float64"), (4, 6))
    assert layer.beta is None and [w.name for w in layer.weights] == [layer.gamma.name]
    x = data((4, 6), seed=3, loc=2.0)
    y = layer(x).numpy()
    np.testing.assert_allclose(y, reference_layer_norm(x, -1, layer.gamma.numpy(),
                                                       rms_scaling=True), rtol=1e-12)
    # not centred: the mean of x (about 2 std) survives, unlike plain layer normalization
    assert np.all(np.abs(y.mean(axis=1)) > 0.5)
    # gamma is made even with scale=False (Keras: `scale or rms_scaling`)
    no_scale = LayerNormalization(rms_scaling=True, scale=False)
    no_scale(x)
    assert no_scale.gamma is not None and no_scale.beta is None


def test_layer_norm_large_offset_keeps_precision_in_float32():
    """Two-pass statistics: a sample at 1e4 with std 1 normalizes as well in float32 as near 0."""
    x = data((4, 16), seed=4, loc=0.0, scale=1.0)
    y = LayerNormalization()(mg.tensor((x + 1e4).astype("float32"))).numpy()
    np.testing.assert_allclose(y, reference_layer_norm(x, -1), atol=2e-3)


# -- GroupNormalization against the reference ------------------------------------------------------
GN_CASES = [  # (input shape, groups, axis)
    ((3, 6), 3, -1),
    ((3, 6), 1, -1),
    ((2, 3, 8), 4, -1),
    ((2, 4, 3, 6), 2, -1),     # channels last
    ((2, 6, 3, 2), 3, 1),      # channels first
    ((2, 3, 6, 2), 2, 2),      # a middle axis
    ((2, 3, 3, 4), -1, -1),    # instance normalization
]


@pytest.mark.parametrize("shape, groups, axis", GN_CASES)
def test_group_norm_matches_loops(shape, groups, axis):
    layer = with_random_weights(GroupNormalization(groups=groups, axis=axis, dtype="float64"),
                                shape)
    channels = shape[axis]
    assert layer.gamma.shape == (channels,) and layer.beta.shape == (channels,)
    x = data(shape, seed=5)
    gamma, beta = params(layer)
    expected_groups = channels if groups == -1 else groups
    assert layer.groups == expected_groups  # -1 becomes the number of channels, as in Keras
    np.testing.assert_allclose(layer(x).numpy(),
                               reference_group_norm(x, expected_groups, axis, gamma, beta),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("center, scale", [(False, True), (True, False), (False, False)])
def test_group_norm_center_scale_off(center, scale):
    layer = with_random_weights(GroupNormalization(groups=2, center=center, scale=scale,
                                                   dtype="float64"), (2, 3, 4))
    assert len(layer.weights) == int(center) + int(scale)
    x = data((2, 3, 4), seed=6)
    gamma, beta = params(layer)
    np.testing.assert_allclose(layer(x).numpy(), reference_group_norm(x, 2, -1, gamma, beta),
                               rtol=1e-12, atol=1e-12)


def test_group_norm_one_group_on_features_is_layer_norm():
    """On (N, C) data, groups=1 and LayerNormalization(axis=-1) compute the same function."""
    x = data((5, 6), seed=7)
    gn = with_random_weights(GroupNormalization(groups=1, dtype="float64"), (5, 6))
    ln = LayerNormalization(dtype="float64")
    ln.build((5, 6))
    ln.set_weights(gn.get_weights())
    np.testing.assert_allclose(gn(x).numpy(), ln(x).numpy(), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("mask_shape", [(2, 3, 4), (2, 3), (2, 3, 1)])
def test_group_norm_mask_leaves_positions_out_of_the_statistics(mask_shape):
    """tf-keras's weighted moments: masked positions do not count, all are normalized."""
    layer = with_random_weights(GroupNormalization(groups=2, dtype="float64"), (2, 3, 4))
    x = data((2, 3, 4), seed=8)
    mask = np.random.default_rng(9).random(mask_shape) > 0.4
    mask[:, 0] = True  # every group keeps some values
    full = mask if len(mask_shape) == 3 else mask[..., None]
    gamma, beta = params(layer)
    expected = reference_group_norm(x, 2, -1, gamma, beta, mask=full)
    np.testing.assert_allclose(layer(x, mask=mg.tensor(mask)).numpy(), expected,
                               rtol=1e-12, atol=1e-12)
    assert not np.allclose(expected, reference_group_norm(x, 2, -1, gamma, beta))


def test_group_norm_bad_mask_is_refused():
    layer = GroupNormalization(groups=2)
    with pytest.raises(InvalidArgumentError, match="mask of shape .*channel axis"):
        layer(data((2, 3, 4)), mask=np.ones((2, 4, 4), dtype=bool))


# -- no dependence on the batch -------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: LayerNormalization(axis=[1, 2]),
                                  lambda: GroupNormalization(groups=2)])
def test_a_sample_does_not_depend_on_its_batch(make):
    layer = make()
    x = data((6, 3, 4), seed=10).astype("float32")
    together = layer(x, training=True).numpy()
    alone = np.concatenate([layer(x[i:i + 1], training=False).numpy() for i in range(6)])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


# -- gradients: order 1 and 2 ------------------------------------------------------------------
def layer_function(layer):
    """f(x, gamma, beta) = layer(x) with the given parameters (those the layer has)."""
    names = [n for n in ("gamma", "beta") if getattr(layer, n) is not None]

    def f(x, *values):
        originals = [getattr(layer, n) for n in names]
        try:
            for name, value in zip(names, values):
                setattr(layer, name, value)
            return layer(x)
        finally:
            for name, original in zip(names, originals):
                setattr(layer, name, original)

    return f, [getattr(layer, n).numpy() for n in names]


GRAD_CASES = [
    ("ln -1", lambda: LayerNormalization(dtype="float64"), (3, 4)),
    ("ln [1, 3]", lambda: LayerNormalization(axis=[1, 3], dtype="float64"), (2, 3, 2, 2)),
    ("ln no center", lambda: LayerNormalization(center=False, dtype="float64"), (3, 4)),
    ("ln rms", lambda: LayerNormalization(rms_scaling=True, dtype="float64"), (3, 4)),
    ("gn last", lambda: GroupNormalization(groups=2, dtype="float64"), (2, 3, 4)),
    ("gn first", lambda: GroupNormalization(groups=3, axis=1, dtype="float64"), (2, 6, 2)),
    ("gn instance", lambda: GroupNormalization(groups=-1, scale=False, dtype="float64"), (2, 2, 3)),
]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("name, make, shape", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(name, make, shape, order):
    layer = with_random_weights(make(), shape, seed=11)
    f, weights = layer_function(layer)
    assert mg.gradcheck(f, [data(shape, seed=12)] + weights, order=order)


def test_gradcheck_masked_group_norm():
    layer = with_random_weights(GroupNormalization(groups=2, dtype="float64"), (2, 3, 4))
    mask = np.random.default_rng(13).random((2, 3)) > 0.3
    mask[:, 0] = True

    def f(x, gamma, beta):
        saved = layer.gamma, layer.beta
        layer.gamma, layer.beta = gamma, beta
        try:
            return layer(x, mask=mg.tensor(mask))
        finally:
            layer.gamma, layer.beta = saved

    assert mg.gradcheck(f, [data((2, 3, 4), seed=14)] + list(params(layer)), order=2)


@pytest.mark.parametrize("make, mask", [
    (lambda: LayerNormalization(axis=[1, 2], dtype="float64"), None),
    (lambda: GroupNormalization(groups=2, dtype="float64"), np.array([[1, 1, 0], [1, 0, 1]]) > 0),
], ids=["ln", "gn masked"])
@pytest.mark.parametrize("device", DEVICES)
def test_on_device(device, make, mask):
    """Weights, input, mask and gradcheck all on ``device``; the values are the loops'."""
    with mg.device(device):
        layer = with_random_weights(make(), (2, 3, 4), seed=22)
        assert {w.device for w in layer.weights} == {device}
        x = data((2, 3, 4), seed=23)
        m = None if mask is None else mg.tensor(mask, device=device)
        gamma, beta = params(layer)
        y = layer(mg.tensor(x, device=device), mask=m)
        assert y.device == device
        if isinstance(layer, LayerNormalization):
            expected = reference_layer_norm(x, [1, 2], gamma, beta)
        else:
            expected = reference_group_norm(x, 2, -1, gamma, beta, mask=mask[..., None])
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)

        def f(x, g, b):
            saved = layer.gamma, layer.beta
            layer.gamma, layer.beta = g, b
            try:
                return layer(x, mask=m)
            finally:
                layer.gamma, layer.beta = saved

        inputs = [mg.tensor(v, device=device) for v in (x, gamma, beta)]
        assert mg.gradcheck(f, inputs, order=2)


def test_gradients_of_layer_norm_sum_to_zero_per_sample():
    """d sum(y * r) / dx: y is invariant to shifting a sample, so each row's gradient sums to 0."""
    x = mg.tensor(data((3, 5), seed=15))
    r = mg.tensor(data((3, 5), seed=16))
    with mg.GradientTape() as tape:
        tape.watch(x)
        loss = mg.sum(LayerNormalization(dtype="float64")(x) * r)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy().sum(axis=1), 0.0, atol=1e-12)


# -- float16: statistics in float32 ---------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "mixed_float16"])
@pytest.mark.parametrize("make", [lambda d: LayerNormalization(dtype=d),
                                  lambda d: GroupNormalization(groups=2, dtype=d)],
                         ids=["ln", "gn"])
def test_float16_computes_statistics_in_float32(make, dtype):
    """Values of std 300: their squares overflow float16 (max 65504), not float32."""
    x = data((4, 8), seed=17, loc=0.0, scale=300.0).astype("float16")
    layer = make(dtype)
    y = layer(mg.tensor(x))
    assert y.dtype == np.float16
    assert all(w.dtype == np.float32 for w in layer.weights)
    groups = getattr(layer, "groups", None)
    expected = (reference_layer_norm(x, -1) if groups is None else
                reference_group_norm(x.astype(np.float64), groups))
    np.testing.assert_allclose(y.numpy().astype(np.float64), expected, atol=5e-3)


# -- arguments ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"axis": "channels"}, ArgumentTypeError, "'axis'.*axis=-1"),
    ({"axis": []}, ArgumentTypeError, "non-empty list"),
    ({"axis": [1, 1.5]}, ArgumentTypeError, "'axis'"),
    ({"axis": True}, ArgumentTypeError, "'axis'"),
    ({"epsilon": 0.0}, InvalidArgumentError, "`epsilon` must be finite and > 0.*Pass a number > 0"),
    ({"epsilon": math.nan}, InvalidArgumentError, "`epsilon`"),
    ({"epsilon": "1e-3"}, ArgumentTypeError, "`epsilon`"),
    ({"center": "no"}, ArgumentTypeError, "`center` must be a bool.*center=True"),
    ({"scale": 1}, ArgumentTypeError, "`scale` must be a bool"),
    ({"rms_scaling": None}, ArgumentTypeError, "`rms_scaling` must be a bool"),
    ({"gamma_initializer": "nope"}, ValueError, "nope"),
    ({"beta_regularizer": "l3"}, ValueError, "l3"),
    ({"gamma_constraint": 5}, InvalidArgumentError, "constraint function identifier: 5"),
    ({"dtype": "int32"}, ArgumentTypeError, "`dtype` must be a floating dtype.*float32"),
])
def test_layer_norm_argument_errors(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        LayerNormalization(**kwargs)


@pytest.mark.parametrize("axis, fragment", [
    (2, "`axis`=2 is out of range for an input of rank 2: use an axis in \\[-2, 2\\)"),
    ([-3], "`axis`=-3 is out of range"),
    ([1, -1], "duplicate axis.*Name each axis once"),
])
def test_layer_norm_axis_errors_at_build(axis, fragment):
    with pytest.raises(InvalidArgumentError, match=fragment):
        LayerNormalization(axis=axis)(data((2, 3)))


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"groups": 0}, InvalidArgumentError, "`groups` must be a positive.*groups=32"),
    ({"groups": -2}, InvalidArgumentError, "got groups=-2.*or groups=-1"),
    ({"groups": 2.0}, ArgumentTypeError, "`groups` must be an integer"),
    ({"groups": None}, ArgumentTypeError, "`groups` must be an integer"),
    ({"axis": [1, 2]}, ArgumentTypeError, "`axis` must be an int.*axis=-1"),
    ({"axis": 1.0}, ArgumentTypeError, "`axis` must be an int"),
    ({"epsilon": -1e-3}, InvalidArgumentError, "`epsilon` must be finite and > 0.*Pass a number > 0"),
    ({"center": "False"}, ArgumentTypeError, "`center` must be a bool"),
    ({"scale": None}, ArgumentTypeError, "`scale` must be a bool"),
    ({"dtype": "int64"}, ArgumentTypeError, "`dtype` must be a floating dtype"),
])
def test_group_norm_argument_errors(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        GroupNormalization(**kwargs)


@pytest.mark.parametrize("kwargs, shape, fragment", [
    ({"groups": 4}, (2, 6), r"groups=4\) must divide the number of channels \(6 on axis -1.*"
                            r"divisors of 6: \[1, 2, 3, 6\]"),
    ({"groups": 8}, (2, 6), r"groups=8\) cannot be more than the number of channels \(6"),
    ({"groups": 32}, (2, 3, 3, 16), r"groups=32\) cannot be more.*\[1, 2, 4, 8, 16\]"),
    ({"groups": 2, "axis": 0}, (4, 6), "batch axis.*axis=-1"),
    ({"groups": 2, "axis": 3}, (4, 6), "`axis`=3 is out of range"),
])
def test_group_norm_errors_at_build_name_groups_channels_and_fix(kwargs, shape, fragment):
    with pytest.raises(InvalidArgumentError, match=fragment):
        GroupNormalization(**kwargs)(data(shape))


def test_unknown_normalized_size_is_refused():
    with pytest.raises(InvalidArgumentError, match="known size"):
        LayerNormalization().build((None, None))
    with pytest.raises(InvalidArgumentError, match="defined size"):
        GroupNormalization(groups=1).build((None, 4, None))


# -- config, shapes, weights --------------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda: LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False,
                                gamma_regularizer="l2", beta_constraint="non_neg"), (2, 3, 4)),
    (lambda: LayerNormalization(rms_scaling=True, gamma_initializer="zeros"), (2, 4)),
    (lambda: GroupNormalization(groups=-1, axis=1, epsilon=1e-2, scale=False,
                                beta_initializer="ones"), (2, 4, 3)),
    (lambda: GroupNormalization(groups=2, gamma_constraint="max_norm",
                                beta_regularizer={"class_name": "L1", "config": {"l1": 0.1}}),
     (2, 3, 4)),
])
def test_config_round_trip(make, shape):
    layer = make()
    config = layer.get_config()
    x = data(shape, seed=18).astype("float32")
    for config_of in (config, None):  # before and after build
        if config_of is None:
            layer(x)
            config_of = layer.get_config()
        clone = type(layer).from_config(config_of)
        assert clone.get_config() == config_of
    clone(x)
    clone.set_weights([np.random.default_rng(19).normal(size=w.shape) for w in layer.weights])
    layer.set_weights(clone.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    restored = layers.model_from_config(
        {"class_name": type(layer).__name__, "config": config})
    assert type(restored) is type(layer) and restored.get_config() == config


def test_config_holds_keras_keys():
    ln_keys = {"axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer",
               "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint",
               "gamma_constraint"}
    assert ln_keys <= set(LayerNormalization().get_config())
    assert (ln_keys - {"rms_scaling"}) | {"groups"} <= set(GroupNormalization().get_config())
    assert GroupNormalization().get_config()["groups"] == 32
    assert LayerNormalization().get_config()["epsilon"] == 1e-3


def test_regularizers_and_constraints_reach_the_weights():
    layer = LayerNormalization(gamma_regularizer=layers.regularizers.L2(0.5),
                               beta_constraint="non_neg")
    layer(data((2, 3)))
    assert float(layer.losses[0].numpy()) == pytest.approx(0.5 * 3)  # 0.5 * sum(1**2)
    assert layer.beta.constraint is not None and layer.gamma.constraint is None


def test_compute_output_shape_and_functional_model():
    assert LayerNormalization().compute_output_shape((None, 3, 4)) == (None, 3, 4)
    inputs = layers.Input((4, 6))
    outputs = GroupNormalization(groups=3)(LayerNormalization(axis=[1, 2])(inputs))
    model = layers.Model(inputs, outputs)
    assert tuple(outputs.shape) == (None, 4, 6)
    x = data((2, 4, 6), seed=20).astype("float32")
    np.testing.assert_allclose(model(x).numpy(), reference_group_norm(
        reference_layer_norm(x, [1, 2]), 3), atol=1e-5)
    assert [w.shape for w in model.trainable_weights] == [(4, 6), (4, 6), (6,), (6,)]


def test_trains_in_a_sequential_model():
    """fit runs and lowers the loss; the weights move."""
    rng = np.random.default_rng(21)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:2]).astype("float32")
    mg.random.seed(0)
    model = layers.Sequential([layers.Input((8,)), layers.Dense(16), LayerNormalization(),
                               layers.Dense(16), GroupNormalization(groups=4), layers.Dense(1)])
    model.compile(optimizer=mg.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=10, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
