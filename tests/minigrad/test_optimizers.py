"""Optimizers: Keras 2 update rules against NumPy re-implementations and Keras's own
docstring numbers, plus clipping, schedules, constraints, slots, errors and a tiny
end-to-end training run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from devices import needs_cuda

import minigrad as mg
from minigrad import losses, metrics, optimizers
from minigrad.errors import InvalidArgumentError


def half_square(v):
    """loss = v**2 / 2, so d(loss)/dv = v (the Keras docstring examples)."""
    return lambda: mg.sum(v * v) / 2.0


# -- Keras's docstring examples (tf_keras/optimizers/legacy/*.py) -----------------------
class TestKerasDocstringNumbers:
    def test_sgd_one_step(self):
        v = mg.Variable(1.0)
        optimizers.SGD(learning_rate=0.1).minimize(half_square(v), [v])
        assert v.numpy() == pytest.approx(0.9, rel=1e-7)

    def test_sgd_momentum_steps_grow(self):
        v = mg.Variable(1.0)
        opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
        val0 = v.numpy()
        opt.minimize(half_square(v), [v])
        val1 = v.numpy()
        opt.minimize(half_square(v), [v])
        val2 = v.numpy()
        assert val0 - val1 == pytest.approx(0.1, rel=1e-6)
        assert val1 - val2 == pytest.approx(0.18, rel=1e-6)  # 0.9 * 0.1 + 0.1 * 0.9

    def test_adam_first_step_is_lr_times_sign(self):
        v = mg.Variable(10.0)
        optimizers.Adam(learning_rate=0.1).minimize(half_square(v), [v])
        assert v.numpy() == pytest.approx(9.9, rel=1e-6)

    def test_rmsprop_one_step(self):
        v = mg.Variable(10.0)
        optimizers.RMSprop(learning_rate=0.1).minimize(half_square(v), [v])
        # ms = 0.1 * 100 = 10; w = 10 - 0.1 * 10 / (sqrt(10) + 1e-7)
        assert v.numpy() == pytest.approx(9.683772, abs=1e-6)


# -- NumPy re-implementations of Keras 2's formulas --------------------------------------
def np_sgd(w, g, state, lr, t, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    v = state.get("momentum", np.zeros_like(w))
    v = momentum * v - lr * g
    state["momentum"] = v
    return w + (momentum * v - lr * g if nesterov else v)


def np_adam(w, g, state, lr, t, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m = beta_1 * state.get("m", np.zeros_like(w)) + (1 - beta_1) * g
    v = beta_2 * state.get("v", np.zeros_like(w)) + (1 - beta_2) * g * g
    state["m"], state["v"] = m, v
    lr_t = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    if amsgrad:
        v = np.maximum(state.get("vhat", np.zeros_like(w)), v)
        state["vhat"] = v
    return w - lr_t * m / (np.sqrt(v) + epsilon)


def np_rmsprop(w, g, state, lr, t, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    # the reference of tf_keras/optimizers/legacy/rmsprop_test.py
    rms = rho * state.get("rms", np.zeros_like(w)) + (1 - rho) * g * g
    state["rms"] = rms
    denom = rms
    if centered:
        mg_ = rho * state.get("mg", np.zeros_like(w)) + (1 - rho) * g
        state["mg"] = mg_
        denom = rms - mg_ * mg_
    if momentum > 0:
        mom = momentum * state.get("momentum", np.zeros_like(w)) + lr * g / np.sqrt(denom + epsilon)
        state["momentum"] = mom
        return w - mom
    return w - lr * g / (np.sqrt(denom) + epsilon)


CASES = [
    ("sgd", optimizers.SGD, np_sgd, dict(learning_rate=0.1)),
    ("sgd-momentum", optimizers.SGD, np_sgd, dict(learning_rate=0.1, momentum=0.9)),
    ("sgd-nesterov", optimizers.SGD, np_sgd, dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("adam", optimizers.Adam, np_adam, dict(learning_rate=0.01)),
    ("adam-custom", optimizers.Adam, np_adam, dict(learning_rate=0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-3)),
    ("adam-amsgrad", optimizers.Adam, np_adam, dict(learning_rate=0.01, amsgrad=True)),
    ("rmsprop", optimizers.RMSprop, np_rmsprop, dict(learning_rate=0.01)),
    ("rmsprop-centered", optimizers.RMSprop, np_rmsprop,
     dict(learning_rate=0.05, epsilon=1e-3, centered=True)),
    ("rmsprop-momentum", optimizers.RMSprop, np_rmsprop,
     dict(learning_rate=0.01, momentum=0.9, epsilon=1e-5)),
    ("rmsprop-momentum-centered", optimizers.RMSprop, np_rmsprop,
     dict(learning_rate=0.01, momentum=0.9, epsilon=1e-5, centered=True)),
]


@pytest.mark.parametrize("label, cls, reference, kwargs", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-6)])
def test_steps_match_numpy_reference(label, cls, reference, kwargs, dtype, rtol):
    rng = np.random.default_rng(0)
    w0 = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    grads = [[rng.standard_normal(w.shape) for w in w0] for _ in range(5)]
    variables = [mg.Variable(w, dtype=dtype) for w in w0]
    opt = cls(**kwargs)
    ref_w = [w.astype(dtype).astype("float64") for w in w0]
    ref_state = [{}, {}]
    lr = kwargs["learning_rate"]
    hyper = {k: v for k, v in kwargs.items() if k != "learning_rate"}
    for t, gs in enumerate(grads, start=1):
        opt.apply_gradients(zip([mg.tensor(g, dtype=dtype) for g in gs], variables))
        gs = [g.astype(dtype).astype("float64") for g in gs]
        ref_w = [reference(w, g, s, lr, t, **hyper) for w, g, s in zip(ref_w, gs, ref_state)]
        for v, w in zip(variables, ref_w):
            assert v.dtype == np.dtype(dtype)
            np.testing.assert_allclose(v.numpy(), w, rtol=rtol, atol=rtol)
    assert int(opt.iterations) == 5
    for v, state in zip(variables, ref_state):  # the slots hold Keras's state too
        assert sorted(opt.get_slot_names()) == sorted(state)
        for name, value in state.items():
            np.testing.assert_allclose(opt.get_slot(v, name).numpy(), value, rtol=rtol, atol=rtol)


def test_keras_rmsprop_test_case_three_steps():
    """The data of tf_keras's rmsprop_test.testDense: var0=[1,2], grads0=[0.1,0.2], ..."""
    for lr, rho, momentum, eps, centered in [(0.05, 0.9, 0.0, 1e-3, True), (0.05, 0.9, 0.0, 1e-3, False),
                                            (0.01, 0.9, 0.9, 1e-5, True)]:
        var0, var1 = mg.Variable([1.0, 2.0]), mg.Variable([3.0, 4.0])
        g0, g1 = np.array([0.1, 0.2], "float32"), np.array([0.01, 0.2], "float32")
        opt = optimizers.RMSprop(lr, rho, momentum, eps, centered)
        w0, w1, s0, s1 = np.array([1.0, 2.0]), np.array([3.0, 4.0]), {}, {}
        for t in range(1, 4):
            opt.apply_gradients(zip([g0, g1], [var0, var1]))
            w0 = np_rmsprop(w0, g0.astype("float64"), s0, lr, t, rho, momentum, eps, centered)
            w1 = np_rmsprop(w1, g1.astype("float64"), s1, lr, t, rho, momentum, eps, centered)
        np.testing.assert_allclose(var0.numpy(), w0, rtol=1e-5)
        np.testing.assert_allclose(var1.numpy(), w1, rtol=1e-5)


