"""PyTorch habits: each PyTorch name raises PyTorchHabitError showing the minigrad way (issue 14).

Every message names what was used (``Tensor.backward()``), says why minigrad has no such thing,
and shows two lines of minigrad; those two lines are executed here, so a message cannot drift
away from the API it teaches.
"""

from __future__ import annotations

import numpy as np
import pytest

import layers
import minigrad as mg
from minigrad.errors import MinigradError, PyTorchHabitError
from minigrad.pytorch_habits import MINIGRAD_WAY, PyTorchAttribute, PyTorchName


def _model():
    mg.random.seed(0)
    model = layers.Sequential([layers.Dense(1, input_shape=(2,))])
    model(mg.zeros((1, 2)))
    return model


OBJECTS = {
    "Tensor": lambda: mg.tensor([1.0, 2.0]),
    "Variable": lambda: mg.Variable([1.0, 2.0]),
    "SGD": lambda: mg.optimizers.SGD(0.1),
    "Adam": lambda: mg.optimizers.Adam(),
    "Sequential": _model,
    "Dense": lambda: layers.Dense(3),
}

# (class of the object, PyTorch name, how it is shown, a fragment of the reason, the two lines)
CASES = [
    ("Tensor", "backward", "backward()", "GradientTape records the forward pass",
     "with mg.GradientTape() as tape: loss = loss_fn(y, model(x))",
     "grads = tape.gradient(loss, model.trainable_weights)"),
    ("Variable", "backward", "backward()", "returns the gradients",
     "with mg.GradientTape() as tape: loss", "tape.gradient(loss, model.trainable_weights)"),
    ("Tensor", "grad", "grad", "tensors hold no gradient",
     "with mg.GradientTape() as tape: tape.watch(x); y = f(x)", "dy_dx = tape.gradient(y, x)"),
    ("Variable", "grad", "grad", "tape.gradient returns it",
     "tape.watch(x)", "dy_dx = tape.gradient(y, x)"),
    ("Tensor", "requires_grad", "requires_grad", "no requires_grad flag",
     "w = mg.Variable(w)", "with mg.GradientTape() as tape: tape.watch(x); y = f(w, x)"),
    ("Tensor", "requires_grad_", "requires_grad_()", "trainable Variables by itself",
     "w = mg.Variable(w)", "tape.watch(x)"),
    ("Variable", "requires_grad_", "requires_grad_()", "differentiates what it watches",
     "w = mg.Variable(w)", "tape.watch(x)"),
    ("Tensor", "zero_grad", "zero_grad()", "nothing to zero",
     "with mg.GradientTape() as tape: loss", "grads = tape.gradient(loss, model.trainable_weights)"),
    ("Tensor", "detach", "detach()", "stop_gradient",
     "y = mg.stop_gradient(x)", "with mg.no_grad(): y = f(x)"),
    ("SGD", "step", "step()", "optimizer is handed the gradients",
     "grads = tape.gradient(loss, model.trainable_weights)",
     "optimizer.apply_gradients(zip(grads, model.trainable_weights))"),
    ("Adam", "zero_grad", "zero_grad()", "never accumulate",
     "with mg.GradientTape() as tape", "tape.gradient(loss, model.trainable_weights)"),
    ("Sequential", "parameters", "parameters()", "lists its weights",
     "model.trainable_weights", "model.weights"),
    ("Dense", "parameters", "parameters()", "lists its weights",
     "model.trainable_weights", "model.weights"),
    ("Sequential", "train", "train()", "no train/eval mode",
     "y = model(x, training=True)", "y = model(x, training=False)"),
    ("Sequential", "eval", "eval()", "`training` argument of each call",
     "y = model(x, training=True)", "y = model(x, training=False)"),
    ("Sequential", "zero_grad", "zero_grad()", "nothing to zero",
     "with mg.GradientTape() as tape", "tape.gradient(loss, model.trainable_weights)"),
]


