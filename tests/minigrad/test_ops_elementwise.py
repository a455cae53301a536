"""Elementwise ops: values against NumPy, dtype rules, errors, and gradient checks.

``GRADCHECKS`` lists ``(op_name, f, inputs)`` for every differentiable op of
``minigrad/ops/elementwise.py``; ``test_completeness.py`` reads it. Inputs sit
away from kinks (relu and abs at 0, clip bounds, maximum/minimum ties) and
outside domain edges (log and sqrt of positives).
"""

import warnings

import numpy as np
import pytest
from devices import cuda_available, needs_cuda

import minigrad as mg
from minigrad.errors import ArgumentTypeError, DeviceUnavailableError, UnsupportedDtypeError
from minigrad.gradcheck import gradcheck
from minigrad.ops import elementwise
from minigrad.ops.base import apply

RNG = np.random.default_rng(0)


def normal(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    """Values with |x| in [0.2, 2]: never near the kink of relu, abs or leaky_relu."""
    return RNG.choice([-1.0, 1.0], shape) * RNG.uniform(0.2, 2.0, shape)


def apart(shape_a, shape_b):
    """Two arrays whose entries differ by at least 0.1 wherever they broadcast together:
    a sits near multiples of 0.4, b near multiples of 0.4 plus 0.2 (noise +-0.05)."""
    a = 0.4 * RNG.integers(-3, 4, shape_a) + RNG.uniform(-0.05, 0.05, shape_a)
    b = 0.4 * RNG.integers(-3, 4, shape_b) + 0.2 + RNG.uniform(-0.05, 0.05, shape_b)
    return a, b


def away_from_bounds(lo, hi, *shape):
    """Values in [lo - 1, hi + 1] at least 0.05 from ``lo`` and ``hi``."""
    x = RNG.uniform(lo - 1.0, hi + 1.0, shape)
    for bound in (lo, hi):
        near = np.abs(x - bound) < 0.05
        x = np.where(near, bound + np.sign(x - bound + 1e-12) * 0.1, x)
    return x


# (shape_a, shape_b) pairs every binary op is checked on
BROADCASTS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((3, 1), (1, 4)),
              ((), (3, 4)), ((3, 4), ()), ((), ())]
BINARY = {
    "add": (mg.add, normal, normal),
    "subtract": (mg.subtract, normal, normal),
    "multiply": (mg.multiply, normal, normal),
    "divide": (mg.divide, normal, positive),
    "power": (mg.power, positive, normal),
}


def _binary_gradchecks():
    out = []
    for name, (fn, make_a, make_b) in BINARY.items():
        for sa, sb in BROADCASTS:
            out.append((name, fn, [make_a(*sa), make_b(*sb)]))
    for name, fn in (("maximum", mg.maximum), ("minimum", mg.minimum)):
        for sa, sb in BROADCASTS:
            out.append((name, fn, list(apart(sa, sb))))
    return out


