"""Metrics with the semantics of tf.keras (Keras 2): functions and stateful objects.

Functions return one value per sample (float32 Tensors, never differentiated):

    accuracy(y_true, y_pred)                      y_true == y_pred, elementwise
    binary_accuracy(y_true, y_pred, threshold)    mean(y_true == (y_pred > threshold), axis=-1)
    categorical_accuracy(y_true, y_pred)          argmax(y_true) == argmax(y_pred)
    sparse_categorical_accuracy(y_true, y_pred)   y_true == argmax(y_pred)

Stateful metrics accumulate over batches: ``update_state(...)`` adds a batch,
``result()`` gives the running value, ``reset_state()`` starts again (Keras
calls them once per epoch). ``Mean`` keeps ``total = sum(w * value)`` and
``count = sum(w)``, and ``result() = total / count`` (0 when count is 0).
The state starts on the default device and moves to the device of the values
each update gets, so that on a GPU the sums stay there (``result()`` too) and
nothing waits for a copy to the host until the value is read.
``Accuracy``, ``BinaryAccuracy``, ``CategoricalAccuracy`` and
``SparseCategoricalAccuracy`` are ``Mean`` of the function above.

Keras resolves the name "accuracy" (or "acc") given to ``Model.compile`` to the
binary, categorical or sparse variant from the loss and the output shape; that
is the model's job. Here ``get("accuracy")`` gives the plain ``accuracy``
function (exact equality), as ``tf.keras.metrics.get`` does.
"""

from __future__ import annotations

from minigrad import backend, losses, ops
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, UnsupportedDtypeError
from minigrad.tensor import Tensor, as_tensor_argument
from minigrad.validation import check_class_labels, check_config, check_float, check_known_kwargs, check_str
from minigrad.variable import Variable

FLOATX = "float32"


def _as_tensors(y_true, y_pred) -> tuple:
    y_pred = as_tensor_argument("y_pred", y_pred)
    y_true = as_tensor_argument("y_true", y_true, device=y_pred.device)
    return ops.stop_gradient(y_true), ops.stop_gradient(y_pred)


def _squeeze_or_expand(y_true: Tensor, y_pred: Tensor) -> tuple:
    """Keras's ``squeeze_or_expand_dimensions``: drop a trailing length-1 axis that
    makes the ranks differ by one (from y_pred, or else from y_true)."""
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = ops.squeeze(y_pred, -1)
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    return y_true, y_pred


def _check_same_shape(y_true: Tensor, y_pred: Tensor, what: str) -> None:
    if y_true.shape != y_pred.shape:
        raise InvalidArgumentError(
            f"{what}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they "
            "must have the same shape. For integer labels against class scores use "
            "sparse_categorical_accuracy."
        )


def _as_float(matches: Tensor) -> Tensor:
    return ops.cast(matches, FLOATX)


def accuracy(y_true, y_pred) -> Tensor:
    """``1.0`` where ``y_true == y_pred`` exactly, else ``0.0`` (elementwise).

    Raises:
        ValueError: if the shapes differ.
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "accuracy")
    if y_true.dtype != y_pred.dtype:
        y_pred = ops.cast(y_pred, y_true.dtype)
    return _as_float(ops.equal(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """The fraction of outputs whose thresholded prediction equals the target, over the last axis.

    ``mean(y_true == (y_pred > threshold), axis=-1)``. For logits use ``threshold=0``.

    Args:
        y_true: targets (0 or 1), of y_pred's shape.
        y_pred: probabilities (or scores), shape ``(batch, ..., d)``.
        threshold: the decision boundary. Defaults to 0.5.

    Returns:
        Per-sample accuracies, shape ``(batch, ...)``.

    Raises:
        InvalidArgumentError: if the shapes differ, or for a NaN or infinite threshold.
        ArgumentTypeError: for a threshold that is not a number.
    """
    threshold = check_float("threshold", threshold, where="binary_accuracy")
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_accuracy")
    decided = ops.cast(y_pred > threshold, y_pred.dtype)
    return ops.mean(_as_float(ops.equal(ops.cast(y_true, y_pred.dtype), decided)), axis=-1)


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """``1.0`` where ``argmax(y_true, -1) == argmax(y_pred, -1)``, per sample.

    Raises:
        ValueError: if the shapes differ (use sparse_categorical_accuracy for integer labels).
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "categorical_accuracy")
    return _as_float(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """``1.0`` where the integer label equals ``argmax(y_pred, -1)``, per sample.

    Args:
        y_true: labels, shape ``(batch, ...)`` or ``(batch, ..., 1)``.
        y_pred: class scores, shape ``(batch, ..., num_classes)``.

    Returns:
        The matches, of y_true's shape (as Keras).

    Raises:
        InvalidArgumentError: if y_true does not have one label per row of y_pred, or holds
            a label outside ``[0, num_classes)`` or a fraction (the check the sparse loss makes).
        ArgumentTypeError: for labels that are not numbers.
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    shape = y_true.shape
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if y_true.shape != y_pred.shape[:-1]:
        raise InvalidArgumentError(
            f"sparse_categorical_accuracy: y_true has shape {shape} but y_pred has shape "
            f"{y_pred.shape}: give one integer label per row of y_pred, shape {y_pred.shape[:-1]}. "
            "For one-hot targets use categorical_accuracy."
        )
    check_class_labels("y_true", y_true._data, y_pred.shape[-1], where="sparse_categorical_accuracy")
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), y_true.dtype)
    return ops.reshape(_as_float(ops.equal(y_true, predicted)), shape)


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
        return list(self._variables)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state.")

    def result(self) -> Tensor:
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
        return {"name": self.name, "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
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


_FUNCTIONS = {
    "accuracy": accuracy, "acc": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mean_squared_error": losses.mean_squared_error, "mse": losses.mean_squared_error,
    "mean_absolute_error": losses.mean_absolute_error, "mae": losses.mean_absolute_error,
    "binary_crossentropy": losses.binary_crossentropy,
    "categorical_crossentropy": losses.categorical_crossentropy,
    "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy,
}
_CLASSES = {cls.__name__: cls for cls in (Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                          SparseCategoricalAccuracy)}


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
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        raise InvalidArgumentError(
            f"metrics.get: unknown metric {identifier!r}: use one of {sorted(_FUNCTIONS)} or a class name "
            f"({', '.join(sorted(_CLASSES))})."
        )
    raise ArgumentTypeError(
        f"metrics.get: cannot make a metric from {identifier!r}: pass a name like 'accuracy' or a Metric."
    )


__all__ = [
    "Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "accuracy", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "get",
]
