"""ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN and the
learning-rate schedules, each on a tiny fit whose outcome is worked out by hand.

Most fits train ``w`` in ``pred = w * x`` (one weight, no bias, from 0) on ``x = 1, y = 1`` with
the mean squared error: the loss is ``(w - 1)**2``, its gradient ``2 (w - 1)``, so an SGD step
with rate ``lr`` gives ``w <- w + 2 lr (1 - w)``. Others drive a callback with a scripted log
(a LambdaCallback placed before it writes the value) so that every decision is hand-checkable.
"""

from __future__ import annotations

import csv
import math
import os

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import callbacks
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.optimizers import schedules

X1 = np.ones((1, 1), "float32")
Y1 = np.ones((1, 1), "float32")


def one_weight_model(learning_rate=0.1, trainable=True):
    model = layers.Sequential([layers.Dense(1, use_bias=False, kernel_initializer="zeros",
                                            input_shape=(1,), trainable=trainable)])
    model.compile(mg.optimizers.SGD(learning_rate), "mse")
    return model


def small_model(seed=0):
    model = layers.Sequential([layers.Dense(2, input_shape=(3,), kernel_initializer=
                                            layers.initializers.GlorotUniform(seed=seed))])
    model.compile(mg.optimizers.SGD(0.05), "mse")
    return model


def small_data(n=8):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x[:, :2] * 0.5).astype("float32")


def script(name, values):
    """A callback writing ``logs[name] = values[epoch]`` at each epoch's end."""
    return callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update({name: values[epoch]}))


def run_scripted(callback, name, values, learning_rate=0.1):
    model = one_weight_model(learning_rate)
    history = model.fit(X1, Y1, epochs=len(values), verbose=0,
                        callbacks=[script(name, values), callback])
    return model, history


