"""matmul: values against NumPy for batched, broadcast and vector operands (and with the op's
transpose flags), errors, gradients by hand, and gradient checks.

``GRADCHECKS`` lists ``(op_name, f, inputs)`` for every differentiable op of
``minigrad/ops/linalg.py``; ``test_completeness.py`` reads it.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import gradcheck
from minigrad.ops.base import apply
from minigrad.ops.linalg import Matmul

RNG = np.random.default_rng(3)


def normal(*shape):
    return RNG.standard_normal(shape)


# (shape_a, shape_b) pairs: plain, batched, batch-broadcast on either side, and vectors
SHAPES = [
    ((3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),        # (B, m, k) @ (k, n)
    ((3, 4), (2, 4, 5)),        # (m, k) @ (B, k, n)
    ((2, 1, 3, 4), (3, 4, 2)),  # (B, 1, m, k) @ (C, k, n)
    ((1, 3, 4), (2, 4, 2)),     # a batch of one against a batch of two
    ((4,), (4, 5)),             # row vector
    ((3, 4), (4,)),             # column vector
    ((4,), (4,)),               # dot product
    ((4,), (2, 4, 3)),          # vector against a batch
    ((2, 3, 4), (4,)),          # a batch against a vector
    ((1, 1), (1, 1)),
]

GRADCHECKS = [("matmul", mg.matmul, [normal(*sa), normal(*sb)]) for sa, sb in SHAPES] + [
    ("matmul", lambda a, b: a @ b, [normal(2, 3), normal(3, 2)]),
    ("matmul", lambda a: a @ a.T, [normal(3, 2)]),  # one input on both sides
    ("matmul", lambda a: mg.matmul(a, np.arange(6.0).reshape(3, 2)), [normal(2, 3)]),  # a constant b
]

# the op with its operands transposed first (what matmul's own backward records): all four
# cases, plain and batch-broadcast, as y = op_a(a) @ op_b(b)
TRANSPOSED = [
    ((3, 4), (4, 5), False, False),
    ((4, 3), (4, 5), True, False),
    ((3, 4), (5, 4), False, True),
    ((4, 3), (5, 4), True, True),
    ((2, 4, 3), (5, 4), True, True),
    ((4, 3), (2, 1, 5, 4), True, True),
    ((2, 3, 4), (4, 5), False, False),
    ((4, 3), (2, 4, 5), True, False),
]


def _transposed(transpose_a, transpose_b):
    return lambda a, b: apply(Matmul, a, b, transpose_a=transpose_a, transpose_b=transpose_b)


GRADCHECKS += [("matmul", _transposed(ta, tb), [normal(*sa), normal(*sb)])
               for sa, sb, ta, tb in TRANSPOSED]

# the op with a bias input (affine: x @ kernel + bias), plain and with a batch axis
GRADCHECKS += [
    ("matmul", mg.ops.linalg.affine, [normal(3, 4), normal(4, 5), normal(5)]),
    ("matmul", mg.ops.linalg.affine, [normal(2, 3, 4), normal(4, 2), normal(2)]),
]

SECOND_ORDER = [
    ("matmul", mg.matmul, [normal(2, 3), normal(3, 2)]),
    ("matmul", mg.matmul, [normal(2, 1, 2, 3), normal(3, 3, 2)]),
    ("matmul", lambda a, b: mg.tanh(a @ b), [normal(3, 2), normal(2, 4)]),
    ("matmul", lambda a: a @ a, [normal(3, 3)]),
    ("matmul", lambda a, b: (a @ b) * (a @ b), [normal(4), normal(4, 2)]),
    ("matmul", lambda x, k, b: mg.tanh(mg.ops.linalg.affine(x, k, b)),
     [normal(3, 2), normal(2, 4), normal(4)]),
] + [("matmul", lambda a, b, ta=ta, tb=tb: mg.tanh(_transposed(ta, tb)(a, b)), [normal(*sa), normal(*sb)])
     for sa, sb, ta, tb in TRANSPOSED[:6]]


def _ids(cases):
    return [f"{name}-{i}" for i, (name, _, _) in enumerate(cases)]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS, ids=_ids(GRADCHECKS))
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs)
    if sum(np.size(x) for x in inputs) <= 40:
        assert gradcheck(f, inputs, mode="full")


@pytest.mark.parametrize("op_name, f, inputs", SECOND_ORDER, ids=_ids(SECOND_ORDER))
def test_gradcheck_second_order(op_name, f, inputs):
    assert gradcheck(f, inputs, order=2)


# -- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("sa, sb", SHAPES, ids=str)
def test_matmul_matches_numpy(sa, sb):
    a, b = normal(*sa), normal(*sb)
    out = mg.matmul(mg.tensor(a), mg.tensor(b))
    expected = np.matmul(a, b)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose((mg.tensor(a) @ mg.tensor(b)).numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sa, sb, ta, tb", TRANSPOSED, ids=str)
def test_transposed_matmul_and_its_gradients_match_numpy(sa, sb, ta, tb):
    a, b = normal(*sa), normal(*sb)
    op_a = np.swapaxes(a, -1, -2) if ta else a
    op_b = np.swapaxes(b, -1, -2) if tb else b
    expected = np.matmul(op_a, op_b)
    g = normal(*expected.shape)
    x, w = mg.tensor(a), mg.tensor(b)
    with mg.GradientTape() as tape:
        tape.watch([x, w])
        y = _transposed(ta, tb)(x, w)
    ga, gb = tape.gradient(y, [x, w], output_gradients=g)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    ref_a = _sum_to(np.matmul(g, np.swapaxes(op_b, -1, -2)), op_a.shape)  # d/d op_a
    ref_b = _sum_to(np.matmul(np.swapaxes(op_a, -1, -2), g), op_b.shape)  # d/d op_b
    np.testing.assert_allclose(ga.numpy(), np.swapaxes(ref_a, -1, -2) if ta else ref_a,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), np.swapaxes(ref_b, -1, -2) if tb else ref_b,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sa, sb", SHAPES, ids=str)
def test_matmul_gradients_match_numpy_formulas(sa, sb):
    a, b = normal(*sa), normal(*sb)
    out_shape = np.matmul(a, b).shape
    g = normal(*out_shape)
    ta, tb = mg.tensor(a), mg.tensor(b)
    with mg.GradientTape() as tape:
        tape.watch([ta, tb])
        y = ta @ tb
    ga, gb = tape.gradient(y, [ta, tb], output_gradients=g)
    # the reference: promote vectors to matrices, differentiate, sum over broadcast batch axes
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g.reshape(np.matmul(a2, b2).shape)
    ref_a = np.matmul(g2, np.swapaxes(b2, -1, -2))
    ref_b = np.matmul(np.swapaxes(a2, -1, -2), g2)
    ref_a = _sum_to(ref_a, a2.shape).reshape(a.shape)
    ref_b = _sum_to(ref_b, b2.shape).reshape(b.shape)
    np.testing.assert_allclose(ga.numpy(), ref_a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), ref_b, rtol=1e-12, atol=1e-12)


def _sum_to(g, shape):
    """Sum ``g`` over the axes along which an array of ``shape`` was broadcast."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


