"""Data for the training loop: arrays, batches, the validation split and sample weights.

``fit`` / ``evaluate`` / ``predict`` (``layers.training``) take NumPy arrays or minigrad
Tensors, or lists / dicts of them (one per model input or output). Here they become NumPy
arrays (``to_arrays``), the last ``validation_split`` of the samples is held out
(``split_validation``), ``class_weight`` becomes one weight per sample
(``class_sample_weights``), and ``BatchStream`` cuts the arrays into batches, reshuffled on
every pass; ``to_tensors`` moves a batch to the model's device.
"""

from __future__ import annotations

import math

import numpy as np

import minigrad as mg
from layers.nest import flatten, map_structure
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


def _is_scalar_list(value) -> bool:
    """Keras's test for data given as (nested) Python lists of numbers."""
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return isinstance(value, (int, float, np.number, bool))


def to_arrays(data, what: str):
    """NumPy arrays for every leaf of ``data`` (Tensors, arrays, lists of numbers).

    Raises:
        TypeError: for a generator or another kind of object.
    """
    if data is None:
        return None
    if isinstance(data, (list, tuple)) and _is_scalar_list(data):
        try:
            return np.asarray(data)
        except ValueError as exc:  # NumPy: "inhomogeneous shape"
            raise InvalidArgumentError(
                f"{what} is a nested list whose rows have different lengths, which is not an "
                f"array ({exc}). Pad the rows to one length, or pass a NumPy array.") from None

    def convert(leaf):
        if leaf is None:
            return None
        if isinstance(leaf, mg.Tensor):
            return leaf.numpy()
        if isinstance(leaf, np.ndarray):
            return leaf
        if isinstance(leaf, (np.generic, int, float)):
            return np.asarray(leaf)
        raise ArgumentTypeError(
            f"{what} must be NumPy arrays or minigrad Tensors (or a list / dict of them, one per "
            f"model input or output); got a {type(leaf).__name__}. Generators and datasets are not "
            "supported: load the data into arrays."
        )
    return map_structure(convert, data)


def num_samples(*structures) -> int:
    """The common length of the first axis of every array.

    Raises:
        ValueError: if the arrays disagree, or there are none.
    """
    sizes = {}
    for name, structure in zip(("x", "y", "sample_weight"), structures):
        for leaf in flatten(structure) if structure is not None else []:
            if leaf is None:
                continue
            if leaf.ndim == 0:
                raise InvalidArgumentError(
                    f"{name} holds a scalar: data need a batch axis (shape (samples, ...)).")
            sizes.setdefault(name, set()).add(int(leaf.shape[0]))
    every = set().union(*sizes.values()) if sizes else set()
    if not every:
        raise InvalidArgumentError("No data: give x (and y) as arrays with a batch axis.")
    if len(every) > 1:
        detail = ", ".join(f"{name} sizes: {sorted(s)}" for name, s in sizes.items())
        raise InvalidArgumentError(
            f"Data cardinality is ambiguous: {detail}. Make sure all arrays contain the "
            "same number of samples.")
    n = every.pop()
    if n == 0:
        raise InvalidArgumentError("Expected input data to be non-empty (the arrays have 0 samples).")
    return n


def take(structure, index):
    """Rows ``index`` (a slice or an index array) of every array in ``structure``."""
    if structure is None:
        return None
    return map_structure(lambda a: None if a is None else a[index], structure)


