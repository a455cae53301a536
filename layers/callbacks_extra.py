"""Callbacks that save, log and steer training: checkpoints, CSV logs, the learning rate, NaN stops.

    model.fit(x, y, validation_data=(xv, yv), epochs=20, callbacks=[
        layers.callbacks.ModelCheckpoint("ckpt/w-{epoch:02d}-{val_loss:.2f}.weights.npz",
                                         save_weights_only=True, save_best_only=True),
        layers.callbacks.ReduceLROnPlateau(factor=0.5, patience=2),
        layers.callbacks.CSVLogger("training.csv"),
        layers.callbacks.TerminateOnNaN(),
    ])

They follow Keras 3 (``keras.callbacks``), with the differences their docstrings state; all of
them are also ``layers.callbacks.<Name>``. ``ReduceLROnPlateau`` and ``LearningRateScheduler``
change ``model.optimizer.learning_rate`` and add ``"learning_rate"`` to the epoch's logs (so
``History`` records it); they need an optimizer built with a float learning rate, not a
schedule (``minigrad.optimizers.schedules``), which sets the rate itself.
"""

from __future__ import annotations

import csv
import inspect
import math
import numbers
import os
import string
import warnings

import numpy as np

from layers.callbacks import MODES, Callback, _direction
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_float, check_int, check_one_of, check_str


def _check_path(name: str, value, where: str) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        example = "run/log.csv" if name == "filename" else "run/w-{epoch:02d}.weights.npz"
        raise ArgumentTypeError(
            f"{where}: `{name}` must be a non-empty path (a str or os.PathLike), got {value!r} of "
            f"type {type(value).__name__}. Pass e.g. {name}={example!r}."
        )
    return value


def _settable_learning_rate(model, where: str) -> None:
    """Refuse, before training starts, an optimizer whose learning rate is a schedule."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise InvalidArgumentError(f"{where} changes model.optimizer.learning_rate, but the model "
                                   "has no optimizer: call model.compile(optimizer, loss) first.")
    given = optimizer.get_config().get("learning_rate")
    if not isinstance(given, numbers.Real):
        raise ArgumentTypeError(
            f"{where}: the optimizer's learning_rate is a schedule ({given!r}), which sets the rate "
            "at every step, so this callback cannot change it. Build the optimizer with a float "
            f"learning_rate to use {where}, or keep the schedule and drop the callback."
        )


# -- ModelCheckpoint ------------------------------------------------------------------------------
def _check_template(filepath: str, where: str) -> None:
    """Every ``{field}`` named (not ``{}``/``{0}``), and the format specs valid for numbers."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(filepath) if field is not None]
    except ValueError as error:
        raise InvalidArgumentError(
            f"{where}: `filepath` {filepath!r} is not a valid format string ({error}). Write the "
            "fields as {epoch:02d} or {val_loss:.2f}, and a literal brace as {{ or }}.") from None
    trial = {}
    for field in fields:
        key = field.split(".")[0].split("[")[0]
        if not key or key.isdigit():
            raise InvalidArgumentError(
                f"{where}: `filepath` {filepath!r} has a positional field {{{field}}}: name each "
                "field after a log, e.g. {epoch:02d} or {val_loss:.2f}.")
        trial[key] = 1 if key in ("epoch", "batch") else 0.5
    try:
        filepath.format(**trial)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise InvalidArgumentError(
            f"{where}: `filepath` {filepath!r} cannot be filled in ({error}): epoch and batch "
            "are ints ({epoch:02d}), the logs floats ({val_loss:.2f}).") from None


