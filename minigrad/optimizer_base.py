"""The Optimizer base class: learning rate and its schedule, gradient clipping, slots, steps.

Each optimizer of ``minigrad.optimizers`` (where the update rules are, and where this class
is re-exported) only writes ``_update(var, grad, lr, slots)``; the rest of a step happens here:
``apply_gradients`` checks each (gradient, variable) pair, clips, reads the learning rate,
makes the slot variables and counts the step. Updates compute on the raw arrays of the
variables' own device (NumPy or CuPy) and store the results with ``Variable.assign``/
``assign_add``/``assign_sub``, never writing into an array a tape may hold. Nothing here is
recorded on a GradientTape, even when ``apply_gradients`` runs inside one. Slot variables
(momentum, m, v, ...) are created on the first update of each variable, on that variable's
device, with its dtype; a variable moved to another device (``Variable.move_to``) takes its
slots along on its next update.
"""

from __future__ import annotations

import inspect
import math
import numbers
import warnings
from collections.abc import Callable

from minigrad import backend, schedules
from minigrad.errors import (
    ArgumentTypeError,
    DeviceMismatchError,
    InvalidArgumentError,
    UnsupportedDtypeError,
)
from minigrad.pytorch_habits import PyTorchName
from minigrad.tape import GradientTape, no_recording
from minigrad.tensor import Tensor
from minigrad.validation import check_config, check_float, check_str
from minigrad.variable import Variable


def _check_clipping(where: str, clips: dict) -> dict:
    """Each clip argument None or a finite number > 0, and at most one of them set (as Keras 3)."""
    clips = {k: check_float(k, v, minimum=0, min_inclusive=False, allow_none=True, where=where)
             for k, v in clips.items()}
    given = {k: v for k, v in clips.items() if v is not None}
    if len(given) > 1:
        raise InvalidArgumentError(
            f"{where}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set, got "
            + ", ".join(f"{k}={v}" for k, v in given.items())
            + ". Keep one: clip each gradient's norm (clipnorm), each element (clipvalue) or "
            "the norm of all gradients together (global_clipnorm)."
        )
    return clips


