"""Numerical robustness of BatchNormalization: large means in float32, float16, synchronized.

1. **|mean| >> std in float32.** Inputs ``1e4 + N(0, 1)``: float32 resolves 1e4 only to
   ~1e-3, so anything that forms ``E[x**2] - E[x]**2``, sums ~1e4-sized values naively, or
   computes ``x * k + (beta - mean * k)`` (two ~1e4 terms that cancel) loses most of the
   output's digits. Both paths (fused and composite) must normalize with a relative error
   (largest ``|y - y_ref|`` over the output's standard deviation, 1 here) below 1e-3 against
   a float64 reference with two-pass statistics, in training and in inference once the
   moving statistics have converged; the gradient ``dx`` too.
2. **float16.** Inputs ``1000 +- 300`` (variance ~9e4, above float16's largest value 65504)
   stay finite in the outputs, the gradients and the moving statistics: V2 and V1, policy
   ``mixed_float16`` and dtype ``float16``, fused and composite.
3. **synchronized** statistics come from per-part moments (count, mean, centred sum of
   squares) combined with Chan's formula: the two-pass numbers, and never a negative
   variance where a one-pass formula ``S2 / n - mu**2`` would round below zero
   (``test_batchnorm_synchronized.py`` checks them at mean 1e4).
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.normalization import BatchNormalization

EPSILON = 1e-3


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def reference(x, axis: int, mean=None, variance=None, dy=None):
    """float64 ``y = (x - mu) / sqrt(var + eps)`` with two-pass batch statistics (or the given
    ones); with ``dy``, also the training-mode ``dx`` of ``sum(y * dy)``."""
    x = x.astype(np.float64)
    reduced = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    if mean is None:
        mean = x.mean(reduced, keepdims=True)
        variance = ((x - mean) ** 2).mean(reduced, keepdims=True)
    inv = 1 / np.sqrt(variance + EPSILON)
    x_hat = (x - mean) * inv
    if dy is None:
        return x_hat
    dy = dy.astype(np.float64)
    g_mean, gx_mean = dy.mean(reduced, keepdims=True), (dy * x_hat).mean(reduced, keepdims=True)
    return x_hat, inv * (dy - g_mean - x_hat * gx_mean)


def relative_error(actual, expected) -> float:
    """Largest absolute error over the standard deviation of the expected values."""
    actual = actual.numpy() if isinstance(actual, mg.Tensor) else actual
    return float(np.max(np.abs(actual.astype(np.float64) - expected)) / np.std(expected))


def per_channel(values, x, axis: int):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    return np.asarray(values, np.float64).reshape(shape)


# (id, shape, axis, fused)
LARGE_MEAN_CASES = [
    ("nhwc-fused", (32, 6, 6, 8), -1, True),
    ("nchw-fused", (32, 8, 6, 6), 1, True),
    ("nhwc-composite", (32, 6, 6, 8), -1, False),
    ("nchw-composite", (32, 8, 6, 6), 1, False),
    ("dense-composite", (2048, 8), -1, False),
]


# -- 1. large mean in float32 ----------------------------------------------------------------------
@pytest.mark.parametrize("shape, axis, fused", [c[1:] for c in LARGE_MEAN_CASES],
                         ids=[c[0] for c in LARGE_MEAN_CASES])
def test_float32_mean_1e4_training_matches_two_pass_float64(shape, axis, fused):
    rng = np.random.default_rng(0)
    x = (1e4 + rng.normal(size=shape)).astype(np.float32)
    dy = rng.normal(size=shape).astype(np.float32)
    bn = BatchNormalization(axis=axis, fused=fused)
    xt = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(xt)
        y = bn(xt, training=True)
        loss = mg.sum(y * mg.tensor(dy))
    dx = tape.gradient(loss, xt)
    assert bn.fused is fused and y.dtype == np.float32
    y_ref, dx_ref = reference(x, axis, dy=dy)
    assert relative_error(y, y_ref) < 1e-3
    assert relative_error(dx, dx_ref) < 1e-3
    reduced = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    mean = x.astype(np.float64).mean(reduced)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-6)


@pytest.mark.parametrize("shape, axis, fused", [c[1:] for c in LARGE_MEAN_CASES],
                         ids=[c[0] for c in LARGE_MEAN_CASES])
def test_float32_mean_1e4_inference_after_the_moving_statistics_converge(shape, axis, fused):
    """Train until the moving statistics sit at the data's (mean 1e4, variance 1), then
    normalize a new batch with them: against float64 with the same (stored) statistics."""
    rng = np.random.default_rng(1)
    bn = BatchNormalization(axis=axis, fused=fused, momentum=0.8)
    for _ in range(60):
        bn(mg.tensor((1e4 + rng.normal(size=shape)).astype(np.float32)), training=True)
    mean, variance = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    np.testing.assert_allclose(mean, 1e4, atol=0.05)  # converged
    np.testing.assert_allclose(variance, 1.0, atol=0.15)
    x = (1e4 + rng.normal(size=shape)).astype(np.float32)
    y = bn(mg.tensor(x), training=False)
    ax = axis % x.ndim
    y_ref = reference(x, axis, per_channel(mean, x, ax), per_channel(variance, x, ax))
    assert relative_error(y, y_ref) < 1e-3


# -- 2. float16 ----------------------------------------------------------------------------------
FLOAT16_CASES = [  # (id, class, dtype, shape, fused)
    ("v2-float16-composite", BatchNormalization, "float16", (64, 3), False),
    ("v2-float16-fused", BatchNormalization, "float16", (8, 3, 3, 4), True),
    ("v2-mixed-composite", BatchNormalization, "mixed_float16", (64, 3), False),
    ("v2-mixed-fused", BatchNormalization, "mixed_float16", (8, 3, 3, 4), True),
    ("v2-mixed-composite-rank4", BatchNormalization, "mixed_float16", (8, 3, 3, 4), False),
    ("v1-float16-composite", layers_v1.BatchNormalization, "float16", (64, 3), False),
    ("v1-float16-fused", layers_v1.BatchNormalization, "float16", (8, 3, 3, 4), True),
    ("v1-mixed-fused", layers_v1.BatchNormalization, "mixed_float16", (8, 3, 3, 4), True),
]


@pytest.mark.parametrize("cls, dtype, shape, fused", [c[1:] for c in FLOAT16_CASES],
                         ids=[c[0] for c in FLOAT16_CASES])
def test_float16_inputs_around_1000_stay_finite(cls, dtype, shape, fused):
    rng = np.random.default_rng(2)
    bn = cls(dtype=dtype, fused=fused, momentum=0.5)
    for _ in range(3):
        x = (1000 + 300 * rng.normal(size=shape)).astype(np.float16)
        dy = rng.normal(size=shape).astype(np.float16)
        xt = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(xt)
            y = bn(xt, training=True)
            loss = mg.sum(mg.cast(y, "float32") * mg.tensor(dy.astype(np.float32)))
        grads = tape.gradient(loss, [xt] + bn.trainable_weights)
        for update in bn.updates:  # V1: deferred
            update()
        assert bn.fused is fused and y.dtype == np.float16 and grads[0].dtype == np.float16
        assert all(w.dtype == np.float32 for w in bn.weights)  # float32 parameters
        for value in [y] + grads + bn.weights:
            assert np.all(np.isfinite(value.numpy()))
        y_ref, dx_ref = reference(x, -1, dy=dy)
        np.testing.assert_allclose(y.numpy(), y_ref, atol=5e-3)  # float16 rounding of y
        assert relative_error(grads[0], dx_ref) < 1e-2
    # the moving variance (~9e4) is beyond float16 but fine in float32
    variance = bn.moving_variance.numpy()
    assert np.all(variance > 65504) and np.all(np.isfinite(variance))
    x = (1000 + 300 * rng.normal(size=shape)).astype(np.float16)
    y = bn(mg.tensor(x), training=False)
    assert y.dtype == np.float16 and np.all(np.isfinite(y.numpy()))


def test_float16_input_to_a_float32_layer_computes_in_float32():
    x = (1000 + 300 * np.random.default_rng(3).normal(size=(64, 3))).astype(np.float16)
    y = BatchNormalization()(mg.tensor(x), training=True)
    assert y.dtype == np.float32
    assert relative_error(y, reference(x, -1)) < 1e-5


# -- 3. synchronized ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"axis": [1, 2]}, {"virtual_batch_size": 2},
                                    {"renorm": True}], ids=["plain", "axes", "ghost", "renorm"])
@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
def test_synchronized_gives_the_two_pass_numbers_on_well_conditioned_data(kwargs, masked):
    rng = np.random.default_rng(4)
    x, dy = rng.normal(size=(8, 4, 3)) + 0.5, rng.normal(size=(8, 4, 3))
    axes = kwargs.get("axis", [2])
    mask = None
    if masked:
        mask = rng.random(tuple(s for i, s in enumerate(x.shape) if i not in axes)) > 0.3
        mask[:2] = True
    results = []
    for sync in (True, False):
        bn = BatchNormalization(dtype="float64", momentum=0.5, synchronized=sync, **kwargs)
        xt = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(xt)
            loss = mg.sum(bn(xt, training=True, mask=mask) * mg.tensor(dy))
        grads = tape.gradient(loss, [xt, bn.gamma, bn.beta])
        results.append([g.numpy() for g in grads] + [w.numpy() for w in bn.weights])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_synchronized_float32_matches_two_pass():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(256, 4)).astype(np.float32)
    ys = [BatchNormalization(synchronized=s)(mg.tensor(x), training=True).numpy() for s in (True, False)]
    np.testing.assert_allclose(ys[0], ys[1], rtol=1e-5, atol=1e-5)
    assert relative_error(ys[0], reference(x, -1)) < 1e-5


def test_synchronized_variance_is_never_negative():
    """Values 1000 + 1e-3 N(0, 1) in float32: the one-pass S2 / n - mu**2 (two ~1e6 numbers
    that cancel) rounds below zero for some channels; the layer clamps it at 0."""
    rng = np.random.default_rng(6)
    x = (1000 + 1e-3 * rng.normal(size=(64, 32))).astype(np.float32)
    x64 = x.astype(np.float64)
    # the trap exists: float32 one-pass variances, some negative
    one_pass = (x * x).mean(0, dtype=np.float32) - np.square(x.mean(0, dtype=np.float32))
    assert np.any(one_pass < 0)
    # momentum 0 from 0: the moving variance is the batch variance exactly, 0 - (0 - sigma2)
    kwargs = {"momentum": 0.0, "epsilon": 1e-8, "moving_variance_initializer": "zeros"}
    bn = BatchNormalization(synchronized=True, **kwargs)
    y = bn(mg.tensor(x), training=True)
    variance = bn.moving_variance.numpy()
    assert np.all(variance >= 0)
    assert np.all(np.isfinite(y.numpy()))
    # the two-pass layer keeps the true variance (~1e-6, to float32's resolution of x)
    two_pass = BatchNormalization(**kwargs)
    two_pass(mg.tensor(x), training=True)
    np.testing.assert_allclose(two_pass.moving_variance.numpy(), x64.var(0), rtol=1e-3)
