"""Collectives across processes with MPI (mpi4py): the ground data-parallel training stands on.

Launch one process per worker with ``mpiexec -n 2 python train.py``; each calls ``init()`` and
then sees its ``rank()`` among ``world_size()`` processes. The collectives take a Tensor on every
rank and return one on every rank::

    import minigrad.distributed as dist
    dist.init()
    total = dist.all_reduce(x)          # x summed over the ranks, on every rank
    stacked = dist.all_gather(x)        # shape (world_size, *x.shape)
    w = dist.broadcast(w, root=0)       # rank 0's value everywhere

The derivative table (each output on every rank; the loss is the sum of every rank's loss, so a
gradient flows back from every rank's copy of the output; ``g`` is this rank's output gradient)::

    collective          y (on every rank)        dL/dx (on rank r)
    all_reduce sum      sum_s x_s                all_reduce(g, "sum")
    all_reduce mean     sum_s x_s / n            all_reduce(g, "mean")
    all_reduce max/min  max_s x_s / min_s x_s    all_reduce(g, "sum") * [x_r == y] / #{s: x_s == y}
    all_gather          stack(x_0 ... x_{n-1})   all_reduce(g, "sum")[r]
    broadcast           x_root                   all_reduce(g, "sum") on the root, 0 elsewhere

Rules of a collective, as in MPI: every rank calls the same collectives in the same order, with
tensors of the same shape and dtype (``all_gather`` and ``broadcast`` check the shapes and raise on
every rank; ``all_reduce`` does not, since a check would cost a second message on the hot path: a
size mismatch makes MPI fail with "Message truncated", and the job ends). A backward pass calls
collectives too, so every rank must take the gradient of a loss that depends on the collective's
output.

Without ``init()`` (one process, no MPI) ``rank()`` is 0, ``world_size()`` 1 and every collective
returns its input's value (``all_gather`` with a leading axis of 1), so the same script runs in one
process with no MPI installed. A process that ``mpiexec`` started among several must call ``init()``
first: there a collective without it raises DistributedError rather than compute alone.

mpi4py is imported by ``init()`` only; without it, ``init()`` raises OptionalDependencyError naming
the ``distributed`` extra (``pip install -e ".[distributed]"`` installs mpi4py and MPICH, whose
``mpiexec`` launches the processes).

GPU tensors (CuPy): when the MPI library is CUDA-aware (``MPI.Query_cuda_support()``), device
buffers are handed to MPI directly (mpi4py reads ``__cuda_array_interface__``); otherwise each
collective copies the data to the host, communicates, and copies the result back. MPICH from PyPI
is not CUDA-aware, so the host copies are what runs here; the direct path cannot be tested here.

Failures: ``init()`` installs an excepthook so that an uncaught exception on any rank prints
``rank N failed:`` and its traceback, then calls ``MPI.COMM_WORLD.Abort(1)``, which ends every rank
(the others would otherwise wait forever in their next collective). ``sys.exit(code)`` is not an
exception the hook sees: to stop a job from one rank, raise an exception.
"""

from __future__ import annotations

import os
import sys
import time
import traceback

import numpy

from minigrad import _optional, backend
from minigrad.errors import DistributedError, InvalidArgumentError, UnsupportedDtypeError
from minigrad.ops.base import Op, apply
from minigrad.ops.elementwise import cast, equal
from minigrad.tensor import Tensor, as_tensor_argument
from minigrad.validation import check_int, check_one_of

__all__ = [
    "init", "is_initialized", "rank", "world_size", "barrier",
    "all_reduce", "all_gather", "broadcast", "all_reduce_arrays",
]

REDUCE_OPS = ("sum", "mean", "max", "min")

# The process's MPI state, set once by init(): the communicator, its rank and size, mpi4py's MPI
_comm = None
_rank = 0
_size = 1
_MPI = None
_cuda_aware = False


