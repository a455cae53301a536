"""layers.data: fit's arrays, the validation split, class weights and batches, checked by hand."""

import numpy as np
import pytest

import minigrad as mg
from layers.data import BatchStream, fit_arrays, to_tensors, with_class_weights
from minigrad.errors import InvalidArgumentError


def test_fit_arrays_holds_out_the_last_samples_before_shuffling():
    x = np.arange(10.0).reshape(5, 2)
    y = np.array([0, 1, 0, 1, 1])
    (tx, ty, tsw), (vx, vy, vsw) = fit_arrays(x, y, None, None, 0.4, None)
    np.testing.assert_array_equal(tx, x[:3])  # floor(5 * 0.6) = 3 training samples
    np.testing.assert_array_equal(vx, x[3:])
    np.testing.assert_array_equal(ty, [0, 1, 0])
    np.testing.assert_array_equal(vy, [1, 1])
    assert tsw is None and vsw is None


def test_fit_arrays_prefers_validation_data_and_converts_tensors_and_lists():
    x, y = mg.tensor([[1.0], [2.0]]), [3.0, 4.0]
    (tx, ty, _), val = fit_arrays(x, y, None, ([[5.0]], [6.0]), 0.5, None)
    assert isinstance(tx, np.ndarray) and isinstance(ty, np.ndarray)
    np.testing.assert_array_equal(tx, [[1.0], [2.0]])  # no split: validation_data wins
    np.testing.assert_array_equal(val[0], [[5.0]])
    np.testing.assert_array_equal(val[1], [6.0])
    assert val[2] is None


def test_class_weights_multiply_the_sample_weights():
    y = np.array([0, 1, 1, 2])
    weights = with_class_weights(y, np.array([1.0, 2.0, 3.0, 4.0]), {0: 0.5, 1: 2.0, 2: 1.0})
    np.testing.assert_array_equal(weights, [0.5, 4.0, 6.0, 4.0])
    np.testing.assert_array_equal(with_class_weights(np.eye(2), None, {0: 3.0, 1: 1.0}), [3.0, 1.0])
    assert with_class_weights(y, None, None) is None


def test_class_weights_must_name_every_class():
    with pytest.raises(InvalidArgumentError, match=r"class_weight has no weight for class\(es\) \[2\]"):
        with_class_weights(np.array([0, 2]), None, {0: 1.0})


def test_a_split_that_leaves_no_validation_sample_is_refused():
    words = r"Training data contains 2 samples, which is not sufficient"
    with pytest.raises(InvalidArgumentError, match=words):
        fit_arrays(np.zeros((2, 1)), np.zeros(2), None, None, 0.6, None)  # floor(0.8) = 0 left


def test_batch_stream_cuts_one_pass_into_batches_in_order():
    x = np.arange(5.0)
    stream = BatchStream((x, None, None), batch_size=2, shuffle=False)
    batches = [b[0].tolist() for b in stream.epoch()]
    assert batches == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    assert stream.batch_sizes() == {2, 1}


def test_to_tensors_moves_a_batch_to_the_device():
    x, y = to_tensors((np.ones((2, 1)), None), "cpu")
    assert isinstance(x, mg.Tensor) and x.device == "cpu" and y is None
