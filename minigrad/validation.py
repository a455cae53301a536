"""Argument validators: one readable place where public functions check what users pass.

Each validator returns the value in its normal form (a Python bool, int or float) or raises a
named minigrad error whose message says which argument, what was given, what is allowed and how
to fix it. ``where`` names the function or class being called (``"BatchNormalization"``) so the
message reads ``BatchNormalization: `momentum` must be ...``.

    momentum = check_float("momentum", momentum, minimum=0.0, maximum=1.0, where="BatchNormalization")
    center = check_bool("center", center, where="BatchNormalization")

Type mistakes raise :class:`~minigrad.errors.ArgumentTypeError` (a ``TypeError``); values out of
range raise :class:`~minigrad.errors.InvalidArgumentError` (a ``ValueError``), as Keras raises
``TypeError``/``ValueError`` for them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


def _prefix(where: str | None) -> str:
    return f"{where}: " if where else ""


def _bound_text(minimum, maximum, min_inclusive: bool, max_inclusive: bool) -> str:
    if minimum is not None and maximum is not None:
        return f"in {'[' if min_inclusive else '('}{minimum}, {maximum}{']' if max_inclusive else ')'}"
    if minimum is not None:
        return f"{'>=' if min_inclusive else '>'} {minimum}"
    if maximum is not None:
        return f"{'<=' if max_inclusive else '<'} {maximum}"
    return "finite"


def check_bool(name: str, value, *, allow_none: bool = False, where: str | None = None) -> bool | None:
    """``value`` as a Python bool; only ``True``/``False`` (and NumPy bools) are accepted.

    Strings are refused because every non-empty string is truthy: ``center="no"`` would
    otherwise mean ``center=True``.

    Raises:
        ArgumentTypeError: for anything that is not a bool (or None where allowed).
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, numpy.bool_)):
        return bool(value)
    allowed = "True, False or None" if allow_none else "True or False"
    raise ArgumentTypeError(
        f"{_prefix(where)}`{name}` must be a bool ({allowed}), got {value!r} of type "
        f"{type(value).__name__}. Pass {name}=True or {name}=False"
        + (" (a string such as 'no' or 'False' would read as True)." if isinstance(value, str) else ".")
    )


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None,
              allow_none: bool = False, where: str | None = None) -> int | None:
    """``value`` as a Python int within ``[minimum, maximum]`` (bounds optional, inclusive).

    Python and NumPy integers are accepted; bools and floats (even ``2.0``, as ``range(2.0)``
    refuses it) are not.

    Raises:
        ArgumentTypeError: for a value that is not an integer.
        InvalidArgumentError: for an integer outside the bounds.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            f"{_prefix(where)}`{name}` must be an integer{' or None' if allow_none else ''}, got "
            f"{value!r} of type {type(value).__name__}. Pass a whole number, e.g. {name}="
            f"{minimum if minimum is not None else 1}."
        )
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidArgumentError(
            f"{_prefix(where)}`{name}` must be an integer "
            f"{_bound_text(minimum, maximum, True, True)}, got {value}. "
            f"Pass a value {_bound_text(minimum, maximum, True, True)}."
        )
    return value


def check_float(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
                min_inclusive: bool = True, max_inclusive: bool = True, allow_none: bool = False,
                where: str | None = None) -> float | None:
    """``value`` as a finite Python float within the bounds (each optional; inclusive unless said).

    Ints are accepted (``momentum=1``); bools, strings, NaN and infinities are refused.

    Raises:
        ArgumentTypeError: for a value that is not a real number.
        InvalidArgumentError: for NaN, an infinity or a number outside the bounds.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(
            f"{_prefix(where)}`{name}` must be a number{' or None' if allow_none else ''}, got "
            f"{value!r} of type {type(value).__name__}. Pass a float, e.g. {name}=0.1 "
            "(not a string)."
        )
    value = float(value)
    below = minimum is not None and (value < minimum if min_inclusive else value <= minimum)
    above = maximum is not None and (value > maximum if max_inclusive else value >= maximum)
    if not math.isfinite(value) or below or above:
        allowed = _bound_text(minimum, maximum, min_inclusive, max_inclusive)
        finite = "" if allowed == "finite" else "finite and "
        raise InvalidArgumentError(
            f"{_prefix(where)}`{name}` must be {finite}{allowed}, got {value!r}. "
            + ("Pass a finite number." if allowed == "finite" else f"Pass a number {allowed}.")
        )
    return value