# -- the process group ---------------------------------------------------------------
def init() -> None:
    """Join the MPI job this process was launched in (``mpiexec -n N python script.py``).

    Idempotent: later calls do nothing. Run without ``mpiexec``, the process is a job of one
    (``world_size() == 1``). Installs ``sys.excepthook`` so that an uncaught exception on any
    rank prints ``rank N failed:`` with its traceback and aborts every rank of the job.

    Raises:
        OptionalDependencyError: if mpi4py (or the MPI library it loads) is not installed;
            install minigrad's ``distributed`` extra: ``pip install -e ".[distributed]"``.
    """
    global _comm, _rank, _size, _MPI, _cuda_aware
    if _comm is not None:
        return
    _MPI = _optional.require("mpi4py.MPI", package="mpi4py", extra="distributed",
                             purpose="minigrad.distributed.init")
    _comm = _MPI.COMM_WORLD
    _rank, _size = _comm.Get_rank(), _comm.Get_size()
    query = getattr(_MPI, "Query_cuda_support", None)
    _cuda_aware = bool(query()) if query is not None else False
    _install_excepthook()


def is_initialized() -> bool:
    """True once ``init()`` has run in this process."""
    return _comm is not None


def rank() -> int:
    """This process's rank, 0 to ``world_size() - 1`` (0 before ``init()``)."""
    return _rank


def world_size() -> int:
    """The number of processes in the job (1 before ``init()``)."""
    return _size


def barrier() -> None:
    """Wait until every rank has reached this call (nothing to wait for in one process).

    Raises:
        DistributedError: if mpiexec started this process among several and ``init()`` has not run.
    """
    _check_joined("minigrad.distributed.barrier")
    if _comm is not None:
        _comm.Barrier()


_ABORT_PAUSE = 0.2  # seconds between a failed rank's report and its abort


def _install_excepthook() -> None:
    """On an uncaught exception: print it with the rank, then abort the whole job."""
    previous = sys.excepthook
    if getattr(previous, "_minigrad_distributed", False):
        return

    def abort_job(exc_type, exc, tb):
        try:
            report = "".join(traceback.format_exception(exc_type, exc, tb))
            # one write, then a pause: the launcher forwards the report before the abort tears
            # the job down (without it, mpiexec was seen to drop the traceback's last lines)
            sys.stderr.write(f"rank {_rank} failed:\n{report}"
                             f"rank {_rank}: aborting all {_size} ranks (MPI.COMM_WORLD.Abort(1))\n")
            sys.stderr.flush()
            time.sleep(_ABORT_PAUSE)
        finally:
            _comm.Abort(1)

    abort_job._minigrad_distributed = True
    sys.excepthook = abort_job


#: Environment variables in which MPI launchers (MPICH/Intel MPI's Hydra, Open MPI, MVAPICH) give
#: the number of processes they started
_LAUNCHER_SIZE = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


def _check_joined(where: str) -> None:
    """Refuse a collective in a process that mpiexec started among several but that never joined.

    Without ``init()`` a collective returns its input, which is right in one process and
    silently wrong in a job of several (each rank would train on its own).
    """
    if _comm is None:
        for name in _LAUNCHER_SIZE:
            launched = os.environ.get(name, "")
            if launched.isdigit() and int(launched) > 1:
                raise DistributedError(
                    f"{where} was called in a process that mpiexec started as one of {launched} "
                    f"(${name}={launched}), but minigrad.distributed.init() has not run, so this "
                    "rank would compute alone. Call minigrad.distributed.init() at the start of "
                    "the script, before the first collective."
                )


# -- moving buffers: CUDA-aware MPI or host copies -------------------------------------
def _outbound(a):
    """``a`` as a contiguous buffer MPI can read, and the function that brings a result home.

    NumPy arrays go as they are; CuPy arrays go as device buffers to a CUDA-aware MPI (after
    the stream has finished writing them) and as host copies otherwise.
    """
    xp = backend.array_module(a)
    if xp is numpy:
        return numpy.ascontiguousarray(a), _same
    if _cuda_aware:
        a = xp.ascontiguousarray(a)
        _synchronize(a)
        return a, _same
    return numpy.ascontiguousarray(backend.to_device(a, "cpu")), _to_cuda


