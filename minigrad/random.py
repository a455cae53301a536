"""Seeded random numbers, so that runs repeat.

    minigrad.random.seed(0)          # every device's generator restarts from 0
    g = minigrad.random.generator()  # the default device's numpy/cupy Generator
"""

from __future__ import annotations

from minigrad import backend
from minigrad.tensor import Tensor


def seed(n: int | None) -> None:
    """Reseed the generators of every device (None: fresh entropy)."""
    backend.seed(n)


def generator(device: str | None = None):
    """The shared generator of ``device`` (default device if None)."""
    return backend.generator(device)


def new_generator(seed: int | None = None, device: str | None = None):
    """An independent generator, e.g. to give one dropout layer its own stream."""
    return backend.new_generator(seed, device)


def normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype="float32",
           device: str | None = None, generator=None) -> Tensor:
    """Samples from N(mean, stddev**2)."""
    gen = generator if generator is not None else backend.generator(device)
    return Tensor(gen.normal(mean, stddev, size=tuple(shape)), dtype=dtype, device=device)


def uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype="float32",
            device: str | None = None, generator=None) -> Tensor:
    """Samples from U[minval, maxval)."""
    gen = generator if generator is not None else backend.generator(device)
    return Tensor(gen.uniform(minval, maxval, size=tuple(shape)), dtype=dtype, device=device)