GRADCHECKS = _binary_gradchecks() + [
    # binary ops with a Python number, and the operators
    ("add", lambda x: x + 2.5, [normal(3, 4)]),
    ("subtract", lambda x: 1.5 - x, [normal(3, 4)]),
    ("multiply", lambda x: 3.0 * x, [normal(3, 4)]),
    ("divide", lambda x: 1.0 / x, [positive(3, 4)]),
    ("power", lambda x: x**3, [normal(3, 4)]),
    ("power", lambda x: x**-1.5, [positive(3, 4)]),
    ("power", lambda x: 2.0**x, [normal(3, 4)]),
    ("power", lambda a, b: a**b, [positive(2, 3), normal(2, 3)]),
    ("maximum", lambda x: mg.maximum(x, 0.0), [away_from_zero(3, 4)]),
    ("minimum", lambda x: mg.minimum(1.0, x), [away_from_bounds(1.0, 1.0, 3, 4)]),
    # unary ops
    ("negative", lambda x: -x, [normal(3, 4)]),
    ("exp", mg.exp, [normal(3, 4)]),
    ("log", mg.log, [positive(3, 4)]),
    ("sqrt", mg.sqrt, [positive(3, 4)]),
    ("rsqrt", mg.rsqrt, [positive(3, 4)]),
    ("square", mg.square, [normal(3, 4)]),
    ("abs", mg.abs, [away_from_zero(3, 4)]),
    ("tanh", mg.tanh, [normal(3, 4)]),
    ("sigmoid", mg.sigmoid, [3.0 * normal(3, 4)]),
    # the one-op backwards of tanh and sigmoid, as functions of (y, g)
    ("tanh_grad", lambda y, g: apply(elementwise.TanhGrad, y, g),
     [0.9 * np.tanh(normal(3, 4)), normal(3, 4)]),
    ("sigmoid_grad", lambda y, g: apply(elementwise.SigmoidGrad, y, g),
     [0.05 + 0.9 * RNG.random((3, 4)), normal(3, 4)]),
    ("relu", mg.relu, [away_from_zero(3, 4)]),
    # relu's one-op backward, as a function of (x, g)
    ("relu_grad", lambda x, g: apply(elementwise.ReluGrad, x, g), [away_from_zero(3, 4), normal(3, 4)]),
    ("leaky_relu", mg.leaky_relu, [away_from_zero(3, 4)]),
    ("leaky_relu", lambda x: mg.leaky_relu(x, alpha=0.01), [away_from_zero(3, 4)]),
    ("softplus", mg.softplus, [3.0 * normal(3, 4)]),
    ("erf", mg.erf, [normal(3, 4)]),
    ("erf", mg.erf, [RNG.uniform(-4.0, 4.0, (2, 5))]),  # both sides of the series' range 1.5
    ("clip", lambda x: mg.clip(x, -0.5, 0.5), [away_from_bounds(-0.5, 0.5, 4, 5)]),
    ("clip", lambda x: mg.clip(x, min=-0.5), [away_from_bounds(-0.5, -0.5, 4, 5)]),
    ("clip", lambda x: mg.clip(x, max=0.5), [away_from_bounds(0.5, 0.5, 4, 5)]),
    # where: the condition broadcasts with both branches
    ("where", lambda a, b: mg.where(np.array([True, False, False, True]), a, b),
     [normal(3, 4), normal(3, 1)]),
    ("where", lambda a, b: mg.where(np.array([[True], [False], [True]]), a, b),
     [normal(4), normal(3, 4)]),
    ("where", lambda a: mg.where(np.array([True, False]), a, 0.0), [normal(2)]),
    # cast: float64 -> float32 -> float64; inputs near 1e-3 so that float32 rounding
    # (spacing 1.2e-10 there) is far below the finite-difference step 1e-6
    ("cast", lambda x: mg.tanh(mg.cast(mg.cast(x, "float32"), "float64") * 300.0),
     [RNG.uniform(-2e-3, 2e-3, (3, 4))]),
    pytest.param("to_device", lambda x: mg.to_device(mg.tanh(mg.to_device(x, "cuda")), "cpu"),
                 [normal(3, 4)], marks=needs_cuda),
]

# power at exponent exactly 0 (issue 10: the mixed second derivative d/db(dy/da) there was a,
# not 1 / a); an own generator leaves the inputs above as they were
_RNG_P = np.random.default_rng(11)
GRADCHECKS += [
    ("power", lambda a, b: a**b, [_RNG_P.uniform(0.5, 2.0, (2, 3)), np.zeros((2, 3))]),
    ("power", lambda a, b: a**b, [_RNG_P.uniform(0.5, 2.0, (2, 3)), np.array([0.0, 1.0, -0.5])]),
    ("power", lambda a: a**0.0, [_RNG_P.uniform(0.5, 2.0, (2, 3))]),
]

# float32 rounding inside these makes finite differences of the first derivative too coarse
FIRST_ORDER_ONLY = {"cast"}


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS)
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs, mode="full")
    if op_name not in FIRST_ORDER_ONLY:
        assert gradcheck(f, inputs, order=2, n_directions=4)