def test_adam_bias_correction_by_hand():
    """Two steps with g = 1, then g = 2 (lr 0.1, betas 0.9 / 0.999, eps 1e-7)."""
    v = mg.Variable(0.0, dtype="float64")
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(mg.tensor(1.0, dtype="float64"), v)])
    # m = 0.1, v = 0.001, lr_t = 0.1 * sqrt(0.001) / 0.1  ->  step = sqrt(.001) * .1 / (sqrt(.001) + 1e-7)
    step1 = math.sqrt(0.001) * 0.1 / (math.sqrt(0.001) + 1e-7)
    assert v.numpy() == pytest.approx(-step1, rel=1e-12)
    opt.apply_gradients([(mg.tensor(2.0, dtype="float64"), v)])
    m, s = 0.9 * 0.1 + 0.1 * 2, 0.999 * 0.001 + 0.001 * 4
    lr_t = 0.1 * math.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    assert v.numpy() == pytest.approx(-step1 - lr_t * m / (math.sqrt(s) + 1e-7), rel=1e-12)


def test_sgd_nesterov_by_hand():
    v = mg.Variable(1.0, dtype="float64")
    opt = optimizers.SGD(0.1, momentum=0.5, nesterov=True)
    opt.minimize(half_square(v), [v])   # vel = -0.1; w = 1 + 0.5 * -0.1 - 0.1 = 0.85
    assert v.numpy() == pytest.approx(0.85, rel=1e-12)
    opt.minimize(half_square(v), [v])   # vel = -0.05 - 0.085 = -0.135; w = 0.85 - 0.0675 - 0.085
    assert v.numpy() == pytest.approx(0.6975, rel=1e-12)
    assert opt.get_slot(v, "momentum").numpy() == pytest.approx(-0.135, rel=1e-12)


