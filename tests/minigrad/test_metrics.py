"""Metrics: Keras's docstring numbers, per-sample functions, running state, weights, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import losses, metrics


def values(t):
    return np.asarray(t.numpy())


# -- the functions -----------------------------------------------------------------------
class TestFunctions:
    def test_accuracy_is_elementwise_equality(self):
        got = metrics.accuracy([[1, 2], [3, 4]], np.array([[1, 0], [3, 4]], "float32"))
        assert got.dtype == np.float32
        np.testing.assert_array_equal(values(got), [[1, 0], [1, 1]])

    def test_binary_accuracy_averages_the_last_axis(self):
        y_true = [[1, 0, 1], [0, 0, 1]]
        y_pred = [[0.9, 0.6, 0.2], [0.1, 0.4, 0.7]]
        np.testing.assert_allclose(values(metrics.binary_accuracy(y_true, y_pred)), [1 / 3, 1.0])
        np.testing.assert_allclose(values(metrics.binary_accuracy(y_true, y_pred, threshold=0.15)),
                                   [2 / 3, 2 / 3])

    def test_binary_accuracy_on_logits_with_threshold_zero(self):
        got = metrics.binary_accuracy([[1.0], [0.0], [1.0]], [[2.0], [-0.5], [-0.1]], threshold=0.0)
        np.testing.assert_array_equal(values(got), [1.0, 1.0, 0.0])

    def test_categorical_accuracy(self):
        y_true = [[0, 0, 1], [0, 1, 0]]
        y_pred = [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]
        np.testing.assert_array_equal(values(metrics.categorical_accuracy(y_true, y_pred)), [0.0, 1.0])

    def test_sparse_categorical_accuracy_keeps_the_labels_shape(self):
        y_pred = [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]
        np.testing.assert_array_equal(values(metrics.sparse_categorical_accuracy([2, 1], y_pred)), [0, 1])
        got = metrics.sparse_categorical_accuracy([[2], [1]], y_pred)
        assert got.shape == (2, 1)
        np.testing.assert_array_equal(values(got), [[0], [1]])
        float_labels = metrics.sparse_categorical_accuracy(np.array([2.0, 1.0], "float32"), y_pred)
        np.testing.assert_array_equal(values(float_labels), [0, 1])

    def test_shape_errors(self):
        with pytest.raises(ValueError, match="same shape"):
            metrics.accuracy([1, 2, 3], [[1, 2, 3]])
        with pytest.raises(ValueError, match="sparse_categorical_accuracy"):
            metrics.categorical_accuracy([0, 1], [[0.2, 0.8], [0.6, 0.4]])
        with pytest.raises(ValueError, match="one integer label per row"):
            metrics.sparse_categorical_accuracy([0, 1, 1], [[0.2, 0.8], [0.6, 0.4]])


# -- Keras's docstring examples for the classes ------------------------------------------
class TestKerasDocstringNumbers:
    def test_accuracy(self):
        m = metrics.Accuracy()
        m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        assert float(m.result()) == pytest.approx(0.75)
        m.reset_state()
        m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])
        assert float(m.result()) == pytest.approx(0.5)

    def test_binary_accuracy(self):
        m = metrics.BinaryAccuracy()
        m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        assert float(m.result()) == pytest.approx(0.75)
        m.reset_state()
        m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
        assert float(m.result()) == pytest.approx(0.5)

    def test_categorical_accuracy(self):
        m = metrics.CategoricalAccuracy()
        m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        assert float(m.result()) == pytest.approx(0.5)
        m.reset_state()
        m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
        assert float(m.result()) == pytest.approx(0.3)

    def test_sparse_categorical_accuracy(self):
        m = metrics.SparseCategoricalAccuracy()
        m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        assert float(m.result()) == pytest.approx(0.5)
        m.reset_state()
        m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
        assert float(m.result()) == pytest.approx(0.3)

    def test_mean(self):
        m = metrics.Mean()
        m.update_state([1, 3, 5, 7])
        assert float(m.result()) == 4.0
        m.reset_state()
        m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        assert float(m.result()) == 2.0


# -- state ----------------------------------------------------------------------------------
class TestState:
    def test_accumulates_over_batches_by_sample(self):
        m = metrics.SparseCategoricalAccuracy()
        m.update_state([0, 1], [[0.9, 0.1], [0.8, 0.2]])          # 1 of 2
        m.update_state([1, 1, 1], [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])  # 3 of 3
        assert float(m.result()) == pytest.approx(4 / 5)
        assert float(m.total.numpy()) == 4.0 and float(m.count.numpy()) == 5.0

    def test_result_before_any_update_is_zero_and_reset_restarts(self):
        m = metrics.Mean()
        assert float(m.result()) == 0.0
        m.update_state([2.0, 4.0])
        m.reset_state()
        assert float(m.result()) == 0.0
        m.update_state([5.0])
        assert float(m.result()) == 5.0
        m.reset_states()  # Keras 2's older name
        assert float(m.total.numpy()) == 0.0

    def test_call_updates_and_returns_the_running_value(self):
        m = metrics.Mean()
        assert float(m([1.0, 2.0])) == 1.5
        assert float(m([6.0])) == 3.0

    def test_result_is_a_float32_scalar(self):
        m = metrics.Accuracy()
        m.update_state([1, 2], [1, 2])
        r = m.result()
        assert isinstance(r, mg.Tensor) and r.shape == () and r.dtype == np.float32

    def test_weights_of_lower_rank_average_the_values(self):
        m = metrics.Mean()
        m.update_state([[1.0, 3.0], [10.0, 20.0]], sample_weight=[1.0, 0.0])  # (2, 2) values, (2,) weights
        assert float(m.result()) == pytest.approx(2.0)
        m = metrics.Mean()
        m.update_state([[[1.0, 3.0]], [[10.0, 20.0]]], sample_weight=[3.0, 1.0])  # (2, 1, 2) vs (2,)
        assert float(m.result()) == pytest.approx((3 * 2.0 + 15.0) / 4)
        with pytest.raises(ValueError, match="sample_weight"):
            metrics.Mean().update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 2.0])

    def test_binary_accuracy_keeps_matches_per_sample(self):
        m = metrics.BinaryAccuracy()
        m.update_state([[1, 0], [1, 1]], [[0.7, 0.2], [0.3, 0.9]], sample_weight=[1.0, 3.0])
        assert float(m.result()) == pytest.approx((1.0 * 1.0 + 3.0 * 0.5) / 4.0)

    def test_metric_of_a_loss(self):
        m = metrics.MeanMetricWrapper(losses.mean_squared_error, name="mse")
        m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
        m.update_state([[0.0, 0.0]], [[1.0, 0.0]])
        assert float(m.result()) == pytest.approx(0.5)
        assert m.name == "mse"

    def test_not_recorded_by_a_tape(self):
        x = mg.tensor([[0.2, 0.8], [0.7, 0.3]])
        m = metrics.MeanMetricWrapper(losses.mean_squared_error)
        with mg.GradientTape() as tape:
            tape.watch(x)
            m.update_state([[0.0, 1.0], [1.0, 0.0]], x)
            loss = mg.sum(x)
        np.testing.assert_allclose(values(tape.gradient(loss, x)), np.ones((2, 2)))
        assert float(m.result()) == pytest.approx(np.mean([0.04, 0.09]))

    def test_config(self):
        m = metrics.BinaryAccuracy(threshold=0.3)
        assert m.get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
        assert metrics.BinaryAccuracy.from_config(m.get_config()).get_config() == m.get_config()


def test_get():
    assert metrics.get("accuracy") is metrics.accuracy
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.get("binary_accuracy") is metrics.binary_accuracy
    assert metrics.get("categorical_accuracy") is metrics.categorical_accuracy
    assert metrics.get("sparse_categorical_accuracy") is metrics.sparse_categorical_accuracy
    assert metrics.get("mse") is losses.mean_squared_error
    assert isinstance(metrics.get("SparseCategoricalAccuracy"), metrics.SparseCategoricalAccuracy)
    m = metrics.Mean()
    assert metrics.get(m) is m
    rebuilt = metrics.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.2}})
    assert rebuilt.get_config()["threshold"] == 0.2
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.get("f1")
    with pytest.raises(TypeError):
        metrics.get(3)


# -- devices --------------------------------------------------------------------------------------
def test_state_follows_the_values_to_their_device(device):
    m = metrics.Mean()
    assert m.total.device == "cpu" and m.count.device == "cpu"  # made on the default device
    m.update_state(mg.tensor([1.0, 3.0], device=device))  # total 4, count 2
    m.update_state(mg.tensor([5.0, 7.0], device=device), sample_weight=[1.0, 3.0])  # + 26, + 4
    assert m.total.device == device and m.count.device == device
    result = m.result()
    assert result.device == device and float(result) == 30.0 / 6.0
    m.reset_state()
    assert m.total.device == device and float(m.result()) == 0.0


def test_accuracy_of_predictions_on_a_device(device):
    acc = metrics.SparseCategoricalAccuracy()
    logits = mg.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], device=device)
    acc.update_state(np.array([1, 1, 1]), logits)  # host labels: moved to the logits' device
    assert acc.total.device == device and acc.result().device == device
    assert float(acc.result()) == pytest.approx(2 / 3)
