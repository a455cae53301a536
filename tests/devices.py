"""Device helpers shared by the test modules: is device "cuda" usable, and DEVICES to parametrize.

Test files import it as a top-level module (``from devices import DEVICES, needs_cuda``): pytest's
``pythonpath`` (pyproject.toml) puts ``tests/`` on ``sys.path``.

"cuda" is usable where CuPy and an NVIDIA GPU are, or everywhere with ``MINIGRAD_FAKE_GPU=1``:
``tests/conftest.py`` then installs the NumPy-backed stand-in of ``fake_cupy`` as the process's
CuPy before the tests are collected. Tests marked ``needs_cuda`` are skipped (at collection, by
``tests/conftest.py``) where "cuda" is not usable.
"""

from __future__ import annotations

import functools
import os

import pytest
from fake_cupy import FakeCudaArray, FakeCupy  # noqa: F401  (re-exported for the test modules)

from minigrad import backend

FAKE_GPU_VARIABLE = "MINIGRAD_FAKE_GPU"
SKIP_REASON = (
    "device 'cuda' needs CuPy and an NVIDIA GPU "
    f"({FAKE_GPU_VARIABLE}=1 runs these cases on a NumPy stand-in)"
)


def fake_gpu_requested() -> bool:
    """Whether the environment asks to run the "cuda" cases on the fake GPU (``MINIGRAD_FAKE_GPU=1``)."""
    return os.environ.get(FAKE_GPU_VARIABLE) == "1"


@functools.cache
def cuda_available() -> bool:
    """Whether device "cuda" works here (CuPy and an NVIDIA GPU, or the fake GPU installed).

    Cached: ask after ``tests/conftest.py`` has installed the fake GPU (test modules are
    imported after that, at collection).
    """
    return backend.cuda_available()


# a marker, not a skipif: whether "cuda" works is decided at collection, after the fake GPU is in
needs_cuda = pytest.mark.needs_cuda

# parametrize a test over devices: ids "cpu" and "cuda", the cuda case skipped without a GPU
DEVICES = [pytest.param("cpu", id="cpu"), pytest.param("cuda", id="cuda", marks=needs_cuda)]
