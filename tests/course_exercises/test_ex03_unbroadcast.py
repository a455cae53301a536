"""ex03: un-broadcasting in the engine (``minigrad.tape._unbroadcast``), called directly.

A binary op's backward is written for equal shapes; when an input of shape ``s`` was
broadcast to the output's shape, the engine sums the gradient back to ``s``: over the
leading axes that broadcasting added, and over every axis where ``s`` has size 1 and the
gradient does not (keeping it, as size 1). Checked against ``course.oracles.unbroadcast``;
a wrong result is compared with two known mistakes (a singleton axis not summed, or summed
and dropped).
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from course.diagnose import check_close
from course.oracles import unbroadcast
from minigrad.errors import GradientShapeError
from minigrad.tape import _unbroadcast

CASES = [
    ((4, 3), (3,)),          # a row vector added to a matrix
    ((4, 3), (1, 3)),        # the same, kept 2-D: a singleton axis
    ((4, 3), (4, 1)),        # a column
    ((2, 4, 3), (4, 1)),     # a leading axis and a singleton axis
    ((2, 1, 3), (1, 1, 3)),  # the gradient itself has a size-1 axis there: nothing to sum
    ((2, 3), ()),            # a scalar
    ((3, 2, 5), (3, 1, 5)),  # a singleton in the middle
    ((1, 4, 3), (4, 1)),     # a leading axis of size 1: the axes are counted from the right
]


def check_unbroadcast(g_shape, shape, seed=0):
    g = np.random.default_rng(seed).normal(size=g_shape)
    got = _unbroadcast(mg.tensor(g, dtype="float64"), shape, "add", 1)
    assert isinstance(got, mg.Tensor), (
        f"_unbroadcast returned a {type(got).__name__}: return a minigrad Tensor made with minigrad "
        "ops (mg.sum, mg.reshape), so that gradients of gradients work.")
    wrong = {c: unbroadcast(g, shape, c) for c in ("leading_axes_only", "singleton_dropped")}
    check_close(f"the gradient {g_shape} summed back to the input's shape {shape}", got,
                unbroadcast(g, shape), wrong=wrong)


@pytest.mark.parametrize("g_shape,shape", CASES, ids=[f"{g}->{s}".replace(" ", "") for g, s in CASES])
def test_unbroadcast_sums_back_to_the_input_shape(g_shape, shape):
    check_unbroadcast(g_shape, shape)


def test_a_shape_that_does_not_broadcast_is_an_error():
    g = mg.tensor(np.ones((4, 3)), dtype="float64")
    with pytest.raises(GradientShapeError) as info:
        _unbroadcast(g, (5,), "add", 1)
    message = str(info.value)
    assert "(4, 3)" in message and "(5,)" in message and "'add'" in message and "input 1" in message, (
        f"the error must name the op ('add'), the input (1) and both shapes; got: {message}")


def test_more_axes_on_the_input_than_on_the_gradient_is_an_error():
    with pytest.raises(GradientShapeError):
        _unbroadcast(mg.tensor(np.ones(3), dtype="float64"), (2, 3), "multiply", 0)


@pytest.mark.hidden
def test_unbroadcast_random_shapes(course_seed):
    rng = np.random.default_rng(course_seed)
    for _ in range(5):
        g_shape = tuple(int(s) for s in rng.integers(2, 5, size=int(rng.integers(1, 5))))
        kept = g_shape[int(rng.integers(0, len(g_shape) + 1)):]
        shape = tuple(1 if rng.random() < 0.5 else s for s in kept)
        check_unbroadcast(g_shape, shape, seed=int(rng.integers(2**31)))