# == schedules ====================================================================================
class TestSchedules:
    def test_exponential_decay(self):
        lr = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        # 0.1 * 0.5 ** (step / 10)
        assert lr(0) == pytest.approx(0.1, rel=1e-15)
        assert lr(5) == pytest.approx(0.1 / math.sqrt(2), rel=1e-15)
        assert lr(10) == pytest.approx(0.05, rel=1e-15)
        assert lr(25) == pytest.approx(0.1 * 0.5 ** 2.5, rel=1e-15)

    def test_exponential_decay_staircase(self):
        lr = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
        assert [lr(s) for s in (0, 9, 10, 19, 20, 25)] == pytest.approx(
            [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rel=1e-15)

    def test_piecewise_constant(self):
        lr = schedules.PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.1])
        # values[0] while step <= 3, values[1] while 3 < step <= 6, values[2] after
        assert [lr(s) for s in range(9)] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1]

    def test_cosine_decay(self):
        lr = schedules.CosineDecay(1.0, decay_steps=4)
        c = math.cos(math.pi / 4)  # 0.5 * (1 + cos(pi * s / 4))
        assert [lr(s) for s in (0, 1, 2, 3, 4, 10)] == pytest.approx(
            [1.0, (1 + c) / 2, 0.5, (1 - c) / 2, 0.0, 0.0], abs=1e-15)
        with_floor = schedules.CosineDecay(2.0, 4, alpha=0.1)  # 2 * (0.9 * cosine + 0.1)
        assert [with_floor(s) for s in (0, 2, 4, 9)] == pytest.approx([2.0, 1.1, 0.2, 0.2], rel=1e-15)

    def test_cosine_decay_with_warmup(self):
        lr = schedules.CosineDecay(0.0, decay_steps=4, warmup_target=1.0, warmup_steps=2)
        # linear 0 -> 1 over 2 steps, then the cosine from 1 over 4 steps
        assert [lr(s) for s in (0, 1, 2, 4, 6, 100)] == pytest.approx(
            [0.0, 0.5, 1.0, 0.5, 0.0, 0.0], abs=1e-15)

    def test_keras_defaults(self):
        cosine = schedules.CosineDecay(0.1, 100)
        assert (cosine.alpha, cosine.warmup_target, cosine.warmup_steps, cosine.name) == \
            (0.0, None, 0, "CosineDecay")
        exp = schedules.ExponentialDecay(0.1, 100, 0.9)
        assert (exp.staircase, exp.name) == (False, "ExponentialDecay")
        assert schedules.PiecewiseConstantDecay([1], [0.1, 0.01]).name == "PiecewiseConstant"

    def test_step_may_be_a_tensor(self):
        lr = schedules.ExponentialDecay(0.1, 10, 0.5)
        assert lr(mg.Variable(10, dtype="int64")) == pytest.approx(0.05, rel=1e-15)

    @pytest.mark.parametrize("schedule", [
        schedules.ExponentialDecay(0.1, 7, 0.3, staircase=True),
        schedules.PiecewiseConstantDecay([2, 5], [0.3, 0.2, 0.1], name="steps"),
        schedules.CosineDecay(0.1, 20, alpha=0.2, warmup_target=0.5, warmup_steps=3),
    ], ids=["exponential", "piecewise", "cosine"])
    def test_config_round_trip(self, schedule):
        rebuilt = type(schedule).from_config(schedule.get_config())
        assert rebuilt.get_config() == schedule.get_config()
        assert [rebuilt(s) for s in range(30)] == [schedule(s) for s in range(30)]
        again = schedules.deserialize(schedules.serialize(schedule))
        assert type(again) is type(schedule) and again.get_config() == schedule.get_config()

    def test_errors(self):
        with pytest.raises(InvalidArgumentError,
                           match=r"ExponentialDecay: `decay_steps` must be finite and > 0"):
            schedules.ExponentialDecay(0.1, 0, 0.5)
        with pytest.raises(InvalidArgumentError,
                           match=r"length of `boundaries` should be 1 less.*Give one value"):
            schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
        with pytest.raises(InvalidArgumentError, match=r"`boundaries` must increase strictly.*Sort them"):
            schedules.PiecewiseConstantDecay([5, 5], [0.1, 0.2, 0.3])
        with pytest.raises(ArgumentTypeError, match=r"`values` must be a list of numbers"):
            schedules.PiecewiseConstantDecay([1], "0.1 0.2")
        with pytest.raises(InvalidArgumentError,
                           match=r"CosineDecay: `alpha` must be finite and in \[0, 1\]"):
            schedules.CosineDecay(0.1, 10, alpha=1.5)
        with pytest.raises(InvalidArgumentError, match=r"unknown schedule 'Nope'.*custom_objects"):
            schedules.deserialize({"class_name": "Nope", "config": {}})
        with pytest.raises(InvalidArgumentError, match=r"`step` must be finite and >= 0"):
            schedules.CosineDecay(0.1, 10)(-1)


