"""layers.regularizers: Keras's penalties, factors, validation, gradients and (de)serialization."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from layers import regularizers as R

F32 = lambda v: float(np.float32(v))  # noqa: E731  (Keras stores factors as float32)
X = np.array([[1.0, -2.0], [3.0, -4.0]], np.float32)  # sum |x| = 10, sum x**2 = 30


# -- values by hand ------------------------------------------------------------------------------
def test_l1_l2_l1l2_values():
    x = mg.tensor(X)
    assert R.L1(0.1)(x).item() == pytest.approx(1.0, rel=1e-6)
    assert R.L2(0.1)(x).item() == pytest.approx(3.0, rel=1e-6)  # no factor 1/2
    assert R.L1L2(0.1, 0.2)(x).item() == pytest.approx(1.0 + 6.0, rel=1e-6)
    for reg in (R.L1(0.1), R.L2(0.1), R.L1L2(0.1, 0.2)):
        out = reg(x)
        assert isinstance(out, mg.Tensor) and out.shape == () and out.dtype == np.float32


def test_keras_docstring_examples():
    assert R.L2(2.0)(mg.tensor(np.ones((5, 5), np.float32))).item() == 50.0
    # a 5x5 kernel of ones with L1(0.01): 0.01 * 25 = 0.25
    assert R.L1(0.01)(mg.tensor(np.ones((5, 5), np.float32))).item() == pytest.approx(0.25, rel=1e-6)


def test_factors_are_stored_as_float32_like_keras():
    assert R.L2(0.01).l2 == F32(0.01) == 0.009999999776482582
    assert R.L2(0.01).get_config() == {"l2": 0.009999999776482582}
    assert R.L1(0.3).get_config() == {"l1": F32(0.3)}
    assert R.L1L2(0.1, 0.2).get_config() == {"l1": F32(0.1), "l2": F32(0.2)}
    # float64 weights: the penalty is float64, computed with the float32-rounded factor
    x = mg.tensor(X.astype(np.float64))
    out = R.L2(0.1)(x)
    assert out.dtype == np.float64 and out.item() == F32(0.1) * 30.0


def test_defaults_and_none():
    assert R.L1().l1 == F32(0.01) and R.L2().l2 == F32(0.01)
    assert R.L1(None).l1 == F32(0.01) and R.L2(None).l2 == F32(0.01)
    assert (R.L1L2().l1, R.L1L2().l2) == (0.0, 0.0)           # the class: no penalty
    assert (R.L1L2(None, None).l1, R.L1L2(None, None).l2) == (0.0, 0.0)
    assert R.l1_l2().get_config() == {"l1": F32(0.01), "l2": F32(0.01)}  # the function: 0.01
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l2().l2 == F32(0.01)


def test_zero_factors_give_a_constant_zero():
    x = mg.Variable(X)
    with mg.GradientTape() as tape:
        out = R.L1L2(0.0, 0.0)(x)
    assert out.item() == 0.0 and out.dtype == np.float32 and out.shape == ()
    assert tape.gradient(out, x) is None  # nothing depends on x
    # with l2 = 0 only the L1 term is present
    assert R.L1L2(l1=0.5)(mg.tensor(X)).item() == pytest.approx(5.0)


def test_legacy_keyword_and_unknown_keywords():
    assert R.L1(l=0.3).l1 == F32(0.3) and R.L2(l=0.4).l2 == F32(0.4)
    with pytest.raises(TypeError, match="Argument\\(s\\) not recognized"):
        R.L2(l3=0.1)


@pytest.mark.parametrize("bad", ["0.1", [0.1], float("nan"), float("inf"), -float("inf"), np.float32(0.1)])
def test_invalid_factors_raise_value_error(bad):
    for make in (lambda v: R.L1(v), lambda v: R.L2(v), lambda v: R.L1L2(l1=v),
                 lambda v: R.L1L2(l2=v), lambda v: R.OrthogonalRegularizer(v)):
        with pytest.raises(ValueError, match="not a valid regularization penalty number"):
            make(bad)


def test_negative_factors_are_accepted_as_in_keras():
    assert R.L2(-1.0)(mg.tensor(X)).item() == -30.0


# -- gradients --------------------------------------------------------------------------------
def test_gradients_by_hand_on_a_variable():
    v = mg.Variable(X)
    with mg.GradientTape(persistent=True) as tape:
        p1, p2, p12 = R.L1(0.5)(v), R.L2(0.25)(v), R.L1L2(0.5, 0.25)(v)
    np.testing.assert_allclose(tape.gradient(p1, v).numpy(), 0.5 * np.sign(X))
    np.testing.assert_allclose(tape.gradient(p2, v).numpy(), 2 * 0.25 * X)
    np.testing.assert_allclose(tape.gradient(p12, v).numpy(), 0.5 * np.sign(X) + 2 * 0.25 * X)


@pytest.mark.parametrize("reg", [R.L1(0.3), R.L2(0.7), R.L1L2(0.2, 0.05),
                                 R.OrthogonalRegularizer(0.4, "rows"),
                                 R.OrthogonalRegularizer(0.4, "columns")],
                         ids=["L1", "L2", "L1L2", "orth-rows", "orth-columns"])
def test_gradcheck(reg):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.2, 1.0, (4, 3)) * rng.choice([-1.0, 1.0], (4, 3))  # away from |x| = 0
    assert mg.gradcheck(reg, [x], mode="full")
    if not isinstance(reg, R.OrthogonalRegularizer):  # |.| of the cosines has kinks
        assert mg.gradcheck(reg, [x], order=2)


# -- OrthogonalRegularizer ------------------------------------------------------------------------
def _orthogonal_reference(x: np.ndarray, factor: float, mode: str) -> float:
    v = x if mode == "rows" else x.T
    v = v / np.sqrt(np.maximum((v**2).sum(axis=1, keepdims=True), 1e-12))
    n = v.shape[0]
    cos = v @ v.T
    return factor * 0.5 * np.abs(cos - np.diag(np.diag(cos))).sum() / (n * (n - 1) / 2)


def test_orthogonal_regularizer_by_hand():
    # rows (1, 0) and (1, 1): one pair with cosine 1/sqrt(2); penalty factor * 0.5 * 2 / sqrt(2) / 1
    x = mg.tensor([[1.0, 0.0], [1.0, 1.0]])
    assert R.OrthogonalRegularizer(0.1)(x).item() == pytest.approx(0.1 / math.sqrt(2), rel=1e-6)
    assert R.OrthogonalRegularizer(0.1)(mg.tensor([[1.0, 0.0], [0.0, 2.0]])).item() == 0.0
    y = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    for mode in ("rows", "columns"):
        got = R.OrthogonalRegularizer(0.2, mode)(mg.tensor(y, dtype="float64")).item()
        assert got == pytest.approx(_orthogonal_reference(y, F32(0.2), mode), rel=1e-12)


def test_orthogonal_regularizer_errors_and_config():
    assert R.OrthogonalRegularizer().get_config() == {"factor": F32(0.01), "mode": "rows"}
    with pytest.raises(ValueError, match="Invalid value for argument `mode`"):
        R.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="must have rank 2"):
        R.OrthogonalRegularizer()(mg.tensor(np.ones((2, 2, 2), np.float32)))


# -- base class, get, serialize ------------------------------------------------------------------
def test_base_class():
    assert R.Regularizer()(mg.tensor(X)) == 0.0
    with pytest.raises(NotImplementedError, match="does not implement get_config"):
        R.Regularizer().get_config()


@pytest.mark.parametrize("name, cls, config", [
    ("l1", R.L1, {"l1": F32(0.01)}),
    ("l2", R.L2, {"l2": F32(0.01)}),
    ("l1_l2", R.L1L2, {"l1": F32(0.01), "l2": F32(0.01)}),  # the string: 0.01 and 0.01
    ("L1", R.L1, {"l1": F32(0.01)}),
    ("L2", R.L2, {"l2": F32(0.01)}),
    ("L1L2", R.L1L2, {"l1": 0.0, "l2": 0.0}),              # the class name: class defaults
    ("OrthogonalRegularizer", R.OrthogonalRegularizer, {"factor": F32(0.01), "mode": "rows"}),
    ("orthogonal_regularizer", R.OrthogonalRegularizer, {"factor": F32(0.01), "mode": "rows"}),
])
def test_get_by_name(name, cls, config):
    reg = R.get(name)
    assert type(reg) is cls and reg.get_config() == config


def test_get_other_identifiers():
    assert R.get(None) is None
    reg = R.get({"class_name": "L2", "config": {"l2": 0.5}})
    assert type(reg) is R.L2 and reg.l2 == 0.5
    reg = R.get({"class_name": "l1_l2", "config": {}})  # the function, called with the config
    assert type(reg) is R.L1L2 and reg.get_config() == {"l1": F32(0.01), "l2": F32(0.01)}
    reg = R.get({"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.25},
                 "registered_name": None})
    assert type(reg) is R.L1 and reg.l1 == 0.25
    assert type(R.get(R.L2)) is R.L2  # a class is instantiated
    mine = R.L1(0.2)
    assert R.get(mine) is mine

    def my_reg(x):
        return 0.1 * mg.sum(x)

    assert R.get(my_reg) is my_reg


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown regularizer: 'l3'\. Valid names are .*l1_l2"):
        R.get("l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 0.1"):
        R.get(0.1)
    with pytest.raises(ValueError, match="Improper config format"):
        R.get({"name": "L2"})
    with pytest.raises(TypeError, match="cannot build regularizer 'L2'"):
        R.get({"class_name": "L2", "config": {"l1": 0.5}})


@pytest.mark.parametrize("reg", [R.L1(0.3), R.L2(0.05), R.L1L2(0.1, 0.2), R.L1L2(l2=0.7),
                                 R.OrthogonalRegularizer(0.5, "columns")],
                         ids=lambda r: repr(r))
def test_serialize_round_trip(reg):
    config = R.serialize(reg)
    assert config == {"class_name": type(reg).__name__, "config": reg.get_config()}
    again = R.get(config)
    assert type(again) is type(reg) and again.get_config() == reg.get_config()
    x = mg.tensor(X)
    assert again(x).item() == reg(x).item()
    assert type(reg).from_config(reg.get_config()).get_config() == reg.get_config()


def test_serialize_none_and_functions():
    assert R.serialize(None) is None

    def my_reg(x):
        return 0.1 * mg.sum(x)

    assert R.serialize(my_reg) == "my_reg"
    with pytest.raises(ValueError, match="doesn't implement get_config"):
        R.serialize(0.5)
    assert R.deserialize("my_reg", custom_objects={"my_reg": my_reg}) is my_reg  # by name: as is
