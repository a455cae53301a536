"""AdamW and Adagrad: Keras 3's update rules, step by step against hand-computed NumPy updates
(float64), Keras's docstring-style numbers, exclusions from weight decay, configs, names in
``optimizers.get`` and ``compile``, and argument errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from devices import needs_cuda

import layers
import minigrad as mg
from minigrad import optimizers
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

RNG = np.random.default_rng(5)
W0 = np.array([[0.5, -1.5], [2.0, 0.25]])
GRADS = [RNG.standard_normal((2, 2)) for _ in range(4)]


def run(opt, w0=W0, grads=GRADS, name="w"):
    """Apply ``grads`` one step each to a float64 Variable; return the value after every step."""
    w = mg.Variable(w0.copy(), name=name)
    values = []
    for g in grads:
        opt.apply_gradients([(mg.tensor(g), w)])
        values.append(w.numpy().copy())
    return values


def np_adamw(w, grads, lr, wd, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False):
    """Keras 3: decay ``w - w * wd * lr``, then Adam with ``alpha = lr sqrt(1 - b2^t) / (1 - b1^t)``."""
    m, v, vhat, out = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w), []
    for t, g in enumerate(grads, start=1):
        w = w - w * wd * lr
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        vhat = np.maximum(vhat, v)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - m * alpha / (np.sqrt(vhat if amsgrad else v) + eps)
        out.append(w)
    return out


def np_adagrad(w, grads, lr, init=0.1, eps=1e-7):
    acc, out = np.full_like(w, init), []
    for g in grads:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + eps)
        out.append(w)
    return out


# -- AdamW ------------------------------------------------------------------------------
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_steps_match_numpy(amsgrad):
    got = run(optimizers.AdamW(learning_rate=0.05, weight_decay=0.1, amsgrad=amsgrad))
    want = np_adamw(W0, GRADS, lr=0.05, wd=0.1, amsgrad=amsgrad)
    for step, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15, err_msg=f"step {step + 1}")


def test_adamw_first_step_by_hand():
    # w = 2, g = 1, lr = 0.1, wd = 0.5: decay gives 2 - 2 * 0.5 * 0.1 = 1.9; Adam's first step
    # is lr * g / (|g| + eps') with eps' = 1e-7 * sqrt(1 - 0.999) / ... folded: ~0.1 -> 1.8
    w = mg.Variable(np.array(2.0))
    optimizers.AdamW(learning_rate=0.1, weight_decay=0.5).apply_gradients([(mg.tensor(np.array(1.0)), w)])
    alpha = 0.1 * math.sqrt(1 - 0.999) / (1 - 0.9)
    assert float(w.numpy()) == pytest.approx(1.9 - 0.1 * alpha / (math.sqrt(0.001) + 1e-7), rel=1e-14)
    assert float(w.numpy()) == pytest.approx(1.8, abs=1e-5)


def test_adamw_defaults_and_zero_decay_is_adam():
    opt = optimizers.AdamW()
    assert (opt.learning_rate, opt.weight_decay, opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad) == \
        (0.001, 0.004, 0.9, 0.999, 1e-7, False)
    assert opt.name == "AdamW"
    for a, b in zip(run(optimizers.AdamW(0.01, weight_decay=0.0)), run(optimizers.Adam(0.01))):
        np.testing.assert_array_equal(a, b)


def test_adamw_decay_uses_the_scheduled_learning_rate():
    schedule = lambda step: 0.1 / (1 + step)  # noqa: E731
    got = run(optimizers.AdamW(learning_rate=schedule, weight_decay=0.2), grads=GRADS[:3])
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, g in enumerate(GRADS[:3], start=1):
        lr = schedule(t - 1)
        w = w - w * 0.2 * lr
        m = m + (g - m) * 0.1
        v = v + (g * g - v) * 0.001
        w = w - m * (lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)) / (np.sqrt(v) + 1e-7)
        np.testing.assert_allclose(got[t - 1], w, rtol=1e-14)


def test_decay_is_decoupled_from_the_gradient():
    # a zero gradient still shrinks the weights by lr * wd per step (Adam's step is 0: m = 0)
    got = run(optimizers.AdamW(learning_rate=0.1, weight_decay=0.5), grads=[np.zeros((2, 2))] * 3)
    np.testing.assert_allclose(got[-1], W0 * (1 - 0.05) ** 3, rtol=1e-14)


def test_exclude_from_weight_decay_by_variable_and_by_name():
    opt = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    kernel, bias, gamma = (mg.Variable(np.ones(2), name=n) for n in ("dense/kernel", "dense/bias",
                                                                      "bn/gamma"))
    opt.exclude_from_weight_decay(var_list=[gamma], var_names=["bias"])
    zero = mg.tensor(np.zeros(2))
    opt.apply_gradients([(zero, kernel), (zero, bias), (zero, gamma)])
    np.testing.assert_allclose(kernel.numpy(), [0.95, 0.95])
    np.testing.assert_array_equal(bias.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(gamma.numpy(), [1.0, 1.0])
    # names are plain substrings, not regular expressions
    opt.exclude_from_weight_decay(var_names=["dense/k.rnel"])
    opt.apply_gradients([(zero, kernel)])
    np.testing.assert_allclose(kernel.numpy(), [0.95 * 0.95] * 2)
    with pytest.raises(ArgumentTypeError, match=r"`var_names` must be a list of strings.*\['bias'\]"):
        opt.exclude_from_weight_decay(var_names="bias")
    with pytest.raises(ArgumentTypeError, match=r"`var_names\[0\]` must be a string"):
        opt.exclude_from_weight_decay(var_names=[3])
    with pytest.raises(ArgumentTypeError, match="var_list must hold minigrad.Variable"):
        opt.exclude_from_weight_decay(var_list=[np.ones(2)])


# -- Adagrad ----------------------------------------------------------------------------
def test_adagrad_steps_match_numpy():
    got = run(optimizers.Adagrad(learning_rate=0.3, initial_accumulator_value=0.2, epsilon=1e-6))
    for step, (a, b) in enumerate(zip(got, np_adagrad(W0, GRADS, 0.3, 0.2, 1e-6))):
        np.testing.assert_allclose(a, b, rtol=1e-14, err_msg=f"step {step + 1}")


def test_adagrad_first_step_by_hand_and_defaults():
    # w = 1, g = 2: acc = 0.1 + 4 = 4.1; w = 1 - 0.001 * 2 / sqrt(4.1 + 1e-7)
    w = mg.Variable(np.array(1.0))
    opt = optimizers.Adagrad()
    opt.apply_gradients([(mg.tensor(np.array(2.0)), w)])
    assert float(w.numpy()) == pytest.approx(1 - 0.002 / math.sqrt(4.1 + 1e-7), rel=1e-15)
    assert float(opt.get_slot(w, "accumulator").numpy()) == pytest.approx(4.1, rel=1e-15)
    assert (opt.learning_rate, opt.initial_accumulator_value, opt.epsilon, opt.name) == \
        (0.001, 0.1, 1e-7, "Adagrad")
    assert opt.get_slot_names() == ["accumulator"]


def test_adagrad_state_round_trips_through_weights():
    opt = optimizers.Adagrad(0.1)
    first = run(opt, grads=GRADS[:2])
    other = optimizers.Adagrad(0.1)
    w = mg.Variable(first[-1].copy(), name="w")
    other.apply_gradients([(mg.tensor(np.zeros((2, 2))), w)])  # makes the slot
    other.set_weights(opt.get_weights())
    w.assign(first[-1])
    other.apply_gradients([(mg.tensor(GRADS[2]), w)])
    np.testing.assert_allclose(w.numpy(), np_adagrad(W0, GRADS[:3], 0.1)[-1], rtol=1e-14)


# -- names, configs, compile ----------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [("adamw", optimizers.AdamW), ("AdamW", optimizers.AdamW),
                                       ("adagrad", optimizers.Adagrad), ("Adagrad", optimizers.Adagrad)])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)) is cls


@pytest.mark.parametrize("opt", [optimizers.AdamW(0.01, weight_decay=0.1, amsgrad=True, clipnorm=1.0),
                                 optimizers.Adagrad(0.2, initial_accumulator_value=0.5, epsilon=1e-5)])
def test_config_round_trip(opt):
    config = opt.get_config()
    clone = type(opt).from_config(config)
    assert clone.get_config() == config
    assert optimizers.get({"class_name": type(opt).__name__, "config": config}).get_config() == config


@pytest.mark.parametrize("name", ["adamw", "adagrad"])
def test_compile_with_the_name_trains(name):
    # zero initial weights: the run is the same every time (no random initialization)
    model = layers.Sequential([layers.Dense(1, input_shape=(3,), kernel_initializer="zeros")])
    model.compile(name, "mse")
    assert type(model.optimizer).__name__ == {"adamw": "AdamW", "adagrad": "Adagrad"}[name]
    x = RNG.standard_normal((32, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    before = model.evaluate(x, y, verbose=0)
    model.optimizer.learning_rate = 0.3
    model.fit(x, y, epochs=20, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.2 * before


# -- errors -------------------------------------------------------------------------------
def test_argument_errors_name_the_argument():
    with pytest.raises(InvalidArgumentError, match=r"AdamW: `weight_decay` must be finite and >= 0"):
        optimizers.AdamW(weight_decay=-0.1)
    with pytest.raises(ArgumentTypeError, match="AdamW: `weight_decay` must be a number"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(InvalidArgumentError, match="`beta_1` must be"):
        optimizers.AdamW(beta_1=1.0)
    with pytest.raises(InvalidArgumentError, match="Adagrad: `initial_accumulator_value` must be"):
        optimizers.Adagrad(initial_accumulator_value=-1.0)
    with pytest.raises(InvalidArgumentError, match="Adagrad: `epsilon` must be finite"):
        optimizers.Adagrad(epsilon=math.nan)
    with pytest.raises(InvalidArgumentError, match=r"not recognized.*initial_accumulator_value"):
        optimizers.Adagrad(initial_accumulator=0.1)


@needs_cuda
@pytest.mark.parametrize("make", [lambda: optimizers.AdamW(0.05, weight_decay=0.1),
                                  lambda: optimizers.Adagrad(0.3)], ids=["AdamW", "Adagrad"])
def test_gpu_steps_match_the_cpu(make):
    results = []
    for device in ("cpu", "cuda"):
        opt, w = make(), mg.Variable(W0.copy(), device=device)
        for g in GRADS:
            opt.apply_gradients([(mg.tensor(g, device=device), w)])
        assert opt.get_slot(w, opt.get_slot_names()[0]).device == device
        results.append(w.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-13)
