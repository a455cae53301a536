"""Data-parallel training step of an MLP on 1 and 2 MPI ranks, and the all-reduce's share of it.

    python -m benchmarks.distributed            # launches mpiexec -n 1 and -n 2 itself

The step is ``train_on_batch`` of the MLP 784-256-256-10 (ReLU, float32, SGD, sparse
categorical cross-entropy from logits) of ``benchmarks.train_step`` on a global batch of 128
rows, compiled under ``minigrad.distributed.DataParallel``: each rank takes its slice
(128 or 64 rows), runs forward and backward, then one all-reduce sums the gradients (one
bucket: the model's 269,322 float32 values, 1.08 MB) and one all-reduce sums the metrics'
states. Also timed: the same step in one process without the strategy. Every rank's BLAS
runs on one thread (benchmarks.common), so two ranks use two cores; on a machine whose
cores are busy with other work the two-rank numbers suffer first.

The all-reduce share is the time spent in those two collectives (measured inside the step,
on rank 0) over the step's time; with one rank they return at once. The speed-up is the
one-process step over the two-rank step, on the same global batch.
"""

from __future__ import annotations

from benchmarks import common  # first: one BLAS thread, set before NumPy loads

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import minigrad as mg
from benchmarks.train_step import mlp
from minigrad import distributed

GLOBAL_BATCH = 128
REPEATS = 30
REPO = Path(__file__).resolve().parents[1]


def make_model(strategy=None):
    mg.random.seed(0)
    model = mlp(bn=False)

    def compile_():
        model.compile(optimizer=mg.optimizers.SGD(0.01),
                      loss=mg.losses.SparseCategoricalCrossentropy(from_logits=True))
    if strategy is None:
        compile_()
    else:
        with strategy.scope():
            compile_()
    return model


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((GLOBAL_BATCH, 784), dtype=np.float32), rng.integers(0, 10, GLOBAL_BATCH)


def time_steps(model, x, y, strategy=None) -> dict:
    """Median seconds of a step, and of the collectives inside it (0 without a strategy)."""
    spent = [0.0]
    if strategy is not None:  # time the two collectives of a step where the step calls them
        for name in ("sum_gradients", "reduce_metric_results"):
            inner = getattr(strategy, name)

            def timed(*args, _inner=inner, **kwargs):
                start = time.perf_counter()
                try:
                    return _inner(*args, **kwargs)
                finally:
                    spent[0] += time.perf_counter() - start
            setattr(strategy, name, timed)
    for _ in range(3):  # warm-up (and the first step's weight broadcast)
        model.train_on_batch(x, y)
    steps, collectives = [], []
    for _ in range(REPEATS):
        if strategy is not None:
            distributed.barrier()  # start together, so a step does not time another rank's lag
        spent[0] = 0.0
        start = time.perf_counter()
        model.train_on_batch(x, y)
        steps.append(time.perf_counter() - start)
        collectives.append(spent[0])
    return {"step": statistics.median(steps), "all_reduce": statistics.median(collectives)}


def worker() -> None:
    """One rank of ``mpiexec -n N python -m benchmarks.distributed --worker``: rank 0 prints JSON."""
    from minigrad.data_parallel import DataParallel

    common.warm_up_blas()
    strategy = DataParallel()
    x, y = data()
    result = time_steps(make_model(strategy), x, y, strategy)
    if strategy.rank == 0:
        result["ranks"] = strategy.num_replicas_in_sync
        print("RESULT " + json.dumps(result), flush=True)


def mpiexec() -> str | None:
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def launch(ranks: int) -> dict:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([mpiexec(), "-n", str(ranks), sys.executable, "-m", "benchmarks.distributed",
                           "--worker"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"mpiexec -n {ranks} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return json.loads(lines[0][len("RESULT "):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    if parser.parse_args().worker:
        worker()
        return
    common.warm_up_blas()
    x, y = data()
    baseline = time_steps(make_model(), x, y)
    rows = [("1 process, no strategy", GLOBAL_BATCH, baseline)]
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        mpi4py = None
    if mpi4py is None or mpiexec() is None:
        print('mpi4py or mpiexec is missing (pip install -e ".[distributed]"): timing one process only.')
    else:
        for ranks in (1, 2):
            rows.append((f"mpiexec -n {ranks}, DataParallel", GLOBAL_BATCH // ranks, launch(ranks)))
    print(f"\nMLP 784-256-256-10 train_on_batch, float32, global batch {GLOBAL_BATCH}, "
          "1 BLAS thread per rank")
    print(f"{'case':<32} {'rows/rank':>9} {'step ms':>9} {'all-reduce ms':>14} {'share':>7} {'speed-up':>9}")
    for name, rows_per_rank, r in rows:
        share = r["all_reduce"] / r["step"]
        print(f"{name:<32} {rows_per_rank:>9} {r['step'] * 1e3:9.2f} {r['all_reduce'] * 1e3:14.3f} "
              f"{share:7.1%} {baseline['step'] / r['step']:9.2f}")


if __name__ == "__main__":
    main()