# -- learning rate: schedules and decay --------------------------------------------------
class TestLearningRate:
    def test_schedule_gets_the_step_from_zero(self):
        seen = []

        def schedule(step):
            seen.append(step)
            return 0.1 / (1 + step)

        v = mg.Variable(0.0, dtype="float64")
        opt = optimizers.SGD(schedule)
        for _ in range(3):
            opt.apply_gradients([(mg.tensor(1.0, dtype="float64"), v)])
        assert seen == [0, 1, 2]
        assert v.numpy() == pytest.approx(-(0.1 + 0.05 + 0.1 / 3), rel=1e-12)

    def test_function_of_no_arguments(self):
        v = mg.Variable(0.0, dtype="float64")
        opt = optimizers.SGD(lambda: 0.25)
        opt.apply_gradients([(mg.tensor(2.0, dtype="float64"), v)])
        assert v.numpy() == pytest.approx(-0.5)

    def test_inverse_time_decay(self):
        v = mg.Variable(0.0, dtype="float64")
        opt = optimizers.SGD(0.1, decay=0.5)
        for _ in range(3):
            opt.apply_gradients([(mg.tensor(1.0, dtype="float64"), v)])
        assert v.numpy() == pytest.approx(-(0.1 + 0.1 / 1.5 + 0.1 / 2.0), rel=1e-12)

    def test_can_be_changed_between_steps(self):
        v = mg.Variable(0.0, dtype="float64")
        opt = optimizers.SGD(0.1)
        opt.apply_gradients([(mg.tensor(1.0, dtype="float64"), v)])
        opt.learning_rate = 0.01
        opt.apply_gradients([(mg.tensor(1.0, dtype="float64"), v)])
        assert v.numpy() == pytest.approx(-0.11, rel=1e-12)
        assert opt.lr == 0.01

    def test_negative_is_an_error(self):
        with pytest.raises(ValueError, match="learning_rate"):
            optimizers.SGD(-0.1)
        with pytest.raises(ValueError, match="learning_rate"):
            optimizers.Adam().learning_rate = -1.0
        opt = optimizers.SGD(lambda step: -0.1)
        with pytest.raises(ValueError, match="schedule"):
            opt.apply_gradients([(mg.tensor(1.0), mg.Variable(1.0))])

    def test_not_a_number(self):
        with pytest.raises(TypeError, match="learning_rate"):
            optimizers.SGD("fast")


