"""gradcheck passes on right gradients and fails, with a readable report, on wrong ones.

The wrong ops below are test-only Op subclasses with an empty ``name``, so they
never enter ``minigrad.ops.base.REGISTRY`` (the completeness test reads it).
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import GradcheckError
from minigrad.gradcheck import gradcheck
from minigrad.ops.base import REGISTRY, Op, apply
from minigrad.tensor import Tensor

RNG = np.random.default_rng(1)
X = RNG.uniform(0.5, 1.5, size=(3, 4))
Y = RNG.uniform(0.5, 1.5, size=(4,))


class CubeWrongSign(Op):
    """y = x**3 with dy/dx = -3 x**2: a sign error."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return -(g * 3.0 * x * x)


class CubeTwiceTooBig(Op):
    """y = x**3 with dy/dx = 6 x**2: a factor of 2."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * 6.0 * x * x


class CubeZeroGradient(Op):
    """y = x**3 with a backward that returns zeros."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        return mg.zeros_like(g)


class CubeSlightlyOff(Op):
    """y = x**3 with dy/dx = 3 x**2 (1 + 1e-4): relative error 1e-4."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (3.0 * (1 + 1e-4)) * x * x


class MultiplyWrongSecondInput(Op):
    """y = a * b whose gradient for b is g * a * a (wrong); a's is right."""

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return g * b, g * a * a


class CubeFrozenBackward(Op):
    """y = x**3 with dy/dx = 3 x**2 right in value but wrapped in stop_gradient,
    so the second derivative through it is lost."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * mg.stop_gradient(3.0 * x * x)


class CubeRawArrayBackward(Op):
    """y = x**3 whose backward computes 3 x**2 on raw arrays: invisible to an outer tape."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * Tensor._wrap(3.0 * x._data**2)


class CubeRight(Op):
    """y = x**3 with the right, differentiable backward: the control case."""

    @staticmethod
    def forward(ctx, x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * 3.0 * x * x


def _op(cls):
    return lambda *ts: apply(cls, *ts)


def test_test_ops_stay_out_of_the_registry():
    test_ops = {CubeWrongSign, CubeTwiceTooBig, CubeZeroGradient, CubeSlightlyOff,
                MultiplyWrongSecondInput, CubeFrozenBackward, CubeRawArrayBackward, CubeRight}
    assert not test_ops & set(REGISTRY.values())


# -- right gradients pass ------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["random", "full"])
@pytest.mark.parametrize("order", [1, 2])
def test_passes_on_correct_ops(mode, order):
    f = lambda x, y: mg.tanh(x) * mg.exp(y) / (1.0 + x * x)  # noqa: E731
    assert gradcheck(f, [X, Y], mode=mode, order=order) is True
    assert gradcheck(_op(CubeRight), [X], mode=mode, order=order) is True


def test_scalar_output_and_scalar_input():
    assert gradcheck(lambda x: mg.sum(x * x), [X], mode="full")
    assert gradcheck(lambda x: x * x * x, [np.array(0.7)], mode="full", order=2)


def test_inputs_become_float64_tensors():
    seen = []

    def f(a, b, c):
        seen.extend([a.dtype, b.dtype, c.dtype])
        return a * b + c

    x32 = mg.tensor(np.ones((2, 2), np.float32))
    assert gradcheck(f, [x32, [[1.0, 2.0], [3.0, 4.0]], np.array([1, 2])])
    assert set(seen) == {np.dtype("float64")}


def test_tolerance_formula_atol_plus_rtol_times_numeric():
    # relative error 1e-4: inside rtol=1e-3, outside rtol=1e-5 (atol=0)
    f = _op(CubeSlightlyOff)
    assert gradcheck(f, [X], mode="full", atol=0.0, rtol=1e-3)
    with pytest.raises(GradcheckError):
        gradcheck(f, [X], mode="full", atol=0.0, rtol=1e-5)
    # a large atol alone also accepts it (|a - n| <= 3 * 1e-4 * max |x|**2 * ... < 1)
    assert gradcheck(f, [X], mode="full", atol=1.0, rtol=0.0)


# -- wrong gradients fail, with a report ----------------------------------------------------
@pytest.mark.parametrize("mode", ["random", "full"])
def test_wrong_sign_fails_with_report(mode):
    with pytest.raises(GradcheckError) as info:
        gradcheck(_op(CubeWrongSign), [X], mode=mode)
    report = str(info.value)
    assert "input 0 (3, 4)" in report
    assert "analytic" in report and "numeric" in report
    assert "abs error" in report and "rel error" in report
    assert ("worst index" if mode == "full" else "worst direction") in report
    assert "wrong sign" in report


def test_full_report_points_at_the_worst_entry():
    x = np.array([[0.5, 1.0], [2.0, 1.5]])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: apply(CubeWrongSign, t), [x], mode="full")
    report = str(info.value)
    # L = sum(y * r): analytic -3 x^2 r vs numeric 3 x^2 r; |error| = 6 x^2 |r| is largest
    # where x^2 |r| is; compute r as gradcheck does (the first draw of its seeded generator)
    r = np.random.default_rng(0).standard_normal(x.shape)
    k = np.unravel_index(np.argmax(6 * x**2 * np.abs(r) - 1e-3 * 3 * x**2 * np.abs(r)), x.shape)
    assert f"worst index {tuple(int(i) for i in k)}" in report
    assert f"analytic {-3 * x[k] ** 2 * r[k]:.6g} vs numeric {3 * x[k] ** 2 * r[k]:.6g}" in report
    assert "4 of 4 entries differ" in report
    assert f"max abs error {np.max(6 * x**2 * np.abs(r)):.3e}"[:-4] in report