# -- values against NumPy ------------------------------------------------------------------
UNARY = [
    (mg.negative, np.negative, normal),
    (mg.exp, np.exp, normal),
    (mg.log, np.log, positive),
    (mg.sqrt, np.sqrt, positive),
    (mg.rsqrt, lambda x: 1 / np.sqrt(x), positive),
    (mg.square, np.square, normal),
    (mg.abs, np.abs, normal),
    (mg.tanh, np.tanh, normal),
    (mg.sigmoid, lambda x: 1 / (1 + np.exp(-x)), normal),
    (mg.relu, lambda x: np.maximum(x, 0), normal),
    (mg.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), normal),
    (mg.softplus, lambda x: np.log1p(np.exp(x)), normal),
    (mg.sign, np.sign, normal),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn, ref, make", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_values_and_dtype(fn, ref, make, dtype):
    x = make(3, 5).astype(dtype)
    y = fn(mg.tensor(x))
    assert y.dtype == np.dtype(dtype)
    assert y.shape == (3, 5)
    tol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(y.numpy(), ref(x.astype(np.float64)), rtol=tol, atol=tol)


BINARY_REF = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
              "divide": np.divide, "power": np.power}


@pytest.mark.parametrize("sa, sb", BROADCASTS)
@pytest.mark.parametrize("name", list(BINARY) + ["maximum", "minimum"])
def test_binary_values_broadcast_like_numpy(name, sa, sb):
    if name in BINARY:
        fn, make_a, make_b = BINARY[name]
        a, b = make_a(*sa), make_b(*sb)
        ref = BINARY_REF[name]
    else:
        fn, ref = getattr(mg, name), getattr(np, name)
        a, b = apart(sa, sb)
    y = fn(mg.tensor(a), mg.tensor(b))
    expected = ref(a, b)
    assert y.shape == np.shape(expected)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-14)


