"""Optimizers with the update rules and defaults of tf.keras (Keras 2, ``optimizer_v2``).

    opt = minigrad.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    with minigrad.GradientTape() as tape:
        loss = loss_fn(model(x), y)
    grads = tape.gradient(loss, weights)
    opt.apply_gradients(zip(grads, weights))       # or: opt.minimize(lambda: ..., weights)

Each step, for every variable ``w`` with gradient ``g`` (``t`` = step number, from 1):

    SGD       w <- w - lr * g                                     (momentum = 0)
              v <- momentum * v - lr * g ;  w <- w + v             (momentum > 0)
              v <- momentum * v - lr * g ;  w <- w + momentum * v - lr * g   (nesterov)
    Adam      m <- m + (g - m) * (1 - beta_1)
              v <- v + (g**2 - v) * (1 - beta_2)
              lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
              w <- w - lr_t * m / (sqrt(v) + epsilon)              (amsgrad: max of v so far)
    RMSprop   ms <- rho * ms + (1 - rho) * g**2
              (centered: mg <- rho * mg + (1 - rho) * g ;  ms - mg**2 replaces ms below)
              w <- w - lr * g / (sqrt(ms) + epsilon)              (momentum = 0)
              mom <- momentum * mom + lr * g / sqrt(ms + epsilon) ;  w <- w - mom

    AdamW     w <- w - lr * weight_decay * w ;  then the Adam step     (decoupled decay)
    Adagrad   acc <- acc + g**2  (acc starts at initial_accumulator_value)
              w <- w - lr * g / sqrt(acc + epsilon)

(RMSprop puts epsilon inside the square root when it has momentum and outside
when it has none: that is what Keras 2 does, so minigrad does it too. AdamW and
Adagrad follow Keras 3 and the tf-keras 2.11+ optimizers: Keras 2's legacy Adagrad
had epsilon outside the root, and Keras 2's legacy optimizers had no AdamW.)

Updates compute on the raw arrays of the variables' own device (NumPy or CuPy)
and store the results with ``Variable.assign``/``assign_add``/``assign_sub``,
never writing into an array a tape may hold. Nothing here is recorded on a
GradientTape, even when ``apply_gradients`` runs inside one. Slot variables
(momentum, m, v, ...) are created on the first update of each variable, on
that variable's device, with its dtype; a variable moved to another device
(``Variable.move_to``) takes its slots along on its next update.
"""

from __future__ import annotations

