"""ex08: the moving statistics, ``moving <- moving - (moving - batch) * (1 - momentum)``.

The student writes the rule that moves a moving mean or variance towards a batch statistic.
The layer is replayed on the recorded Keras cases (one training call, then three more, each
followed by the recorded weights), and the rule is checked directly. A wrong moving
statistic is compared with the known mistakes: momentum weighting the new value, and
PyTorch's convention (the same, with the unbiased batch variance).
"""

from __future__ import annotations

import numpy as np
import pytest
from bn_cases import call, entries, load, make_layer, mask_weights

import minigrad as mg
from course.diagnose import check_table
from course.oracles import bn_moments, moving_average, moving_variance_step
from layers import normalization
from layers.normalization import BatchNormalization

CASES = [e for e in entries({"basic", "momentum", "rank3", "rank4", "mask", "axis", "epsilon", "fused",
                             "multi_axis", "batch1"},
                            exclude={"renorm", "renorm_clipping", "virtual_batch", "float16", "inference",
                                     "trainable", "adjustment"})
         if e["training"]]
MISTAKES = ("momentum_weights_new", "pytorch")


def expected_mistakes(layer, x, weights, before: dict) -> dict:
    """The moving statistics after one step under each wrong convention."""
    axes = list(layer.axis)
    mean, variance = bn_moments(x, axes, weights)
    n = int(np.prod([x.shape[i] for i in range(x.ndim) if i not in [a % x.ndim for a in axes]]))
    if layer.fused and n > 1:
        variance = variance * n / (n - 1)  # the fused path moves towards the unbiased variance
    shape = tuple(layer.moving_mean.shape)
    return {c: (moving_average(before["moving_mean"], mean.reshape(shape), layer.momentum, c),
                moving_variance_step(before["moving_variance"], variance.reshape(shape), n, layer.momentum,
                                     c if c == "momentum_weights_new" or not layer.fused else c))
            for c in MISTAKES}


def check_step(layer, x, weights, expected_mean, expected_variance, before, tol, what):
    check_table(what, [("moving_mean", layer.moving_mean, expected_mean.reshape(layer.moving_mean.shape)),
                       ("moving_variance", layer.moving_variance,
                        expected_variance.reshape(layer.moving_variance.shape))],
                **tol, wrong=expected_mistakes(layer, x, weights, before))


def check_rule(case, meta) -> None:
    """Your rule alone on the case's numbers, before the layer: the moving mean after one step."""
    x, axes = case["x"], meta["effective"]["normalized_axes"]
    momentum = meta["constructor_kwargs"]["momentum"]
    before = case["init/moving_mean"].astype(np.float64).reshape(-1)
    mean = bn_moments(x, axes, mask_weights(case, meta))[0].reshape(-1)
    variable = mg.Variable(before.copy())
    normalization._assign_moving_average(variable, mg.tensor(mean, dtype="float64"), momentum)
    check_table(f"_assign_moving_average on case {meta['name']!r} (momentum {momentum})",
                [("moving_mean", variable, case["after/moving_mean"].reshape(-1))],
                **meta["suggested_tolerance"],
                wrong={c: (moving_average(before, mean, momentum, c),) for c in ("momentum_weights_new",)})


@pytest.mark.parametrize("entry", CASES, ids=[e["name"] for e in CASES])
def test_moving_statistics_match_keras(entry):
    case, meta = load(entry)
    check_rule(case, meta)
    layer = make_layer(case, meta, fused=meta["constructor_kwargs"]["fused"])
    tol = meta["suggested_tolerance"]
    before = {n: getattr(layer, n).numpy().astype(np.float64) for n in ("moving_mean", "moving_variance")}
    call(layer, case, meta)
    check_step(layer, case["x"], mask_weights(case, meta), case["after/moving_mean"],
               case["after/moving_variance"], before, tol,
               f"case {meta['name']!r} (momentum {layer.momentum}): after one training call")
    # the sequence: a fresh layer
    layer = make_layer(case, meta, fused=meta["constructor_kwargs"]["fused"])
    for i in range(meta["seq_k"]):
        before = {n: getattr(layer, n).numpy().astype(np.float64) for n in ("moving_mean", "moving_variance")}
        x = case[f"seq/x{i}"]
        kwargs = {"training": True}
        if f"seq/mask{i}" in case:
            kwargs["mask"] = mg.tensor(case[f"seq/mask{i}"])
        layer(mg.tensor(x), **kwargs)
        weights = mask_weights({"x": x, "mask": case.get(f"seq/mask{i}")}, meta)
        check_step(layer, x, weights, case[f"seq/w{i}/moving_mean"], case[f"seq/w{i}/moving_variance"],
                   before, tol,
                   f"case {meta['name']!r} (momentum {layer.momentum}): sequence call {i + 1}")


