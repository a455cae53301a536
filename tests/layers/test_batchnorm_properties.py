"""Property tests (hypothesis) for BatchNormalization: random configurations, valid or not.

A configuration is every constructor argument that can be drawn (axis as an int or a list of
distinct axes, some negative; center, scale, renorm and renorm_clipping, virtual_batch_size,
fused, synchronized, trainable, momentum, epsilon, adjustment, dtype), the class (V2 or V1),
an input of rank 2 to 5, ``training`` (True, False, None) and maybe a mask. The strategy also
draws invalid ones (an axis out of range, repeated or of the wrong type, fused=True with
renorm, ghost batches with axis 0, a ghost size that does not divide the batch, unknown
renorm_clipping keys, ...).

``expected_errors`` is the Keras error catalogue (keras_bn_spec.md section 9, errors.json)
written as rules. Each configuration must either

- raise one of the errors the rules give, at the stage they give (constructor, first call
  = build, or the training computation), with the documented class and message start; or
- run (when no rule applies): a finite output of the input's shape in the compute dtype,
  fused exactly when the spec says (``expected_fused``), finite moving statistics.

Where it runs fused, a float64 twin pair (one forced onto the fused primitive, one
composite, same weights; see test_batchnorm_gradients.py for why the fused one is forced)
agrees on ``y`` and on the gradients for ``x``, gamma and beta to 1e-10, and after a training
call the moving variances are ``rho v0 + (1 - rho) sigma2`` (composite) and
``rho v0 + (1 - rho) sigma2 n / (n - 1)`` (fused: Bessel's correction).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.normalization import BatchNormalization
from minigrad.errors import MinigradError

# more examples: BN_PROPERTY_EXAMPLES=5000 python -m pytest tests/layers/test_batchnorm_properties.py
EXAMPLES = int(os.environ.get("BN_PROPERTY_EXAMPLES", "300"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUSED_AXES = (-4, -3, -1, 1, 3, 4)  # the axes fused=True accepts at construction (V2)
FUSED_FORMATS = {(4, 1), (4, 3), (5, 1), (5, 4)}  # (rank, axis) the fused kernel runs

# documented message starts (Keras's words start minigrad's messages)
AXIS_TYPE = (TypeError, "Expected an int or a list/tuple of ints for the argument 'axis'")
AXIS_RANGE = (ValueError, "Invalid value for `axis` argument")
AXIS_DUPLICATE = (ValueError, "Duplicate axis")
FUSED_SYNC = (ValueError, "`fused=True` is not supported when `synchronized=True`")
FUSED_RENORM = (ValueError, "Passing both `fused=True` and `renorm=True` is not supported")
FUSED_AXIS = (ValueError, "Passing `fused=True` is only supported when axis is 1 or 3")
FUSED_VBS = (ValueError, "Passing `fused=True` is not supported when `virtual_batch_size`")
FUSED_ADJUSTMENT = (ValueError, "Passing `fused=True` is not supported when `adjustment`")
FUSED_DTYPE = (ValueError, "Passing `fused=True` is only supported when the compute dtype")
FUSED_RANK = (ValueError, "Batch normalization layers with `fused=True` only support 4D or 5D")
FUSED_UNSUPPORTED_AXIS = (ValueError, "Unsupported axis")
CLIPPING_KEYS = (ValueError, "Received invalid keys for `renorm_clipping` argument")
VBS_POSITIVE = (ValueError, "`virtual_batch_size` must be a positive integer")
VBS_AXIS0 = (ValueError, "When using `virtual_batch_size`, the batch dimension must be 0")
VBS_ADJUSTMENT = (ValueError, "When using `virtual_batch_size`, adjustment cannot be specified")
VBS_DIVIDES = (ValueError, "virtual_batch_size=")  # "... does not divide the batch size ..."


def adjustment(shape):
    """A fixed (a, b): scalars, so that they broadcast against any input."""
    return np.array(1.25), np.array(-0.5)


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


# -- the strategy -------------------------------------------------------------------------
FAULTS = ["axis_out_of_range", "axis_duplicate", "axis_type", "vbs_not_dividing",
          "vbs_non_positive", "vbs_axis0", "vbs_adjustment", "fused_renorm", "fused_axes",
          "fused_rank", "fused_float64", "fused_synchronized", "clipping_key"]


@st.composite
def configurations(draw) -> dict:
    """A valid configuration, then (in about half the draws) one or two faults injected.

    The faults only steer the draw towards the error rules; what is expected is computed
    from the final configuration alone (``expected_errors``).
    """
    faults = draw(st.one_of(st.just(set()), st.sets(st.sampled_from(FAULTS), min_size=1,
                                                    max_size=2)))
    channel_layout = draw(st.booleans())  # rank 4/5 with one channel axis: fused may run
    rank = draw(st.integers(4, 5) if channel_layout else st.integers(2, 5))
    if "fused_rank" in faults:
        rank = draw(st.integers(2, 3))
    batch = draw(st.integers(1, 6))
    shape = (batch,) + tuple(draw(st.lists(st.integers(1, 3), min_size=rank - 1,
                                           max_size=rank - 1)))
    if channel_layout:
        axis = draw(st.sampled_from([1, -1, rank - 1, -rank + 1]))
    elif draw(st.booleans()):
        axis = draw(st.integers(-rank, rank - 1))
    else:
        chosen = draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
        axis = [a - rank if draw(st.booleans()) else a for a in chosen]
    if "axis_out_of_range" in faults:
        bad = draw(st.sampled_from([rank, rank + 1, -rank - 1]))
        axis = draw(st.sampled_from([bad, [1, bad], [bad]]))
    if "axis_duplicate" in faults:
        a = draw(st.integers(0, rank - 1))
        axis = draw(st.sampled_from([[a, a - rank], [a, a]]))
    if "fused_axes" in faults:
        axis = draw(st.sampled_from([[1, 3], [-1, 1], 2, -2, 0]))
    if "axis_type" in faults:  # (a bool is not an axis in minigrad; Keras takes True as 1)
        axis = draw(st.sampled_from(["channels", 1.5, None, [1.0], [], True]))

    rarely = st.sampled_from([False, False, True]) if channel_layout else st.booleans()
    vbs = None
    if draw(rarely):
        vbs = draw(st.sampled_from([d for d in range(1, batch + 1) if batch % d == 0]))
    if "vbs_not_dividing" in faults:
        vbs = draw(st.sampled_from([d for d in range(2, 8) if batch % d]))
    if "vbs_non_positive" in faults:
        vbs = draw(st.sampled_from([0, -2]))
    if vbs is not None and axis_is_valid_type(axis) and 0 in (normalized_axes(axis, rank) or []):
        axis = -1  # keep the ghost-batch draws valid unless a fault asks otherwise
    if "vbs_axis0" in faults:
        vbs, axis = vbs or 1, draw(st.sampled_from([0, [0, -1], -rank]))
    adjust = draw(rarely) and vbs is None or "vbs_adjustment" in faults
    if "vbs_adjustment" in faults:
        vbs = vbs or 1

    renorm = draw(rarely) or "fused_renorm" in faults
    clipping = draw(st.one_of(st.none(), st.fixed_dictionaries(
        {}, optional={"rmax": st.floats(1.0, 3.0), "rmin": st.floats(0.2, 1.0),
                      "dmax": st.floats(0.0, 2.0)})))
    if "clipping_key" in faults:
        clipping = {"rmax": 2.0, "foo": 1.0}
        renorm = True
    dtype = draw(st.sampled_from(["float32", "float32", "float64"]))
    synchronized = draw(st.booleans()) and not channel_layout or "fused_synchronized" in faults
    # fused=True with a blocker (renorm, several axes, ...) is one of the error rules
    fused = draw(st.sampled_from([None, False, True]))
    if any(f.startswith("fused_") for f in faults):
        fused = True
    if "fused_float64" in faults:
        dtype = "float64"
    return {
        "version": draw(st.sampled_from(["v2", "v1"])),
        "shape": shape,
        "kwargs": {
            "axis": axis,
            "momentum": draw(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0])),
            "epsilon": draw(st.sampled_from([1e-5, 1e-3, 0.1])),
            "center": draw(st.booleans()),
            "scale": draw(st.booleans()),
            "renorm": renorm,
            "renorm_clipping": clipping,
            "renorm_momentum": draw(st.sampled_from([0.5, 0.99])),
            "fused": fused,
            "synchronized": synchronized,
            "trainable": draw(st.booleans()),
            "virtual_batch_size": vbs,
            "adjustment": adjustment if adjust else None,
            "dtype": dtype,
        },
        "training": draw(st.sampled_from([True, True, False, None])),
        "mask": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


# -- the rules (keras_bn_spec.md sections 3-6 and 9) ------------------------------------------
def normalized_axes(axis, rank: int):
    """The axes as non-negative ints, or None when they are out of range or repeated."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    if any(not -rank <= a < rank for a in axes):
        return None
    axes = [a % rank for a in axes]
    return axes if len(set(axes)) == len(axes) else None


