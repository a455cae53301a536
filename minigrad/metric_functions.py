"""Per-sample metric functions with the semantics of tf.keras (Keras 2).

Functions return one value per sample (float32 Tensors, never differentiated):

    accuracy(y_true, y_pred)                      y_true == y_pred, elementwise
    binary_accuracy(y_true, y_pred, threshold)    mean(y_true == (y_pred > threshold), axis=-1)
    categorical_accuracy(y_true, y_pred)          argmax(y_true) == argmax(y_pred)
    sparse_categorical_accuracy(y_true, y_pred)   y_true == argmax(y_pred)
    top_k_categorical_accuracy(y_true, y_pred, k) argmax(y_true) in_top_k y_pred
    sparse_top_k_categorical_accuracy(...)        y_true in_top_k y_pred

``in_top_k`` is TensorFlow's: the label's score is in the top k when fewer than k classes
score strictly higher (so classes tied at the boundary all count as in), and a row with a
non-finite score is never a hit.

The stateful metrics of ``minigrad.metrics`` average them over batches; they are
re-exported there (``minigrad.metrics.accuracy``), as in ``tf.keras.metrics``.
"""

from __future__ import annotations

from minigrad import backend, ops
from minigrad.errors import InvalidArgumentError
from minigrad.tensor import Tensor, as_tensor_argument
from minigrad.validation import (
    check_class_labels,
    check_float,
    check_int,
)

FLOATX = "float32"


def _as_tensors(y_true, y_pred) -> tuple:
    y_pred = as_tensor_argument("y_pred", y_pred)
    y_true = as_tensor_argument("y_true", y_true, device=y_pred.device)
    return ops.stop_gradient(y_true), ops.stop_gradient(y_pred)


def _squeeze_or_expand(y_true: Tensor, y_pred: Tensor) -> tuple:
    """Keras's ``squeeze_or_expand_dimensions``: drop a trailing length-1 axis that
    makes the ranks differ by one (from y_pred, or else from y_true)."""
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = ops.squeeze(y_pred, -1)
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    return y_true, y_pred


def _check_same_shape(y_true: Tensor, y_pred: Tensor, what: str) -> None:
    if y_true.shape != y_pred.shape:
        raise InvalidArgumentError(
            f"{what}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they "
            "must have the same shape. For integer labels against class scores use "
            "sparse_categorical_accuracy."
        )


def _as_float(matches: Tensor) -> Tensor:
    return ops.cast(matches, FLOATX)


