"""minigrad.set_num_threads / get_num_threads: the CPU BLAS thread pool, through threadpoolctl."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, OptionalDependencyError


@pytest.fixture
def threadpoolctl():
    """threadpoolctl (the ``threads`` extra, also in ``test``), with the BLAS threads restored after."""
    module = pytest.importorskip("threadpoolctl", reason='the threads extra: pip install -e ".[threads]"')
    before = mg.get_num_threads()
    yield module
    mg.set_num_threads(before)


def blas_threads(threadpoolctl) -> list[int]:
    return [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]


def test_set_num_threads_sets_numpys_blas(threadpoolctl):
    assert blas_threads(threadpoolctl), "NumPy's BLAS was not found by threadpoolctl"
    mg.set_num_threads(1)
    assert mg.get_num_threads() == 1
    assert blas_threads(threadpoolctl) == [1] * len(blas_threads(threadpoolctl))
    mg.set_num_threads(2)
    assert mg.get_num_threads() == 2 and set(blas_threads(threadpoolctl)) == {2}
    a = np.arange(64.0).reshape(8, 8)
    np.testing.assert_array_equal(mg.matmul(mg.tensor(a), mg.tensor(np.eye(8))).numpy(), a)  # still computes


def test_the_last_call_wins_from_any_python_thread(threadpoolctl):
    # the BLAS pool is process-wide; threadpoolctl 3.8 would ignore a second thread silently
    mg.set_num_threads(1)
    seen = []
    worker = threading.Thread(target=lambda: (mg.set_num_threads(2), seen.append(mg.get_num_threads())))
    worker.start()
    worker.join()
    assert seen == [2] and mg.get_num_threads() == 2
    mg.set_num_threads(1)
    assert mg.get_num_threads() == 1


@pytest.mark.parametrize("n, error, fragment", [
    (0, InvalidArgumentError, r"`n` must be an integer >= 1, got 0"),
    (-2, InvalidArgumentError, r"`n` must be an integer >= 1, got -2"),
    (1.5, ArgumentTypeError, r"`n` must be an integer, got 1.5"),
    (True, ArgumentTypeError, r"`n` must be an integer, got True"),
    ("4", ArgumentTypeError, r"`n` must be an integer, got '4'"),
    (None, ArgumentTypeError, r"`n` must be an integer, got None"),
])
def test_bad_thread_counts_raise_named_errors(n, error, fragment):
    with pytest.raises(error, match=rf"set_num_threads: {fragment}"):
        mg.set_num_threads(n)


def test_without_threadpoolctl_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)
    with pytest.raises(OptionalDependencyError,
                       match=r"minigrad.set_num_threads needs the package 'threadpoolctl'.*\.\[threads\]"):
        mg.set_num_threads(1)
    with pytest.raises(ImportError, match=r"get_num_threads needs the package 'threadpoolctl'"):
        mg.get_num_threads()
