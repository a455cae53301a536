"""ex02: the backwards of reductions (sum, mean, max, var), transpose and matmul, called directly.

Each backward runs on a context filled by the op's own forward; its gradient must equal
central differences of a NumPy forward. The engine sums a gradient back over broadcast
batch axes after the backward, so for a broadcast matmul operand the test does the same
(with NumPy) before comparing. Wrong results are checked against two known mistakes: a
transposed matmul gradient, and a reduction gradient that lost its keepdims axes.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.diagnose import as_array, check_close, check_gradients, run_backward
from course.oracles import matmul_gradients, numeric_gradient, reduction_input_gradient, unbroadcast
from minigrad.ops import linalg, reductions, shape


def check_reduction(op, forward, x, axes, keepdims, extra=None, seed=0):
    attrs = {"axes": axes, "keepdims": keepdims, **(extra or {})}
    upstream = np.random.default_rng(seed + 1).normal(size=np.shape(forward(x, axis=axes, keepdims=keepdims)))
    _, grads = run_backward(op, [x], upstream, attrs)
    expected = numeric_gradient(lambda t: forward(t, axis=axes, keepdims=keepdims), [x], upstream)
    check_gradients(f"{op.__name__}.backward over axes {axes}, keepdims={keepdims}", grads, expected, ["dx"])


REDUCTIONS = {
    "sum": (reductions.Sum, np.sum, {}),
    "mean": (reductions.Mean, np.mean, {}),
    "max": (reductions.Max, np.max, {}),
    "var": (reductions.Var, lambda t, axis, keepdims: np.var(t, axis=axis, keepdims=keepdims), {"ddof": 0}),
    "var_ddof1": (reductions.Var, lambda t, axis, keepdims: np.var(t, axis=axis, keepdims=keepdims, ddof=1),
                  {"ddof": 1}),
}
AXES = [((0,), False), ((1,), True), ((0, 2), False), ((0, 1, 2), False), ((2,), True)]


@pytest.mark.parametrize("name", list(REDUCTIONS))
@pytest.mark.parametrize("axes,keepdims", AXES)
def test_reduction_backward(name, axes, keepdims):
    op, forward, extra = REDUCTIONS[name]
    x = np.random.default_rng(3).normal(size=(3, 4, 2))  # distinct values: no ties for max
    check_reduction(op, forward, x, axes, keepdims, extra)


def test_max_backward_splits_the_gradient_between_ties():
    """Ties share the gradient equally (as TensorFlow): each of two maxima gets half."""
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    _, (gx,) = run_backward(reductions.Max, [x], np.array([4.0, 6.0]), {"axes": (1,), "keepdims": False})
    check_close("dmax/dx with ties", gx, np.array([[0.0, 2.0, 2.0], [6.0, 0.0, 0.0]]))


def test_sum_backward_puts_the_reduced_axis_back():
    """A square input reduced over axis 1 without keepdims: g must line up with axis 0."""
    x = np.random.default_rng(4).normal(size=(4, 4))
    g = np.array([1.0, 2.0, 3.0, 4.0])
    _, (gx,) = run_backward(reductions.Sum, [x], g, {"axes": (1,), "keepdims": False})
    check_close("dsum/dx (axis 1, keepdims=False)", gx, reduction_input_gradient(g, x.shape, (1,), False),
                wrong={"lost_keepdims": reduction_input_gradient(g, x.shape, (1,), False, "lost_keepdims")})


@pytest.mark.parametrize("axes", [(1, 2, 0), (2, 0, 1), None])
def test_transpose_backward(axes):
    x = np.random.default_rng(5).normal(size=(2, 3, 4))
    upstream = np.random.default_rng(6).normal(size=np.transpose(x, axes).shape)
    _, grads = run_backward(shape.Transpose, [x], upstream, {"axes": axes})
    expected = numeric_gradient(lambda t: np.transpose(t, axes), [x], upstream)
    check_gradients(f"Transpose.backward, axes={axes}", grads, expected, ["dx"])


def matmul_case(a, b, transpose_a=False, transpose_b=False, bias=None, seed=0):
    arrays = [a, b] + ([] if bias is None else [bias])
    ta = (lambda t: np.swapaxes(t, -1, -2)) if transpose_a else (lambda t: t)
    tb = (lambda t: np.swapaxes(t, -1, -2)) if transpose_b else (lambda t: t)

    def forward(a, b, *bias):
        y = np.matmul(ta(a), tb(b))
        return y + bias[0] if bias else y

    upstream = np.random.default_rng(seed).normal(size=forward(*arrays).shape)
    _, grads = run_backward(linalg.Matmul, arrays, upstream,
                            {"transpose_a": transpose_a, "transpose_b": transpose_b})
    # the engine's bookkeeping: sum a gradient back over the batch axes its operand was broadcast to
    grads = [None if g is None else unbroadcast(as_array(g), x.shape) if as_array(g).ndim >= x.ndim
             else g for g, x in zip(grads, arrays)]
    expected = numeric_gradient(forward, arrays, upstream)
    names = ["da", "db", "dbias"][: len(arrays)]
    check_gradients(f"Matmul.backward (transpose_a={transpose_a}, transpose_b={transpose_b})",
                    grads, expected, names)


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_backward(transpose_a, transpose_b):
    rng = np.random.default_rng(7)
    a = rng.normal(size=(4, 3) if transpose_a else (3, 4))
    b = rng.normal(size=(5, 4) if transpose_b else (4, 5))
    matmul_case(a, b, transpose_a, transpose_b)


def test_matmul_backward_batched_with_bias():
    rng = np.random.default_rng(8)
    matmul_case(rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), bias=rng.normal(size=(5,)))


def test_matmul_backward_square_operands():
    """Square operands: a transposed gradient has the right shape, so only its values tell."""
    rng = np.random.default_rng(9)
    a, b, g = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    _, (ga, gb) = run_backward(linalg.Matmul, [a, b], g, {"transpose_a": False, "transpose_b": False})
    right = matmul_gradients(a, b, g)
    wrong = {c: matmul_gradients(a, b, g, c) for c in ("transposed", "untransposed_operand")}
    check_close("dL/da of a @ b", ga, right[0], wrong={c: w[0] for c, w in wrong.items()})
    check_close("dL/db of a @ b", gb, right[1], wrong={c: w[1] for c, w in wrong.items()})


@pytest.mark.hidden
def test_reductions_and_matmul_on_random_shapes(course_seed):
    rng = np.random.default_rng(course_seed)
    x = rng.normal(size=tuple(int(s) for s in rng.integers(2, 5, size=3)))
    axes = tuple(sorted(rng.choice(3, size=int(rng.integers(1, 4)), replace=False).tolist()))
    keepdims = bool(rng.integers(2))
    for op, forward, extra in REDUCTIONS.values():
        check_reduction(op, forward, x, axes, keepdims, extra, seed=course_seed)
    m, k, n = (int(s) for s in rng.integers(2, 6, size=3))
    ta, tb = bool(rng.integers(2)), bool(rng.integers(2))
    a = rng.normal(size=(k, m) if ta else (m, k))
    b = rng.normal(size=(n, k) if tb else (k, n))
    matmul_case(a, b, ta, tb, seed=course_seed)
