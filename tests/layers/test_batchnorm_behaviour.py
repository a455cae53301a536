"""BatchNormalization behaviour beyond the recorded Keras cases: hand-derived numbers,
the two implementations (composite vs fused), V1 deferred updates, the TF1 functional form
with UPDATE_OPS, synchronized statistics, masks, ghost batches, dtypes and configs.

Reference vector (keras_bn_spec.md section 1): x = [[0, 1], [2, 3], [4, 8]], so
mu = [2, 4], sigma2 = [8/3, 26/3], s2 = [4, 13].
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.functional import AUTO_REUSE, FUNCTIONAL_LAYERS, UPDATE_OPS, batch_normalization, get_collection
from layers.input_layer import Input
from layers.normalization import BatchNormalization

X = np.array([[0, 1], [2, 3], [4, 8]], np.float64)
MU, SIGMA2, S2 = np.array([2.0, 4.0]), np.array([8 / 3, 26 / 3]), np.array([4.0, 13.0])
RNG = np.random.default_rng(3)


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def randn(*shape, dtype=np.float64, loc=0.0, scale=1.0):
    return (RNG.normal(size=shape) * scale + loc).astype(dtype)


def numpy_bn(x, axis, gamma, beta, eps):
    red = tuple(i for i in range(x.ndim) if i not in axis)
    mu = x.mean(red, keepdims=True)
    var = ((x - mu) ** 2).mean(red, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


# -- the reference vector ------------------------------------------------------------------
def test_reference_vector_non_fused():
    bn = BatchNormalization(dtype="float64")
    y = bn(X, training=True).numpy()
    np.testing.assert_allclose(y[:, 0], [-1.224515, 0, 1.224515], atol=1e-6)
    np.testing.assert_allclose(y[:, 1], [-1.018991, -0.339664, 1.358654], atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * MU, rtol=1e-12)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * SIGMA2, rtol=1e-12)


def test_reference_vector_fused_uses_bessel_for_the_moving_variance():
    x4 = X.astype(np.float32).reshape(3, 1, 1, 2)  # rank 4: fused by default
    bn = BatchNormalization()
    y = bn(x4, training=True)
    assert bn.fused is True
    np.testing.assert_allclose(y.numpy().reshape(3, 2)[:, 0], [-1.224515, 0, 1.224515], atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.02, 0.04], rtol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.03, 1.12], rtol=1e-6)  # s2


def test_reference_vector_renorm_first_step_is_identity():
    bn = BatchNormalization(renorm=True, dtype="float64")
    y = bn(X, training=True).numpy()
    np.testing.assert_allclose(y, X, atol=1e-12)  # r = s_B, d = mu at the first step
    np.testing.assert_allclose(bn.moving_stddev.numpy(), [1.006333, 1.019441], atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.011706, 1.03826], atol=1e-6)
    np.testing.assert_allclose(bn.renorm_mean.numpy(), 0.01 * MU, rtol=1e-12)


def test_renorm_clipping_hits_its_bounds():
    bn = BatchNormalization(renorm=True, renorm_clipping={"rmax": 1.1, "rmin": 0.9, "dmax": 0.2},
                            dtype="float64")
    y = bn(X, training=True).numpy()
    s_b = np.sqrt(SIGMA2 + 1e-3)
    r = np.clip(s_b, 0.9, 1.1)  # renorm_stddev = 1, renorm_mean = 0 before the step
    d = np.clip(MU, -0.2, 0.2)
    np.testing.assert_allclose(y, (X - MU) / s_b * r + d, rtol=1e-12)


# -- training / trainable ------------------------------------------------------------------
def test_v2_frozen_layer_runs_in_inference_and_keeps_its_state():
    bn = BatchNormalization(trainable=False, dtype="float64")
    bn.build((3, 2))
    bn.moving_mean.assign([1.0, 2.0])
    frozen = bn(X, training=True).numpy()
    np.testing.assert_allclose(frozen, bn(X, training=False).numpy())
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [1.0, 2.0])
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4


def test_training_none_follows_the_learning_phase_and_the_enclosing_call():
    bn = BatchNormalization(dtype="float64")
    bn(X)  # learning phase 0: inference
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [0, 0])
    with backend.learning_phase_scope(1):
        bn(X)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * MU)


def test_count_params_weights_order_and_multi_axis_shapes():
    bn = BatchNormalization(axis=[1, 3])
    bn.build((None, 4, 5, 3))
    assert [tuple(w.shape) for w in bn.weights] == [(1, 4, 1, 3)] * 4
    bn3 = BatchNormalization()
    bn3.build((None, 3))
    assert bn3.count_params() == 12
    assert [w.name for w in bn3.weights] == [f"{bn3.name}/{n}:0" for n in
                                              ("gamma", "beta", "moving_mean", "moving_variance")]
    with pytest.raises(ValueError):
        bn3.set_weights([np.ones(3)] * 3)


def test_batch_of_one_gives_beta_and_pulls_the_variance_towards_zero():
    bn = BatchNormalization(center=True, dtype="float64", momentum=0.5)
    bn.build((1, 2))
    bn.beta.assign([0.3, -0.2])
    np.testing.assert_allclose(bn(np.array([[5.0, 7.0]]), training=True).numpy(), [[0.3, -0.2]])
    np.testing.assert_allclose(bn.moving_variance.numpy(), [0.5, 0.5])


# -- the two implementations ---------------------------------------------------------------
def test_composite_path_agrees_with_the_fused_primitive_in_float64():
    x, dy = randn(4, 3, 2, 5), randn(4, 3, 2, 5)
    gamma, beta = mg.tensor(randn(5) + 1), mg.tensor(randn(5))
    bn = BatchNormalization(fused=False, dtype="float64", momentum=0.0)
    bn.build(x.shape)
    bn.gamma.assign(gamma)
    bn.beta.assign(beta)
    xt = mg.tensor(x)
    with mg.GradientTape(persistent=True) as tape:
        tape.watch([xt, gamma, beta])
        y_layer = bn(xt, training=True)
        y_fused, mean, var = mg.nn.batch_norm_train(xt, gamma, beta, axis=-1, epsilon=1e-3)
        loss_layer, loss_fused = mg.sum(y_layer * dy), mg.sum(y_fused * dy)
    np.testing.assert_allclose(y_layer.numpy(), y_fused.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var.numpy(), rtol=0, atol=1e-12)
    g_layer = tape.gradient(loss_layer, [xt, bn.gamma, bn.beta])
    g_fused = tape.gradient(loss_fused, [xt, gamma, beta])
    for a, b in zip(g_layer, g_fused):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=1e-10)
    y_inf = mg.nn.batch_norm_infer(xt, gamma, beta, bn.moving_mean, bn.moving_variance, axis=-1,
                                   epsilon=1e-3)
    np.testing.assert_allclose(y_inf.numpy(), bn(xt, training=False).numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("axis", [-1, 1])
def test_fused_and_composite_layers_agree_except_the_bessel_factor(axis):
    x = randn(6, 3, 4, 5, dtype=np.float32)
    n = x.size // x.shape[axis]
    fused, plain = BatchNormalization(axis=axis, fused=True), BatchNormalization(axis=axis, fused=False)
    outputs = []
    for bn in (fused, plain):
        xt = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(xt)
            y = bn(xt, training=True)
            loss = mg.sum(y * y * 0.5 + y)
        outputs.append([y] + tape.gradient(loss, [xt, bn.gamma, bn.beta]))
    for a, b in zip(*outputs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)
    # atol: 0.01 * the float32 resolution (1e-7) of a mean of unit-scale data; a channel mean
    # can be ~1e-5 (it is with this file's random stream), where rtol alone asks for 1e-10
    np.testing.assert_allclose(fused.moving_mean.numpy(), plain.moving_mean.numpy(), rtol=1e-5,
                               atol=1e-9)
    sigma2 = (plain.moving_variance.numpy() - 0.99) / 0.01
    np.testing.assert_allclose((fused.moving_variance.numpy() - 0.99) / 0.01, sigma2 * n / (n - 1),
                               rtol=1e-3)


def test_fused_train_and_inference_differ_with_momentum_zero_composite_does_not():
    x = randn(4, 2, 2, 3, dtype=np.float32)
    fused, plain = BatchNormalization(momentum=0.0), BatchNormalization(momentum=0.0, fused=False)
    gaps = []
    for bn in (fused, plain):
        y_train = bn(x, training=True).numpy()
        gaps.append(np.abs(y_train - bn(x, training=False).numpy()).max())
    assert fused.fused and gaps[0] > 1e-2  # inference uses s2 = sigma2 * 16 / 15
    assert gaps[1] < 1e-5


@pytest.mark.parametrize("kwargs", [
    {}, {"virtual_batch_size": 2}, {"synchronized": True}, {"axis": [1, 2]},
    {"center": False, "scale": False},
], ids=["plain", "ghost", "synchronized", "multi_axis", "bare"])
def test_composite_path_gradients(kwargs):
    """The tape's gradients of the composite path against finite differences (gamma and beta
    are swapped for watched Tensors)."""
    x = randn(4, 3, 2)
    bn = BatchNormalization(dtype="float64", fused=False, **kwargs)
    bn.build(x.shape)
    names = [n for n in ("gamma", "beta") if getattr(bn, n) is not None]

    def f(xt, *params):
        for name, p in zip(names, params):
            setattr(bn, name, p)
        return bn(xt, training=True)
    assert mg.gradcheck(f, [x] + [getattr(bn, n).numpy() + randn(*getattr(bn, n).shape) * 0.1
                                  for n in names])


def test_renorm_r_and_d_are_constants_for_the_gradient():
    """As in Keras (stop_gradient): the renorm gradient is plain BN's with gamma * r."""
    x, dy = randn(6, 3), randn(6, 3)
    bn = BatchNormalization(renorm=True, dtype="float64")
    bn.build(x.shape)
    bn.renorm_mean.assign(randn(3))
    bn.renorm_stddev.assign(np.abs(randn(3)) + 0.5)
    r = np.sqrt(x.var(0) + 1e-3) / bn.renorm_stddev.numpy()
    plain = BatchNormalization(dtype="float64")
    plain.build(x.shape)
    plain.gamma.assign(r)
    grads = []
    for layer in (bn, plain):
        xt = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(xt)
            loss = mg.sum(layer(xt, training=True) * dy)
        grads.append(tape.gradient(loss, xt).numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)