def _synchronize(a) -> None:
    """Wait until the GPU has written device array ``a`` (before MPI reads it); host: nothing."""
    xp = backend.array_module(a)
    if xp is not numpy:
        xp.cuda.get_current_stream().synchronize()


def _same(a):
    return a


def _to_cuda(a):
    return backend.to_device(a, "cuda")


def _copy(a):
    return a.copy()


#: Host receive buffers of this many bytes or more are one reused scratch array per dtype
_SCRATCH_BYTES = 1 << 17
_scratch: dict = {}  # dtype.str -> the largest host receive buffer used so far


def _receive_buffer(like, shape: tuple):
    """A buffer of ``shape`` and ``like``'s dtype for MPI to write into, on ``like``'s side (host,
    or device for a CUDA-aware MPI), and ``keep``, which makes it an array the caller owns.

    Measured with MPICH: a collective into a large buffer it has not seen before (fresh memory)
    takes about twice as long as into one it has (0.5 ms against 0.23 ms, copy included, for
    400 kB on 2 ranks), so host buffers of 128 kB and more are a reused scratch array that
    ``keep`` copies out.
    """
    xp = backend.array_module(like)
    size = 1
    for s in shape:
        size *= s
    if xp is not numpy or size * like.itemsize < _SCRATCH_BYTES:
        return xp.empty(shape, dtype=like.dtype), _same
    scratch = _scratch.get(like.dtype.str)
    if scratch is None or scratch.size < size:
        scratch = _scratch[like.dtype.str] = numpy.empty(size, dtype=like.dtype)
    return scratch[:size].reshape(shape), _copy


def _divide(out, n: int):
    """``out / n``, in place for a float array the caller owns (an int array gives floats)."""
    if out.dtype.kind in "fc":
        out /= n
        return out
    return out / n


def _mpi_op(op: str):
    return {"sum": _MPI.SUM, "mean": _MPI.SUM, "max": _MPI.MAX, "min": _MPI.MIN}[op]


def _check_reducible(where: str, dtype) -> None:
    if dtype.kind not in "fiuc":
        raise UnsupportedDtypeError(
            f"{where}: cannot reduce a tensor of dtype {dtype} across ranks: MPI sums, maxima and "
            "minima are defined on numbers. Cast it first, e.g. `x.astype('int32')` for a bool mask."
        )


def _check_same_shapes(where: str, name: str, a) -> None:
    """Raise on every rank when the ranks' arrays differ in shape or dtype.

    One small buffer allgather (``[ndim, dtype code, *shape]`` as int64; cheaper than pickling)
    tells every rank every rank's shape, so all of them raise together, naming each shape.
    """
    mine = numpy.zeros(2 + _MAX_DIMS, dtype=numpy.int64)
    mine[0], mine[1] = a.ndim, ord(a.dtype.char)
    mine[2:2 + a.ndim] = a.shape
    every = numpy.empty((_size, mine.size), dtype=numpy.int64)
    _comm.Allgather(mine, every)
    if (every != mine).any():
        listed = ", ".join(
            f"rank {r}: shape {tuple(int(s) for s in row[2:2 + row[0]])} {numpy.dtype(chr(row[1]))}"
            for r, row in enumerate(every))
        raise InvalidArgumentError(
            f"{where}: `{name}` must have the same shape and dtype on every rank, got {listed}. "
            "Give every rank a tensor of one shape (pad or split the data evenly), or gather the "
            "pieces with all_gather after padding them to a common shape."
        )


_MAX_DIMS = 64  # NumPy's limit


