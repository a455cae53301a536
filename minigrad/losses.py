"""Loss functions with the formulas, defaults and reductions of tf.keras (Keras 2).

Two forms, as in Keras:

- functions ``mean_squared_error(y_true, y_pred)`` and friends return one loss
  per sample (they reduce the last axis only);
- classes ``MeanSquaredError()(y_true, y_pred, sample_weight=None)`` also weight
  and reduce those per-sample losses to one number.

Per-sample losses (``z`` = y_true, ``p`` = y_pred, means over the last axis):

    mean_squared_error                 mean((p - z) ** 2)
    mean_absolute_error                mean(|p - z|)
    binary_crossentropy                mean(-(z log(p + e) + (1 - z) log(1 - p + e))),
                                       p clipped to [e, 1 - e]
                       (from_logits)   mean(max(x, 0) - x z + log(1 + exp(-|x|))),  x = logits
    categorical_crossentropy           -sum(z log(clip(p / sum(p), e, 1 - e)))
                       (from_logits)   -sum(z log_softmax(x))
    sparse_categorical_crossentropy    -log_softmax(x)[label], with x = log(clip(p, e, 1 - e))
                                       for probabilities

with Keras's ``e = 1e-7``. The logits forms never overflow: logits of 1000 give
finite losses and gradients. The class forms reduce with ``reduction``:
"sum_over_batch_size" (Keras's default, also "auto") is ``sum(w * loss) / n``
over the ``n`` per-sample losses, "sum" is ``sum(w * loss)`` and "none" returns
``w * loss``. ``label_smoothing`` ``s`` replaces the targets by
``z (1 - s) + s / 2`` (binary) or ``z (1 - s) + s / num_classes`` (categorical).

Shapes: y_true and y_pred must have the same shape, except that a trailing axis
of length 1 on one side is matched (y_true of shape (N,) against y_pred of shape
(N, 1) is compared as (N, 1), as ``Model.fit`` does in Keras). Sparse labels
have y_pred's shape without the class axis, or with a length-1 class axis.
Keras uses the logits hidden behind a softmax/sigmoid output when
``from_logits=False``; minigrad does not: pass ``from_logits=True`` with raw
logits for the stable path.
"""

from __future__ import annotations

from minigrad import backend, nn, ops
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.ops.reductions import sparse_softmax_cross_entropy
from minigrad.tensor import Tensor, as_tensor_argument
from minigrad.validation import (
    check_axis,
    check_bool,
    check_class_labels,
    check_config,
    check_float,
    check_int,
    check_known_kwargs,
    check_one_of,
    check_str,
)

#: Keras's ``backend.epsilon()``: probabilities are clipped to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7

REDUCTIONS = ("auto", "none", "sum", "sum_over_batch_size")


# -- preparing the inputs ---------------------------------------------------------------
def _predictions(y_pred, what: str) -> Tensor:
    y_pred = as_tensor_argument("y_pred", y_pred, what)
    if y_pred.dtype.kind != "f":
        raise ArgumentTypeError(
            f"{what}: y_pred has dtype {y_pred.dtype}, but predictions must be floating point "
            "(the loss is differentiated through them). Cast them, e.g. y_pred.astype('float32')."
        )
    if y_pred.ndim == 0:
        raise InvalidArgumentError(
            f"{what}: y_pred is a scalar, but losses average over the last axis of the "
            "predictions: give them at least one axis, e.g. shape (batch,) or (batch, 1)."
        )
    return y_pred


def _targets(y_true, y_pred: Tensor, name: str = "y_true", where: str | None = None) -> Tensor:
    """y_true on y_pred's device (if it is not a Tensor yet), as it is."""
    return as_tensor_argument(name, y_true, where, device=y_pred.device)


def _matched(y_true, y_pred, what: str) -> tuple:
    """(y_true, y_pred) as Tensors of one shape, y_true cast to y_pred's dtype.

    Raises:
        ValueError: if the shapes differ by more than a trailing length-1 axis.
    """
    y_pred = _predictions(y_pred, what)
    y_true = _targets(y_true, y_pred)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, -1)
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if y_true.shape != y_pred.shape:
        hint = ""
        if y_true.ndim == y_pred.ndim - 1 and y_true.shape == y_pred.shape[:-1]:
            hint = (" y_true looks like integer class labels: use sparse_categorical_crossentropy, "
                    "or one-hot encode them with minigrad.nn.one_hot(labels, num_classes).")
        raise InvalidArgumentError(
            f"{what}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they "
            f"must have the same shape (one sample per row, one target per output).{hint}"
        )
    return ops.cast(y_true, y_pred.dtype), y_pred


