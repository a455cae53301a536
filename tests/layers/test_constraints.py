"""layers.constraints: Keras's projections, axis meaning, epsilon and (de)serialization."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from layers import constraints as C

EPS = 1e-7  # Keras's backend.epsilon()
W = np.array([[3.0, 0.0], [4.0, 0.5]])  # column norms 5 and 0.5; row norms 3 and sqrt(16.25)


def _np(t) -> np.ndarray:
    assert isinstance(t, mg.Tensor)
    return t.numpy()


def _reference_norms(w: np.ndarray, axis) -> np.ndarray:
    axis = tuple(axis) if isinstance(axis, list) else axis
    return np.sqrt((w**2).sum(axis=axis, keepdims=True))


# -- MaxNorm ----------------------------------------------------------------------------------
def test_max_norm_dense_kernel_axis0_constrains_each_column():
    out = _np(C.MaxNorm(max_value=2.0)(mg.tensor(W, dtype="float64")))
    # column 0 (norm 5) is scaled to norm 2; column 1 (norm 0.5) keeps its norm up to eps
    np.testing.assert_allclose(out, [[3 * 2 / (5 + EPS), 0.0], [4 * 2 / (5 + EPS), 0.5 * 0.5 / (0.5 + EPS)]],
                               rtol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [2.0, 0.5], rtol=1e-6)
    assert out[1, 1] < 0.5  # Keras divides by eps + norm, so even short vectors shrink a hair


def test_max_norm_axis1_constrains_each_row():
    out = _np(C.MaxNorm(max_value=3.5, axis=1)(mg.tensor(W, dtype="float64")))
    row_norms = np.array([[3.0], [np.sqrt(16.25)]])
    np.testing.assert_allclose(out, W * np.minimum(row_norms, 3.5) / (EPS + row_norms), rtol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), [3.0, 3.5], rtol=1e-6)


def test_max_norm_conv_kernel_axis012_constrains_each_filter():
    rng = np.random.default_rng(0)
    k = rng.normal(size=(3, 3, 4, 5))  # (kh, kw, in, out): five filters of 36 weights
    out = _np(C.MaxNorm(max_value=1.0, axis=[0, 1, 2])(mg.tensor(k, dtype="float64")))
    norms = _reference_norms(k, [0, 1, 2])
    assert norms.shape == (1, 1, 1, 5)
    np.testing.assert_allclose(out, k * np.minimum(norms, 1.0) / (EPS + norms), rtol=1e-14)
    np.testing.assert_allclose(np.sqrt((out**2).sum(axis=(0, 1, 2))), 1.0, rtol=1e-6)


def test_max_norm_default_is_two_over_axis0_and_default_float32():
    w = mg.tensor(np.array([[6.0, 1.0], [8.0, 0.0]], np.float32))
    out = C.MaxNorm()(w)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [[1.2, 1.0], [1.6, 0.0]], rtol=1e-6)


# -- UnitNorm ---------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, [0, 1]])
def test_unit_norm(axis):
    out = _np(C.UnitNorm(axis=axis)(mg.tensor(W, dtype="float64")))
    np.testing.assert_allclose(out, W / (EPS + _reference_norms(W, axis)), rtol=1e-15)
    np.testing.assert_allclose(_reference_norms(out, axis), 1.0, rtol=1e-6)


def test_unit_norm_by_hand():
    out = C.UnitNorm()(mg.tensor([[3.0, 0.0], [4.0, 2.0]])).numpy()
    np.testing.assert_allclose(out, [[0.6, 0.0], [0.8, 1.0]], rtol=1e-6)


def test_unit_norm_of_a_zero_vector_stays_zero():
    out = C.UnitNorm()(mg.tensor(np.zeros((3, 2), np.float32))).numpy()
    np.testing.assert_array_equal(out, np.zeros((3, 2)))  # 0 / (eps + 0), no NaN


# -- MinMaxNorm -------------------------------------------------------------------------------
def test_min_max_norm_rate_one_clips_norms_into_the_interval():
    out = _np(C.MinMaxNorm(min_value=1.0, max_value=2.0)(mg.tensor(W, dtype="float64")))
    # column norms 5 -> 2 and 0.5 -> 1
    np.testing.assert_allclose(out, [[3 * 2 / (5 + EPS), 0.0], [4 * 2 / (5 + EPS), 0.5 * 1 / (0.5 + EPS)]],
                               rtol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [2.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1])
def test_min_max_norm_with_a_rate_moves_part_of_the_way(axis):
    rate = 0.25
    out = _np(C.MinMaxNorm(1.0, 2.0, rate=rate, axis=axis)(mg.tensor(W, dtype="float64")))
    norms = _reference_norms(W, axis)
    desired = rate * np.clip(norms, 1.0, 2.0) + (1 - rate) * norms
    np.testing.assert_allclose(out, W * desired / (EPS + norms), rtol=1e-15)
    # columns: 5 -> 0.25 * 2 + 0.75 * 5 = 4.25 and 0.5 -> 0.25 * 1 + 0.75 * 0.5 = 0.625
    if axis == 0:
        np.testing.assert_allclose(np.linalg.norm(out, axis=0), [4.25, 0.625], rtol=1e-6)


def test_min_max_norm_defaults_give_unit_ball_shell():
    out = C.MinMaxNorm()(mg.tensor(W, dtype="float64")).numpy()  # [0, 1], rate 1, axis 0
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [1.0, 0.5], rtol=1e-6)


# -- NonNeg -----------------------------------------------------------------------------------
def test_non_neg():
    out = C.NonNeg()(mg.tensor([[-1.5, 0.0], [2.0, -0.1]]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [[0.0, 0.0], [2.0, 0.0]])
    out = C.NonNeg()(mg.tensor(np.array([-1.0, 3.0])))
    assert out.dtype == np.float64 and out.numpy().tolist() == [0.0, 3.0]


# -- with Variables and optimizers ------------------------------------------------------------
@pytest.mark.parametrize("constraint", [C.MaxNorm(1.0), C.UnitNorm(), C.MinMaxNorm(0.5, 1.5), C.NonNeg()],
                         ids=lambda c: type(c).__name__)
def test_variable_in_tensor_out_and_assign(constraint):
    v = mg.Variable(W.astype(np.float32))
    expected = constraint(mg.tensor(W.astype(np.float32))).numpy()
    out = constraint(v)
    assert isinstance(out, mg.Tensor) and not isinstance(out, mg.Variable)
    v.assign(out)
    np.testing.assert_array_equal(v.numpy(), expected)


def test_optimizer_applies_the_constraint_after_each_step():
    v = mg.Variable(np.array([[0.6, 0.0], [0.8, 0.1]], np.float32), constraint=C.MaxNorm(1.0))
    opt = mg.optimizers.SGD(learning_rate=1.0)
    with mg.GradientTape() as tape:
        loss = -mg.sum(v * mg.tensor([[3.0, 1.0], [4.0, 1.0]]))  # pushes the weights outwards
    opt.apply_gradients(zip([tape.gradient(loss, v)], [v]))
    # after the step: [[3.6, 1.0], [4.8, 1.1]]; column norms 6 and sqrt(2.21) are cut to 1
    stepped = np.array([[3.6, 1.0], [4.8, 1.1]])
    norms = np.linalg.norm(stepped, axis=0)
    np.testing.assert_allclose(v.numpy(), stepped / (EPS + norms), rtol=1e-6)


# -- base class, configs, get, serialize ------------------------------------------------------
def test_base_class_returns_its_input():
    w = mg.tensor(W)
    assert C.Constraint()(w) is w
    assert C.Constraint().get_config() == {}


def test_default_configs_match_keras():
    assert C.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert C.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert C.UnitNorm().get_config() == {"axis": 0}
    assert C.NonNeg().get_config() == {}
    assert C.MaxNorm(3, axis=[0, 1, 2]).get_config() == {"max_value": 3, "axis": [0, 1, 2]}


@pytest.mark.parametrize("name, cls", [
    ("MaxNorm", C.MaxNorm), ("max_norm", C.MaxNorm), ("maxnorm", C.MaxNorm),
    ("NonNeg", C.NonNeg), ("non_neg", C.NonNeg), ("nonneg", C.NonNeg),
    ("UnitNorm", C.UnitNorm), ("unit_norm", C.UnitNorm), ("unitnorm", C.UnitNorm),
    ("MinMaxNorm", C.MinMaxNorm), ("min_max_norm", C.MinMaxNorm),
])
def test_get_by_name(name, cls):
    got = C.get(name)
    assert type(got) is cls and got.get_config() == cls().get_config()
    assert getattr(C, name) is cls  # the module's aliases are the classes themselves


def test_get_other_identifiers():
    assert C.get(None) is None
    got = C.get({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1, 2]}})
    assert type(got) is C.MaxNorm and (got.max_value, got.axis) == (3, [0, 1, 2])
    got = C.get({"module": "keras.constraints", "class_name": "UnitNorm", "config": {"axis": 1},
                 "registered_name": None})
    assert type(got) is C.UnitNorm and got.axis == 1
    assert type(C.get(C.NonNeg)) is C.NonNeg  # a class is instantiated
    mine = C.UnitNorm(axis=1)
    assert C.get(mine) is mine

    def clip_at_one(w):
        return mg.clip(w, -1.0, 1.0)

    assert C.get(clip_at_one) is clip_at_one


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown constraint: 'max'\. Valid names are MaxNorm"):
        C.get("max")
    with pytest.raises(ValueError, match="Could not interpret constraint function identifier: 2"):
        C.get(2)
    with pytest.raises(ValueError, match="Improper config format"):
        C.get({"config": {}})
    with pytest.raises(TypeError, match="cannot build constraint 'UnitNorm'"):
        C.get({"class_name": "UnitNorm", "config": {"max_value": 1.0}})


@pytest.mark.parametrize("constraint", [C.MaxNorm(1.5, axis=1), C.MinMaxNorm(0.2, 0.9, 0.5, [0, 1]),
                                        C.UnitNorm(axis=1), C.NonNeg()], ids=lambda c: repr(c))
def test_serialize_round_trip(constraint):
    config = C.serialize(constraint)
    assert config == {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    again = C.get(config)
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()
    w = mg.tensor(np.array([[3.0, -1.0], [4.0, 0.5]], np.float32))
    np.testing.assert_array_equal(again(w).numpy(), constraint(w).numpy())
    assert type(constraint).from_config(constraint.get_config()).get_config() == constraint.get_config()


def test_serialize_none_and_functions():
    assert C.serialize(None) is None

    def clip_at_one(w):
        return mg.clip(w, -1.0, 1.0)

    assert C.serialize(clip_at_one) == "clip_at_one"
    assert C.deserialize("clip_at_one", custom_objects={"clip_at_one": clip_at_one}) is clip_at_one
    with pytest.raises(ValueError, match="doesn't implement get_config"):
        C.serialize(1)