# -- all_reduce ---------------------------------------------------------------------------
class AllReduce(Op):
    """``y = x_0 (op) x_1 (op) ... x_{n-1}`` on every rank; ``op`` one of sum, mean, max, min."""

    name = "all_reduce"

    @staticmethod
    def forward(ctx, x, *, reduction):
        ctx.op = op = reduction
        if _size == 1:
            return x
        buf, home = _outbound(x)
        out, keep = _receive_buffer(buf, buf.shape)
        _comm.Allreduce(buf, out, op=_mpi_op(op))
        out = keep(out)
        return home(_divide(out, _size) if op == "mean" else out)

    @staticmethod
    def backward(ctx, g):
        if ctx.op in ("sum", "mean"):
            return all_reduce(g, ctx.op)
        # max, min: the summed gradient goes to the ranks that hold the extremum (ties share it)
        hit = cast(equal(ctx.inputs[0], ctx.output), g.dtype)
        return all_reduce(g, "sum") * hit / all_reduce(hit, "sum")


def all_reduce(tensor, op: str = "sum") -> Tensor:
    """Combine ``tensor`` across the ranks; every rank gets the result.

    Args:
        tensor: a Tensor (or array-like) of the same shape and dtype on every rank.
        op: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.

    Returns:
        A Tensor of ``tensor``'s shape: the elementwise sum, mean, maximum or minimum over the
        ranks (``tensor``'s value in one process). Differentiable: the gradient of the sum of
        every rank's loss (see the module's derivative table).

    Raises:
        InvalidArgumentError: if ``op`` is not one of the four.
        UnsupportedDtypeError: for a bool tensor.
        DistributedError: if mpiexec started this process among several and ``init()`` has not run.
    """
    where = "minigrad.distributed.all_reduce"
    check_one_of("op", op, REDUCE_OPS, where=where)
    tensor = as_tensor_argument("tensor", tensor, where=where)
    _check_reducible(where, tensor.dtype)
    _check_joined(where)
    return apply(AllReduce, tensor, reduction=op)


# -- all_gather ---------------------------------------------------------------------------
class AllGather(Op):
    """``y = stack(x_0, ..., x_{n-1})`` along a new leading axis, on every rank."""

    name = "all_gather"

    @staticmethod
    def forward(ctx, x):
        if _size == 1:
            return x[None]
        _check_same_shapes("minigrad.distributed.all_gather", "tensor", x)
        buf, home = _outbound(x)
        out, keep = _receive_buffer(buf, (_size, *buf.shape))
        _comm.Allgather(buf, out)
        return home(keep(out))

    @staticmethod
    def backward(ctx, g):
        return all_reduce(g, "sum")[_rank]


def all_gather(tensor) -> Tensor:
    """Every rank's ``tensor``, stacked along a new leading axis, on every rank.

    Args:
        tensor: a Tensor (or array-like) of the same shape and dtype on every rank.

    Returns:
        A Tensor of shape ``(world_size(), *tensor.shape)`` whose row ``r`` is rank ``r``'s
        tensor. Differentiable: rank ``r``'s gradient is row ``r`` of the sum of every
        rank's output gradient.

    Raises:
        InvalidArgumentError: on every rank, if the ranks' tensors differ in shape or dtype
            (the message lists each rank's shape).
        DistributedError: if mpiexec started this process among several and ``init()`` has not run.
    """
    where = "minigrad.distributed.all_gather"
    tensor = as_tensor_argument("tensor", tensor, where=where)
    _check_joined(where)
    return apply(AllGather, tensor)


# -- broadcast ----------------------------------------------------------------------------
class Broadcast(Op):
    """``y = x_root`` on every rank."""

    name = "broadcast"

    @staticmethod
    def forward(ctx, x, *, root):
        ctx.root = root
        if _size == 1:
            return x
        _check_same_shapes("minigrad.distributed.broadcast", "tensor", x)
        sent, home = _outbound(x)
        buf, keep = _receive_buffer(sent, sent.shape)  # never write into the input
        if _rank == root:
            buf[...] = sent
            _synchronize(buf)
        _comm.Bcast(buf, root=root)
        return home(keep(buf))

    @staticmethod
    def backward(ctx, g):
        total = all_reduce(g, "sum")
        return total if _rank == ctx.root else total * 0


