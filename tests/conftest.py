"""Fixtures and hooks for the whole test suite: devices, and the fake GPU.

With ``MINIGRAD_FAKE_GPU=1`` in the environment, ``pytest_configure`` makes ``fake_cupy.FakeCupy``
this process's CuPy, so every "cuda" test case runs on NumPy arrays that pretend to live on a GPU
(``MINIGRAD_FAKE_GPU=1 python -m pytest -m needs_cuda``). Without it, and
without a real GPU, the cases marked ``needs_cuda`` are skipped.
"""

from __future__ import annotations

import pytest
from devices import DEVICES, SKIP_REASON, cuda_available, fake_gpu_requested
from fake_cupy import FakeCudaArray, FakeCupy

from minigrad import backend

# exercise markers (pytest -m ex07), the `hidden` marker and the `course_seed` fixture
pytest_plugins = ["course.pytest_plugin"]


def pytest_configure(config) -> None:
    """Register the ``needs_cuda`` marker; install the fake GPU if ``MINIGRAD_FAKE_GPU=1``."""
    marker = "needs_cuda: the test needs device 'cuda' (a GPU, or MINIGRAD_FAKE_GPU=1)"
    config.addinivalue_line("markers", marker)
    if fake_gpu_requested():
        backend.use_cupy(FakeCupy())


def pytest_collection_modifyitems(config, items) -> None:
    """Skip the tests marked ``needs_cuda`` where device "cuda" is not usable."""
    if cuda_available():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("needs_cuda") is not None:
            item.add_marker(skip)


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    """Each device in turn: "cpu", then "cuda" (skipped where no GPU, real or fake, is usable)."""
    return request.param


@pytest.fixture
def fake_gpu(monkeypatch) -> FakeCupy:
    """Make a fresh ``FakeCupy`` this process's CuPy for one test, whatever the environment says.

    Returns:
        The installed fake module (``backend.cupy_module()`` returns it during the test).
    """
    fake = FakeCupy()
    monkeypatch.setattr(backend, "_cupy", fake)
    monkeypatch.setitem(backend._module_of_type, FakeCudaArray, fake)
    monkeypatch.setitem(backend._device_of_type, FakeCudaArray, "cuda")
    return fake
