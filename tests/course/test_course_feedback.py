"""The exercise feedback names each known wrong convention when a submission makes it.

Each case swaps one reference function for a version with a classic mistake (the variance
with n - 1, epsilon outside the square root, ...), runs an exercise test on it, and checks
that the test fails with the diagnosis of that mistake, the worst entry, and without the
whole expected array.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from course.diagnose import CONVENTIONS, check_close, mismatch
from layers import normalization
from minigrad.ops import linalg, reductions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "course_exercises"))
ex02 = importlib.import_module("test_ex02_reductions_matmul")
ex03 = importlib.import_module("test_ex03_unbroadcast")
ex07 = importlib.import_module("test_ex07_bn_forward")
ex08 = importlib.import_module("test_ex08_moving_statistics")
ex11 = importlib.import_module("test_ex11_ghost_batches")
bn_cases = importlib.import_module("bn_cases")

REFERENCE_MOMENTS = normalization.two_pass_moments
REFERENCE_RULE = normalization._assign_moving_average
LAYER = normalization.BatchNormalizationBase
REFERENCE_BATCHES = LAYER._batches_to_normalize
REFERENCE_TRACKED = LAYER._tracked_statistics


def case(name: str) -> dict:
    return next(e for e in bn_cases.INDEX["cases"] if e["name"] == name)


def failure_of(test, *args) -> str:
    with pytest.raises(AssertionError) as info:
        test(*args)
    return str(info.value)


def assert_names(message: str, convention: str) -> None:
    assert f"Diagnosis: your output matches {CONVENTIONS[convention]}" in message, message
    assert "worst at index" in message or "shape" in message, message


# -- ex07: the forward ----------------------------------------------------------------------------------
def moments_n_minus_1(x, reduction_axes, weights=None):
    mean, variance, centered = REFERENCE_MOMENTS(x, reduction_axes, weights)
    n = int(np.prod([x.shape[a] for a in reduction_axes]))
    return mean, variance * (n / (n - 1)), centered


def moments_over(axes_of):
    def moments(x, reduction_axes, weights=None):
        return REFERENCE_MOMENTS(x, axes_of(x, reduction_axes), weights)
    return moments


def eps_outside(centered, variance, offset, scale, epsilon):
    y = centered / (mg.sqrt(variance) + epsilon)
    y = y if scale is None else y * scale
    return y if offset is None else y + offset


@pytest.mark.parametrize("convention,target,replacement", [
    ("n_minus_1", "two_pass_moments", moments_n_minus_1),
    ("eps_outside_sqrt", "_batch_normalization", eps_outside),
])
def test_ex07_names_the_mistake(monkeypatch, convention, target, replacement):
    monkeypatch.setattr(normalization, target, replacement)
    message = failure_of(ex07.test_layer_matches_keras, case("r3_axis-1_train"))
    assert_names(message, convention)


@pytest.mark.parametrize("convention,replacement", [
    ("batch_axis_only", moments_over(lambda x, axes: (0,))),
    ("channel_axis", moments_over(lambda x, axes: (x.ndim - 1,))),
])
def test_ex07_names_wrong_axes(monkeypatch, convention, replacement):
    """Over the wrong axes the statistics have the wrong shape, so the layer stops with a shape
    error; the moments, tested directly, are diagnosed."""
    monkeypatch.setattr(ex07, "two_pass_moments", replacement)
    assert_names(failure_of(ex07.test_moments, (4, 5, 3), (0, 1), False), convention)


def test_ex07_names_epsilon_outside_the_root_in_inference(monkeypatch):
    monkeypatch.setattr(normalization, "_batch_normalization", eps_outside)
    assert_names(failure_of(ex07.test_layer_matches_keras, case("r2_eps0.1_train")), "eps_outside_sqrt")
    assert_names(failure_of(ex07.test_layer_matches_keras, case("r3_eps0.1_infer")), "eps_outside_sqrt")


# -- ex08: the moving statistics ------------------------------------------------------------------------
def rule_weighting_new(variable, value, momentum):
    return REFERENCE_RULE(variable, value, 1 - momentum)  # PyTorch's momentum is Keras's 1 - momentum


def remember_batch(self, x, weights):
    """``_batches_to_normalize``, remembering the batch (for the wrong conventions below)."""
    self._course_batch = x
    return REFERENCE_BATCHES(self, x, weights)


def tracked_unbiased(self, mean, variance):
    n = self._course_batch.size // int(np.prod([self._course_batch.shape[a] for a in self.axis]))
    return REFERENCE_TRACKED(self, mean, variance * (n / (n - 1)))


def tracked_full_batch(self, mean, variance):
    x = self._course_batch
    axes = tuple(i for i in range(x.ndim) if i not in self.axis)
    mean, _ = REFERENCE_TRACKED(self, mean, variance)
    return mean, mg.reshape(mg.var(x, axis=axes), self._param_shape)


def test_ex08_names_momentum_weighting_the_new_value(monkeypatch):
    monkeypatch.setattr(normalization, "_assign_moving_average", rule_weighting_new)
    assert_names(failure_of(ex08.test_moving_statistics_match_keras, case("r2_mom09_train")),
                 "momentum_weights_new")


def test_ex08_names_pytorchs_convention(monkeypatch):
    """The layer's rule weights the new value and moves towards the unbiased variance (the rule
    itself is the reference, so the test's first, direct check of it passes)."""
    reference = LAYER._move

    def move_pytorch(self, variable, value, then=None):
        saved = self.momentum
        self.momentum = 1 - saved
        try:
            reference(self, variable, value, then)
        finally:
            self.momentum = saved

    monkeypatch.setattr(LAYER, "_batches_to_normalize", remember_batch)
    monkeypatch.setattr(LAYER, "_tracked_statistics", tracked_unbiased)
    monkeypatch.setattr(LAYER, "_move", move_pytorch)
    assert_names(failure_of(ex08.test_moving_statistics_match_keras, case("r2_mom09_train")), "pytorch")