class ModelCheckpoint(Callback):
    """Save the model or its weights during training, every epoch or only when it improves.

    ``filepath`` may hold ``str.format`` fields filled in at each save: ``{epoch}`` (from 1),
    ``{batch}`` (from 1, with an int ``save_freq``) and any log of the epoch, e.g.
    ``"ckpt/w-{epoch:02d}-{val_loss:.2f}.weights.npz"`` writes ``ckpt/w-03-0.41.weights.npz``
    after epoch 3. Missing folders are made.

    With ``save_best_only=True`` it saves only when ``monitor`` beats the best value so far
    (strictly: ``current < best`` for mode "min", ``>`` for "max"; the best is kept across
    ``fit`` calls and starts at ``initial_value_threshold`` if given). A save with an epoch
    whose logs lack ``monitor`` is skipped with a warning (tf-keras 2's rule; Keras 3 saves).

    Differences from Keras 3: weights files are minigrad's ``.npz`` (``model.save_weights``),
    not ``.weights.h5``; ``mode="auto"`` is tf-keras 2's rule ("max" when the monitor's name
    contains "acc", else "min"); an unknown mode is an error, not a warning.

    Args:
        filepath: where to save: a path template ending in ``.npz`` with
            ``save_weights_only=True``, or in ``.keras`` for the whole model (``model.save``).
        monitor: the log compared with ``save_best_only``. Defaults to "val_loss".
        verbose: 1 prints a line at each save (or skipped save). Defaults to 0.
        save_best_only: save only when ``monitor`` improves. Defaults to False.
        save_weights_only: save ``model.save_weights(filepath)`` rather than
            ``model.save(filepath)``. Defaults to False.
        mode: "auto", "min" or "max": whether lower or higher ``monitor`` is better.
        save_freq: "epoch" (at each epoch's end) or an int ``n >= 1``: after every ``n``
            training batches, with that batch's running logs.
        initial_value_threshold: the best value to beat at first (with save_best_only).

    Raises:
        InvalidArgumentError: for a filepath with the wrong ending or a bad template, an
            unknown mode or save_freq, a negative verbose, a non-finite threshold; at a save,
            for a template field that the logs do not hold.
        ArgumentTypeError: for arguments of the wrong type.
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq="epoch", initial_value_threshold: float | None = None):
        super().__init__()
        where = "ModelCheckpoint"
        self.filepath = _check_path("filepath", filepath, where)
        self.monitor = check_str("monitor", monitor, where=where)
        self.verbose = check_int("verbose", verbose, minimum=0, where=where)
        self.save_best_only = check_bool("save_best_only", save_best_only, where=where)
        self.save_weights_only = check_bool("save_weights_only", save_weights_only, where=where)
        self.mode = check_one_of("mode", mode, MODES, where=where)
        if isinstance(save_freq, str) and save_freq != "epoch":
            raise InvalidArgumentError(f"{where}: `save_freq` must be 'epoch' or an int >= 1 (a "
                                       f"number of batches), got {save_freq!r}.")
        self.save_freq = save_freq if save_freq == "epoch" else \
            check_int("save_freq", save_freq, minimum=1, where=where)
        self.initial_value_threshold = check_float("initial_value_threshold", initial_value_threshold,
                                                   allow_none=True, where=where)
        suffix = ".npz" if self.save_weights_only else ".keras"
        if not self.filepath.lower().endswith(suffix):
            fix = ("minigrad writes weights as .npz, not Keras's .weights.h5: use e.g. "
                   "'w-{epoch:02d}.weights.npz'" if self.save_weights_only else
                   "the whole model is saved with model.save as .keras; to save the weights, pass "
                   "save_weights_only=True and a path ending in .npz")
            raise InvalidArgumentError(f"{where}: with save_weights_only={self.save_weights_only}, "
                                       f"`filepath` must end in {suffix}, got {self.filepath!r}: {fix}.")
        _check_template(self.filepath, where)
        self._direction = _direction(self.mode, self.monitor)
        self.best = self.initial_value_threshold
        if self.best is None:
            self.best = math.inf if self._direction == "min" else -math.inf
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch_seen = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.save_freq == "epoch":
            return
        # count batches across epochs: a batch number that does not grow starts a new epoch
        self._batches_since_save += batch + 1 if batch <= self._last_batch_seen else \
            batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        values = {**logs, "epoch": epoch + 1}
        if batch is not None:
            values.setdefault("batch", batch + 1)
        try:
            return self.filepath.format(**values)
        except KeyError as error:
            raise InvalidArgumentError(
                f"ModelCheckpoint: `filepath` {self.filepath!r} names {{{error.args[0]}}}, but the "
                f"logs of epoch {epoch + 1} hold only {sorted(values)}: pass validation_data to "
                "fit for the val_ logs, or name a log that exists.") from None
        except (ValueError, TypeError) as error:
            raise InvalidArgumentError(
                f"ModelCheckpoint: `filepath` {self.filepath!r} cannot be filled in with the logs "
                f"of epoch {epoch + 1} ({error}); fix its format specs.") from None

    def _improved(self, current: float) -> bool:
        return current < self.best if self._direction == "min" else current > self.best

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available, skipping. "
                          f"Available logs: {', '.join(logs)}.", stacklevel=3)
            return False
        current = float(current)
        if self._improved(current):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
        return False

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"ModelCheckpoint: {filepath!r} is a directory: give a file "
                                    "path, e.g. 'ckpt/w-{epoch:02d}.weights.npz'.")
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)  # whole-model saving (issue 14, point 1)


# -- the learning rate ----------------------------------------------------------------------------
class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving (Keras 3).

    At each epoch's end: a value counts as an improvement if it beats the best so far by more
    than ``min_delta`` (``current < best - min_delta`` in mode "min", ``current > best +
    min_delta`` in "max"). After ``patience`` epochs without one, the rate becomes
    ``max(lr * factor, min_lr)`` (if it is above ``min_lr``), and the count restarts after
    ``cooldown`` epochs in which nothing is counted. The epoch's logs get
    ``"learning_rate"``: the rate that epoch used.

    Args:
        monitor: the log to watch. Defaults to "val_loss".
        factor: the multiplier, in [0, 1). Defaults to 0.1.
        patience: epochs without improvement before a reduction, >= 0. Defaults to 10.
        verbose: 1 prints a line at each reduction. Defaults to 0.
        mode: "auto" ("max" if the monitor's name contains "acc", else "min"), "min" or "max".
        min_delta: the margin an improvement must beat, >= 0. Defaults to 1e-4.
        cooldown: epochs to wait after a reduction before counting again, >= 0. Defaults to 0.
        min_lr: the lowest learning rate, >= 0. Defaults to 0.

    Raises:
        InvalidArgumentError: for a factor outside [0, 1) (Keras refuses factor >= 1 too), an
            unknown mode (Keras warns and uses "auto"), a negative count, min_delta or min_lr.
        ArgumentTypeError: for arguments of the wrong type; at the start of ``fit``, for an
            optimizer built with a schedule.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0):
        super().__init__()
        where = "ReduceLROnPlateau"
        self.monitor = check_str("monitor", monitor, where=where)
        self.factor = check_float("factor", factor, minimum=0, maximum=1, max_inclusive=False,
                                  where=where)
        self.patience = check_int("patience", patience, minimum=0, where=where)
        self.verbose = check_int("verbose", verbose, minimum=0, where=where)
        self.mode = check_one_of("mode", mode, MODES, where=where)
        self.min_delta = check_float("min_delta", min_delta, minimum=0, where=where)
        self.cooldown = check_int("cooldown", cooldown, minimum=0, where=where)
        self.min_lr = check_float("min_lr", min_lr, minimum=0, where=where)
        self._reset()

    def _reset(self) -> None:
        self._direction = _direction(self.mode, self.monitor)
        self.best = math.inf if self._direction == "min" else -math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, current: float) -> bool:
        if self._direction == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def in_cooldown(self) -> bool:
        """Whether the last reduction was under ``cooldown`` epochs ago (epochs are not counted yet)."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        _settable_learning_rate(self.model, "ReduceLROnPlateau")
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which "
                          f"is not available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(float(current)):
            self.best = float(current)
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if _float32(old_lr) > _float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


