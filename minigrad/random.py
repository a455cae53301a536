"""Seeded random numbers, so that runs repeat.

    minigrad.random.seed(0)          # every device's generator restarts from 0
    g = minigrad.random.generator()  # the default device's numpy/cupy Generator
    x = minigrad.random.normal((2, 3), device="cuda")   # drawn on the GPU

Each device has its own generator (``numpy.random.Generator`` on "cpu",
``cupy.random.Generator`` on "cuda"), and values are drawn where they are asked
for: a "cuda" tensor never passes through the host. The two generators give
different streams for the same seed.

The generators are per thread: ``seed(n)`` in a thread makes that thread's draws repeat,
whatever other threads draw. A new thread starts from the seed last given to ``seed`` in
any thread (fresh entropy if none was): threads that do not seed themselves draw the same
stream, so give each its own, e.g. ``seed(base + thread_index)``.

Only methods both of them have are used here
(``standard_normal``, ``uniform``, ``random``, ``integers``): CuPy's Generator has no
``normal``, ``permutation``, ``choice`` or ``shuffle``.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.errors import UnsupportedDtypeError
from minigrad.tensor import Tensor
from minigrad.validation import check_float, check_generator, check_int, check_shape


def seed(n: int | None) -> None:
    """Reseed this thread's generators, of every device.

    Other threads keep their generators; ``n`` is also the seed a thread starts from
    when it first uses minigrad (see the module docstring).

    Args:
        n: the seed, an int >= 0, or None for fresh entropy (runs then differ).

    Raises:
        ArgumentTypeError: for a seed that is not an int. InvalidArgumentError: for a negative one.
    """
    backend.seed(check_int("n", n, minimum=0, allow_none=True, where="random.seed"))


def generator(device: str | None = None):
    """This thread's generator of ``device``.

    Args:
        device: "cpu" or "cuda"; None means the default device.

    Returns:
        A ``numpy.random.Generator`` or a ``cupy.random.Generator``.

    Raises:
        DeviceUnavailableError: for "cuda" without CuPy or a GPU.
    """
    return backend.generator(device)


def new_generator(seed: int | None = None, device: str | None = None):
    """An independent generator, e.g. to give one dropout layer its own stream.

    Args:
        seed: its seed (None: fresh entropy).
        device: "cpu" or "cuda"; None means the default device.

    Returns:
        A new ``numpy.random.Generator`` or ``cupy.random.Generator``.

    Raises:
        ArgumentTypeError: for a seed that is not an int. InvalidArgumentError: for a negative one.
    """
    seed = check_int("seed", seed, minimum=0, allow_none=True, where="random.new_generator")
    return backend.new_generator(seed, device)


def normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype="float32",
           device: str | None = None, generator=None) -> Tensor:
    """Samples from N(mean, stddev**2): ``mean + stddev * z`` with ``z ~ N(0, 1)``.

    Args:
        shape: the shape of the result.
        mean, stddev: the distribution's mean and standard deviation.
        dtype: the dtype of the result (the draws are float64, then cast).
        device: where the result lives; None means the generator's device, and the
            default device when no generator is given.
        generator: a generator to draw from (e.g. ``new_generator(0, "cuda")``);
            by default this thread's generator of ``device``.

    Returns:
        A Tensor of ``shape``.

    Raises:
        ArgumentTypeError: for a shape, mean or stddev of the wrong type, or a generator
            that is not one.
        UnsupportedDtypeError: for a dtype that is not floating point.
        InvalidArgumentError: for a negative size or stddev, or a NaN or infinite mean or stddev.
    """
    shape = check_shape("shape", shape, where="random.normal")
    mean = check_float("mean", mean, where="random.normal")
    stddev = check_float("stddev", stddev, minimum=0, where="random.normal")
    dtype = _float_dtype(dtype, "random.normal")
    gen = check_generator("generator", generator, where="random.normal") or backend.generator(device)
    # mean + stddev * z is what numpy's Generator.normal computes, so on the CPU this
    # draws the same numbers as gen.normal(mean, stddev); CuPy has no normal.
    z = gen.standard_normal(tuple(shape))
    return _on_device(mean + stddev * z, dtype, device)


def uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype="float32",
            device: str | None = None, generator=None) -> Tensor:
    """Samples from U[minval, maxval).

    Args:
        shape: the shape of the result.
        minval, maxval: the interval.
        dtype: the dtype of the result (the draws are float64, then cast).
        device: where the result lives; None means the generator's device, and the
            default device when no generator is given.
        generator: a generator to draw from; by default this thread's generator of ``device``.

    Returns:
        A Tensor of ``shape``.

    Raises:
        ArgumentTypeError: for a shape, minval or maxval of the wrong type, or a generator
            that is not one.
        UnsupportedDtypeError: for a dtype that is not floating point.
        InvalidArgumentError: for a negative size, a NaN or infinite bound, or minval > maxval.
    """
    shape = check_shape("shape", shape, where="random.uniform")
    minval = check_float("minval", minval, where="random.uniform")
    maxval = check_float("maxval", maxval, minimum=minval, where="random.uniform")
    dtype = _float_dtype(dtype, "random.uniform")
    gen = check_generator("generator", generator, where="random.uniform") or backend.generator(device)
    return _on_device(gen.uniform(minval, maxval, size=tuple(shape)), dtype, device)


def _float_dtype(dtype, where: str):
    """``dtype`` checked to be a floating dtype: the draws are real numbers, and a cast to an
    integer dtype would truncate them (uniform in [0, 1) would give only zeros)."""
    dt = backend.check_dtype(dtype)
    if dt.kind != "f":
        raise UnsupportedDtypeError(
            f"{where}: `dtype` must be a floating-point dtype, got {dt}: the samples are real "
            "numbers and would be truncated. Pass dtype='float32' (cast afterwards if needed)."
        )
    return dt


def _on_device(array, dtype, device: str | None) -> Tensor:
    """``array`` as a Tensor of ``dtype`` on ``device`` (its own device when None)."""
    return Tensor(array, dtype=dtype, device=device if device is not None else backend.device_of(array))
