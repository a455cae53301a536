"""ex01 (example entry of the course machinery): the backward of multiply, called directly."""

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.ops.base import Context
from minigrad.ops.elementwise import Multiply


def _backward(a, b, g):
    ctx = Context()
    ctx.inputs = (Tensor(a), Tensor(b))
    ctx.needs_input_grad = (True, True)
    ctx.output = Tensor(a * b)
    ga, gb = Multiply.backward(ctx, Tensor(g))
    return np.asarray(ga.numpy()), np.asarray(gb.numpy())


def test_multiply_backward_uses_the_other_input():
    ga, gb = _backward(np.array([2.0, -3.0]), np.array([5.0, 7.0]), np.array([1.0, 1.0]))
    assert np.allclose(ga, [5.0, 7.0]), f"d(a*b)/da should be b; got {ga}"
    assert np.allclose(gb, [2.0, -3.0]), f"d(a*b)/db should be a; got {gb}"


def test_multiply_backward_scales_by_upstream_gradient():
    ga, gb = _backward(np.array([2.0]), np.array([5.0]), np.array([3.0]))
    assert np.allclose(ga, [15.0]) and np.allclose(gb, [6.0]), f"upstream gradient ignored: {ga}, {gb}"


@pytest.mark.hidden
def test_multiply_backward_random_inputs(course_seed):
    rng = np.random.default_rng(course_seed)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    ga, gb = _backward(a, b, g)
    assert np.allclose(ga, g * b) and np.allclose(gb, g * a), "wrong gradient on random inputs"
