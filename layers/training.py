"""compile / fit / evaluate / predict: the training loop of a tf.keras ``Model``.

``Trainer`` is mixed into ``layers.Model``. One training step (``train_step``) is

    with minigrad.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = compiled_loss(y, y_pred, sample_weight) + sum(model.losses)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))    # then constraints
    run each pending update of model.updates once                      # V1-style layers
    update the metrics (under minigrad.no_recording())

as the Keras guide writes a custom training loop. Compiled under a ``DataParallel`` strategy
(``minigrad.data_parallel``), each rank steps on its slice of every global batch, its loss
scaled by its share of the rows and the gradients summed over the ranks (``_replica_batch``,
``_scale_loss``, ``_reduce_gradients``: nothing happens in one process), and the metrics are
summed over the ranks before they are read. The loss reported for an epoch is the
mean of the batch losses weighted by batch size; each metric is the mean over every
sample of the epoch. Data are NumPy arrays or minigrad Tensors, or lists / dicts of them
(one per model input or output): ``layers.data`` batches them, and ``layers.compile_utils``
holds what ``compile`` makes (the compiled loss and metrics).
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from layers.callbacks import CallbackList
from layers.compile_utils import (
    CompiledLoss,
    CompiledMetrics,
    check_loss_weights,
    check_losses_and_metrics,
    per_output,
    targets_per_output,
)
from layers.data import (
    BatchStream,
    fit_arrays,
    num_samples,
    to_arrays,
    to_tensors,
    unpack_data,
    with_class_weights,
)
from layers.nest import flatten, map_structure, pack_as
from minigrad.data_parallel import get_strategy
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_bool, check_float, check_int


# -- argument checks (one place for fit / evaluate / predict / *_on_batch) -----------------
def check_batch_size(batch_size, where: str = "fit") -> int:
    """``batch_size`` as an int >= 1 (32 for None).

    Raises:
        InvalidArgumentError: for anything else (a ValueError, as minigrad always raised).
    """
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise InvalidArgumentError(f"{where}: batch_size must be a positive integer or None (32), got "
                                   f"{batch_size!r}. Pass e.g. batch_size=32.")
    return int(batch_size)


def _verbosity(verbose, where: str = "fit") -> int:
    """``verbose`` as 0, 1 or 2 ("auto" is 1).

    Raises:
        InvalidArgumentError: for anything else (strings other than "auto", 3, -1, 1.5).
    """
    if isinstance(verbose, str):
        if verbose == "auto":
            return 1
    elif isinstance(verbose, (bool, int, np.integer)) and verbose in (0, 1, 2):
        return int(verbose)
    raise InvalidArgumentError(f"{where}: verbose must be 0 (silent), 1 (progress bar), 2 (one line "
                               f"per epoch) or 'auto', got {verbose!r}.")


def _check_data(x, where: str):
    """Refuse ``x=None`` with a message that says what to pass (Keras fails deep inside).

    Raises:
        ArgumentTypeError: for None.
    """
    if x is None:
        raise ArgumentTypeError(
            f"{where}: `x` is None. Pass the input data: a NumPy array or minigrad Tensor with "
            "the batch axis first, or a list / dict of them (one per model input).")
    return x


def _check_steps(name: str, steps, where: str):
    """None, or an int >= 1 (a number of batches)."""
    return check_int(name, steps, minimum=1, allow_none=True, where=where)


def _check_class_weight(class_weight, where: str):
    if class_weight is not None and not isinstance(class_weight, dict):
        raise ArgumentTypeError(f"{where}: `class_weight` must be a dict {{class index: weight}} or "
                                f"None, got {class_weight!r}. Pass e.g. class_weight={{0: 1.0, 1: 5.0}}.")
    for key, value in (class_weight or {}).items():
        check_int("class_weight key", key, minimum=0, where=where)
        check_float(f"class_weight[{key!r}]", value, minimum=0.0, where=where)
    return class_weight


def _check_fit_arguments(x, epochs, initial_epoch, steps_per_epoch, validation_split, shuffle,
                         validation_steps, validation_batch_size, class_weight,
                         validation_freq=1) -> tuple:
    """``fit``'s numbers and flags, checked before anything runs.

    ``epochs`` is the index of the last epoch, so ``epochs=0`` (or ``initial_epoch ==
    epochs``) trains nothing and returns an empty history, as Keras does; negative values,
    and ``initial_epoch > epochs`` (Keras silently trains nothing), are refused.

    Returns:
        ``(epochs, initial_epoch, steps_per_epoch, validation_split, shuffle)`` normalized.
    """
    where = "fit"
    _check_data(x, where)
    epochs = check_int("epochs", epochs, minimum=0, where=where)
    initial_epoch = check_int("initial_epoch", initial_epoch, minimum=0, where=where)
    if initial_epoch > epochs:
        raise InvalidArgumentError(
            f"fit: initial_epoch={initial_epoch} is after epochs={epochs}: `epochs` is the index of "
            f"the last epoch, not a count of further epochs. To train {epochs} more epochs, pass "
            f"epochs={initial_epoch + epochs}.")
    steps_per_epoch = _check_steps("steps_per_epoch", steps_per_epoch, where)
    validation_split = check_float("validation_split", validation_split, minimum=0.0, maximum=1.0,
                                   max_inclusive=False, where=where)
    shuffle = check_bool("shuffle", shuffle, where=where)
    _check_steps("validation_steps", validation_steps, where)
    check_int("validation_batch_size", validation_batch_size, minimum=1, allow_none=True, where=where)
    _check_class_weight(class_weight, where)
    _check_validation_freq(validation_freq)
    return epochs, initial_epoch, steps_per_epoch, validation_split, shuffle



# -- the mixin -----------------------------------------------------------------------------
class Trainer:
    """compile, fit, evaluate, predict and the *_on_batch methods of ``layers.Model``."""

    def _init_trainer(self) -> None:
        self.optimizer = None
        self.compiled_loss = None
        self.compiled_metrics = None
        self.loss = None
        self.history = None
        self.stop_training = False
        self._is_compiled = False
        self.distribute_strategy = None  # the DataParallel whose scope() compile ran in
        self._replica_weight = 1.0  # this rank's share of the current global batch
        self._weights_synchronized = False  # rank 0's weights broadcast to every rank yet

    # -- compile ---------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None) -> None:
        """Configure the model for training.

        Args:
            optimizer: a name ("sgd", "adam", "rmsprop") or a minigrad optimizer.
            loss: a name ("mse", "sparse_categorical_crossentropy", ...), a function
                ``loss(y_true, y_pred)``, a ``minigrad.losses.Loss``, or a list / dict of
                them (one per output). None: only the model's own losses (``add_loss``).
            metrics: a list of metrics (names like "accuracy" or "mse", functions or
                ``minigrad.metrics.Metric``), applied to every output; or a list of lists /
                a dict by output name. "accuracy" becomes binary, categorical or sparse
                categorical accuracy from the shapes of the targets and predictions.
            loss_weights: a list or dict of floats weighting each output's loss.
            weighted_metrics: like ``metrics``, but weighted by ``sample_weight``.
            run_eagerly: accepted for Keras compatibility (minigrad always runs eagerly).

        Compiled inside ``strategy.scope()`` of a ``minigrad.distributed.DataParallel``, the
        model trains data-parallel (``distribute_strategy`` holds the strategy): see there.

        Raises:
            ValueError / TypeError: for an unknown optimizer, loss or metric name
                (InvalidArgumentError / ArgumentTypeError here), a loss weight that is not
                a finite number, or a run_eagerly that is not a bool or None.
        """
        check_bool("run_eagerly", run_eagerly, allow_none=True, where="compile")
        check_loss_weights(loss_weights)
        self.optimizer = mg.optimizers.get(optimizer)
        check_losses_and_metrics(loss, metrics, weighted_metrics)
        self.loss = loss
        self.compiled_loss = CompiledLoss(loss, loss_weights)
        self.compiled_metrics = CompiledMetrics(metrics, weighted_metrics)
        self.distribute_strategy = get_strategy()
        self._is_compiled = True

    def _assert_compile_was_called(self) -> None:
        if not getattr(self, "_is_compiled", False):
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")

    # -- outputs and metrics ---------------------------------------------------------------
    def _output_names_for(self, y_pred) -> list:
        if isinstance(y_pred, dict):
            return sorted(y_pred)
        n = len(flatten(y_pred))
        names = getattr(self, "output_names", None)
        if names and len(names) == n:
            return list(names)
        return [f"output_{i + 1}" for i in range(n)]

    @property
    def metrics(self) -> list:
        """The model's metrics: the loss tracker(s) first, then the compiled metrics."""
        out = []
        if getattr(self, "compiled_loss", None) is not None:
            out.extend(self.compiled_loss.metrics if self.compiled_loss.built
                       else [self.compiled_loss.loss_tracker])
        if getattr(self, "compiled_metrics", None) is not None:
            out.extend(self.compiled_metrics.metrics)
        return out

    @property
    def metrics_names(self) -> list:
        """Names of ``metrics``: "loss" first (complete once the model has seen data)."""
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Reset every metric (``fit`` does at each epoch, ``evaluate`` at its start)."""
        for metric in self.metrics:
            metric.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The compiled loss plus ``self.losses`` (regularization, ``add_loss``), as a Tensor."""
        names = self._output_names_for(y_pred)
        if not self.compiled_loss.built:
            self.compiled_loss.build(names)
        y_pred_list = flatten(y_pred)
        y_true_list = targets_per_output(y, names)
        sw_list = per_output(sample_weight, names, "sample_weight") if sample_weight is not None \
            else [None] * len(names)
        return self.compiled_loss(y_true_list, y_pred_list, sw_list, self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight) -> dict:
        """Update the compiled metrics with a batch and return every metric's running value."""
        names = self._output_names_for(y_pred)
        y_pred_list = flatten(y_pred)
        y_true_list = targets_per_output(y, names)
        sw_list = per_output(sample_weight, names, "sample_weight") if sample_weight is not None \
            else [None] * len(names)
        if not self.compiled_metrics.built:
            self.compiled_metrics.build(y_true_list, y_pred_list, names)
        self.compiled_metrics.update_state(y_true_list, y_pred_list, sw_list)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """``{name: running value}`` of every metric, as Python floats (over every rank's
        data when the model trains data-parallel)."""
        strategy = getattr(self, "distribute_strategy", None)
        if strategy is not None:
            return strategy.reduce_metric_results(self.metrics)
        return {m.name: float(m.result().item()) for m in self.metrics}

    # -- data-parallel training (a DataParallel strategy; nothing happens in one process) --------
    def _replica_batch(self, batch: tuple, where: str) -> tuple:
        """This rank's contiguous rows of the global ``batch`` under a ``DataParallel``
        strategy, and its share ``n_r / N`` of the rows for ``_reduce_gradients``; before
        the first step, rank 0's weights go to every rank. Without a strategy: ``batch``."""
        strategy = getattr(self, "distribute_strategy", None)
        if strategy is None:
            return batch
        n = num_samples(*batch)
        _check_rows_per_rank(n, strategy, where)
        local = strategy.shard(batch)
        self._replica_weight = num_samples(*local) / n
        if not getattr(self, "_weights_synchronized", False):
            if not self.built:  # build from the data, as the first step would
                with mg.no_recording():
                    self(to_tensors(local[0], self._weights_device()), training=False)
            strategy.broadcast_weights(self)
            self._weights_synchronized = True
        return local

    def _scale_loss(self, loss):
        """Data-parallel: ``loss * n_r / N``, this rank's share of the global batch's mean loss
        (``DataParallel``), so that the gradients summed over the ranks (``_reduce_gradients``)
        are those of the global batch. In one process: ``loss``."""
        if getattr(self, "distribute_strategy", None) is None or self._replica_weight == 1.0:
            return loss
        return loss * self._replica_weight

    def _reduce_gradients(self, grads: list) -> list:
        """Data-parallel: the gradients of the ranks' scaled losses (``_scale_loss``) summed
        in one all-reduce (``DataParallel.sum_gradients``). In one process: ``grads``. A
        custom ``train_step`` calls both to train data-parallel."""
        strategy = getattr(self, "distribute_strategy", None)
        if strategy is None:
            return grads
        return strategy.sum_gradients(grads)

    # -- the steps ---------------------------------------------------------------------------
    def train_step(self, data) -> dict:
        """One optimization step on a batch ``(x, y[, sample_weight])``; returns the metric values.

        Override it to customize ``fit`` (as in Keras).
        """
        x, y, sample_weight = unpack_data(data)
        with mg.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._scale_loss(self.compute_loss(x, y, y_pred, sample_weight))
        weights = self.trainable_weights
        if weights:
            grads = self._reduce_gradients(tape.gradient(loss, weights))
            self.optimizer.apply_gradients(zip(grads, weights))
        self._run_pending_updates()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """The loss and metrics of a batch ``(x, y[, sample_weight])`` in inference mode."""
        x, y, sample_weight = unpack_data(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch, in inference mode."""
        x, _, _ = unpack_data(data)
        return self(x, training=False)

    def _run_pending_updates(self) -> None:
        """Run each pending update (``add_update``) of this step once, then forget it."""
        ran = set()
        for update in self.updates:
            if id(update) not in ran:
                ran.add(id(update))
                update()
        if ran:
            for layer in self._flatten_layers():
                layer._updates = [(u, c) for u, c in layer._updates if id(u) not in ran]

    # -- fit -------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
            class_weight=None, sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None,
            validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Train the model for ``epochs`` epochs (passes over the data, in batches).

        Args:
            x: input data: an array / Tensor, or a list / dict of them (one per input).
            y: targets, likewise (one per output); None for models trained by ``add_loss`` only.
            batch_size: samples per gradient step. Defaults to 32.
            epochs: index of the last epoch (training runs from ``initial_epoch`` to it).
            verbose: 0 silent, 1 a progress bar per epoch (tqdm), then Keras's summary line
                under it, 2 that line only, "auto" = 1.
            callbacks: a list of ``layers.callbacks.Callback``.
            validation_split: fraction of the data held out for validation: the LAST
                samples, taken before shuffling (as Keras). Ignored with validation_data.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``,
                evaluated at the end of each epoch.
            shuffle: shuffle the training samples before each epoch.
            class_weight: ``{class: weight}`` multiplying each sample's loss (one output only).
            sample_weight: weights of the samples' losses, shape (samples,).
            initial_epoch: the epoch to start from (to resume training).
            steps_per_epoch: batches per epoch (default: one pass over the data).
            validation_steps: batches per validation (default: all the validation data).
            validation_batch_size: batch size for validation (default: batch_size).
            validation_freq: validate every this many epochs, or at the epochs (from 1) listed.

        Returns:
            The ``History`` callback: ``history.history`` maps "loss", the metric names and
            their "val_" versions to one value per epoch.

        Raises:
            RuntimeError: if the model was not compiled.
            InvalidArgumentError: (a ValueError) for data whose sizes disagree, a validation
                split that leaves nothing or is outside [0, 1), a negative ``epochs`` or
                ``initial_epoch``, ``initial_epoch > epochs``, ``steps_per_epoch``,
                ``batch_size``, ``validation_steps`` or ``validation_batch_size`` < 1, or a
                bad ``verbose``.
            ArgumentTypeError: (a TypeError) for ``x=None``, a ``shuffle`` that is not a bool
                (``"no"`` would read as True), counts that are not ints, or a ``class_weight``
                that is not a dict.
        """
        self._assert_compile_was_called()
        epochs, initial_epoch, steps_per_epoch, validation_split, shuffle = _check_fit_arguments(
            x, epochs, initial_epoch, steps_per_epoch, validation_split, shuffle, validation_steps,
            validation_batch_size, class_weight, validation_freq)
        verbose = _verbosity(verbose)
        batch_size = check_batch_size(batch_size)
        train_arrays, val_arrays = fit_arrays(x, y, sample_weight, validation_data, validation_split,
                                              class_weight)
        strategy = self.distribute_strategy
        if strategy is not None and strategy.rank != 0:
            verbose = 0  # one progress bar: rank 0's
        stream = BatchStream(train_arrays, batch_size, shuffle, steps_per_epoch, strategy=strategy)
        if strategy is not None:  # refuse before the first step, not at an epoch's last batch
            _check_rows_per_rank(min(stream.batch_sizes()), strategy, "fit")
            if val_arrays is not None:
                val_stream = BatchStream(val_arrays, validation_batch_size or batch_size, shuffle=False)
                _check_rows_per_rank(min(val_stream.batch_sizes()), strategy, "fit (validation data)")
        cbks = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=stream.steps)
        self.stop_training = False
        cbks.on_train_begin()
        epoch_logs: dict = {}
        device = self._weights_device()  # each batch goes where the weights are
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbks.on_epoch_begin(epoch)
            logs: dict = {}
            for step, batch in enumerate(stream.epoch()):
                cbks.on_train_batch_begin(step)
                batch = self._replica_batch(batch, "fit")
                logs = self.train_step(to_tensors(batch, device))
                cbks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val_arrays is not None and _should_validate(epoch, validation_freq):
                vx, vy, vsw = val_arrays
                val_logs = self.evaluate(vx, vy, sample_weight=vsw, steps=validation_steps, callbacks=cbks,
                                         batch_size=validation_batch_size or batch_size, verbose=0,
                                         return_dict=True)
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            cbks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbks.on_train_end(logs=epoch_logs)
        self.history = cbks.history
        return self.history

    # -- evaluate / predict -------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict: bool = False):
        """The loss and metrics of the model on data, in inference mode.

        Args:
            x, y, sample_weight: as for ``fit``.
            batch_size: samples per batch. Defaults to 32.
            verbose: 0 silent, 1 a progress bar, "auto" = 1.
            steps: number of batches (default: all the data).
            callbacks: a list of callbacks (their on_test_* hooks run).
            return_dict: return ``{name: value}`` instead of a list.

        Returns:
            The loss (a float) if there are no metrics, else ``[loss, *metrics]`` in
            ``metrics_names`` order; or a dict with ``return_dict=True``.

        Raises:
            RuntimeError: if the model was not compiled.
            ArgumentTypeError: for ``x=None`` or a ``return_dict`` that is not a bool.
            InvalidArgumentError: for ``steps`` or ``batch_size`` < 1, or a bad ``verbose``.
        """
        self._assert_compile_was_called()
        _check_data(x, "evaluate")
        steps = _check_steps("steps", steps, "evaluate")
        return_dict = check_bool("return_dict", return_dict, where="evaluate")
        verbose = _verbosity(verbose, "evaluate")
        if self.distribute_strategy is not None and self.distribute_strategy.rank != 0:
            verbose = 0
        batch_size = check_batch_size(batch_size, "evaluate")
        arrays = (to_arrays(x, "x"), to_arrays(y, "y"), to_arrays(sample_weight, "sample_weight"))
        stream = BatchStream(arrays, batch_size, shuffle=False, steps_per_epoch=steps, repeat=False)
        if self.distribute_strategy is not None:
            _check_rows_per_rank(min(stream.batch_sizes()), self.distribute_strategy, "evaluate")
        cbks = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=stream.steps)
        self.reset_metrics()
        cbks.on_test_begin()
        logs: dict = {}
        device = self._weights_device()
        with mg.no_recording():
            for step, batch in enumerate(stream.epoch()):
                cbks.on_test_batch_begin(step)
                batch = self._replica_batch(batch, "evaluate")
                logs = self.test_step(to_tensors(batch, device))
                cbks.on_test_batch_end(step, logs)
        cbks.on_test_end(logs)
        return logs if return_dict else _in_order(logs, self.metrics_names)

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None):
        """The model's outputs for ``x`` as NumPy arrays, computed batch by batch.

        Args:
            x: input data, as for ``fit``.
            batch_size: samples per batch. Defaults to 32.
            verbose: 0 silent (default), 1 a progress bar.
            steps: number of batches (default: all the data).
            callbacks: a list of callbacks (their on_predict_* hooks run).

        Returns:
            An array (or the model's structure of arrays), batch axis first.

        Raises:
            ArgumentTypeError: for ``x=None``.
            InvalidArgumentError: for ``steps`` or ``batch_size`` < 1, or a bad ``verbose``.
        """
        _check_data(x, "predict")
        steps = _check_steps("steps", steps, "predict")
        verbose = _verbosity(verbose, "predict")
        batch_size = check_batch_size(batch_size, "predict")
        stream = BatchStream((to_arrays(x, "x"), None, None), batch_size, shuffle=False,
                             steps_per_epoch=steps, repeat=False)
        cbks = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=stream.steps)
        cbks.on_predict_begin()
        batches = []
        device = self._weights_device()
        with mg.no_recording():
            for step, batch in enumerate(stream.epoch()):
                cbks.on_predict_batch_begin(step)
                outputs = self.predict_step(to_tensors(batch, device))
                arrays = map_structure(_as_numpy, outputs)
                batches.append(arrays)
                cbks.on_predict_batch_end(step, {"outputs": arrays})
        cbks.on_predict_end()
        leaves = [np.concatenate(parts, axis=0) for parts in zip(*[flatten(b) for b in batches])]
        return pack_as(batches[0], leaves)

    # -- single batches -------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics: bool = True,
                       return_dict: bool = False):
        """One gradient step on one batch.

        Returns:
            The loss (and metrics) on this batch (accumulated over calls if
            ``reset_metrics=False``), as for ``evaluate``.

        Raises:
            ArgumentTypeError: for ``x=None``, flags that are not bools or a class_weight
                that is not a dict.
        """
        self._assert_compile_was_called()
        _check_data(x, "train_on_batch")
        _check_class_weight(class_weight, "train_on_batch")
        reset_metrics = check_bool("reset_metrics", reset_metrics, where="train_on_batch")
        return_dict = check_bool("return_dict", return_dict, where="train_on_batch")
        if reset_metrics:
            self.reset_metrics()
        x, y, sample_weight = to_arrays(x, "x"), to_arrays(y, "y"), to_arrays(sample_weight, "sample_weight")
        sample_weight = with_class_weights(y, sample_weight, class_weight)
        batch = self._replica_batch((x, y, sample_weight), "train_on_batch")
        logs = self.train_step(to_tensors(batch, self._weights_device()))
        return logs if return_dict else _in_order(logs, self.metrics_names)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics: bool = True,
                      return_dict: bool = False):
        """The loss (and metrics) of one batch in inference mode, as for ``evaluate``.

        Raises:
            ArgumentTypeError: for ``x=None`` or flags that are not bools.
        """
        self._assert_compile_was_called()
        _check_data(x, "test_on_batch")
        reset_metrics = check_bool("reset_metrics", reset_metrics, where="test_on_batch")
        return_dict = check_bool("return_dict", return_dict, where="test_on_batch")
        if reset_metrics:
            self.reset_metrics()
        data = (to_arrays(x, "x"), to_arrays(y, "y"), to_arrays(sample_weight, "sample_weight"))
        data = self._replica_batch(data, "test_on_batch")
        with mg.no_recording():
            logs = self.test_step(to_tensors(data, self._weights_device()))
        return logs if return_dict else _in_order(logs, self.metrics_names)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays.

        Raises:
            ArgumentTypeError: for ``x=None``.
        """
        _check_data(x, "predict_on_batch")
        with mg.no_recording():
            outputs = self.predict_step((to_tensors(to_arrays(x, "x"), self._weights_device()),))
        return map_structure(_as_numpy, outputs)


def _as_numpy(t):
    return t.numpy() if isinstance(t, mg.Tensor) else np.asarray(t)


def _in_order(logs: dict, names: list):
    values = [logs[name] for name in names if name in logs]
    return values[0] if len(values) == 1 else values


def _check_rows_per_rank(rows: int, strategy, where: str) -> None:
    """Data-parallel: a batch must give every rank at least one row.

    Raises:
        InvalidArgumentError: (on every rank alike) for a batch of fewer rows than ranks.
    """
    ranks = strategy.num_replicas_in_sync
    if rows < ranks:
        raise InvalidArgumentError(
            f"{where}: a batch of {rows} row(s) cannot be split across {ranks} processes (each "
            f"needs at least one row). batch_size is the global batch, split across the "
            f"processes: pass batch_size >= {ranks}, and for the last batch of an epoch choose "
            f"batch_size so that len(x) % batch_size is 0 or at least {ranks} (or drop the last "
            f"len(x) % batch_size samples).")


def _check_validation_freq(validation_freq) -> None:
    """An int >= 1 (validate every that many epochs) or a list of epochs counted from 1.

    Raises:
        InvalidArgumentError: for anything else.
    """
    entries = validation_freq if isinstance(validation_freq, (list, tuple, set)) else [validation_freq]
    if not isinstance(validation_freq, (list, tuple, set, int)) or any(
            isinstance(e, bool) or not isinstance(e, (int, np.integer)) or e < 1 for e in entries):
        raise InvalidArgumentError(
            "fit: validation_freq must be a positive integer or a list of epochs (counted from 1), "
            f"got {validation_freq!r}. Pass e.g. validation_freq=2 or validation_freq=[1, 5, 10].")


def _should_validate(epoch: int, validation_freq) -> bool:
    """Whether epoch ``epoch`` (from 0) ends with validation; ``fit`` checked
    ``validation_freq`` first (``_check_validation_freq``): an int >= 1 or a list of epochs."""
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


__all__ = ["Trainer", "CompiledLoss", "CompiledMetrics", "BatchStream"]
