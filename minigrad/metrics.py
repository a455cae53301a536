"""Metrics with the semantics of tf.keras (Keras 2): functions and stateful objects.

The per-sample functions (``accuracy``, ``binary_accuracy``, ... with their formulas)
live in ``minigrad.metric_functions`` and are re-exported here.

Stateful metrics accumulate over batches: ``update_state(...)`` adds a batch,
``result()`` gives the running value, ``reset_state()`` starts again (Keras
calls them once per epoch). ``Mean`` keeps ``total = sum(w * value)`` and
``count = sum(w)``, and ``result() = total / count`` (0 when count is 0).
The state starts on the default device and moves to the device of the values
each update gets, so that on a GPU the sums stay there (``result()`` too) and
nothing waits for a copy to the host until the value is read.
``Accuracy``, ``BinaryAccuracy``, ``CategoricalAccuracy``,
``SparseCategoricalAccuracy`` and the two top-k classes are ``Mean`` of the function
above. ``Precision`` and ``Recall`` count true positives, false positives and false
negatives over every update (one count per threshold) and divide at ``result()``.

Keras resolves the name "accuracy" (or "acc") given to ``Model.compile`` to the
binary, categorical or sparse variant from the loss and the output shape; that
is the model's job. Here ``get("accuracy")`` gives the plain ``accuracy``
function (exact equality), as ``tf.keras.metrics.get`` does.
"""

from __future__ import annotations