def check_one_of(name: str, value, options: Iterable, *, where: str | None = None):
    """``value`` if it is one of ``options`` (compared with ``==``, types checked first).

    Raises:
        InvalidArgumentError: naming the allowed options.
    """
    options = tuple(options)
    for option in options:
        if type(value) is type(option) and value == option:
            return value
    raise InvalidArgumentError(
        f"{_prefix(where)}`{name}` must be one of {', '.join(repr(o) for o in options)}, "
        f"got {value!r}."
    )


def check_axis(name: str, axis, ndim: int, *, where: str | None = None) -> int:
    """``axis`` (possibly negative) as a non-negative int for an array of rank ``ndim``.

    Raises:
        ArgumentTypeError: for an axis that is not an int.
        InvalidArgumentError: for an axis outside ``[-ndim, ndim)``; the message names the
            axis as given (``axis=-5``), not after wrapping.
    """
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ArgumentTypeError(
            f"{_prefix(where)}`{name}` must be an int, got {axis!r} of type {type(axis).__name__}."
        )
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise InvalidArgumentError(
            f"{_prefix(where)}`{name}`={axis} is out of range for an input of rank {ndim}: "
            f"use an axis in [-{ndim}, {ndim})."
        )
    return axis % ndim if ndim else axis


def check_not_none(name: str, value, *, what: str = "a value", where: str | None = None):
    """``value`` unless it is None.

    Raises:
        ArgumentTypeError: for None, saying what was expected.
    """
    if value is None:
        raise ArgumentTypeError(f"{_prefix(where)}`{name}` is None: pass {what}.")
    return value


def check_str(name: str, value, *, allow_none: bool = False, where: str | None = None) -> str | None:
    """``value`` if it is a string (or None where allowed): names, identifiers.

    Raises:
        ArgumentTypeError: for anything that is not a str.
    """
    if (value is None and allow_none) or isinstance(value, str):
        return value
    raise ArgumentTypeError(
        f"{_prefix(where)}`{name}` must be a string{' or None' if allow_none else ''}, got "
        f"{value!r} of type {type(value).__name__}. Pass text, e.g. {name}='my_{name}'."
    )


def check_broadcastable(shapes: dict, *, where: str | None = None) -> tuple:
    """The shape that ``shapes`` (argument name -> shape) broadcast to, NumPy's rule.

    Raises:
        InvalidArgumentError: naming every argument and its shape when they do not broadcast.
    """
    ndim = max((len(s) for s in shapes.values()), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes.values()]
    result = []
    for sizes in zip(*padded):
        others = {n for n in sizes if n != 1}
        if len(others) > 1:
            given = ", ".join(f"`{name}` {tuple(shape)}" for name, shape in shapes.items())
            raise InvalidArgumentError(
                f"{_prefix(where)}the shapes do not broadcast together: {given}. Each axis "
                "(counted from the right) must have equal sizes or size 1: reshape or expand_dims "
                "the arguments so that they line up."
            )
        result.append(others.pop() if others else 1)
    return tuple(result)


def check_class_labels(name: str, labels, num_classes: int, *, where: str | None = None):
    """Integer class labels (a NumPy or CuPy array) checked to lie in ``[0, num_classes)``.

    Integral floats (``2.0``) are accepted and returned as int64, as Keras's sparse losses
    and metrics take float labels. One shared check, so that a sparse loss and a sparse
    metric refuse the same labels.

    Raises:
        ArgumentTypeError: for labels that are not numbers (dtype other than int, uint, bool, float).
        InvalidArgumentError: for fractional labels, or labels outside ``[0, num_classes)``.
    """
    xp = backend.array_module(labels)
    if labels.dtype.kind == "f":
        if labels.size and not bool(xp.all(labels == xp.round(labels))):
            raise InvalidArgumentError(
                f"{_prefix(where)}`{name}` must hold whole-number class labels, got fractions. "
                "Pass integer labels in [0, num_classes), e.g. 0, 1, 2."
            )
        labels = labels.astype("int64")
    elif labels.dtype.kind not in "iub":
        raise ArgumentTypeError(
            f"{_prefix(where)}`{name}` must hold integer class labels, got dtype {labels.dtype}. "
            "Pass an integer array of labels in [0, num_classes)."
        )
    # one read-back of one bool (on a GPU each read waits for the device); the details
    # are looked up only for the error message
    if labels.size and bool(((labels < 0) | (labels >= num_classes)).any()):
        bad = int(labels.min()) if int(labels.min()) < 0 else int(labels.max())
        raise InvalidArgumentError(
            f"{_prefix(where)}got label {bad} in `{name}`, but y_pred has {num_classes} classes: "
            f"labels must lie in [0, {num_classes}). "
            + ("Check the labels: they count classes from 0." if bad < 0 else
               f"Check the labels, or give the model {bad + 1} outputs.")
        )
    return labels


