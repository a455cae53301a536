"""DataParallel: data-parallel training over MPI ranks, in the spirit of Keras's
``MultiWorkerMirroredStrategy`` and PyTorch's ``DistributedDataParallel``.

Every rank (process) holds a full copy of the model. Each global batch is split into one
contiguous slice per rank; each rank computes the gradient of its slice's mean loss, and one
all-reduce per step (a flat bucket per dtype, not one call per variable) averages the
gradients, each rank's weighted by its share of the batch:

    g = sum_r (n_r / N) * g_r        n_r rows on rank r, N = sum_r n_r rows in the batch

which is the gradient of the mean loss over the whole batch (``fit`` scales each rank's loss
by ``n_r / N`` before the backward pass and sums, which is the same and stays exact when a
synchronized layer's backward mixes the ranks' gradients), so a step on R ranks equals a
step of one process on the global batch (up to rounding), even when the slices differ in
size (16 rows on 3 ranks: 6, 5, 5). Every rank then applies the same update, and the
weights stay equal because they start equal: rank 0's are broadcast first.

    strategy = minigrad.distributed.DataParallel()
    with strategy.scope():
        model = layers.Sequential([...])
        model.compile(optimizer="sgd", loss="mse")    # the model remembers the strategy
    model.fit(x, y, batch_size=64)                    # 64 rows per step in all, split across ranks

A custom ``GradientTape`` loop does the same by hand::

    strategy.broadcast_weights(model)                 # once, after the model is built
    x_local = strategy.shard(x_batch)                 # this rank's rows of the global batch
    with mg.GradientTape() as tape:
        loss = loss_fn(y_local, model(x_local, training=True))
    grads = strategy.reduce_gradients(tape.gradient(loss, model.trainable_weights),
                                      num_examples=len(x_local))
    optimizer.apply_gradients(zip(grads, model.trainable_weights))

With one process (no ``mpiexec``) every method returns its input, so the same script runs
anywhere. The collectives are ``minigrad.distributed``'s, over mpi4py.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from minigrad import distributed
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.tape import no_recording
from minigrad.tensor import tensor
from minigrad.validation import check_int

_scopes = threading.local()  # the stack of strategies whose scope() is open, per thread


def get_strategy():
    """The ``DataParallel`` whose ``scope()`` is open in this thread, or None
    (Keras: ``tf.distribute.get_strategy``, which returns a default strategy instead)."""
    stack = getattr(_scopes, "stack", None)
    return stack[-1] if stack else None


def shard_bounds(num_rows: int, world_size: int, rank: int) -> tuple:
    """``(start, stop)`` of rank ``rank``'s contiguous slice of ``num_rows`` rows.

    The first ``num_rows % world_size`` ranks get one row more than the others (as
    ``numpy.array_split``): 16 rows on 3 ranks are rows 0-5, 6-10, 11-15.
    """
    base, extra = divmod(num_rows, world_size)
    start = rank * base + min(rank, extra)
    return start, start + base + (1 if rank < extra else 0)


class DataParallel:
    """Data-parallel training: one model copy per MPI rank, gradients averaged each step.

    Construct it in every rank (it calls ``minigrad.distributed.init()``), build and compile
    the model under ``scope()``; then ``fit``, ``evaluate`` and ``train_on_batch`` of that
    model:

    - split each global batch (``batch_size`` rows, what ``fit`` is given) into contiguous
      per-rank slices whose sizes differ by at most one (``shard_bounds``);
    - shuffle the same way on every rank (rank 0 draws each epoch's permutation from
      ``minigrad.random`` and broadcasts it, so the order is that of one process with
      the same seed);
    - broadcast rank 0's weights to every rank before the first step;
    - average the gradients with one all-reduce per step, weighted by the slices' sizes
      (module docstring), which assumes the loss is a mean over the batch (Keras's default
      reduction "sum_over_batch_size");
    - all-reduce the metrics' states (sums and counts) before every ``result()``, so the
      logs, the callbacks' values and the History are those of the whole batch, the same
      on every rank; validation and ``evaluate`` are split and summed the same way;
    - show the progress bar on rank 0 only (``verbose`` is 0 elsewhere).

    BatchNormalization's batch statistics and moving averages stay per rank (each from its
    own slice) unless the layer is ``synchronized=True``, which computes them over every
    rank's rows. Dropout masks are drawn per rank. A batch with fewer rows than ranks would
    leave a rank without data: ``fit`` refuses such a ``batch_size`` before training.

    Raises:
        OptionalDependencyError: when mpi4py is not installed (the ``distributed`` extra).
    """

    def __init__(self):
        distributed.init()

    # -- where we are -------------------------------------------------------------------------
    @property
    def rank(self) -> int:
        """This process's rank, 0 to ``num_replicas_in_sync - 1``."""
        return distributed.rank() if distributed.is_initialized() else 0

    @property
    def num_replicas_in_sync(self) -> int:
        """The number of ranks (Keras's name for it)."""
        return max(distributed.world_size(), 1) if distributed.is_initialized() else 1

    @contextlib.contextmanager
    def scope(self):
        """Models compiled inside train data-parallel (``get_strategy()`` returns this object)."""
        stack = getattr(_scopes, "stack", None)
        if stack is None:
            stack = _scopes.stack = []
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    # -- data ------------------------------------------------------------------------------
    def shard(self, data):
        """This rank's contiguous rows of ``data`` (an array / Tensor, or a list, tuple or
        dict of them with the same number of rows), as ``shard_bounds`` splits them.

        Raises:
            InvalidArgumentError: for arrays of different lengths, or a scalar.
        """
        leaves = _leaves(data)
        rows = {int(leaf.shape[0]) if getattr(leaf, "ndim", 0) else -1 for leaf in leaves}
        if -1 in rows or len(rows) > 1:
            raise InvalidArgumentError(
                f"DataParallel.shard: `data` must be arrays with one batch axis of the same length, "
                f"got lengths {sorted(rows)} (-1: a scalar). Pass the global batch's arrays.")
        if not rows:
            return data
        start, stop = shard_bounds(rows.pop(), self.num_replicas_in_sync, self.rank)
        return _map(lambda leaf: leaf[start:stop], data)

    def permutation(self, n: int, generator) -> np.ndarray:
        """A permutation of ``range(n)`` drawn by rank 0 from ``generator`` and broadcast,
        so every rank shuffles alike (the other ranks' generators are not advanced)."""
        order = generator.permutation(n) if self.rank == 0 else np.zeros(n, dtype=np.int64)
        if self.num_replicas_in_sync == 1:
            return order
        return distributed.broadcast(tensor(np.asarray(order, dtype=np.int64)), root=0).numpy()

    # -- weights -----------------------------------------------------------------------------
    def broadcast_weights(self, model_or_variables, root: int = 0) -> None:
        """Give every rank rank ``root``'s values of a model's weights (or of a list of
        Variables), with one broadcast per dtype.

        Raises:
            ArgumentTypeError: for something that is neither a model nor a list of Variables.
        """
        root = check_int("root", root, minimum=0, maximum=self.num_replicas_in_sync - 1,
                         where="DataParallel.broadcast_weights")
        variables = getattr(model_or_variables, "weights", model_or_variables)
        if not isinstance(variables, (list, tuple)):
            raise ArgumentTypeError(
                f"DataParallel.broadcast_weights: expected a model or a list of Variables, got "
                f"{type(model_or_variables).__name__}. Pass the built model.")
        if self.num_replicas_in_sync == 1 or not variables:
            return
        values = [v.numpy() for v in variables]
        for indices, flat in _buckets(values):
            flat = distributed.broadcast(tensor(flat), root=root).numpy()
            for i, part in zip(indices, _unflatten(flat, [values[i] for i in indices])):
                variables[i].assign(part)

    # -- gradients ---------------------------------------------------------------------------
    def reduce_gradients(self, grads, num_examples=None) -> list:
        """The gradients averaged over the ranks, the same on every rank: one all-reduce per dtype.

        Args:
            grads: this rank's gradients (Tensors, or None for a variable without one; a None
                must be None on every rank).
            num_examples: how many rows this rank's loss averaged. Given, each rank's gradient
                is weighted by its share of all ranks' rows (the count travels in the same
                all-reduce), which makes slices of different sizes exact; None weights every
                rank alike (slices of equal size).

        Returns:
            A list of Tensors (and Nones) in ``grads``' order, on their devices and dtypes.

        With ``BatchNormalization(synchronized=True)`` layers and slices of different sizes,
        scale each rank's loss by ``n_r / N`` and use ``sum_gradients`` instead (see there).

        Raises:
            InvalidArgumentError: for a negative ``num_examples``, or no rows on any rank.
        """
        num_examples = check_int("num_examples", num_examples, minimum=0, allow_none=True,
                                 where="DataParallel.reduce_gradients")
        if num_examples is None:
            return self._all_reduce_gradients(grads, 1.0 / self.num_replicas_in_sync)
        return self._all_reduce_gradients(grads, float(num_examples), divide_by_total=True)

    def sum_gradients(self, grads) -> list:
        """The gradients summed over the ranks, the same on every rank: one all-reduce per dtype.

        For losses that each rank has already scaled by its share of the global batch
        (``loss * n_r / N``), as ``fit`` does: the sum is then the gradient of the global
        batch's mean loss, exactly, also through layers whose backward crosses ranks
        (``BatchNormalization(synchronized=True)``), where weighting the gradients after the
        fact (``reduce_gradients(num_examples=...)``) is exact only for equal slices.
        """
        return self._all_reduce_gradients(grads, 1.0)

    def _all_reduce_gradients(self, grads, weight: float, divide_by_total: bool = False) -> list:
        """``sum_r weight_r * grads_r`` (divided by ``sum_r weight_r`` if ``divide_by_total``):
        one ``all_reduce_arrays`` call, which packs the arrays into one buffer per dtype."""
        grads = list(grads)
        if self.num_replicas_in_sync == 1 and not divide_by_total:
            return grads if weight == 1.0 else [None if g is None else g * weight for g in grads]
        with no_recording():
            scaled = [None if g is None else g * weight for g in grads]
            present = [g for g in grads if g is not None]
            if divide_by_total:  # the row count rides in the bucket of the first gradient's dtype
                if not present:
                    return grads
                scaled.append(tensor(weight, dtype=present[0].dtype, device=present[0].device))
            reduced = distributed.all_reduce_arrays(scaled, op="sum")
            if not divide_by_total:
                return reduced
            total = float(reduced.pop().item())
            if total == 0:
                raise InvalidArgumentError(
                    "DataParallel.reduce_gradients: num_examples is 0 on every rank, so there is "
                    "no mean to take. Pass each rank's number of rows in the batch.")
            return [None if g is None else g / total for g in reduced]

    # -- metrics -----------------------------------------------------------------------------
    def reduce_metric_results(self, metrics) -> dict:
        """``{name: result}`` of every metric over all ranks' updates, as Python floats.

        Each metric's state variables (sums and counts: true of every minigrad metric) are
        summed across the ranks in one all-reduce; the global result is read from the sums,
        and the rank's own state is put back, so later updates keep adding to it.
        """
        metrics = list(metrics)
        if self.num_replicas_in_sync == 1:
            return {m.name: float(m.result().item()) for m in metrics}
        variables = [v for m in metrics for v in m.variables]
        local = [v.numpy() for v in variables]
        summed = distributed.all_reduce_arrays(local, op="sum")
        try:
            for v, value in zip(variables, summed):
                v.assign(value)
            return {m.name: float(m.result().item()) for m in metrics}
        finally:
            for v, value in zip(variables, local):
                v.assign(value)

    def __repr__(self) -> str:
        return f"<DataParallel rank={self.rank} num_replicas_in_sync={self.num_replicas_in_sync}>"


