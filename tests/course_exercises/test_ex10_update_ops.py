"""ex10: the V1 update-ops bug: the student's check catches a loop that forgets them, and the
example's loop runs them.

Two regions: ``assert_runs_update_ops`` (tests/course_exercises/ex10_update_check.py), the
student's test of a training step, and the part of ``train_step`` in
examples/custom_loop_v1.py that runs the update ops (checked first on a stand-in model
without layers, then on the example's model). The check is run here against loops
written in this file (right, forgetful, partial, doubled), so it is graded without the
student's loop; the loop is graded by replaying one step and comparing every V1 layer's
moving statistics with NumPy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from ex10_update_check import assert_runs_update_ops

import minigrad as mg
from course.diagnose import check_table

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_loop_v1.py"


def load_example():
    import sys

    sys.path.insert(0, str(EXAMPLE.parent))  # the example imports its sibling _threads
    try:
        spec = importlib.util.spec_from_file_location("custom_loop_v1_under_test", EXAMPLE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    return module


def step_then(run):
    """A training step (written here, not the student's) that ends with ``run(model, update_ops)``."""
    def train_step(model, loss_fn, optimizer, features, labels, run_updates=True):
        with mg.GradientTape() as tape:
            loss = loss_fn(labels, model(features, training=True))
        weights = model.trainable_weights
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        update_ops = model.get_updates_for(None) + model.get_updates_for(features)
        if run_updates:
            run(model, update_ops)
        return loss, update_ops
    return train_step


def run_all(model, ops):
    for op in ops:
        op()


WRONG_LOOPS = {
    "forgets the update ops": lambda model, ops: None,
    "runs only the unconditional updates (get_updates_for(None))":
        lambda model, ops: [op() for op in model.get_updates_for(None)],
    "runs the first BN layer's updates only": lambda model, ops: [op() for op in ops[:2]],
    "runs every update op twice": lambda model, ops: [op() for op in ops + ops],
}


def test_your_check_accepts_a_loop_that_runs_the_updates():
    try:
        assert_runs_update_ops(step_then(run_all))
    except AssertionError as exc:
        raise AssertionError(f"your check rejected a right training step: {exc}") from None


@pytest.mark.parametrize("mistake", list(WRONG_LOOPS))
def test_your_check_catches_a_wrong_loop(mistake):
    with pytest.raises(AssertionError):
        assert_runs_update_ops(step_then(WRONG_LOOPS[mistake]))
        raise RuntimeError(f"your check accepted a training step that {mistake}")


class StandIn:
    """A model without layers for the loop alone: one weight, and update ops that count their runs
    (one unconditional, two of this batch, one of them listed twice)."""

    def __init__(self):
        self.weight = mg.Variable(np.full((2, 3), 0.5))
        self.runs = {"unconditional": 0, "mean": 0, "variance": 0}
        self.ops = {name: self._counter(name) for name in self.runs}

    def _counter(self, name):
        def op():
            self.runs[name] += 1
        return op

    def __call__(self, features, training=None):
        return mg.matmul(features, self.weight)

    @property
    def trainable_weights(self):
        return [self.weight]

    def get_updates_for(self, inputs):
        if inputs is None:
            return [self.ops["unconditional"]]
        return [self.ops["mean"], self.ops["variance"], self.ops["mean"]]


def check_loop_on_a_stand_in(example, run_updates: bool = True) -> None:
    """The example's train_step on a stand-in model: every update op once (or none when told so)."""
    model = StandIn()
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)
    features, labels = mg.tensor(np.ones((4, 2))), mg.tensor(np.array([0, 1, 2, 0]))
    example.train_step(model, loss_fn, mg.optimizers.SGD(0.0), features, labels, run_updates=run_updates)
    expected = dict.fromkeys(model.runs, 1 if run_updates else 0)
    assert model.runs == expected, (
        f"train_step(run_updates={run_updates}) ran the update ops {model.runs} times; expected {expected}: "
        "run model.get_updates_for(None) + model.get_updates_for(features), each op once "
        "(an op can be listed twice), and none when run_updates is False")


def test_the_example_loop_runs_each_op_once_on_a_stand_in_model():
    check_loop_on_a_stand_in(load_example())


def bn_train(x, layer):
    mean, variance = x.mean(axis=0), x.var(axis=0)
    return (x - mean) / np.sqrt(variance + layer.epsilon) * layer.gamma.numpy() + layer.beta.numpy()


def test_the_example_loop_runs_each_update_op_once():
    example = load_example()
    check_loop_on_a_stand_in(example)
    mg.random.seed(1)
    model = example.build_model(n_classes=3)
    x = np.random.default_rng(2).normal(size=(16, 2)).astype("float32")
    y = np.random.default_rng(3).integers(0, 3, size=16)
    model(x[:1], training=False)  # build
    dense_1, bn_1, dense_2, bn_2 = (model.get_layer(n) for n in ("dense_1", "bn_1", "dense_2", "bn_2"))
    # what each BN layer sees in the step (NumPy, weights before the step)
    seen_1 = x.astype(np.float64) @ dense_1.kernel.numpy() + dense_1.bias.numpy()
    seen_2 = np.maximum(bn_train(seen_1, bn_1), 0) @ dense_2.kernel.numpy() + dense_2.bias.numpy()
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)
    _, ops = example.train_step(model, loss_fn, mg.optimizers.Adam(0.01), mg.tensor(x), mg.tensor(y))
    assert len(ops) == 4, f"the step has 4 update ops (2 per V1 layer); got {len(ops)}"
    rows = []
    for bn, seen in ((bn_1, seen_1), (bn_2, seen_2)):
        m = bn.momentum
        rows += [(f"{bn.name}.moving_mean", bn.moving_mean, (1 - m) * seen.mean(axis=0)),
                 (f"{bn.name}.moving_variance", bn.moving_variance, m + (1 - m) * seen.var(axis=0))]
    check_table("the moving statistics after one step of examples/custom_loop_v1.py's train_step "
                "(0 and 1 mean the update ops did not run; twice the step means they ran twice)",
                rows, rtol=1e-4, atol=1e-6)


def test_the_example_loop_passes_your_check():
    """Your check on the example's (your) loop: both halves of the exercise together."""
    assert_runs_update_ops(load_example().train_step)


def test_the_example_loop_can_still_forget_on_purpose():
    """run_updates=False (the example's --forget-updates) must leave the statistics alone."""
    example = load_example()
    check_loop_on_a_stand_in(example, run_updates=False)
    model = example.build_model(n_classes=3)
    x = np.ones((4, 2), "float32")
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)
    example.train_step(model, loss_fn, mg.optimizers.SGD(0.1), mg.tensor(x), mg.tensor(np.zeros(4, "int64")),
                       run_updates=False)
    bn = model.get_layer("bn_1")
    assert np.allclose(bn.moving_mean.numpy(), 0) and np.allclose(bn.moving_variance.numpy(), 1), (
        "with run_updates=False the step must not run the update ops")


@pytest.mark.hidden
def test_your_check_on_random_wrong_loops(course_seed):
    rng = np.random.default_rng(course_seed)
    names = list(WRONG_LOOPS)
    mistake = names[int(rng.integers(len(names)))]
    with pytest.raises(AssertionError):
        assert_runs_update_ops(step_then(WRONG_LOOPS[mistake]))
        raise RuntimeError(f"your check accepted a training step that {mistake}")
    assert_runs_update_ops(step_then(run_all))