@pytest.mark.parametrize("owner, name, shown, why, first, second", CASES,
                         ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_each_pytorch_name_raises_with_the_minigrad_way(owner, name, shown, why, first, second):
    obj = OBJECTS[owner]()
    with pytest.raises(PyTorchHabitError) as info:
        getattr(obj, name)
    message = str(info.value)
    assert message.startswith(f"`{owner}.{shown}` is PyTorch; ")
    assert why in message
    lines = message.splitlines()
    assert first in lines[1] and second in lines[2], message  # the two lines, in order
    assert lines[1].startswith("    ") and lines[2].startswith("    ")
    assert isinstance(info.value, AttributeError) and isinstance(info.value, MinigradError)


def test_calling_the_method_raises_before_the_call():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(PyTorchHabitError, match=r"`Tensor.backward\(\)` is PyTorch"):
        (x * x).sum().backward()
    with pytest.raises(PyTorchHabitError, match=r"optimizer.apply_gradients\(zip\(grads"):
        mg.optimizers.SGD(0.1).step()
    with pytest.raises(PyTorchHabitError, match=r"training=False"):
        _model().eval()


@pytest.mark.parametrize("name, value", [("requires_grad", True), ("grad", None)])
def test_assigning_a_pytorch_attribute_of_a_tensor_raises_too(name, value):
    for obj in (mg.tensor([1.0]), mg.Variable([1.0])):
        with pytest.raises(PyTorchHabitError, match=rf"`{type(obj).__name__}.{name} = \.\.\.` is PyTorch"):
            setattr(obj, name, value)


def test_attribute_probes_keep_working():
    # an AttributeError: generic code that probes for torch-like objects is not broken
    x, opt, model = mg.tensor([1.0]), mg.optimizers.SGD(0.1), _model()
    assert not hasattr(x, "grad") and not hasattr(x, "backward") and not hasattr(x, "requires_grad")
    assert getattr(x, "grad", None) is None
    assert not hasattr(opt, "step") and not hasattr(model, "parameters") and not hasattr(model, "eval")
    assert getattr(model, "train", "absent") == "absent"


def test_subclasses_may_use_the_names_for_their_own_things():
    class CountingSGD(mg.optimizers.SGD):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.step = 0  # an instance attribute wins over the non-data descriptor

    class Residual(layers.Layer):
        def __init__(self):
            super().__init__()
            self.train = "a flag of this layer's own"

        def eval(self):  # a method of the subclass wins too
            return "evaluated"

    assert CountingSGD(learning_rate=0.1).step == 0
    block = Residual()
    assert block.train == "a flag of this layer's own" and block.eval() == "evaluated"


def test_the_class_attribute_documents_itself():
    assert isinstance(mg.Tensor.__dict__["backward"], PyTorchAttribute)
    assert isinstance(mg.optimizers.Optimizer.__dict__["step"], PyTorchName)
    assert "tape.gradient(loss, model.trainable_weights)" in mg.Tensor.backward.__doc__
    assert "`Layer.train()` is PyTorch" in layers.Layer.train.__doc__


def test_a_name_without_a_message_is_refused_when_the_class_is_made():
    with pytest.raises((KeyError, RuntimeError)) as info:  # Python 3.11 wraps it in a RuntimeError
        type("Custom", (), {"cuda": PyTorchName()})
    error = info.value if isinstance(info.value, KeyError) else info.value.__cause__
    assert isinstance(error, KeyError)
    assert "no minigrad way is written for the PyTorch name 'cuda'" in str(error)


@pytest.mark.parametrize("name", sorted(MINIGRAD_WAY))
def test_the_two_lines_of_each_message_run(name):
    # a tiny world holding every name the lines use: model, x, y, loss_fn, f, w, optimizer, tape
    model = _model()
    x, y = mg.tensor([[1.0, 2.0], [3.0, -1.0]]), mg.tensor([[1.0], [0.0]])
    mse = mg.losses.MeanSquaredError()

    def loss_fn(y_true, y_pred):  # Keras's order: the targets first
        assert y_true is y, "the lines call loss_fn(y_pred, y_true): Keras's order is (y_true, y_pred)"
        return mse(y_true, y_pred)

    world = {"mg": mg, "model": model, "x": x, "y": y, "loss_fn": loss_fn,
             "f": lambda *args: sum((a * a).sum() for a in args), "w": mg.Variable([0.5, -0.5]),
             "optimizer": mg.optimizers.SGD(0.1)}
    with mg.GradientTape() as tape:
        world["loss"] = loss_fn(y, model(x))
    world["tape"] = tape
    _, first, second = MINIGRAD_WAY[name]
    before = [w.numpy() for w in model.trainable_weights]
    exec(compile(first + "\n" + second, f"<minigrad way of {name}>", "exec"), world)
    if name in ("backward", "zero_grad", "step"):
        assert len(world["grads"]) == 2 and all(g is not None for g in world["grads"])
    if name == "grad":
        np.testing.assert_allclose(world["dy_dx"].numpy(), [[2.0, 4.0], [6.0, -2.0]])
    if name == "step":  # the optimizer really moved the weights
        assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))


# -- no_grad: torch.no_grad's name for no_recording ---------------------------------------------
def test_no_grad_is_no_recording():
    assert mg.no_grad is mg.no_recording


def test_no_grad_pauses_the_tapes_recording_around_it():
    x = mg.tensor([1.0, 2.0])
    with mg.GradientTape() as tape:
        tape.watch(x)
        loss = (x * x).sum()
        with mg.no_grad():
            extra = (3.0 * x).sum()  # not recorded: a constant to the tape
        total = loss + extra
    # d(x.x)/dx = 2x; the 3x term is invisible (with it the gradient would be 2x + 3)
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), [2.0, 4.0])


def test_a_tape_opened_inside_no_grad_records():
    # no_grad pauses the tapes that are recording when it starts, as tf's stop_recording does;
    # a tape opened inside the block is a new, explicit request to record
    x = mg.tensor([1.0, 2.0])
    with mg.no_grad():
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = (x * x * x).sum()
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0, 12.0])


def test_no_grad_works_as_a_decorator():
    w = mg.Variable([2.0])

    @mg.no_grad()
    def evaluate(v):
        return (v * v).sum()

    with mg.GradientTape() as tape:
        loss = (w * 5.0).sum() + evaluate(w)
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), [5.0])