def test_matmul_gradient_by_hand():
    # y = a @ b with a (1, 2), b (2, 1): dy/da = b^T, dy/db = a^T
    a, b = mg.tensor(np.array([[1.0, 2.0]])), mg.tensor(np.array([[3.0], [4.0]]))
    with mg.GradientTape() as tape:
        tape.watch([a, b])
        y = a @ b
    ga, gb = tape.gradient(y, [a, b])
    assert y.numpy().tolist() == [[11.0]]
    np.testing.assert_array_equal(ga.numpy(), [[3.0, 4.0]])
    np.testing.assert_array_equal(gb.numpy(), [[1.0], [2.0]])


def test_dot_product_is_zero_d():
    out = mg.matmul(mg.tensor([1.0, 2.0, 3.0]), mg.tensor([4.0, 5.0, 6.0]))
    assert out.shape == ()
    assert out.item() == 32.0


def test_matmul_dtypes():
    a32 = mg.tensor(normal(2, 3).astype(np.float32))
    assert (a32 @ a32.T).dtype == np.float32
    assert (a32 @ mg.tensor(normal(3, 2))).dtype == np.float64
    i = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal((mg.tensor(i) @ mg.tensor(i).T).numpy(), i @ i.T)
    with mg.GradientTape() as tape:  # a float32 weight against a float64 input: grad stays float32
        tape.watch(a32)
        y = mg.matmul(a32, mg.tensor(normal(3, 2)))
    assert tape.gradient(y, a32).dtype == np.float32


