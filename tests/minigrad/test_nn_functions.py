"""minigrad.nn.softmax, log_softmax, one_hot and dropout.

softmax and log_softmax are compared with a NumPy reference written from the
definition (shifted by the maximum, as any careful reference must be), their
gradients with the closed forms

    d softmax:      y * (g - sum(g * y))
    d log_softmax:  g - softmax(x) * sum(g)

and gradient-checked to second order. one_hot and dropout are checked value by
value and statistically.
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import gradcheck

RNG = np.random.default_rng(0)


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def grad_of(fn, x, g, **kwargs):
    tx = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(tx)
        y = fn(tx, **kwargs)
    return y.numpy(), tape.gradient(y, tx, output_gradients=mg.tensor(g)).numpy()


# -- softmax / log_softmax ---------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0, 1, (0, 2)])
def test_softmax_and_its_gradient(axis):
    x, g = RNG.standard_normal((3, 4, 5)), RNG.standard_normal((3, 4, 5))
    y, dx = grad_of(mg.nn.softmax, x, g, axis=axis)
    ref = np_softmax(x, axis)
    np.testing.assert_allclose(y, ref, rtol=1e-13)
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-13)
    expected = ref * (g - (g * ref).sum(axis=axis, keepdims=True))
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("axis", [-1, 0, (0, 2)])
def test_log_softmax_and_its_gradient(axis):
    x, g = RNG.standard_normal((3, 4, 5)), RNG.standard_normal((3, 4, 5))
    y, dx = grad_of(mg.nn.log_softmax, x, g, axis=axis)
    ref = np.log(np_softmax(x, axis))
    np.testing.assert_allclose(y, ref, rtol=1e-12)
    expected = g - np_softmax(x, axis) * g.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-14)


def test_hand_computed_softmax():
    # softmax([0, ln 3]) = [1/4, 3/4]; log_softmax = [-ln 4, ln 3 - ln 4]
    x = np.array([0.0, np.log(3.0)])
    np.testing.assert_allclose(mg.nn.softmax(x).numpy(), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(mg.nn.log_softmax(x).numpy(), [-np.log(4), np.log(0.75)], rtol=1e-15)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_logits_stay_finite(dtype):
    x = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -1000.0]], dtype=dtype)
    y = mg.nn.softmax(x).numpy()
    logy = mg.nn.log_softmax(x).numpy()
    assert y.dtype == dtype and np.all(np.isfinite(y)) and np.all(np.isfinite(logy))
    e = np.exp(-1.0)
    np.testing.assert_allclose(y[0], [1 / (1 + e), e / (1 + e), 0.0], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(logy[0], [-np.log1p(e), -1 - np.log1p(e), -2000 - np.log1p(e)], rtol=1e-6)
    np.testing.assert_allclose(y[1], [1 / (2 + e), e / (2 + e), 1 / (2 + e)], rtol=1e-6)
    _, dx = grad_of(mg.nn.log_softmax, x.astype(np.float64), np.ones((2, 3)))
    assert np.all(np.isfinite(dx))


def test_softmax_rejects_integers():
    with pytest.raises(TypeError, match="floating"):
        mg.nn.softmax(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="out of range"):
        mg.nn.log_softmax(np.ones((2, 3)), axis=2)


# -- one_hot -----------------------------------------------------------------------------------
def test_one_hot_values_shape_and_dtype():
    y = mg.nn.one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert y.shape == (2, 2, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]])
    y64 = mg.nn.one_hot(mg.tensor([3]), 4, dtype="float64")
    assert y64.dtype == np.float64
    np.testing.assert_array_equal(y64.numpy(), [[0, 0, 0, 1]])
    assert mg.nn.one_hot(np.zeros((0,), np.int64), 5).shape == (0, 5)


@pytest.mark.parametrize("indices, depth, exc, words", [
    ([0, 3], 3, ValueError, "index 3"),
    ([-1, 0], 3, ValueError, "index -1"),
    ([0, 1], 0, ValueError, "`depth` must be an integer >= 1"),
    ([0, 1], 2.0, TypeError, "`depth` must be an integer"),  # as range(2.0)
    (np.array([0.0, 1.0]), 2, TypeError, "integer"),
])
def test_one_hot_errors(indices, depth, exc, words):
    with pytest.raises(exc, match=words):
        mg.nn.one_hot(np.asarray(indices), depth)


# -- dropout -----------------------------------------------------------------------------------
def test_dropout_with_a_seed_repeats_and_scales():
    x = mg.tensor(np.ones((200, 50), dtype=np.float32))
    a = mg.nn.dropout(x, 0.3, seed=7).numpy()
    b = mg.nn.dropout(x, 0.3, seed=7).numpy()
    c = mg.nn.dropout(x, 0.3, seed=8).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.dtype == np.float32
    kept = a != 0
    np.testing.assert_allclose(a[kept], 1 / 0.7, rtol=1e-6)  # survivors are scaled by 1/(1-rate)
    # 10,000 Bernoulli(0.7) draws: the kept fraction is 0.7 +- 0.0046 (1 sd); allow 5 sd
    assert abs(kept.mean() - 0.7) < 0.023


def test_dropout_preserves_the_mean():
    x = RNG.uniform(1.0, 2.0, (400, 250))
    y = mg.nn.dropout(x, 0.5, seed=0).numpy()
    # each y = x * b / 0.5 with b ~ Bernoulli(0.5): sd of the mean of y - x is ~ 1.5 / sqrt(1e5)
    assert abs(y.mean() - x.mean()) < 5 * 1.5 / np.sqrt(x.size)


def test_dropout_generators_and_the_shared_stream():
    x = np.ones((30, 30))
    from_seed = mg.nn.dropout(x, 0.5, seed=3).numpy()
    from_generator = mg.nn.dropout(x, 0.5, generator=mg.random.new_generator(3)).numpy()
    np.testing.assert_array_equal(from_seed, from_generator)
    mg.random.seed(11)
    first = mg.nn.dropout(x, 0.5).numpy()
    second = mg.nn.dropout(x, 0.5).numpy()
    mg.random.seed(11)
    np.testing.assert_array_equal(mg.nn.dropout(x, 0.5).numpy(), first)
    assert not np.array_equal(first, second)  # the shared generator moves on


def test_dropout_gradient_is_the_mask():
    x = mg.tensor(RNG.standard_normal((20, 20)))
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.nn.dropout(x, 0.25, seed=1)
    dx = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(dx, (y.numpy() != 0) / 0.75, rtol=1e-15)


def test_dropout_noise_shape_drops_whole_channels():
    y = mg.nn.dropout(np.ones((4, 3, 3, 8)), 0.5, seed=2, noise_shape=(4, 1, 1, 8)).numpy()
    assert np.all(y == y[:, :1, :1, :])  # one decision per (example, channel)
    assert set(np.unique(y)) <= {0.0, 2.0}


def test_dropout_rate_zero_is_the_identity():
    x = mg.tensor(RNG.standard_normal((3, 4)))
    assert mg.nn.dropout(x, 0.0) is x


@pytest.mark.parametrize("rate, error", [(1.0, ValueError), (-0.1, ValueError), (1.5, ValueError),
                                         (float("nan"), ValueError), ("0.5", TypeError),
                                         (True, TypeError)])
def test_dropout_rate_errors(rate, error):
    # a value out of range is a ValueError, a string or bool a TypeError (ArgumentTypeError)
    with pytest.raises(error, match=r"dropout: `rate` must be"):
        mg.nn.dropout(np.ones(3), rate)


def test_dropout_other_errors():
    with pytest.raises(TypeError, match="floating"):
        mg.nn.dropout(np.ones(3, dtype=np.int64), 0.5)
    with pytest.raises(ValueError, match="noise_shape"):
        mg.nn.dropout(np.ones((2, 3)), 0.5, noise_shape=(2, 2))


# -- gradient checks ---------------------------------------------------------------------------
GRADCHECKS = [
    ("softmax", mg.nn.softmax, [RNG.standard_normal((3, 5))]),
    ("softmax", lambda x: mg.nn.softmax(x, axis=0), [RNG.standard_normal((3, 5))]),
    ("softmax", lambda x: mg.nn.softmax(x, axis=(1, 2)), [RNG.standard_normal((2, 3, 4))]),
    ("log_softmax", mg.nn.log_softmax, [RNG.standard_normal((3, 5))]),
    ("log_softmax", lambda x: mg.nn.log_softmax(x, axis=0), [3 * RNG.standard_normal((4, 3))]),
]


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS)
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs, mode="full")
    assert gradcheck(f, inputs, order=2)


def test_one_hot_on_a_device(device):
    y = mg.nn.one_hot(mg.tensor([2, 0], device=device), 3)
    assert y.device == device
    np.testing.assert_array_equal(y.numpy(), [[0, 0, 1], [1, 0, 0]])
    for indices, words in (([0, 3], "index 3"), ([-1, 0], "index -1")):
        with pytest.raises(ValueError, match=words):
            mg.nn.one_hot(mg.tensor(indices, device=device), 3)
