"""New tensors from shapes and ranges, on the default device or the one asked for.

    zeros((2, 3))                     float32 zeros
    ones(4, dtype="float64")          float64 ones
    full((2,), 7.0, device="cuda")    on the GPU
    arange(5)                         0, 1, 2, 3, 4 (int64, as NumPy)
    linspace(0.0, 1.0, 5)             0, 0.25, 0.5, 0.75, 1 (float32)
    eye(3)                            the 3x3 identity

Without ``dtype`` floats are float32 (as ``minigrad.tensor``); without ``device`` the
tensor goes to the default device (``minigrad.set_default_device``, ``with
minigrad.device(...)``). These are constants: no tape records them.
"""

from __future__ import annotations

import numbers

from minigrad import backend
from minigrad.errors import InvalidArgumentError
from minigrad.tensor import Tensor
from minigrad.validation import check_float, check_int, check_shape

_FLOAT = "float32"


def _make(fill, dtype, device) -> Tensor:
    """A Tensor around ``fill(xp, dtype)``, made by the array module of ``device``."""
    xp = backend.module_for_device(device)
    return Tensor._wrap(fill(xp, backend.check_dtype(_FLOAT if dtype is None else dtype)))


def _shape(shape, where: str) -> tuple:
    return check_shape("shape", shape, where=where)


def _number(name: str, value, where: str):
    """A finite Python number (bool, int or float) for a fill value or a range bound."""
    if isinstance(value, (bool, numbers.Integral)):
        return value
    return check_float(name, value, where=where)


def zeros(shape, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """A tensor of zeros.

    Args:
        shape: an int or a tuple of ints.
        dtype: the dtype (float32 by default).
        device: "cpu" or "cuda" (the default device by default).

    Returns:
        A Tensor of ``shape`` filled with 0.

    Raises:
        InvalidArgumentError: for a negative size.
        ArgumentTypeError: for a size that is not an int (None, a float, a string).
        DeviceUnavailableError: for "cuda" without CuPy or a GPU.
    """
    shape = _shape(shape, "zeros")
    return _make(lambda xp, dt: xp.zeros(shape, dt), dtype, device)


def ones(shape, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """A tensor of ones (arguments and errors as ``zeros``)."""
    shape = _shape(shape, "ones")
    return _make(lambda xp, dt: xp.ones(shape, dt), dtype, device)


def full(shape, value, dtype=None, device: str | None = None) -> Tensor:
    """A tensor of ``shape`` holding ``value`` everywhere.

    Args:
        shape: an int or a tuple of ints.
        value: a Python number.
        dtype: by default float32 for a float ``value``, int64 for an int, bool for a bool.
        device: "cpu" or "cuda" (the default device by default).

    Returns:
        A Tensor.

    Raises:
        ArgumentTypeError: for a value that is not a number, or a bad shape (as ``zeros``).
        InvalidArgumentError: for a NaN or infinite value (build those with ``tensor``),
            or a negative size.
    """
    shape = _shape(shape, "full")
    value = _number("value", value, "full")
    if dtype is None:
        dtype = "bool" if isinstance(value, bool) else "int64" if isinstance(value, int) else _FLOAT
    return _make(lambda xp, dt: xp.full(shape, value, dt), dtype, device)


def arange(start, stop=None, step=1, dtype=None, device: str | None = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``, as ``numpy.arange``.

    ``arange(n)`` is ``0, 1, ..., n - 1``. Integer arguments give int64, any float
    argument float32 (unless ``dtype`` says otherwise).

    Returns:
        A 1-d Tensor.

    Raises:
        ArgumentTypeError: for a bound or step that is not a number.
        InvalidArgumentError: for ``step == 0``, or a NaN or infinite bound or step.
    """
    if stop is None:
        start, stop = 0, start
    start, stop, step = (_number(name, v, "arange")
                         for name, v in (("start", start), ("stop", stop), ("step", step)))
    if step == 0:
        raise InvalidArgumentError("arange: `step` must not be 0: pass e.g. step=1 or step=-1.")
    if dtype is None:
        dtype = "int64" if all(isinstance(v, int) for v in (start, stop, step)) else _FLOAT
    try:
        return _make(lambda xp, dt: xp.arange(start, stop, step, dtype=dt), dtype, device)
    except ValueError as exc:  # NumPy: "Maximum allowed size exceeded"
        raise InvalidArgumentError(
            f"arange({start!r}, {stop!r}, {step!r}) would hold about {abs((stop - start) / step):.3g} "
            f"values ({exc}): pass a larger step or a shorter range."
        ) from exc


def linspace(start: float, stop: float, num: int = 50, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``, both included.

    Returns:
        A 1-d Tensor of ``num`` values.

    Raises:
        InvalidArgumentError: for a negative ``num``, a NaN or infinite bound.
        ArgumentTypeError: for a ``num`` that is not an int, a bound that is not a number.
    """
    num = check_int("num", num, minimum=0, where="linspace")
    start = check_float("start", start, where="linspace")
    stop = check_float("stop", stop, where="linspace")
    return _make(lambda xp, dt: xp.linspace(start, stop, num, dtype=dt), dtype, device)


def eye(n: int, m: int | None = None, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """The ``n x m`` identity matrix (ones on the diagonal; ``m`` defaults to ``n``).

    Returns:
        A 2-d Tensor.

    Raises:
        ArgumentTypeError: for an ``n`` or ``m`` that is not an int.
        InvalidArgumentError: for a negative ``n`` or ``m``.
    """
    rows = check_int("n", n, minimum=0, where="eye")
    cols = check_int("m", rows if m is None else m, minimum=0, where="eye")
    return _make(lambda xp, dt: xp.eye(rows, cols, dtype=dt), dtype, device)


__all__ = ["zeros", "ones", "full", "arange", "linspace", "eye"]
