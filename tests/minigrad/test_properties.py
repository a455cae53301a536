"""Property tests (hypothesis): random shapes, broadcasting and axes.

For random broadcastable shape pairs, the binary ops give NumPy's values, and
their gradients have the inputs' shapes and match finite differences. For random
shapes and axis tuples (with and without keepdims), the reductions do the same.
Hypothesis draws the shapes, axes and a seed; the values come from NumPy with
that seed, chosen away from kinks (ties in max/min) and domain edges.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes, valid_tuple_axes

import minigrad as mg
from minigrad.gradcheck import gradcheck

FAST = settings(max_examples=40, deadline=None)
seeds = st.integers(0, 2**32 - 1)
shape_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


def _distinct(rng, shape, offset=0.0):
    """Values in a shuffled grid of step 0.3 (plus small noise): no two within 0.2."""
    n = int(np.prod(shape))
    grid = 0.3 * (rng.permutation(n) - n / 2) + offset + rng.uniform(-0.05, 0.05, n)
    return grid.reshape(shape)


def _operands(name, rng, sa, sb):
    if name in ("maximum", "minimum"):  # a on the 0.3 grid, b halfway between grid points
        return _distinct(rng, sa), _distinct(rng, sb, offset=0.15)
    if name == "power":
        return rng.uniform(0.5, 2.0, sa), rng.uniform(-2.0, 2.0, sb)
    if name == "divide":
        return rng.standard_normal(sa), rng.choice([-1, 1], sb) * rng.uniform(0.5, 2.0, sb)
    return rng.standard_normal(sa), rng.standard_normal(sb)


BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "power"]


@pytest.mark.parametrize("name", BINARY)
@FAST
@given(shapes=shape_pairs, seed=seeds)
def test_binary_ops_broadcast_values_and_gradients(name, shapes, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a, b = _operands(name, np.random.default_rng(seed), sa, sb)
    fn = getattr(mg, name)
    ta, tb = mg.tensor(a), mg.tensor(b)
    with mg.GradientTape() as tape:
        tape.watch([ta, tb])
        y = fn(ta, tb)
    assert y.shape == out_shape
    np.testing.assert_allclose(y.numpy(), getattr(np, name)(a, b), rtol=1e-13, atol=1e-15)
    ga, gb = tape.gradient(y, [ta, tb])
    assert ga.shape == sa and gb.shape == sb
    assert ga.dtype == np.float64 and gb.dtype == np.float64
    assert gradcheck(fn, [a, b], n_directions=3, seed=seed % 1000)


def _logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None else None)


REDUCTIONS = {
    "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
    "var": np.var, "std": np.std, "logsumexp": _logsumexp,
}


@st.composite
def shape_and_axis(draw):
    """A shape (0 to 3 dims, sides 1 to 4) and an axis: None, an int or a tuple (maybe ())."""
    shape = draw(array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    ndim = len(shape)
    choices = [st.none()]
    if ndim:
        choices += [st.integers(-ndim, ndim - 1), valid_tuple_axes(ndim)]
    return shape, draw(st.one_of(*choices))


def _reduced_count(shape, axis):
    if axis is None:
        return int(np.prod(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes]))


@pytest.mark.parametrize("name", list(REDUCTIONS))
@FAST
@given(case=shape_and_axis(), keepdims=st.booleans(), seed=seeds)
def test_reductions_over_random_axes(name, case, keepdims, seed):
    shape, axis = case
    rng = np.random.default_rng(seed)
    x = _distinct(rng, shape) if name in ("max", "min") else rng.standard_normal(shape)
    if name == "std" and _reduced_count(shape, axis) < 2:
        # std of a single value is 0, where sqrt has no derivative: check the value only
        np.testing.assert_array_equal(mg.std(mg.tensor(x), axis=axis, keepdims=keepdims).numpy(),
                                      np.std(x, axis=axis, keepdims=keepdims))
        return
    fn = getattr(mg, name)
    tx = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(tx)
        y = fn(tx, axis=axis, keepdims=keepdims)
    expected = REDUCTIONS[name](x, axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-14)
    g = tape.gradient(y, tx)
    assert g.shape == shape and g.dtype == np.float64
    assert gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), [x], n_directions=3,
                     seed=seed % 1000)
