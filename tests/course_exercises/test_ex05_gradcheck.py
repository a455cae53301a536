"""ex05: gradcheck itself: the central difference and the entry-by-entry comparison.

The student's ``_central_difference`` and ``_check_full`` (minigrad/gradcheck.py) are called
directly with analytic gradients that this test computes in NumPy, right or planted wrong:
a flipped sign, a factor 2, a missing un-broadcast, an ignored upstream gradient, one wrong
entry. The checker must accept the right ones and raise GradcheckError for every wrong one.
No tape runs (the tape is another exercise): ``loss`` is a forward pass only.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import minigrad as mg
from course.oracles import unbroadcast
from minigrad.errors import GradcheckError

gc = importlib.import_module("minigrad.gradcheck")  # the module (minigrad.gradcheck is the function)
TOL = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}


def t64(a):
    return mg.tensor(np.asarray(a, dtype=np.float64), dtype="float64")


#: name: (minigrad forward, NumPy gradients (x, y, upstream r) -> [dx, dy] before un-broadcasting,
#: input shapes)
FUNCTIONS = {
    "tanh(x) * y (y broadcast)": (
        lambda x, y: mg.tanh(x) * y,
        lambda x, y, r: [r * y * (1 - np.tanh(x) ** 2), r * np.tanh(x)],
        ((4, 3), (1, 3))),
    "exp(x) / y": (
        lambda x, y: mg.exp(x) / y,
        lambda x, y, r: [r * np.exp(x) / y, -r * np.exp(x) / y**2],
        ((2, 3), (2, 3))),
    "x * x * y + y (y broadcast)": (
        lambda x, y: x * x * y + y,
        lambda x, y, r: [2 * r * x * y, r * (x * x + 1)],
        ((3, 2), (1, 2))),
}


def setup(name: str, seed: int = 0):
    f, grads, shapes = FUNCTIONS[name]
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=shapes[0])
    y = rng.uniform(0.5, 2.0, size=shapes[1])
    r = rng.normal(size=np.broadcast_shapes(*shapes))

    def loss(*ts):
        return mg.sum(f(*ts) * t64(r))

    right = [unbroadcast(g, t.shape) for g, t in zip(grads(x, y, r), (x, y))]
    return loss, [t64(x), t64(y)], right, (x, y, r)


def planted(name: str, kind: str, right: list, data: tuple) -> list:
    """Analytic gradients with one planted mistake."""
    x, y, r = data
    if kind == "sign flip":
        return [-right[0], right[1]]
    if kind == "factor 2":
        return [right[0], 2 * right[1]]
    if kind == "ignored upstream gradient":
        return [unbroadcast(g, t.shape) for g, t in zip(FUNCTIONS[name][1](x, y, np.ones_like(r)), (x, y))]
    if kind == "one wrong entry":
        wrong = right[0].copy()
        wrong.flat[-1] += 0.05
        return [wrong, right[1]]
    if kind == "missing un-broadcast":  # the broadcast input's gradient: one row, not the sum of rows
        rows = FUNCTIONS[name][1](x, y, r)[1]
        return [right[0], rows[:1]]
    raise ValueError(kind)


def run_check(checker: str, loss, xs, grads) -> None:
    grads = [t64(g) for g in grads]
    if checker == "full":
        gc._check_full(loss, xs, grads, TOL["eps"], TOL["atol"], TOL["rtol"], 8, None, "")
    else:
        gc._check_random(loss, xs, grads, TOL["eps"], TOL["atol"], TOL["rtol"], 8,
                         np.random.default_rng(0), "")


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("checker", ["full", "random"])
def test_the_checker_accepts_right_gradients(name, checker):
    loss, xs, right, _ = setup(name)
    try:
        run_check(checker, loss, xs, right)
    except GradcheckError as exc:
        raise AssertionError(f"gradcheck (mode={checker!r}) rejected the right gradients of {name}:\n"
                             f"{exc}") from None


KINDS = ["sign flip", "factor 2", "ignored upstream gradient", "one wrong entry"]


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("kind", KINDS)
def test_the_full_checker_catches_a_planted_mistake(name, kind):
    loss, xs, right, data = setup(name)
    with pytest.raises(GradcheckError, match="gradcheck failed"):
        run_check("full", loss, xs, planted(name, kind, right, data))
        raise AssertionError(f"gradcheck (mode='full') accepted a backward with a {kind} in {name}")


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if "broadcast" in n])
@pytest.mark.parametrize("checker", ["full", "random"])
def test_the_checker_catches_a_missing_unbroadcast(name, checker):
    loss, xs, right, data = setup(name)
    wrong = planted(name, "missing un-broadcast", right, data)
    with pytest.raises(GradcheckError, match="gradcheck failed"):
        run_check(checker, loss, xs, wrong)
        raise AssertionError(f"gradcheck (mode={checker!r}) accepted a gradient that was not summed over "
                             f"the broadcast rows in {name}")


@pytest.mark.parametrize("kind", ["sign flip", "factor 2", "ignored upstream gradient"])
def test_the_random_checker_catches_a_planted_mistake(kind):
    name = "exp(x) / y"
    loss, xs, right, data = setup(name)
    with pytest.raises(GradcheckError, match="gradcheck failed"):
        run_check("random", loss, xs, planted(name, kind, right, data))
        raise AssertionError(f"gradcheck (mode='random') accepted a backward with a {kind} in {name}")


@pytest.mark.parametrize("eps", [1e-3, 1e-2])
def test_central_difference_is_the_symmetric_quotient(eps):
    """(L(x + s) - L(x - s)) / (2 eps), error O(eps^2): on a cubic a forward difference is off by O(eps)."""
    rng = np.random.default_rng(1)
    x, v = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    z, w = rng.normal(size=4), rng.normal(size=4)

    def loss(a, b):
        return mg.sum(a * a * a) + mg.sum(mg.exp(b))

    got = gc._central_difference(loss, [t64(x), t64(z)], [eps * v, eps * w], eps)
    plus = np.sum((x + eps * v) ** 3) + np.sum(np.exp(z + eps * w))
    minus = np.sum((x - eps * v) ** 3) + np.sum(np.exp(z - eps * w))
    expected = (plus - minus) / (2 * eps)
    assert abs(float(got) - expected) <= 1e-9 * abs(expected), (
        f"central difference with eps={eps}: got {float(got):.10g}, expected {expected:.10g} "
        f"(the derivative itself is {np.sum(3 * x * x * v) + np.sum(np.exp(z) * w):.10g}); the step "
        "goes both ways: (L(x + s) - L(x - s)) / (2 eps), with every input moved by its own step")


@pytest.mark.hidden
def test_checker_on_random_inputs(course_seed):
    rng = np.random.default_rng(course_seed)
    names = list(FUNCTIONS)
    name = names[int(rng.integers(len(names)))]
    loss, xs, right, data = setup(name, seed=int(rng.integers(2**31)))
    run_check("full", loss, xs, right)
    for kind in KINDS:
        with pytest.raises(GradcheckError):
            run_check("full", loss, xs, planted(name, kind, right, data))
            raise AssertionError(f"gradcheck accepted a backward with a {kind} in {name}")
