"""What ``Model.compile`` makes: the compiled loss and the compiled metrics.

``CompiledLoss`` sums the per-output losses, weighted, and the model's own losses;
``CompiledMetrics`` makes each metric on the first batch (when the shapes of the targets
are known, so "accuracy" can pick binary, categorical or sparse categorical) and names it
after its output when the model has several. Targets, loss weights, sample weights and
metrics are given as one value, a list in output order or a dict by output name
(``per_output``).
"""

from __future__ import annotations

import copy

import numpy as np

import minigrad as mg
from layers.nest import flatten
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.validation import check_float

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


def match_dtype_and_rank(y_t, y_p, sw) -> tuple:
    """Keras's ``match_dtype_and_rank``: labels of shape (batch,) against predictions of
    shape (batch, d) become (batch, 1); float targets take the predictions' dtype."""
    y_t = y_t if isinstance(y_t, mg.Tensor) else mg.tensor(np.asarray(y_t), device=y_p.device)
    if y_t.ndim == 1 and y_p.ndim == 2:
        y_t = mg.expand_dims(y_t, -1)
    if sw is not None:
        sw = sw if isinstance(sw, mg.Tensor) else mg.tensor(np.asarray(sw), device=y_p.device)
        if sw.ndim == 1 and y_p.ndim == 2:
            sw = mg.expand_dims(sw, -1)
        sw = mg.cast(sw, y_p.dtype)
    both_float = y_t.dtype.kind == "f" and y_p.dtype.kind == "f"
    both_int = y_t.dtype.kind in "iu" and y_p.dtype.kind in "iu"
    if (both_float or both_int) and y_t.dtype != y_p.dtype:
        y_t = mg.cast(y_t, y_p.dtype)
    return y_t, y_p, sw


