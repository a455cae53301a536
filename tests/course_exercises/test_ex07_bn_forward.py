"""ex07: BatchNormalization's forward in training and in inference (the composite path).

The student writes the moments (``two_pass_moments``: mean, biased variance and ``x - mean``
over the reduction axes, optionally weighted by a mask) and the normalization
(``_batch_normalization``: ``(x - mean) / sqrt(variance + epsilon) * gamma + beta``). The
layer is checked against the recorded Keras cases, and the moments directly against a NumPy
oracle. A wrong output is compared with the known mistakes: the variance divided by n - 1,
epsilon outside the square root, and statistics over the wrong axes.
"""

from __future__ import annotations

import numpy as np
import pytest
from bn_cases import call, entries, load, make_layer, mask_weights, parameters, trains

import minigrad as mg
from course.diagnose import check_close, check_table
from course.oracles import bn_axes, bn_moments, bn_normalize, bn_train_forward
from layers import normalization
from layers.normalization import BatchNormalization, two_pass_moments

TRAIN_MISTAKES = ("n_minus_1", "eps_outside_sqrt", "batch_axis_only", "channel_axis")
CASES = entries(set(), exclude={"renorm", "renorm_clipping", "virtual_batch", "float16", "v1"})


def expected_mistakes(case, meta, training: bool) -> dict | None:
    """The oracle's output under each known wrong convention (None for cases it does not model)."""
    if meta["adjustment"] is not None:
        return None
    x, p, eps = case["x"], parameters(case, meta), meta["constructor_kwargs"]["epsilon"]
    axes = meta["effective"]["normalized_axes"]
    if not training:
        return {"eps_outside_sqrt": bn_normalize(x, p["moving_mean"], p["moving_variance"], p["gamma"],
                                                 p["beta"], eps, "eps_outside_sqrt")}
    return {c: bn_train_forward(x, p["gamma"], p["beta"], axes, eps, mask_weights(case, meta), c)[0]
            for c in TRAIN_MISTAKES}


def check_functions(case, meta, training: bool) -> None:
    """Your two functions on the case's numbers, before the layer: in training the moments, and
    the output where the layer adds nothing (no adjustment); in inference the output."""
    x, p, eps = case["x"], parameters(case, meta), meta["constructor_kwargs"]["epsilon"]
    axes = meta["effective"]["normalized_axes"]
    tol = meta["suggested_tolerance"]
    t64 = {k: None if v is None else mg.tensor(v, dtype="float64") for k, v in p.items()}
    x64 = mg.tensor(np.asarray(x, np.float64), dtype="float64")
    if not training:
        y = normalization._batch_normalization(x64 - t64["moving_mean"], t64["moving_variance"], t64["beta"],
                                               t64["gamma"], eps)
        check_close("_batch_normalization with the moving statistics", y, case["y"], **tol,
                    wrong=expected_mistakes(case, meta, training))
        return
    weights = mask_weights(case, meta)
    mean, variance, centered = normalization.two_pass_moments(
        x64, bn_axes(x.ndim, axes), None if weights is None else mg.tensor(weights, dtype="float64"))
    right = bn_moments(x, axes, weights)
    wrong = {c: bn_moments(x, axes, weights, c) for c in ("n_minus_1",)}
    check_table(f"two_pass_moments of case {meta['name']!r}", [("mean", mean, right[0]),
                ("variance", variance, right[1])], rtol=1e-9, atol=1e-12, wrong=wrong)
    if meta["adjustment"] is None:
        y = normalization._batch_normalization(centered, variance, t64["beta"], t64["gamma"], eps)
        check_close("_batch_normalization with the batch statistics", y, case["y"], **tol,
                    wrong=expected_mistakes(case, meta, training))


@pytest.mark.parametrize("entry", CASES, ids=[e["name"] for e in CASES])
def test_layer_matches_keras(entry):
    case, meta = load(entry)
    training = bool(meta["training"]) and meta["constructor_kwargs"]["trainable"]
    check_functions(case, meta, training)
    layer = make_layer(case, meta)
    y = call(layer, case, meta)
    training = trains(layer, meta)
    check_close(f"y ({'training' if training else 'inference'} mode, input {case['x'].shape}, "
                f"axis {meta['effective']['normalized_axes']})", y, case["y"],
                **meta["suggested_tolerance"], wrong=expected_mistakes(case, meta, training),
                context=f"recorded Keras case {meta['name']!r}")


