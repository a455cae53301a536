"""Top-k accuracies, Precision and Recall: Keras's docstring numbers, hand counts over several
batches, in_top_k's ties, thresholds / top_k / class_id, reset_state, configs, the names
that compile accepts, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from devices import needs_cuda

import layers
import minigrad as mg
from minigrad import metrics
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

SCORES = [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]


def value(t):
    return np.asarray(t.numpy())


# -- top-k accuracy ------------------------------------------------------------------------
def test_top_k_keras_docstring_numbers():
    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state([[0, 0, 1], [0, 1, 0]], SCORES)
    assert float(m.result()) == pytest.approx(0.5)
    m.reset_state()
    m.update_state([[0, 0, 1], [0, 1, 0]], SCORES, sample_weight=[0.7, 0.3])
    assert float(m.result()) == pytest.approx(0.3)
    s = metrics.SparseTopKCategoricalAccuracy(k=1)
    s.update_state([2, 1], SCORES)
    assert float(s.result()) == pytest.approx(0.5)
    s.reset_state()
    s.update_state([2, 1], SCORES, sample_weight=[0.7, 0.3])
    assert float(s.result()) == pytest.approx(0.3)
    assert (m.name, s.name) == ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy")


def test_top_k_defaults_to_5_and_accumulates_over_batches():
    rng = np.random.default_rng(0)
    scores = [rng.permutation(10).astype("float32")[None].repeat(3, 0) for _ in range(2)]
    labels = [np.array([0, 1, 2]), np.array([3, 4, 5])]
    m = metrics.SparseTopKCategoricalAccuracy()
    hits = 0
    for s, y in zip(scores, labels):
        m.update_state(y, s)
        hits += sum(int((s[i] > s[i, y[i]]).sum() < 5) for i in range(3))  # rank below 5
    assert float(m.result()) == pytest.approx(hits / 6)


def test_in_top_k_semantics_ties_and_non_finite_scores():
    # ties straddling the boundary all count as in (TensorFlow's in_top_k)
    scores = np.array([[0.5, 0.5, 0.5, 0.1], [0.9, 0.5, 0.5, 0.1], [0.2, np.nan, 0.9, 0.1]])
    got = value(metrics.sparse_top_k_categorical_accuracy([2, 2, 2], scores, k=1))
    np.testing.assert_array_equal(got, [1.0, 0.0, 0.0])  # row 3: a NaN score is never a hit
    got = value(metrics.sparse_top_k_categorical_accuracy([2, 2, 0], scores, k=2))
    np.testing.assert_array_equal(got, [1.0, 1.0, 0.0])
    # k above the number of classes: every finite row is a hit
    np.testing.assert_array_equal(value(metrics.top_k_categorical_accuracy(
        np.eye(4)[[3, 3]], scores[:2], k=7)), [1.0, 1.0])


def test_top_k_shapes():
    scores = np.random.default_rng(1).random((2, 3, 4))
    labels = scores.argmax(-1)
    got = metrics.sparse_top_k_categorical_accuracy(labels[..., None], scores, k=1)
    assert got.shape == (2, 3, 1) and np.all(value(got) == 1.0)
    got = metrics.top_k_categorical_accuracy(np.eye(4)[labels], scores, k=1)
    assert got.shape == (2, 3) and np.all(value(got) == 1.0)


def test_top_k_errors():
    with pytest.raises(InvalidArgumentError, match=r"`k` must be an integer >= 1"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ArgumentTypeError, match="`k` must be an integer"):
        metrics.SparseTopKCategoricalAccuracy(k=2.5)
    with pytest.raises(InvalidArgumentError, match=r"got label 3 in `y_true`"):
        metrics.sparse_top_k_categorical_accuracy([3, 0], SCORES)
    with pytest.raises(InvalidArgumentError, match="one integer label per row"):
        metrics.sparse_top_k_categorical_accuracy([[0, 1]], SCORES)
    with pytest.raises(InvalidArgumentError, match="must have the same shape"):
        metrics.top_k_categorical_accuracy([[0, 1]], SCORES)


# -- Precision and Recall: Keras's docstring numbers ---------------------------------------------
def test_precision_keras_docstring_numbers():
    m = metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert float(m.result()) == pytest.approx(2 / 3)
    m.reset_state()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert float(m.result()) == pytest.approx(1.0)
    # top_k=2: the ties go to the lower indices (tf.math.top_k), so indices 0 and 1
    m = metrics.Precision(top_k=2)
    m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    assert float(m.result()) == pytest.approx(0.0)
    m.reset_state()
    m.update_state([0, 0, 1, 1], [1, 0, 1, 1])
    assert float(m.result()) == pytest.approx(0.5)


def test_recall_keras_docstring_numbers():
    m = metrics.Recall()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert float(m.result()) == pytest.approx(2 / 3)
    m.reset_state()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert float(m.result()) == pytest.approx(1.0)


# -- hand counts over several batches --------------------------------------------------------------
BATCHES = [  # (y_true, y_pred), binary outputs of shape (batch, 1)
    (np.array([[1], [0], [1], [1]]), np.array([[0.9], [0.7], [0.4], [0.6]])),
    (np.array([[0], [0], [1]]), np.array([[0.2], [0.55], [0.51]])),
    (np.array([[1], [1]]), np.array([[0.3], [0.5]])),   # 0.5 is not > 0.5: a negative
]


def hand_counts(threshold):
    tp = fp = fn = 0
    for y, p in BATCHES:
        pos = p > threshold
        tp += int((pos & (y == 1)).sum())
        fp += int((pos & (y == 0)).sum())
        fn += int((~pos & (y == 1)).sum())
    return tp, fp, fn


def test_counts_accumulate_over_batches_and_reset():
    precision, recall = metrics.Precision(), metrics.Recall()
    for y, p in BATCHES:
        precision.update_state(y, p)
        recall.update_state(y, p)
    tp, fp, fn = hand_counts(0.5)
    assert (tp, fp, fn) == (3, 2, 3)
    np.testing.assert_array_equal(value(precision.true_positives), [tp])
    np.testing.assert_array_equal(value(precision.false_positives), [fp])
    np.testing.assert_array_equal(value(recall.false_negatives), [fn])
    assert float(precision.result()) == pytest.approx(tp / (tp + fp))
    assert float(recall.result()) == pytest.approx(tp / (tp + fn))
    assert [v.name for v in precision.variables] == ["precision/true_positives",
                                                     "precision/false_positives"]
    precision.reset_state()
    assert float(precision.result()) == 0.0  # 0 / 0 is 0 (divide_no_nan)
    np.testing.assert_array_equal(value(precision.true_positives), [0.0])


def test_several_thresholds_give_one_value_each():
    thresholds = [0.0, 0.45, 0.5, 0.8]
    precision, recall = metrics.Precision(thresholds=thresholds), metrics.Recall(thresholds=thresholds)
    for y, p in BATCHES:
        precision.update_state(y, p)
        recall.update_state(y, p)
    want_p, want_r = [], []
    for t in thresholds:
        tp, fp, fn = hand_counts(t)
        want_p.append(tp / (tp + fp))
        want_r.append(tp / (tp + fn))
    assert precision.result().shape == (4,)
    np.testing.assert_allclose(value(precision.result()), want_p, rtol=1e-6)
    np.testing.assert_allclose(value(recall.result()), want_r, rtol=1e-6)
    # a list of one threshold still gives a scalar (Keras: result[0])
    assert metrics.Precision(thresholds=[0.3]).result().shape == ()


def test_class_id_and_per_sample_weights():
    y = np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]])
    p = np.array([[0.2, 0.7, 0.1], [0.1, 0.6, 0.3], [0.1, 0.3, 0.6], [0.6, 0.1, 0.3]])
    m = metrics.Precision(class_id=1)
    m.update_state(y, p)  # class 1 predicted in rows 0 and 1; right in row 0
    assert float(m.result()) == pytest.approx(0.5)
    r = metrics.Recall(class_id=1)
    r.update_state(y, p, sample_weight=[1.0, 1.0, 3.0, 1.0])  # class 1 true in rows 0 and 2
    assert float(r.result()) == pytest.approx(1.0 / 4.0)
    # top_k=1 with thresholds None: each row's best class is its prediction
    t = metrics.Precision(top_k=1)
    t.update_state(y, p)
    assert float(t.result()) == pytest.approx(2 / 4)  # rows 0 and 3 right


def test_config_round_trip_and_names():
    m = metrics.Precision(thresholds=[0.2, 0.7], top_k=2, class_id=1, name="p")
    config = m.get_config()
    assert config == {"name": "p", "dtype": "float32", "thresholds": [0.2, 0.7], "top_k": 2,
                      "class_id": 1}
    assert metrics.Precision.from_config(config).get_config() == config
    assert metrics.Recall().name == "recall"
    assert isinstance(metrics.get("precision"), metrics.Precision)
    assert isinstance(metrics.get("Recall"), metrics.Recall)
    assert metrics.get("top_k_categorical_accuracy") is metrics.top_k_categorical_accuracy


def test_precision_recall_errors():
    with pytest.raises(InvalidArgumentError, match=r"`thresholds` must be finite and in \[0.0, 1.0\]"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ArgumentTypeError, match=r"`thresholds\[1\]` must be a number"):
        metrics.Recall(thresholds=[0.5, "a"])
    with pytest.raises(InvalidArgumentError, match="`thresholds` is an empty list"):
        metrics.Recall(thresholds=[])
    with pytest.raises(InvalidArgumentError, match="`top_k` must be an integer >= 1"):
        metrics.Precision(top_k=0)
    with pytest.raises(InvalidArgumentError, match="`class_id` must be an integer >= 0"):
        metrics.Recall(class_id=-1)
    with pytest.raises(InvalidArgumentError, match=r"class_id=5 but y_pred has 3 class.*\[0, 3\)"):
        metrics.Precision(class_id=5).update_state([[0, 1, 0]], [[0.1, 0.8, 0.1]])
    with pytest.raises(InvalidArgumentError, match="top_k=4 but y_pred has 3 class"):
        metrics.Precision(top_k=4).update_state([[0, 1, 0]], [[0.1, 0.8, 0.1]])
    with pytest.raises(InvalidArgumentError, match="must have the same shape"):
        metrics.Recall().update_state([[0, 1]], [[0.1, 0.8, 0.1]])
    with pytest.raises(InvalidArgumentError, match="sample_weight of shape"):
        metrics.Recall().update_state([[0, 1, 1]], [[0.1, 0.8, 0.1]], sample_weight=[1.0, 2.0])


# -- the names compile accepts ---------------------------------------------------------------------
def test_compile_with_precision_recall_names_matches_hand_counts():
    rng = np.random.default_rng(3)
    model = layers.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile("sgd", "binary_crossentropy", metrics=["precision", "recall"])
    x = rng.standard_normal((40, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0) > 0.5
    tp = int((pred & (y == 1)).sum())
    assert logs["precision"] == pytest.approx(tp / max(int(pred.sum()), 1), rel=1e-6)
    assert logs["recall"] == pytest.approx(tp / int((y == 1).sum()), rel=1e-6)
    history = model.fit(x, y, epochs=1, verbose=0)
    assert {"loss", "precision", "recall"} <= set(history.history)


def test_compile_with_top_k_names():
    rng = np.random.default_rng(4)
    model = layers.Sequential([layers.Dense(6, activation="softmax", input_shape=(3,))])
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["sparse_top_k_categorical_accuracy",
                           metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
    x = rng.standard_normal((30, 3)).astype("float32")
    y = rng.integers(0, 6, 30)
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    scores = model.predict(x, verbose=0)
    rank = (scores > scores[np.arange(30), y][:, None]).sum(axis=1)
    assert logs["sparse_top_k_categorical_accuracy"] == pytest.approx((rank < 5).mean(), rel=1e-6)
    assert logs["top2"] == pytest.approx((rank < 2).mean(), rel=1e-6)
    model.compile("adam", "categorical_crossentropy", metrics=["top_k_categorical_accuracy"])
    logs = model.evaluate(x, np.eye(6)[y], verbose=0, return_dict=True)
    assert logs["top_k_categorical_accuracy"] == pytest.approx((rank < 5).mean(), rel=1e-6)


def test_metrics_on_tensors_of_float64():
    m = metrics.Precision(dtype="float64")
    m.update_state(mg.tensor(np.array([1.0, 0.0])), mg.tensor(np.array([0.7, 0.2])))
    assert m.result().dtype == np.float64 and float(m.result()) == 1.0


# -- on the GPU (the fake GPU in CI) ---------------------------------------------------------
@needs_cuda
def test_gpu_counts_and_top_k_match_the_cpu():
    rng = np.random.default_rng(8)
    y = np.eye(4)[rng.integers(0, 4, 12)]
    p = rng.random((12, 4))
    results = {}
    for device in ("cpu", "cuda"):
        yt, pt = mg.tensor(y, device=device), mg.tensor(p, device=device)
        precision, recall = metrics.Precision(top_k=2), metrics.Recall(thresholds=[0.3, 0.6], class_id=1)
        top = metrics.TopKCategoricalAccuracy(k=2)
        for m in (precision, recall, top):
            m.update_state(yt, pt)
        assert precision.true_positives.device == device
        sparse = metrics.sparse_top_k_categorical_accuracy(mg.tensor(y.argmax(-1), device=device), pt, k=2)
        results[device] = [value(precision.result()), value(recall.result()), value(top.result()),
                           value(sparse)]
    for a, b in zip(results["cpu"], results["cuda"]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