# -- clipping -----------------------------------------------------------------------------
class TestClipping:
    def step(self, opt, grads):
        variables = [mg.Variable(np.zeros(np.shape(g)), dtype="float64") for g in grads]
        opt.apply_gradients(zip([mg.tensor(np.asarray(g, "float64")) for g in grads], variables))
        return [-v.numpy() for v in variables]  # lr 1: minus the (clipped) gradient

    def test_clipvalue(self):
        (g,) = self.step(optimizers.SGD(1.0, clipvalue=0.5), [[-2.0, 0.1, 3.0]])
        np.testing.assert_allclose(g, [-0.5, 0.1, 0.5])

    def test_clipnorm_per_gradient(self):
        a, b = self.step(optimizers.SGD(1.0, clipnorm=1.0), [[3.0, 4.0], [0.3, 0.4]])
        np.testing.assert_allclose(a, [0.6, 0.8])   # norm 5 -> 1
        np.testing.assert_allclose(b, [0.3, 0.4])   # norm 0.5: unchanged

    def test_global_clipnorm(self):
        a, b = self.step(optimizers.SGD(1.0, global_clipnorm=2.5), [[3.0, 4.0], [0.0, 0.0]])
        np.testing.assert_allclose(a, [1.5, 2.0])   # global norm 5 -> 2.5
        np.testing.assert_allclose(b, [0.0, 0.0])

    def test_at_most_one_clip_argument(self):
        # Keras 3 refuses any two of clipnorm, clipvalue and global_clipnorm (Keras 2 allowed
        # clipvalue with clipnorm); minigrad follows Keras 3
        for pair in ({"clipvalue": 1.0, "clipnorm": 1.0}, {"clipvalue": 1.0, "global_clipnorm": 1.0}):
            with pytest.raises(InvalidArgumentError, match="only one of `clipnorm`, `clipvalue`"):
                optimizers.SGD(1.0, **pair)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="only one of"):
            optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)
        with pytest.raises(ValueError, match="clipvalue"):
            optimizers.SGD(clipvalue=-1.0)
        with pytest.raises(ValueError, match="momentum"):
            optimizers.SGD(momentum=1.5)
        with pytest.raises(ValueError, match="beta_1"):
            optimizers.Adam(beta_1=1.0)
        with pytest.raises(ValueError, match="rho"):
            optimizers.RMSprop(rho=-0.1)
        with pytest.raises(ValueError, match="decay"):
            optimizers.SGD(decay=-1.0)


