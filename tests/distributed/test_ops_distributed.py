"""The collectives in one process (no mpiexec, no init()): world size 1, where each returns its
input's value, its gradient checks, and its errors.

``GRADCHECKS`` registers the three collective ops with ``test_completeness.py``; in one process
their forward is the identity (all_gather adds a leading axis of 1) and their backward runs its
own collective, so ``minigrad.gradcheck`` exercises the Op code on the tape. The values across
ranks are checked in ``test_distributed_collectives.py``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributed as dist
from minigrad.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    OptionalDependencyError,
    UnsupportedDtypeError,
)
from minigrad.gradcheck import gradcheck

RNG = np.random.default_rng(13)
# distinct entries (no ties within a finite-difference step) for max and min
X = RNG.permutation(12).reshape(3, 4) * 0.5 + 0.1

GRADCHECKS = [
    ("all_reduce", lambda x: dist.all_reduce(x, "sum"), [RNG.standard_normal((3, 4))]),
    ("all_reduce", lambda x: dist.all_reduce(x, "mean"), [RNG.standard_normal((3, 4))]),
    ("all_reduce", lambda x: dist.all_reduce(x, "max"), [X]),
    ("all_reduce", lambda x: dist.all_reduce(x, "min"), [X]),
    ("all_gather", dist.all_gather, [RNG.standard_normal((2, 3))]),
    ("broadcast", lambda x: dist.broadcast(x, root=0), [RNG.standard_normal((2, 3))]),
]


@pytest.fixture(autouse=True)
def one_process():
    assert not dist.is_initialized(), "a test called minigrad.distributed.init() in pytest's process"


@pytest.mark.parametrize("op_name, f, inputs", GRADCHECKS,
                         ids=[f"{e[0]}-{k}" for k, e in enumerate(GRADCHECKS)])
def test_gradcheck(op_name, f, inputs):
    assert gradcheck(f, inputs)
    assert gradcheck(f, inputs, mode="full")
    assert gradcheck(f, inputs, order=2)


def test_a_job_of_one():
    assert (dist.is_initialized(), dist.rank(), dist.world_size()) == (False, 0, 1)
    assert dist.barrier() is None


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_all_reduce_returns_the_input_value(op, dtype):
    x = mg.tensor([[1, -2, 3], [4, 5, -6]], dtype=dtype)
    y = dist.all_reduce(x, op)
    assert (y.shape, y.dtype, y.device) == (x.shape, x.dtype, x.device)
    np.testing.assert_array_equal(y.numpy(), x.numpy())


def test_all_gather_adds_a_leading_axis_of_one():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = dist.all_gather(x)
    assert y.shape == (1, 3, 2)
    np.testing.assert_array_equal(y.numpy()[0], x.numpy())


def test_broadcast_and_buckets_return_the_input_values():
    x = mg.tensor([1.5, -2.5])
    np.testing.assert_array_equal(dist.broadcast(x).numpy(), [1.5, -2.5])
    arrays = [np.arange(6.0).reshape(2, 3), None, x]
    got = dist.all_reduce_arrays(arrays, "mean")
    assert got[1] is None and got[2] is x
    np.testing.assert_array_equal(got[0], np.arange(6.0).reshape(2, 3))


def test_gradients_in_one_process():
    # the loss of the only rank: d/dx sum(c * f(x)) is c (all_gather: its row 0)
    x = mg.tensor([3.0, -1.0, 2.0], dtype="float64")
    c = mg.tensor([1.0, 2.0, 4.0], dtype="float64")
    for f in (dist.all_reduce, lambda t: dist.all_reduce(t, "mean"), lambda t: dist.all_reduce(t, "max"),
              lambda t: dist.all_gather(t)[0], dist.broadcast):
        with mg.GradientTape() as tape:
            tape.watch(x)
            loss = (c * f(x)).sum()
        np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), [1.0, 2.0, 4.0])


@pytest.mark.parametrize("call", [
    lambda: dist.all_reduce(mg.ones(2), "avg"),
    lambda: dist.all_reduce_arrays([np.ones(2)], "avg"),
], ids=["all_reduce", "all_reduce_arrays"])
def test_an_unknown_reduction_is_named(call):
    expected = r"`op` must be one of 'sum', 'mean', 'max', 'min', got 'avg'"
    with pytest.raises(InvalidArgumentError, match=expected):
        call()


def test_a_bad_root_is_named():
    expected = (r"broadcast: `root` must be a rank, an integer in \[0, 0\], got 1: the job has 1 "
                r"rank\(s\) \(minigrad.distributed.init\(\) has not run")
    with pytest.raises(InvalidArgumentError, match=expected):
        dist.broadcast(mg.ones(2), root=1)
    expected = r"got -1.*Pass the rank that holds the value, e.g. root=0"
    with pytest.raises(InvalidArgumentError, match=expected):
        dist.broadcast(mg.ones(2), root=-1)
    with pytest.raises(ArgumentTypeError, match="broadcast: `root` must be an integer, got '0' of type str"):
        dist.broadcast(mg.ones(2), root="0")


def test_bools_cannot_be_reduced():
    expected = r"all_reduce: cannot reduce a tensor of dtype bool.*Cast it"
    with pytest.raises(UnsupportedDtypeError, match=expected):
        dist.all_reduce(mg.tensor([True, False]))
    expected = r"all_reduce_arrays: cannot reduce a tensor of dtype bool"
    with pytest.raises(UnsupportedDtypeError, match=expected):
        dist.all_reduce_arrays([np.ones(2), np.ones(2, dtype=bool)])


def test_a_tensor_argument_is_named():
    with pytest.raises(ArgumentTypeError, match="all_gather: `tensor`: cannot make a tensor from None"):
        dist.all_gather(None)


def test_init_without_mpi4py_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # `import mpi4py` raises ImportError
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    expected = r"minigrad.distributed.init needs the package 'mpi4py'.*pip install -e \"\.\[distributed\]\""
    with pytest.raises(OptionalDependencyError, match=expected):
        dist.init()
    assert not dist.is_initialized()


def test_importing_needs_no_mpi4py():
    # a fresh interpreter where mpi4py cannot be imported: the module loads (also as an attribute
    # of minigrad) and its collectives work in one process; only init() asks for mpi4py
    code = (
        "import sys; sys.modules['mpi4py'] = None\n"
        "import minigrad as mg\n"
        "assert 'minigrad.distributed' not in sys.modules\n"
        "y = mg.distributed.all_reduce(mg.tensor([1.0, 2.0]))\n"
        "print(y.numpy().tolist(), mg.distributed.world_size(), sys.modules['mpi4py'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[1.0,", "2.0]", "1", "None"]


def test_the_strategy_is_reachable_as_minigrad_distributed_data_parallel():
    import minigrad as mg
    from minigrad.data_parallel import DataParallel

    assert mg.distributed.DataParallel is DataParallel
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        mg.distributed.Nope  # noqa: B018