import inspect
import math
import numbers
import re
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
from minigrad.validation import check_bool, check_config, check_float, check_str
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


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as ``tf.keras.optimizers.SGD``.

    ``w <- w - lr * g``; with momentum, ``v <- momentum * v - lr * g`` and
    ``w <- w + v`` (Nesterov: ``w <- w + momentum * v - lr * g``).

    Args:
        learning_rate: float >= 0 or a schedule. Defaults to 0.01.
        momentum: float in [0, 1]. Defaults to 0.0 (plain gradient descent).
        nesterov: whether to use Nesterov momentum. Defaults to False.
        name: defaults to "SGD".
        **kwargs: clipnorm, clipvalue, global_clipnorm, decay (see ``Optimizer``).

    Raises:
        InvalidArgumentError: for a momentum outside [0, 1] or a bad learning rate (see
            ``Optimizer``).
        ArgumentTypeError: for a nesterov that is not a bool, or a string where a number belongs.
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 name: str = "SGD", **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.momentum = check_float("momentum", momentum, minimum=0, maximum=1, where="SGD")
        self.nesterov = check_bool("nesterov", nesterov, where="SGD")
        self._slot_names = ("momentum",) if self.momentum > 0 else ()

    def _update(self, var, g, lr, slots):
        w = var._data
        if not slots:
            var._adopt(w - lr * g)  # w <- w - lr * g
            return
        velocity = slots["momentum"]
        v = self.momentum * velocity._data - lr * g  # v <- momentum * v - lr * g
        velocity._adopt(v)
        if self.nesterov:
            var._adopt(w + (self.momentum * v - lr * g))  # w <- w + momentum * v - lr * g
        else:
            var.assign_add(v)  # w <- w + v

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam, exactly as Keras 2's ``tf.keras.optimizers.Adam`` (``optimizer_v2``).

    ``m <- m + (g - m)(1 - beta_1)``, ``v <- v + (g**2 - v)(1 - beta_2)``,
    ``w <- w - lr_t * m / (sqrt(v) + epsilon)`` with the bias correction folded
    into ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` (``t`` counts steps
    from 1). So ``epsilon`` is the paper's "epsilon hat": it is added before the
    correction, which makes a difference to PyTorch's Adam when ``v`` is tiny.
    With ``amsgrad=True``, ``vhat <- max(vhat, v)`` replaces ``v`` in the update.

    Args:
        learning_rate: float >= 0 or a schedule. Defaults to 0.001.
        beta_1: decay rate of the first-moment average. Defaults to 0.9.
        beta_2: decay rate of the second-moment average. Defaults to 0.999.
        epsilon: the "epsilon hat" above. Defaults to 1e-7.
        amsgrad: use the AMSGrad variant. Defaults to False.
        name: defaults to "Adam".
        **kwargs: clipnorm, clipvalue, global_clipnorm, decay (see ``Optimizer``).

    Raises:
        InvalidArgumentError: for betas outside [0, 1), a negative epsilon or a bad learning
            rate (see ``Optimizer``).
        ArgumentTypeError: for an amsgrad that is not a bool, or a string where a number belongs.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str = "Adam", **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.beta_1 = check_float("beta_1", beta_1, minimum=0, maximum=1, max_inclusive=False,
                                  where="Adam")
        self.beta_2 = check_float("beta_2", beta_2, minimum=0, maximum=1, max_inclusive=False,
                                  where="Adam")
        self.epsilon = check_float("epsilon", epsilon, minimum=0, where="Adam")
        self.amsgrad = check_bool("amsgrad", amsgrad, where="Adam")
        self._slot_names = ("m", "v", "vhat") if self.amsgrad else ("m", "v")

    def _update(self, var, g, lr, slots):
        t = int(self._iterations._data) + 1
        lr_t = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        m, v = slots["m"], slots["v"]
        m.assign_add((g - m._data) * (1.0 - self.beta_1))
        v.assign_add((g * g - v._data) * (1.0 - self.beta_2))
        second = v._data
        if self.amsgrad:
            vhat = slots["vhat"]
            vhat._adopt(backend.array_module(second).maximum(vhat._data, second))
            second = vhat._data
        xp = backend.array_module(second)
        var.assign_sub(m._data * lr_t / (xp.sqrt(second) + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class RMSprop(Optimizer):
    """RMSprop, exactly as Keras 2's ``tf.keras.optimizers.RMSprop``.

    ``ms <- rho * ms + (1 - rho) * g**2``; centered: ``mg <- rho * mg + (1 - rho) * g``
    and ``ms - mg**2`` (the variance) replaces ``ms`` below. Without momentum
    ``w <- w - lr * g / (sqrt(ms) + epsilon)``; with momentum
    ``mom <- momentum * mom + lr * g / sqrt(ms + epsilon)`` and ``w <- w - mom``.

    Args:
        learning_rate: float >= 0 or a schedule. Defaults to 0.001.
        rho: decay rate of the average of squared gradients. Defaults to 0.9.
        momentum: float in [0, 1]. Defaults to 0.0.
        epsilon: a small constant for numerical stability. Defaults to 1e-7.
        centered: divide by the estimated variance instead of the second moment.
            Defaults to False.
        name: defaults to "RMSprop".
        **kwargs: clipnorm, clipvalue, global_clipnorm, decay (see ``Optimizer``).

    Raises:
        InvalidArgumentError: for rho or momentum outside [0, 1], a negative epsilon or a bad
            learning rate (see ``Optimizer``).
        ArgumentTypeError: for a centered that is not a bool, or a string where a number belongs.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str = "RMSprop", **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.rho = check_float("rho", rho, minimum=0, maximum=1, where="RMSprop")
        self.momentum = check_float("momentum", momentum, minimum=0, maximum=1, where="RMSprop")
        self.epsilon = check_float("epsilon", epsilon, minimum=0, where="RMSprop")
        self.centered = check_bool("centered", centered, where="RMSprop")
        self._slot_names = ("rms",) + (("momentum",) if self.momentum > 0 else ()) + (
            ("mg",) if self.centered else ())

    def _update(self, var, g, lr, slots):
        xp = backend.array_module(g)
        rms = slots["rms"]
        rms._adopt(rms._data * self.rho + g * g * (1.0 - self.rho))
        denominator = rms._data
        if self.centered:
            mg = slots["mg"]
            mg._adopt(mg._data * self.rho + g * (1.0 - self.rho))
            denominator = denominator - mg._data * mg._data
        if self.momentum > 0:
            mom = slots["momentum"]
            mom._adopt(mom._data * self.momentum + g * lr / xp.sqrt(denominator + self.epsilon))
            var.assign_sub(mom._data)
        else:
            var.assign_sub(g * lr / (xp.sqrt(denominator) + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as Keras 3's ``AdamW``.

    Each step first shrinks every variable, ``w <- w - lr * weight_decay * w`` (with the
    step's learning rate, schedule included), then takes the Adam step of ``Adam`` with the
    gradient, which the decay does not enter: unlike an L2 penalty in the loss, the decay is
    not rescaled by Adam's ``1 / sqrt(v)``. Variables named in ``exclude_from_weight_decay``
    are not decayed (biases and normalization weights, typically).

    Args:
        learning_rate: float >= 0 or a schedule. Defaults to 0.001.
        weight_decay: the decay rate, a float >= 0. Defaults to 0.004 (Keras 3 and tf-keras).
        beta_1, beta_2, epsilon, amsgrad: as ``Adam`` (0.9, 0.999, 1e-7, False).
        name: defaults to "AdamW".
        **kwargs: clipnorm, clipvalue, global_clipnorm, decay (see ``Optimizer``).

    Raises:
        InvalidArgumentError: for a negative, NaN or infinite weight_decay, or a bad Adam
            argument (see ``Adam``).
        ArgumentTypeError: for a weight_decay that is not a number (None included: Keras
            raises too).
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 name: str = "AdamW", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name, **kwargs)
        self.weight_decay = check_float("weight_decay", weight_decay, minimum=0, where="AdamW")
        self._excluded_ids: set = set()
        self._excluded_pattern = None

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Leave some variables out of the weight decay (they still take the Adam step).

        Replaces any earlier exclusion. Unlike Keras, it may be called after steps were taken.

        Args:
            var_list: Variables to leave out.
            var_names: strings; a variable whose name contains any of them is left out
                (a plain substring test, e.g. ``["bias", "gamma", "beta"]``).

        Raises:
            ArgumentTypeError: for var_list entries that are not Variables, or var_names that
                are not strings (a single string is refused: pass a list).
        """
        where = "AdamW.exclude_from_weight_decay"
        variables = _as_variable_list(var_list) if var_list is not None else []
        if isinstance(var_names, str):
            raise ArgumentTypeError(
                f"{where}: `var_names` must be a list of strings, got the string {var_names!r}. "
                f"Pass var_names=[{var_names!r}]."
            )
        names = [check_str(f"var_names[{i}]", n, where=where)
                 for i, n in enumerate(var_names or [])]
        self._excluded_ids = {v._uid for v in variables}
        self._excluded_pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def _uses_weight_decay(self, var: Variable) -> bool:
        if var._uid in self._excluded_ids:
            return False
        return self._excluded_pattern is None or self._excluded_pattern.search(var.name or "") is None

    def _update(self, var, g, lr, slots):
        if self.weight_decay > 0 and self._uses_weight_decay(var):
            var.assign_sub(var._data * self.weight_decay * lr)  # Keras's order of the products
        super()._update(var, g, lr, slots)

    def get_config(self) -> dict:
        return {**super().get_config(), "weight_decay": self.weight_decay}


class Adagrad(Optimizer):
    """Adagrad, as Keras 3's (and tf-keras 2.11+'s) ``Adagrad``.

    ``acc <- acc + g**2`` and ``w <- w - lr * g / sqrt(acc + epsilon)``, where each
    variable's accumulator starts at ``initial_accumulator_value``: the step of a weight
    shrinks as its squared gradients add up.

    Args:
        learning_rate: float >= 0 or a schedule. Defaults to 0.001 (Keras notes that
            Adagrad tends to like larger ones; the paper's form uses 1.0).
        initial_accumulator_value: the accumulators' start, a float >= 0. Defaults to 0.1.
        epsilon: added under the square root, a float >= 0. Defaults to 1e-7.
        name: defaults to "Adagrad".
        **kwargs: clipnorm, clipvalue, global_clipnorm, decay (see ``Optimizer``).

    Raises:
        InvalidArgumentError: for a negative, NaN or infinite initial_accumulator_value or
            epsilon, or a bad learning rate (see ``Optimizer``).
        ArgumentTypeError: for a string (or None) where a number belongs.
    """

    _slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, name: str = "Adagrad", **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.initial_accumulator_value = check_float(
            "initial_accumulator_value", initial_accumulator_value, minimum=0, where="Adagrad")
        self.epsilon = check_float("epsilon", epsilon, minimum=0, where="Adagrad")

    def add_slot(self, var: Variable, slot_name: str) -> Variable:
        """As ``Optimizer.add_slot``, but a new accumulator starts at initial_accumulator_value."""
        new = slot_name not in self._slots.get(var._uid, {})
        slot = super().add_slot(var, slot_name)
        if new:
            slot._adopt(backend.array_module(slot._data).full_like(slot._data,
                                                                   self.initial_accumulator_value))
        return slot

    def _update(self, var, g, lr, slots):
        xp = backend.array_module(g)
        accumulator = slots["accumulator"]
        accumulator.assign_add(g * g)
        var.assign_sub(g * lr / xp.sqrt(accumulator._data + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adamw": AdamW, "adagrad": Adagrad}


def get(identifier) -> Optimizer:
    """An optimizer from a Keras name ("sgd", "adam", "rmsprop", "adamw", "adagrad"; any case), a
    ``{"class_name": ..., "config": {...}}`` dict, or an Optimizer (returned as is).

    Raises:
        InvalidArgumentError: for an unknown name.
        ArgumentTypeError: for anything else.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        cls = _lookup(identifier.get("class_name", ""))
        config = identifier.get("config", {})
        if not isinstance(config, dict):
            raise ArgumentTypeError(
                f"optimizers.get: the 'config' of {identifier!r} must be a dict of constructor "
                "arguments, e.g. {'learning_rate': 0.01}."
            )
        return cls.from_config(dict(config))
    if isinstance(identifier, str):
        return _lookup(identifier)()
    raise ArgumentTypeError(
        f"optimizers.get: cannot make an optimizer from {identifier!r}: pass a name like 'adam', "
        "a {'class_name': ..., 'config': ...} dict or an Optimizer."
    )


def _lookup(name: str) -> type:
    cls = _BY_NAME.get(name.lower()) if isinstance(name, str) else None
    if cls is None:
        raise InvalidArgumentError(
            f"optimizers.get: unknown optimizer {name!r}: use one of {sorted(_BY_NAME)}."
        )
    return cls


__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "AdamW", "Adagrad", "get"]
