"""Gradient checks shared by the layer tests (imported as ``from gradutil import ...``)."""

from __future__ import annotations

import numpy as np

import minigrad as mg


def assert_weight_gradients(layer, x, rng: np.random.Generator, eps: float = 1e-6) -> None:
    """tape.gradient w.r.t. every trainable weight == central differences of <layer(x), r>.

    ``r`` is drawn from ``rng`` (the calling test module's generator, so its later draws are
    unchanged). The differences perturb one entry of a Variable at a time with ``assign``:
    ``d<layer(x), r>/dw[i] ~ (f(w + eps e_i) - f(w - eps e_i)) / (2 eps)``.

    Raises:
        AssertionError: if the layer has no trainable weights, or a gradient differs from
            the differences beyond ``rtol=1e-6, atol=1e-8``.
    """
    x = mg.tensor(x)
    r = rng.standard_normal(layer(x).shape)

    def loss() -> float:
        return float((layer(x).numpy() * r).sum())

    with mg.GradientTape() as tape:
        objective = mg.sum(layer(x) * mg.tensor(r))
    weights = layer.trainable_weights
    assert weights, "the layer has no trainable weights to check"
    for w, g in zip(weights, tape.gradient(objective, weights)):
        base = w.numpy().copy()
        numeric = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            bumped = base.copy()
            bumped[index] += eps
            w.assign(bumped)
            up = loss()
            bumped[index] -= 2 * eps
            w.assign(bumped)
            numeric[index] = (up - loss()) / (2 * eps)
        w.assign(base)
        np.testing.assert_allclose(g.numpy(), numeric, rtol=1e-6, atol=1e-8, err_msg=w.name)
