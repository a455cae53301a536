"""Fixtures shared by the test modules of this folder."""

from __future__ import annotations

import pytest
from devices import FakeCudaArray, FakeCupy

import minigrad as mg
from minigrad import backend


@pytest.fixture
def fake_cuda(monkeypatch):
    """Pretend a GPU on a CPU machine: FakeCudaArrays are "cuda" arrays, FakeCupy their module.

    Returns:
        ``make(values)``: a Tensor of ``values`` on "cuda" (held in a FakeCudaArray).
    """
    fake_cupy = FakeCupy()
    monkeypatch.setitem(backend._module_of_type, FakeCudaArray, fake_cupy)
    monkeypatch.setitem(backend._device_of_type, FakeCudaArray, "cuda")
    monkeypatch.setattr(backend, "_cupy", fake_cupy)

    def make(values):
        t = mg.tensor(values, device="cuda")
        assert type(t._data) is FakeCudaArray
        return t

    return make