def test_matmul_with_lists_and_arrays():
    out = mg.matmul([[1.0, 2.0]], mg.tensor(np.array([[1.0], [1.0]])))
    np.testing.assert_allclose(out.numpy(), [[3.0]])


# -- errors ----------------------------------------------------------------------------------------
def test_matmul_errors():
    with pytest.raises(ValueError, match="rank >= 1.*use multiply"):
        mg.matmul(mg.tensor(2.0), mg.tensor(normal(2, 2)))
    with pytest.raises(ValueError, match="rank >= 1"):
        mg.matmul(mg.tensor(normal(2)), mg.tensor(3.0))
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4, 5\) do not line up.*\(3 != 4\)"):
        mg.matmul(mg.tensor(normal(2, 3)), mg.tensor(normal(4, 5)))
    with pytest.raises(ValueError, match="do not line up"):
        mg.matmul(mg.tensor(normal(3)), mg.tensor(normal(4)))
    with pytest.raises(ValueError, match="do not line up"):
        mg.matmul(mg.tensor(normal(2, 3)), mg.tensor(normal(4)))
    with pytest.raises(ValueError, match=r"batch axes .* \(\(2,\) and \(3,\)\) do not broadcast"):
        mg.matmul(mg.tensor(normal(2, 3, 4)), mg.tensor(normal(3, 4, 5)))
    with pytest.raises(ValueError, match="do not broadcast"):
        mg.matmul(mg.tensor(normal(4, 2, 3, 4)), mg.tensor(normal(3, 1, 4, 5)))


# -- affine: x @ kernel + bias as one op ---------------------------------------------------------
@pytest.mark.parametrize("x_shape", [(6, 4), (2, 3, 4)])
def test_affine_and_its_gradients_match_numpy(x_shape):
    x, k, b = normal(*x_shape), normal(4, 5), normal(5)
    g = normal(*x_shape[:-1], 5)
    tx, tk, tb = mg.tensor(x), mg.tensor(k), mg.tensor(b)
    with mg.GradientTape() as tape:
        tape.watch([tx, tk, tb])
        y = mg.ops.linalg.affine(tx, tk, tb)
    gx, gk, gb = tape.gradient(y, [tx, tk, tb], output_gradients=g)
    np.testing.assert_allclose(y.numpy(), x @ k + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx.numpy(), g @ k.T, rtol=1e-12, atol=1e-12)
    x2, g2 = x.reshape(-1, 4), g.reshape(-1, 5)
    np.testing.assert_allclose(gk.numpy(), x2.T @ g2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), g2.sum(axis=0), rtol=1e-12, atol=1e-12)


def test_affine_shape_errors():
    with pytest.raises(ValueError, match=r"affine needs x \(\.\.\., k\), kernel \(k, n\)"):
        mg.ops.linalg.affine(normal(3, 4), normal(5, 2), normal(2))
    with pytest.raises(ValueError, match="bias"):
        mg.ops.linalg.affine(normal(3, 4), normal(4, 2), normal(3))