def axis_is_valid_type(axis) -> bool:
    if isinstance(axis, bool):
        return False
    if isinstance(axis, int):
        return True
    return isinstance(axis, (list, tuple)) and len(axis) > 0 and all(
        isinstance(a, int) and not isinstance(a, bool) for a in axis)


def fused_blockers(config: dict) -> list:
    """What stops the fused kernel, known at construction (V2 raises these for fused=True)."""
    kw = config["kwargs"]
    axes = [kw["axis"]] if isinstance(kw["axis"], int) else kw["axis"]
    blockers = []
    if kw["renorm"]:
        blockers.append(FUSED_RENORM)
    if len(axes) > 1 or axes[0] not in FUSED_AXES:
        blockers.append(FUSED_AXIS)
    if kw["virtual_batch_size"] is not None:
        blockers.append(FUSED_VBS)
    if kw["adjustment"] is not None:
        blockers.append(FUSED_ADJUSTMENT)
    if kw["dtype"] == "float64":
        blockers.append(FUSED_DTYPE)
    return blockers


def synchronized(config: dict) -> bool:
    return config["kwargs"]["synchronized"] and config["version"] == "v2"  # V1 drops it


def expected_errors(config: dict) -> tuple[str, list]:
    """``(stage, errors)``: the stage ("constructor", "build", "training" or "none") and the
    (class, message start) pairs any of which may be raised there."""
    kw, v2 = config["kwargs"], config["version"] == "v2"
    shape, rank = config["shape"], len(config["shape"])
    if not axis_is_valid_type(kw["axis"]):
        return "constructor", [AXIS_TYPE]
    errors = []
    if v2 and synchronized(config) and kw["fused"]:
        errors.append(FUSED_SYNC)
    if v2 and kw["fused"]:
        errors += fused_blockers(config)
    if kw["renorm"] and kw["renorm_clipping"] and set(kw["renorm_clipping"]) - {"rmax", "rmin", "dmax"}:
        errors.append(CLIPPING_KEYS)
    if errors:
        return "constructor", errors
    axes = normalized_axes(kw["axis"], rank)
    if axes is None:  # the first thing build checks
        raw = [kw["axis"]] if isinstance(kw["axis"], int) else kw["axis"]
        in_range = all(-rank <= a < rank for a in raw)
        return "build", [AXIS_DUPLICATE if in_range else AXIS_RANGE]
    vbs = kw["virtual_batch_size"]
    if vbs is not None:
        if vbs <= 0:
            errors.append(VBS_POSITIVE)
        if 0 in axes:
            errors.append(VBS_AXIS0)
        if kw["adjustment"] is not None:
            errors.append(VBS_ADJUSTMENT)
    if v2 and kw["fused"] is True and not synchronized(config):
        if rank not in (4, 5):
            errors.append(FUSED_RANK)
        elif rank == 4 and (rank, axes[0]) not in FUSED_FORMATS:
            errors.append(FUSED_UNSUPPORTED_AXIS)
    if errors:
        return "build", errors
    if effective_training(config) and vbs is not None and shape[0] % vbs:
        return "training", [VBS_DIVIDES]
    return "none", []