def moments_case(shape, reduction_axes, masked: bool, seed: int, offset: float = 0.0):
    rng = np.random.default_rng(seed)
    x = offset + rng.normal(size=shape) * rng.uniform(0.5, 3.0, size=shape[-1:])
    weights = (rng.random(size=shape) < 0.7).astype(np.float64) if masked else None
    got = two_pass_moments(mg.tensor(x, dtype="float64"), reduction_axes,
                           None if weights is None else mg.tensor(weights, dtype="float64"))
    channel_axes = [i for i in range(len(shape)) if i not in reduction_axes]
    mean, variance = bn_moments(x, channel_axes, weights)
    wrong = {c: bn_moments(x, channel_axes, weights, c)
             for c in ("n_minus_1", "batch_axis_only", "channel_axis")}
    check_table(f"two_pass_moments over axes {reduction_axes} of an input {shape}"
                f"{' with a mask' if masked else ''}",
                [("mean", got[0], mean), ("variance", got[1], variance), ("centered", got[2], x - mean)],
                rtol=1e-9, atol=1e-12,
                wrong={c: (m, v, x - m) for c, (m, v) in wrong.items()})


@pytest.mark.parametrize("shape,axes", [((8, 3), (0,)), ((4, 5, 3), (0, 1)), ((2, 3, 4, 5), (0, 2, 3)),
                                        ((3, 4, 2, 5), (0, 1, 2))])
@pytest.mark.parametrize("masked", [False, True])
def test_moments(shape, axes, masked):
    moments_case(shape, axes, masked, seed=len(shape) + masked)


def test_moments_keep_their_precision_far_from_zero():
    """float32 data at 1e4 + N(0, 1): E[x^2] - E[x]^2 loses every digit, and even the first mean
    is off by about 1e-3 (float32 sums); a second pass over x - mu0 corrects it."""
    rng = np.random.default_rng(2)
    x = (1e4 + rng.normal(size=(256, 4))).astype(np.float32)
    mean, variance, centered = two_pass_moments(mg.tensor(x), (0,))
    exact_mean, exact_variance = bn_moments(x.astype(np.float64), [1])
    # a float32 first mean is off by about 1e-3 here: the second pass must correct it (the mean
    # to half a float32 ulp at 1e4, 5e-4; x - mean to float32's precision near 1)
    check_close("mean at offset 1e4 (float32)", mean, exact_mean, rtol=0, atol=1e-3)
    check_close("x - mean at offset 1e4 (float32)", centered, x.astype(np.float64) - exact_mean,
                rtol=0, atol=1e-4)
    check_close("variance at offset 1e4 (float32)", variance, exact_variance, rtol=1e-4, atol=0,
                wrong={"n_minus_1": bn_moments(x.astype(np.float64), [1], None, "n_minus_1")[1]})


def test_a_fully_masked_channel_gives_zero_statistics():
    """No weight at all (count 0): mean and variance are 0, as tf.math.divide_no_nan, not NaN."""
    x = np.arange(12.0).reshape(4, 3)
    weights = np.ones((4, 3))
    weights[:, 1] = 0
    mean, variance, _ = two_pass_moments(mg.tensor(x), (0,), mg.tensor(weights))
    check_table("moments with channel 1 fully masked", [
        ("mean", mean, [[4.5, 0.0, 6.5]]), ("variance", variance, [[11.25, 0.0, 11.25]])])


@pytest.mark.hidden
def test_random_layer_forward(course_seed):
    rng = np.random.default_rng(course_seed)
    ndim = int(rng.integers(2, 5))
    shape = tuple(int(s) for s in rng.integers(2, 6, size=ndim))
    axis = int(rng.integers(-1, ndim)) if ndim > 2 else -1
    channels = shape[axis]
    epsilon = float(rng.choice([1e-3, 0.1, 1.0]))
    x = rng.normal(size=shape) * 2 + 1
    gamma, beta = rng.normal(size=channels), rng.normal(size=channels)
    mm, mv = rng.normal(size=channels), rng.uniform(0.5, 2.0, size=channels)
    reduction = tuple(i for i in range(ndim) if i != axis % ndim)
    moments_case(shape, reduction, masked=bool(rng.integers(2)), seed=int(rng.integers(2**31)))
    layer = BatchNormalization(axis=axis, epsilon=epsilon, fused=False, dtype="float64")
    layer(np.zeros(shape), training=False)
    layer.set_weights([gamma, beta, mm, mv])
    b = [shape[i] if i == axis % ndim else 1 for i in range(ndim)]
    g, bt, mmb, mvb = (v.reshape(b) for v in (gamma, beta, mm, mv))
    check_close("y (inference)", layer(x, training=False), bn_normalize(x, mmb, mvb, g, bt, epsilon),
                wrong={"eps_outside_sqrt": bn_normalize(x, mmb, mvb, g, bt, epsilon, "eps_outside_sqrt")})
    check_close("y (training)", layer(x, training=True), bn_train_forward(x, g, bt, axis, epsilon)[0],
                wrong={c: bn_train_forward(x, g, bt, axis, epsilon, None, c)[0] for c in TRAIN_MISTAKES})
