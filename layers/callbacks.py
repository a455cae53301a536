"""Callbacks: code that ``Model.fit`` / ``evaluate`` / ``predict`` run at fixed moments.

    history = model.fit(x, y, epochs=10, callbacks=[layers.callbacks.EarlyStopping(patience=2)])
    history.history["loss"]      # one number per epoch

The order of the hooks during ``fit`` (as tf.keras):

    on_train_begin
      on_epoch_begin(epoch)
        on_train_batch_begin(step) / on_train_batch_end(step, logs)     for every batch
        on_test_begin / on_test_batch_begin / on_test_batch_end / on_test_end   (validation)
      on_epoch_end(epoch, logs)                 logs: loss, metrics, val_loss, val_<metric>
    on_train_end

Batch logs hold the running means of the epoch so far; epoch logs the means over
the whole epoch. ``History`` (added to every ``fit``) records the epoch logs, and
``ProgbarLogger`` (added when ``verbose`` is not 0) shows the progress: a tqdm bar
per epoch and then Keras's summary line for ``verbose=1`` (the line alone if tqdm is not
installed), the line alone for ``verbose=2``.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_float, check_int

MODES = ("auto", "min", "max")  # of the callbacks that watch a monitored log


def _direction(mode: str, monitor: str) -> str:
    """"min" or "max"; "auto" is "max" for accuracy-like names, else "min" (tf-keras 2's rule)."""
    if mode != "auto":
        return mode
    return "max" if ("acc" in monitor or monitor.startswith("fmeasure")) else "min"


class Callback:
    """Base class of callbacks: every hook does nothing.

    Attributes:
        model: the model being trained (set by ``set_model``).
        params: ``{"verbose", "epochs", "steps"}`` of the running ``fit``/``evaluate``/``predict``.
    """

    def __init__(self):
        self.model = None
        self.params: dict = {}
        self.validation_data = None

    def set_params(self, params: dict) -> None:
        """Called before ``fit``/``evaluate``/``predict`` runs, with its verbose, epochs and steps."""
        self.params = params

    def set_model(self, model) -> None:
        """Called with the model the callback serves (``self.model`` from then on)."""
        self.model = model

    # legacy batch hooks: on_train_batch_* call them, as in Keras
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each training batch (alias kept for old code)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each training batch (alias kept for old code)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch (``epoch`` counts from 0)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch with its loss, metrics and validation results."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each training batch (``batch`` counts from 0 in each epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each training batch with the epoch's running loss and metrics so far."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each batch of ``evaluate`` (and of validation in ``fit``)."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each batch of ``evaluate`` with the running results."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each batch of ``predict``."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each batch of ``predict``; ``logs["outputs"]`` holds the batch's outputs."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called when ``fit`` starts."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called when ``fit`` ends, with the last epoch's logs."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` (or a validation pass) starts."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` (or a validation pass) ends, with its results."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called when ``predict`` ends."""


class CallbackList:
    """Several callbacks called as one, plus the default ``ProgbarLogger`` and ``History``.

    Args:
        callbacks: a list of Callback objects (or None).
        add_history: add a ``History`` callback if the list has none.
        add_progbar: add a ``ProgbarLogger`` if the list has none (``fit`` does when verbose != 0).
        model: the model, given to every callback.
        **params: ``verbose``, ``epochs``, ``steps``, given to every callback.

    Raises:
        TypeError: if an element is not a Callback.
    """

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False,
                 model=None, **params):
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]  # one callback, as Keras's nest.flatten accepts it
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            raise ArgumentTypeError(f"`callbacks` must be a list of layers.callbacks.Callback, got "
                                    f"{callbacks!r}. Pass callbacks=[EarlyStopping(...)].")
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise ArgumentTypeError(
                    f"callbacks must be instances of layers.callbacks.Callback; got {cb!r} of "
                    f"type {type(cb).__name__}. Subclass Callback, or wrap functions in "
                    "LambdaCallback(on_epoch_end=...).")
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.insert(0, self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    @property
    def history(self):
        """The History callback of this list (None if it has none)."""
        return self._history

    def append(self, callback: Callback) -> None:
        """Add ``callback`` at the end: it is called after the others."""
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        """Give ``params`` (``verbose``, ``epochs``, ``steps``) to every callback."""
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model) -> None:
        """Give ``model`` to every callback."""
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def _call(self, hook: str, *args, logs=None) -> None:
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            getattr(cb, hook)(*args, logs=logs)

    def on_train_begin(self, logs=None):
        """Call every callback's ``on_train_begin``, in order."""
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        """Call every callback's ``on_train_end``, in order."""
        self._call("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        """Call every callback's ``on_epoch_begin``, in order."""
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        """Call every callback's ``on_epoch_end``, in order."""
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        """Call every callback's ``on_train_batch_begin``, in order."""
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Call every callback's ``on_train_batch_end``, in order."""
        self._call("on_train_batch_end", batch, logs=logs)

    def on_test_begin(self, logs=None):
        """Call every callback's ``on_test_begin``, in order."""
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        """Call every callback's ``on_test_end``, in order."""
        self._call("on_test_end", logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Call every callback's ``on_test_batch_begin``, in order."""
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        """Call every callback's ``on_test_batch_end``, in order."""
        self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_begin(self, logs=None):
        """Call every callback's ``on_predict_begin``, in order."""
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        """Call every callback's ``on_predict_end``, in order."""
        self._call("on_predict_end", logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        """Call every callback's ``on_predict_batch_begin``, in order."""
        self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        """Call every callback's ``on_predict_batch_end``, in order."""
        self._call("on_predict_batch_end", batch, logs=logs)

    def __iter__(self):
        return iter(self.callbacks)


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"][i]`` is epoch i's loss.

    ``fit`` adds one to its callbacks and returns it (it is also ``model.history``).

    Attributes:
        history: ``{name: [value per epoch]}`` for "loss", the metrics and their "val_" versions.
        epoch: the epoch numbers recorded.
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


def format_logs(logs: dict, skip=("outputs",)) -> str:
    """``"loss: 0.1234 - accuracy: 0.9500"``: four decimals, or scientific notation below 1e-3."""
    parts = []
    for key, value in logs.items():
        if key in skip:
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        parts.append(f"{key}: {value:.4f}" if abs(value) > 1e-3 else f"{key}: {value:.4e}")
    return " - ".join(parts)


def _make_bar(total, desc: str):
    """A tqdm.auto progress bar (a widget in a notebook), or None if tqdm is not installed."""
    try:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional dependency, imported when needed
    except ImportError:
        return None
    notebook = sys.modules.get("tqdm.notebook")
    if notebook is None or not issubclass(tqdm, notebook.tqdm_notebook):
        return tqdm(total=total, desc=desc, unit="step", leave=True, file=sys.stdout, dynamic_ncols=True)
    # A notebook saves a widget's text as it was when first shown ("0%"): the bar is shown
    # with a display id here, so that closing it can show it again, finished (``_close_bar``).
    from IPython.display import display  # noqa: PLC0415 - present wherever tqdm.notebook is

    bar = tqdm(total=total, desc=desc, unit="step", leave=True, file=sys.stdout, dynamic_ncols=True,
               display=False)
    bar.display_handle = display(bar.container, display_id=True)
    return bar


def _close_bar(bar) -> None:
    """Close a bar of ``_make_bar``; in a notebook, show it again in its final state."""
    bar.close()
    handle = getattr(bar, "display_handle", None)
    if handle is not None:
        handle.update(bar.container)


def _format_time(seconds: float, unit: str) -> str:
    """``" 2s/epoch"``, ``" 13ms/step"``, ``" 85us/step"``: Keras's Progbar format for a duration."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def summary_line(seen: int, steps: int | None, elapsed: float, logs: dict) -> str:
    """The line Keras 2 (tf-keras) prints at the end of an epoch with ``verbose=2``.

    ``"38/38 - 2s - loss: 0.1234 - accuracy: 0.9500 - val_loss: ... - 2s/epoch - 52ms/step"``:
    steps done out of the epoch's steps, seconds elapsed, the logs (``format_logs``), the
    time of the whole pass and the mean time of a step (s, ms or us, as Keras's Progbar).
    """
    text = format_logs(logs or {})
    line = f"{seen}/{steps or seen} - {elapsed:.0f}s" + (f" - {text}" if text else "")
    return line + f" -{_format_time(elapsed, 'epoch')} -{_format_time(elapsed / max(seen, 1), 'step')}"


class ProgbarLogger(Callback):
    """Shows progress: a tqdm bar and a summary line (verbose=1), or the line alone (verbose=2).

    With ``verbose=2`` each epoch prints ``Epoch i/n`` and, at its end, Keras 2's line
    (``summary_line``)::

        Epoch 3/10
        10/10 - 0s - loss: 0.4821 - accuracy: 0.8533 - val_loss: 0.5012 - ... - 41ms/epoch - 4ms/step

    With ``verbose=1`` each epoch gets a ``tqdm.auto`` bar (a widget in a notebook) whose
    postfix shows the running loss and metrics; the bar is cut at the terminal's width, so
    when it closes the same line is printed under it, whole. In a notebook the finished bar
    replaces its first picture ("0%") in the saved output, and the printed line is saved as
    plain text. Without tqdm installed, ``verbose=1`` prints what ``verbose=2`` prints.

    ``evaluate`` and ``predict`` with ``verbose=1`` show one bar and one line too.
    """

    def __init__(self):
        super().__init__()
        self._bar = None
        self._called_in_fit = False
        self._seen = 0
        self._start = 0.0
        self._epochs = 1

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.steps = params.get("steps")
        self._epochs = params.get("epochs", 1)

    # -- one pass (an epoch, an evaluation or a prediction) -----------------------------
    def _begin(self, desc: str | None) -> None:
        self._seen = 0
        self._start = time.perf_counter()
        self._bar = None
        if self.verbose == 1:
            self._bar = _make_bar(self.steps, desc or "")
            if self._bar is None and desc:
                print(desc, flush=True)
        elif self.verbose == 2 and desc:
            print(desc, flush=True)

    def _step(self, logs) -> None:
        self._seen += 1
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._bar.update(1)

    def _end(self, logs) -> None:
        if self.verbose not in (1, 2):
            return
        elapsed = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            _close_bar(self._bar)
            self._bar = None
        print(summary_line(self._seen, self.steps, elapsed, logs or {}), flush=True)

    # -- hooks ------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._begin(f"Epoch {epoch + 1}/{self._epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._step(logs)

    def on_epoch_end(self, epoch, logs=None):
        self._end(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._begin(None)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._step(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._end(logs)

    def on_predict_begin(self, logs=None):
        self._begin(None)

    def on_predict_batch_end(self, batch, logs=None):
        self._step({})

    def on_predict_end(self, logs=None):
        self._end({})


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving (as tf.keras).

    An epoch improves on the best value so far if ``current - min_delta < best`` (mode
    "min") or ``current - min_delta > best`` (mode "max", with ``min_delta`` taken as
    positive). After ``patience`` epochs without improvement it sets
    ``model.stop_training``.

    Args:
        monitor: the log to watch, e.g. "val_loss" (default) or "val_accuracy".
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a message when it stops training.
        mode: "min", "max" or "auto" ("max" if the name contains "acc", else "min").
        baseline: training stops unless the monitored value beats this within ``patience`` epochs.
        restore_best_weights: put back the weights of the best epoch when stopping.
        start_from_epoch: epochs to wait before monitoring starts.

    Raises:
        InvalidArgumentError: (a ValueError) for an unknown mode, a negative patience or
            start_from_epoch, or a non-finite min_delta or baseline.
        ArgumentTypeError: (a TypeError) for a monitor that is not a string, numbers of the
            wrong type, or a restore_best_weights that is not a bool.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        where = "EarlyStopping"
        if not isinstance(mode, str) or mode not in MODES:
            raise InvalidArgumentError(f"EarlyStopping mode {mode!r} is unknown: use 'auto', 'min' "
                                       "or 'max'.")
        if not isinstance(monitor, str):
            raise ArgumentTypeError(f"{where}: `monitor` must be the name of a log such as "
                                    f"'val_loss', got {monitor!r}.")
        min_delta = check_float("min_delta", min_delta, where=where)
        patience = check_int("patience", patience, minimum=0, where=where)
        verbose = check_int("verbose", verbose, minimum=0, where=where)
        baseline = check_float("baseline", baseline, allow_none=True, where=where)
        restore_best_weights = check_bool("restore_best_weights", restore_best_weights, where=where)
        start_from_epoch = check_int("start_from_epoch", start_from_epoch, minimum=0, where=where)
        mode = _direction(mode, monitor)
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _better(self, value: float, reference: float) -> bool:
        if reference is None:
            return True
        shifted = value - self.min_delta
        return shifted > reference if self.mode == "max" else shifted < reference

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print("Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class LambdaCallback(Callback):
    """A callback made of plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args:
        on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
        on_batch_begin, on_batch_end: ``f(batch, logs)`` (training batches).
        on_train_begin, on_train_end: ``f(logs)``.

    Raises:
        ArgumentTypeError: for a hook that is neither None nor callable.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None):
        super().__init__()
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)):
            if fn is not None and not callable(fn):
                raise ArgumentTypeError(f"LambdaCallback: `{name}` must be a function or None, got "
                                        f"{fn!r}. Pass e.g. {name}=lambda epoch, logs: print(logs).")
            if fn is not None:
                setattr(self, name, _with_logs_keyword(fn))


def _with_logs_keyword(fn):
    def hook(*args, logs=None):
        return fn(*args, logs)
    return hook


# the callbacks that save, log and steer training live in their own file (they import Callback)
from layers.callbacks_extra import (  # noqa: E402
    CSVLogger,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping", "LambdaCallback",
           "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
           "TerminateOnNaN"]
