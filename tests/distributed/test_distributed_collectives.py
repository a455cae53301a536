"""The collectives on 2 and 3 MPI ranks, against values worked out by hand.

One script runs every case on each rank and writes what it saw to ``rank<r>.json``; the
module-scoped fixture launches it once per world size (2, and 3 for an odd count), and each test
reads its part. Rank ``r`` of ``n`` holds ``x_r = [r+1, -2(r+1), 10r, 5]`` (the last entry ties
on every rank) and its loss is ``sum(c_r * y)`` with ``c_r = (r+1) [1, 2, 3, 4]``, so the
gradient of the sum of every rank's loss involves ``C = sum_r c_r = S [1, 2, 3, 4]`` with
``S = n(n+1)/2`` (3 on 2 ranks, 6 on 3 ranks).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from mpi_harness import run_mpi

SCRIPT = r'''
import json, sys
from pathlib import Path
import numpy as np
import minigrad as mg
import minigrad.distributed as dist
from minigrad.errors import InvalidArgumentError

dist.init()
dist.init()  # idempotent
r, n = dist.rank(), dist.world_size()
out = {"rank": r, "world_size": n, "initialized": dist.is_initialized()}
F64 = "float64"


def vec():
    return mg.tensor([r + 1.0, -2.0 * (r + 1), 10.0 * r, 5.0], dtype=F64)


def listed(t):
    return None if t is None else np.asarray(t.numpy() if isinstance(t, mg.Tensor) else t).tolist()


c = mg.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64) * (r + 1)
c_gather = mg.tensor((10.0 * np.arange(n)[:, None] + np.arange(1.0, 5.0)) * (r + 1), dtype=F64)

# values and first gradients
for op in ("sum", "mean", "max", "min"):
    x = vec()
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = dist.all_reduce(x, op)
        loss = (c * y).sum()
    out[op], out["grad_" + op] = listed(y), listed(tape.gradient(loss, x))
x = vec()
with mg.GradientTape() as tape:
    tape.watch(x)
    y = dist.all_gather(x)
    loss = (c_gather * y).sum()
out["gather"], out["grad_gather"] = listed(y), listed(tape.gradient(loss, x))
x = vec()
with mg.GradientTape() as tape:
    tape.watch(x)
    y = dist.broadcast(x, root=n - 1)
    loss = (c * y).sum()
out["broadcast"], out["grad_broadcast"] = listed(y), listed(tape.gradient(loss, x))

# a second derivative through all_reduce: M = sum over ranks of sum(dL_r/dx_r), L_r = sum(c_r y^2)
x = vec()
with mg.GradientTape() as outer:
    outer.watch(x)
    with mg.GradientTape() as inner:
        inner.watch(x)
        loss = (c * dist.all_reduce(x) ** 2).sum()
    m = inner.gradient(loss, x).sum()
out["second_order"] = listed(outer.gradient(m, x))

# dtypes
out["float32_sum"] = [listed(y := dist.all_reduce(vec().astype("float32"))), str(y.dtype)]
out["int_sum"] = [listed(y := dist.all_reduce(mg.tensor([r + 1, 2 * (r + 1)], dtype="int64"))), str(y.dtype)]

# buckets
for op in ("sum", "mean"):
    arrays = [np.full((2, 3), r + 1.0), None, np.arange(3, dtype=np.float32) * (r + 1),
              mg.tensor(np.ones(2) * (r + 1), dtype=F64)]
    before = [None if a is None else np.array(a, copy=True) for a in arrays]
    got = dist.all_reduce_arrays(arrays, op)
    out["arrays_" + op] = [listed(a) for a in got]
    out["arrays_kinds_" + op] = [type(a).__name__ + ("" if a is None else "/" + str(a.dtype)) for a in got]
    out["arrays_untouched_" + op] = all(
        b is None or np.array_equal(np.asarray(a), b) for a, b in zip(arrays, before))

# errors: raised on every rank, so the job goes on
def error(f):
    try:
        f()
    except InvalidArgumentError as exc:
        return str(exc)
    return None

out["gather_mismatch"] = error(lambda: dist.all_gather(mg.zeros((r + 1, 2))))
out["broadcast_mismatch"] = error(lambda: dist.broadcast(mg.zeros((2, r + 1))))
out["bad_root"] = error(lambda: dist.broadcast(vec(), root=n))
out["after_errors"] = listed(dist.all_reduce(vec()))  # still in step


# finite differences across ranks: d(sum of every rank's loss)/dx_q[i], every rank perturbing
# in step (only rank q moves its x); the entries are at least 0.5 apart across ranks: no ties
def fd_check(name, f, weights):
    base = np.array([0.3, -1.2, 2.0, 0.7]) + 0.5 * r * np.array([1.0, -1.0, 1.0, -1.0])

    def total(values):
        with mg.no_recording():
            local = (weights * mg.tanh(f(mg.tensor(values, dtype=F64)) / 3)).sum()
        return dist.all_reduce(local).item()

    fd = np.zeros((n, 4))
    h = 1e-6
    for q in range(n):
        for i in range(4):
            step = np.zeros(4)
            step[i] = h if r == q else 0.0
            fd[q, i] = (total(base + step) - total(base - step)) / (2 * h)
    x = mg.tensor(base, dtype=F64)
    with mg.GradientTape() as tape:
        tape.watch(x)
        loss = (weights * mg.tanh(f(x) / 3)).sum()
    out["fd_" + name] = [fd[r].tolist(), listed(tape.gradient(loss, x))]


for op in ("sum", "mean", "max", "min"):
    fd_check(op, lambda x, op=op: dist.all_reduce(x, op), c)
fd_check("gather", dist.all_gather, c_gather)
fd_check("broadcast", lambda x: dist.broadcast(x, root=n - 1), c)

# CuPy arrays without a CUDA-aware MPI: host copies (the stand-in of tests/fake_cupy.py)
sys.path.insert(0, str(Path(mg.__file__).resolve().parents[1] / "tests"))
from fake_cupy import FakeCupy
from minigrad import backend

backend.use_cupy(FakeCupy())
xc = mg.tensor(vec().numpy(), device="cuda")
got = [dist.all_reduce(xc, "max"), dist.all_gather(xc), dist.broadcast(xc, root=n - 1),
       dist.all_reduce_arrays([xc])[0]]
out["cuda"] = [[t.device, listed(t.to("cpu"))] for t in got]

Path(sys.argv[1], f"rank{r}.json").write_text(json.dumps(out))
'''


@pytest.fixture(scope="module", params=[2, 3], ids=lambda n: f"{n}ranks")
def ranks(request, tmp_path_factory) -> list:
    """What each rank saw, by rank, for a job of 2 or 3 ranks."""
    n = request.param
    folder = tmp_path_factory.mktemp(f"collectives{n}")
    job = run_mpi(SCRIPT, n, timeout=60, args=[folder])
    assert job.returncode == 0, job.stderr
    return [json.loads((folder / f"rank{r}.json").read_text()) for r in range(n)]


def close(got, expected, tol=1e-12):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float),
                               rtol=tol, atol=tol)


VALUES = {
    2: {"sum": [3, -6, 10, 10], "mean": [1.5, -3, 5, 5], "max": [2, -2, 10, 5], "min": [1, -4, 0, 5]},
    3: {"sum": [6, -12, 30, 15], "mean": [2, -4, 10, 5], "max": [3, -2, 20, 5], "min": [1, -6, 0, 5]},
}
# per rank: sum gives C on every rank, mean C / n; max and min give C[i] to the rank holding the
# extremum of entry i, and split the tied entry 3 evenly (C[3] / n each)
GRADIENTS = {
    2: {"sum": [[3, 6, 9, 12]] * 2, "mean": [[1.5, 3, 4.5, 6]] * 2,
        "max": [[0, 6, 0, 6], [3, 0, 9, 6]], "min": [[3, 0, 9, 6], [0, 6, 0, 6]]},
    3: {"sum": [[6, 12, 18, 24]] * 3, "mean": [[2, 4, 6, 8]] * 3,
        "max": [[0, 12, 0, 8], [0, 0, 0, 8], [6, 0, 18, 8]],
        "min": [[6, 0, 18, 8], [0, 0, 0, 8], [0, 12, 0, 8]]},
}


def x_of(r):
    return [r + 1, -2 * (r + 1), 10 * r, 5]


def test_init_rank_and_world_size(ranks):
    n = len(ranks)
    assert [(s["rank"], s["world_size"], s["initialized"]) for s in ranks] == [(r, n, True) for r in range(n)]


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
def test_all_reduce_values(ranks, op):
    for seen in ranks:
        close(seen[op], VALUES[len(ranks)][op])


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
def test_all_reduce_gradients(ranks, op):
    for r, seen in enumerate(ranks):
        close(seen["grad_" + op], GRADIENTS[len(ranks)][op][r])


def test_all_gather_values_and_gradient(ranks):
    n = len(ranks)
    s = n * (n + 1) // 2
    for r, seen in enumerate(ranks):
        close(seen["gather"], [x_of(q) for q in range(n)])
        # loss_q = sum(c_gather_q * y), c_gather_q[s', i] = (q+1)(10 s' + i + 1): row r of sum_q
        close(seen["grad_gather"], [s * (10 * r + i + 1) for i in range(4)])


def test_broadcast_values_and_gradient(ranks):
    n = len(ranks)
    for r, seen in enumerate(ranks):
        close(seen["broadcast"], x_of(n - 1))
        expected = GRADIENTS[n]["sum"][r] if r == n - 1 else [0, 0, 0, 0]  # all to the root
        close(seen["grad_broadcast"], expected)


def test_second_derivative_through_all_reduce(ranks):
    # L_r = sum(c_r y^2), y = sum_q x_q: dL/dx_r = 2 y C on every rank; M = sum_r sum(2 y C),
    # so dM/dx_r = 2 n C
    n = len(ranks)
    s = n * (n + 1) // 2
    for seen in ranks:
        close(seen["second_order"], [2 * n * s * k for k in (1, 2, 3, 4)])


def test_dtypes_are_kept(ranks):
    n = len(ranks)
    s = n * (n + 1) // 2
    for seen in ranks:
        close(seen["float32_sum"][0], VALUES[n]["sum"])
        assert seen["float32_sum"][1] == "float32"
        assert seen["int_sum"] == [[s, 2 * s], "int64"]


@pytest.mark.parametrize("op", ["sum", "mean"])
def test_all_reduce_arrays(ranks, op):
    n = len(ranks)
    s = n * (n + 1) / 2 / (n if op == "mean" else 1)
    for seen in ranks:
        got = seen["arrays_" + op]
        close(got[0], np.full((2, 3), s))
        assert got[1] is None
        close(got[2], np.arange(3) * s)
        close(got[3], np.ones(2) * s)
        assert seen["arrays_kinds_" + op] == ["ndarray/float64", "NoneType", "ndarray/float32",
                                             "Tensor/float64"]
        assert seen["arrays_untouched_" + op]


def test_mismatched_shapes_raise_on_every_rank(ranks):
    n = len(ranks)
    gather_shapes = ", ".join(f"rank {r}: shape ({r + 1}, 2) float32" for r in range(n))
    broadcast_shapes = ", ".join(f"rank {r}: shape (2, {r + 1}) float32" for r in range(n))
    for seen in ranks:
        same = "`tensor` must have the same shape and dtype on every rank"
        assert f"minigrad.distributed.all_gather: {same}" in seen["gather_mismatch"]
        assert gather_shapes in seen["gather_mismatch"]
        assert "broadcast: `tensor` must have the same shape" in seen["broadcast_mismatch"]
        assert broadcast_shapes in seen["broadcast_mismatch"]
        assert f"`root` must be a rank, an integer in [0, {n - 1}], got {n}: the job has {n} rank(s). " \
            in seen["bad_root"]
        close(seen["after_errors"], VALUES[n]["sum"])


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "gather", "broadcast"])
def test_gradients_match_finite_differences_across_ranks(ranks, name):
    for seen in ranks:
        fd, analytic = seen["fd_" + name]
        np.testing.assert_allclose(analytic, fd, rtol=1e-7, atol=1e-9)  # central differences, h=1e-6


def test_cuda_arrays_go_through_host_copies(ranks):
    n = len(ranks)
    s = n * (n + 1) // 2
    for seen in ranks:
        (d1, y1), (d2, y2), (d3, y3), (d4, y4) = seen["cuda"]
        assert (d1, d2, d3, d4) == ("cuda",) * 4
        close(y1, VALUES[n]["max"])
        close(y2, [x_of(q) for q in range(n)])
        close(y3, x_of(n - 1))
        close(y4, [s, -2 * s, VALUES[n]["sum"][2], 5 * n])
