"""Learning-rate schedules: the learning rate as a function of the optimizer's step (Keras 3's).

    lr = minigrad.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    opt = minigrad.optimizers.SGD(learning_rate=lr)   # step k uses lr(k), k = opt.iterations

An optimizer calls its schedule with ``iterations`` (the number of steps taken, from 0) before
each step, so the first step uses ``schedule(0)``; ``opt.learning_rate`` reads the value the next
step will use. Each schedule is, for step ``s``:

    ExponentialDecay        lr0 * rate ** (s / decay_steps)        (staircase: floor(s / decay_steps))
    PiecewiseConstantDecay  values[i] for boundaries[i-1] < s <= boundaries[i]
                            (values[0] for s <= boundaries[0], values[-1] for s > boundaries[-1])
    CosineDecay             warmup (s < warmup_steps, only with warmup_target):
                                lr0 + (warmup_target - lr0) * s / warmup_steps
                            then, d = min(s - warmup_steps, decay_steps), top = warmup_target or lr0:
                                top * ((1 - alpha) * (1 + cos(pi * d / decay_steps)) / 2 + alpha)

Values are Python floats computed in float64. ``get_config``/``from_config`` round-trip a
schedule, and ``serialize``/``deserialize`` turn it into ``{"class_name", "config"}`` and back
(the form an optimizer's ``get_config`` holds).
"""

from __future__ import annotations

import bisect
import math
import numbers

from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.tensor import Tensor
from minigrad.validation import check_bool, check_float, check_str


