"""ex11: ghost batch normalization (``virtual_batch_size``).

The student splits a training batch of B samples into B / vbs ghost batches of ``vbs``
samples, Keras's way (strided: ghost j holds the samples i with i mod (B / vbs) == j),
normalizes each with its own statistics, and moves the moving statistics once per step by
the mean over the ghost batches of their means and variances. Checked against the recorded
Keras cases and a NumPy oracle; a wrong result is compared with the known mistakes:
contiguous ghost batches, and the whole batch's variance in the moving average.
"""

from __future__ import annotations

import numpy as np
import pytest
from bn_cases import call, entries, load, make_layer

import minigrad as mg
from course.diagnose import check_close, check_table
from course.oracles import ghost_groups, ghost_train, moving_average
from layers.normalization import BatchNormalization

CASES = [e for e in entries({"virtual_batch"}, exclude={"renorm", "inference"})]
MISTAKES = ("contiguous", "full_batch_variance")


def check_split(x, vbs: int) -> None:
    """``_split_ghost_batches`` alone, before the layer: (B, ...) -> (vbs, B / vbs, ...), ghost j on
    axis 1 holding the samples of ``ghost_groups`` (strided)."""
    got = BatchNormalization(virtual_batch_size=vbs)._split_ghost_batches(mg.tensor(x, dtype="float64"))
    groups = {c: ghost_groups(x.shape[0], vbs, c) for c in ("correct", "contiguous")}
    stacked = {c: np.stack([x[rows] for rows in g], axis=1) for c, g in groups.items()}
    check_close(f"_split_ghost_batches of a batch of {x.shape[0]} into ghost batches of {vbs}", got,
                stacked["correct"], rtol=0, atol=0, wrong={"contiguous": stacked["contiguous"]})


@pytest.mark.parametrize("entry", CASES, ids=[e["name"] for e in CASES])
def test_layer_matches_keras(entry):
    case, meta = load(entry)
    check_split(case["x"], meta["constructor_kwargs"]["virtual_batch_size"])
    layer = make_layer(case, meta)
    y = call(layer, case, meta)
    check_table(f"recorded Keras case {meta['name']!r}: input {case['x'].shape}, "
                f"virtual_batch_size {layer.virtual_batch_size}",
                [("y", y, case["y"]),
                 ("moving_mean", layer.moving_mean,
                  case["after/moving_mean"].reshape(layer.moving_mean.shape)),
                 ("moving_variance", layer.moving_variance,
                  case["after/moving_variance"].reshape(layer.moving_variance.shape))],
                **meta["suggested_tolerance"])


def check_ghost(batch, channels, vbs, seed=0, momentum=0.5, epsilon=1e-3, trailing=()):
    rng = np.random.default_rng(seed)
    shape = (batch, *trailing, channels)
    x = rng.normal(size=shape) * rng.uniform(0.5, 3.0, size=channels) + np.arange(batch).reshape(
        (batch,) + (1,) * (len(shape) - 1)) * 0.3  # samples differ in mean: the grouping shows
    gamma, beta = rng.normal(size=channels), rng.normal(size=channels)
    check_split(x, vbs)
    layer = BatchNormalization(virtual_batch_size=vbs, momentum=momentum, epsilon=epsilon, fused=False,
                               dtype="float64")
    layer(np.zeros(shape), training=False)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    y = layer(x, training=True)
    def oracle(convention):
        ys, means, variances = ghost_train(x, gamma, beta, vbs, epsilon, convention)
        return ys, moving_average(0.0, means, momentum), moving_average(1.0, variances, momentum)

    right = oracle("correct")
    check_table(f"ghost batch normalization: batch {batch}, virtual_batch_size {vbs}, input {shape}",
                [("y", y, right[0]), ("moving_mean", layer.moving_mean, right[1]),
                 ("moving_variance", layer.moving_variance, right[2])],
                rtol=1e-8, atol=1e-10, wrong={c: oracle(c)[2:] for c in MISTAKES}, match_on=(2,))


@pytest.mark.parametrize("batch,vbs", [(12, 4), (12, 3), (8, 2), (6, 6), (6, 1)])
def test_ghost_batches(batch, vbs):
    check_ghost(batch, 3, vbs, seed=batch + vbs)


def test_ghost_batches_of_images():
    check_ghost(8, 2, 4, seed=3, trailing=(3, 2))


@pytest.mark.hidden
def test_ghost_batches_random(course_seed):
    rng = np.random.default_rng(course_seed)
    vbs = int(rng.integers(2, 5))
    groups = int(rng.integers(2, 5))
    check_ghost(vbs * groups, int(rng.integers(1, 5)), vbs, seed=int(rng.integers(2**31)),
                momentum=float(rng.uniform(0.1, 0.9)))
