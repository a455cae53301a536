"""The timing method every benchmark shares.

Measured the way the issues ask: one thread for both libraries (set before
NumPy is imported, so run benchmarks as ``python -m benchmarks.NAME``), BLAS
warmed up with a 1024x1024 matmul, the two implementations interleaved, and
the median of their paired ratios reported, so a burst of load from another
process on a shared machine hits both sides of a pair alike.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def load_torch():
    """torch, set to one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def warm_up_blas() -> None:
    """NumPy's BLAS runs its first multiplies slowly; do one big one first."""
    a = np.ones((1024, 1024), dtype=np.float32)
    a @ a


def time_once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def paired(ours, theirs, repeats: int = 15, inner: int = 1, warmup: int = 2, sync=None) -> dict:
    """Time ``ours`` and ``theirs`` alternately and compare them.

    Args:
        ours, theirs: zero-argument callables doing one unit of work each.
        repeats: how many (ours, theirs) pairs to time.
        inner: calls per timing (for work units far below a millisecond).
        warmup: untimed calls of each before measuring.
        sync: None on the CPU. On a GPU, a zero-argument callable that waits until the
            device has finished all queued work: it is called before and after every
            timing (inside the clock for "after"), so that a timing covers the work the
            calls launched, not just the launching.

    Returns:
        dict with ``ours`` and ``theirs`` (median seconds per call) and ``ratio``
        (median of the paired ratios ours/theirs: below 1 means minigrad is faster).
    """
    for _ in range(warmup):
        ours()
        if theirs is not None:
            theirs()

    def run(fn):
        if sync is None:
            return time_once(lambda: [fn() for _ in range(inner)]) / inner
        sync()
        return time_once(lambda: ([fn() for _ in range(inner)], sync())) / inner

    ours_t, theirs_t, ratios = [], [], []
    for i in range(repeats):
        if theirs is None:
            ours_t.append(run(ours))
            continue
        if i % 2 == 0:  # alternate who goes first
            a, b = run(ours), run(theirs)
        else:
            b, a = run(theirs), run(ours)
        ours_t.append(a)
        theirs_t.append(b)
        ratios.append(a / b)
    return {
        "ours": statistics.median(ours_t),
        "theirs": statistics.median(theirs_t) if theirs_t else None,
        "ratio": statistics.median(ratios) if ratios else None,
    }


def report(rows: list[tuple[str, dict]], title: str) -> None:
    """Print a table: case, minigrad ms, torch ms, ratio."""
    print(f"\n{title}")
    print(f"{'case':<48} {'minigrad ms':>12} {'torch ms':>10} {'ratio':>7}")
    for name, r in rows:
        theirs = "-" if r["theirs"] is None else f"{r['theirs'] * 1e3:10.3f}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:7.2f}"
        print(f"{name:<48} {r['ours'] * 1e3:12.3f} {theirs:>10} {ratio:>7}")
    if json_path():
        save_json(rows)


def json_path() -> str | None:
    """PATH of a ``--json PATH`` argument: ``report`` also writes its rows there (None: not asked)."""
    args = sys.argv
    return args[args.index("--json") + 1] if "--json" in args[:-1] else None


_saved_rows: dict = {}  # every row this process reported: each save rewrites the whole file


def save_json(rows: list[tuple[str, dict]]) -> None:
    """Write the rows reported so far to ``json_path()``: ``{case: {"ours": s, "theirs": s,
    "ratio": ours/theirs}}`` (seconds per call; theirs and ratio null without torch)."""
    _saved_rows.update(dict(rows))
    with open(json_path(), "w") as f:
        json.dump(_saved_rows, f, indent=1)