def effective_training(config: dict) -> bool:
    """training=None is the learning phase (0); V2 frozen layers run in inference."""
    training = bool(config["training"])
    if config["version"] == "v2" and not config["kwargs"]["trainable"]:
        return False
    return training


def expected_fused(config: dict) -> bool:
    kw, rank = config["kwargs"], len(config["shape"])
    axes = normalized_axes(kw["axis"], rank)
    runs_fused = len(axes) == 1 and (rank, axes[0]) in FUSED_FORMATS
    if config["version"] == "v1":  # None and True: fused when possible, never an error
        return kw["fused"] is not False and runs_fused and not fused_blockers(config)
    if kw["fused"] is False or synchronized(config) or fused_blockers(config):
        return False
    return runs_fused


# -- running a configuration ---------------------------------------------------------------------
def make(config: dict, **overrides):
    cls = BatchNormalization if config["version"] == "v2" else layers_v1.BatchNormalization
    return cls(**{**config["kwargs"], **overrides})


def sample(config: dict, dtype=None):
    rng = np.random.default_rng(config["seed"])
    x = rng.normal(size=config["shape"]) * 2 + rng.normal()
    return x.astype(dtype or config["kwargs"]["dtype"])


def sample_mask(config: dict, axes: list):
    rng = np.random.default_rng(config["seed"] + 1)
    shape = tuple(s for i, s in enumerate(config["shape"]) if i not in axes)
    return rng.random(shape) > 0.3