def test_composite_path_second_derivatives():
    bn = BatchNormalization(dtype="float64", fused=False)
    assert mg.gradcheck(lambda x: bn(x, training=True), [randn(5, 3)], order=2)


# -- masks, synchronized, ghost batches, dtypes ---------------------------------------------
def test_mask_leaves_masked_positions_out_of_the_statistics_only():
    x, mask = randn(3, 4, 2), RNG.random((3, 4)) > 0.4
    bn = BatchNormalization(dtype="float64", momentum=0.0, center=False, scale=False)
    y = bn(x, training=True, mask=mask).numpy()
    kept = x[mask]  # (k, 2)
    mu, var = kept.mean(0), kept.var(0)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-3), rtol=1e-12)  # all normalized
    np.testing.assert_allclose(bn.moving_mean.numpy(), mu, rtol=1e-12)
    # channels-first: the mask is the shape without axis 1
    bn1 = BatchNormalization(axis=1, dtype="float64", momentum=0.0, center=False, scale=False)
    y1 = bn1(np.moveaxis(x, 2, 1), training=True, mask=mask).numpy()
    np.testing.assert_allclose(np.moveaxis(y1, 1, 2), y, rtol=1e-12)
    with pytest.raises(ValueError, match="does not fit"):
        bn(x, training=True, mask=mask[0])