@pytest.mark.parametrize("mode", ["random", "full"])
def test_constant_factor_is_named(mode):
    with pytest.raises(GradcheckError, match="2 times the numeric one"):
        gradcheck(_op(CubeTwiceTooBig), [X], mode=mode)


@pytest.mark.parametrize("mode", ["random", "full"])
def test_zero_gradient_is_named(mode):
    with pytest.raises(GradcheckError, match="analytic gradient is zero"):
        gradcheck(_op(CubeZeroGradient), [X], mode=mode)


def test_report_names_the_wrong_input_only():
    with pytest.raises(GradcheckError) as info:
        gradcheck(_op(MultiplyWrongSecondInput), [X, X + 1.0], mode="full")
    lines = str(info.value).splitlines()
    first = next(line for line in lines if line.strip().startswith("input 0"))
    second = next(line for line in lines if line.strip().startswith("input 1"))
    assert "ok, 0 of 12 entries differ" in first
    assert "FAIL, 12 of 12 entries differ" in second


def test_random_mode_reports_each_input_and_the_joint_direction():
    with pytest.raises(GradcheckError) as info:
        gradcheck(_op(MultiplyWrongSecondInput), [X, X + 1.0], mode="random")
    report = str(info.value)
    assert "input 0 (3, 4): ok, 0 of 8 directions differ" in report
    assert "input 1 (3, 4): FAIL" in report
    assert "all inputs jointly: FAIL" in report


@pytest.mark.parametrize("cls", [CubeFrozenBackward, CubeRawArrayBackward])
@pytest.mark.parametrize("mode", ["random", "full"])
def test_second_order_catches_a_backward_that_is_not_differentiable(cls, mode):
    f = _op(cls)
    assert gradcheck(f, [X], mode=mode, order=1)  # first derivatives are right
    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [X], mode=mode, order=2)
    report = str(info.value)
    assert "second-order" in report
    assert "not differentiable" in report
    assert "input 0 (3, 4)" in report


def test_unused_input_is_reported():
    with pytest.raises(GradcheckError, match="input 1 is None: the output does not depend on it"):
        gradcheck(lambda x, y: mg.tanh(x), [X, Y])


def test_a_gradient_lost_by_the_tape_is_reported():
    lost = lambda x: mg.tensor(np.asarray(x) * 2.0)  # noqa: E731  (leaves minigrad ops)
    with pytest.raises(GradcheckError, match="tape lost it"):
        gradcheck(lost, [X])


# -- bad arguments -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["abc", np.array([1j]), [[1.0, 2.0], [3.0]], None])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError, match="does not convert to float64"):
        gradcheck(lambda x: x * 2.0, [bad])


def test_f_must_return_a_float_tensor():
    with pytest.raises(TypeError, match="f returned a ndarray"):
        gradcheck(lambda x: np.asarray(x), [X])
    with pytest.raises(TypeError, match="f returned a bool Tensor"):
        gradcheck(lambda x: x > 1.0, [X])


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "jacobian"}, "`mode` must be one of 'random', 'full'"),
    ({"order": 3}, r"`order` must be an integer in \[1, 2\]"),
    ({"eps": 0.0}, "`eps` must be finite and > 0"),
    ({"n_directions": 0}, "`n_directions` must be an integer >= 1"),
])
def test_bad_options_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gradcheck(lambda x: x * 2.0, [X], **kwargs)


def test_no_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: mg.tensor(1.0), [])


def test_seed_makes_the_report_reproducible():
    reports = []
    for _ in range(2):
        with pytest.raises(GradcheckError) as info:
            gradcheck(_op(CubeWrongSign), [X], seed=3)
        reports.append(str(info.value))
    assert reports[0] == reports[1]


# -- devices --------------------------------------------------------------------------------------
def test_gradcheck_runs_on_the_inputs_device(device):
    seen = set()

    def f(x, w):
        seen.add((x.device, w.device, x.dtype.name))
        return mg.tanh(x @ w)

    x = mg.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), device=device)
    w = mg.tensor(np.arange(6.0).reshape(3, 2) / 6.0, device=device)
    assert gradcheck(f, [x, w])
    assert gradcheck(f, [x, w], mode="full", order=2)
    assert seen == {(device, device, "float64")}  # every call, finite differences included


def test_gradcheck_reports_a_wrong_backward_on_a_device(device):
    x = mg.tensor(X, device=device)
    with pytest.raises(GradcheckError, match="2 times the numeric one"):
        gradcheck(lambda t: apply(CubeTwiceTooBig, t), [x], mode="full")