# -- apply_gradients / minimize behaviour ---------------------------------------------
class TestApplyGradients:
    def test_constraint_applied_after_update(self):
        v = mg.Variable([0.2, -0.3], dtype="float64", constraint=lambda x: mg.clip(x, -0.25, 0.25))
        optimizers.SGD(1.0).apply_gradients([(mg.tensor([-1.0, 0.01], dtype="float64"), v)])
        np.testing.assert_allclose(v.numpy(), [0.25, -0.25])

    def test_none_gradients_are_skipped_with_a_warning(self):
        a, b = mg.Variable(1.0), mg.Variable(2.0, name="unused")
        opt = optimizers.SGD(0.5)
        with pytest.warns(UserWarning, match="unused"):
            opt.apply_gradients(zip([mg.tensor(1.0), None], [a, b]))
        assert a.numpy() == pytest.approx(0.5)
        assert b.numpy() == 2.0
        assert int(opt.iterations) == 1

    def test_all_none_is_an_error(self):
        with pytest.raises(ValueError, match="No gradients provided"):
            optimizers.SGD().apply_gradients(zip([None, None], [mg.Variable(1.0), mg.Variable(2.0)]))

    def test_non_variable_is_an_error(self):
        with pytest.raises(TypeError, match="Variable"):
            optimizers.SGD().apply_gradients([(mg.tensor(1.0), mg.tensor(1.0))])
        with pytest.raises(TypeError, match="Variable"):
            optimizers.SGD().minimize(lambda: mg.tensor(1.0), [np.ones(2)])

    def test_integer_variable_is_an_error(self):
        with pytest.raises(TypeError, match="floating-point"):
            optimizers.SGD().apply_gradients([(mg.tensor(1), mg.Variable(1))])

    def test_gradient_shape_mismatch_is_an_error(self):
        v = mg.Variable(np.zeros((2, 3)), name="kernel")
        with pytest.raises(ValueError, match=r"kernel.*\(3, 2\).*\(2, 3\)"):
            optimizers.Adam().apply_gradients([(mg.tensor(np.zeros((3, 2))), v)])

    def test_bad_pairs_are_an_error(self):
        with pytest.raises(TypeError, match="pairs"):
            optimizers.SGD().apply_gradients([mg.Variable(1.0)])

    def test_numpy_gradients_are_accepted_and_cast(self):
        v = mg.Variable([1.0, 2.0])
        optimizers.SGD(0.5).apply_gradients([(np.array([2.0, 2.0]), v)])
        assert v.dtype == np.float32
        np.testing.assert_allclose(v.numpy(), [0.0, 1.0])

    def test_updates_are_not_in_place(self):
        v = mg.Variable([1.0, 2.0])
        before = v.value()
        for opt in (optimizers.SGD(0.1, momentum=0.9), optimizers.Adam(), optimizers.RMSprop(momentum=0.5)):
            opt.apply_gradients([(mg.tensor([1.0, 1.0]), v)])
            opt.apply_gradients([(mg.tensor([1.0, 1.0]), v)])
        np.testing.assert_array_equal(before.numpy(), [1.0, 2.0])
        assert not np.allclose(v.numpy(), [1.0, 2.0])

    def test_not_recorded_by_an_active_tape(self):
        v = mg.Variable([0.2, -0.3], constraint=lambda x: mg.clip(x, -1.0, 1.0))
        with mg.GradientTape() as tape:
            optimizers.Adam().apply_gradients([(mg.tensor([1.0, 1.0]), v)])
        assert tape.watched_variables() == ()

    def test_returns_and_counts_iterations(self):
        v = mg.Variable(1.0)
        opt = optimizers.SGD()
        assert int(opt.iterations) == 0
        result = opt.apply_gradients([(mg.tensor(1.0), v)])
        assert result is opt.iterations and int(result) == 1

    def test_slots_are_lazy_and_shaped_like_the_variable(self):
        v = mg.Variable(np.ones((2, 3)), dtype="float64", name="w")
        opt = optimizers.Adam()
        with pytest.raises(KeyError, match="first update"):
            opt.get_slot(v, "m")
        opt.apply_gradients([(mg.tensor(np.ones((2, 3))), v)])
        m = opt.get_slot(v, "m")
        assert m.shape == (2, 3) and m.dtype == np.float64 and not m.trainable
        assert len(opt.variables()) == 3  # iterations, m, v

    def test_weights_round_trip(self):
        v = mg.Variable([1.0, 2.0])
        opt = optimizers.Adam(0.1)
        opt.apply_gradients([(mg.tensor([1.0, -1.0]), v)])
        saved = opt.get_weights()
        opt.apply_gradients([(mg.tensor([1.0, -1.0]), v)])
        opt.set_weights(saved)
        assert int(opt.iterations) == 1
        np.testing.assert_allclose(opt.get_slot(v, "m").numpy(), saved[1])
        with pytest.raises(ValueError, match="state variables"):
            opt.set_weights(saved[:1])