from minigrad import backend, losses
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, UnsupportedDtypeError
from minigrad.metric_functions import (  # noqa: F401  (minigrad.metrics.accuracy, as tf.keras)
    FLOATX,
    _as_tensors,
    _check_same_shape,
    _labels_per_row,
    _squeeze_or_expand,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from minigrad.tensor import Tensor
from minigrad.validation import (
    check_config,
    check_float,
    check_int,
    check_known_kwargs,
    check_str,
)
from minigrad.variable import Variable


# -- stateful metrics -------------------------------------------------------------------
class Metric:
    """Base class of the stateful metrics.

    A subclass creates its state with ``add_weight`` and implements
    ``update_state``, ``result`` and (if its state is not all zeros at start)
    ``reset_state``. Calling a metric updates it and returns the running result.

    Args:
        name: the metric's name (shown in training logs).
        dtype: the floating dtype of its state and result. Defaults to "float32" (also for None).

    Raises:
        ArgumentTypeError: for a name that is not a string.
        UnsupportedDtypeError: for a dtype that is not a floating-point dtype.
    """

    def __new__(cls, *args, **kwargs):
        check_known_kwargs(cls, kwargs, where=cls.__name__)  # before __init__: Python names no fix
        return super().__new__(cls)

    def __init__(self, name: str | None = None, dtype=FLOATX):
        where = type(self).__name__
        self.name = check_str("name", name, allow_none=True, where=where) or where
        self.dtype = backend.check_dtype(FLOATX if dtype is None else dtype)
        if self.dtype.kind != "f":
            raise UnsupportedDtypeError(
                f"{where}: `dtype` must be a floating-point dtype, got {self.dtype}: a metric "
                "averages, and an integer or bool state would truncate. Pass dtype='float32'."
            )
        self._variables: list[Variable] = []

    def add_weight(self, name: str, shape=(), dtype=None) -> Variable:
        """A non-trainable state Variable of zeros, on the default device.

        Args:
            name: the variable's name, after the metric's ("accuracy/total").
            shape: its shape (a scalar by default).
            dtype: its dtype; the metric's dtype by default.

        Returns:
            The new Variable (also in ``variables``).
        """
        dtype = self.dtype if dtype is None else backend.check_dtype(dtype)
        device = backend.get_default_device()
        zeros = backend.module_for_device(device).zeros(shape, dtype)
        v = Variable(zeros, trainable=False, name=f"{self.name}/{name}", device=device)
        self._variables.append(v)
        return v

    def _state_to(self, device: str) -> None:
        """Move the state variables (with their values) to ``device``, where the values are."""
        for v in self._variables:
            if v.device != device:
                v.move_to(device)

    @property
    def variables(self) -> list:
        """The metric's state Variables (totals, counts), in the order they were added."""
        return list(self._variables)

    def update_state(self, *args, **kwargs) -> None:
        """Accumulate one batch into the state (each metric defines its arguments).

        Raises:
            NotImplementedError: on the base class: a subclass must implement it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update_state.")

    def result(self) -> Tensor:
        """The metric's value from the state accumulated since the last ``reset_state``.

        Raises:
            NotImplementedError: on the base class: a subclass must implement it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement result.")

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for v in self._variables:
            v.assign(backend.array_module(v._data).zeros_like(v._data))

    reset_states = reset_state

    def __call__(self, *args, **kwargs) -> Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-serializable dict (``from_config`` rebuilds it)."""
        return {"name": self.name, "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """A new metric from ``get_config``'s dict (fresh state).

        Args:
            config: the dict ``get_config`` returned.

        Returns:
            A new instance of this class.

        Raises:
            InvalidArgumentError: for a config that is not a dict of this class's arguments.
        """
        return cls(**check_config(config, where=f"{cls.__name__}.from_config"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state``.

    ``update_state(values, sample_weight=None)`` adds ``sum(w * values)`` to
    ``total`` and ``sum(w)`` (w broadcast to the values) to ``count``;
    ``result()`` is ``total / count``, or 0 before any value.

    >>> m = Mean(); m.update_state([1, 3, 5, 7]); float(m.result())
    4.0
    """

    def __init__(self, name: str = "mean", dtype=FLOATX):
        super().__init__(name, dtype)
        self.total = self.add_weight("total")
        self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None) -> None:
        """Add a batch of values, optionally weighted.

        The state moves to the values' device first (see the module docstring).

        Args:
            values: a Tensor, array or nested list of numbers.
            sample_weight: None (all ones), a number, or weights that fit the values
                (one per sample, or one per value).

        Raises:
            ValueError: if sample_weight does not fit the values.
        """
        values = values._data if isinstance(values, Tensor) else backend.as_array(values)
        device = backend.device_of(values)
        self._state_to(device)
        xp = backend.array_module(values)
        values = values.astype(self.dtype, copy=False)
        if sample_weight is None:
            total, count = values.sum(), values.size
        else:
            w = sample_weight._data if isinstance(sample_weight, Tensor) else sample_weight
            w = backend.as_array(w, self.dtype, device)
            values, w = _fit_weights(xp, values, w)
            total, count = (values * w).sum(), w.sum()
        # 0-d arrays of the state's dtype (NumPy's sums are scalars, not arrays)
        self.total.assign_add(xp.asarray(total, self.dtype))
        self.count.assign_add(xp.asarray(count, self.dtype))

    def result(self) -> Tensor:
        """``total / count``: the weighted mean so far (0 before any value was added)."""
        count = self.count._data
        total = self.total._data
        xp = backend.array_module(count)
        value = xp.where(count != 0, total / xp.where(count != 0, count, 1), 0)
        return Tensor._wrap(value.astype(self.dtype))


