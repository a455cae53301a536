"""The harness itself: it skips with a reason where MPI is missing and kills a job that hangs."""

from __future__ import annotations

import importlib.util
import sys
import time

import mpi_harness
import pytest


def test_it_skips_naming_the_extra_without_mpi4py(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "mpi4py" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    expected = r'mpi4py is not installed \(pip install -e "\.\[distributed\]"'
    with pytest.raises(pytest.skip.Exception, match=expected):
        mpi_harness.run_mpi("print(1)", 2)


def test_it_skips_without_mpiexec(monkeypatch):
    monkeypatch.setattr(mpi_harness, "mpiexec", lambda: None)
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed")
    with pytest.raises(pytest.skip.Exception, match="no mpiexec beside python or on PATH"):
        mpi_harness.run_mpi("print(1)", 2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_hanging_job_is_killed_and_fails_the_test(run_mpi, tmp_path):
    script = (
        "import os, sys, time\n"
        "open(os.path.join(sys.argv[1], f'{os.getpid()}.pid'), 'w').close()\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    start = time.perf_counter()
    with pytest.raises(pytest.fail.Exception, match=r"(?s)ran past its 1.5 s timeout.*started"):
        run_mpi(script, 2, timeout=1.5, args=[tmp_path])
    assert time.perf_counter() - start < 10
    pids = [int(p.stem) for p in tmp_path.glob("*.pid")]
    assert len(pids) == 2
    time.sleep(0.5)
    assert [_state(pid) for pid in pids] == ["gone", "gone"]  # not left sleeping


def _state(pid: int) -> str:
    """Return "gone" for an ended process (a zombie that no one reaped counts: it runs nothing)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except FileNotFoundError:
        return "gone"
    state = stat.rpartition(")")[2].split()[0]
    return "gone" if state in ("Z", "X") else f"running ({state})"


def test_the_ranks_import_this_checkout(run_mpi, tmp_path):
    job = run_mpi("import minigrad, sys; print(minigrad.__file__)", 2)
    assert job.returncode == 0, job.stderr
    assert job.stdout.split() == [str(mpi_harness.REPO / "minigrad" / "__init__.py")] * 2