class TestMinimize:
    def test_callable_var_list(self):
        v = mg.Variable(1.0)
        optimizers.SGD(0.1).minimize(half_square(v), lambda: [v])
        assert v.numpy() == pytest.approx(0.9)

    def test_tensor_loss_needs_its_tape(self):
        v = mg.Variable(1.0)
        with mg.GradientTape() as tape:
            loss = v * v / 2.0
        with pytest.raises(ValueError, match="tape"):
            optimizers.SGD(0.1).minimize(loss, [v])
        optimizers.SGD(0.1).minimize(loss, [v], tape=tape)
        assert v.numpy() == pytest.approx(0.9)

    def test_non_trainable_variables_in_var_list_are_watched(self):
        v = mg.Variable(1.0, trainable=False)
        optimizers.SGD(0.1).minimize(half_square(v), [v])
        assert v.numpy() == pytest.approx(0.9)


# -- config and lookup ------------------------------------------------------------------
def test_get_config_round_trip():
    for opt in (optimizers.SGD(0.2, momentum=0.5, nesterov=True, clipnorm=1.0),
                optimizers.Adam(0.003, beta_1=0.8, amsgrad=True, clipvalue=0.5),
                optimizers.RMSprop(0.01, rho=0.8, momentum=0.1, centered=True, global_clipnorm=2.0)):
        config = opt.get_config()
        clone = type(opt).from_config(config)
        assert clone.get_config() == config
    assert optimizers.SGD().get_config() == {
        "name": "SGD", "learning_rate": 0.01, "decay": 0.0, "momentum": 0.0, "nesterov": False}
    adam = optimizers.Adam().get_config()
    assert (adam["learning_rate"], adam["beta_1"], adam["beta_2"]) == (0.001, 0.9, 0.999)
    assert (adam["epsilon"], adam["amsgrad"]) == (1e-7, False)
    rms = optimizers.RMSprop().get_config()
    assert (rms["learning_rate"], rms["rho"], rms["momentum"], rms["epsilon"]) == (0.001, 0.9, 0.0, 1e-7)


def test_get():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    rebuilt = optimizers.get({"class_name": "Adam", "config": {"learning_rate": 0.5}})
    assert rebuilt.learning_rate == 0.5
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get("adamw2")
    with pytest.raises(TypeError):
        optimizers.get(3)


@pytest.fixture(params=["fake", pytest.param("real", marks=needs_cuda)])
def cuda(request):
    """'cuda' tensors: real CuPy ones where there is a GPU, NumPy ones in disguise elsewhere."""
    if request.param == "fake":
        request.getfixturevalue("fake_cuda")
    return "cuda"


def test_a_training_step_stays_on_the_variables_device(cuda):
    w = mg.Variable(np.ones((3, 2), "float32"), device=cuda, name="w")
    x = mg.tensor(np.arange(12, dtype="float32").reshape(4, 3) / 10, device=cuda)
    labels = np.array([0, 1, 1, 0])  # a NumPy array: the loss moves it to the predictions' device
    opt = optimizers.Adam(0.1, clipnorm=1.0)
    acc = metrics.SparseCategoricalAccuracy()
    with mg.GradientTape() as tape:
        logits = x @ w
        loss_fn = losses.SparseCategoricalCrossentropy(from_logits=True)
        loss = loss_fn(labels, logits, sample_weight=[1, 2, 1, 1])
    opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
    acc.update_state(labels, logits)
    assert w.device == cuda and opt.get_slot(w, "m").device == cuda and opt.get_slot(w, "v").device == cuda
    assert opt.iterations.device == "cpu"
    assert acc.total.device == cuda and acc.count.device == cuda  # the state follows the values
    # the first Adam step moves every weight by lr (times sign(g)), whatever the device
    np.testing.assert_allclose(np.abs(w.numpy() - 1.0), 0.1, rtol=1e-4)
    assert float(acc.result()) == 0.5  # all-equal logits: argmax 0 everywhere
    with pytest.raises(mg.errors.DeviceMismatchError, match="cpu but the variable is on cuda"):
        opt.apply_gradients([(mg.tensor(np.ones((3, 2), "float32")), w)])