# -- ex11: ghost batches ----------------------------------------------------------------------------------
def contiguous_split(self, x):
    vbs, batch = self.virtual_batch_size, x.shape[0]
    grouped = mg.reshape(x, (batch // vbs, vbs) + tuple(x.shape[1:]))  # ghost j: rows j vbs ...
    return mg.transpose(grouped, (1, 0) + tuple(range(2, grouped.ndim)))


def test_ex11_names_contiguous_ghost_batches(monkeypatch):
    monkeypatch.setattr(LAYER, "_split_ghost_batches", contiguous_split)
    assert_names(failure_of(ex11.test_ghost_batches, 12, 4), "contiguous")


def test_ex11_names_the_full_batch_variance(monkeypatch):
    monkeypatch.setattr(LAYER, "_batches_to_normalize", remember_batch)
    monkeypatch.setattr(LAYER, "_tracked_statistics", tracked_full_batch)
    assert_names(failure_of(ex11.test_ghost_batches, 12, 4), "full_batch_variance")


# -- ex02 and ex03: gradients of shapes ---------------------------------------------------------------------
def test_ex02_names_a_transposed_matmul_gradient(monkeypatch):
    reference = linalg.Matmul.backward

    def transposed(ctx, g):
        ga, gb = reference(ctx, g)
        return mg.transpose(ga), mg.transpose(gb)

    monkeypatch.setattr(linalg.Matmul, "backward", staticmethod(transposed))
    assert_names(failure_of(ex02.test_matmul_backward_square_operands), "transposed")


def test_ex02_names_lost_keepdims(monkeypatch):
    monkeypatch.setattr(reductions, "expand_to_input", lambda g, ctx: mg.broadcast_to(g, ctx.inputs[0].shape))
    assert_names(failure_of(ex02.test_sum_backward_puts_the_reduced_axis_back), "lost_keepdims")


def test_ex03_names_a_singleton_axis_not_summed(monkeypatch):
    def leading_only(g, shape, op_name, i):
        lead = g.ndim - len(shape)
        return mg.sum(g, axis=tuple(range(lead))) if lead else g

    monkeypatch.setattr(ex03, "_unbroadcast", leading_only)
    assert_names(failure_of(ex03.test_unbroadcast_sums_back_to_the_input_shape, (4, 3), (1, 3)),
                 "leading_axes_only")


# -- the message itself ---------------------------------------------------------------------------------
def test_the_message_shows_the_worst_entry_and_statistics_not_the_array():
    expected = np.arange(1000.0).reshape(10, 100)
    got = expected.copy()
    got[3, 7] += 5.0
    got[6, 1] += 0.5
    with pytest.raises(AssertionError) as info:
        check_close("y", got, expected)
    message = str(info.value)
    assert "2 of 1000 entries off" in message and "worst at index (3, 7): got 312, expected 307" in message
    assert "max abs error 5.000e+00" in message and "mean abs error" in message
    assert "998" not in message, "the expected array must not be printed"


def test_a_shape_mismatch_is_reported_as_such():
    assert mismatch("dx", np.zeros((4, 3)), np.zeros((1, 3))) == "dx: shape (4, 3), expected (1, 3)"


def test_no_diagnosis_when_the_output_is_right():
    check_close("y", np.ones(3), np.ones(3), wrong={"n_minus_1": np.ones(3)})  # no error
