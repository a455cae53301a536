"""compile / fit / evaluate / predict / *_on_batch, callbacks, updates, and two learning checks."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import minigrad as mg
from layers.base import Layer
from layers.callbacks import Callback, EarlyStopping, History, LambdaCallback
from layers.convolutional import Conv2D
from layers.core import Dense, Flatten
from layers.input_layer import Input
from layers.models import Model, Sequential
from layers.pooling import MaxPooling2D
from layers.regularizers import L1, L2

RNG = np.random.default_rng(5)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def linear_classifier(n_in=4, n_classes=3, optimizer=None, metrics=("accuracy",)):
    model = Sequential([Dense(n_classes, input_shape=(n_in,), name="logits")])
    model.compile(optimizer=optimizer or mg.optimizers.SGD(0.0),
                  loss=mg.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=list(metrics) if metrics is not None else None)
    return model


def classification_data(n=20, n_in=4, n_classes=3):
    return randn(n, n_in), RNG.integers(0, n_classes, n)


def manual_ce_and_accuracy(model, x, y):
    kernel, bias = model.get_weights()
    logits = x @ kernel + bias
    losses = -log_softmax(logits.astype(np.float64))[np.arange(len(y)), y]
    return losses, (logits.argmax(1) == y).astype(np.float64)


class Recorder(Layer):
    """Identity that records the rows it sees, and whether it was training."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = []

    def call(self, inputs, training=None):
        self.calls.append((bool(training), inputs.numpy()[:, 0].copy()))
        return inputs


class CountingUpdate(Layer):
    """Identity whose training calls add a pending update (V1 style) that counts them."""

    def build(self, input_shape):
        self.count = self.add_weight("count", (), initializer="zeros", trainable=False)
        self.built = True

    def call(self, inputs, training=None):
        if training:
            self.add_update(lambda: self.count.assign_add(1.0), inputs=inputs)
        return inputs