def accuracy(y_true, y_pred) -> Tensor:
    """``1.0`` where ``y_true == y_pred`` exactly, else ``0.0`` (elementwise).

    Raises:
        ValueError: if the shapes differ.
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "accuracy")
    if y_true.dtype != y_pred.dtype:
        y_pred = ops.cast(y_pred, y_true.dtype)
    return _as_float(ops.equal(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """The fraction of outputs whose thresholded prediction equals the target, over the last axis.

    ``mean(y_true == (y_pred > threshold), axis=-1)``. For logits use ``threshold=0``.

    Args:
        y_true: targets (0 or 1), of y_pred's shape.
        y_pred: probabilities (or scores), shape ``(batch, ..., d)``.
        threshold: the decision boundary. Defaults to 0.5.

    Returns:
        Per-sample accuracies, shape ``(batch, ...)``.

    Raises:
        InvalidArgumentError: if the shapes differ, or for a NaN or infinite threshold.
        ArgumentTypeError: for a threshold that is not a number.
    """
    threshold = check_float("threshold", threshold, where="binary_accuracy")
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_accuracy")
    decided = ops.cast(y_pred > threshold, y_pred.dtype)
    return ops.mean(_as_float(ops.equal(ops.cast(y_true, y_pred.dtype), decided)), axis=-1)


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """``1.0`` where ``argmax(y_true, -1) == argmax(y_pred, -1)``, per sample.

    Raises:
        ValueError: if the shapes differ (use sparse_categorical_accuracy for integer labels).
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "categorical_accuracy")
    return _as_float(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """``1.0`` where the integer label equals ``argmax(y_pred, -1)``, per sample.

    Args:
        y_true: labels, shape ``(batch, ...)`` or ``(batch, ..., 1)``.
        y_pred: class scores, shape ``(batch, ..., num_classes)``.

    Returns:
        The matches, of y_true's shape (as Keras).

    Raises:
        InvalidArgumentError: if y_true does not have one label per row of y_pred, or holds
            a label outside ``[0, num_classes)`` or a fraction (the check the sparse loss makes).
        ArgumentTypeError: for labels that are not numbers.
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    shape = y_true.shape
    y_true, _ = _labels_per_row(y_true, y_pred, "sparse_categorical_accuracy", "categorical_accuracy")
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), y_true.dtype)
    return ops.reshape(_as_float(ops.equal(y_true, predicted)), shape)


def _labels_per_row(y_true: Tensor, y_pred: Tensor, what: str, one_hot_variant: str) -> tuple:
    """``y_true`` as one class label per row of ``y_pred`` (a trailing axis of 1 dropped),
    checked; returns it and its labels as an integer array (``check_class_labels``)."""
    shape = y_true.shape
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if y_true.shape != y_pred.shape[:-1]:
        raise InvalidArgumentError(
            f"{what}: y_true has shape {shape} but y_pred has shape {y_pred.shape}: give one "
            f"integer label per row of y_pred, shape {y_pred.shape[:-1]}. For one-hot targets "
            f"use {one_hot_variant}."
        )
    return y_true, check_class_labels("y_true", y_true._data, y_pred.shape[-1], where=what)


def _in_top_k(y_pred: Tensor, targets, k: int) -> Tensor:
    """TensorFlow's ``in_top_k`` on the last axis, as float32 (see the module docstring)."""
    scores = y_pred._data
    xp = backend.array_module(scores)
    target_scores = xp.take_along_axis(scores, targets[..., None].astype("int64"), axis=-1)
    higher = (scores > target_scores).sum(axis=-1)
    finite = xp.isfinite(scores).all(axis=-1)
    return Tensor._wrap(((higher < k) & finite).astype(FLOATX))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """``1.0`` where the one-hot label's class is among the ``k`` highest scores, per sample.

    Args:
        y_true: one-hot labels, of y_pred's shape ``(batch, ..., num_classes)``.
        y_pred: class scores (probabilities or logits: only their order matters).
        k: how many top classes count as a hit, an int >= 1. Defaults to 5.

    Returns:
        The hits, shape ``(batch, ...)``.

    Raises:
        InvalidArgumentError: if the shapes differ, or for a k below 1.
        ArgumentTypeError: for a k that is not an int.
    """
    k = check_int("k", k, minimum=1, where="top_k_categorical_accuracy")
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "top_k_categorical_accuracy")
    return _in_top_k(y_pred, ops.argmax(y_true, axis=-1)._data, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """``1.0`` where the integer label is among the ``k`` highest-scoring classes, per sample.

    Args:
        y_true: labels, shape ``(batch, ...)`` or ``(batch, ..., 1)``.
        y_pred: class scores, shape ``(batch, ..., num_classes)``.
        k: an int >= 1. Defaults to 5.

    Returns:
        The hits, of y_true's shape (as Keras).

    Raises:
        InvalidArgumentError: for a k below 1, labels that do not fit y_pred, fractions, or
            labels outside ``[0, num_classes)``.
        ArgumentTypeError: for a k that is not an int, or labels that are not numbers.
    """
    k = check_int("k", k, minimum=1, where="sparse_top_k_categorical_accuracy")
    y_true, y_pred = _as_tensors(y_true, y_pred)
    shape = y_true.shape
    _, labels = _labels_per_row(y_true, y_pred, "sparse_top_k_categorical_accuracy",
                                "top_k_categorical_accuracy")
    return ops.reshape(_in_top_k(y_pred, labels, k), shape)


# Their public home is minigrad.metrics (as tf.keras.metrics.accuracy): saved models and
# reprs name that module, as they did before these functions had a file of their own.
for _function in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                  top_k_categorical_accuracy, sparse_top_k_categorical_accuracy):
    _function.__module__ = "minigrad.metrics"
del _function
