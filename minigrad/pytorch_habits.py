"""PyTorch habits: the PyTorch names a student reaches for, and the minigrad way of each.

``loss.backward()``, ``x.grad``, ``x.requires_grad``, ``optimizer.step()``, ``model.eval()``...
do not exist in minigrad, which works as TensorFlow/Keras does: a GradientTape records the
forward pass and *returns* the gradients, and training versus inference is the ``training``
argument of each call. Rather than a bare AttributeError, using one of these names raises
``PyTorchHabitError`` with the minigrad way in two lines::

    with mg.GradientTape() as tape: loss = loss_fn(y, model(x))
    grads = tape.gradient(loss, model.trainable_weights)

``PyTorchHabitError`` is an AttributeError, so code that probes for an attribute keeps
working: ``hasattr(x, "grad")`` is False and ``getattr(x, "grad", None)`` is None, as before.

``torch.no_grad`` has a true counterpart: ``minigrad.no_grad()`` is ``minigrad.no_recording()``
(no tape records anything inside the block; also usable as a decorator).

Each class names its PyTorch attributes in its body (``backward = PyTorchAttribute()``);
the table below holds every message, in one place.
"""

from __future__ import annotations

from minigrad.errors import PyTorchHabitError

# name: (why minigrad has no such thing, then the minigrad way in two lines of code)
_TRAINING_ARGUMENT = (
    "a minigrad model has no train/eval mode: training or inference is the `training` argument "
    "of each call (fit sets it to True, evaluate and predict to False)",
    "y = model(x, training=True)   # dropout on, batch statistics",
    "y = model(x, training=False)  # inference: moving statistics",
)
_WATCHING = (
    "minigrad has no requires_grad flag: a GradientTape differentiates what it watches, "
    "trainable Variables by itself and any other tensor after tape.watch(x)",
    "w = mg.Variable(w)  # trainable: every tape watches it",
    "with mg.GradientTape() as tape: tape.watch(x); y = f(w, x)",
)
MINIGRAD_WAY: dict[str, tuple[str, str, str]] = {
    "backward": (
        "minigrad has no backward(): a GradientTape records the forward pass and returns the gradients",
        "with mg.GradientTape() as tape: loss = loss_fn(y, model(x))",
        "grads = tape.gradient(loss, model.trainable_weights)",
    ),
    "grad": (
        "minigrad tensors hold no gradient: tape.gradient returns it",
        "with mg.GradientTape() as tape: tape.watch(x); y = f(x)",
        "dy_dx = tape.gradient(y, x)",
    ),
    "requires_grad": _WATCHING,
    "requires_grad_": _WATCHING,
    "zero_grad": (
        "there is nothing to zero: tape.gradient returns new gradients each time, they never "
        "accumulate",
        "with mg.GradientTape() as tape: loss = loss_fn(y, model(x))",
        "grads = tape.gradient(loss, model.trainable_weights)  # fresh at every step",
    ),
    "detach": (
        "minigrad's detach is stop_gradient: the tape treats its result as a constant",
        "y = mg.stop_gradient(x)  # same value, no gradient flows back through it",
        "with mg.no_grad(): y = f(x)  # or record nothing at all in a block",
    ),
    "step": (
        "a minigrad optimizer is handed the gradients",
        "grads = tape.gradient(loss, model.trainable_weights)",
        "optimizer.apply_gradients(zip(grads, model.trainable_weights))",
    ),
    "parameters": (
        "a minigrad layer lists its weights (Variables) in properties",
        "model.trainable_weights  # what an optimizer updates",
        "model.weights  # all of them, moving statistics included",
    ),
    "train": _TRAINING_ARGUMENT,
    "eval": _TRAINING_ARGUMENT,
}
_METHODS = {"backward", "requires_grad_", "zero_grad", "detach", "step", "parameters", "train", "eval"}


def habit_error(owner: str, name: str, assigned: bool = False) -> PyTorchHabitError:
    """The error for PyTorch name ``name`` used on an object of class ``owner``."""
    why, first, second = MINIGRAD_WAY[name]
    used = f"{owner}.{name}" + (" = ..." if assigned else "()" if name in _METHODS else "")
    return PyTorchHabitError(
        f"`{used}` is PyTorch; {why}. The minigrad way:\n    {first}\n    {second}\n"
        "(README, 'For Keras and PyTorch users', lists the other PyTorch habits.)"
    )


class PyTorchName:
    """A PyTorch name on a minigrad class: reading it raises ``PyTorchHabitError``.

    A non-data descriptor: an instance attribute of the same name (a subclass's
    ``self.step = 0``) or a subclass's own method still takes precedence.
    """

    name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        if name not in MINIGRAD_WAY:
            raise KeyError(f"no minigrad way is written for the PyTorch name {name!r}: "
                           "add it to MINIGRAD_WAY")
        self.name = name
        self.__doc__ = str(habit_error(owner.__name__, name))

    def __get__(self, obj, owner: type | None = None):
        if obj is None:  # on the class (help(), inspect): the descriptor itself, whose doc says why
            return self
        raise habit_error(type(obj).__name__, self.name)


class PyTorchAttribute(PyTorchName):
    """A PyTorch name that assignment refuses too (``x.requires_grad = True``, ``x.grad = None``)."""

    def __set__(self, obj, value) -> None:
        raise habit_error(type(obj).__name__, self.name, assigned=True)


__all__ = ["MINIGRAD_WAY", "PyTorchAttribute", "PyTorchName", "habit_error"]