class HookLog(Callback):
    def __init__(self):
        super().__init__()
        self.events = []
        self.batch_logs = []
        self.epoch_logs = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_train_end(self, logs=None):
        self.events.append("train_end")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch))
        self.epoch_logs.append(dict(logs))

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("train_batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("train_batch_end", batch))
        self.batch_logs.append(dict(logs))

    def on_test_begin(self, logs=None):
        self.events.append("test_begin")

    def on_test_end(self, logs=None):
        self.events.append("test_end")

    def on_test_batch_begin(self, batch, logs=None):
        self.events.append(("test_batch_begin", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("test_batch_end", batch))

    def on_predict_begin(self, logs=None):
        self.events.append("predict_begin")

    def on_predict_end(self, logs=None):
        self.events.append("predict_end")

    def on_predict_batch_begin(self, batch, logs=None):
        self.events.append(("predict_batch_begin", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(("predict_batch_end", batch))


# -- compile ---------------------------------------------------------------------------------
def test_compile_resolves_names_and_rejects_unknown_ones():
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile()
    assert isinstance(model.optimizer, mg.optimizers.RMSprop)
    for name, cls in (("sgd", mg.optimizers.SGD), ("adam", mg.optimizers.Adam)):
        model.compile(optimizer=name, loss="mse")
        assert isinstance(model.optimizer, cls)
    opt = mg.optimizers.SGD(0.5)
    model.compile(optimizer=opt, loss="mse")
    assert model.optimizer is opt
    with pytest.raises(ValueError, match="unknown optimizer"):
        model.compile(optimizer="adagrad-ish", loss="mse")
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(loss="hinge-ish")
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile(loss="mse", metrics=["precision-ish"])
    with pytest.raises(TypeError, match=r"metrics=\['mse'\]"):
        model.compile(loss="mse", metrics="mse")


def test_fit_before_compile_and_bad_data_raise_clear_errors():
    model = Sequential([Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="must compile"):
        model.fit(randn(4, 2), randn(4, 1))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous.*x sizes: \[10\].*y sizes: \[9\]"):
        model.fit(randn(10, 2), randn(9, 1), verbose=0)
    with pytest.raises(TypeError, match="Generators"):
        model.fit((row for row in randn(4, 2)), randn(4, 1), verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(randn(4, 2), randn(4, 1), batch_size=0, verbose=0)


# -- evaluate / predict ------------------------------------------------------------------------
def test_evaluate_matches_a_manual_computation():
    x, y = classification_data(n=20)
    model = linear_classifier()
    losses, hits = manual_ce_and_accuracy(model, x, y)
    loss, acc = model.evaluate(x, y, batch_size=7, verbose=0)  # batches of 7, 7, 6
    assert model.metrics_names == ["loss", "accuracy"]
    np.testing.assert_allclose(loss, losses.mean(), rtol=1e-5)
    np.testing.assert_allclose(acc, hits.mean(), rtol=1e-6)
    logs = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "accuracy"]
    np.testing.assert_allclose(logs["loss"], losses.mean(), rtol=1e-5)
    w = RNG.uniform(0.5, 2.0, 20).astype(np.float32)
    loss_w, _ = model.evaluate(x, y, sample_weight=w, batch_size=6, verbose=0)
    np.testing.assert_allclose(loss_w, (w * losses).sum() / 20, rtol=1e-5)


def test_evaluate_without_metrics_returns_a_float():
    x, y = classification_data(n=9)
    model = linear_classifier(metrics=None)
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, manual_ce_and_accuracy(model, x, y)[0].mean(), rtol=1e-5)


def test_predict_concatenates_batches_and_returns_numpy():
    model = Sequential([Dense(3, input_shape=(4,))])
    x = randn(23, 4)
    kernel, bias = model.get_weights()
    out = model.predict(x, batch_size=5)
    assert isinstance(out, np.ndarray) and out.shape == (23, 3)
    np.testing.assert_allclose(out, x @ kernel + bias, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:4]), x[:4] @ kernel + bias, rtol=1e-5, atol=1e-6)
    deferred = Sequential([Dense(2)])
    assert deferred.predict(x, batch_size=10).shape == (23, 2) and deferred.built


def test_predict_keeps_the_output_structure():
    a = Input(shape=(2,))
    h = Dense(3, name="h")(a)
    model = Model(a, {"first": h, "second": Dense(1, name="s")(h)})
    out = model.predict(randn(7, 2), batch_size=3)
    assert set(out) == {"first", "second"}
    assert out["first"].shape == (7, 3) and out["second"].shape == (7, 1)
    listed = Model(a, [h, Dense(1)(h)]).predict(randn(7, 2), batch_size=4)
    assert isinstance(listed, list) and [o.shape for o in listed] == [(7, 3), (7, 1)]


# -- fit and history -----------------------------------------------------------------------------
def test_history_records_one_value_per_epoch_and_means_over_samples():
    x, y = classification_data(n=20)
    xv, yv = classification_data(n=6)
    model = linear_classifier()  # learning rate 0: every epoch sees the same weights
    history = model.fit(x, y, batch_size=7, epochs=3, validation_data=(xv, yv), verbose=0)
    assert isinstance(history, History) and model.history is history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.epoch == [0, 1, 2] and all(len(v) == 3 for v in history.history.values())
    losses, hits = manual_ce_and_accuracy(model, x, y)
    val_losses, val_hits = manual_ce_and_accuracy(model, xv, yv)
    np.testing.assert_allclose(history.history["loss"], [losses.mean()] * 3, rtol=1e-5)
    np.testing.assert_allclose(history.history["accuracy"], [hits.mean()] * 3, rtol=1e-6)
    np.testing.assert_allclose(history.history["val_loss"], [val_losses.mean()] * 3, rtol=1e-5)
    np.testing.assert_allclose(history.history["val_accuracy"], [val_hits.mean()] * 3, rtol=1e-6)
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_validation_split_takes_the_last_samples_before_shuffling():
    recorder = Recorder()
    model = Sequential([recorder, Dense(2)])
    model.compile(mg.optimizers.SGD(0.0), mg.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.stack([np.arange(20, dtype=np.float32), np.zeros(20, np.float32)], axis=1)
    y = np.arange(20) % 2
    mg.random.seed(3)
    history = model.fit(x, y, batch_size=4, epochs=2, validation_split=0.25, verbose=0)
    assert len(history.history["val_loss"]) == 2
    train_rows = [rows for training, rows in recorder.calls if training]
    val_rows = [rows for training, rows in recorder.calls if not training]  # after shape-inference calls
    epoch0 = np.concatenate(train_rows[:4])  # 15 samples in batches of 4, 4, 4, 3
    assert sorted(epoch0.tolist()) == list(range(15))
    assert epoch0.tolist() != list(range(15))  # shuffled
    assert np.concatenate(val_rows[-2:]).tolist() == [15, 16, 17, 18, 19]  # in order, last 25%
    with pytest.raises(ValueError, match="not sufficient to split"):
        model.fit(x, y, validation_split=0.99, verbose=0)


def test_callback_hooks_run_in_keras_order():
    log = HookLog()
    x, y = classification_data(n=10)
    model = linear_classifier()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=classification_data(n=5), callbacks=[log],
              verbose=0)
    def epoch(e):
        batches = [event for b in range(3) for event in (("train_batch_begin", b), ("train_batch_end", b))]
        validation = ["test_begin", ("test_batch_begin", 0), ("test_batch_end", 0),
                      ("test_batch_begin", 1), ("test_batch_end", 1), "test_end"]
        return [("epoch_begin", e)] + batches + validation + [("epoch_end", e)]
    assert log.events == ["train_begin"] + epoch(0) + epoch(1) + ["train_end"]
    assert log.model is model and log.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert all(set(logs) == {"loss", "accuracy"} for logs in log.batch_logs)
    assert set(log.epoch_logs[0]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    log.events.clear()
    model.predict(x, batch_size=8, callbacks=[log])
    assert log.events == ["predict_begin", ("predict_batch_begin", 0), ("predict_batch_end", 0),
                          ("predict_batch_begin", 1), ("predict_batch_end", 1), "predict_end"]


def test_legacy_batch_hooks_and_lambda_callback():
    seen = []

    class Legacy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(("legacy", batch))
    lam = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(("epoch", epoch, sorted(logs))))
    x, y = classification_data(n=8)
    linear_classifier().fit(x, y, batch_size=4, epochs=1, callbacks=[Legacy(), lam], verbose=0)
    assert seen == [("legacy", 0), ("legacy", 1), ("epoch", 0, ["accuracy", "loss"])]


def test_stop_training_from_a_callback_stops_mid_epoch():
    class StopAfterTwo(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True
    log = HookLog()
    x, y = classification_data(n=20)
    history = linear_classifier().fit(x, y, batch_size=4, epochs=5, callbacks=[StopAfterTwo(), log],
                                      verbose=0)
    assert history.epoch == [0]
    assert [e for e in log.events if isinstance(e, tuple) and e[0] == "train_batch_end"] == [
        ("train_batch_end", 0), ("train_batch_end", 1)]


def test_early_stopping_waits_patience_epochs():
    x, y = classification_data(n=12)
    stopper = EarlyStopping(monitor="loss", patience=2)
    history = linear_classifier().fit(x, y, epochs=10, shuffle=False, callbacks=[stopper], verbose=0)
    assert history.epoch == [0, 1, 2] and stopper.stopped_epoch == 2
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_restores_the_best_weights():
    model = Sequential([Dense(1, input_shape=(1,))])
    stopper = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, value in enumerate([3.0, 1.0, 2.0, 2.5]):
        model.set_weights([np.full((1, 1), float(epoch), np.float32), np.zeros(1, np.float32)])
        stopper.on_epoch_end(epoch, {"val_loss": value})
        if model.stop_training:
            break
    assert stopper.stopped_epoch == 2 and stopper.best == 1.0
    assert model.get_weights()[0][0, 0] == 1.0  # the weights of epoch 1


def test_validation_freq_initial_epoch_and_steps_per_epoch():
    x, y = classification_data(n=10)
    data = classification_data(n=4)
    model = linear_classifier()
    history = model.fit(x, y, epochs=4, validation_data=data, validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    history = model.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]
    log = HookLog()
    model.fit(x, y, batch_size=4, epochs=3, steps_per_epoch=2, callbacks=[log], verbose=0)
    assert sum(1 for e in log.events if isinstance(e, tuple) and e[0] == "train_batch_end") == 6


def test_fit_a_two_input_model_with_a_dict_keyed_by_input_names():
    a, b = Input(shape=(2,), name="left"), Input(shape=(3,), name="right")
    h = Dense(4, activation="tanh")(a)

    class Concat(Layer):
        def call(self, inputs):
            return mg.concatenate(inputs, axis=-1)
    model = Model([a, b], Dense(1)(Concat()([h, b])))
    model.compile(mg.optimizers.Adam(0.05), "mse")
    xl, xr = randn(40, 2), randn(40, 3)
    y = xr[:, :1] - xl[:, 1:]
    history = model.fit({"left": xl, "right": xr}, y, batch_size=8, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    np.testing.assert_allclose(model.predict([xl, xr]), model.predict({"right": xr, "left": xl}))
    assert model.predict([xl, xr], steps=100).shape == (40, 1)  # steps stop at the end of the data


# -- one batch -----------------------------------------------------------------------------------
def test_train_on_batch_takes_one_sgd_step():
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(mg.optimizers.SGD(0.1), "mse", metrics=["mae"])
    x, y = randn(8, 3), randn(8, 1)
    kernel, bias = model.get_weights()
    error = x @ kernel + bias - y
    loss, mae = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, (error ** 2).mean(), rtol=1e-5)
    np.testing.assert_allclose(mae, np.abs(error).mean(), rtol=1e-5)
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.1 * 2 * x.T @ error / 8, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bias, bias - 0.1 * 2 * error.mean(0), rtol=1e-5, atol=1e-6)
    logs = model.test_on_batch(x, y, return_dict=True)
    after = x @ new_kernel + new_bias - y
    np.testing.assert_allclose(logs["loss"], (after ** 2).mean(), rtol=1e-5)


def test_regularization_and_activity_losses_join_the_loss():
    model = Sequential([Dense(2, input_shape=(3,), kernel_regularizer=L2(0.1),
                              activity_regularizer=L1(0.01))])
    model.compile(mg.optimizers.SGD(0.05), "mse")
    x, y = randn(4, 3), randn(4, 2)
    kernel, bias = model.get_weights()
    out = x @ kernel + bias
    expected = ((out - y) ** 2).mean() + 0.1 * (kernel ** 2).sum() + 0.01 * np.abs(out).sum() / 4
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-5)
    grad = 2 * x.T @ (out - y) / 8 + 0.2 * kernel + 0.01 * x.T @ np.sign(out) / 4
    np.testing.assert_allclose(model.get_weights()[0], kernel - 0.05 * grad, rtol=1e-5, atol=1e-6)


def test_class_weight_scales_each_sample():
    x, y = classification_data(n=10)
    model = linear_classifier(metrics=None)
    losses, _ = manual_ce_and_accuracy(model, x, y)
    weights = {0: 1.0, 1: 2.0, 2: 0.5}
    loss = model.train_on_batch(x, y, class_weight=weights)
    np.testing.assert_allclose(loss, (np.array([weights[c] for c in y]) * losses).sum() / 10, rtol=1e-5)
    with pytest.raises(ValueError, match=r"class\(es\) \[2\]"):
        model.train_on_batch(x, y, class_weight={0: 1.0, 1: 1.0})


# -- metrics ---------------------------------------------------------------------------------------
def test_accuracy_is_resolved_from_the_shapes_as_keras():
    x = randn(30, 4)
    # binary: one sigmoid unit
    binary = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    binary.compile(mg.optimizers.SGD(0.0), "binary_crossentropy", metrics=["accuracy"])
    y = (RNG.random(30) > 0.5).astype(np.float32)
    p = binary.predict(x)[:, 0]
    assert binary.evaluate(x, y, verbose=0)[1] == pytest.approx(((p > 0.5) == y).mean())
    # categorical: one-hot targets
    onehot = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    onehot.compile(mg.optimizers.SGD(0.0), "categorical_crossentropy", metrics=["acc"])
    labels = RNG.integers(0, 3, 30)
    p = onehot.predict(x)
    _, acc = onehot.evaluate(x, np.eye(3, dtype=np.float32)[labels], verbose=0)
    assert onehot.metrics_names == ["loss", "acc"]
    assert acc == pytest.approx((p.argmax(1) == labels).mean())
    # sparse: integer labels
    sparse = linear_classifier()
    _, acc = sparse.evaluate(x, labels, verbose=0)
    assert acc == pytest.approx(manual_ce_and_accuracy(sparse, x, labels)[1].mean())


def test_multi_output_losses_weights_and_metric_names():
    a = Input(shape=(3,))
    h = Dense(4, activation="tanh", name="h")(a)
    model = Model(a, [Dense(2, name="o1")(h), Dense(1, name="o2")(h)])
    model.compile(mg.optimizers.SGD(0.0), loss=["mse", "mae"], loss_weights=[1.0, 0.5], metrics=["mse"])
    x, y1, y2 = randn(9, 3), randn(9, 2), randn(9, 1)
    p1, p2 = model.predict(x)
    l1, l2 = ((p1 - y1) ** 2).mean(), np.abs(p2 - y2).mean()
    results = model.evaluate(x, [y1, y2], batch_size=4, verbose=0)
    assert model.metrics_names == ["loss", "o1_loss", "o2_loss", "o1_mse", "o2_mse"]
    np.testing.assert_allclose(results, [l1 + 0.5 * l2, l1, l2, l1, ((p2 - y2) ** 2).mean()], rtol=1e-5)
    shared_metric = mg.metrics.MeanMetricWrapper(mg.losses.mean_absolute_error, name="abs")
    model.compile(mg.optimizers.SGD(0.0), loss="mse", metrics=[shared_metric])
    logs = model.evaluate(x, [y1, y2], verbose=0, return_dict=True)
    assert list(logs) == ["loss", "o1_loss", "o2_loss", "o1_abs", "o2_abs"]
    np.testing.assert_allclose([logs["o1_abs"], logs["o2_abs"]], [np.abs(p1 - y1).mean(), l2], rtol=1e-5)
    model.compile(mg.optimizers.SGD(0.0), loss={"o2": "mse"})
    logs = model.evaluate(x, {"o2": y2}, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "o2_loss"]
    np.testing.assert_allclose(logs["loss"], ((p2 - y2) ** 2).mean(), rtol=1e-5)
    model.compile("sgd", loss={"o3": "mse"})  # checked when the outputs are known: on the first batch
    with pytest.raises(ValueError, match=r"unexpected keys \['o3'\] in `loss`.*\['o1', 'o2'\]"):
        model.evaluate(x, [y1, y2], verbose=0)


# -- updates, custom loops, losses only ----------------------------------------------------
def test_custom_training_loop_as_keras_documents_it():
    mg.random.seed(0)
    counter = CountingUpdate(name="counter")
    model = Sequential([Dense(1, input_shape=(2,)), counter])
    optimizer = mg.optimizers.SGD(0.1)
    x = randn(32, 2)
    y = x @ np.array([[2.0], [-1.0]], np.float32) + 0.5
    features, labels = mg.tensor(x), mg.tensor(y)
    first = None
    for _ in range(60):
        with mg.GradientTape() as tape:
            predictions = model(features, training=True)
            loss = mg.losses.MeanSquaredError()(labels, predictions)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        updates = model.get_updates_for(None) + model.get_updates_for(features)
        assert len(updates) == 1
        for update in updates:
            update()
        first = float(loss.item()) if first is None else first
    assert float(counter.count.numpy()) == 60.0
    assert float(loss.item()) < 0.01 * first
    np.testing.assert_allclose(model.layers[0].get_weights()[0][:, 0], [2.0, -1.0], atol=0.05)


def test_fit_runs_each_pending_update_once_per_step():
    counter = CountingUpdate()
    model = Sequential([Dense(1, input_shape=(2,)), counter])
    model.compile("sgd", "mse")
    model.fit(randn(10, 2), randn(10, 1), batch_size=4, epochs=2, verbose=0)  # 3 steps per epoch
    assert float(counter.count.numpy()) == 6.0
    model.evaluate(randn(10, 2), randn(10, 1), verbose=0)
    model.predict(randn(10, 2))
    assert float(counter.count.numpy()) == 6.0 and model.updates == []


def test_fit_a_subclassed_model_and_a_model_with_add_loss_only():
    class Regressor(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(1)

        def call(self, inputs):
            return self.dense(inputs)
    x = randn(64, 3)
    y = x @ np.array([[1.0], [2.0], [-1.0]], np.float32)
    model = Regressor()
    model.compile(mg.optimizers.Adam(0.1), "mse")
    history = model.fit(x, y, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]

    class PullToZero(Layer):
        def call(self, inputs):
            self.add_loss(mg.mean(mg.square(inputs)))
            return inputs
    only_losses = Sequential([Dense(2, input_shape=(3,)), PullToZero()])
    only_losses.compile(mg.optimizers.SGD(0.2))
    history = only_losses.fit(x, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]


# -- progress output -----------------------------------------------------------------------------
def test_verbose_0_and_2_output(capsys):
    x, y = classification_data(n=10)
    model = linear_classifier()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(r"3/3 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - "
                        r"val_accuracy: \d\.\d{4} - \d+(s|ms|us)/epoch - \d+(s|ms|us)/step", lines[1])


def test_verbose_1_without_tqdm_prints_plain_lines(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # makes `import tqdm.auto` fail
    x, y = classification_data(n=10)
    model = linear_classifier()
    model.fit(x, y, batch_size=4, epochs=1, verbose=1)
    model.evaluate(x, y, batch_size=4, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/1" and lines[1].startswith("3/3 - ") and "loss: " in lines[1]
    assert lines[2].startswith("3/3 - ") and "accuracy: " in lines[2]


def test_verbose_1_with_tqdm_shows_a_bar(capsys):
    pytest.importorskip("tqdm")
    x, y = classification_data(n=10)
    linear_classifier().fit(x, y, batch_size=4, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "3/3" in out and "loss: " in out


# -- learning ------------------------------------------------------------------------------------
def test_mlp_learns_spirals():
    mg.random.seed(0)
    x, y = mg.datasets.spirals(n_samples=300, n_classes=3, seed=0)
    model = Sequential([Dense(64, activation="relu", input_shape=(2,)), Dense(64, activation="relu"),
                        Dense(3)])
    model.compile(mg.optimizers.Adam(0.01), mg.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=100, verbose=0)  # about 0.6 s; seeds 0-5 reach 0.99
    assert history.history["accuracy"][-1] >= 0.95
    assert model.evaluate(x, y, verbose=0)[1] >= 0.95


def test_small_cnn_learns_shapes():
    mg.random.seed(0)
    x, y = mg.datasets.shapes(n_samples=1200, image_size=28, noise=0.1, seed=0)
    model = Sequential([
        Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1)),
        MaxPooling2D(),
        Conv2D(16, 3, activation="relu"),
        Flatten(),
        Dense(6),
    ])
    model.compile(mg.optimizers.Adam(0.005), mg.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    # about 1.6 s at one thread; seeds 0-7 all end at 0.98-0.99 validation accuracy
    history = model.fit(x, y, batch_size=32, epochs=10, validation_split=0.25, verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.90
    _, held_out_accuracy = model.evaluate(x[900:], y[900:], verbose=0)  # the last 25%, as Keras splits
    assert held_out_accuracy == pytest.approx(history.history["val_accuracy"][-1])