def _float32(value: float) -> float:
    """``value`` rounded to float32: Keras compares its float32 rate with ``np.float32(min_lr)``,
    so a rate already at ``min_lr`` is not "reduced" to it again."""
    return float(np.float32(value))


def _positional_arity(fn) -> int:
    """How many positional arguments ``fn`` takes (2 if it takes ``*args`` or has no signature)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return 2
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to ``schedule(epoch, lr)`` (Keras 3).

    ``epoch`` counts from 0 and ``lr`` is the current rate; a ``schedule(epoch)`` of one
    argument works too (Keras's old API). The epoch's logs get ``"learning_rate"``.

        def schedule(epoch, lr):
            return lr if epoch < 10 else lr * math.exp(-0.1)

    Args:
        schedule: a function ``(epoch, lr) -> new lr`` or ``(epoch) -> new lr``, returning a
            number >= 0 (Keras wants a float; an int or a one-element Tensor is taken too).
        verbose: 1 prints the new rate at each epoch. Defaults to 0.

    Raises:
        ArgumentTypeError: for a schedule that is not callable, a verbose that is not an int;
            at the start of ``fit``, for an optimizer built with a schedule; during training,
            for a schedule that returns something other than a number.
        InvalidArgumentError: for a schedule that takes no argument, a negative verbose; during
            training, for a negative, NaN or infinite rate from the schedule.
    """

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        where = "LearningRateScheduler"
        if not callable(schedule):
            raise ArgumentTypeError(f"{where}: `schedule` must be a function (epoch, lr) -> lr, got "
                                    f"{schedule!r}. Pass e.g. schedule=lambda epoch, lr: lr * 0.9.")
        self._arity = _positional_arity(schedule)
        if self._arity == 0:
            raise InvalidArgumentError(f"{where}: `schedule` {schedule!r} takes no argument: it must "
                                       "take (epoch, lr) or (epoch), e.g. lambda epoch, lr: lr * 0.9.")
        self.schedule = schedule
        self.verbose = check_int("verbose", verbose, minimum=0, where=where)

    def on_train_begin(self, logs=None):
        _settable_learning_rate(self.model, "LearningRateScheduler")

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = float(optimizer.learning_rate)
        new_lr = self.schedule(epoch, lr) if self._arity >= 2 else self.schedule(epoch)
        if hasattr(new_lr, "item") and getattr(new_lr, "size", 1) == 1:  # a Tensor or NumPy scalar
            new_lr = new_lr.item()
        new_lr = check_float(f"learning_rate (the value of schedule at epoch {epoch})", new_lr,
                             minimum=0, where="LearningRateScheduler")
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new_lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


