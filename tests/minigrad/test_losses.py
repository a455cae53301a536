"""Losses: Keras's docstring numbers, NumPy references of Keras's formulas, stability
with large logits, reductions and sample weights, gradient checks, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import losses
from minigrad.gradcheck import gradcheck

RNG = np.random.default_rng(0)
EPS = 1e-7


def values(t):
    return np.asarray(t.numpy())


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- NumPy references of Keras 2's formulas (tf_keras/backend.py, losses.py) ------------
def np_mse(z, p):
    return np.mean((p - z) ** 2, axis=-1)


def np_mae(z, p):
    return np.mean(np.abs(p - z), axis=-1)


def np_bce(z, p, from_logits=False, label_smoothing=0.0):
    z = z * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        x = p
        return np.mean(np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))), axis=-1)
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(z * np.log(p + EPS) + (1 - z) * np.log(1 - p + EPS)), axis=-1)


def np_cce(z, p, from_logits=False, label_smoothing=0.0):
    z = z * (1 - label_smoothing) + label_smoothing / z.shape[-1]
    if from_logits:
        return -np.sum(z * np_log_softmax(p), axis=-1)
    p = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(z * np.log(p), axis=-1)


def np_scce(labels, p, from_logits=False):
    x = p if from_logits else np.log(np.clip(p, EPS, 1 - EPS))
    log_p = np_log_softmax(x)
    return -np.take_along_axis(log_p, labels[..., None].astype(int), axis=-1)[..., 0]


def probabilities(*shape):
    p = RNG.uniform(0.05, 1.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


def one_hot(labels, depth):
    return np.eye(depth)[labels]


# -- Keras's docstring examples ----------------------------------------------------------
class TestKerasDocstringNumbers:
    y_true_reg = [[0.0, 1.0], [0.0, 0.0]]
    y_pred_reg = [[1.0, 1.0], [1.0, 0.0]]

    @pytest.mark.parametrize("cls", [losses.MeanSquaredError, losses.MeanAbsoluteError])
    def test_regression(self, cls):
        assert float(cls()(self.y_true_reg, self.y_pred_reg)) == pytest.approx(0.5)
        assert float(cls()(self.y_true_reg, self.y_pred_reg, sample_weight=[0.7, 0.3])) == pytest.approx(0.25)
        assert float(cls(reduction="sum")(self.y_true_reg, self.y_pred_reg)) == pytest.approx(1.0)
        each = cls(reduction="none")(self.y_true_reg, self.y_pred_reg)
        np.testing.assert_allclose(values(each), [0.5, 0.5])

    def test_binary_crossentropy_from_logits(self):
        """Keras's docstring shows three decimals (some rounded, some cut): those are checked
        to 1e-3, the exact values against the NumPy reference."""
        y_true, y_pred = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
        each = np_bce(np.array(y_true, "float64"), np.array(y_pred), from_logits=True)
        bce = losses.BinaryCrossentropy(from_logits=True)
        mean = float(bce(y_true, y_pred))
        weighted = float(bce(y_true, y_pred, sample_weight=[0.8, 0.2]))
        total = float(losses.BinaryCrossentropy(from_logits=True, reduction="sum")(y_true, y_pred))
        none = values(losses.BinaryCrossentropy(from_logits=True, reduction="none")(y_true, y_pred))
        for got, shown, exact in ((mean, 0.865, each.mean()),
                                  (weighted, 0.243, (0.8 * each[0] + 0.2 * each[1]) / 2),
                                  (total, 1.730, each.sum())):
            assert got == pytest.approx(shown, abs=1e-3)
            assert got == pytest.approx(exact, rel=1e-6)
        np.testing.assert_allclose(none, [0.235, 1.496], atol=1e-3)
        np.testing.assert_allclose(none, each, rtol=1e-6)

    @pytest.mark.parametrize("sparse", [False, True])
    def test_categorical_crossentropy(self, sparse):
        y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
        y_true = [1, 2] if sparse else [[0, 1, 0], [0, 0, 1]]
        cls = losses.SparseCategoricalCrossentropy if sparse else losses.CategoricalCrossentropy
        assert float(cls()(y_true, y_pred)) == pytest.approx(1.177, abs=5e-4)
        assert float(cls()(y_true, y_pred, sample_weight=[0.3, 0.7])) == pytest.approx(0.814, abs=5e-4)
        assert float(cls(reduction="sum")(y_true, y_pred)) == pytest.approx(2.354, abs=5e-4)
        np.testing.assert_allclose(values(cls(reduction="none")(y_true, y_pred)), [0.0513, 2.303], atol=5e-4)


# -- against the NumPy references ----------------------------------------------------------
class TestAgainstNumpy:
    def test_regression_functions(self):
        z, p = RNG.standard_normal((5, 3, 4)), RNG.standard_normal((5, 3, 4))
        np.testing.assert_allclose(values(losses.mean_squared_error(z, p)), np_mse(z, p), rtol=1e-12)
        np.testing.assert_allclose(values(losses.mean_absolute_error(z, p)), np_mae(z, p), rtol=1e-12)
        assert losses.mse is losses.mean_squared_error and losses.MAE is losses.mean_absolute_error

    @pytest.mark.parametrize("from_logits", [False, True])
    @pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
    def test_binary_crossentropy(self, from_logits, label_smoothing):
        z = RNG.integers(0, 2, (6, 3)).astype("float64")
        p = RNG.standard_normal((6, 3)) * 3 if from_logits else RNG.uniform(0, 1, (6, 3))
        p[0, 0], p[0, 1] = (0.0, 0.0) if from_logits else (0.0, 1.0)  # the kink and the clip edges
        got = losses.binary_crossentropy(z, p, from_logits=from_logits, label_smoothing=label_smoothing)
        np.testing.assert_allclose(values(got), np_bce(z, p, from_logits, label_smoothing), rtol=1e-10)

    @pytest.mark.parametrize("from_logits", [False, True])
    @pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
    def test_categorical_crossentropy(self, from_logits, label_smoothing):
        z = one_hot(RNG.integers(0, 4, 6), 4)
        p = RNG.standard_normal((6, 4)) * 3 if from_logits else RNG.uniform(0, 2, (6, 4))  # not normalised
        got = losses.categorical_crossentropy(z, p, from_logits=from_logits, label_smoothing=label_smoothing)
        np.testing.assert_allclose(values(got), np_cce(z, p, from_logits, label_smoothing), rtol=1e-10)

    @pytest.mark.parametrize("from_logits", [False, True])
    def test_sparse_categorical_crossentropy(self, from_logits):
        labels = RNG.integers(0, 5, (3, 4))
        p = RNG.standard_normal((3, 4, 5)) * 3 if from_logits else probabilities(3, 4, 5)
        got = losses.sparse_categorical_crossentropy(labels, p, from_logits=from_logits)
        np.testing.assert_allclose(values(got), np_scce(labels, p, from_logits), rtol=1e-10)
        # labels with a trailing length-1 axis, or as whole-number floats, give the same
        same = losses.sparse_categorical_crossentropy(labels[..., None].astype("float32"), p,
                                                      from_logits=from_logits)
        np.testing.assert_allclose(values(same), values(got), rtol=1e-12)

    def test_sparse_equals_categorical_with_one_hot(self):
        labels = RNG.integers(0, 4, 7)
        x = RNG.standard_normal((7, 4))
        for from_logits in (False, True):
            p = x if from_logits else probabilities(7, 4)
            a = losses.sparse_categorical_crossentropy(labels, p, from_logits=from_logits)
            b = losses.categorical_crossentropy(one_hot(labels, 4), p, from_logits=from_logits)
            np.testing.assert_allclose(values(a), values(b), rtol=1e-10)

    def test_class_axis(self):
        labels = RNG.integers(0, 3, (4, 5))
        x = RNG.standard_normal((4, 3, 5))  # classes on axis 1
        got = losses.sparse_categorical_crossentropy(labels, x, from_logits=True, axis=1)
        ref = np_scce(labels, np.moveaxis(x, 1, -1), from_logits=True)
        np.testing.assert_allclose(values(got), ref, rtol=1e-10)
        targets = np.moveaxis(one_hot(labels, 3), -1, 1)
        cce = losses.categorical_crossentropy(targets, x, from_logits=True, axis=1)
        np.testing.assert_allclose(values(cce), ref, rtol=1e-10)

    def test_against_torch(self):
        torch = pytest.importorskip("torch")
        F = torch.nn.functional
        x = RNG.standard_normal((8, 5)) * 4
        labels = RNG.integers(0, 5, 8)
        z = RNG.integers(0, 2, (8, 5)).astype("float64")
        ours = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, x)
        theirs = F.cross_entropy(torch.tensor(x), torch.tensor(labels))
        assert float(ours) == pytest.approx(theirs.item(), rel=1e-10)
        ours = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(one_hot(labels, 5), x)
        theirs = F.cross_entropy(torch.tensor(x), torch.tensor(labels), label_smoothing=0.1)
        assert float(ours) == pytest.approx(theirs.item(), rel=1e-10)
        ours = losses.BinaryCrossentropy(from_logits=True)(z, x)
        theirs = F.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(z))
        assert float(ours) == pytest.approx(theirs.item(), rel=1e-10)


class TestLogitsAndProbabilitiesAgree:
    def test_binary(self):
        x = RNG.standard_normal((5, 4)) * 2
        z = RNG.integers(0, 2, (5, 4))
        a = losses.binary_crossentropy(z, x, from_logits=True)
        b = losses.binary_crossentropy(z, sigmoid(x))
        np.testing.assert_allclose(values(a), values(b), rtol=1e-5)

    def test_categorical_and_sparse(self):
        x = RNG.standard_normal((5, 4)) * 2
        labels = RNG.integers(0, 4, 5)
        probs = np.exp(np_log_softmax(x))
        for fn, target in ((losses.categorical_crossentropy, one_hot(labels, 4)),
                           (losses.sparse_categorical_crossentropy, labels)):
            np.testing.assert_allclose(values(fn(target, x, from_logits=True)), values(fn(target, probs)),
                                       rtol=1e-5)


class TestLargeLogits:
    def test_binary_is_finite_and_exact(self):
        x = mg.tensor([[1000.0, -1000.0, 1000.0, -1000.0, 88.0, -88.0]])
        z = [[0.0, 1.0, 1.0, 0.0, 0.0, 1.0]]
        with mg.GradientTape() as tape:
            tape.watch(x)
            per_element = losses.BinaryCrossentropy(from_logits=True, reduction="none", axis=0)(z, x)
            loss = mg.sum(per_element)
        np.testing.assert_allclose(values(per_element), [1000.0, 1000.0, 0.0, 0.0, 88.0, 88.0], rtol=1e-6)
        g = values(tape.gradient(loss, x))
        np.testing.assert_allclose(g, [[1.0, -1.0, 0.0, 0.0, 1.0, -1.0]], atol=1e-6)

    def test_categorical_is_finite(self):
        x = mg.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
        cce = losses.CategoricalCrossentropy(from_logits=True, reduction="none")
        scce = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
        for loss_fn, y in ((cce, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), (scce, [1, 2])):
            with mg.GradientTape() as tape:
                tape.watch(x)
                each = loss_fn(y, x)
                total = mg.sum(each)
            np.testing.assert_allclose(values(each), [2000.0, 1.3132617], rtol=1e-6)
            assert np.all(np.isfinite(values(tape.gradient(total, x))))

    def test_probabilities_of_zero_and_one_are_clipped(self):
        loss = losses.binary_crossentropy([[1.0, 0.0]], np.array([[0.0, 1.0]]))
        assert np.isfinite(values(loss)).all()
        # in float64 both wrong predictions are clipped to cost -log(1e-7 + 1e-7)
        assert float(loss[0]) == pytest.approx(-np.log(2e-7), rel=1e-5)
        assert np.isfinite(values(losses.sparse_categorical_crossentropy([0], [[0.0, 1.0]]))).all()
        assert np.isfinite(values(losses.categorical_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]))).all()


# -- reductions, sample weights, shapes, dtypes -----------------------------------------------
class TestReductionAndWeights:
    def test_sum_over_batch_size_divides_by_the_number_of_losses(self):
        z, p = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
        w = np.array([1.0, 0.0, 2.0, 0.5])
        got = losses.MeanSquaredError()(z, p, sample_weight=w)
        assert float(got) == pytest.approx(np.sum(np_mse(z, p) * w) / 4, rel=1e-12)
        total = losses.MeanSquaredError(reduction="sum")(z, p, w)
        assert float(total) == pytest.approx(np.sum(np_mse(z, p) * w), rel=1e-12)
        each = losses.MeanSquaredError(reduction="none")(z, p, w)
        np.testing.assert_allclose(values(each), np_mse(z, p) * w, rtol=1e-12)

    def test_weight_shapes(self):
        z, p = RNG.standard_normal((4, 3, 2)), RNG.standard_normal((4, 3, 2))  # per-sample losses (4, 3)
        each = np_mse(z, p)
        per_sample = np.array([1.0, 2.0, 0.0, 1.0])
        for w in (per_sample, per_sample[:, None]):   # (4,) is extended, (4, 1) broadcast
            got = losses.MeanSquaredError()(z, p, sample_weight=w)
            assert float(got) == pytest.approx(np.sum(each * per_sample[:, None]) / 12, rel=1e-12)
        full = RNG.uniform(0, 1, (4, 3))
        got = losses.MeanSquaredError()(z, p, sample_weight=full[..., None])  # trailing 1 dropped
        assert float(got) == pytest.approx(np.sum(each * full) / 12, rel=1e-12)
        assert float(losses.MeanSquaredError()(z, p, sample_weight=2.0)) == pytest.approx(2 * each.mean())
        with pytest.raises(ValueError, match="sample_weight"):
            losses.MeanSquaredError()(z, p, sample_weight=np.ones(5))

    def test_trailing_axis_of_one_is_matched(self):
        z, p = RNG.standard_normal(6), RNG.standard_normal((6, 1))
        each = losses.MeanSquaredError(reduction="none")(z, p)
        assert each.shape == (6,)
        np.testing.assert_allclose(values(each), (p[:, 0] - z) ** 2, rtol=1e-12)
        np.testing.assert_allclose(values(losses.mean_squared_error(z[:, None], p[:, 0])),
                                   np.mean((p[:, 0] - z) ** 2), rtol=1e-12)

    def test_dtype_follows_predictions(self):
        z = np.array([[0.0, 1.0]])
        assert losses.BinaryCrossentropy()(z, np.array([[0.2, 0.7]], "float32")).dtype == np.float32
        assert losses.BinaryCrossentropy()(z, np.array([[0.2, 0.7]], "float64")).dtype == np.float64
        scce = losses.SparseCategoricalCrossentropy()
        assert scce([1], np.array([[0.2, 0.8]], "float32")).dtype == np.float32

    def test_empty_batch_gives_zero(self):
        assert float(losses.MeanSquaredError()(np.zeros((0, 2)), np.zeros((0, 2)))) == 0.0


class TestErrors:
    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match="same shape"):
            losses.mean_squared_error(np.zeros((4, 2)), np.zeros((4, 3)))
        with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
            losses.CategoricalCrossentropy()([0, 1, 2, 1], np.full((4, 3), 1 / 3))

    def test_sparse_label_problems(self):
        p = np.full((2, 3), 1 / 3)
        with pytest.raises(ValueError, match=r"label 3.*3 classes"):
            losses.sparse_categorical_crossentropy([0, 3], p)
        with pytest.raises(ValueError, match="label -1"):
            losses.sparse_categorical_crossentropy([0, -1], p)
        with pytest.raises(ValueError, match="whole-number"):
            losses.sparse_categorical_crossentropy([0.5, 1.0], p)
        with pytest.raises(ValueError, match="one integer label per sample"):
            losses.sparse_categorical_crossentropy(np.zeros((2, 3)), p)

    def test_bad_arguments(self):
        with pytest.raises(TypeError, match="floating point"):
            losses.mean_squared_error([1, 2], np.array([1, 2]))
        with pytest.raises(ValueError, match="scalar"):
            losses.mean_squared_error(1.0, mg.tensor(1.0))
        with pytest.raises(ValueError, match="reduction"):
            losses.MeanSquaredError(reduction="mean")
        with pytest.raises(ValueError, match="label_smoothing"):
            losses.BinaryCrossentropy(label_smoothing=1.5)
        with pytest.raises(ValueError, match="label_smoothing"):
            losses.categorical_crossentropy([[1.0, 0.0]], [[0.5, 0.5]], label_smoothing=-0.1)


# -- gradients ---------------------------------------------------------------------------
class TestGradients:
    def test_regression(self):
        z, p = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
        assert gradcheck(losses.mean_squared_error, [z, p])  # through y_true too
        p_away = z + np.where(RNG.random((4, 3)) < 0.5, -1, 1) * RNG.uniform(0.1, 1.0, (4, 3))
        assert gradcheck(lambda y: losses.mean_absolute_error(z, y), [p_away])
        w = RNG.uniform(0, 2, 4)
        assert gradcheck(lambda y: losses.MeanSquaredError()(z, y, sample_weight=w), [p])

    @pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
    def test_binary(self, label_smoothing):
        z = RNG.integers(0, 2, (4, 3)).astype("float64")
        x = RNG.standard_normal((4, 3)) * 3
        x[0, 0] = 0.0  # where |x| has its kink: the gradient there is sigmoid(0) - z
        loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing)
        assert gradcheck(lambda y: loss(z, y), [x], order=2)
        p = RNG.uniform(0.05, 0.95, (4, 3))
        loss = losses.BinaryCrossentropy(label_smoothing=label_smoothing)
        assert gradcheck(lambda y: loss(z, y), [p], mode="full")

    def test_binary_gradient_at_zero_logit(self):
        x = mg.tensor([0.0, 0.0], dtype="float64")
        with mg.GradientTape() as tape:
            tape.watch(x)
            loss = mg.sum(losses.binary_crossentropy(mg.tensor([[0.0, 1.0]], dtype="float64"),
                                                     mg.reshape(x, (1, 2)), from_logits=True))
        np.testing.assert_allclose(values(tape.gradient(loss, x)), [0.25, -0.25])  # (sigmoid(0) - z) / 2

    @pytest.mark.parametrize("from_logits", [False, True])
    def test_categorical(self, from_logits):
        z = one_hot(RNG.integers(0, 4, 5), 4)
        p = RNG.standard_normal((5, 4)) if from_logits else RNG.uniform(0.2, 1.0, (5, 4))
        loss = losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1)
        assert gradcheck(lambda y: loss(z, y), [p], mode="full", order=2 if from_logits else 1)

    @pytest.mark.parametrize("from_logits", [False, True])
    def test_sparse(self, from_logits):
        labels = RNG.integers(0, 4, 5)
        p = RNG.standard_normal((5, 4)) if from_logits else probabilities(5, 4)
        loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        w = RNG.uniform(0, 1, 5)
        assert gradcheck(lambda y: loss(labels, y, sample_weight=w), [p], mode="full",
                         order=2 if from_logits else 1)


def test_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("mean_squared_error") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    bce = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert losses.get(bce) is bce
    rebuilt = losses.get({"class_name": "BinaryCrossentropy", "config": bce.get_config()})
    assert rebuilt.get_config() == bce.get_config() == {
        "reduction": "auto", "name": "binary_crossentropy", "from_logits": True,
        "label_smoothing": 0.1, "axis": -1}
    assert losses.get(None) is None
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("hinge2")
    with pytest.raises(TypeError):
        losses.get(3)


# -- devices --------------------------------------------------------------------------------------
def test_sparse_labels_are_checked_on_the_logits_device(device):
    x = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    logits = mg.tensor(x, device=device)
    loss = losses.sparse_categorical_crossentropy(np.array([0, 2]), logits, from_logits=True)
    assert loss.device == device
    expected = np.log(np.exp(x).sum(axis=1)) - x[[0, 1], [0, 2]]  # logsumexp(x) - x[label]
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)
    for labels, words in (([0, 3], "got label 3"), ([-1, 0], "got label -1"), ([0.5, 1.0], "whole-number")):
        with pytest.raises(ValueError, match=words):
            losses.sparse_categorical_crossentropy(mg.tensor(labels, device=device), logits, from_logits=True)