def unpack_data(data) -> tuple:
    """``(x, y, sample_weight)`` from a tuple of 1 to 3 elements (a list counts as a tuple).

    Raises:
        ValueError: for any other length.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise InvalidArgumentError(
            "Data is expected to be in the format `x`, `(x,)`, `(x, y)`, or "
            f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements.")
    return tuple(data) + (None,) * (3 - len(data))


def split_validation(arrays: tuple, validation_split: float) -> tuple:
    """Keras's ``validation_split``: the LAST fraction of the samples, taken before shuffling.

    ``validation_split`` is in (0, 1): ``fit`` checked it (``_check_fit_arguments``) and
    splits only when it is not 0.

    Returns:
        ``(train_arrays, validation_arrays)``.

    Raises:
        InvalidArgumentError: (a ValueError) if the split leaves no training or no validation
            sample.
    """
    n = num_samples(*arrays)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise InvalidArgumentError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`. "
            "Either provide more data, or a different value for the `validation_split` argument."
        )
    return (tuple(take(a, slice(0, split_at)) for a in arrays),
            tuple(take(a, slice(split_at, n)) for a in arrays))


def class_sample_weights(y, class_weight: dict) -> np.ndarray:
    """One weight per sample from ``{class index: weight}`` (labels, or argmax of one-hot rows).

    Raises:
        ValueError: for several outputs or a label missing from ``class_weight``.
    """
    leaves = flatten(y)
    if len(leaves) != 1:
        raise InvalidArgumentError("`class_weight` is only supported for Models with a single output.")
    labels = np.asarray(leaves[0])
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    labels = labels.reshape(labels.shape[0], -1)[:, 0].astype(np.int64)
    missing = sorted(set(np.unique(labels).tolist()) - {int(k) for k in class_weight})
    if missing:
        raise InvalidArgumentError(
            f"class_weight has no weight for class(es) {missing}: give one for every "
            "class that appears in y.")
    table = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([table[int(c)] for c in labels], dtype=np.float32)


class BatchStream:
    """Batches of ``(x, y, sample_weight)`` arrays, reshuffled on every pass through the data.

    Args:
        arrays: ``(x, y, sample_weight)`` structures of NumPy arrays.
        batch_size: samples per batch (the last batch of a pass may be smaller).
        shuffle: draw a new permutation (from ``minigrad.random``) on every pass.
        steps_per_epoch: batches per epoch; by default one pass through the data.
        repeat: whether an epoch may go on past the end of the data into a new pass
            (training); if False, ``steps`` is at most one pass (evaluate, predict).
        strategy: a ``DataParallel`` whose rank 0 draws the permutations for every rank.
    """

    def __init__(self, arrays: tuple, batch_size: int, shuffle: bool, steps_per_epoch=None,
                 repeat: bool = True, strategy=None):
        self.arrays = arrays
        self.n = num_samples(*arrays)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.batches_per_pass = math.ceil(self.n / batch_size)
        self.steps = int(steps_per_epoch) if steps_per_epoch else self.batches_per_pass
        if not repeat:
            self.steps = min(self.steps, self.batches_per_pass)
        self._order = None
        self._next = self.batches_per_pass  # the first batch starts a new pass
        self._strategy = strategy

    def epoch(self):
        """The batches of one epoch: ``steps`` of them."""
        for _ in range(self.steps):
            if self._next >= self.batches_per_pass:
                self._order = self._permutation() if self.shuffle else None
                self._next = 0
            start = self._next * self.batch_size
            stop = min(start + self.batch_size, self.n)
            index = slice(start, stop) if self._order is None else self._order[start:stop]
            self._next += 1
            yield tuple(take(a, index) for a in self.arrays)

    def batch_sizes(self) -> set:
        """The sizes the batches of a pass have (the last one may be smaller)."""
        return {min(self.batch_size, self.n), self.n - (self.batches_per_pass - 1) * self.batch_size}

    def _permutation(self):
        generator = mg.random.generator("cpu")
        if self._strategy is None:
            return generator.permutation(self.n)
        return self._strategy.permutation(self.n, generator)


def to_tensors(structure, device: str):
    """Tensors on ``device`` (the model's) for every leaf of a batch (host arrays, Tensors)."""
    if structure is None:
        return None

    def convert(a):
        if a is None:
            return None
        if isinstance(a, mg.Tensor):
            return a if a.device == device else a.to(device)
        return mg.tensor(a, device=device)
    return map_structure(convert, structure)


def with_class_weights(y, sample_weight, class_weight):
    """``sample_weight`` times each sample's weight from ``class_weight`` (unchanged for None).

    Raises:
        ValueError: as ``class_sample_weights``.
    """
    if class_weight is None:
        return sample_weight
    weights = class_sample_weights(y, class_weight)
    return weights if sample_weight is None else sample_weight * weights


def fit_arrays(x, y, sample_weight, validation_data, validation_split: float, class_weight) -> tuple:
    """``fit``'s data as NumPy arrays: the training ``(x, y, sample_weight)`` and the
    validation arrays (None when there are none).

    ``validation_data`` wins over ``validation_split`` (the last samples, before shuffling);
    ``class_weight`` multiplies the training samples' weights.

    Returns:
        ``((x, y, sample_weight), validation_arrays)``.
    """
    x, y = to_arrays(x, "x"), to_arrays(y, "y")
    sample_weight = to_arrays(sample_weight, "sample_weight")
    val_arrays = None
    if validation_data is not None:
        vx, vy, vsw = unpack_data(validation_data)
        val_arrays = (to_arrays(vx, "validation x"), to_arrays(vy, "validation y"),
                      to_arrays(vsw, "validation sample_weight"))
    elif validation_split:
        (x, y, sample_weight), val_arrays = split_validation((x, y, sample_weight), validation_split)
    return (x, y, with_class_weights(y, sample_weight, class_weight)), val_arrays


__all__ = ["BatchStream", "class_sample_weights", "fit_arrays", "num_samples", "split_validation",
           "take", "to_arrays", "to_tensors", "unpack_data", "with_class_weights"]