# -- logging and stopping -------------------------------------------------------------------------
class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file (Keras 3's format).

    The first row is the header: ``epoch`` then the log names in alphabetical order (fixed by
    the first epoch; a log missing later is written ``NA``). ``epoch`` counts from 0. The
    file is flushed after every row, so it can be read while training runs, and closed when
    ``fit`` ends. Rows end in ``\\r\\n`` (the csv module's "excel" dialect, as Keras).

    Args:
        filename: the CSV file, e.g. "run/log.csv".
        separator: the one-character field separator. Defaults to ",".
        append: add to an existing file (its header is kept, and written only if the file is
            empty) rather than overwrite it. Defaults to False.

    Raises:
        InvalidArgumentError: for a separator that is not one character, or is a quote or a
            line break.
        ArgumentTypeError: for a filename that is not a path, a separator that is not a string,
            an append that is not a bool.
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        where = "CSVLogger"
        self.filename = _check_path("filename", filename, where)
        self.sep = check_str("separator", separator, where=where)
        if len(self.sep) != 1 or self.sep in "\"\r\n":
            raise InvalidArgumentError(f"{where}: `separator` must be one character other than a "
                                       f"quote or a line break, got {separator!r}. Use ',', ';' or '\\t'.")
        self.append = check_bool("append", append, where=where)
        self.keys = None
        self.writer = None
        self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as existing:
                self.append_header = not existing.readline()
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="",  # noqa: SIM115
                             encoding="utf-8")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            for name in getattr(self.model, "metrics_names", None) or []:
                if name.startswith("val_") and name not in self.keys:
                    self.keys.append(name)
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch, **{key: _csv_value(logs.get(key, "NA")) for key in self.keys}}
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(value):
    """Numbers and text as they are; a list or array as ``[a, b, ...]``."""
    if isinstance(value, (str, numbers.Number)):
        return value
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return f"[{', '.join(map(str, value))}]"
    return value


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite.

    After such a batch it prints ``Batch <n>: Invalid loss, terminating training`` and sets
    ``model.stop_training``: ``fit`` ends the epoch there (its logs, validation and callbacks'
    epoch hooks still run, as in Keras) and stops. The running loss of an epoch (the batch
    logs' ``"loss"``) stays NaN/inf once one batch was, so the check sees the bad batch itself.

    Args:
        raise_error: raise a RuntimeError at once instead (no further callback hooks run),
            Keras 3.10's option. Defaults to False.

    Raises:
        ArgumentTypeError: for a raise_error that is not a bool.
        RuntimeError: with ``raise_error=True``, at the bad batch.
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = check_bool("raise_error", raise_error, where="TerminateOnNaN")

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                               "Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


__all__ = ["ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
           "TerminateOnNaN"]