@pytest.mark.parametrize("momentum", [0.0, 0.25, 0.9, 0.99, 1.0])
def test_the_rule_on_a_variable(momentum):
    variable = mg.Variable(np.array([1.0, -2.0, 4.0], "float32"))
    from layers.normalization import _assign_moving_average

    value = mg.tensor(np.array([3.0, 0.5, -1.0]), dtype="float64")
    returned = _assign_moving_average(variable, value, momentum)
    expected = moving_average([1.0, -2.0, 4.0], [3.0, 0.5, -1.0], momentum)
    check_table(f"the moving average, momentum {momentum}", [("variable", variable, expected)],
                rtol=1e-6, atol=1e-6,
                wrong={"momentum_weights_new": (moving_average([1.0, -2.0, 4.0], [3.0, 0.5, -1.0],
                                                               momentum, "momentum_weights_new"),)})
    assert variable.dtype == "float32", f"the variable keeps its dtype (float32); got {variable.dtype}"
    assert returned is variable, "the rule returns the variable it updated"


def test_the_update_is_not_recorded_by_a_tape():
    """The moving statistics are state, not part of the computation: a tape ignores the update."""
    from layers.normalization import _assign_moving_average

    variable = mg.Variable(np.zeros(2), trainable=False)
    x = mg.tensor(np.array([1.0, 2.0]), dtype="float64")
    with mg.GradientTape() as tape:
        tape.watch(x)
        _assign_moving_average(variable, x * 2.0, 0.5)
        y = mg.sum(x * variable.value())
    assert np.allclose(variable.numpy(), [1.0, 2.0]), f"moving value {variable.numpy()}, expected [1, 2]"
    grad = tape.gradient(y, x)
    assert np.allclose(grad.numpy(), [1.0, 2.0]), (
        f"d/dx sum(x * moving) = moving = [1, 2]; got {grad.numpy()}: the update was recorded as "
        "part of the computation (do it under mg.no_recording())")


@pytest.mark.hidden
def test_several_steps_random(course_seed):
    rng = np.random.default_rng(course_seed)
    momentum = float(rng.uniform(0.05, 0.95))
    channels = int(rng.integers(1, 5))
    start, value = rng.normal(size=channels), rng.normal(size=channels)
    variable = mg.Variable(start.copy())
    normalization._assign_moving_average(variable, mg.tensor(value, dtype="float64"), momentum)
    check_table(f"_assign_moving_average, momentum {momentum:.3f}",
                [("variable", variable, moving_average(start, value, momentum))], rtol=1e-12, atol=1e-12,
                wrong={c: (moving_average(start, value, momentum, c),) for c in ("momentum_weights_new",)})
    layer = BatchNormalization(momentum=momentum, fused=False, dtype="float64")
    layer(np.zeros((4, channels)), training=False)
    mean, variance = np.zeros(channels), np.ones(channels)
    for _ in range(int(rng.integers(2, 5))):
        x = rng.normal(size=(int(rng.integers(2, 9)), channels)) * 3 + 1
        before = {"moving_mean": mean, "moving_variance": variance}
        layer(x, training=True)
        batch_mean, batch_variance = bn_moments(x, [1])
        mean = moving_average(mean, batch_mean.reshape(-1), momentum)
        variance = moving_average(variance, batch_variance.reshape(-1), momentum)
        check_step(layer, x, None, mean, variance, before, {"rtol": 1e-9, "atol": 1e-12},
                   f"random steps, momentum {momentum:.3f}")