class TestScheduleAsLearningRate:
    def test_learning_rate_reads_the_scheduled_value(self):
        opt = mg.optimizers.SGD(schedules.ExponentialDecay(0.1, 1, 0.5))
        v = mg.Variable(0.0, dtype="float64")
        assert opt.learning_rate == pytest.approx(0.1)
        for _ in range(2):
            opt.apply_gradients([(mg.tensor(1.0, dtype="float64"), v)])
        assert opt.learning_rate == pytest.approx(0.025, rel=1e-15)  # step 2: 0.1 * 0.5 ** 2
        assert opt.current_learning_rate() == pytest.approx(0.025, rel=1e-15)
        assert v.numpy() == pytest.approx(-0.15, rel=1e-15)  # -(0.1 + 0.05)

    def test_exponential_decay_inside_fit(self):
        model = one_weight_model(schedules.ExponentialDecay(0.1, 1, 0.5))
        model.fit(X1, Y1, epochs=3, verbose=0)
        # w <- w + 2 lr (1 - w) with lr = 0.1, 0.05, 0.025: 0.2, 0.28, 0.316
        assert model.get_weights()[0].item() == pytest.approx(0.316, rel=1e-6)
        assert int(model.optimizer.iterations.numpy()) == 3
        assert model.optimizer.learning_rate == pytest.approx(0.0125, rel=1e-15)

    def test_piecewise_constant_inside_fit(self):
        # step 0 <= 0 uses 0.1, every later step 0: only the first step moves w
        model = one_weight_model(schedules.PiecewiseConstantDecay([0], [0.1, 0.0]))
        model.fit(X1, Y1, epochs=4, verbose=0)
        assert model.get_weights()[0].item() == pytest.approx(0.2, rel=1e-6)

    def test_cosine_decay_inside_fit(self):
        model = one_weight_model(schedules.CosineDecay(0.2, decay_steps=2))
        model.fit(X1, Y1, epochs=3, verbose=0)
        # lr = 0.2, 0.1, 0: w = 0.4, then 0.4 + 0.2 * 0.6 = 0.52, then unchanged
        assert model.get_weights()[0].item() == pytest.approx(0.52, rel=1e-6)

    def test_optimizer_config_carries_the_schedule(self):
        opt = mg.optimizers.Adam(schedules.CosineDecay(0.1, 10, alpha=0.5))
        config = opt.get_config()
        assert config["learning_rate"] == {"class_name": "CosineDecay", "config": {
            "initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.5, "name": "CosineDecay",
            "warmup_target": None, "warmup_steps": 0}}
        rebuilt = mg.optimizers.Adam.from_config(config)
        assert rebuilt.get_config() == config
        assert mg.optimizers.get({"class_name": "Adam", "config": config}).learning_rate == pytest.approx(0.1)

    def test_a_number_cannot_replace_a_schedule(self):
        opt = mg.optimizers.SGD(schedules.ExponentialDecay(0.1, 10, 0.5))
        with pytest.raises(ArgumentTypeError,
                           match=r"built with a schedule.*Build the optimizer with a float"):
            opt.learning_rate = 0.01
        opt.learning_rate = schedules.PiecewiseConstantDecay([1], [0.3, 0.2])  # a new schedule is fine
        assert opt.learning_rate == 0.3