def test_operators_match_functions():
    a, b = mg.tensor(positive(2, 3)), mg.tensor(positive(3))
    for op_result, fn_result in [(a + b, mg.add(a, b)), (a - b, mg.subtract(a, b)),
                                 (a * b, mg.multiply(a, b)), (a / b, mg.divide(a, b)),
                                 (a**b, mg.power(a, b)), (-a, mg.negative(a)), (abs(-a), a)]:
        np.testing.assert_array_equal(op_result.numpy(), fn_result.numpy())


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_python_scalars_keep_the_tensor_dtype(dtype):
    x = mg.tensor(np.array([1.0, 2.0, 4.0], dtype))
    for y in [x + 1, 1 + x, x - 2.5, 2.5 - x, x * 3.0, 3.0 * x, x / 2.0, 2.0 / x, x**2, 2.0**x,
              mg.maximum(x, 1.5), mg.minimum(1.5, x), mg.where(x > 1.5, x, 0.0),
              mg.clip(x, 1.5, 3.0)]:
        assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose((2.0 / x).numpy(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose((x**2).numpy(), [1.0, 4.0, 16.0])


def test_mixed_tensor_dtypes_promote_like_numpy():
    x32, x64 = mg.tensor(np.ones(2, np.float32)), mg.tensor(np.ones(2, np.float64))
    assert (x32 + x64).dtype == np.float64
    i = mg.tensor(np.array([1, 2]))
    assert (i + 1).dtype == np.int64
    np.testing.assert_array_equal((i * 3).numpy(), [3, 6])
    assert (i / 2).dtype.kind == "f"


@pytest.mark.parametrize("name", ["equal", "not_equal", "less", "less_equal", "greater",
                                  "greater_equal"])
def test_comparisons_give_bool_tensors(name):
    a, b = np.array([[1.0, 2.0, 3.0]]), np.array([[2.0], [2.0]])
    y = getattr(mg, name)(mg.tensor(a), mg.tensor(b))
    assert y.dtype == np.bool_ and y.shape == (2, 3)
    np.testing.assert_array_equal(y.numpy(), getattr(np, name)(a, b))
    np.testing.assert_array_equal(getattr(mg, name)(mg.tensor(a), 2.0).numpy(),
                                  getattr(np, name)(a, 2.0))


def test_comparison_operators():
    x = mg.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal((x == 2.0).numpy(), [False, True, False])
    np.testing.assert_array_equal((x != 2.0).numpy(), [True, False, True])
    np.testing.assert_array_equal((x < 2.0).numpy(), [True, False, False])
    np.testing.assert_array_equal((x <= 2.0).numpy(), [True, True, False])
    np.testing.assert_array_equal((x > 2.0).numpy(), [False, False, True])
    np.testing.assert_array_equal((x >= 2.0).numpy(), [False, True, True])


def test_comparisons_carry_no_gradient():
    x = mg.tensor(np.array([1.0, 2.0, 3.0]))
    with mg.GradientTape() as tape:
        tape.watch(x)
        mask = mg.cast(mg.greater(x, 1.5), "float64")  # a 0/1 constant, not a function of x
        y = mg.sum(mask * 5.0)
    assert tape.gradient(y, x) is None


def test_sign_and_stop_gradient_carry_no_gradient():
    x = mg.tensor(np.array([-1.0, 2.0]))
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        s = mg.sum(mg.sign(x) * 2.0)
        t = mg.sum(mg.stop_gradient(x) * x)
    assert tape.gradient(s, x) is None
    np.testing.assert_array_equal(tape.gradient(t, x).numpy(), [-1.0, 2.0])  # only the 2nd factor
    np.testing.assert_array_equal(mg.stop_gradient(x).numpy(), x.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_softplus_are_finite_far_out(dtype):
    x = mg.tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        with mg.GradientTape() as tape:
            tape.watch(x)
            s, p = mg.sigmoid(x), mg.softplus(x)
            y = mg.sum(s) + mg.sum(p)
        g = tape.gradient(y, x)
    for t in (s, p, g):
        assert t.dtype == np.dtype(dtype)
        assert np.all(np.isfinite(t.numpy()))
    np.testing.assert_allclose(s.numpy(), [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-6, atol=0)
    np.testing.assert_allclose(p.numpy(), [0.0, np.exp(-50.0), np.log(2.0), 50.0, 1000.0],
                               rtol=1e-6, atol=0)
    # d/dx [sigmoid + softplus] = s (1 - s) + s
    sv = s.numpy().astype(np.float64)
    np.testing.assert_allclose(g.numpy(), sv * (1 - sv) + sv, rtol=1e-6, atol=1e-30)


def test_clip_with_one_or_two_bounds():
    x = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])
    np.testing.assert_array_equal(mg.clip(mg.tensor(x), -1.0, 1.0).numpy(), np.clip(x, -1, 1))
    np.testing.assert_array_equal(mg.clip(mg.tensor(x), min=0.0).numpy(), np.maximum(x, 0.0))
    np.testing.assert_array_equal(mg.clip(mg.tensor(x), max=0.0).numpy(), np.minimum(x, 0.0))
    np.testing.assert_array_equal(mg.tensor(x).clip(max=0.5).numpy(), np.minimum(x, 0.5))


def test_clip_gradient_is_one_inside_zero_outside():
    x = mg.tensor(np.array([-2.0, -0.5, 0.7, 3.0]))
    for kwargs, expected in [({"min": -1.0, "max": 1.0}, [0, 1, 1, 0]), ({"min": 0.0}, [0, 0, 1, 1]),
                             ({"max": 0.0}, [1, 1, 0, 0])]:
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = mg.sum(mg.clip(x, **kwargs))
        np.testing.assert_array_equal(tape.gradient(y, x).numpy(), expected)


def test_kinks_take_the_documented_subgradient():
    x = mg.tensor(np.array([0.0, 0.0]))
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ys = {"relu": mg.relu(x), "abs": mg.abs(x), "max_tie": mg.maximum(x, mg.zeros_like(x))}
    np.testing.assert_array_equal(tape.gradient(ys["relu"], x).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(tape.gradient(ys["abs"], x).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(tape.gradient(ys["max_tie"], x).numpy(), [1.0, 1.0])  # ties -> a


def test_power_gradient_for_exponent_is_zero_where_base_is_not_positive():
    a, b = mg.tensor(np.array([-2.0, 0.0, 3.0])), mg.tensor(np.array([2.0, 2.0, 2.0]))
    with mg.GradientTape() as tape:
        tape.watch([a, b])
        y = mg.sum(a**b)
    ga, gb = tape.gradient(y, [a, b])
    np.testing.assert_allclose(ga.numpy(), [-4.0, 0.0, 6.0])
    np.testing.assert_allclose(gb.numpy(), [0.0, 0.0, 9.0 * np.log(3.0)])


def test_power_derivatives_at_zero_base_are_finite():
    # d/dx x**0 = 0 and d2/dx2 x**1 = 0 everywhere, also at x = 0: b * x**(b - 1) must not
    # become 0 * inf there. And d/dx x**1 = 1, d2/dx2 x**2 = 2 at 0.
    x = mg.tensor(np.array([0.0, 0.0]))

    def grad(p):
        return mg.grad(lambda t: mg.sum(t**p))

    def grad2(p):
        return mg.grad(lambda t: mg.sum(grad(p)(t)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a forward of 0 ** -1 may warn
        np.testing.assert_array_equal(grad(0.0)(x).numpy(), [0.0, 0.0])
        np.testing.assert_array_equal(grad(1.0)(x).numpy(), [1.0, 1.0])
        np.testing.assert_array_equal(grad2(1.0)(x).numpy(), [0.0, 0.0])
        np.testing.assert_array_equal(grad2(2.0)(x).numpy(), [2.0, 2.0])


def test_leaky_relu_alpha():
    x = np.array([-2.0, 3.0])
    np.testing.assert_allclose(mg.leaky_relu(mg.tensor(x), alpha=0.1).numpy(), [-0.2, 3.0])
    np.testing.assert_allclose(mg.leaky_relu(mg.tensor(x)).numpy(), [-0.4, 3.0])


def test_where_broadcasts_all_three_and_routes_gradients():
    cond = np.array([True, False, True])
    a, b = mg.tensor(normal(2, 3)), mg.tensor(normal(2, 1))
    with mg.GradientTape() as tape:
        tape.watch([a, b])
        y = mg.where(cond, a, b)
        loss = mg.sum(y * 2.0)
    np.testing.assert_array_equal(y.numpy(), np.where(cond, a.numpy(), b.numpy()))
    ga, gb = tape.gradient(loss, [a, b])
    assert ga.shape == (2, 3) and gb.shape == (2, 1)
    np.testing.assert_array_equal(ga.numpy(), np.where(cond, 2.0, 0.0) * np.ones((2, 3)))
    np.testing.assert_array_equal(gb.numpy(), [[2.0], [2.0]])  # one False column per row
    c = mg.where(mg.tensor(np.array([[True], [False]])), 1.0, mg.tensor(np.zeros(3)))
    np.testing.assert_array_equal(c.numpy(), [[1, 1, 1], [0, 0, 0]])


@pytest.mark.parametrize("src, dst", [("float32", "float64"), ("float64", "float32"),
                                      ("float16", "float32"), ("float32", "float16")])
def test_cast_gradient_comes_back_in_the_input_dtype(src, dst):
    x = mg.tensor(np.array([0.5, -1.5, 2.0], src))
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.cast(x, dst)
        loss = mg.sum(y * y)
    assert y.dtype == np.dtype(dst)
    g = tape.gradient(loss, x)
    assert g.dtype == np.dtype(src)
    np.testing.assert_array_equal(g.numpy(), [1.0, -3.0, 4.0])  # 2x, exact in every dtype


def test_cast_to_the_same_dtype_is_the_same_tensor_and_to_int_has_no_gradient():
    x = mg.tensor(np.array([1.7, -2.2]))
    assert mg.cast(x, "float64") is x
    assert x.astype("float32").dtype == np.float32
    with mg.GradientTape() as tape:
        tape.watch(x)
        i = mg.cast(x, "int32")
        y = mg.sum(mg.cast(i, "float64") * x)
    np.testing.assert_array_equal(i.numpy(), [1, -2])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, -2.0])  # only the x factor


def test_fill_likes():
    x = mg.tensor(np.ones((2, 3), np.float32))
    assert mg.zeros_like(x).dtype == np.float32
    np.testing.assert_array_equal(mg.zeros_like(x).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(mg.ones_like(x, dtype="int32").numpy(), np.ones((2, 3)))
    assert mg.ones_like(x, dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(mg.full_like(x, 7.5).numpy(), np.full((2, 3), 7.5))


def test_to_device_cpu_is_the_same_tensor():
    x = mg.tensor([1.0, 2.0])
    assert mg.to_device(x, "cpu") is x
    assert x.to("cpu") is x


@needs_cuda
def test_to_device_round_trip_and_gradient():
    x = mg.tensor(np.array([1.0, 2.0]))
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mg.to_device(x, "cuda")
        loss = mg.to_device(mg.sum(y * y), "cpu")
    assert y.device == "cuda"
    g = tape.gradient(loss, x)
    assert g.device == "cpu"
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


# -- errors ----------------------------------------------------------------------------------
def test_incompatible_shapes_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        mg.add(mg.tensor(np.ones(3)), mg.tensor(np.ones(4)))


def test_clip_needs_a_bound():
    with pytest.raises(ValueError, match="at least one of min and max"):
        mg.clip(mg.tensor([1.0]))


@pytest.mark.parametrize("bad, error", [("abc", ArgumentTypeError), (None, ArgumentTypeError),
                                        ([1j], UnsupportedDtypeError)])
def test_non_numeric_operands_are_refused(bad, error):
    # text and None are refused element by element (ArgumentTypeError), complex by dtype
    with pytest.raises(error):
        mg.exp(bad)


def test_cast_to_an_unsupported_dtype():
    with pytest.raises(UnsupportedDtypeError, match="complex64"):
        mg.cast(mg.tensor([1.0]), "complex64")
    with pytest.raises(UnsupportedDtypeError, match="not a dtype"):
        mg.cast(mg.tensor([1.0]), "float-ish")


def test_unknown_or_missing_device():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.to_device(mg.tensor([1.0]), "tpu")
    if not cuda_available():
        with pytest.raises(DeviceUnavailableError, match="CuPy"):
            mg.to_device(mg.tensor([1.0]), "cuda")


@pytest.mark.parametrize("fn", [mg.add, mg.subtract, mg.multiply, mg.divide, mg.maximum])
def test_shapes_that_do_not_broadcast_name_the_op_and_the_fix(fn):
    a, b = mg.tensor(np.ones((2, 3))), mg.tensor(np.ones((4,)))
    with pytest.raises(ValueError) as info:
        fn(a, b)
    message = str(info.value)
    assert message.startswith(f"{fn.__name__}: inputs of shapes (2, 3) and (4,) do not broadcast")
    assert "expand_dims" in message


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_of_a_large_array_equals_maximum_with_zero(dtype):
    # 5 * 8192 + 3 elements: relu's rows-of-zeros path plus a tail, with the special values
    x = normal(5 * 8192 + 3).astype(dtype)
    x[[0, 7, 8191, 8192, -2, -1]] = [np.nan, -0.0, np.inf, -np.inf, np.nan, -1.5]
    y = mg.relu(x).numpy()
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    np.testing.assert_array_equal(np.signbit(y), np.signbit(np.maximum(x, 0)))
    x2 = x[:-3].reshape(5, -1)[:, ::2]  # not contiguous: the plain path
    np.testing.assert_array_equal(mg.relu(x2).numpy(), np.maximum(x2, 0))


def test_relu_gradient_of_a_large_array_is_the_mask():
    x, g = normal(4, 8192), normal(4, 8192)
    tx = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(tx)
        y = mg.relu(tx)
    np.testing.assert_array_equal(tape.gradient(y, tx, output_gradients=g).numpy(), g * (x > 0))


@pytest.mark.parametrize("name, f, derivative", [
    ("tanh_grad", np.tanh, lambda y: 1 - y**2),
    ("sigmoid_grad", lambda x: 1 / (1 + np.exp(-x)), lambda y: y * (1 - y)),
    ("relu_grad", lambda x: x, lambda x: (x > 0).astype(x.dtype)),  # takes relu's input
])
def test_one_op_backwards_of_tanh_sigmoid_and_relu_are_their_derivatives(name, f, derivative):
    op = {"tanh_grad": elementwise.TanhGrad, "sigmoid_grad": elementwise.SigmoidGrad,
          "relu_grad": elementwise.ReluGrad}[name]
    y, g = f(normal(2, 5)), normal(2, 5)
    got = apply(op, mg.tensor(y), mg.tensor(g)).numpy()
    np.testing.assert_allclose(got, g * derivative(y), rtol=1e-12)


def test_relu_of_a_large_array_on_a_device(device):
    """Large arrays take a row trick on the CPU (``_relu``), ``maximum`` elsewhere: the same numbers."""
    x = np.random.default_rng(4).standard_normal(4 * 8192 + 5).astype("float32")
    y = mg.relu(mg.tensor(x, device=device))
    assert y.device == device
    np.testing.assert_array_equal(y.numpy(), np.maximum(x, 0))
