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

from minigrad import backend
from minigrad.tensor import Tensor

_FLOAT = "float32"


def _make(fill, dtype, device) -> Tensor:
    """A Tensor around ``fill(xp, dtype)``, made by the array module of ``device``."""
    xp = backend.module_for_device(device)
    return Tensor._wrap(fill(xp, backend.check_dtype(dtype)))


def _shape(shape) -> tuple:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise ValueError(f"a shape is a tuple of non-negative ints, got {shape!r}.")
    return shape


def zeros(shape, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """A tensor of zeros.

    Args:
        shape: an int or a tuple of ints.
        dtype: the dtype (float32 by default).
        device: "cpu" or "cuda" (the default device by default).

    Returns:
        A Tensor of ``shape`` filled with 0.

    Raises:
        ValueError: for a negative or non-integer size.
        DeviceUnavailableError: for "cuda" without CuPy or a GPU.
    """
    shape = _shape(shape)
    return _make(lambda xp, dt: xp.zeros(shape, dt), dtype, device)


def ones(shape, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """A tensor of ones (arguments as ``zeros``)."""
    shape = _shape(shape)
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
    """
    shape = _shape(shape)
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
        ValueError: for ``step == 0``.
    """
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0.")
    if dtype is None:
        dtype = "int64" if all(isinstance(v, int) for v in (start, stop, step)) else _FLOAT
    return _make(lambda xp, dt: xp.arange(start, stop, step, dtype=dt), dtype, device)


def linspace(start: float, stop: float, num: int = 50, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``, both included.

    Returns:
        A 1-d Tensor of ``num`` values.

    Raises:
        ValueError: for a negative ``num``.
    """
    if not isinstance(num, int) or num < 0:
        raise ValueError(f"linspace: num must be a non-negative int, got {num!r}.")
    return _make(lambda xp, dt: xp.linspace(start, stop, num, dtype=dt), dtype, device)


def eye(n: int, m: int | None = None, dtype=_FLOAT, device: str | None = None) -> Tensor:
    """The ``n x m`` identity matrix (ones on the diagonal; ``m`` defaults to ``n``).

    Returns:
        A 2-d Tensor.
    """
    rows, cols = _shape((n, n if m is None else m))
    return _make(lambda xp, dt: xp.eye(rows, cols, dtype=dt), dtype, device)


__all__ = ["zeros", "ones", "full", "arange", "linspace", "eye"]