def check_shape(name: str, shape, *, where: str | None = None) -> tuple:
    """``shape`` (an int, or a tuple or list of ints, each >= 0) as a tuple of Python ints.

    Raises:
        ArgumentTypeError: for a shape or a size that is not an int (None, a float, a string).
        InvalidArgumentError: for a negative size.
    """
    if isinstance(shape, (tuple, list)):
        return tuple(check_int(f"{name}[{i}]", n, minimum=0, where=where) for i, n in enumerate(shape))
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        return (check_int(name, shape, minimum=0, where=where),)
    raise ArgumentTypeError(
        f"{_prefix(where)}`{name}` must be an int or a tuple of ints, got {shape!r} of type "
        f"{type(shape).__name__}. Pass e.g. {name}=(2, 3)."
    )


def check_known_kwargs(cls, kwargs: dict, *, where: str | None = None) -> None:
    """Refuse keyword arguments that ``cls.__init__`` does not take, listing those it does.

    Python's own ``TypeError`` ("unexpected keyword argument") names neither the known
    arguments nor the fix; Keras raises ``TypeError`` for unknown keywords too. Call it from
    ``__new__`` so that it runs before ``__init__``. A constructor with ``**kwargs`` takes
    any keyword: nothing is checked for it.

    Raises:
        ArgumentTypeError: naming each unknown keyword and every known one.
    """
    import inspect

    params = inspect.signature(cls.__init__).parameters.values()
    if not kwargs or any(p.kind is p.VAR_KEYWORD for p in params):
        return
    known = [p.name for p in params if p.name != "self"
             and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = [k for k in kwargs if k not in known]
    if unknown:
        hint = " (Keras 2's `lr` is `learning_rate`)" if "lr" in unknown and "learning_rate" in known else ""
        raise ArgumentTypeError(
            f"{_prefix(where)}keyword argument(s) not understood: {', '.join(map(repr, unknown))}"
            f"{hint}. The arguments are: {', '.join(known)}. Check the spelling."
        )


def check_generator(name: str, value, *, allow_none: bool = True, where: str | None = None):
    """``value`` if it is a random generator (NumPy's or CuPy's ``Generator``), or None.

    Raises:
        ArgumentTypeError: for anything else (a seed given where a generator belongs, ...).
    """
    if value is None and allow_none:
        return None
    if all(hasattr(value, m) for m in ("random", "standard_normal", "uniform")):
        return value
    raise ArgumentTypeError(
        f"{_prefix(where)}`{name}` must be a random generator{' or None' if allow_none else ''}, "
        f"got {value!r:.60} of type {type(value).__name__}. Make one with "
        f"minigrad.random.new_generator(seed), or pass a seed where the function takes one."
    )


def check_config(config, *, where: str | None = None) -> dict:
    """``config`` if it is a dict (what ``get_config`` returns), for ``from_config``.

    Raises:
        ArgumentTypeError: for anything else (None, a list of pairs, a JSON string, ...).
    """
    if isinstance(config, dict):
        return config
    raise ArgumentTypeError(
        f"{_prefix(where)}`config` must be a dict of constructor arguments (what get_config() "
        f"returns), got {config!r:.60} of type {type(config).__name__}. Pass e.g. "
        "cls.from_config(obj.get_config())."
    )


def check_dtype(dtype):
    """``dtype`` as a ``numpy.dtype`` of a kind minigrad holds (bool, integer or float).

    Args:
        dtype: anything ``numpy.dtype`` reads: "float32", ``numpy.int64``, a dtype.

    Returns:
        The ``numpy.dtype``.

    Raises:
        UnsupportedDtypeError: for None (NumPy would read it as float64), a name NumPy
            cannot read, or a kind minigrad does not hold (complex, text, objects).
    """
    return backend.check_dtype(dtype)
