"""ex10, the student's half: a check that detects a training loop that forgets V1's update ops.

``layers.v1.BatchNormalization`` does not move its moving statistics during a training call;
it hands out pending update ops that the loop must run (``fit`` does). A loop that forgets
them trains as well as ever, and only inference breaks, so nothing but a test will notice.
``assert_runs_update_ops(train_step)`` is that test: it runs one step of ``train_step`` (the
signature of ``examples/custom_loop_v1.py``'s) on a small model with two V1 layers, and
raises AssertionError unless every V1 layer's moving statistics moved exactly as one update
each prescribes. ``test_ex10_update_ops.py`` runs it against right and wrong loops. The whole
body of ``assert_runs_update_ops`` is the exercise (``make_model`` is given).
"""

from __future__ import annotations

import numpy as np

import layers
import minigrad as mg

MOMENTUM = 0.5  # large steps: a forgotten or doubled update is plain to see


def make_model() -> layers.Sequential:
    """Dense -> V1 BN -> ReLU -> Dense -> V1 BN -> Dense, with fixed weights."""
    mg.random.seed(0)
    return layers.Sequential([
        layers.Dense(4, input_shape=(3,), name="dense_1"),
        layers.v1.BatchNormalization(momentum=MOMENTUM, name="bn_1"),
        layers.Activation("relu"),
        layers.Dense(4, name="dense_2"),
        layers.v1.BatchNormalization(momentum=MOMENTUM, name="bn_2"),
        layers.Dense(2, name="logits"),
    ])


def assert_runs_update_ops(train_step) -> None:
    """Raise AssertionError unless one call of ``train_step(model, loss_fn, optimizer, features,
    labels)`` runs each V1 layer's update ops exactly once.

    Hint: a learning rate of 0 keeps the weights, so the inputs each BN layer saw can be
    recomputed after the step (``model.get_layer(name)``; ``layer(x, training=True)``); build the
    model with ``make_model()``.
    """
    v1_model = make_model()
    rng = np.random.default_rng(0)
    features = mg.tensor(rng.normal(loc=1.0, scale=2.0, size=(8, 3)).astype("float32"))
    labels = mg.tensor(rng.integers(0, 2, size=8))
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_step(v1_model, loss_fn, mg.optimizers.SGD(0.0), features, labels)
    h = features
    for layer in v1_model.layers:
        if isinstance(layer, layers.v1.BatchNormalization):
            seen = h.numpy().astype(np.float64)
            mean, variance = seen.mean(axis=0), seen.var(axis=0)
            expected_mean = (1 - MOMENTUM) * mean  # from 0
            expected_variance = MOMENTUM + (1 - MOMENTUM) * variance  # from 1
            got_mean, got_variance = layer.moving_mean.numpy(), layer.moving_variance.numpy()
            assert np.allclose(got_mean, expected_mean, rtol=1e-4, atol=1e-5) and np.allclose(
                got_variance, expected_variance, rtol=1e-4, atol=1e-5), (
                f"{layer.name}: after one step moving_mean {got_mean}, moving_variance {got_variance}; "
                f"one update op each gives {expected_mean} and {expected_variance}. The loop must run "
                "model.get_updates_for(None) + model.get_updates_for(features), each op once.")
        h = layer(h, training=True)
