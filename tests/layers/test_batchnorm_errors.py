"""BatchNormalization rejects what Keras rejects, at the same stage (tests/data/keras_bn/errors.json).

Each entry of errors.json gives constructor arguments, an input and what tf_keras 2.21.0 did:
the exception class and the stage ("constructor", or "call" for errors found at build or
while computing), or ``raises: null`` for configurations that look invalid but run (with
whether Keras then used the fused kernel).

Mapping: TensorFlow's run-time ``InvalidArgumentError`` (a training batch that
``virtual_batch_size`` does not divide) is ValueError in minigrad. Two recorded
InvalidArgumentErrors are TensorFlow dtype bugs that minigrad deliberately does not
reproduce (float32 constants mixed into float64 computations: ``tf.sqrt(epsilon)`` in renorm,
``cast(w >= 0, floatx())`` in NonNeg); for them the test checks instead that float64 works
and gives the numbers Keras recorded for the same data in float32.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.normalization import BatchNormalization

DATA = Path(__file__).resolve().parent.parent / "data" / "keras_bn"
ERRORS = json.loads((DATA / "errors.json").read_text())["cases"]
EXCEPTIONS = {"ValueError": ValueError, "TypeError": TypeError,
              "InvalidArgumentError": ValueError}  # TensorFlow's run-time error -> ValueError
# TensorFlow float64 dtype bugs, not reproduced: see the module docstring
NOT_REPRODUCED = {"renorm_float64_training", "nonneg_constraint_float64_step"}
REPRODUCED = [e for e in ERRORS if e["name"] not in NOT_REPRODUCED]


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def make(entry: dict):
    cls = BatchNormalization if entry["layer_version"] == "v2" else layers_v1.BatchNormalization
    kwargs = dict(entry["constructor_kwargs"])
    if kwargs.get("adjustment") == "fixed_arrays":
        kwargs["adjustment"] = lambda shape: (np.ones(shape[-1:]), np.zeros(shape[-1:]))
    return cls(**kwargs)


def sample_input(entry: dict):
    rng = np.random.default_rng(0)
    return mg.tensor(rng.normal(size=entry["x_shape"]).astype(entry["x_dtype"]))


def test_every_entry_is_covered():
    assert len(ERRORS) == 25
    assert NOT_REPRODUCED <= {e["name"] for e in ERRORS}


@pytest.mark.parametrize("entry", REPRODUCED, ids=[e["name"] for e in REPRODUCED])
def test_raises_or_runs_as_keras(entry):
    x = sample_input(entry)
    if entry["raises"] is None:  # looks invalid, but runs
        layer = make(entry)
        y = layer(x, training=entry["training"])
        assert layer.fused == entry["effective_fused"]
        assert y.shape == x.shape and np.all(np.isfinite(y.numpy()))
        return
    error = EXCEPTIONS[entry["raises"]]
    if entry["stage"] == "constructor":
        with pytest.raises(error) as info:
            make(entry)
    else:
        assert entry["stage"] == "call"
        layer = make(entry)  # the constructor accepts it
        with pytest.raises(error) as info:
            layer(x, training=entry["training"])
    if entry["raises"] != "InvalidArgumentError":  # Keras's words start our message
        keras_start = entry["message"].split(". Received")[0].split(". Got")[0][:60]
        assert keras_start in str(info.value)


def test_batch_not_divisible_by_virtual_batch_size_says_what_to_change():
    layer = BatchNormalization(virtual_batch_size=3)
    with pytest.raises(ValueError, match="virtual_batch_size=3 does not divide the batch size 4"):
        layer(mg.tensor(np.ones((4, 3), np.float32)), training=True)
    # inference does not split the batch, so any batch size works (unlike TF1)
    assert layer(mg.tensor(np.ones((4, 3), np.float32)), training=False).shape == (4, 3)


def _golden(name: str) -> tuple[dict, dict]:
    index = json.loads((DATA / "index.json").read_text())
    entry = next(e for e in index["cases"] if e["name"] == name)
    with np.load(DATA / entry["file"]) as d:
        case = {k: d[k] for k in d.files}
    return case, json.loads(str(case.pop("meta_json")))


def _build_and_set(layer, case: dict, names: list) -> None:
    layer(mg.tensor(np.zeros(case["x"].shape)), training=False)
    for name in names:
        getattr(layer, name).assign(case[f"init/{name}"])


def test_renorm_trains_in_float64():
    """Keras raises InvalidArgumentError (float32 sqrt(epsilon) against float64 weights);
    minigrad computes it, and agrees with Keras's float32 numbers for the same data."""
    case, meta = _golden("r2_renorm_train")
    kwargs = {**meta["constructor_kwargs"], "dtype": "float64"}
    layer = BatchNormalization(**kwargs)
    _build_and_set(layer, case, meta["weights_order"])
    y = layer(mg.tensor(case["x"].astype(np.float64)), training=True)
    assert y.dtype == np.float64
    tol = meta["suggested_tolerance"]
    np.testing.assert_allclose(y.numpy(), case["y"], **tol)
    for name in meta["weights_order"]:
        np.testing.assert_allclose(getattr(layer, name).numpy(), case[f"after/{name}"], **tol)


def test_nonneg_constraint_steps_in_float64():
    """Keras raises InvalidArgumentError in NonNeg (a float32 cast against float64 weights);
    minigrad applies it, with Keras's float32 numbers for the same data."""
    case, meta = _golden("r2_constraint_nonneg_step")
    kwargs = {**meta["constructor_kwargs"], "dtype": "float64"}
    layer = BatchNormalization(**kwargs)
    _build_and_set(layer, case, meta["weights_order"])
    x = mg.tensor(case["x"].astype(np.float64))
    with mg.GradientTape() as tape:
        loss = mg.sum(layer(x, training=True) * mg.tensor(case["dy"].astype(np.float64)))
    grads = tape.gradient(loss, [layer.gamma, layer.beta])
    optimizer = mg.optimizers.SGD(learning_rate=meta["optimizer_step"]["learning_rate"])
    optimizer.apply_gradients(zip(grads, [layer.gamma, layer.beta]))
    tol = meta["suggested_tolerance"]
    np.testing.assert_allclose(layer.gamma.numpy(), case["step/gamma"], **tol)
    np.testing.assert_allclose(layer.beta.numpy(), case["step/beta"], **tol)
    assert np.all(layer.gamma.numpy() >= 0)