def per_output(value, names: list, what: str, broadcast_single: bool = True) -> list:
    """One entry per output from a single value, a list (in output order) or a dict by name.

    Raises:
        ValueError: for a list of the wrong length or a dict key that names no output.
    """
    n = len(names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise InvalidArgumentError(
                f"Found unexpected keys {unknown} in `{what}`: the model's outputs are "
                f"named {names}.")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise InvalidArgumentError(
                f"`{what}` has {len(value)} entries but the model has {n} output(s) "
                f"({names}): give one per output, or a dict keyed by output name.")
        return list(value)
    return [value] * n if broadcast_single else [value] + [None] * (n - 1)


def targets_per_output(y, names: list) -> list:
    """``y`` (one array, a list in output order, or a dict by output name) as a list per output.

    Raises:
        ValueError: if its structure does not fit the outputs.
    """
    n = len(names)
    if y is None:
        return [None] * n
    if isinstance(y, dict):
        return per_output(y, names, "y")
    if n == 1:
        if isinstance(y, (list, tuple)) and len(y) == 1:
            return [y[0]]
        return [y]
    if isinstance(y, (list, tuple)):
        return per_output(list(y), names, "y")
    raise InvalidArgumentError(
        f"The model has {n} outputs ({names}): give y as a list of {n} arrays or a "
        "dict keyed by output name.")


def check_loss_weights(loss_weights) -> None:
    """None, or a list / tuple / dict of finite numbers (one per output).

    Raises:
        ArgumentTypeError: for another container or a weight that is not a number.
        InvalidArgumentError: for a NaN or infinite weight.
    """
    if loss_weights is None:
        return
    if not isinstance(loss_weights, (list, tuple, dict)):
        raise ArgumentTypeError(f"compile: `loss_weights` must be a list or dict of floats (one per "
                                f"output), got {loss_weights!r}. Pass e.g. loss_weights=[1.0, 0.5].")
    values = loss_weights.values() if isinstance(loss_weights, dict) else loss_weights
    for value in values:
        check_float("loss_weights entry", value, where="compile")


def _loss_object(loss):
    """A minigrad Loss (which weights and reduces) from a name, function or Loss."""
    if loss is None:
        return None
    if isinstance(loss, mg.losses.Loss):
        return loss
    obj = mg.losses.get(loss)
    if isinstance(obj, mg.losses.Loss):
        return obj
    if not callable(obj):
        raise ArgumentTypeError(
            f"Could not interpret loss {loss!r}: use a name like 'mse', a "
            "minigrad.losses.Loss or a function loss(y_true, y_pred).")
    name = loss if isinstance(loss, str) else getattr(obj, "__name__", "loss")
    return mg.losses.LossFunctionWrapper(obj, name=name)


class CompiledLoss:
    """The compiled loss: per-output losses, weighted, plus the model's own losses.

    ``total = sum_i loss_weight_i * loss_i(y_true_i, y_pred_i, sample_weight_i) + sum(model.losses)``.
    Tracks the running mean of ``total`` as "loss" (weighted by batch size) and, for
    several outputs, of each unweighted ``loss_i`` as "<output>_loss".
    """

    def __init__(self, loss, loss_weights=None):
        self._loss = loss
        self._loss_weights = loss_weights
        self.built = False
        self.loss_tracker = mg.metrics.Mean(name="loss")
        self._losses: list = []
        self._weights: list = []
        self._trackers: list = []

    def build(self, names: list) -> None:
        """Make the loss object, weight and (for several outputs) tracker of each output.

        Args:
            names: the model's output names, in output order.

        Raises:
            InvalidArgumentError: (a ValueError) for a ``loss`` or ``loss_weights`` list of the
                wrong length, or a dict key that names no output.
            ArgumentTypeError: (a TypeError) for a loss that is not a name, function or Loss.
        """
        self._losses = [_loss_object(loss) for loss in per_output(self._loss, names, "loss")]
        weights = per_output(self._loss_weights, names, "loss_weights") if self._loss_weights is not None \
            else [None] * len(names)
        self._weights = [1.0 if w is None else float(w) for w in weights]
        multi = len(names) > 1
        self._trackers = [mg.metrics.Mean(name=f"{name}_loss") if multi and loss is not None else None
                          for name, loss in zip(names, self._losses)]
        self.built = True

    @property
    def metrics(self) -> list:
        """The running means logged: "loss" first, then "<output>_loss" for several outputs."""
        return [self.loss_tracker] + [t for t in self._trackers if t is not None]

    def __call__(self, y_true: list, y_pred: list, sample_weight: list, regularization_losses: list):
        total = None
        batch = None
        for loss, weight, tracker, y_t, y_p, sw in zip(self._losses, self._weights, self._trackers,
                                                       y_true, y_pred, sample_weight):
            if loss is None or y_t is None:
                continue
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            value = loss(y_t, y_p, sample_weight=sw)
            batch = y_p.shape[0] if y_p.ndim else 1
            if tracker is not None:
                with mg.no_recording():
                    tracker.update_state(value, sample_weight=batch)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        for extra in regularization_losses:
            total = extra if total is None else total + mg.cast(extra, total.dtype)
        if total is None:
            raise InvalidArgumentError(
                "No loss to optimize: pass a loss to compile(loss=...) and targets y to fit/evaluate, "
                "or add losses to the model with add_loss()."
            )
        if batch is None:
            batch = y_pred[0].shape[0] if y_pred and y_pred[0] is not None and y_pred[0].ndim else 1
        with mg.no_recording():
            self.loss_tracker.update_state(mg.stop_gradient(total), sample_weight=batch)
        return total

    def reset_state(self) -> None:
        """Zero the running means (``fit`` does at the start of every epoch)."""
        for metric in self.metrics:
            metric.reset_state()


def _accuracy_function(y_t, y_p):
    """Keras's choice for "accuracy": binary for one output unit, sparse for integer labels."""
    t_rank, p_rank = len(y_t.shape), len(y_p.shape)
    t_last = y_t.shape[-1] if t_rank else None
    p_last = y_p.shape[-1] if p_rank else None
    if p_last == 1:
        return mg.metrics.binary_accuracy, mg.losses.binary_crossentropy
    if t_rank < p_rank or (t_last == 1 and p_last is not None and p_last > 1):
        return mg.metrics.sparse_categorical_accuracy, mg.losses.sparse_categorical_crossentropy
    return mg.metrics.categorical_accuracy, mg.losses.categorical_crossentropy


def _metric_object(spec, y_t, y_p):
    """A stateful metric from a name, function, Metric class or Metric instance.

    Raises:
        ValueError / TypeError: for names and objects minigrad.metrics does not know.
    """
    if isinstance(spec, mg.metrics.Metric):
        return spec
    if isinstance(spec, type) and issubclass(spec, mg.metrics.Metric):
        return spec()
    if isinstance(spec, str) and spec in _ACCURACY + _CROSSENTROPY:
        accuracy, crossentropy = _accuracy_function(y_t, y_p)
        return mg.metrics.MeanMetricWrapper(accuracy if spec in _ACCURACY else crossentropy, name=spec)
    obj = mg.metrics.get(spec)
    if isinstance(obj, mg.metrics.Metric):
        return obj
    name = spec if isinstance(spec, str) else getattr(obj, "__name__", "metric")
    return mg.metrics.MeanMetricWrapper(obj, name=name)


def _metric_specs(metrics, names: list, what: str) -> list:
    """A list of metric specs per output (Keras: a flat list applies to every output)."""
    n = len(names)
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        return [m if isinstance(m, (list, tuple)) else ([] if m is None else [m])
                for m in per_output(metrics, names, what)]
    if isinstance(metrics, (list, tuple)):
        if any(isinstance(m, (list, tuple)) for m in metrics):
            if len(metrics) != n:
                raise InvalidArgumentError(
                    f"`{what}` is a list of {len(metrics)} lists but the model has {n} "
                    "outputs: give one list per output.")
            return [list(m) if isinstance(m, (list, tuple)) else ([] if m is None else [m]) for m in metrics]
        return [list(metrics) for _ in names]
    raise ArgumentTypeError(
        f"Type of `{what}` argument not understood. Expected a list or dictionary, found: "
        f"{metrics!r}. For one metric write metrics=[{metrics!r}].")


class CompiledMetrics:
    """The compiled metrics, made on the first batch (when the shapes of y are known).

    A metric's log name is its name ("accuracy", "mse", ...), prefixed by the output's
    name when the model has several outputs. ``weighted_metrics`` are updated with the
    sample weights (and get a "weighted_" prefix if their name is already taken).
    """

    def __init__(self, metrics=None, weighted_metrics=None):
        self._metrics = metrics
        self._weighted = weighted_metrics
        self.built = False
        self._entries: list = []  # (output index, metric, weighted)

    def build(self, y_true: list, y_pred: list, names: list) -> None:
        """Make the metric objects from the first batch and name them for the logs.

        Args:
            y_true: the batch's targets, one per output (None: that output has no target).
            y_pred: the model's outputs on the batch, in output order.
            names: the model's output names, in output order.

        Raises:
            InvalidArgumentError: (a ValueError) for a ``metrics`` list or dict that does not
                match the outputs, or a name that is no metric.
            ArgumentTypeError: (a TypeError) for a metric that is not a name, function or Metric.
        """
        multi = len(names) > 1
        base_names: dict = {}  # id(metric) -> its name before an output prefix was added
        taken = set()
        for weighted, specs in ((False, _metric_specs(self._metrics, names, "metrics")),
                                (True, _metric_specs(self._weighted, names, "weighted_metrics"))):
            for i, output_specs in enumerate(specs):
                if y_true[i] is None:
                    continue
                y_t, y_p, _ = match_dtype_and_rank(y_true[i], y_pred[i], None)
                for spec in output_specs:
                    metric = _metric_object(spec, y_true[i] if hasattr(y_true[i], "shape") else y_t, y_p)
                    # the name before an output prefix: model.save writes it, a new compile reuses it
                    base = base_names.get(id(metric), getattr(metric, "_compile_name", metric.name))
                    if id(metric) in base_names:  # one instance named for two outputs: a fresh copy
                        metric = copy.deepcopy(metric)
                        metric.reset_state()
                    base_names[id(metric)] = metric._compile_name = base
                    name = f"{names[i]}_{base}" if multi else base
                    if weighted and name in taken:
                        name = f"weighted_{name}"
                    taken.add(name)
                    metric.name = name
                    self._entries.append((i, metric, weighted))
        self.built = True

    @property
    def metrics(self) -> list:
        """The metric objects in log order: the metrics output by output, then the weighted ones."""
        return [metric for _, metric, _ in self._entries]

    def update_state(self, y_true: list, y_pred: list, sample_weight: list) -> None:
        """Add a batch to every metric, outside any tape (metrics are not differentiated).

        Args:
            y_true: the batch's targets, one per output.
            y_pred: the model's outputs on the batch, one per output.
            sample_weight: per output, the sample weights (None: equal), given to the
                weighted metrics only.
        """
        with mg.no_recording():
            for i, metric, weighted in self._entries:
                y_t, y_p, sw = match_dtype_and_rank(y_true[i], mg.stop_gradient(y_pred[i]),
                                                    sample_weight[i] if weighted else None)
                metric.update_state(y_t, y_p, sample_weight=sw)

    def reset_state(self) -> None:
        """Zero every metric (``fit`` does at the start of every epoch)."""
        for metric in self.metrics:
            metric.reset_state()


def check_losses_and_metrics(loss, metrics, weighted_metrics) -> None:
    """``compile``'s losses and metrics, checked before any data is seen.

    Raises:
        InvalidArgumentError / ArgumentTypeError: for an unknown loss or metric name, or
            a metric that is neither a name, a Metric nor a function.
    """
    if isinstance(loss, (list, tuple, dict)):
        for item in flatten(loss) if not isinstance(loss, dict) else loss.values():
            _loss_object(item)  # fail now on a bad name
    else:
        _loss_object(loss)
    for value, what in ((metrics, "metrics"), (weighted_metrics, "weighted_metrics")):
        if value is not None and not isinstance(value, (list, tuple, dict)):
            _metric_specs(value, ["output"], what)  # raises the TypeError that says what to write
    for spec in flatten(metrics or []) + flatten(weighted_metrics or []):
        if spec is not None and not isinstance(spec, (str, mg.metrics.Metric)) and not callable(spec):
            raise ArgumentTypeError(
                f"compile: could not interpret metric {spec!r}: use a name like 'accuracy' or "
                "'mse', a minigrad.metrics.Metric or a function metric(y_true, y_pred).")
        if isinstance(spec, str) and spec not in _ACCURACY + _CROSSENTROPY:
            mg.metrics.get(spec)  # fail now on a bad name


__all__ = ["CompiledLoss", "CompiledMetrics", "check_loss_weights", "check_losses_and_metrics",
           "match_dtype_and_rank", "per_output", "targets_per_output"]