def broadcast(tensor, root: int = 0) -> Tensor:
    """Rank ``root``'s ``tensor`` on every rank (e.g. the initial weights from rank 0).

    Args:
        tensor: a Tensor (or array-like) of the same shape and dtype on every rank (the other
            ranks' values are ignored; they give the shape of the result).
        root: the rank whose value is sent, ``0 <= root < world_size()``.

    Returns:
        A Tensor holding root's value. Differentiable: the root's gradient is the sum of every
        rank's output gradient; the other ranks' gradient is zero.

    Raises:
        InvalidArgumentError: if ``root`` is out of range, or (on every rank) if the ranks'
            tensors differ in shape or dtype.
        ArgumentTypeError: if ``root`` is not an int.
        DistributedError: if mpiexec started this process among several and ``init()`` has not run.
    """
    where = "minigrad.distributed.broadcast"
    root = check_int("root", root, where=where)
    if not 0 <= root < _size:
        hint = "" if _comm is not None else (
            " (minigrad.distributed.init() has not run: this process is a job of one rank)")
        raise InvalidArgumentError(
            f"{where}: `root` must be a rank, an integer in [0, {_size - 1}], got {root}: the job "
            f"has {_size} rank(s){hint}. Pass the rank that holds the value, e.g. root=0."
        )
    tensor = as_tensor_argument("tensor", tensor, where=where)
    _check_joined(where)
    return apply(Broadcast, tensor, root=root)


# -- buckets ----------------------------------------------------------------------------------
def all_reduce_arrays(arrays, op: str = "sum") -> list:
    """All-reduce a list of arrays in one MPI call per dtype: a flat bucket (for gradients).

    Args:
        arrays: a list of NumPy/CuPy arrays or Tensors (None entries pass through as None);
            every rank gives the same list of shapes and dtypes.
        op: ``"sum"``, ``"mean"``, ``"max"`` or ``"min"``.

    Returns:
        A new list: each entry reduced across the ranks, of the kind it came as (array or
        Tensor), shape and device. The inputs are not modified. Not recorded by a tape.

    Raises:
        InvalidArgumentError: if ``op`` is not one of the four.
        UnsupportedDtypeError: for a bool array.
        DistributedError: if mpiexec started this process among several and ``init()`` has not run.
    """
    where = "minigrad.distributed.all_reduce_arrays"
    check_one_of("op", op, REDUCE_OPS, where=where)
    items = list(arrays)
    raw = [a._data if isinstance(a, Tensor) else a for a in items]
    for a in raw:
        if a is not None:
            _check_reducible(where, a.dtype)
    _check_joined(where)
    if _size == 1:
        return items
    groups: dict = {}  # (dtype, device) -> indices, in first-seen order (the same on every rank)
    for i, a in enumerate(raw):
        if a is not None:
            groups.setdefault((a.dtype.str, backend.device_of(a)), []).append(i)
    out = list(items)
    for indices in groups.values():
        first = raw[indices[0]]
        bucket, keep = _receive_buffer(first, (sum(raw[i].size for i in indices),))
        start = 0
        for i in indices:
            bucket[start:start + raw[i].size] = raw[i].reshape(-1)
            start += raw[i].size
        buf, home = _outbound(bucket)
        _comm.Allreduce(_MPI.IN_PLACE, buf, op=_mpi_op(op))
        buf = keep(buf)
        buf = home(_divide(buf, _size) if op == "mean" else buf)
        start = 0
        for i in indices:
            a = raw[i]
            piece = buf[start:start + a.size].reshape(a.shape)
            start += a.size
            out[i] = Tensor._wrap(piece) if isinstance(items[i], Tensor) else piece
    return out


def __getattr__(name: str):
    """``minigrad.distributed.DataParallel``: the strategy lives in ``minigrad.data_parallel``,
    which imports this module, so it is loaded on first use (PEP 562)."""
    if name == "DataParallel":
        from minigrad.data_parallel import DataParallel

        return DataParallel
    raise AttributeError(f"module 'minigrad.distributed' has no attribute {name!r}")
