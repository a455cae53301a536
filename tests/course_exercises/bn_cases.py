"""The recorded Keras BatchNormalization cases (tests/data/keras_bn), for the BN exercises.

Each case was recorded from tf_keras 2.21.0 (see tests/data/keras_bn/README.md): a layer
made with the recorded arguments, built on zeros, every weight set, then one call. The
helpers here replay that procedure on minigrad's layer (the composite path: ``fused=False``,
so the student's regions run) and give the oracle's view of the same case.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import minigrad as mg
from layers import v1 as layers_v1
from layers.normalization import BatchNormalization

DATA = Path(__file__).resolve().parent.parent / "data" / "keras_bn"
INDEX = json.loads((DATA / "index.json").read_text())


def entries(include: set, exclude: set = frozenset(), version: str = "v2") -> list:
    """Index entries with at least one tag of ``include`` (all if empty), none of ``exclude``."""
    return [e for e in INDEX["cases"] if e["layer_version"] == version
            and (not include or include & set(e["tags"])) and not exclude & set(e["tags"])]


def load(entry: dict) -> tuple[dict, dict]:
    with np.load(DATA / entry["file"], allow_pickle=False) as d:
        case = {k: d[k] for k in d.files}
    return case, json.loads(str(case.pop("meta_json")))


def make_layer(case: dict, meta: dict, fused: bool | None = False):
    """The recorded layer, built on zeros and with every weight set (README steps 1-2)."""
    kwargs = dict(meta["constructor_kwargs"])
    if kwargs.get("adjustment") == "fixed_arrays":
        scale, bias = case["adj/scale"], case["adj/bias"]
        kwargs["adjustment"] = lambda shape: (scale, bias)
    kwargs["fused"] = fused
    layer = (BatchNormalization if meta["layer_version"] == "v2" else layers_v1.BatchNormalization)(**kwargs)
    layer(mg.tensor(np.zeros(case["x"].shape, case["x"].dtype)), training=False)
    for weight in layer.weights:
        name = weight.name.split("/")[-1].split(":")[0]
        weight.assign(case[f"init/{name}"].reshape(weight.shape))
    return layer


def call(layer, case: dict, meta: dict, prefix: str = ""):
    """The main call (``prefix=""``) or a sequence call (``prefix="seq/"`` with its index)."""
    kwargs = {} if meta["training"] is None else {"training": meta["training"]}
    if case.get("mask") is not None and not prefix:
        kwargs["mask"] = mg.tensor(case["mask"])
    return layer(mg.tensor(case["x"]), **kwargs)


def broadcast_shape(ndim: int, axes, shape) -> tuple:
    axes = [a % ndim for a in axes]
    return tuple(shape[i] if i in axes else 1 for i in range(ndim))


def parameters(case: dict, meta: dict) -> dict:
    """gamma, beta, moving mean and variance (None where absent), shaped to broadcast on x."""
    x = case["x"]
    axes = meta["effective"]["normalized_axes"]
    shape = broadcast_shape(x.ndim, axes, x.shape)
    out = {}
    for name in ("gamma", "beta", "moving_mean", "moving_variance"):
        value = case.get(f"init/{name}")
        out[name] = None if value is None else np.asarray(value, np.float64).reshape(shape)
    return out


def mask_weights(case: dict, meta: dict):
    """The mask as weights of x's shape (size-1 axes inserted at the normalized axes), or None."""
    mask = case.get("mask")
    if mask is None:
        return None
    x = case["x"]
    axes = sorted(a % x.ndim for a in meta["effective"]["normalized_axes"])
    shape = list(mask.shape)
    if mask.ndim == x.ndim - len(axes):
        for a in axes:
            shape.insert(a, 1)
    return np.broadcast_to(mask.reshape(shape).astype(np.float64), x.shape)


def trains(layer, meta: dict) -> bool:
    """Whether the main call runs in training mode (V2: a frozen layer never does)."""
    return bool(meta["training"]) and (layer.trainable or meta["layer_version"] == "v1")