# == ModelCheckpoint ==============================================================================
class TestModelCheckpoint:
    def test_every_epoch_with_epoch_template(self, tmp_path):
        model = one_weight_model()
        seen = []
        record = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.get_weights()))
        path = str(tmp_path / "ckpt" / "w-{epoch:02d}.weights.npz")  # the folder is made
        model.fit(X1, Y1, epochs=3, verbose=0, callbacks=[
            callbacks.ModelCheckpoint(path, save_weights_only=True), record])
        assert sorted(os.listdir(tmp_path / "ckpt")) == [f"w-0{i}.weights.npz" for i in (1, 2, 3)]
        fresh = one_weight_model()
        fresh.load_weights(str(tmp_path / "ckpt" / "w-02.weights.npz"))
        # w = 0.2, 0.36, ... (constant rate 0.1)
        assert fresh.get_weights()[0].item() == seen[1][0].item() == pytest.approx(0.36, rel=1e-6)

    def test_metric_in_the_template(self, tmp_path):
        x, y = small_data()
        model = small_model()
        history = model.fit(x, y, epochs=3, batch_size=4, verbose=0, validation_data=(x, y),
                            shuffle=False, callbacks=[callbacks.ModelCheckpoint(
                                str(tmp_path / "m-{epoch:02d}-{val_loss:.2f}.weights.npz"),
                                save_weights_only=True)])
        expected = sorted(f"m-{i + 1:02d}-{v:.2f}.weights.npz"
                          for i, v in enumerate(history.history["val_loss"]))
        assert sorted(os.listdir(tmp_path)) == expected
        assert len(set(expected)) == 3

    @pytest.mark.parametrize("monitor, mode, values, threshold, saved", [
        ("score", "min", [3.0, 2.0, 2.5, 1.0], None, [1, 2, 4]),
        ("score", "max", [3.0, 2.0, 2.5, 4.0], None, [1, 4]),
        ("val_acc", "auto", [0.5, 0.7, 0.6, 0.9], None, [1, 2, 4]),    # auto: max for "acc"
        ("val_loss", "auto", [0.5, 0.7, 0.4, 0.4], None, [1, 3]),      # auto: min; equal is no gain
        ("score", "min", [3.0, 2.0, 2.5, 1.0], 2.5, [2, 4]),
    ], ids=["min", "max", "auto-acc", "auto-loss", "threshold"])
    def test_save_best_only(self, tmp_path, monitor, mode, values, threshold, saved):
        checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "b-{epoch}.weights.npz"), monitor=monitor,
                                               mode=mode, save_best_only=True, save_weights_only=True,
                                               initial_value_threshold=threshold)
        run_scripted(checkpoint, monitor, values)
        assert sorted(os.listdir(tmp_path)) == [f"b-{e}.weights.npz" for e in saved]
        best = min(values) if mode == "min" or monitor == "val_loss" else max(values)
        assert checkpoint.best == best

    def test_one_file_holds_the_best_epoch(self, tmp_path):
        model = one_weight_model()
        seen = []
        record = callbacks.LambdaCallback(
            on_epoch_end=lambda e, logs: seen.append(model.get_weights()[0].item()))
        path = str(tmp_path / "best.weights.npz")
        model.fit(X1, Y1, epochs=4, verbose=0, callbacks=[
            script("score", [2.0, 1.0, 3.0, 1.5]), record,
            callbacks.ModelCheckpoint(path, monitor="score", save_best_only=True, save_weights_only=True)])
        fresh = one_weight_model()
        fresh.load_weights(path)
        assert fresh.get_weights()[0].item() == seen[1]  # epoch 2 had the best score
        assert seen[1] != seen[3]

    def test_batch_frequency(self, tmp_path):
        x, y = small_data(8)
        small_model().fit(x, y, epochs=2, batch_size=2, verbose=0, callbacks=[callbacks.ModelCheckpoint(
            str(tmp_path / "s-{epoch}-{batch}.weights.npz"), save_weights_only=True, save_freq=3)])
        # 4 batches an epoch: the 3rd and 6th batch overall are (epoch 1, batch 3), (epoch 2, batch 2)
        assert sorted(os.listdir(tmp_path)) == ["s-1-3.weights.npz", "s-2-2.weights.npz"]

    def test_missing_monitor_skips_with_a_warning(self, tmp_path):
        model = one_weight_model()
        with pytest.warns(UserWarning, match="Can save best model only with val_loss available, skipping"):
            model.fit(X1, Y1, epochs=2, verbose=0, callbacks=[callbacks.ModelCheckpoint(
                str(tmp_path / "w.weights.npz"), save_best_only=True, save_weights_only=True)])
        assert os.listdir(tmp_path) == []

    def test_verbose_messages(self, tmp_path, capsys):
        run_scripted(callbacks.ModelCheckpoint(str(tmp_path / "w.weights.npz"), monitor="score",
                                               save_best_only=True, save_weights_only=True, verbose=1),
                     "score", [2.0, 3.0])
        out = capsys.readouterr().out
        assert "Epoch 1: score improved from inf to 2.00000, saving model to" in out
        assert "Epoch 2: score did not improve from 2.00000" in out

    def test_whole_model(self, tmp_path):
        path = str(tmp_path / "m-{epoch}.keras")
        model = one_weight_model()
        checkpoint = callbacks.ModelCheckpoint(path)
        model.fit(X1, Y1, epochs=2, verbose=0, callbacks=[checkpoint])
        assert sorted(os.listdir(tmp_path)) == ["m-1.keras", "m-2.keras"]
        # the last file is the trained model, whole: its weights are the model's, bit for bit
        loaded = layers.load_model(str(tmp_path / "m-2.keras"))
        for saved, trained in zip(loaded.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(saved, trained)

    def test_unknown_log_in_template(self, tmp_path):
        checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "w-{val_acc:.2f}.weights.npz"),
                                               save_weights_only=True)
        with pytest.raises(InvalidArgumentError, match=r"names \{val_acc\}.*hold only \['epoch', 'loss'\]"):
            one_weight_model().fit(X1, Y1, epochs=1, verbose=0, callbacks=[checkpoint])

    @pytest.mark.parametrize("kwargs, error, message", [
        ({"filepath": "w.weights.h5", "save_weights_only": True}, InvalidArgumentError,
         r"`filepath` must end in \.npz.*not Keras's \.weights\.h5"),
        ({"filepath": "w.npz"}, InvalidArgumentError,
         r"`filepath` must end in \.keras.*save_weights_only=True"),
        ({"filepath": "w-{}.keras"}, InvalidArgumentError, r"positional field.*\{epoch:02d\}"),
        ({"filepath": "w-{epoch:.2q}.keras"}, InvalidArgumentError, r"cannot be filled in"),
        ({"filepath": "w-{epoch.keras"}, InvalidArgumentError, r"not a valid format string"),
        ({"filepath": 5}, ArgumentTypeError, r"`filepath` must be a non-empty path"),
        ({"filepath": "w.keras", "mode": "up"}, InvalidArgumentError, r"`mode` must be one of 'auto'"),
        ({"filepath": "w.keras", "save_freq": "batch"}, InvalidArgumentError,
         r"`save_freq` must be 'epoch' or an int"),
        ({"filepath": "w.keras", "save_freq": 0}, InvalidArgumentError,
         r"`save_freq` must be an integer >= 1"),
        ({"filepath": "w.keras", "save_best_only": "yes"}, ArgumentTypeError,
         r"`save_best_only` must be a bool"),
        ({"filepath": "w.keras", "monitor": None}, ArgumentTypeError, r"`monitor` must be a string"),
        ({"filepath": "w.keras", "initial_value_threshold": math.nan}, InvalidArgumentError,
         r"`initial_value_threshold` must be finite"),
    ])
    def test_argument_errors(self, kwargs, error, message):
        with pytest.raises(error, match="ModelCheckpoint: .*" + message):
            callbacks.ModelCheckpoint(**kwargs)


