"""scikit-learn's 8x8 handwritten digits: a small real dataset that needs no download."""

from __future__ import annotations

import numpy as np

from minigrad._optional import require
from minigrad.validation import check_bool


def digits(flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 images of handwritten digits that scikit-learn ships (``load_digits``).

    A real dataset that works offline: scikit-learn installs the file with itself (the
    ``datasets`` extra: ``pip install -e ".[datasets]"``). Each pixel counts the inked cells
    of a 4x4 block of a 32x32 bitmap, so its value is a whole number from 0 to 16 (divide by
    16 for ``[0, 1]``). About 180 images per class, in the file's order (not shuffled): use
    ``train_test_split`` to split.

    Args:
        flatten: if True, each image is a row of 64 pixels (for Dense layers); if False,
            an 8x8 array (add a channel axis with ``x[..., None]`` for Conv2D).

    Returns:
        ``(x, y)``: ``x`` float32 of shape ``(1797, 64)`` (or ``(1797, 8, 8)``) with values
        0-16, ``y`` int64 of shape ``(1797,)`` with the digits 0-9.

    Raises:
        OptionalDependencyError: when scikit-learn is not installed; the message names the extra.
        ArgumentTypeError: for a ``flatten`` that is not a bool.
    """
    flatten = check_bool("flatten", flatten, where="digits")
    sklearn_datasets = require("sklearn.datasets", package="scikit-learn", extra="datasets",
                               purpose="minigrad.datasets.digits")
    bunch = sklearn_datasets.load_digits()
    x = np.asarray(bunch.data, dtype=np.float32).reshape(-1, 64)
    y = np.asarray(bunch.target, dtype=np.int64)
    return (x if flatten else x.reshape(-1, 8, 8)), y
