"""BatchNormalization(synchronized=True) across MPI ranks (issue 13, point 3).

Each launch (``mpiexec -n 2``, ``-n 3``) runs every case of its table on the ranks at once
(``sync_bn_rank.py``: each rank takes its rows of one global batch); this process runs the
plain (two-pass, unsynchronized) layer on the whole batch and compares: the ranks' y and dx
side by side, their dgamma and dbeta summed (each rank's is its local contribution, which
a data-parallel strategy all-reduces), and every rank's moving statistics, which must be
bit-identical across ranks (they combine the same gathered moments in rank order).

Tolerances: float64 to 1e-12; float32 at mean 1e4 within 1e-5 relative to the largest
reference value of each array; float16 outputs within two float16 ulps of the largest.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from mpi_harness import run_mpi

import layers

WORKER = Path(__file__).with_name("sync_bn_rank.py")
_spec = importlib.util.spec_from_file_location("sync_bn_rank", WORKER)
sync_bn_rank = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_bn_rank)

QUANTITIES = ("y", "dx", "dgamma", "dbeta", "moving_mean", "moving_variance")

# name: (global shape, dtype, layer kwargs, mean of x, masked, kwargs of the one-process reference)
# (the reference is the plain layer, two-pass statistics, on the whole batch)
TWO_RANKS = {
    "dense": ((16, 5), "float64", {}, 3.0, False, None),
    "channels_last_rank4": ((16, 3, 2, 4), "float64", {}, -2.0, False, None),
    "channels_first_axis1": ((16, 4, 3, 2), "float64", {"axis": 1}, 1.0, False, None),
    "mask": ((16, 3, 4), "float64", {}, 5.0, True, None),
    "axis_list": ((16, 3, 2, 4), "float64", {"axis": [1, 3]}, 0.5, False, None),
    # ghost batch j of every rank is one synchronized ghost batch: v rows per rank, 2v in all,
    # which is the one-process layer with virtual_batch_size 2v on the whole batch
    "ghost_batches": ((16, 5), "float64", {"virtual_batch_size": 4}, 2.0, False,
                      {"virtual_batch_size": 8}),
    "float32_mean_1e4": ((16, 3, 2, 4), "float32", {}, 1e4, False, None),
    "float32_mean_1e4_mask": ((16, 6, 3), "float32", {}, 1e4, True, None),
    "float16": ((16, 6), "float16", {}, 2.0, False, None),
    # rank 0's rows all masked out: its moments have no weight and must not shift rank 1's
    "float32_mean_1e4_rank0_masked_out": ((16, 6, 3), "float32", {}, 1e4, "rank0_out", None),
}
THREE_RANKS_UNEVEN = {
    "dense": ((16, 5), "float64", {}, 3.0, False, None),
    "mask": ((16, 3, 4), "float64", {}, -1.0, True, None),
    "float32_mean_1e4": ((16, 3, 4), "float32", {}, 1e4, False, None),
}
BOUNDS = {2: [0, 8, 16], 3: [0, 6, 11, 16]}  # rows per rank: 8/8 and 6/5/5


def _arrays(name: str, shape: tuple, dtype: str, kwargs: dict, mean: float, masked) -> dict:
    """The global batch of a case, its upstream gradient, the layer's initial weights and
    (masked) a mask that leaves out about a third of the positions."""
    rng = np.random.default_rng(sum(map(ord, name)))
    layer = layers.BatchNormalization(dtype=dtype, **kwargs)
    layer.build(shape)
    weight_shape = layer.gamma.shape
    arrays = {
        "x": (mean + rng.standard_normal(shape) * 1.5).astype(dtype),
        "upstream": rng.standard_normal(shape),
        "gamma": (1 + 0.5 * rng.standard_normal(weight_shape)).astype(layer.gamma.dtype.name),
        "beta": rng.standard_normal(weight_shape),
        "moving_mean": rng.standard_normal(weight_shape),
        "moving_variance": 0.5 + rng.random(weight_shape),
    }
    for key in ("beta", "moving_mean", "moving_variance"):
        arrays[key] = arrays[key].astype(arrays["gamma"].dtype)
    if masked:
        axis = kwargs.get("axis", -1) % len(shape)
        arrays["mask"] = rng.random(tuple(s for i, s in enumerate(shape) if i != axis)) > 0.35
        if masked == "rank0_out":
            arrays["mask"][:BOUNDS[2][1]] = False
    return arrays


@pytest.fixture(scope="module")
def launched(tmp_path_factory) -> dict:
    """Both tables run under mpiexec, once per module (-n 2, then -n 3): {n: folder}."""
    folders = {}
    for n, table in ((2, TWO_RANKS), (3, THREE_RANKS_UNEVEN)):
        folder = tmp_path_factory.mktemp(f"sync_bn_{n}_ranks")
        _write_cases(folder, table, n)
        job = run_mpi(WORKER, n, timeout=120, args=(folder,))
        assert job.returncode == 0, f"mpiexec -n {n} failed:\n{job.stdout}\n{job.stderr}"
        folders[n] = folder
    return folders


@pytest.mark.parametrize("name", list(TWO_RANKS))
def test_two_ranks_of_8_rows_equal_one_process_of_16(launched, name):
    _compare(launched[2], TWO_RANKS, name, 2)


@pytest.mark.parametrize("name", list(THREE_RANKS_UNEVEN))
def test_three_ranks_of_6_5_5_rows_equal_one_process_of_16(launched, name):
    _compare(launched[3], THREE_RANKS_UNEVEN, name, 3)


def _write_cases(folder: Path, table: dict, n: int) -> None:
    for name, (shape, dtype, kwargs, mean, masked, _) in table.items():
        spec = {"dtype": dtype, "kwargs": kwargs, "bounds": BOUNDS[n]}
        (folder / f"case_{name}.json").write_text(json.dumps(spec))
        np.savez(folder / f"case_{name}.npz", **_arrays(name, shape, dtype, kwargs, mean, masked))


def _tolerance(dtype: str, reference: np.ndarray) -> dict:
    scale = float(np.max(np.abs(reference)))
    if dtype == "float64":
        return {"rtol": 1e-12, "atol": 1e-12 * max(scale, 1.0)}
    if dtype == "float32":
        return {"rtol": 0, "atol": 1e-5 * scale}
    return {"rtol": 0, "atol": 2 * float(np.finfo(np.float16).eps) * scale}


def _compare(folder: Path, table: dict, name: str, n: int) -> None:
    shape, dtype, kwargs, mean, masked, reference_kwargs = table[name]
    spec = json.loads((folder / f"case_{name}.json").read_text())
    with np.load(folder / f"case_{name}.npz") as stored:
        arrays = dict(stored)
    reference = sync_bn_rank.run_layer(spec, arrays, slice(None), synchronized=False,
                                       kwargs=reference_kwargs)
    ranks = []
    for rank in range(n):
        with np.load(folder / f"case_{name}.rank{rank}.npz") as result:
            ranks.append(dict(result))
    got = {
        "y": np.concatenate([r["y"] for r in ranks]),
        "dx": np.concatenate([r["dx"] for r in ranks]),
        "dgamma": sum(r["dgamma"] for r in ranks),
        "dbeta": sum(r["dbeta"] for r in ranks),
        "moving_mean": ranks[0]["moving_mean"],
        "moving_variance": ranks[0]["moving_variance"],
    }
    for quantity in QUANTITIES:
        assert got[quantity].dtype == reference[quantity].dtype, (name, quantity)
        # float16 case: y and dx are float16, the parameters' gradients and statistics float32
        np.testing.assert_allclose(got[quantity], reference[quantity],
                                   err_msg=f"{name}: {quantity} on {n} ranks vs one process",
                                   **_tolerance(got[quantity].dtype.name, reference[quantity]))
    for rank in ranks[1:]:  # every rank combined the same gathered moments in the same order
        np.testing.assert_array_equal(rank["moving_mean"], ranks[0]["moving_mean"])
        np.testing.assert_array_equal(rank["moving_variance"], ranks[0]["moving_variance"])


def test_synchronized_refuses_fused_true_as_keras_does():
    from minigrad.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="`fused=True` is not supported when `synchronized=True`"
                       ".*Pass fused=False or None"):
        layers.BatchNormalization(synchronized=True, fused=True)