def _fit_weights(xp, values, w) -> tuple:
    """Keras's matching of sample weights to values: drop or add one trailing axis,
    then broadcast as ``tf.broadcast_weights`` does (a scalar, or the values' rank
    with dimensions 1 or equal); weights of lower rank that match the leading axes
    average the values over the others first."""
    if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    elif values.ndim == w.ndim + 1 and w.ndim > 0:
        w = w[..., None]
    if w.ndim == 0 or (w.ndim == values.ndim and all(a in (1, b) for a, b in zip(w.shape, values.shape))):
        return values, xp.broadcast_to(w, values.shape)
    if w.ndim < values.ndim and values.shape[: w.ndim] == w.shape:
        return values.mean(axis=tuple(range(w.ndim, values.ndim))), w
    raise InvalidArgumentError(
        f"sample_weight of shape {w.shape} does not fit values of shape {values.shape}: "
        "give one weight per sample (shape (batch,)) or one per value."
    )


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` over every sample seen.

    Args:
        fn: a per-sample function such as ``binary_accuracy`` or a loss function.
        name: the metric's name. dtype: of its state.
        **kwargs: passed to ``fn`` (e.g. ``threshold``).
    """

    def __init__(self, fn, name: str | None = None, dtype=FLOATX, **kwargs):
        if not callable(fn):
            raise ArgumentTypeError(
                f"{type(self).__name__}: `fn` must be a function fn(y_true, y_pred), got {fn!r}. "
                "Pass a per-sample metric such as minigrad.metrics.binary_accuracy."
            )
        super().__init__(getattr(fn, "__name__", "mean") if name is None else name, dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add ``fn(y_true, y_pred)`` for a batch, weighted by ``sample_weight``."""
        y_true, y_pred = _as_tensors(y_true, y_pred)
        y_true, y_pred = _squeeze_or_expand(y_true, y_pred)
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict:
        """``name``, ``dtype`` and the keyword arguments passed on to ``fn``."""
        return {**super().get_config(), **self._fn_kwargs}


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (``accuracy``), over all updates."""

    def __init__(self, name: str = "accuracy", dtype=FLOATX):
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels (``binary_accuracy``).

    Args:
        name, dtype: see ``Metric``.
        threshold: the decision boundary, a finite number. Defaults to 0.5.

    Raises:
        ArgumentTypeError: for a threshold that is not a number.
        InvalidArgumentError: for a NaN or infinite threshold.
    """

    def __init__(self, name: str = "binary_accuracy", dtype=FLOATX, threshold: float = 0.5):
        threshold = check_float("threshold", threshold, where="BinaryAccuracy")
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the top class matches one-hot labels (``categorical_accuracy``)."""

    def __init__(self, name: str = "categorical_accuracy", dtype=FLOATX):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the top class matches integer labels (``sparse_categorical_accuracy``)."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=FLOATX):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the top ``k`` scores (``top_k_categorical_accuracy``).

    Args:
        k: an int >= 1. Defaults to 5.
        name, dtype: see ``Metric``.

    Raises:
        ArgumentTypeError: for a k that is not an int. InvalidArgumentError: for a k below 1.
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=FLOATX):
        k = check_int("k", k, minimum=1, where="TopKCategoricalAccuracy")
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the top ``k`` scores
    (``sparse_top_k_categorical_accuracy``).

    Args:
        k: an int >= 1. Defaults to 5.
        name, dtype: see ``Metric``.

    Raises:
        ArgumentTypeError: for a k that is not an int. InvalidArgumentError: for a k below 1.
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype=FLOATX):
        k = check_int("k", k, minimum=1, where="SparseTopKCategoricalAccuracy")
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k)


#: the score Keras gives to the classes that ``top_k`` filters out (and the default threshold
#: with ``top_k``: every kept class is predicted positive)
_NEG_INF = -1e10


class _ConfusionCounts(Metric):
    """Precision and Recall: confusion counts per threshold, accumulated over updates.

    For every pair of values (flattened; y_true read as a bool: nonzero is positive) and
    every threshold ``t``, the prediction is positive when ``y_pred > t``:

        true_positives   += sum(w * [label] * [y_pred > t])
        false_positives  += sum(w * [not label] * [y_pred > t])
        false_negatives  += sum(w * [label] * [y_pred <= t])

    With ``top_k``, only the ``k`` highest scores of each row (ties: the lower index first,
    as ``tf.math.top_k``) keep their values; the others become -1e10. With ``class_id``, only
    that class (last axis) is counted. Subclasses keep two of the counts and divide them.
    """

    _counts: tuple = ()

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=FLOATX):
        super().__init__(_snake_case(type(self).__name__) if name is None else name, dtype)
        where = type(self).__name__
        self.init_thresholds = thresholds
        self.top_k = check_int("top_k", top_k, minimum=1, allow_none=True, where=where)
        self.class_id = check_int("class_id", class_id, minimum=0, allow_none=True, where=where)
        self.thresholds = _parse_thresholds(thresholds, 0.5 if self.top_k is None else _NEG_INF,
                                            where)
        for count in self._counts:
            setattr(self, count, self.add_weight(count, shape=(len(self.thresholds),)))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add a batch's counts.

        Args:
            y_true: labels (nonzero is positive), of y_pred's shape (up to a trailing 1).
            y_pred: scores in [0, 1] compared with the thresholds.
            sample_weight: None, a number, or weights that broadcast to y_pred (one per
                sample, or one per value; a trailing axis is added or dropped as Keras does).

        Raises:
            InvalidArgumentError: for shapes that differ, weights that do not fit, a class_id
                outside the classes, or a top_k above the number of classes.
        """
        where = type(self).__name__
        y_true, y_pred = _squeeze_or_expand(*_as_tensors(y_true, y_pred))
        _check_same_shape(y_true, y_pred, where)
        scores = y_pred._data.astype(self.dtype, copy=False)
        xp = backend.array_module(scores)
        self._state_to(backend.device_of(scores))
        labels = y_true._data.astype(bool)
        weights = None
        if sample_weight is not None:
            w = sample_weight._data if isinstance(sample_weight, Tensor) else sample_weight
            weights = _broadcast_confusion_weights(xp, backend.as_array(w, self.dtype,
                                                                        backend.device_of(scores)),
                                                   scores.shape, where)
        classes = scores.shape[-1] if scores.ndim else 1
        if self.top_k is not None:
            if self.top_k > classes or scores.ndim == 0:
                raise InvalidArgumentError(
                    f"{where}: top_k={self.top_k} but y_pred has {classes} class(es) on its last "
                    f"axis: use top_k <= {classes}.")
            rank = xp.argsort(xp.argsort(-scores, axis=-1, kind="stable"), axis=-1, kind="stable")
            scores = xp.where(rank < self.top_k, scores, scores.dtype.type(_NEG_INF))
        if self.class_id is not None:
            if scores.ndim == 0 or self.class_id >= classes:
                raise InvalidArgumentError(
                    f"{where}: class_id={self.class_id} but y_pred has {classes} class(es) on its "
                    f"last axis: use a class_id in [0, {classes}).")
            scores, labels = scores[..., self.class_id], labels[..., self.class_id]
            weights = None if weights is None else weights[..., self.class_id]
        thresholds = xp.asarray(self.thresholds, dtype=self.dtype)[:, None]
        predicted = scores.reshape(1, -1) > thresholds          # (thresholds, values)
        labels = labels.reshape(1, -1)
        w = xp.ones(labels.shape, self.dtype) if weights is None else weights.reshape(1, -1)
        counts = {"true_positives": labels & predicted, "false_positives": ~labels & predicted,
                  "false_negatives": labels & ~predicted}
        for name in self._counts:
            getattr(self, name).assign_add((counts[name] * w).sum(axis=1).astype(self.dtype))

    def _ratio(self, numerator: Variable, other: Variable) -> Tensor:
        """``numerator / (numerator + other)``, 0 where that is 0/0 (``divide_no_nan``);
        a scalar for one threshold, one value per threshold otherwise."""
        top, rest = numerator._data, other._data
        xp = backend.array_module(top)
        total = top + rest
        value = xp.where(total != 0, top / xp.where(total != 0, total, 1), 0).astype(self.dtype)
        return Tensor._wrap(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_ConfusionCounts):
    """Precision, ``TP / (TP + FP)``, accumulated over batches (Keras's ``Precision``).

    ``true_positives`` and ``false_positives`` add up over every ``update_state`` (see
    ``_ConfusionCounts`` for how they are counted) until ``reset_state``; ``result()``
    divides them (0 when both are 0).

    >>> p = Precision(); p.update_state([0, 1, 1, 1], [1, 0, 1, 1]); float(p.result())
    0.6666666865348816

    Args:
        thresholds: a float in [0, 1] or a list of them: a prediction is positive above the
            threshold. None: 0.5 (or, with top_k, every kept class). With a list, result()
            gives one precision per threshold.
        top_k: count only the k highest scores of each row as positive (an int >= 1 or None).
        class_id: count only this class (last axis) of a multi-class y_pred (an int >= 0 or None).
        name: defaults to "precision". dtype: of the counts and the result.

    Raises:
        InvalidArgumentError: for a threshold outside [0, 1] (or NaN), a top_k below 1 or a
            negative class_id.
        ArgumentTypeError: for thresholds, top_k or class_id of the wrong type.
    """

    _counts = ("true_positives", "false_positives")

    def result(self) -> Tensor:
        """``TP / (TP + FP)`` (0 where both are 0): a scalar, or one value per threshold."""
        return self._ratio(self.true_positives, self.false_positives)


class Recall(_ConfusionCounts):
    """Recall, ``TP / (TP + FN)``, accumulated over batches (Keras's ``Recall``).

    ``true_positives`` and ``false_negatives`` add up over every ``update_state`` until
    ``reset_state``; ``result()`` divides them (0 when both are 0).

    >>> r = Recall(); r.update_state([0, 1, 1, 1], [1, 0, 1, 1]); float(r.result())
    0.6666666865348816

    Args:
        thresholds, top_k, class_id, dtype: as ``Precision``.
        name: defaults to "recall".

    Raises:
        InvalidArgumentError, ArgumentTypeError: as ``Precision``.
    """

    _counts = ("true_positives", "false_negatives")

    def result(self) -> Tensor:
        """``TP / (TP + FN)`` (0 where both are 0): a scalar, or one value per threshold."""
        return self._ratio(self.true_positives, self.false_negatives)


def _snake_case(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _parse_thresholds(thresholds, default: float, where: str) -> list:
    """Keras's ``parse_init_thresholds``: a list of floats in [0, 1] (the default if None)."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    if not values:
        raise InvalidArgumentError(
            f"{where}: `thresholds` is an empty list: pass a float in [0, 1], a non-empty list "
            "of them, or None (0.5).")
    return [check_float("thresholds" if len(values) == 1 and not isinstance(thresholds, (list, tuple))
                        else f"thresholds[{i}]", t, minimum=0.0, maximum=1.0, where=where)
            for i, t in enumerate(values)]


def _broadcast_confusion_weights(xp, w, shape: tuple, where: str):
    """Sample weights fitted to ``shape`` as Keras does: drop or add one trailing axis, then
    broadcast (a scalar, or the same rank with sizes 1 or equal)."""
    ndim = len(shape)
    if w.ndim == ndim + 1 and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    elif ndim == w.ndim + 1 and w.ndim > 0:
        w = w[..., None]
    if w.ndim == 0 or (w.ndim == ndim and all(a in (1, b) for a, b in zip(w.shape, shape))):
        return xp.broadcast_to(w, shape)
    raise InvalidArgumentError(
        f"{where}: sample_weight of shape {w.shape} does not fit y_pred of shape {shape}: give "
        "one weight per sample (shape (batch,)) or one per value."
    )


_FUNCTIONS = {
    "accuracy": accuracy, "acc": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": losses.mean_squared_error, "mse": losses.mean_squared_error,
    "mean_absolute_error": losses.mean_absolute_error, "mae": losses.mean_absolute_error,
    "binary_crossentropy": losses.binary_crossentropy,
    "categorical_crossentropy": losses.categorical_crossentropy,
    "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy,
}
_CLASSES = {cls.__name__: cls for cls in (Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                          SparseCategoricalAccuracy, TopKCategoricalAccuracy,
                                          SparseTopKCategoricalAccuracy, Precision, Recall)}
#: Keras 3 also knows classes by their snake_case names; these have no function of that name
_SNAKE_CASE_CLASSES = {"precision": Precision, "recall": Recall}


def get(identifier):
    """A metric from a Keras identifier, as ``tf.keras.metrics.get``.

    Args:
        identifier: a function name ("accuracy"/"acc", "binary_accuracy",
            "categorical_accuracy", "sparse_categorical_accuracy", or a loss
            name such as "mse") giving the function; a class name ("Accuracy",
            ...) giving a default instance; a ``{"class_name", "config"}`` dict;
            or a callable / Metric (returned as is). Choosing the accuracy
            variant for "accuracy" from the model's loss is left to the model.

    Raises:
        InvalidArgumentError: for an unknown name. ArgumentTypeError: for anything else.
    """
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return losses.from_class_config(identifier, _CLASSES, "metric")
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier in _SNAKE_CASE_CLASSES:
            return _SNAKE_CASE_CLASSES[identifier]()
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        raise InvalidArgumentError(
            f"metrics.get: unknown metric {identifier!r}: use one of "
            f"{sorted(set(_FUNCTIONS) | set(_SNAKE_CASE_CLASSES))} or a class name "
            f"({', '.join(sorted(_CLASSES))})."
        )
    raise ArgumentTypeError(
        f"metrics.get: cannot make a metric from {identifier!r}: pass a name like 'accuracy' or a Metric."
    )


__all__ = [
    "Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "accuracy", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "get", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "Precision", "Recall", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
]