# -- flat buckets ------------------------------------------------------------------------------
def _buckets(arrays: list):
    """``(indices, flat)`` per dtype, in first-seen order: the arrays of that dtype, raveled
    and concatenated into one contiguous buffer (one MPI call moves the lot)."""
    by_dtype: dict = {}
    for i, a in enumerate(arrays):
        by_dtype.setdefault(np.asarray(a).dtype, []).append(i)
    for dtype, indices in by_dtype.items():
        yield indices, np.concatenate([np.asarray(arrays[i], dtype).ravel() for i in indices])


def _unflatten(flat: np.ndarray, like: list) -> list:
    """Split ``flat`` back into arrays of the shapes in ``like``."""
    parts, start = [], 0
    for a in like:
        size = int(np.prod(np.shape(a), dtype=np.int64))
        parts.append(flat[start:start + size].reshape(np.shape(a)))
        start += size
    return parts


def _leaves(data) -> list:
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    if isinstance(data, (list, tuple)):
        return [leaf for value in data for leaf in _leaves(value)]
    return [] if data is None else [data]


def _map(fn, data):
    if isinstance(data, dict):
        return {key: _map(fn, value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_map(fn, value) for value in data)
    return None if data is None else fn(data)


__all__ = ["DataParallel", "get_strategy", "shard_bounds"]