def test_synchronized_gives_the_two_pass_numbers():
    x, mask = randn(6, 5, 3, loc=2.0), RNG.random((6, 5)) > 0.3
    for m in (None, mask):
        a = BatchNormalization(synchronized=True, dtype="float64", momentum=0.5)
        b = BatchNormalization(dtype="float64", momentum=0.5)
        np.testing.assert_allclose(a(x, training=True, mask=m).numpy(),
                                   b(x, training=True, mask=m).numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(a.moving_variance.numpy(), b.moving_variance.numpy(), rtol=1e-10)
    sync = BatchNormalization(synchronized=True)
    assert sync.fused is False and sync.get_config()["synchronized"] is True
    assert "synchronized" not in BatchNormalization().get_config()  # as tf-keras
    with pytest.raises(ValueError, match="synchronized"):
        BatchNormalization(synchronized=True, fused=True)
    assert layers_v1.BatchNormalization(synchronized=True).synchronized is False  # dropped in V1


def test_ghost_batches_are_strided_and_inference_takes_any_batch():
    x = np.arange(16, dtype=np.float64).reshape(8, 2)
    bn = BatchNormalization(virtual_batch_size=2, dtype="float64", momentum=0.0)
    y = bn(x, training=True).numpy()
    ghost_means, ghost_vars = [], []
    for j in range(4):  # ghost batch j = samples {j, j + 4}
        rows = x[[j, j + 4]]
        ghost_means.append(rows.mean(0))
        ghost_vars.append(rows.var(0))
        np.testing.assert_allclose(y[[j, j + 4]], numpy_bn(rows, (1,), 1, 0, 1e-3), rtol=1e-12)
    np.testing.assert_allclose(bn.moving_mean.numpy(), np.mean(ghost_means, 0), rtol=1e-12)
    np.testing.assert_allclose(bn.moving_variance.numpy(), np.mean(ghost_vars, 0), rtol=1e-12)
    assert bn(x[:3], training=False).shape == (3, 2)
    # with a mask, each ghost batch keeps only its unmasked samples
    mask = np.array([True, True, False, True, True, True, True, False])
    masked = BatchNormalization(virtual_batch_size=2, dtype="float64", momentum=0.0)
    y_masked = masked(x, training=True, mask=mask).numpy()
    for j in range(4):
        rows = [i for i in (j, j + 4) if mask[i]]
        mu, var = x[rows].mean(0), x[rows].var(0)
        np.testing.assert_allclose(y_masked[[j, j + 4]], (x[[j, j + 4]] - mu) / np.sqrt(var + 1e-3),
                                   rtol=1e-12)
    clone = BatchNormalization.from_config(bn.get_config())
    np.testing.assert_allclose(clone(x, training=True).numpy(), y)


def test_float16_inputs_compute_in_float32_and_stay_finite():
    x = randn(64, 3, loc=1000.0, scale=300.0, dtype=np.float16)  # variance ~9e4 > float16 max
    for dtype in ("float16", "mixed_float16"):
        bn = BatchNormalization(dtype=dtype)
        y = bn(x, training=True)
        assert y.dtype == np.float16 and bn.moving_variance.dtype == np.float32
        assert np.all(np.isfinite(y.numpy()))
        np.testing.assert_allclose(y.numpy(), numpy_bn(x.astype(np.float64), (1,), 1, 0, 1e-3),
                                   atol=5e-3)
    assert BatchNormalization()(x, training=True).dtype == np.float32  # float32 layer


# -- V1: deferred updates, frozen still uses batch statistics, fused falls back ----------------
def test_v1_updates_wait_until_run():
    bn = layers_v1.BatchNormalization(dtype="float64")
    xt = mg.tensor(X)
    y = bn(xt, training=True)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [0, 0])
    updates = bn.get_updates_for(xt)
    assert len(updates) == 2 and updates == bn.updates and bn.get_updates_for(None) == []
    for update in updates:
        update()
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * MU)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * SIGMA2)
    np.testing.assert_allclose(y.numpy(), BatchNormalization(dtype="float64")(X, training=True).numpy())


