"""A rank that raises ends the whole job with its traceback, instead of leaving the others waiting."""

from __future__ import annotations

import time

import pytest

FAILING = r'''
import sys
import minigrad as mg
import minigrad.distributed as dist

dist.init()
dist.init()  # the second call must not stack a second hook
failing = int(sys.argv[1])
if dist.rank() == failing:
    raise ValueError(f"boom on purpose in rank {failing}")
dist.all_reduce(mg.ones(3))  # the others wait here for a rank that never comes
print(f"rank {dist.rank()} got past the collective", flush=True)
'''


@pytest.mark.parametrize("n, failing", [(2, 1), (2, 0), (3, 2)])
def test_a_failing_rank_aborts_every_rank(run_mpi, n, failing):
    start = time.perf_counter()
    job = run_mpi(FAILING, n, timeout=30, args=[failing])  # a hang fails the test at 30 s
    elapsed = time.perf_counter() - start
    assert job.returncode != 0
    assert f"rank {failing} failed:\nTraceback (most recent call last):" in job.stderr
    assert f"ValueError: boom on purpose in rank {failing}" in job.stderr
    assert f"rank {failing}: aborting all {n} ranks" in job.stderr
    assert job.stderr.count("failed:") == 1  # one hook, one failing rank
    assert "got past the collective" not in job.stdout  # the waiting ranks were ended, not released
    assert elapsed < 30


def test_a_script_that_raises_before_init_is_not_affected(run_mpi):
    # without init() no hook is installed: Python's own traceback, and the job ends as usual
    job = run_mpi("raise KeyError('plain')", 2, timeout=30)
    assert job.returncode != 0
    assert "KeyError: 'plain'" in job.stderr
    assert "failed:" not in job.stderr


NOT_JOINED = r'''
import os
import sys
import minigrad as mg
import minigrad.distributed as dist
from minigrad.errors import DistributedError

refused = []
for name, call in [("all_reduce", lambda: dist.all_reduce(mg.ones(2))), ("barrier", dist.barrier)]:
    try:
        call()
    except DistributedError as exc:
        refused.append(f"{name}: {exc}")
# one file per process (the ranks' stdout lines may interleave)
with open(os.path.join(sys.argv[1], f"{os.getpid()}.txt"), "w") as f:
    f.write("\n".join(refused))
'''


def test_a_collective_without_init_under_mpiexec_is_refused(run_mpi, tmp_path):
    # each rank would otherwise return its own input and train alone, silently
    job = run_mpi(NOT_JOINED, 2, timeout=30, args=[tmp_path])
    assert job.returncode == 0, job.stderr
    seen = [path.read_text().splitlines() for path in sorted(tmp_path.glob("*.txt"))]
    assert len(seen) == 2  # both ranks
    for lines in seen:
        assert [line.split(":")[0] for line in lines] == ["all_reduce", "barrier"]
        for name, line in zip(["all_reduce", "barrier"], lines):
            assert line.startswith(f"{name}: minigrad.distributed.{name} was called in a process that "
                                   "mpiexec started as one of 2 ($PMI_SIZE=2), but "
                                   "minigrad.distributed.init() has not run")
            assert line.endswith("Call minigrad.distributed.init() at the start of the script, "
                                 "before the first collective.")
