"""layers.activations: each function against its NumPy formula, gradients, get/serialize."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from layers import activations

# points away from every kink (0 for relu, 6 for relu6, +-2.5 for hard_sigmoid, thresholds)
X = np.array([[-7.3, -3.1, -1.4, -0.35, 0.2, 0.9, 2.1, 4.4, 6.7, 9.2]])


def _np_softplus(x):
    return np.logaddexp(0.0, x)


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

REFERENCES = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
    "softplus": _np_softplus,
    "softsign": lambda x: x / (np.abs(x) + 1),
    "swish": lambda x: x * _np_sigmoid(x),
    "silu": lambda x: x * _np_sigmoid(x),
    "mish": lambda x: x * np.tanh(_np_softplus(x)),
    "gelu": _np_gelu,
    "sigmoid": _np_sigmoid,
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "tanh": np.tanh,
    "exponential": np.exp,
    "softmax": _np_softmax,
    "log_softmax": lambda x: np.log(_np_softmax(x)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_match_numpy(name):
    fn = activations.get(name)
    out = fn(mg.tensor(X))
    assert isinstance(out, mg.Tensor)
    np.testing.assert_allclose(out.numpy(), REFERENCES[name](X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_float32_stays_float32(name):
    out = activations.get(name)(mg.tensor(X.astype("float32")))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), REFERENCES[name](X), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_gradients_match_finite_differences(name):
    fn = activations.get(name)
    x = X / 2 if name == "exponential" else X
    assert mg.gradcheck(fn, [x], mode="full")


@pytest.mark.parametrize("name", ["elu", "selu", "swish", "softplus", "tanh", "sigmoid", "softmax",
                                  "gelu"])
def test_second_derivatives(name):
    assert mg.gradcheck(activations.get(name), [X], order=2)


def test_elu_does_not_overflow_for_large_inputs():
    out = activations.elu(mg.tensor(np.array([1000.0, -1000.0])))
    np.testing.assert_array_equal(out.numpy(), [1000.0, -1.0])


@pytest.mark.parametrize("kwargs, reference", [
    ({"alpha": 0.1}, lambda x: np.where(x > 0, x, 0.1 * x)),
    ({"max_value": 3.0}, lambda x: np.clip(x, 0, 3.0)),
    ({"threshold": 1.0}, lambda x: np.where(x > 1.0, x, 0.0)),
    ({"alpha": 0.5, "max_value": 5.0, "threshold": 1.0},
     lambda x: np.where(x >= 5.0, 5.0, np.where(x > 1.0, x, 0.5 * (x - 1.0)))),
    ({"alpha": 0.3, "threshold": -2.0}, lambda x: np.where(x > -2.0, x, 0.3 * (x + 2.0))),
])
def test_relu_keras2_arguments(kwargs, reference):
    # Keras 2: f(x) = max_value for x >= max_value, x for threshold <= x < max_value,
    # alpha * (x - threshold) otherwise
    out = activations.relu(mg.tensor(X), **kwargs)
    np.testing.assert_allclose(out.numpy(), reference(X), rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(lambda t: activations.relu(t, **kwargs), [X], mode="full")


def test_elu_alpha_and_leaky_relu_slope():
    np.testing.assert_allclose(activations.elu(mg.tensor(X), alpha=0.5).numpy(),
                               np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), rtol=1e-12)
    np.testing.assert_allclose(activations.leaky_relu(mg.tensor(X), negative_slope=0.01).numpy(),
                               np.where(X > 0, X, 0.01 * X), rtol=1e-12)


def test_softmax_axis_and_rank_check():
    x = np.arange(24.0).reshape(2, 3, 4) / 7
    np.testing.assert_allclose(activations.softmax(mg.tensor(x), axis=1).numpy(),
                               _np_softmax(x, axis=1), rtol=1e-12)
    np.testing.assert_allclose(activations.softmax(mg.tensor(x), axis=(1, 2)).numpy(),
                               np.exp(x) / np.exp(x).sum(axis=(1, 2), keepdims=True), rtol=1e-12)
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        activations.softmax(mg.tensor([1.0, 2.0]))


def test_functions_accept_arrays():
    np.testing.assert_allclose(activations.tanh(X).numpy(), np.tanh(X))


# -- get / serialize / deserialize ---------------------------------------------------------------
def test_get_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x * 2.0
    assert activations.get(custom) is custom
    assert activations.get(mg.tanh) is mg.tanh


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_serialize_round_trips_every_builtin(name):
    fn = activations.get(name)
    assert activations.serialize(fn) == name
    assert activations.get(activations.serialize(fn)) is fn


def test_silu_is_an_alias_of_swish():
    assert activations.get("silu") is activations.swish
    assert activations.serialize(activations.get("silu")) == "swish"


def test_serialize_none_and_custom_functions():
    assert activations.serialize(None) is None

    def my_act(x):
        return x * 3.0
    assert activations.serialize(my_act) == "my_act"
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    assert activations.deserialize({"class_name": "function", "config": "tanh"}) is activations.tanh


def test_serialize_objects_with_a_config():
    class Scaled:
        def __init__(self, factor):
            self.factor = factor

        def __call__(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    config = activations.serialize(Scaled(2.5))
    assert config == {"class_name": "Scaled", "config": {"factor": 2.5}}
    rebuilt = activations.deserialize(config, custom_objects={"Scaled": Scaled})
    assert rebuilt.factor == 2.5
    with pytest.raises(ValueError, match="Unknown activation class: 'Scaled'"):
        activations.deserialize(config)


def test_errors():
    with pytest.raises(ValueError, match="Unknown activation function: 'relux'"):
        activations.get("relux")
    with pytest.raises(TypeError, match="Could not interpret activation function identifier: 3"):
        activations.get(3)
    with pytest.raises(ValueError, match="Cannot serialize"):
        activations.serialize(3)