# == ReduceLROnPlateau ============================================================================
class TestReduceLROnPlateau:
    def test_patience_cooldown_and_min_lr(self):
        values = [1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
        reduce = callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, cooldown=1,
                                             min_delta=0.0, min_lr=0.02)
        model, history = run_scripted(reduce, "score", values)
        # epoch: 0 best; 1 wait 1; 2 wait 2 -> 0.05, cooldown; 3 cooldown ends, wait 1; 4 best 0.5;
        # 5, 6 waits -> 0.025; 7 cooldown, wait 1; 8 wait 2 -> max(0.0125, 0.02) = 0.02;
        # 9, 10, 11: already at min_lr, no change. Each epoch's log is the rate it trained with.
        assert history.history["learning_rate"] == pytest.approx(
            [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02], rel=1e-15)
        assert model.optimizer.learning_rate == pytest.approx(0.02, rel=1e-15)
        # at min_lr nothing is reduced (Keras compares float32 rates), so the wait keeps growing
        assert (reduce.wait, reduce.cooldown_counter) == (3, 0)

    def test_min_delta(self):
        # improvements of 0.05 do not beat min_delta=0.1: patience 1 reduces at every epoch after the first
        values = [1.0, 0.95, 0.9, 0.85]
        _, history = run_scripted(callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1,
                                                              min_delta=0.1), "score", values)
        assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025], rel=1e-15)

    def test_max_mode_from_an_accuracy_name(self):
        values = [0.5, 0.6, 0.7, 0.7]  # rising accuracy is an improvement; the repeat is not
        model, history = run_scripted(callbacks.ReduceLROnPlateau(monitor="val_accuracy", patience=1,
                                                                  factor=0.5), "val_accuracy", values)
        assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.1], rel=1e-15)
        assert model.optimizer.learning_rate == pytest.approx(0.05, rel=1e-15)

    def test_on_a_real_plateau(self):
        # nothing is trainable, so the loss is the same every epoch
        model = one_weight_model(trainable=False)
        history = model.fit(X1, Y1, epochs=4, verbose=0, callbacks=[callbacks.ReduceLROnPlateau(
            monitor="loss", factor=0.5, patience=1, min_delta=0.0)])
        assert history.history["loss"] == [1.0] * 4
        assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025], rel=1e-15)
        assert model.optimizer.learning_rate == pytest.approx(0.0125, rel=1e-15)

    def test_verbose_and_missing_monitor(self, capsys):
        run_scripted(callbacks.ReduceLROnPlateau(monitor="score", patience=0, verbose=1, factor=0.5),
                     "score", [1.0, 1.0])
        assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out
        with pytest.warns(UserWarning, match="conditioned on metric `val_loss` which is not available"):
            one_weight_model().fit(X1, Y1, epochs=1, verbose=0, callbacks=[callbacks.ReduceLROnPlateau()])

    def test_refuses_a_schedule(self):
        model = one_weight_model(schedules.ExponentialDecay(0.1, 10, 0.5))
        with pytest.raises(ArgumentTypeError, match=r"ReduceLROnPlateau: the optimizer's learning_rate "
                           r"is a schedule.*Build the optimizer with a float learning_rate"):
            model.fit(X1, Y1, epochs=1, verbose=0, callbacks=[callbacks.ReduceLROnPlateau()])

    @pytest.mark.parametrize("kwargs, error, message", [
        ({"factor": 1.0}, InvalidArgumentError, r"`factor` must be finite and in \[0, 1\)"),
        ({"factor": "0.5"}, ArgumentTypeError, r"`factor` must be a number"),
        ({"patience": -1}, InvalidArgumentError, r"`patience` must be an integer >= 0"),
        ({"mode": "MIN"}, InvalidArgumentError, r"`mode` must be one of 'auto', 'min', 'max'"),
        ({"min_delta": -0.1}, InvalidArgumentError, r"`min_delta` must be finite and >= 0"),
        ({"cooldown": 1.5}, ArgumentTypeError, r"`cooldown` must be an integer"),
        ({"min_lr": math.inf}, InvalidArgumentError, r"`min_lr` must be finite"),
        ({"monitor": 3}, ArgumentTypeError, r"`monitor` must be a string"),
    ])
    def test_argument_errors(self, kwargs, error, message):
        with pytest.raises(error, match="ReduceLROnPlateau: " + message):
            callbacks.ReduceLROnPlateau(**kwargs)


