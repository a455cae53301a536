"""Data utilities, as ``keras.utils``: ``to_categorical``.

    y = layers.utils.to_categorical([0, 2, 1], num_classes=3)   # one-hot rows, float32
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_class_labels, check_int


def to_categorical(y, num_classes: int | None = None, dtype="float32") -> np.ndarray:
    """Integer class labels as one-hot rows (Keras's ``utils.to_categorical``).

    ``out[..., k] = 1`` where ``y[...] == k``, else 0. A trailing axis of length 1 is dropped
    first (labels of shape ``(n, 1)`` give ``(n, num_classes)``), as Keras does.

    Args:
        y: labels in ``[0, num_classes)``: a list, a NumPy array or a Tensor, of any shape.
            Whole-number floats (``2.0``) are accepted.
        num_classes: the number of classes; None means ``max(y) + 1``.
        dtype: the dtype of the result. Defaults to "float32".

    Returns:
        A NumPy array of shape ``y.shape + (num_classes,)`` (without y's trailing 1).

    Raises:
        ArgumentTypeError: for labels that are not numbers, or a num_classes that is not an int.
        InvalidArgumentError: for a num_classes below 1, fractional labels, or a label outside
            ``[0, num_classes)`` (Keras would wrap a negative label around silently).
    """
    num_classes = check_int("num_classes", num_classes, minimum=1, allow_none=True,
                            where="to_categorical")
    try:
        numpy_dtype = np.dtype(dtype)
    except (TypeError, ValueError, SyntaxError):  # NumPy parses the text
        numpy_dtype = None
    if numpy_dtype is None or numpy_dtype.kind not in "biuf":
        raise ArgumentTypeError(
            f"to_categorical: `dtype` must be a numeric dtype, got {dtype!r}. Pass e.g. "
            "dtype='float32'.")
    if isinstance(y, mg.Tensor):
        y = y.numpy()
    try:
        labels = np.asarray(y)
    except (TypeError, ValueError):
        labels = None
    if labels is None or labels.dtype == object or labels.dtype.kind not in "biuf":
        raise ArgumentTypeError(
            f"to_categorical: `y` must hold integer class labels, got {y!r:.80}. Pass a list or "
            "array of whole numbers in [0, num_classes), e.g. [0, 2, 1]."
        )
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise InvalidArgumentError(
            "to_categorical: `y` holds NaN or infinite labels: pass whole numbers in "
            "[0, num_classes).")
    if num_classes is None:
        if labels.size == 0:
            raise InvalidArgumentError(
                "to_categorical: `y` is empty, so num_classes cannot be inferred: pass num_classes=.")
        num_classes = int(np.max(labels)) + 1 if float(np.max(labels)) >= 0 else 1
    labels = check_class_labels("y", labels, num_classes, where="to_categorical")
    categorical = np.zeros((labels.size, num_classes), dtype=numpy_dtype)
    categorical[np.arange(labels.size), labels] = 1
    return categorical.reshape(tuple(shape) + (num_classes,))


__all__ = ["to_categorical"]
