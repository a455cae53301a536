"""Fixtures shared by the test modules of this folder."""

from __future__ import annotations

import pytest
from fake_cupy import FakeCudaArray

import minigrad as mg


@pytest.fixture
def fake_cuda(fake_gpu):
    """Pretend a GPU on a CPU machine (the ``fake_gpu`` fixture of ``tests/conftest.py``).

    Returns:
        ``make(values)``: a Tensor of ``values`` on "cuda" (held in a FakeCudaArray).
    """

    def make(values):
        t = mg.tensor(values, device="cuda")
        assert type(t._data) is FakeCudaArray
        return t

    return make