# == LearningRateScheduler ========================================================================
class TestLearningRateScheduler:
    def test_keras_docstring_example(self):
        # keras.callbacks.LearningRateScheduler's example: 0.01 kept 10 epochs, then * exp(-0.1)
        def scheduler(epoch, lr):
            return lr if epoch < 10 else lr * math.exp(-0.1)

        model = layers.Sequential([layers.Dense(10, input_shape=(20,))])
        model.compile(mg.optimizers.SGD(), loss="mse")
        assert round(model.optimizer.learning_rate, 5) == 0.01
        model.fit(np.arange(100).reshape(5, 20) / 100.0, np.zeros((5, 10)), epochs=15, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(scheduler)])
        assert round(model.optimizer.learning_rate, 5) == 0.00607
        assert model.optimizer.learning_rate == pytest.approx(0.01 * math.exp(-0.5), rel=1e-12)

    def test_the_new_rate_trains_that_epoch(self):
        model = one_weight_model()
        history = model.fit(X1, Y1, epochs=3, verbose=0, callbacks=[
            callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)])
        assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025], rel=1e-15)
        assert model.get_weights()[0].item() == pytest.approx(0.316, rel=1e-6)  # as ExponentialDecay

    def test_schedule_of_the_epoch_only(self, capsys):
        model = one_weight_model()
        history = model.fit(X1, Y1, epochs=3, verbose=0, callbacks=[
            callbacks.LearningRateScheduler(lambda epoch: 0.2 / 2 ** epoch, verbose=1)])
        assert history.history["learning_rate"] == [0.2, 0.1, 0.05]
        assert "Epoch 3: LearningRateScheduler setting learning rate to 0.05." in capsys.readouterr().out

    def test_bad_values_from_the_schedule(self):
        with pytest.raises(InvalidArgumentError, match=r"LearningRateScheduler: `learning_rate \(the value "
                           r"of schedule at epoch 0\)` must be finite and >= 0, got -0.1"):
            one_weight_model().fit(X1, Y1, verbose=0, callbacks=[
                callbacks.LearningRateScheduler(lambda epoch, lr: -0.1)])
        with pytest.raises(ArgumentTypeError, match=r"schedule at epoch 0\)` must be a number"):
            one_weight_model().fit(X1, Y1, verbose=0, callbacks=[
                callbacks.LearningRateScheduler(lambda epoch, lr: "fast")])

    def test_argument_errors(self):
        with pytest.raises(ArgumentTypeError, match=r"LearningRateScheduler: `schedule` must be a function"):
            callbacks.LearningRateScheduler(0.1)
        with pytest.raises(InvalidArgumentError, match=r"takes no argument: it must take \(epoch, lr\)"):
            callbacks.LearningRateScheduler(lambda: 0.1)
        with pytest.raises(InvalidArgumentError, match=r"`verbose` must be an integer >= 0"):
            callbacks.LearningRateScheduler(lambda e, lr: lr, verbose=-1)
        model = one_weight_model(schedules.CosineDecay(0.1, 10))
        with pytest.raises(ArgumentTypeError,
                           match=r"LearningRateScheduler: the optimizer's learning_rate is a schedule"):
            model.fit(X1, Y1, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda e, lr: lr)])


