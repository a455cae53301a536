"""Device helpers shared by the test modules: is there a GPU, and a stand-in for one.

Test files import it as a top-level module (``from devices import DEVICES, needs_cuda``):
pytest's default ``prepend`` import mode puts this folder on ``sys.path`` because
``tests/`` holds no ``__init__.py``. The ``fake_cuda`` fixture built on ``FakeCudaArray``
and ``FakeCupy`` lives in ``conftest.py``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from minigrad import backend
from minigrad.errors import DeviceUnavailableError


@functools.cache
def cuda_available() -> bool:
    """Whether device "cuda" works here (CuPy installed and an NVIDIA GPU present).

    Returns:
        True when ``backend.check_device("cuda")`` succeeds, False when it raises
        ``DeviceUnavailableError``.
    """
    try:
        backend.check_device("cuda")
    except DeviceUnavailableError:
        return False
    return True


needs_cuda = pytest.mark.skipif(not cuda_available(), reason="device 'cuda' needs CuPy and an NVIDIA GPU")

# parametrize a test over devices: ids "cpu" and "cuda", the cuda case skipped without a GPU
DEVICES = ["cpu", pytest.param("cuda", marks=needs_cuda)]


class FakeCudaArray(np.ndarray):
    """A NumPy array that the backend is told lives on "cuda" (to test device logic on a CPU)."""

    def get(self) -> np.ndarray:  # what cupy.ndarray.get does: a NumPy copy on the host
        return np.array(self.view(np.ndarray))


class FakeCupy:
    """A stand-in for the cupy module: NumPy's functions, returning FakeCudaArrays."""

    ndarray = FakeCudaArray

    def __getattr__(self, name):
        attr = getattr(np, name)
        if not callable(attr) or isinstance(attr, type):
            return attr

        def on_fake_gpu(*args, **kwargs):
            out = attr(*args, **kwargs)
            return out.view(FakeCudaArray) if isinstance(out, np.ndarray) else out

        return on_fake_gpu
