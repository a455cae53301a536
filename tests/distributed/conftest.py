"""The ``run_mpi`` fixture: ``run_mpi(script, n, timeout=60, args=())`` (see ``tests/mpi_harness.py``)."""

from __future__ import annotations

import pytest
from mpi_harness import run_mpi as _run_mpi


@pytest.fixture
def run_mpi():
    """``run_mpi(script, n, timeout=60, args=(), env=None) -> subprocess.CompletedProcess``.

    Runs Python source text (or a script Path) on ``n`` MPI ranks with this checkout on
    PYTHONPATH; skips where mpi4py or mpiexec is missing.
    """
    return _run_mpi