# == CSVLogger ====================================================================================
class TestCSVLogger:
    def fit(self, path, epochs=3, **kwargs):
        x, y = small_data()
        model = small_model()
        history = model.fit(x, y, epochs=epochs, batch_size=4, verbose=0, shuffle=False,
                            validation_data=(x, y), callbacks=[callbacks.CSVLogger(str(path), **kwargs)])
        return history.history

    def test_header_and_rows(self, tmp_path):
        path = tmp_path / "log.csv"
        history = self.fit(path)
        raw = path.read_bytes().decode()
        assert raw.startswith("epoch,loss,val_loss\r\n") and raw.count("\r\n") == 4
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["epoch", "loss", "val_loss"]
        assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
        assert [float(r[1]) for r in rows[1:]] == history["loss"]      # repr round-trips exactly
        assert [float(r[2]) for r in rows[1:]] == history["val_loss"]

    def test_separator_and_append(self, tmp_path):
        path = tmp_path / "log.csv"
        self.fit(path, epochs=2, separator=";")
        self.fit(path, epochs=1, separator=";", append=True)
        lines = path.read_text().splitlines()
        assert lines[0] == "epoch;loss;val_loss" and len(lines) == 4  # one header, 2 + 1 rows
        assert [line.split(";")[0] for line in lines[1:]] == ["0", "1", "0"]
        self.fit(path, epochs=1)  # append=False starts over
        assert len(path.read_text().splitlines()) == 2

    def test_append_to_an_empty_file_writes_the_header(self, tmp_path):
        path = tmp_path / "log.csv"
        path.write_text("")
        self.fit(path, epochs=1, append=True)
        assert path.read_text().splitlines()[0] == "epoch,loss,val_loss"

    def test_flushed_after_every_epoch(self, tmp_path):
        path = tmp_path / "log.csv"
        lines_seen = []
        peek = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: lines_seen.append(
            len(path.read_text().splitlines())))
        one_weight_model().fit(X1, Y1, epochs=3, verbose=0, callbacks=[callbacks.CSVLogger(str(path)), peek])
        assert lines_seen == [2, 3, 4]

    def test_learning_rate_column_from_a_callback_before_it(self, tmp_path):
        path = tmp_path / "log.csv"
        one_weight_model().fit(X1, Y1, epochs=2, verbose=0, callbacks=[
            callbacks.LearningRateScheduler(lambda e, lr: 0.5 / (e + 1)), callbacks.CSVLogger(str(path))])
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        assert [float(r["learning_rate"]) for r in rows] == [0.5, 0.25]

    @pytest.mark.parametrize("kwargs, error, message", [
        ({"filename": None}, ArgumentTypeError, r"`filename` must be a non-empty path"),
        ({"filename": "a.csv", "separator": ",,"}, InvalidArgumentError,
         r"`separator` must be one character"),
        ({"filename": "a.csv", "separator": '"'}, InvalidArgumentError,
         r"`separator` must be one character other"),
        ({"filename": "a.csv", "separator": 5}, ArgumentTypeError, r"`separator` must be a string"),
        ({"filename": "a.csv", "append": "yes"}, ArgumentTypeError, r"`append` must be a bool"),
    ])
    def test_argument_errors(self, kwargs, error, message):
        with pytest.raises(error, match="CSVLogger: " + message):
            callbacks.CSVLogger(**kwargs)


