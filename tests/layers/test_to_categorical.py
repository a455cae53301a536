"""layers.utils.to_categorical: Keras's shapes and values, and its argument errors."""

from __future__ import annotations

import numpy as np
import pytest

import layers
import minigrad as mg
from layers.utils import to_categorical
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


def test_values_dtype_and_inferred_num_classes():
    out = to_categorical([0, 2, 1, 2])
    assert out.dtype == np.float32 and out.shape == (4, 3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])
    assert layers.utils.to_categorical is to_categorical


def test_shapes_as_keras():
    # a trailing axis of 1 is dropped; other shapes keep their axes
    assert to_categorical(np.array([[0], [1], [2]]), 4).shape == (3, 4)
    labels = np.array([[0, 1], [2, 0]])
    out = to_categorical(labels, num_classes=3, dtype="int64")
    assert out.shape == (2, 2, 3) and out.dtype == np.int64
    np.testing.assert_array_equal(out.argmax(-1), labels)
    assert to_categorical(np.array(2), 3).shape == (3,)
    np.testing.assert_array_equal(to_categorical(mg.tensor(np.array([1.0, 0.0])), 2), [[0, 1], [1, 0]])


def test_errors_name_the_argument_and_the_fix():
    with pytest.raises(InvalidArgumentError, match=r"got label 3 in `y`.*\[0, 3\)"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(InvalidArgumentError, match="got label -1"):  # Keras would wrap around
        to_categorical([0, -1], num_classes=3)
    with pytest.raises(InvalidArgumentError, match="whole-number class labels"):
        to_categorical([0.5, 1.0])
    with pytest.raises(InvalidArgumentError, match="NaN or infinite"):
        to_categorical([np.inf, 1.0], num_classes=3)
    with pytest.raises(InvalidArgumentError, match=r"`num_classes` must be an integer >= 1"):
        to_categorical([0, 1], num_classes=0)
    with pytest.raises(ArgumentTypeError, match="`num_classes` must be an integer"):
        to_categorical([0, 1], num_classes=2.0)
    with pytest.raises(ArgumentTypeError, match="`y` must hold integer class labels"):
        to_categorical(["a", "b"])
    with pytest.raises(ArgumentTypeError, match="`dtype` must be a numeric dtype"):
        to_categorical([0, 1], dtype="float17")
    with pytest.raises(InvalidArgumentError, match="empty.*num_classes="):
        to_categorical([])