def test_v1_frozen_layer_uses_batch_statistics_and_reports_no_updates():
    bn = layers_v1.BatchNormalization(trainable=False, dtype="float64")
    y = bn(X, training=True).numpy()
    np.testing.assert_allclose(y, numpy_bn(X, (1,), 1, 0, 1e-3), rtol=1e-12)
    assert bn.updates == []


def test_v1_fused_falls_back_silently():
    bn = layers_v1.BatchNormalization(fused=True, renorm=True)
    bn(np.ones((2, 3, 3, 2), np.float32))
    assert bn.fused is False
    bn3 = layers_v1.BatchNormalization(fused=True)
    bn3(np.ones((2, 3), np.float32))
    assert bn3.fused is False


def test_fit_runs_v1_updates():
    from layers.core import Dense
    from layers.models import Sequential

    model = Sequential([layers_v1.BatchNormalization(input_shape=(2,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X.astype(np.float32), np.ones((3, 1), np.float32), batch_size=3, epochs=1, verbose=0)
    np.testing.assert_allclose(model.layers[0].moving_mean.numpy(), 0.01 * MU, rtol=1e-5)


# -- TF1 functional form ----------------------------------------------------------------------
def test_functional_form_defaults_to_inference_and_collects_updates():
    x = mg.tensor(X)
    y = batch_normalization(x, name="bn")  # training=False by default
    np.testing.assert_allclose(y.numpy(), X / np.sqrt(1 + 1e-3), rtol=1e-6)
    assert get_collection(UPDATE_OPS) == []
    batch_normalization(x, training=True, name="bn", reuse=True)
    updates = get_collection(UPDATE_OPS)
    assert len(updates) == 2
    for update in updates:
        update()
    again = batch_normalization(x, training=False, name="bn", reuse=True).numpy()
    mean, var = 0.01 * MU, 0.99 + 0.01 * SIGMA2
    np.testing.assert_allclose(again, (X - mean) / np.sqrt(var + 1e-3), rtol=1e-5)
    backend.clear_session()
    assert get_collection(UPDATE_OPS) == []


def test_functional_form_keeps_only_each_layers_latest_updates():
    # TF1 made one update op per moving statistic and ran it every step, so running the whole
    # collection after each step must apply each layer's update for the latest batch once.
    first, second = mg.tensor(X), mg.tensor(X + 10.0)
    batch_normalization(first, training=True, name="bn")
    batch_normalization(second, training=True, name="bn", reuse=True)
    batch_normalization(second, training=False, name="bn", reuse=True)  # inference adds none
    updates = get_collection(UPDATE_OPS)
    assert len(updates) == 2
    for update in updates:
        update()
    layer = next(x for x in get_collection(FUNCTIONAL_LAYERS) if x.name == "bn")
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * (MU + 10.0), rtol=1e-6)


def test_functional_form_reuse_rules():
    x = mg.tensor(X.astype(np.float32))
    batch_normalization(x, name="bn")
    with pytest.raises(ValueError, match="already exists"):
        batch_normalization(x, name="bn")
    with pytest.raises(ValueError, match="does not exist"):
        batch_normalization(x, name="other", reuse=True)
    batch_normalization(x, name="other", reuse=AUTO_REUSE)  # made
    batch_normalization(x, name="other", reuse=AUTO_REUSE)  # reused
    batch_normalization(x)  # unnamed: batch_normalization_1, ...


def test_functional_form_frozen_layer_adds_no_updates():
    y = batch_normalization(mg.tensor(X), training=True, trainable=False)
    np.testing.assert_allclose(y.numpy(), numpy_bn(X, (1,), 1, 0, 1e-3), rtol=1e-5)
    assert get_collection(UPDATE_OPS) == []


# -- symbolic calls and config ----------------------------------------------------------------
def test_symbolic_call_changes_nothing():
    inputs = Input(shape=(4,))
    bn = BatchNormalization()
    out = bn(inputs, training=True)
    assert out.shape == (None, 4)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(4))


def test_config_round_trip():
    bn = BatchNormalization(axis=1, momentum=0.9, fused=False, renorm=True,
                            renorm_clipping={"rmax": 2.0}, gamma_regularizer="l2",
                            beta_constraint="non_neg", input_shape=(3, 4))
    config = bn.get_config()
    assert config["fused"] is False and config["batch_input_shape"] == (None, 3, 4)
    clone = BatchNormalization.from_config(config)
    assert not clone.built and clone.get_config() == config
    assert "fused" not in BatchNormalization().get_config()  # None: not written, as Keras