# == TerminateOnNaN ===============================================================================
class TestTerminateOnNaN:
    def batches_run(self, x, y, extra):
        seen = []
        model = one_weight_model()
        history = model.fit(x, y, epochs=3, batch_size=1, shuffle=False, verbose=0, callbacks=[
            *extra, callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))])
        return seen, history.history

    def test_stops_at_the_nan_batch(self, capsys):
        x = np.ones((5, 1), "float32")
        x[2] = np.nan
        seen, history = self.batches_run(x, np.ones((5, 1), "float32"), [callbacks.TerminateOnNaN()])
        assert seen == [0, 1, 2]                   # the rest of epoch 1 and epochs 2, 3 never ran
        assert len(history["loss"]) == 1 and math.isnan(history["loss"][0])
        assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out

    @pytest.mark.filterwarnings("ignore:overflow encountered")
    def test_stops_at_an_infinite_loss(self):
        y = np.ones((5, 1), "float32")
        y[1] = 1e30  # (0 - 1e30)**2 overflows float32
        seen, history = self.batches_run(np.ones((5, 1), "float32"), y, [callbacks.TerminateOnNaN()])
        assert seen == [0, 1] and history["loss"] == [math.inf]

    def test_without_it_training_goes_on(self):
        x = np.ones((5, 1), "float32")
        x[2] = np.nan
        seen, history = self.batches_run(x, np.ones((5, 1), "float32"), [])
        assert seen == [0, 1, 2, 3, 4] * 3 and len(history["loss"]) == 3

    def test_raise_error(self):
        x = np.ones((5, 1), "float32")
        x[3] = np.nan
        with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch 3"):
            self.batches_run(x, np.ones((5, 1), "float32"), [callbacks.TerminateOnNaN(raise_error=True)])

    def test_argument_error(self):
        with pytest.raises(ArgumentTypeError, match=r"TerminateOnNaN: `raise_error` must be a bool"):
            callbacks.TerminateOnNaN(raise_error="yes")