# -- end to end -------------------------------------------------------------------------
def test_logistic_regression_separates_a_toy_problem():
    rng = np.random.default_rng(0)
    n = 64
    y = (np.arange(n) % 2).astype("float32")[:, None]
    x = rng.normal(0.0, 0.5, (n, 2)).astype("float32") + np.where(y > 0, 1.5, -1.5).astype("float32")
    w = mg.Variable(np.zeros((2, 1), "float32"), name="w")
    b = mg.Variable(np.zeros(1, "float32"), name="b")
    loss_fn = losses.BinaryCrossentropy(from_logits=True)
    opt = optimizers.SGD(0.5)
    xs, ys = mg.tensor(x), mg.tensor(y)
    first = None
    for _ in range(50):
        with mg.GradientTape() as tape:
            loss = loss_fn(ys, xs @ w + b)
        first = float(loss) if first is None else first
        opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
    acc = metrics.BinaryAccuracy(threshold=0.0)
    acc.update_state(ys, xs @ w + b)
    assert float(acc.result()) == 1.0
    assert float(loss) < 0.1 < first


# -- slots and devices --------------------------------------------------------------------------
SLOTTED = [
    pytest.param(lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), id="sgd"),
    pytest.param(lambda: optimizers.Adam(0.1, amsgrad=True), id="adam"),
    pytest.param(lambda: optimizers.RMSprop(0.1, momentum=0.5, centered=True), id="rmsprop"),
]
STEP_GRADS = [np.array(g, "float32") for g in ([0.5, -1.0, 2.0], [1.0, 1.0, -0.5], [-2.0, 0.25, 1.0])]


@pytest.mark.parametrize("make", SLOTTED)
def test_slots_follow_a_variable_that_moves_to_another_device(device, make):
    reference, ref_opt = mg.Variable(np.ones(3, "float32")), make()
    for g in STEP_GRADS:
        ref_opt.apply_gradients([(g, reference)])
    # the same three steps: the first on the CPU, then the variable moves to `device`
    w, opt = mg.Variable(np.ones(3, "float32"), device="cpu"), make()
    opt.apply_gradients([(STEP_GRADS[0], w)])
    w.move_to(device)
    for g in STEP_GRADS[1:]:
        opt.apply_gradients([(mg.tensor(g, device=device), w)])
    assert w.device == device
    np.testing.assert_allclose(w.numpy(), reference.numpy(), rtol=1e-6)
    for name in opt.get_slot_names():
        slot = opt.get_slot(w, name)
        assert slot.device == device, name
        np.testing.assert_allclose(slot.numpy(), ref_opt.get_slot(reference, name).numpy(), rtol=1e-6)


@pytest.mark.parametrize("make", SLOTTED)
def test_slots_are_made_on_the_variables_device_not_the_default_one(device, make):
    w, opt = mg.Variable(np.ones(3, "float32"), device="cpu"), make()
    with mg.device(device):  # the default device does not decide where a slot goes
        opt.apply_gradients([(STEP_GRADS[0], w)])
    assert w.device == "cpu"
    assert {opt.get_slot(w, name).device for name in opt.get_slot_names()} == {"cpu"}
    v, opt = mg.Variable(np.ones(3, "float32"), device=device), make()
    opt.apply_gradients([(mg.tensor(STEP_GRADS[0], device=device), v)])
    assert {opt.get_slot(v, name).device for name in opt.get_slot_names()} == {device}
    opt.set_weights(opt.get_weights())  # NumPy arrays back into slots on the device
    assert {opt.get_slot(v, name).device for name in opt.get_slot_names()} == {device}
