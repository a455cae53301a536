"""BatchNormalization against numbers recorded from real Keras (tf_keras 2.21.0).

The data lives in tests/data/keras_bn (see its README.md): 97 cases, each an .npz with the
constructor arguments, the input, the upstream gradient ``dy`` and Keras's results, plus
errors.json (configurations Keras rejects, and some that look invalid but run; tested in
test_batchnorm_errors.py).

Each case follows the README's procedure exactly:

1. make the layer (V2 ``layers.normalization.BatchNormalization`` or V1
   ``layers.v1.BatchNormalization``) and build it by calling it once on zeros with
   ``training=False``;
2. set every weight to ``init/<w>``;
3. main call under a GradientTape, ``training`` as recorded (null: not passed), loss
   ``L = sum(y * dy)``; compare ``y``, ``dx``, ``dgamma``, ``dbeta`` and every weight after
   the call (V1: after running the layer's pending updates);
4. regularizer losses and their gradients; one SGD step, which applies the constraints;
5. the sequence: a fresh layer called three times with ``training=True`` (V1: pending
   updates run after each call), then once with ``training=False``.

``test_matches_keras`` runs on every device (``DEVICES``): on "cuda" the whole procedure runs
under ``with minigrad.device("cuda")`` (so the layer's weights, the inputs, ``dy`` and the
mask are made on the GPU), meets the same recorded numbers with the same tolerances, keeps
every weight on "cuda", and also agrees with the same procedure run on "cpu": every output,
gradient and weight to 1e-10 in float64, to the case's golden tolerance in float32/float16.
The "cuda" cases are skipped, with a reason, where CuPy or a GPU is missing.

Keras's ghost-batch weights have an extra axis ((1, 1, C) for rank 2); minigrad's keep the
plain shape, so recorded weights are reshaped to the layer's shapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from devices import DEVICES

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.normalization import BatchNormalization

DATA = Path(__file__).resolve().parent.parent / "data" / "keras_bn"
INDEX = json.loads((DATA / "index.json").read_text())
CASES = INDEX["cases"]
TRAINABLE_NAMES = ("gamma", "beta")
FLOAT64_AGREEMENT = {"rtol": 1e-10, "atol": 1e-10}  # cuda vs cpu, float64 cases


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def load_case(entry: dict) -> tuple[dict, dict]:
    with np.load(DATA / entry["file"], allow_pickle=False) as d:
        case = {k: d[k] for k in d.files}
    meta = json.loads(str(case.pop("meta_json")))
    return case, meta


def layer_class(meta: dict):
    return BatchNormalization if meta["layer_version"] == "v2" else layers_v1.BatchNormalization


def constructor_kwargs(meta: dict, case: dict) -> dict:
    kwargs = dict(meta["constructor_kwargs"])
    if kwargs.get("adjustment") == "fixed_arrays":
        scale, bias = case["adj/scale"], case["adj/bias"]
        kwargs["adjustment"] = lambda shape: (scale, bias)  # whatever the shape, as recorded
    return kwargs


def check(actual, expected, tol: dict, what: str, seen: dict | None = None) -> None:
    """``actual`` matches ``expected`` to ``tol``; its host copy goes in ``seen[what]``."""
    if seen is not None:
        seen[what] = actual.numpy() if isinstance(actual, mg.Tensor) else np.asarray(actual)
    actual = np.asarray(actual.numpy() if isinstance(actual, mg.Tensor) else actual, np.float64)
    expected = np.asarray(expected, np.float64)
    assert actual.size == expected.size, f"{what}: {actual.shape} vs {expected.shape}"
    np.testing.assert_allclose(actual.reshape(expected.shape), expected, rtol=tol["rtol"],
                               atol=tol["atol"], err_msg=what)


def build_and_set(layer, meta: dict, case: dict, x_key: str = "x") -> None:
    """README step 1-2: build on zeros (training=False), then set every init/<w>."""
    x = case[x_key]
    layer(mg.tensor(np.zeros(x.shape, x.dtype)), training=False)
    names = [w.name.split("/")[-1].split(":")[0] for w in layer.weights]
    assert names == meta["weights_order"]
    for name in names:
        variable = getattr(layer, name)
        variable.assign(case[f"init/{name}"].reshape(variable.shape))


def run_pending_updates(layer, inputs) -> int:
    updates = layer.get_updates_for(inputs)
    assert updates == layer.updates
    for update in updates:
        update()
    return len(updates)


def call_kwargs(training, mask) -> dict:
    kwargs = {} if training is None else {"training": training}
    if mask is not None:
        kwargs["mask"] = mg.tensor(mask)
    return kwargs


def run_main_call(layer, meta: dict, case: dict):
    """README step 3: the main call under a tape; returns y and the gradients by name."""
    x = mg.tensor(case["x"])
    params = {n: getattr(layer, n) for n in TRAINABLE_NAMES if getattr(layer, n, None) is not None}
    with mg.GradientTape() as tape:
        tape.watch(x)
        for p in params.values():  # the gradient is taken whatever `trainable` is
            tape.watch(p)
        y = layer(x, **call_kwargs(meta["training"], case.get("mask")))
        loss = mg.sum(y * mg.tensor(case["dy"]))
    grads = tape.gradient(loss, [x] + list(params.values()))
    return x, y, loss, dict(zip(["x"] + list(params), grads))


def assert_on(device: str, what: str, *tensors) -> None:
    """Every tensor (output, gradient, weight) lives on ``device``."""
    where = {t.device for t in tensors}
    assert where <= {device}, f"{what}: on {sorted(where)}, expected {device!r}"


def check_main(layer, meta: dict, case: dict, seen: dict | None = None, device: str = "cpu") -> dict:
    tol = meta["suggested_tolerance"]
    moving_before = {n: getattr(layer, n).numpy() for n in meta["weights_order"]
                     if n.startswith("moving_")}
    x, y, loss, grads = run_main_call(layer, meta, case)
    assert y.dtype == np.dtype(meta["y_dtype"])
    assert tuple(y.shape) == tuple(meta["x_shape"])
    assert_on(device, "y, loss and gradients", y, loss, *grads.values())
    check(y, case["y"], tol, "y", seen)
    check(loss, case["loss"], tol, "loss", seen)
    check(grads["x"], case["dx"], tol, "dx", seen)
    for name in TRAINABLE_NAMES:
        if f"d{name}" in case:
            check(grads[name], case[f"d{name}"], tol, f"d{name}", seen)
    if meta["layer_version"] == "v1" and meta["training"]:
        # deferred: the moving statistics change only when the pending updates run
        for name, before in moving_before.items():
            np.testing.assert_array_equal(getattr(layer, name).numpy(), before, err_msg=name)
        ran = run_pending_updates(layer, x)
        assert ran == (2 if layer.trainable else 0)
    assert_on(device, "weights after the main call", *layer.weights)
    for name in meta["weights_order"]:
        check(getattr(layer, name), case[f"after/{name}"], tol, f"after/{name}", seen)
    return grads


def check_sequence(layer, meta: dict, case: dict, seen: dict | None = None, device: str = "cpu") -> None:
    tol = meta["suggested_tolerance"]
    for i in range(meta["seq_k"]):
        x = mg.tensor(case[f"seq/x{i}"])
        y = layer(x, **call_kwargs(meta["seq_training"], case.get(f"seq/mask{i}")))
        if meta["layer_version"] == "v1":
            run_pending_updates(layer, x)
        assert_on(device, f"seq/y{i} and the weights", y, *layer.weights)
        check(y, case[f"seq/y{i}"], tol, f"seq/y{i}", seen)
        for name in meta["weights_order"]:
            check(getattr(layer, name), case[f"seq/w{i}/{name}"], tol, f"seq/w{i}/{name}", seen)
    y_infer = layer(mg.tensor(case["x"]), training=False)
    assert_on(device, "seq/y_infer", y_infer)
    check(y_infer, case["seq/y_infer"], tol, "seq/y_infer", seen)


def check_everything(make_layer, meta: dict, case: dict, seen: dict | None = None,
                     device: str = "cpu") -> None:
    """README steps 1-5 for the layers ``make_layer()`` makes; ``seen`` collects, by name,
    the host copy of every value compared, and every value must live on ``device``."""
    tol = meta["suggested_tolerance"]
    layer = make_layer()
    build_and_set(layer, meta, case)
    assert_on(device, "weights after the build", *layer.weights)
    effective = meta["effective"]
    assert layer.fused == effective["fused"]
    assert layer.axis == effective["normalized_axes"]
    assert layer.compute_dtype == effective["compute_dtype"]
    assert all(w.dtype == case[f"init/{n}"].dtype for w, n in zip(layer.weights, meta["weights_order"]))
    grads = check_main(layer, meta, case, seen, device)

    regularized = [n for n in TRAINABLE_NAMES if f"reg/{n}" in case]
    losses = layer.losses
    assert len(losses) == len(regularized)
    assert_on(device, "regularization losses", *losses)
    for name, loss in zip(regularized, losses):
        check(loss, case[f"reg/{name}"], tol, f"reg/{name}", seen)
    if regularized:
        params = [getattr(layer, n) for n in TRAINABLE_NAMES]
        with mg.GradientTape() as tape:
            losses = layer.losses
            total = losses[0]
            for loss in losses[1:]:
                total = total + loss
        reg_grads = tape.gradient(total, params)
        for name, param, g in zip(TRAINABLE_NAMES, params, reg_grads):
            g = np.zeros(param.shape) if g is None else g
            check(g, case[f"reg_grad/{name}"], tol, f"reg_grad/{name}", seen)

    if meta["optimizer_step"] is not None:
        optimizer = mg.optimizers.SGD(learning_rate=meta["optimizer_step"]["learning_rate"])
        optimizer.apply_gradients([(grads[n], getattr(layer, n)) for n in TRAINABLE_NAMES])
        assert_on(device, "weights after the SGD step", *layer.weights)
        for name in TRAINABLE_NAMES:
            check(getattr(layer, name), case[f"step/{name}"], tol, f"step/{name}", seen)

    fresh = make_layer()
    build_and_set(fresh, meta, case)
    check_sequence(fresh, meta, case, seen, device)


def device_cases() -> list:
    """Every (device, case) pair, with ids like ``cuda-<case>`` (the cpu ids stay ``<case>``)."""
    params = []
    for device in DEVICES:
        name, marks = (device, ()) if isinstance(device, str) else (device.values[0], device.marks)
        for e in CASES:
            params.append(pytest.param(name, e, marks=marks,
                                       id=e["name"] if name == "cpu" else f"{name}-{e['name']}"))
    return params


@pytest.mark.parametrize("device, entry", device_cases())
def test_matches_keras(device, entry):
    case, meta = load_case(entry)
    cls, kwargs = layer_class(meta), constructor_kwargs(meta, case)
    if device == "cpu":
        check_everything(lambda: cls(name="bn", **kwargs), meta, case)
        return
    on_cpu, on_device = {}, {}
    check_everything(lambda: cls(name="bn", **kwargs), meta, case, on_cpu)
    backend.clear_session()  # the same layer names and collections as the cpu run
    with mg.device(device):
        check_everything(lambda: cls(name="bn", **kwargs), meta, case, on_device, device)
    # the same values, in the same order, with the same dtypes, as on the cpu
    assert list(on_device) == list(on_cpu)
    agree = FLOAT64_AGREEMENT if meta["effective"]["compute_dtype"] == "float64" else meta[
        "suggested_tolerance"]
    for what, cpu_value in on_cpu.items():
        assert on_device[what].dtype == cpu_value.dtype, what
        np.testing.assert_allclose(on_device[what], cpu_value, rtol=agree["rtol"], atol=agree["atol"],
                                   err_msg=f"{device} vs cpu: {what}")


@pytest.mark.parametrize("entry", CASES, ids=[e["name"] for e in CASES])
def test_keras_config_is_accepted(entry):
    """``from_config(Keras's get_config())`` builds an equivalent layer.

    Keras's config reports the ghost-batch axis shifted by one (its own from_config then
    fails at build); minigrad's parameters keep their shapes and its axis is not shifted.
    """
    case, meta = load_case(entry)
    cls, keras_config = layer_class(meta), meta["keras_get_config"]
    if keras_config is None:  # not recorded for the renorm cases: check the renorm keys instead
        check_renorm_config(cls, meta, case)
        return
    layer = cls.from_config(keras_config)
    assert not layer.built
    assert layer.name == keras_config["name"] and layer.trainable == keras_config["trainable"]
    # after a build, our config agrees with Keras's on every key Keras writes
    built = cls(name="bn", **constructor_kwargs(meta, case))
    build_and_set(built, meta, case)
    if meta["constructor_kwargs"].get("adjustment") is not None:
        with pytest.warns(UserWarning, match="adjustment"):  # a function: not serialized
            ours = built.get_config()
    else:
        ours = built.get_config()
    for key, value in keras_config.items():
        if key == "dtype":
            name = value["config"]["name"] if isinstance(value, dict) else value
            assert ours["dtype"] == name
        elif key == "axis" and meta["constructor_kwargs"].get("virtual_batch_size"):
            assert [a + 1 for a in ours["axis"]] == value
        else:
            assert _same_config_value(ours[key], value), (key, ours[key], value)
    extra = set(ours) - set(keras_config)
    assert extra <= {"fused"}, extra  # fused is written when given explicitly (Keras drops it)
    if "virtual_batch_size" not in keras_config:  # Keras's ghost config does not round-trip
        rebuilt = cls.from_config(keras_config)
        rebuilt(mg.tensor(np.zeros(case["x"].shape, case["x"].dtype)), training=False)
        assert [tuple(w.shape) for w in rebuilt.weights] == [tuple(w.shape) for w in built.weights]


def check_renorm_config(cls, meta: dict, case: dict) -> None:
    """tf-keras writes renorm, renorm_clipping ({} for None) and renorm_momentum only with
    renorm=True; from_config of that config is an equivalent, unbuilt layer."""
    kwargs = meta["constructor_kwargs"]
    assert kwargs["renorm"]
    layer = cls(name="bn", **constructor_kwargs(meta, case))
    config = layer.get_config()
    assert config["renorm"] is True
    assert config["renorm_clipping"] == (kwargs["renorm_clipping"] or {})
    assert config["renorm_momentum"] == kwargs["renorm_momentum"]
    clone = cls.from_config(config)
    assert not clone.built and clone.get_config() == config


def _same_config_value(ours, keras) -> bool:
    if isinstance(keras, dict):
        keras = {k: v for k, v in keras.items() if k not in ("module", "registered_name")}
        return (isinstance(ours, dict) and set(ours) == set(keras)
                and all(_same_config_value(ours[k], keras[k]) for k in keras))
    if isinstance(keras, float):
        return np.isclose(ours, keras, rtol=1e-6, atol=0)
    return ours == keras


ROUND_TRIP_CASES = [e for e in CASES if e["constructor_kwargs"].get("adjustment") is None]


@pytest.mark.parametrize("entry", ROUND_TRIP_CASES, ids=[e["name"] for e in ROUND_TRIP_CASES])
def test_config_round_trip_preserves_behaviour(entry):
    """``from_config(layer.get_config())`` reproduces every recorded number (ghost batches
    included; ``adjustment``, a function, is not serialized, as in Keras)."""
    case, meta = load_case(entry)
    cls = layer_class(meta)
    original = cls(name="bn", **constructor_kwargs(meta, case))
    original(mg.tensor(np.zeros(case["x"].shape, case["x"].dtype)), training=False)
    config = original.get_config()
    check_everything(lambda: cls.from_config(config), meta, case)