class LearningRateSchedule:
    """Base class of learning-rate schedules: ``schedule(step)`` gives the learning rate.

    Subclass it and implement ``__call__(self, step)`` (and ``get_config`` to serialize it);
    an instance can be passed as any optimizer's ``learning_rate``.
    """

    def __call__(self, step) -> float:
        raise NotImplementedError(
            f"Learning rate schedule {type(self).__name__!r} must override `__call__(self, step)`."
        )

    def get_config(self) -> dict:
        """The constructor arguments, so that ``from_config`` rebuilds the schedule."""
        raise NotImplementedError(
            f"Learning rate schedule {type(self).__name__!r} must override `get_config()` in "
            "order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        """A schedule made from ``get_config``'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


def _step_value(step, where: str) -> float:
    """The step as a float >= 0: an int, a NumPy scalar or a one-element Tensor (``iterations``)."""
    if isinstance(step, Tensor):
        step = step.item()
    return check_float("step", step, minimum=0, where=where)


def _learning_rate(name: str, value, where: str) -> float:
    return check_float(name, value, minimum=0, where=where)


def _number(name: str, value, where: str, **bounds):
    """``value`` checked by ``check_float`` (``bounds``: its ``minimum``, ``min_inclusive``),
    an int kept an int: ``decay_steps=1000`` stays 1000 in ``get_config``."""
    checked = check_float(name, value, where=where, **bounds)
    return int(value) if isinstance(value, numbers.Integral) else checked


def _decay_steps(value, where: str):
    """A number > 0 (Keras documents an int; a float works there too)."""
    return _number("decay_steps", value, where, minimum=0, min_inclusive=False)


class ExponentialDecay(LearningRateSchedule):
    """Exponential decay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``: the rate drops by
    ``decay_rate`` every ``decay_steps`` steps.

    Args:
        initial_learning_rate: the learning rate at step 0, a float >= 0.
        decay_steps: the number of steps over which the rate is multiplied by ``decay_rate``;
            > 0.
        decay_rate: the factor per ``decay_steps`` steps, a float >= 0.
        staircase: decay at discrete intervals. Defaults to False.
        name: defaults to "ExponentialDecay".

    Raises:
        InvalidArgumentError: for a negative, NaN or infinite rate, or ``decay_steps <= 0``.
        ArgumentTypeError: for a string or None where a number belongs, a staircase that is
            not a bool, a name that is not a string.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase: bool = False,
                 name: str = "ExponentialDecay"):
        where = "ExponentialDecay"
        self.initial_learning_rate = _learning_rate("initial_learning_rate", initial_learning_rate, where)
        self.decay_steps = _decay_steps(decay_steps, where)
        self.decay_rate = check_float("decay_rate", decay_rate, minimum=0, where=where)
        self.staircase = check_bool("staircase", staircase, where=where)
        self.name = check_str("name", name, where=where)

    def __call__(self, step) -> float:
        p = _step_value(step, type(self).__name__) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant learning rate on each interval of steps.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` once
    ``step > boundaries[-1]``. E.g. ``PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])``
    gives 1.0 for steps 0..100, 0.5 for 101..110 and 0.1 after.

    Args:
        boundaries: a list of strictly increasing step numbers.
        values: a list of learning rates (floats >= 0), one more than ``boundaries``.
        name: defaults to "PiecewiseConstant".

    Raises:
        InvalidArgumentError: if ``len(values) != len(boundaries) + 1``, the boundaries do not
            strictly increase, or a value is negative, NaN or infinite.
        ArgumentTypeError: if either is not a list (or tuple) of numbers, or the name is not a
            string.
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        where = "PiecewiseConstantDecay"
        boundaries = _number_list("boundaries", boundaries, where)
        values = _number_list("values", values, where, minimum=0)
        if len(values) != len(boundaries) + 1:
            raise InvalidArgumentError(
                f"{where}: the length of `boundaries` should be 1 less than the length of "
                f"`values`, got boundaries={boundaries} of length {len(boundaries)} and "
                f"values={values} of length {len(values)}. Give one value per interval: "
                "before the first boundary, between each pair, and after the last."
            )
        for low, high in zip(boundaries, boundaries[1:]):
            if not low < high:
                raise InvalidArgumentError(
                    f"{where}: `boundaries` must increase strictly, got {boundaries} "
                    f"({low} then {high}). Sort them and remove repeats."
                )
        self.boundaries = boundaries
        self.values = values
        self.name = check_str("name", name, where=where)

    def __call__(self, step) -> float:
        step = _step_value(step, type(self).__name__)
        return float(self.values[bisect.bisect_left(self.boundaries, step)])

    def get_config(self) -> dict:
        return {"boundaries": list(self.boundaries), "values": list(self.values), "name": self.name}


def _number_list(name: str, items, where: str, **bounds) -> list:
    """A list of finite Python numbers (ints stay ints; ``bounds`` as ``_number``), from a
    list or tuple."""
    if not isinstance(items, (list, tuple)):
        raise ArgumentTypeError(
            f"{where}: `{name}` must be a list of numbers, got {items!r} of type "
            f"{type(items).__name__}. Pass e.g. boundaries=[100, 200], values=[0.1, 0.01, 0.001]."
        )
    return [_number(f"{name}[{i}]", item, where, **bounds) for i, item in enumerate(items)]


class CosineDecay(LearningRateSchedule):
    """Cosine decay, with an optional linear warmup first (Keras 3's ``CosineDecay``).

    Without ``warmup_target`` the rate goes from ``initial_learning_rate`` down to
    ``initial_learning_rate * alpha`` over ``decay_steps`` steps along half a cosine, and stays
    there. With ``warmup_target`` it first rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps`` steps, then decays from ``warmup_target`` to
    ``warmup_target * alpha`` over ``decay_steps`` steps (the formulas are in the module
    docstring).

    Args:
        initial_learning_rate: the learning rate at step 0, a float >= 0.
        decay_steps: the number of steps to decay over, > 0.
        alpha: the final learning rate as a fraction of the top one, in [0, 1]. Defaults to 0.
        name: defaults to "CosineDecay".
        warmup_target: None (no warmup, the default) or the learning rate reached at the end
            of the warmup, a float >= 0.
        warmup_steps: the number of warmup steps, >= 0. Defaults to 0.

    Raises:
        InvalidArgumentError: for a negative, NaN or infinite rate, ``decay_steps <= 0``, an
            alpha outside [0, 1] or a negative ``warmup_steps``.
        ArgumentTypeError: for a string or None where a number belongs, a name that is not a
            string.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None, warmup_steps=0):
        where = "CosineDecay"
        self.initial_learning_rate = _learning_rate("initial_learning_rate", initial_learning_rate, where)
        self.decay_steps = _decay_steps(decay_steps, where)
        self.alpha = check_float("alpha", alpha, minimum=0, maximum=1, where=where)
        self.name = check_str("name", name, where=where)
        self.warmup_target = check_float("warmup_target", warmup_target, minimum=0, allow_none=True,
                                         where=where)
        self.warmup_steps = _number("warmup_steps", warmup_steps, where, minimum=0)

    def _decayed(self, step: float, top: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return top * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step) -> float:
        step = _step_value(step, type(self).__name__)
        if self.warmup_target is None:
            return self._decayed(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * fraction
        return self._decayed(step - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


_BUILT_IN = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": schedule.get_config()}``, JSON-friendly.

    Raises:
        ArgumentTypeError: if ``schedule`` is not a LearningRateSchedule.
    """
    if not isinstance(schedule, LearningRateSchedule):
        raise ArgumentTypeError(
            f"schedules.serialize: `schedule` must be a LearningRateSchedule, got {schedule!r} of "
            f"type {type(schedule).__name__}. A plain function cannot be serialized: subclass "
            "LearningRateSchedule and implement get_config()."
        )
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """The schedule that ``serialize`` described.

    Args:
        config: ``{"class_name": ..., "config": {...}}``.
        custom_objects: ``{class_name: class}`` for your own LearningRateSchedule subclasses.

    Raises:
        ArgumentTypeError: if ``config`` is not such a dict, or custom_objects is not a dict.
        InvalidArgumentError: for an unknown class name.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ArgumentTypeError(
            f"schedules.deserialize: `custom_objects` must be a dict {{name: class}} or None, got "
            f"{custom_objects!r}."
        )
    if not (isinstance(config, dict) and isinstance(config.get("class_name"), str)
            and isinstance(config.get("config", {}), dict)):
        raise ArgumentTypeError(
            f"schedules.deserialize: `config` must be a dict like {{'class_name': "
            f"'ExponentialDecay', 'config': {{...}}}} (what serialize returns), got {config!r}."
        )
    known = {**_BUILT_IN, **(custom_objects or {})}
    cls = known.get(config["class_name"])
    if cls is None:
        raise InvalidArgumentError(
            f"schedules.deserialize: unknown schedule {config['class_name']!r}: use one of "
            f"{sorted(_BUILT_IN)}, or pass your class in custom_objects={{name: class}}."
        )
    return cls.from_config(dict(config.get("config", {})))


__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "CosineDecay",
           "serialize", "deserialize"]