def assert_raises_one_of(errors: list, fn) -> None:
    with pytest.raises(Exception) as info:
        fn()
    # a named minigrad error subclassing the built-in class Keras raises
    matches = [cls for cls, start in errors if isinstance(info.value, cls)
               and isinstance(info.value, MinigradError) and start in str(info.value)]
    assert matches, f"raised {type(info.value).__name__}: {info.value}\nexpected one of {errors}"


@given(configurations())
@FAST
def test_random_configurations_run_or_raise_a_documented_error(config):
    backend.clear_session()
    stage, errors = expected_errors(config)
    event(f"stage: {stage}")
    if stage == "constructor":
        assert_raises_one_of(errors, lambda: make(config))
        return
    layer = make(config)
    x = mg.tensor(sample(config))
    axes = normalized_axes(config["kwargs"]["axis"], len(config["shape"]))
    mask = sample_mask(config, axes) if config["mask"] and axes else None
    if stage in ("build", "training"):
        assert_raises_one_of(errors, lambda: layer(x, training=config["training"], mask=mask))
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = layer(x, training=config["training"], mask=mask)
    for update in layer.updates:  # V1: run the deferred updates
        update()
    assert layer.fused is expected_fused(config)
    if layer.fused and mask is not None:
        assert any("Masking is not supported with `fused=True`" in str(w.message) for w in caught)
    assert y.shape == x.shape and y.dtype == np.dtype(config["kwargs"]["dtype"])
    assert np.all(np.isfinite(y.numpy()))
    for w in layer.weights:
        assert np.all(np.isfinite(w.numpy())), w.name
    event(f"runs {'fused' if layer.fused else 'composite'}")
    if layer.fused:
        check_fused_agrees_with_composite(config)


def check_fused_agrees_with_composite(config: dict) -> None:
    """A float64 fused/composite twin pair with the same weights: same y and gradients;
    moving variances with sigma2 (composite) and sigma2 n / (n - 1) (fused)."""
    x = sample(config, "float64")
    rng = np.random.default_rng(config["seed"] + 2)
    pair = []
    for fused in (True, False):
        layer = make(config, dtype="float64", fused=False)
        layer.build(x.shape)
        layer.fused = fused
        pair.append(layer)
    c = x.shape[pair[0].axis[0]]
    values = [rng.normal(size=c) + 1, rng.normal(size=c), rng.normal(size=c), rng.random(c) + 0.5]
    for layer in pair:
        for weight, value in zip((layer.gamma, layer.beta, layer.moving_mean,
                                  layer.moving_variance), values):
            if weight is not None:
                weight.assign(value)
    results = []
    for layer in pair:
        xt = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt, training=config["training"])
            loss = mg.sum(y * mg.tensor(np.cos(np.arange(x.size)).reshape(x.shape)))
        grads = tape.gradient(loss, [xt] + [w for w in (layer.gamma, layer.beta) if w is not None])
        for update in layer.updates:
            update()
        results.append([y.numpy()] + [g.numpy() for g in grads])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    axis = pair[0].axis[0]
    n = x.size // x.shape[axis]
    rho = config["kwargs"]["momentum"]
    if effective_training(config) and config["kwargs"]["trainable"]:  # a frozen V1: no updates
        reduced = tuple(i for i in range(x.ndim) if i != axis)
        sigma2 = x.var(axis=reduced)
        bessel = n / (n - 1) if n > 1 else 1.0
        expected = {True: rho * values[3] + (1 - rho) * sigma2 * bessel,
                    False: rho * values[3] + (1 - rho) * sigma2}
    else:
        expected = {True: values[3], False: values[3]}
    for layer, fused in zip(pair, (True, False)):
        np.testing.assert_allclose(layer.moving_variance.numpy(), expected[fused], rtol=1e-10,
                                   atol=1e-12)
