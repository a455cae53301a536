"""ex01: the backwards of the elementwise ops, each called directly (not through a tape).

Each op's forward runs on float64 arrays, then its ``backward`` gets a random upstream
gradient ``g``; the result must equal ``d/dx sum(f(x) * g)`` by central differences of a
NumPy forward (``course.oracles.numeric_gradient``). Failures report through minigrad's
gradcheck report (worst entry, analytic vs numeric, a hint).
"""

from __future__ import annotations

import numpy as np
import pytest

from course.diagnose import check_gradients, run_backward
from course.oracles import numeric_gradient
from minigrad.ops import activation
from minigrad.ops import elementwise as ew


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def _any(rng, shape):
    return rng.normal(size=shape)


def _away_from_zero(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


#: name: (Op class, NumPy forward, input generators)
OPS = {
    "multiply": (ew.Multiply, lambda a, b: a * b, (_any, _any)),
    "divide": (ew.Divide, lambda a, b: a / b, (_any, _away_from_zero)),
    "power": (ew.Power, lambda a, b: a**b, (_positive, _any)),
    "exp": (ew.Exp, np.exp, (_any,)),
    "log": (ew.Log, np.log, (_positive,)),
    "sqrt": (ew.Sqrt, np.sqrt, (_positive,)),
    "tanh": (activation.Tanh, np.tanh, (_any,)),
    "sigmoid": (activation.Sigmoid, lambda x: 1 / (1 + np.exp(-x)), (_any,)),
}


def check_op(name: str, inputs: list, upstream) -> None:
    op, forward, _ = OPS[name]
    _, grads = run_backward(op, inputs, upstream)
    expected = numeric_gradient(forward, inputs, upstream)
    names = [f"d{name}/d{'ab'[i] if len(inputs) == 2 else 'x'}" for i in range(len(inputs))]
    check_gradients(f"{op.__name__}.backward", grads, expected, names)


def draw(name: str, seed: int, shape=(3, 4)):
    rng = np.random.default_rng(seed)
    inputs = [make(rng, shape) for make in OPS[name][2]]
    return inputs, rng.normal(size=shape)


@pytest.mark.parametrize("name", list(OPS))
def test_backward_matches_central_differences(name):
    inputs, upstream = draw(name, seed=12)
    check_op(name, inputs, upstream)


@pytest.mark.parametrize("name", list(OPS))
def test_backward_scales_the_upstream_gradient(name):
    """The same inputs with g = 1 and g = 3: the gradients must scale (chain rule)."""
    inputs, _ = draw(name, seed=5, shape=(2, 3))
    check_op(name, inputs, np.ones((2, 3)))
    check_op(name, inputs, np.full((2, 3), 3.0))


def test_power_at_a_zero_base_with_a_zero_exponent():
    """d(a**b)/da = b a**(b-1) is 0 * inf at a = b = 0; the limit (and central difference) is 0."""
    a, b = np.array([0.0, 2.0, 1.5]), np.array([0.0, 3.0, 0.5])
    _, (ga, _) = run_backward(ew.Power, [a, b], np.ones(3), needs=[True, False])
    expected = numeric_gradient(lambda t: t**b, [np.array([0.0, 2.0, 1.5])], np.ones(3), eps=1e-7)
    expected[0][0] = 0.0  # (+eps)**0 == (-eps)**0 == 1
    check_gradients("Power.backward at a = b = 0", [ga], expected, ["dpower/da"])


def test_power_exponent_gradient_is_zero_for_a_non_positive_base():
    """ln(a) is undefined for a <= 0; the gradient with respect to b is taken as 0 there."""
    a, b = np.array([-2.0, 0.0, 3.0]), np.array([2.0, 2.0, 2.0])
    _, (_, gb) = run_backward(ew.Power, [a, b], np.ones(3), needs=[False, True])
    expected = np.array([0.0, 0.0, 9.0 * np.log(3.0)])
    check_gradients("Power.backward (exponent) at a <= 0", [gb], [expected], ["dpower/db"])


@pytest.mark.hidden
@pytest.mark.parametrize("name", list(OPS))
def test_backward_on_random_inputs(name, course_seed):
    rng = np.random.default_rng(course_seed)
    shape = tuple(int(s) for s in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    inputs, upstream = draw(name, seed=int(rng.integers(2**31)), shape=shape)
    check_op(name, inputs, upstream)
