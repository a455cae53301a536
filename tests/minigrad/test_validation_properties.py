"""Property test (hypothesis): invalid arguments to every public optimizer, loss and metric
raise a named minigrad error, at construction or at first use.

The table below lists every public class and function of ``minigrad.optimizers``,
``minigrad.losses`` and ``minigrad.metrics`` with a strategy of invalid values for each of
its arguments; ``test_every_public_entry_point_is_in_the_table`` fails when a new public one
is added without a row, so that the property stays complete. Never a bare
AttributeError/TypeError/ValueError from NumPy or Python, never silent acceptance.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import losses, metrics, optimizers
from minigrad.errors import MinigradError
from minigrad.optimizers import schedules

# -- invalid values, by what the argument takes --------------------------------------------------
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NOT_A_NUMBER = st.one_of(st.text(max_size=4), st.booleans(), st.lists(st.floats(), max_size=2),
                         st.builds(object), st.just(1j))
NOT_A_NUMBER_OR_NONE = st.one_of(st.none(), NOT_A_NUMBER)


def _finite(**bounds):
    return st.floats(allow_nan=False, allow_infinity=False, **bounds)


def outside(low=None, high=None, *, low_inclusive=True, high_inclusive=True, none_ok=False):
    """Numbers outside the range (NaN and infinities included) and things that are not numbers."""
    parts = [NON_FINITE, NOT_A_NUMBER if none_ok else NOT_A_NUMBER_OR_NONE]
    if low is not None:  # below the range; -0.0 equals 0 and is not below it
        below = _finite(max_value=low, exclude_max=low_inclusive)
        parts.append(below.filter(lambda v: not (v == low and low_inclusive)))
    if high is not None:
        above = _finite(min_value=high, exclude_min=high_inclusive)
        parts.append(above.filter(lambda v: not (v == high and high_inclusive)))
    return st.one_of(parts)


LEARNING_RATE = outside(0)                 # finite >= 0 (a callable is valid too)
UNIT = outside(0, 1)                       # [0, 1]
UNIT_OPEN = outside(0, 1, high_inclusive=False)   # [0, 1)
NON_NEGATIVE = outside(0)                  # finite >= 0
CLIP = outside(0, low_inclusive=False, none_ok=True)   # None or finite > 0
FINITE = st.one_of(NON_FINITE, NOT_A_NUMBER_OR_NONE)
NOT_A_BOOL = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.floats(), st.lists(st.booleans()))
NOT_A_NAME = st.one_of(st.integers(), st.floats(), st.booleans(), st.lists(st.text(), max_size=2))
NOT_A_NAME_OR_NONE = NOT_A_NAME  # where None picks a default name
NOT_A_REDUCTION = st.one_of(st.text(max_size=12).filter(lambda r: r not in losses.REDUCTIONS),
                            st.none(), st.integers())
NOT_AN_INT_AXIS = st.one_of(st.none(), st.text(max_size=3), st.floats(), st.booleans())
AXIS_FOR_RANK_2 = st.one_of(NOT_AN_INT_AXIS, st.integers().filter(lambda a: not -2 <= a < 2))
NOT_A_FUNCTION = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.floats())


def _not_a_float_dtype(value) -> bool:
    try:
        return np.dtype(value).kind != "f"
    except (TypeError, ValueError, SyntaxError):  # NumPy parses the text ("01f" is a SyntaxError)
        return True


NOT_A_FLOAT_DTYPE = st.one_of(st.sampled_from(["int32", "bool", "uint8", "complex64", "float-ish", "str"]),
                              st.text(max_size=6).filter(_not_a_float_dtype))
NOT_DATA = st.one_of(st.none(), st.text(max_size=4), st.builds(object),
                     st.sampled_from([[1.0, None], [[1.0], [1.0, 2.0]], ["a", "b"], {"a": 1}]))
NOT_DATA_OR_NONE_OK = NOT_DATA.filter(lambda v: v is not None)
LABELS_OUT_OF_RANGE = st.one_of(
    st.lists(st.integers().filter(lambda k: not 0 <= k < 3), min_size=2, max_size=2),
    # fractions far from whole numbers (labels become float32, where 1e-50 is 0.0)
    st.lists(st.sampled_from([0.5, 1.25, 2.5, 0.1, 1.9]), min_size=2, max_size=2),
    NOT_DATA,
)


def _unknown_name(known):
    return st.one_of(st.text(max_size=10).filter(lambda n: n not in known and n.lower() not in known),
                     st.integers(), st.floats(), st.lists(st.integers(), max_size=2))


NOT_A_K = st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=3), st.none(), st.booleans())
NOT_A_TOP_K = st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=3), st.booleans())
NOT_A_CLASS_ID = st.one_of(st.integers(max_value=-1), st.integers(min_value=3),  # 3 classes below
                           st.floats(), st.text(max_size=3), st.booleans())
NOT_THRESHOLDS = st.one_of(
    NON_FINITE, _finite(max_value=0, exclude_max=True), _finite(min_value=1, exclude_min=True),
    st.text(max_size=4), st.booleans(), st.builds(object), st.just([]), st.just([0.5, "a"]),
    st.lists(_finite(min_value=1, exclude_min=True), min_size=1, max_size=2))
CONFUSION_ARGS = {"thresholds": NOT_THRESHOLDS, "top_k": NOT_A_TOP_K, "class_id": NOT_A_CLASS_ID}


# -- valid data for first use -----------------------------------------------------------------
Y01 = [[1.0], [0.0]]
P01 = [[0.8], [0.3]]
ONE_HOT = [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
PROBS = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
LABELS = [2, 0]


def _step(opt):
    """First use of an optimizer: one update of one variable."""
    w = mg.Variable([1.0, -1.0])
    opt.apply_gradients([(mg.tensor([0.5, 0.5]), w)])


def _optimizer(cls):
    return lambda kw: _step(cls(**kw))


def _loss_class(cls, y_true, y_pred):
    return lambda kw: cls(**kw)(y_true, y_pred)


def _metric_class(cls, y_true, y_pred):
    def use(kw):
        m = cls(**kw)
        m.update_state(y_true, y_pred)
        m.result()
    return use


def _function(fn, **valid):
    return lambda kw: fn(**{**valid, **kw})


def _schedule(cls, **valid):
    """Build a schedule and read it at a step (``step`` is the call's argument, not the constructor's)."""
    def use(kw):
        kw = {**valid, **kw}
        step = kw.pop("step", 3)
        cls(**kw)(step)
    return use


POSITIVE = outside(0, low_inclusive=False)     # finite > 0
STEP = st.one_of(outside(0), st.integers(max_value=-1))   # a step number: finite >= 0
BAD_BOUNDARIES = st.one_of(st.text(max_size=3), st.integers(), st.none(),
                           st.sampled_from([[5, 2], [1, 1], [1], [1, 2, 3], [math.nan, 2], ["a", 2]]))
BAD_VALUES = st.one_of(st.text(max_size=3), st.integers(), st.none(),
                       st.sampled_from([[0.1, 0.2], [0.1, -0.2, 0.3], [0.1, math.inf, 0.3], [0.1, "a", 0.3]]))


OPTIMIZER_ARGS = {"learning_rate": LEARNING_RATE, "name": NOT_A_NAME_OR_NONE, "clipnorm": CLIP,
                  "clipvalue": CLIP, "global_clipnorm": CLIP, "decay": NON_NEGATIVE}
CROSSENTROPY_ARGS = {"from_logits": NOT_A_BOOL, "label_smoothing": UNIT, "axis": AXIS_FOR_RANK_2,
                     "reduction": NOT_A_REDUCTION, "name": NOT_A_NAME}
METRIC_ARGS = {"name": NOT_A_NAME_OR_NONE, "dtype": NOT_A_FLOAT_DTYPE}

# public name -> (call(kwargs) that constructs and uses, {argument: invalid values})
TABLE = {
    # optimizers
    "optimizers.Optimizer": (lambda kw: optimizers.Optimizer(**kw), OPTIMIZER_ARGS),
    "optimizers.SGD": (_optimizer(optimizers.SGD),
                       {**OPTIMIZER_ARGS, "momentum": UNIT, "nesterov": NOT_A_BOOL}),
    "optimizers.Adam": (_optimizer(optimizers.Adam),
                        {**OPTIMIZER_ARGS, "beta_1": UNIT_OPEN, "beta_2": UNIT_OPEN,
                         "epsilon": NON_NEGATIVE, "amsgrad": NOT_A_BOOL}),
    "optimizers.RMSprop": (_optimizer(optimizers.RMSprop),
                           {**OPTIMIZER_ARGS, "rho": UNIT, "momentum": UNIT, "epsilon": NON_NEGATIVE,
                            "centered": NOT_A_BOOL}),
    "optimizers.AdamW": (_optimizer(optimizers.AdamW),
                         {**OPTIMIZER_ARGS, "weight_decay": NON_NEGATIVE, "beta_1": UNIT_OPEN,
                          "beta_2": UNIT_OPEN, "epsilon": NON_NEGATIVE, "amsgrad": NOT_A_BOOL}),
    "optimizers.Adagrad": (_optimizer(optimizers.Adagrad),
                           {**OPTIMIZER_ARGS, "initial_accumulator_value": NON_NEGATIVE,
                            "epsilon": NON_NEGATIVE}),
    "optimizers.get": (lambda kw: optimizers.get(**kw),
                       {"identifier": _unknown_name({"sgd", "adam", "rmsprop", "adamw", "adagrad"})}),
    # learning-rate schedules (minigrad.optimizers.schedules), constructed and called at a step
    "schedules.LearningRateSchedule": (lambda kw: schedules.LearningRateSchedule(**kw), {}),
    "schedules.ExponentialDecay": (_schedule(schedules.ExponentialDecay, initial_learning_rate=0.1,
                                             decay_steps=10, decay_rate=0.5),
                                   {"initial_learning_rate": LEARNING_RATE,
                                    "decay_steps": POSITIVE, "decay_rate": NON_NEGATIVE,
                                    "staircase": NOT_A_BOOL, "name": NOT_A_NAME, "step": STEP}),
    "schedules.PiecewiseConstantDecay": (
        _schedule(schedules.PiecewiseConstantDecay, boundaries=[2, 5], values=[0.3, 0.2, 0.1]),
        {"boundaries": BAD_BOUNDARIES, "values": BAD_VALUES, "name": NOT_A_NAME, "step": STEP}),
    "schedules.CosineDecay": (_schedule(schedules.CosineDecay, initial_learning_rate=0.1, decay_steps=10),
                              {"initial_learning_rate": LEARNING_RATE, "decay_steps": POSITIVE,
                               "alpha": UNIT, "name": NOT_A_NAME,
                               "warmup_target": outside(0, none_ok=True),
                               "warmup_steps": NON_NEGATIVE, "step": STEP}),
    "schedules.serialize": (_function(schedules.serialize, schedule=schedules.CosineDecay(0.1, 10)),
                            {"schedule": st.one_of(NOT_A_FUNCTION, st.just(lambda step: 0.1))}),
    "schedules.deserialize": (
        _function(schedules.deserialize, config=schedules.serialize(schedules.CosineDecay(0.1, 10))),
        {"config": st.one_of(NOT_DATA, st.builds(lambda name: {"class_name": name, "config": {}},
                                                 _unknown_name(set(schedules._BUILT_IN)))),
         "custom_objects": st.one_of(st.text(max_size=3), st.integers(),
                                     st.lists(st.integers(), max_size=2))}),
    # loss classes
    "losses.Loss": (lambda kw: losses.Loss(**kw), {"reduction": NOT_A_REDUCTION, "name": NOT_A_NAME}),
    "losses.LossFunctionWrapper": (
        lambda kw: losses.LossFunctionWrapper(**{"fn": losses.mean_squared_error, **kw})(Y01, P01),
        {"fn": NOT_A_FUNCTION, "reduction": NOT_A_REDUCTION, "name": NOT_A_NAME}),
    "losses.MeanSquaredError": (_loss_class(losses.MeanSquaredError, Y01, P01),
                                {"reduction": NOT_A_REDUCTION, "name": NOT_A_NAME}),
    "losses.MeanAbsoluteError": (_loss_class(losses.MeanAbsoluteError, Y01, P01),
                                 {"reduction": NOT_A_REDUCTION, "name": NOT_A_NAME}),
    "losses.BinaryCrossentropy": (_loss_class(losses.BinaryCrossentropy, Y01, P01), CROSSENTROPY_ARGS),
    "losses.CategoricalCrossentropy": (_loss_class(losses.CategoricalCrossentropy, ONE_HOT, PROBS),
                                       CROSSENTROPY_ARGS),
    "losses.SparseCategoricalCrossentropy": (
        _loss_class(losses.SparseCategoricalCrossentropy, LABELS, PROBS),
        {"from_logits": NOT_A_BOOL, "axis": AXIS_FOR_RANK_2, "reduction": NOT_A_REDUCTION,
         "name": NOT_A_NAME}),
    # loss functions
    "losses.mean_squared_error": (_function(losses.mean_squared_error, y_true=Y01, y_pred=P01),
                                  {"y_true": NOT_DATA, "y_pred": NOT_DATA}),
    "losses.mean_absolute_error": (_function(losses.mean_absolute_error, y_true=Y01, y_pred=P01),
                                   {"y_true": NOT_DATA, "y_pred": NOT_DATA}),
    "losses.binary_crossentropy": (
        _function(losses.binary_crossentropy, y_true=Y01, y_pred=P01),
        {"y_true": NOT_DATA, "y_pred": NOT_DATA, "from_logits": NOT_A_BOOL, "label_smoothing": UNIT,
         "axis": AXIS_FOR_RANK_2}),
    "losses.categorical_crossentropy": (
        _function(losses.categorical_crossentropy, y_true=ONE_HOT, y_pred=PROBS),
        {"y_true": NOT_DATA, "y_pred": NOT_DATA, "from_logits": NOT_A_BOOL, "label_smoothing": UNIT,
         "axis": AXIS_FOR_RANK_2}),
    "losses.sparse_categorical_crossentropy": (
        _function(losses.sparse_categorical_crossentropy, y_true=LABELS, y_pred=PROBS),
        {"y_true": LABELS_OUT_OF_RANGE, "y_pred": NOT_DATA, "from_logits": NOT_A_BOOL,
         "axis": AXIS_FOR_RANK_2}),
    "losses.compute_weighted_loss": (
        _function(losses.compute_weighted_loss, losses=[1.0, 2.0]),
        {"losses": NOT_DATA, "sample_weight": NOT_DATA_OR_NONE_OK, "reduction": NOT_A_REDUCTION}),
    "losses.get": (lambda kw: losses.get(**kw),
                   {"identifier": _unknown_name(set(losses._FUNCTIONS) | set(losses._CLASSES))}),
    "losses.from_class_config": (
        _function(losses.from_class_config, identifier={"class_name": "MeanSquaredError"},
                  classes=losses._CLASSES, kind="loss"),
        {"identifier": st.one_of(NOT_DATA, st.builds(lambda n: {"class_name": n},
                                                     _unknown_name(set(losses._CLASSES))))}),
    # metric classes
    "metrics.Metric": (lambda kw: metrics.Metric(**kw), METRIC_ARGS),
    "metrics.Mean": (lambda kw: metrics.Mean(**kw).update_state([1.0, 2.0]), METRIC_ARGS),
    "metrics.MeanMetricWrapper": (
        _metric_class(lambda **kw: metrics.MeanMetricWrapper(**{"fn": metrics.binary_accuracy, **kw}),
                      Y01, P01),
        {**METRIC_ARGS, "fn": NOT_A_FUNCTION}),
    "metrics.Accuracy": (_metric_class(metrics.Accuracy, Y01, Y01), METRIC_ARGS),
    "metrics.BinaryAccuracy": (_metric_class(metrics.BinaryAccuracy, Y01, P01),
                               {**METRIC_ARGS, "threshold": FINITE}),
    "metrics.CategoricalAccuracy": (_metric_class(metrics.CategoricalAccuracy, ONE_HOT, PROBS), METRIC_ARGS),
    "metrics.SparseCategoricalAccuracy": (_metric_class(metrics.SparseCategoricalAccuracy, LABELS, PROBS),
                                          METRIC_ARGS),
    "metrics.TopKCategoricalAccuracy": (_metric_class(metrics.TopKCategoricalAccuracy, ONE_HOT, PROBS),
                                        {**METRIC_ARGS, "k": NOT_A_K}),
    "metrics.SparseTopKCategoricalAccuracy": (
        _metric_class(metrics.SparseTopKCategoricalAccuracy, LABELS, PROBS), {**METRIC_ARGS, "k": NOT_A_K}),
    "metrics.Precision": (_metric_class(metrics.Precision, ONE_HOT, PROBS),
                          {**METRIC_ARGS, **CONFUSION_ARGS}),
    "metrics.Recall": (_metric_class(metrics.Recall, ONE_HOT, PROBS), {**METRIC_ARGS, **CONFUSION_ARGS}),
    # metric functions
    "metrics.accuracy": (_function(metrics.accuracy, y_true=Y01, y_pred=Y01),
                         {"y_true": NOT_DATA, "y_pred": NOT_DATA}),
    "metrics.binary_accuracy": (_function(metrics.binary_accuracy, y_true=Y01, y_pred=P01),
                                {"y_true": NOT_DATA, "y_pred": NOT_DATA, "threshold": FINITE}),
    "metrics.categorical_accuracy": (_function(metrics.categorical_accuracy, y_true=ONE_HOT, y_pred=PROBS),
                                     {"y_true": NOT_DATA, "y_pred": NOT_DATA}),
    "metrics.sparse_categorical_accuracy": (
        _function(metrics.sparse_categorical_accuracy, y_true=LABELS, y_pred=PROBS),
        {"y_true": LABELS_OUT_OF_RANGE, "y_pred": NOT_DATA}),
    "metrics.top_k_categorical_accuracy": (
        _function(metrics.top_k_categorical_accuracy, y_true=ONE_HOT, y_pred=PROBS),
        {"y_true": NOT_DATA, "y_pred": NOT_DATA, "k": NOT_A_K}),
    "metrics.sparse_top_k_categorical_accuracy": (
        _function(metrics.sparse_top_k_categorical_accuracy, y_true=LABELS, y_pred=PROBS),
        {"y_true": LABELS_OUT_OF_RANGE, "y_pred": NOT_DATA, "k": NOT_A_K}),
    "metrics.get": (lambda kw: metrics.get(**kw),
                    {"identifier": _unknown_name(set(metrics._FUNCTIONS) | set(metrics._CLASSES)
                                                 | set(metrics._SNAKE_CASE_CLASSES))}),
}


def _public_entry_points(module) -> set:
    """Every public class and function defined in ``module`` (aliases counted once)."""
    found = set()
    for name, obj in inspect.getmembers(module):
        if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if obj.__module__ == module.__name__:
            found.add(f"{module.__name__.split('.')[-1]}.{obj.__name__}")
    return found


def test_every_public_entry_point_is_in_the_table():
    public = set().union(*(_public_entry_points(m) for m in (optimizers, schedules, losses, metrics)))
    missing = sorted(public - set(TABLE))
    assert not missing, (
        f"public entry points without a row in TABLE: {missing}. Add each with the invalid values "
        "of its arguments, so that the property covers it."
    )
    assert not sorted(set(TABLE) - public), "TABLE names entry points that no longer exist"


def test_the_valid_calls_work():
    # each row's call with no bad argument succeeds: an error below is the bad argument's
    for name, (call, _) in TABLE.items():
        if name.endswith(".get"):
            continue
        call({})


CASES = [(name, argument) for name, (_, arguments) in TABLE.items() for argument in arguments]


@pytest.mark.parametrize("name, argument", CASES, ids=[f"{n}-{a}" for n, a in CASES])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_invalid_argument_raises_a_named_error(name, argument, data):
    call, arguments = TABLE[name]
    value = data.draw(arguments[argument], label=argument)
    try:
        call({argument: value})
    except MinigradError:
        return
    except Exception as exc:  # a bare error from NumPy or Python
        raise AssertionError(
            f"{name}({argument}={value!r}) raised a bare {type(exc).__name__}: {exc}"
        ) from exc
    raise AssertionError(f"{name}({argument}={value!r}) was accepted silently")
