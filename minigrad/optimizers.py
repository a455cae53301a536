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

The machinery every optimizer shares (clipping, learning-rate schedules, slot
variables, ``apply_gradients`` and ``minimize``) is ``Optimizer``, in
``minigrad.optimizer_base``; this module holds the update rules above.
"""

from __future__ import annotations

import math
import re

from minigrad import backend, schedules  # noqa: F401  (minigrad.optimizers.schedules, as tf.keras)
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.optimizer_base import Optimizer, _as_variable_list
from minigrad.validation import check_bool, check_float, check_str
from minigrad.variable import Variable


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
        # The docstring's rule, each new value built in one fresh array and adopted by its
        # Variable: ``w - lr * g`` as written makes a second full-size temporary (measured: +8%
        # on the MLP step). The numbers are the same: ``g * -lr`` is exactly ``-(lr * g)``.
        if not slots:
            w = g * -lr
            w += var._data  # w <- w - lr * g
            var._adopt(w)
            return
        velocity = slots["momentum"]
        v = velocity._data * self.momentum
        v -= g * lr  # v <- momentum * v - lr * g
        velocity._adopt(v)
        if self.nesterov:
            w = v * self.momentum
            w -= g * lr
            w += var._data  # w <- w + momentum * v - lr * g
            var._adopt(w)
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
