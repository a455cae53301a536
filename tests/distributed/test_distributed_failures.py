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