class Optimizer:
    """Base class of the optimizers: gradient clipping, learning rate, slots, steps.

    A subclass sets ``_slot_names`` (the slot variables each weight gets) and
    implements ``_update(var, grad, lr, slots)`` on raw arrays.

    Args:
        learning_rate: a float >= 0, or a callable giving the learning rate: a
            schedule taking the step number (``iterations``, from 0), such as
            ``minigrad.optimizers.schedules.ExponentialDecay``, or a function of no
            arguments. The ``learning_rate`` attribute reads the value the next step
            uses (as Keras 3).
        name: a name for the optimizer and the prefix of its slot variables (None: the
            class name).
        clipnorm: if set, each gradient ``g`` is rescaled to
            ``g * clipnorm / max(||g||, clipnorm)`` (its L2 norm is at most clipnorm).
        clipvalue: if set, each gradient is clipped elementwise to ``[-clipvalue, clipvalue]``.
        global_clipnorm: if set, all gradients are rescaled together so that their
            joint L2 norm is at most this (``tf.clip_by_global_norm``).
            At most one of clipnorm, clipvalue and global_clipnorm may be set, each a
            finite number > 0: Keras 3's rule (Keras 2 also allowed clipvalue with clipnorm).
        decay: Keras 2's inverse-time decay: the learning rate of step ``k`` is
            ``lr / (1 + decay * k)``.

    Raises:
        ArgumentTypeError: for a learning rate that is neither a number nor a callable, a
            string or None where a number belongs, a name that is not a string.
        InvalidArgumentError: for a negative, NaN or infinite learning rate or decay, a clip
            argument that is not > 0, more than one clip argument (Keras 3 raises too), or
            a keyword argument the optimizer does not take (Keras 2's ``lr`` included).
    """

    _slot_names: tuple = ()
    step = PyTorchName()  # PyTorch's names: each raises PyTorchHabitError with the minigrad way
    zero_grad = PyTorchName()

    def __init__(self, learning_rate=0.001, name: str = "Optimizer", clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 decay: float = 0.0, **kwargs):
        where = type(self).__name__
        if kwargs:  # Keras 3 raises ValueError too; Python's own TypeError would not name the fix
            hint = " (Keras 2's `lr` is `learning_rate` here)" if "lr" in kwargs else ""
            raise InvalidArgumentError(
                f"{where}: argument(s) not recognized: {kwargs}{hint}. Use the arguments "
                f"{', '.join(_argument_names(type(self)))}."
            )
        self.name = check_str("name", name, allow_none=True, where=where) or where
        clips = _check_clipping(where, {"clipnorm": clipnorm, "clipvalue": clipvalue,
                                        "global_clipnorm": global_clipnorm})
        self.learning_rate = learning_rate
        self.clipnorm = clips["clipnorm"]
        self.clipvalue = clips["clipvalue"]
        self.global_clipnorm = clips["global_clipnorm"]
        self.decay = check_float("decay", decay, minimum=0, where=where)
        self._iterations = Variable(0, trainable=False, name=f"{name}/iter", dtype="int64", device="cpu")
        self._slots: dict[int, dict[str, Variable]] = {}
        self._weights: list[Variable] = [self._iterations]

    # -- hyperparameters ------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step: the float given, or the schedule's value at
        ``iterations`` (without Keras 2's ``decay``; ``current_learning_rate`` applies it).

        Setting it to a number replaces a float learning rate; setting it to a callable
        replaces the schedule. An optimizer built with a schedule refuses a number (as Keras
        3): the schedule would be lost silently.

        Raises:
            InvalidArgumentError: if a schedule returns a negative, NaN or infinite learning rate.
            ArgumentTypeError: if it returns something that is not a number; when set, for a
                value that is neither a number nor a callable, or a number on an optimizer
                built with a schedule.
        """
        lr = self._learning_rate
        if not callable(lr):
            return lr
        step = int(self._iterations._data)
        lr = lr(step) if _takes_an_argument(lr) else lr()
        return check_float(f"learning_rate (the schedule's value at step {step})",
                           lr.item() if isinstance(lr, Tensor) else lr, minimum=0,
                           where=type(self).__name__)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, Tensor) and value.size == 1:
            value = value.item()
        if not callable(value):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ArgumentTypeError(
                    f"{type(self).__name__}: `learning_rate` must be a number >= 0 or a callable "
                    f"schedule, got {value!r} of type {type(value).__name__}. Pass e.g. "
                    "learning_rate=0.01, or a function of the step number."
                )
            value = check_float("learning_rate", value, minimum=0, where=type(self).__name__)
            if callable(getattr(self, "_learning_rate", None)):
                raise ArgumentTypeError(
                    f"{type(self).__name__}: this optimizer was built with a schedule as its "
                    f"`learning_rate` ({self._learning_rate!r}), so it cannot be set to the number "
                    f"{value!r}: the schedule would be lost. Build the optimizer with a float "
                    "learning_rate to change it by hand or with ReduceLROnPlateau / "
                    "LearningRateScheduler, or assign a new schedule."
                )
        self._learning_rate = value

    lr = learning_rate

    @property
    def iterations(self) -> Variable:
        """The number of steps taken so far (an int64 Variable on the CPU)."""
        return self._iterations

    def current_learning_rate(self) -> float:
        """The learning rate the next step will use (schedule and decay applied).

        Raises:
            InvalidArgumentError: if a schedule returns a negative, NaN or infinite learning rate.
            ArgumentTypeError: if it returns something that is not a number.
        """
        lr = self.learning_rate
        if self.decay > 0:
            lr = lr / (1.0 + self.decay * int(self._iterations._data))
        return lr

    # -- slot variables -------------------------------------------------------------
    def add_slot(self, var: Variable, slot_name: str) -> Variable:
        """The slot ``slot_name`` of ``var``: zeros like ``var``, on ``var``'s device.

        The slot is made on first use. If ``var`` has moved to another device since
        (``Variable.move_to``), the slot moves after it, keeping its value.

        Args:
            var: the variable the slot belongs to.
            slot_name: e.g. "momentum", "m", "v".

        Returns:
            The slot Variable.
        """
        slots = self._slots.setdefault(var._uid, {})
        slot = slots.get(slot_name)
        if slot is None:
            zeros = backend.array_module(var._data).zeros_like(var._data)
            slot = Variable(zeros, trainable=False, name=f"{var.name}/{self.name}/{slot_name}",
                            device=var.device)
            slots[slot_name] = slot
            self._weights.append(slot)
        elif slot.device != var.device:
            slot.move_to(var.device)
        return slot

    def get_slot(self, var: Variable, slot_name: str) -> Variable:
        """The slot variable ``slot_name`` of ``var``.

        Raises:
            KeyError: if ``var`` has no such slot (yet): slots appear on its first update.
        """
        try:
            return self._slots[var._uid][slot_name]
        except KeyError:
            raise KeyError(
                f"variable {var.name!r} has no slot {slot_name!r} in {self.name}: slots are made "
                f"on a variable's first update; this optimizer's slots are {list(self._slot_names)}."
            ) from None

    def get_slot_names(self) -> list:
        """The names of the slots this optimizer keeps for each variable."""
        return list(self._slot_names)

    def variables(self) -> list:
        """The optimizer's state: ``iterations`` first, then the slots in creation order."""
        return list(self._weights)

    @property
    def weights(self) -> list:
        """The optimizer's state Variables (iterations, then the slots), as ``variables()``."""
        return self.variables()

    def get_weights(self) -> list:
        """The state as NumPy arrays (see ``variables``)."""
        return [w.numpy() for w in self._weights]

    def set_weights(self, weights) -> None:
        """Restore the state from ``get_weights`` of an optimizer with the same slots.

        Raises:
            InvalidArgumentError: if the number of arrays or a shape does not match.
        """
        weights = list(weights)
        if len(weights) != len(self._weights):
            raise InvalidArgumentError(
                f"{self.name} has {len(self._weights)} state variables (iterations and slots) but "
                f"got {len(weights)} arrays: take one step first so that the slots exist."
            )
        for var, value in zip(self._weights, weights):
            var.assign(value)

    # -- taking a step --------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name: str | None = None) -> Variable:
        """Update each variable with its gradient, then apply its ``constraint``.

        Args:
            grads_and_vars: an iterable (e.g. a ``zip``) of ``(gradient, variable)``;
                a None gradient skips its variable (with a warning).
            name: unused (Keras compatibility).

        Returns:
            ``iterations``, increased by one.

        Raises:
            ArgumentTypeError: if a variable is not a minigrad.Variable or not floating point.
            InvalidArgumentError: if every gradient is None, or a gradient's shape differs from
                its variable's.
            DeviceMismatchError: if a gradient is on another device than its variable.
        """
        pairs = [self._check_pair(pair) for pair in
                 _as_list("grads_and_vars", grads_and_vars, "apply_gradients", "zip(grads, variables)")]
        present = [(g, v) for g, v in pairs if g is not None]
        if not present:
            names = [v.name for _, v in pairs]
            raise InvalidArgumentError(
                f"No gradients provided for any variable: {names}. The loss does not depend on "
                "them: check that the loss is computed from the variables inside the "
                "GradientTape, and that they are trainable (or watched)."
            )
        if len(present) < len(pairs):
            missing = [v.name for g, v in pairs if g is None]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss: "
                "they are left unchanged.", stacklevel=2,
            )
        variables = [v for _, v in present]
        grads = self._clip([_gradient_array(g, v) for g, v in present])
        lr = self.current_learning_rate()
        with no_recording():  # an optimizer step is never part of a gradient
            for g, var in zip(grads, variables):
                slots = {s: self.add_slot(var, s) for s in self._slot_names}
                self._update(var, g, lr, slots)
                if var.constraint is not None:
                    var.assign(var.constraint(var))
        self._iterations.assign_add(1)
        return self._iterations

    def minimize(self, loss, var_list, grad_loss=None, name: str | None = None,
                 tape: GradientTape | None = None) -> Variable:
        """Compute the gradients of ``loss`` on a GradientTape and apply them.

        Args:
            loss: a function of no arguments returning the loss (a Tensor); or the
                loss Tensor itself, with the ``tape`` that recorded it.
            var_list: the Variables to update, or a function of no arguments
                returning them (called after ``loss``, so that layers built by
                the first call of ``loss`` can report their weights).
            grad_loss: optional ``d(objective)/d(loss)`` (as ``output_gradients``).
            name: unused (Keras compatibility).
            tape: the tape that recorded ``loss`` when ``loss`` is a Tensor.

        Returns:
            ``iterations``, increased by one.

        Raises:
            InvalidArgumentError: for a Tensor loss without its tape.
        """
        if not callable(loss):
            if tape is None:
                raise InvalidArgumentError(
                    "minimize got a loss Tensor without the tape that recorded it: pass "
                    "tape=..., or pass the loss as a function of no arguments (lambda: ...)."
                )
            variables = var_list() if callable(var_list) else var_list
        else:
            tape = GradientTape() if tape is None else tape
            with tape:
                if not callable(var_list):
                    tape.watch(_as_variable_list(var_list))
                loss = loss()
                variables = var_list() if callable(var_list) else var_list
        variables = _as_variable_list(variables)
        grads = tape.gradient(loss, variables, output_gradients=grad_loss)
        return self.apply_gradients(zip(grads, variables))

    def _update(self, var: Variable, grad, lr: float, slots: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update(var, grad, lr, slots).")

    # -- helpers ----------------------------------------------------------------------
    @staticmethod
    def _check_pair(pair) -> tuple:
        try:
            g, v = pair
        except (TypeError, ValueError):
            raise ArgumentTypeError(
                f"apply_gradients takes (gradient, variable) pairs, e.g. zip(grads, variables); got {pair!r}."
            ) from None
        if not isinstance(v, Variable):
            raise ArgumentTypeError(
                f"an optimizer updates minigrad.Variable objects, got a {type(v).__name__} "
                f"({v!r:.60}). Keep weights in Variables: minigrad.Variable(initial_value)."
            )
        if v.dtype.kind != "f":
            raise ArgumentTypeError(
                f"variable {v.name!r} has dtype {v.dtype}: optimizers update floating-point "
                "variables only. Make it with dtype='float32'."
            )
        return g, v

    def _clip(self, grads: list) -> list:
        """Clip by the one clip argument set (``__init__`` allows at most one, as Keras 3)."""
        if self.clipvalue is not None:
            c = self.clipvalue
            grads = [backend.array_module(g).clip(g, -c, c).astype(g.dtype, copy=False) for g in grads]
        if self.clipnorm is not None:
            grads = [g * _norm_scale(_l2(g), self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            total = math.sqrt(sum(_l2(g) ** 2 for g in grads))
            scale = _norm_scale(total, self.global_clipnorm)
            grads = [g * scale for g in grads]
        return grads

    def get_config(self) -> dict:
        """The constructor arguments, so that ``type(opt).from_config(config)`` rebuilds it.

        A ``LearningRateSchedule`` is stored as ``schedules.serialize`` gives it (a dict);
        another callable as itself.
        """
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        config = {"name": self.name, "learning_rate": lr, "decay": self.decay}
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Optimizer:
        """The optimizer ``get_config`` described (a schedule dict is deserialized).

        Args:
            config: ``get_config``'s dict.
            custom_objects: ``{name: class}`` for your own LearningRateSchedule subclasses.
        """
        config = check_config(config, where=f"{cls.__name__}.from_config")
        if isinstance(config.get("learning_rate"), dict):
            config = {**config, "learning_rate": schedules.deserialize(config["learning_rate"],
                                                                       custom_objects)}
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self._learning_rate!r}>"


def _argument_names(cls: type) -> list:
    """The named constructor arguments of ``cls`` and of the Optimizer classes it extends."""
    names = []
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and issubclass(klass, Optimizer):
            for p in inspect.signature(klass.__init__).parameters.values():
                if p.name != "self" and p.kind is p.POSITIONAL_OR_KEYWORD and p.name not in names:
                    names.append(p.name)
    return names


def _takes_an_argument(fn: Callable) -> bool:
    """True for a schedule ``lr(step)``, False for a function of no arguments."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # no signature to read: assume a schedule
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                  inspect.Parameter.VAR_POSITIONAL)
    return any(p.kind in positional for p in params)


def _gradient_array(g, var: Variable):
    """The gradient of ``var`` as a raw array of its shape, dtype and device."""
    if isinstance(g, Tensor):
        g = g._data
    elif not backend.is_array(g) or backend.device_of(g) == "cpu":  # host data: to var's device
        try:
            g = backend.as_array(g, var.dtype, var.device)
        except UnsupportedDtypeError:
            raise ArgumentTypeError(
                f"the gradient of variable {var.name!r} is a {type(g).__name__}: pass a Tensor or an array."
            ) from None
    if backend.device_of(g) != var.device:
        raise DeviceMismatchError(
            f"the gradient of variable {var.name!r} is on {backend.device_of(g)} but the variable is "
            f"on {var.device}: compute the loss on the variable's device, or move the gradient "
            f"with .to({var.device!r})."
        )
    if g.shape != var.shape:
        raise InvalidArgumentError(
            f"the gradient of variable {var.name!r} has shape {g.shape} but the variable has shape "
            f"{var.shape}: pair each gradient with its own variable, in the same order "
            "(zip(tape.gradient(loss, variables), variables))."
        )
    return g.astype(var.dtype, copy=False)


def _l2(g) -> float:
    return float(backend.array_module(g).sqrt((g.astype("float64") ** 2).sum()))


def _norm_scale(norm: float, limit: float) -> float:
    """``limit / max(norm, limit)``: 1 when the norm is within the limit."""
    return limit / max(norm, limit) if limit > 0 else 0.0


def _as_list(name: str, items, where: str, example: str) -> list:
    """``items`` (an iterable that is not a string) as a list."""
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ArgumentTypeError(
            f"{where}: `{name}` must be a list or another iterable, got {items!r:.60} of type "
            f"{type(items).__name__}. Pass e.g. {example}."
        )
    return list(items)


def _as_variable_list(var_list) -> list:
    if isinstance(var_list, Variable):
        return [var_list]
    if isinstance(var_list, dict):
        var_list = list(var_list.values())
    var_list = _as_list("var_list", var_list, "minimize", "[w, b] or model.trainable_variables")
    for v in var_list:
        if not isinstance(v, Variable):
            raise ArgumentTypeError(
                f"var_list must hold minigrad.Variable objects, got a {type(v).__name__}: an "
                "optimizer can only change Variables."
            )
    return var_list


# Its public home is minigrad.optimizers (as tf.keras.optimizers.Optimizer): saved models
# and reprs name that module, as they did before the base class had a file of its own.
Optimizer.__module__ = "minigrad.optimizers"
