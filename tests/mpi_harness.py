"""Launch a Python script on N MPI ranks from a test: ``run_mpi(script, n)``.

``tests/distributed/conftest.py`` hands ``run_mpi`` to its tests as a fixture; tests elsewhere
import it (``from mpi_harness import run_mpi``: ``tests`` is on pytest's pythonpath). The script
(source text, or a ``pathlib.Path`` to a file such as an example) runs under
``mpiexec -n N sys.executable`` with ``PYTHONPATH`` set to the repository root, so the ranks import
this checkout's minigrad. Source text is written to a temporary folder, never into the repository.

It skips the test, with the reason, where mpi4py or ``mpiexec`` is missing (``pip install -e
".[distributed]"`` installs both), and fails it with the output so far when the job outlives
``timeout`` (every process of the job is killed). MPICH, the ``mpich`` wheel, allows more ranks
than cores (oversubscription), so ``n=3`` runs on a 2-core machine; each rank's BLAS is pinned to
one thread so that the ranks do not fight over the cores.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def mpiexec() -> str | None:
    """The ``mpiexec`` beside this Python (the ``mpich`` wheel's), else the first on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return str(beside)
    return shutil.which("mpiexec")


def skip_reason() -> str | None:
    """Why MPI tests cannot run here, or None when they can."""
    if importlib.util.find_spec("mpi4py") is None:
        return 'mpi4py is not installed (pip install -e ".[distributed]" installs mpi4py and mpich)'
    if mpiexec() is None:
        return 'no mpiexec beside python or on PATH (pip install mpich provides one)'
    return None


def run_mpi(script: str | Path, n: int, timeout: float = 60, args=(), env: dict | None = None
            ) -> subprocess.CompletedProcess:
    """Run ``script`` on ``n`` ranks and return the finished job (stdout and stderr as text).

    Args:
        script: Python source text, or a Path to a script file.
        n: the number of ranks (keep it <= 3: CI has 2 cores).
        timeout: seconds before the whole job is killed and the test fails.
        args: command-line arguments after the script.
        env: extra environment variables for the ranks.

    Returns:
        The CompletedProcess of ``mpiexec`` (its returncode is non-zero if any rank failed).
    """
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    environment = {**os.environ, **{k: "1" for k in ONE_THREAD}, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    with tempfile.TemporaryDirectory(prefix="minigrad-mpi-") as folder:
        if isinstance(script, Path):
            path = script
        else:
            path = Path(folder) / "script.py"
            path.write_text(script)
        command = [mpiexec(), "-n", str(n), sys.executable, str(path), *map(str, args)]
        # a session of its own, so that a timeout kills mpiexec, its proxy and every rank
        job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment, cwd=folder, start_new_session=True)
        try:
            stdout, stderr = job.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(job.pid, signal.SIGKILL)
            stdout, stderr = job.communicate()
            pytest.fail(f"`mpiexec -n {n}` ran past its {timeout} s timeout (a rank hangs?)\n"
                        f"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}")
    return subprocess.CompletedProcess(command, job.returncode, stdout, stderr)
