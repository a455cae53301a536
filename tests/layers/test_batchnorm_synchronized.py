"""synchronized=True batch statistics: per-part moments (count, mean, centred sum of squares)
combined with Chan's formula agree with the plain two-pass statistics at any offset, and
the gradient flows through them (issue 10).

Before, the statistics came from one-pass sums ``S2 / n - mu**2``: at mean 1e4 in float32
the outputs were off by up to 144 and the variance by a factor of 15.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from layers.normalization import BatchNormalization, _synchronized_moments

RNG = np.random.default_rng(12)


def _pair(**kwargs):
    return (BatchNormalization(synchronized=True, momentum=0.0, **kwargs),
            BatchNormalization(fused=False, momentum=0.0, **kwargs))


@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
@pytest.mark.parametrize("shape, kwargs", [((64, 8, 8, 16), {}), ((32, 4, 6, 6), {"axis": 1}),
                                           ((24, 5, 3), {"virtual_batch_size": 4})],
                         ids=["nhwc", "channels_first", "ghost"])
def test_synchronized_agrees_with_plain_batch_norm_at_mean_1e4_in_float32(shape, kwargs, masked):
    x = (1e4 + RNG.standard_normal(shape)).astype(np.float32)
    axis = kwargs.get("axis", -1) % len(shape)
    mask = RNG.random(tuple(s for i, s in enumerate(shape) if i != axis)) > 0.3 if masked else None
    sync, plain = _pair(**kwargs)
    y_sync = sync(x, training=True, mask=mask).numpy()
    y_plain = plain(x, training=True, mask=mask).numpy()
    assert y_sync.dtype == np.float32
    # outputs are about N(0, 1): a few float32 ulps of values up to ~5 (measured: 4.8e-7)
    np.testing.assert_allclose(y_sync, y_plain, rtol=0, atol=2e-6)
    np.testing.assert_allclose(sync.moving_mean.numpy(), plain.moving_mean.numpy(), rtol=2e-7)
    np.testing.assert_allclose(sync.moving_variance.numpy(), plain.moving_variance.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 3)])
def test_synchronized_with_every_axis_normalized_reduces_nothing(shape):
    # axis names every axis: nothing is reduced, each value is its own batch (mean x, variance 0)
    x = RNG.standard_normal(shape).astype(np.float32) + 3
    sync, plain = _pair(axis=list(range(len(shape))), center=False, scale=False)
    y_sync = sync(x, training=True).numpy()
    np.testing.assert_allclose(y_sync, plain(x, training=True).numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(y_sync, np.zeros(shape), atol=1e-6)
    np.testing.assert_allclose(sync.moving_mean.numpy(), x, rtol=1e-7)
    np.testing.assert_allclose(sync.moving_variance.numpy(), np.zeros(shape), atol=0)


@pytest.mark.parametrize("parts", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("weighted", [False, True])
def test_part_moments_combine_to_the_two_pass_statistics(parts, weighted):
    # 7 rows cut into `parts` uneven pieces; with weights, the first two rows weigh 0, so
    # a part can be empty of weight
    x = 3.0 + RNG.standard_normal((7, 4, 3))
    w = None
    if weighted:
        w = (RNG.random((7, 4, 1)) > 0.4) * np.ones((7, 4, 3))
        w[:2] = 0.0
    mean, variance, centered = _synchronized_moments(
        mg.tensor(x), (0, 1), None if w is None else mg.tensor(w), parts=parts)
    weights = np.ones_like(x) if w is None else w
    n = weights.sum(axis=(0, 1), keepdims=True)
    mu = (weights * x).sum(axis=(0, 1), keepdims=True) / n
    sigma2 = (weights * (x - mu) ** 2).sum(axis=(0, 1), keepdims=True) / n
    np.testing.assert_allclose(mean.numpy(), mu, rtol=1e-13)
    np.testing.assert_allclose(variance.numpy(), sigma2, rtol=1e-13)
    np.testing.assert_allclose(centered.numpy(), x - mu, rtol=1e-13, atol=1e-13)


def test_synchronized_moments_of_an_all_masked_channel_are_zero():
    x = RNG.standard_normal((6, 2))
    w = np.ones((6, 2))
    w[:, 1] = 0.0
    mean, variance, _ = _synchronized_moments(mg.tensor(x), (0,), mg.tensor(w), parts=3)
    np.testing.assert_allclose(mean.numpy()[0], [x[:, 0].mean(), 0.0], rtol=1e-14)
    np.testing.assert_allclose(variance.numpy()[0], [x[:, 0].var(), 0.0], rtol=1e-14)


def test_a_first_part_without_weight_keeps_the_precision_at_mean_1e4():
    # the first half of the batch masked out: the combination must not measure the second
    # half's mean from the empty part's shift (0), which would round it at 1e4
    x = (1e4 + RNG.standard_normal((8, 6, 4))).astype(np.float32)
    mask = np.ones((8, 6), bool)
    mask[:4] = False
    sync, plain = _pair()
    y_sync = sync(x, training=True, mask=mask).numpy()
    y_plain = plain(x, training=True, mask=mask).numpy()
    np.testing.assert_allclose(y_sync, y_plain, rtol=0, atol=2e-6)
    np.testing.assert_allclose(sync.moving_variance.numpy(), plain.moving_variance.numpy(), rtol=1e-6)


# -- the gradient flows through the combination (float64) ----------------------------------------
def test_synchronized_moments_gradcheck():
    w = (RNG.random((7, 3)) > 0.3).astype(np.float64)

    def f(x):
        mean, variance, centered = _synchronized_moments(x, (0,), mg.tensor(w), parts=3)
        return mean * 2.0 + mg.sqrt(variance) * 3.0 + mg.sum(centered * centered * w, axis=0)

    x = 50.0 + RNG.standard_normal((7, 3))  # an offset: the shifts are constants for the gradient
    assert mg.gradcheck(f, [x], mode="full")
    assert mg.gradcheck(f, [x], order=2)


@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
def test_synchronized_layer_gradcheck(masked):
    bn = BatchNormalization(synchronized=True, dtype="float64")
    mask = RNG.random((5, 4)) > 0.3 if masked else None
    x = 2.0 + RNG.standard_normal((5, 4, 3))
    upstream = RNG.standard_normal((5, 4, 3))  # not a plain sum: that is 0 for normalized outputs

    def f(x):
        return bn(x, training=True, mask=mask) * upstream

    assert mg.gradcheck(f, [x])
    assert mg.gradcheck(f, [x], order=2)
    # and it is the plain layer's gradient
    plain = BatchNormalization(fused=False, dtype="float64")
    grads = []
    for layer in (bn, plain):
        t = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(t)
            loss = mg.sum(layer(t, training=True, mask=mask) * upstream)
        grads.append(tape.gradient(loss, [t] + layer.trainable_weights))
    for g_sync, g_plain in zip(*grads):
        np.testing.assert_allclose(g_sync.numpy(), g_plain.numpy(), rtol=1e-10, atol=1e-12)