def _options(what: str, from_logits, label_smoothing=0.0) -> tuple:
    """The checked ``(from_logits, label_smoothing)`` of the cross-entropies."""
    return (check_bool("from_logits", from_logits, where=what),
            check_float("label_smoothing", label_smoothing, minimum=0, maximum=1, where=what))


# -- per-sample losses (the function forms) -----------------------------------------------
def mean_squared_error(y_true, y_pred) -> Tensor:
    """Mean squared error over the last axis: ``mean((y_pred - y_true) ** 2, axis=-1)``.

    Args:
        y_true: targets, of y_pred's shape.
        y_pred: predictions, shape ``(batch, ..., d)``.

    Returns:
        The per-sample losses, shape ``(batch, ...)``.

    Raises:
        InvalidArgumentError: if the shapes differ. ArgumentTypeError: for non-float predictions.
    """
    y_true, y_pred = _matched(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Mean absolute error over the last axis: ``mean(|y_pred - y_true|, axis=-1)``.

    Args:
        y_true: targets, of y_pred's shape.
        y_pred: predictions, shape ``(batch, ..., d)``.

    Returns:
        The per-sample losses, shape ``(batch, ...)``.

    Raises:
        InvalidArgumentError: if the shapes differ. ArgumentTypeError: for non-float predictions.
    """
    y_true, y_pred = _matched(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(y_pred - y_true), axis=-1)


def _sigmoid_cross_entropy_with_logits(z: Tensor, x: Tensor) -> Tensor:
    """``max(x, 0) - x z + log(1 + exp(-|x|))`` elementwise, as two smooth branches.

    For ``x >= 0`` it is ``x (1 - z) + softplus(-x)``, for ``x < 0`` it is
    ``softplus(x) - x z``: no exp overflows, and the gradient is
    ``sigmoid(x) - z`` everywhere (also at the kink of ``|x|`` at 0).
    """
    positive = x * (1.0 - z) + ops.softplus(-x)
    negative = ops.softplus(x) - x * z
    return ops.where(x >= 0.0, positive, negative)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> Tensor:
    """Binary cross-entropy, averaged over ``axis`` (Keras's formula).

    With probabilities ``p`` (``from_logits=False``), ``p`` is clipped to
    ``[e, 1 - e]`` (``e = 1e-7``) and the loss is
    ``-(z log(p + e) + (1 - z) log(1 - p + e))``; with logits ``x`` it is
    ``max(x, 0) - x z + log(1 + exp(-|x|))``, which is stable for any ``x``.

    Args:
        y_true: targets in [0, 1], of y_pred's shape.
        y_pred: probabilities, or logits if ``from_logits``.
        from_logits: whether y_pred holds logits. Defaults to False.
        label_smoothing: ``s`` in [0, 1]: targets become ``z (1 - s) + s / 2``.
        axis: the axis to average over. Defaults to -1.

    Returns:
        The per-sample losses (``axis`` removed).

    Raises:
        InvalidArgumentError: if the shapes differ, label_smoothing is outside [0, 1] or
            axis is out of range for y_pred.
        ArgumentTypeError: for a from_logits that is not a bool, or non-float predictions.
    """
    from_logits, s = _options("binary_crossentropy", from_logits, label_smoothing)
    z, y = _matched(y_true, y_pred, "binary_crossentropy")
    axis = check_axis("axis", axis, y.ndim, where="binary_crossentropy")
    if s:
        z = z * (1.0 - s) + 0.5 * s
    if from_logits:
        loss = _sigmoid_cross_entropy_with_logits(z, y)
    else:
        p = ops.clip(y, EPSILON, 1.0 - EPSILON)
        loss = -(z * ops.log(p + EPSILON) + (1.0 - z) * ops.log(1.0 - p + EPSILON))
    return ops.mean(loss, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> Tensor:
    """Categorical cross-entropy between one-hot (or soft) targets and predictions.

    With logits ``x``: ``-sum(z * log_softmax(x))`` over ``axis``. With
    probabilities ``p``: they are rescaled to sum to 1, clipped to
    ``[e, 1 - e]`` and the loss is ``-sum(z * log(p))``.

    Args:
        y_true: one-hot targets (or a distribution), of y_pred's shape.
        y_pred: probabilities, or logits if ``from_logits``; classes along ``axis``.
        from_logits: whether y_pred holds logits. Defaults to False.
        label_smoothing: ``s`` in [0, 1]: targets become ``z (1 - s) + s / num_classes``.
        axis: the class axis. Defaults to -1.

    Returns:
        The per-sample losses (``axis`` removed).

    Raises:
        InvalidArgumentError: if the shapes differ (with a hint for integer labels),
            label_smoothing is outside [0, 1] or axis is out of range for y_pred.
        ArgumentTypeError: for a from_logits that is not a bool, or non-float predictions.
    """
    from_logits, s = _options("categorical_crossentropy", from_logits, label_smoothing)
    z, y = _matched(y_true, y_pred, "categorical_crossentropy")
    axis = check_axis("axis", axis, y.ndim, where="categorical_crossentropy")
    if s:
        z = z * (1.0 - s) + s / y.shape[axis]
    if from_logits:
        log_p = nn.log_softmax(y, axis=axis)
    else:
        p = y / ops.sum(y, axis=axis, keepdims=True)
        log_p = ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON))
    return -ops.sum(z * log_p, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Categorical cross-entropy with integer class labels: ``-log_softmax(x)[label]``.

    With probabilities ``p``, Keras takes ``x = log(clip(p, e, 1 - e))`` as the
    logits (so the probabilities are renormalised too).

    Args:
        y_true: integer labels in ``[0, num_classes)``, of y_pred's shape without
            the class axis (or with a length-1 class axis). Integral floats work.
        y_pred: probabilities, or logits if ``from_logits``; classes along ``axis``.
        from_logits: whether y_pred holds logits. Defaults to False.
        axis: the class axis. Defaults to -1.

    Returns:
        The per-sample losses, of the labels' shape.

    Raises:
        InvalidArgumentError: for labels of the wrong shape, out of range or not whole
            numbers, or an axis out of range for y_pred (named as given, never wrapped).
        ArgumentTypeError: for a from_logits that is not a bool, labels that are not numbers,
            or non-float predictions.
    """
    what = "sparse_categorical_crossentropy"
    from_logits = check_bool("from_logits", from_logits, where=what)
    y = _predictions(y_pred, what)
    axis = check_axis("axis", axis, y.ndim, where=what)
    labels = _targets(y_true, y)._data
    expected = y.shape[:axis] + y.shape[axis + 1:]
    if labels.shape == y.shape[:axis] + (1,) + y.shape[axis + 1:]:
        labels = labels.reshape(expected)
    if labels.shape != expected:
        raise InvalidArgumentError(
            f"{what}: y_true has shape {labels.shape} but y_pred has shape {y.shape}: give one "
            f"integer label per sample, shape {expected}. For one-hot targets use "
            "categorical_crossentropy."
        )
    hot = _one_hot_mask(labels, y.shape[axis], axis, what)
    logits = y if from_logits else ops.log(ops.clip(y, EPSILON, 1.0 - EPSILON))
    # one op for -log_softmax(logits)[label] (and one for its gradient): this loss runs
    # every training step, and the composite form records about a dozen ops
    return sparse_softmax_cross_entropy(logits, hot, axis)


def _one_hot_mask(labels, depth: int, axis: int, what: str) -> Tensor:
    """A boolean Tensor, True at ``[..., labels[...], ...]`` along ``axis``."""
    labels = check_class_labels("y_true", labels, depth, where=what)
    xp = backend.array_module(labels)
    classes = xp.arange(depth).reshape((depth,) + (1,) * (labels.ndim - axis))
    return Tensor._wrap(xp.expand_dims(labels, axis) == classes)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# -- weighting and reducing -------------------------------------------------------------
def compute_weighted_loss(losses, sample_weight=None, reduction: str = "sum_over_batch_size") -> Tensor:
    """Weight per-sample losses and reduce them, as Keras's ``compute_weighted_loss``.

    ``sample_weight`` is matched to the losses as Keras does (a trailing
    length-1 axis is dropped, missing trailing axes are added) and broadcast:
    a scalar scales everything, shape ``(batch,)`` weights each sample.

    Args:
        losses: per-sample losses, e.g. ``mean_squared_error(y_true, y_pred)``.
        sample_weight: None (all ones), a number, or weights broadcastable to the losses.
        reduction: "sum_over_batch_size" or "auto" (``sum(w * loss) / losses.size``),
            "sum" (``sum(w * loss)``) or "none" (``w * loss``).

    Returns:
        A scalar Tensor, or the weighted losses for "none".

    Raises:
        InvalidArgumentError: for an unknown reduction or weights that do not fit the losses.
    """
    reduction = _check_reduction(reduction, "compute_weighted_loss")
    losses = as_tensor_argument("losses", losses, "compute_weighted_loss")
    if sample_weight is not None:
        w = _targets(sample_weight, losses, "sample_weight", "compute_weighted_loss")
        if w.ndim == losses.ndim + 1 and w.shape[-1] == 1:
            w = ops.squeeze(w, -1)
        while w.ndim < losses.ndim:
            w = ops.expand_dims(w, -1)
        fits = w.ndim == losses.ndim and all(a in (1, b) for a, b in zip(w.shape, losses.shape))
        if not fits:
            raise InvalidArgumentError(
                f"sample_weight of shape {tuple(_targets(sample_weight, losses).shape)} does not fit "
                f"the per-sample losses of shape {losses.shape}: give one weight per sample, "
                f"shape {losses.shape[:1]}, or a weight per loss, shape {losses.shape}."
            )
        losses = losses * ops.cast(w, losses.dtype)
    if reduction == "none":
        return losses
    if reduction == "sum" or losses.size == 0:
        return ops.sum(losses)
    return ops.mean(losses)  # sum / n, as one op


def _check_reduction(reduction: str, where: str) -> str:
    reduction = check_one_of("reduction", reduction, REDUCTIONS, where=where)
    return "sum_over_batch_size" if reduction == "auto" else reduction


# -- the class forms ----------------------------------------------------------------------
class Loss:
    """Base class of the loss objects: ``loss(y_true, y_pred, sample_weight=None)``.

    A subclass implements ``call(y_true, y_pred)`` returning per-sample losses;
    ``__call__`` weights and reduces them (see ``compute_weighted_loss``).

    Args:
        reduction: "auto"/"sum_over_batch_size" (default), "sum" or "none".
        name: a name for the loss (shown in training logs).

    Raises:
        InvalidArgumentError: for an unknown reduction.
        ArgumentTypeError: for a name that is not a string.
    """

    def __new__(cls, *args, **kwargs):
        check_known_kwargs(cls, kwargs, where=cls.__name__)  # before __init__: Python names no fix
        return super().__new__(cls)

    def __init__(self, reduction: str = "auto", name: str | None = None):
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction
        self.name = check_str("name", name, allow_none=True, where=type(self).__name__) or type(self).__name__

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        return compute_weighted_loss(self.call(y_true, y_pred), sample_weight, self.reduction)

    def call(self, y_true, y_pred) -> Tensor:
        """The per-sample losses, before weighting and reduction: subclasses implement this.

        Args:
            y_true: the targets.
            y_pred: the predictions, of the same batch size.

        Returns:
            A Tensor of per-sample losses (for most losses, ``y_pred``'s shape without its
            last axis).

        Raises:
            NotImplementedError: on the base class, which has no loss of its own.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self) -> dict:
        """The arguments that recreate this loss with ``from_config``: reduction and name."""
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        """A new loss from ``get_config()``'s dict.

        Args:
            config: the constructor's arguments, as ``get_config`` returns them.

        Returns:
            An instance of this class.

        Raises:
            ArgumentTypeError: (a TypeError) if ``config`` is not a dict.
        """
        return cls(**check_config(config, where=f"{cls.__name__}.from_config"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_config()}>"


class LossFunctionWrapper(Loss):
    """A Loss made from a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction: str = "auto", name: str | None = None, **kwargs):
        if not callable(fn):
            raise ArgumentTypeError(
                f"{type(self).__name__}: `fn` must be a function fn(y_true, y_pred), got {fn!r}. "
                "Pass a per-sample loss such as minigrad.losses.mean_squared_error."
            )
        super().__init__(reduction, getattr(fn, "__name__", None) if name is None else name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred) -> Tensor:
        """``fn(y_true, y_pred, **kwargs)``: the wrapped function's per-sample losses."""
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        """The reduction and name, plus the keyword arguments given to ``fn``."""
        return {**super().get_config(), **self._fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """``mean((y_pred - y_true) ** 2)`` per sample, then reduced (see ``Loss``)."""

    def __init__(self, reduction: str = "auto", name: str = "mean_squared_error"):
        super().__init__(mean_squared_error, reduction, name)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(|y_pred - y_true|)`` per sample, then reduced (see ``Loss``)."""

    def __init__(self, reduction: str = "auto", name: str = "mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction, name)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy (see ``binary_crossentropy``), then reduced.

    Args:
        from_logits: whether y_pred holds logits (stable) or probabilities. Defaults to False.
        label_smoothing: in [0, 1]; targets become ``z (1 - s) + s / 2``. Defaults to 0.
        axis: the axis averaged per sample. Defaults to -1.
        reduction, name: see ``Loss``.

    Raises:
        ArgumentTypeError: for a from_logits that is not a bool, or an axis that is not an int.
        InvalidArgumentError: for a label_smoothing outside [0, 1] (or NaN), a bad reduction.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "auto", name: str = "binary_crossentropy"):
        from_logits, label_smoothing = _options("BinaryCrossentropy", from_logits, label_smoothing)
        axis = check_int("axis", axis, where="BinaryCrossentropy")
        super().__init__(binary_crossentropy, reduction, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy with one-hot targets (see ``categorical_crossentropy``).

    Args:
        from_logits: whether y_pred holds logits (stable) or probabilities. Defaults to False.
        label_smoothing: in [0, 1]; targets become ``z (1 - s) + s / num_classes``.
        axis: the class axis. Defaults to -1.
        reduction, name: see ``Loss``.

    Raises:
        ArgumentTypeError: for a from_logits that is not a bool, or an axis that is not an int.
        InvalidArgumentError: for a label_smoothing outside [0, 1] (or NaN), a bad reduction.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "auto", name: str = "categorical_crossentropy"):
        from_logits, label_smoothing = _options("CategoricalCrossentropy", from_logits, label_smoothing)
        axis = check_int("axis", axis, where="CategoricalCrossentropy")
        super().__init__(categorical_crossentropy, reduction, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy with integer labels (see ``sparse_categorical_crossentropy``).

    Args:
        from_logits: whether y_pred holds logits (stable) or probabilities. Defaults to False.
        axis: the class axis. Defaults to -1.
        reduction, name: see ``Loss``.

    Raises:
        ArgumentTypeError: for a from_logits that is not a bool, or an axis that is not an int.
        InvalidArgumentError: for a bad reduction.
    """

    def __init__(self, from_logits: bool = False, axis: int = -1, reduction: str = "auto",
                 name: str = "sparse_categorical_crossentropy"):
        from_logits = check_bool("from_logits", from_logits, where="SparseCategoricalCrossentropy")
        axis = check_int("axis", axis, where="SparseCategoricalCrossentropy")
        super().__init__(sparse_categorical_crossentropy, reduction, name, from_logits=from_logits,
                         axis=axis)


_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
_CLASSES = {cls.__name__: cls for cls in (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
                                          CategoricalCrossentropy, SparseCategoricalCrossentropy)}


def get(identifier):
    """A loss from a Keras identifier, as ``tf.keras.losses.get``.

    Args:
        identifier: a function name ("mse", "mean_squared_error", "mae",
            "binary_crossentropy", "categorical_crossentropy",
            "sparse_categorical_crossentropy"; "MSE"/"MAE" too) giving the
            per-sample function; a class name ("MeanSquaredError", ...) giving a
            default instance; a ``{"class_name", "config"}`` dict; a callable
            (returned as is); or None (returned as is).

    Raises:
        InvalidArgumentError: for an unknown name. ArgumentTypeError: for anything else.
    """
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return from_class_config(identifier, _CLASSES, "loss")
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        fn = _FUNCTIONS.get(identifier.lower() if identifier in ("MSE", "MAE") else identifier)
        if fn is None:
            raise InvalidArgumentError(
                f"losses.get: unknown loss {identifier!r}: use one of {sorted(_FUNCTIONS)} or a class name "
                f"({', '.join(sorted(_CLASSES))})."
            )
        return fn
    raise ArgumentTypeError(
        f"losses.get: cannot make a loss from {identifier!r}: pass a name like 'mse', a Loss or a function."
    )


def from_class_config(identifier: dict, classes: dict, kind: str):
    """``{"class_name": ..., "config": {...}}`` made into an object of one of ``classes``.

    Shared by ``losses.get`` and ``metrics.get``.

    Raises:
        InvalidArgumentError: for a class name not in ``classes``.
        ArgumentTypeError: for an identifier or config that is not a dict.
    """
    if not isinstance(identifier, dict) or not isinstance(identifier.get("config", {}), dict):
        raise ArgumentTypeError(
            f"cannot make a {kind} from {identifier!r}: pass a dict "
            "{'class_name': 'ClassName', 'config': {...}} with a dict as its config."
        )
    class_name = identifier.get("class_name")
    cls = classes.get(class_name) if isinstance(class_name, str) else None
    if cls is None:
        raise InvalidArgumentError(
            f"unknown {kind} class {identifier.get('class_name')!r}: use one of {sorted(classes)}."
        )
    return cls.from_config(dict(identifier.get("config", {})))


__all__ = [
    "EPSILON", "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "mse", "mae", "MSE", "MAE", "compute_weighted_loss", "get",
]
