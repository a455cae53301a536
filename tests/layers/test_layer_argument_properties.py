"""Property test: every public layer, callback, initializer, regularizer and constraint, and
the Model training methods, refuse bad arguments with a named error.

For each public layer class exported by ``layers`` (the table below must list every one, so
the test stays complete when a layer is added), hypothesis picks one argument, draws an
invalid value for it (a wrong type: a string, None where None is not allowed, a bool where a
number belongs; or a bad value: NaN, an infinity, a negative or out-of-range number, an
unknown name) and builds the layer with otherwise valid arguments, then calls it on a valid
input. The layer must raise a ``MinigradError`` (which is also the ValueError or TypeError
Keras raises), never a bare NumPy/Python exception and never accept the value silently.

Most arguments are checked in ``__init__``. The ones in a spec's ``at_call`` set may be
checked when the layer is first called (at build, when the input's rank is known), as Keras
does: BatchNormalization's axis range and virtual_batch_size value, and the dtype of layers
whose initializers need a float dtype (Dense, Conv2D). Everything else must fail at
construction.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import layers
from layers import callbacks
from layers import v1 as layers_v1
from layers.base import Layer
from minigrad.errors import MinigradError

# more examples: VALIDATION_EXAMPLES=500 python -m pytest tests/layers/test_layer_argument_properties.py
SETTINGS = settings(max_examples=int(os.environ.get("VALIDATION_EXAMPLES", "40")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# -- invalid values, by the kind of argument ---------------------------------------------------
_NOT_NUMBERS = st.sampled_from(["0.5", "", None, True, False, [0.5], {"a": 1}])
_NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


def _floats_outside(low: float, high: float, include_low: bool = True):
    """Finite floats outside [low, high] (or (low, high] when include_low is False)."""
    outside = st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda v: not ((low <= v if include_low else low < v) and v <= high))
    return outside


BAD = {
    "bool": st.sampled_from(["no", "False", "True", "", 0, 1, 0.5, None, [True]]),
    "bool_or_none": st.sampled_from(["no", "False", "", 0, 1, 0.5, [True]]),
    "unit_float": st.one_of(_NOT_NUMBERS, _NON_FINITE, _floats_outside(0.0, 1.0)),
    "positive_float": st.one_of(_NOT_NUMBERS, _NON_FINITE,
                                st.floats(max_value=0.0, allow_nan=False, allow_infinity=False)),
    "finite_float": st.one_of(_NOT_NUMBERS, _NON_FINITE),
    "finite_float_or_none": st.one_of(_NOT_NUMBERS.filter(lambda v: v is not None), _NON_FINITE),
    "count": st.one_of(st.integers(max_value=0), st.sampled_from([2.5, "3", None, True, math.nan])),
    "count_or_none": st.one_of(st.integers(max_value=0), st.sampled_from([2.5, "3", True, math.nan])),
    "nonneg_int": st.one_of(st.integers(max_value=-1), st.sampled_from([2.5, "3", None, True])),
    "seed": st.one_of(st.integers(max_value=-1), st.sampled_from([2.5, "3", True, [1]])),
    "int_pair": st.sampled_from([0, -1, (0, 2), (2, -1), (2,), (2, 2, 2), "3", 2.5, (2.5, 2), None,
                                 (True, 2)]),
    "int_pair_or_none": st.sampled_from([0, -1, (0, 2), (2, -1), (2,), (2, 2, 2), "3", 2.5, (True, 2)]),
    "padding": st.sampled_from(["full", "causal", "", "valid ", 5, None, True]),
    "data_format": st.sampled_from(["NHWC", "channels", "", 5, True]),
    "activation": st.sampled_from(["nope", "Relu", 5, 1.5, True, ["relu"]]),
    "initializer": st.sampled_from(["nope", "Zeros_", 5, 1.5, True, {"config": {}},
                                    {"class_name": "RandomNormal", "config": {"stddev": -1.0}}]),
    "regularizer": st.sampled_from(["l3", 5, 1.5, True, {"config": {}},
                                    {"class_name": "L2", "config": {"l2": math.nan}}]),
    "constraint": st.sampled_from(["nope", 5, 1.5, True,
                                   {"class_name": "MaxNorm", "config": {"max_value": -1.0}}]),
    "name": st.sampled_from([5, 1.5, True, ["a"], b"bytes"]),
    "dtype": st.sampled_from(["float17", "nope", 5.5, [1], "U", "S", object, "complex64"]),
    "float_dtype": st.sampled_from(["float17", "nope", 5.5, "int32", "int64", "uint8", "bool",
                                    "complex64", "U"]),
    "callable_or_none": st.sampled_from([5, "f", 1.5, True, [print]]),
    "bn_axis": st.one_of(st.integers(min_value=2, max_value=50), st.integers(max_value=-3),
                         st.sampled_from(["channels", 1.5, None, True, [], [1.5], [0, 0], [-1, 1],
                                          (1, "a")])),
    "target_shape": st.sampled_from([None, 5, "ab", (0, 3), (-2, 3), (2.5,), (-1, -1), (True,)]),
    "noise_shape": st.sampled_from(["ab", 5, (0, 3), (2.5, 3), (-1, 3), ("a", 3)]),
    "shape": st.sampled_from(["ab", (-1,), (2.5,), (True,), ("a", 3)]),
    "renorm_clipping": st.sampled_from([
        {"rmin": 2.0, "rmax": 1.0}, {"rmin": -1.0}, {"rmax": 0.0}, {"rmax": -2.0},
        {"dmax": -0.1}, {"rmin": math.nan}, {"dmax": "5"}, {"foo": 1.0}, [("rmax", 2.0)],
        "rmax=2", {"rmin": math.inf}]),
    "monitor": st.sampled_from([5, None, 1.5, ["val_loss"]]),
    "mode": st.sampled_from(["up", "", 5, None, "MIN"]),
    "callbacks": st.sampled_from([5, "early", [5], [print], {"a": 1}]),
    "layer_list": st.sampled_from([5, "dense", [5], [print], [layers.Dense]]),
    "nonneg_float": st.one_of(_NOT_NUMBERS, _NON_FINITE,
                              st.floats(max_value=0.0, exclude_max=True, allow_nan=False)),
    "constant_value": st.sampled_from(["a", None, [1, "a"], {"a": 1}, print]),
    "vs_mode": st.sampled_from(["fan", "FAN_IN", "", 5, None]),
    "vs_distribution": st.sampled_from(["laplace", "", 5, None, "normal_"]),
    "penalty": st.sampled_from(["0.1", math.nan, math.inf, -math.inf, True, [0.1], np.float32(0.1)]),
    "penalty_or_none": st.sampled_from(["0.1", math.nan, math.inf, True, [0.1]]),
    "orthogonal_mode": st.sampled_from(["diagonal", "", 5, None, "ROWS"]),
    "constraint_axis": st.sampled_from(["a", 1.5, None, [], [0, 0], True, [0, "1"]]),
    "path": st.sampled_from([5, None, "", ["a.csv"], 1.5, True]),
    "checkpoint_path": st.sampled_from([5, None, "", ["w.npz"], "w.weights.h5", "w.keras", "w-{}.npz",
                                        "w-{0}.npz", "w-{epoch:.2q}.npz", "w-{epoch.npz", "w.h5"]),
    "save_freq": st.sampled_from(["batch", "", 0, -1, 2.5, None, True, "Epoch"]),
    "factor": st.one_of(_NOT_NUMBERS, _NON_FINITE, _floats_outside(0.0, 1.0), st.just(1.0)),
    "schedule_function": st.sampled_from([5, "f", 1.5, None, True, [print], lambda: 0.1]),
    "separator": st.sampled_from(["", ",,", 5, None, '"', "\n", "\r", b","]),
    "groups": st.one_of(st.integers(max_value=-2), st.integers(min_value=4),
                        st.sampled_from([0, 2, 2.5, "3", None, True, math.nan, [3]])),
}


# -- the specs: how to build and call each public layer ----------------------------------------
@dataclass
class Spec:
    make: object  # kwargs -> object
    valid: dict  # arguments that make a working object
    args: dict  # argument name -> kind (a key of BAD)
    call: object = None  # object -> result, run after construction (None: construction only)
    at_call: set = field(default_factory=set)  # arguments that may be refused at the first call


def base_args(float_only: bool = False) -> dict:
    """The arguments every layer takes from ``Layer.__init__``."""
    return {"trainable": "bool", "name": "name", "dtype": "float_dtype" if float_only else "dtype"}


X2 = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
X4 = np.random.default_rng(1).normal(size=(2, 6, 6, 3)).astype("float32")
KERNEL_BIAS = {"activation": "activation", "use_bias": "bool", "kernel_initializer": "initializer",
               "bias_initializer": "initializer", "kernel_regularizer": "regularizer",
               "bias_regularizer": "regularizer", "activity_regularizer": "regularizer",
               "kernel_constraint": "constraint", "bias_constraint": "constraint"}
BN_ARGS = {"axis": "bn_axis", "momentum": "unit_float", "epsilon": "positive_float",
           "center": "bool", "scale": "bool", "beta_initializer": "initializer",
           "gamma_initializer": "initializer", "moving_mean_initializer": "initializer",
           "moving_variance_initializer": "initializer", "beta_regularizer": "regularizer",
           "gamma_regularizer": "regularizer", "beta_constraint": "constraint",
           "gamma_constraint": "constraint", "renorm": "bool", "renorm_clipping": "renorm_clipping",
           "renorm_momentum": "unit_float", "fused": "bool_or_none", "synchronized": "bool",
           "virtual_batch_size": "count_or_none", "adjustment": "callable_or_none",
           **base_args(float_only=True)}
NORM_ARGS = {"epsilon": "positive_float", "center": "bool", "scale": "bool",
             "beta_initializer": "initializer", "gamma_initializer": "initializer",
             "beta_regularizer": "regularizer", "gamma_regularizer": "regularizer",
             "beta_constraint": "constraint", "gamma_constraint": "constraint",
             **base_args(float_only=True)}
POOL_ARGS = {"pool_size": "int_pair", "strides": "int_pair_or_none", "padding": "padding",
             "data_format": "data_format", **base_args()}


def call_on(x):
    return lambda layer: layer(x, training=True)


def make_bn(cls):
    # renorm=True so that renorm_clipping and renorm_momentum are checked (Keras: only then)
    return Spec(lambda kw: cls(**kw), {"renorm": True}, BN_ARGS, call_on(X2),
                at_call={"axis", "virtual_batch_size"})


SPECS = {
    layers.Layer: Spec(lambda kw: Layer(**kw), {}, base_args(), call_on(X2)),
    layers.InputLayer: Spec(lambda kw: layers.InputLayer(**kw), {"input_shape": (3,)},
                            {"input_shape": "shape", "batch_size": "count_or_none",
                             "name": "name", "dtype": "dtype"}),
    layers.Dense: Spec(lambda kw: layers.Dense(**kw), {"units": 2},
                       {"units": "count", **KERNEL_BIAS, **base_args(float_only=True)},
                       call_on(X2), at_call={"dtype"}),
    layers.Activation: Spec(lambda kw: layers.Activation(**kw), {"activation": "relu"},
                            {"activation": "activation", **base_args()}, call_on(X2)),
    layers.Dropout: Spec(lambda kw: layers.Dropout(**kw), {"rate": 0.5},
                         {"rate": "unit_float", "noise_shape": "noise_shape", "seed": "seed",
                          **base_args()}, call_on(X2)),
    layers.Flatten: Spec(lambda kw: layers.Flatten(**kw), {},
                         {"data_format": "data_format", **base_args()}, call_on(X4)),
    layers.Reshape: Spec(lambda kw: layers.Reshape(**kw), {"target_shape": (3, 1)},
                         {"target_shape": "target_shape", **base_args()}, call_on(X2)),
    layers.Conv2D: Spec(lambda kw: layers.Conv2D(**kw), {"filters": 2, "kernel_size": 3},
                        {"filters": "count", "kernel_size": "int_pair", "strides": "int_pair",
                         "padding": "padding", "data_format": "data_format",
                         "dilation_rate": "int_pair", "groups": "count_or_none", **KERNEL_BIAS,
                         **base_args(float_only=True)},
                        call_on(X4), at_call={"dtype"}),
    layers.MaxPooling2D: Spec(lambda kw: layers.MaxPooling2D(**kw), {}, POOL_ARGS, call_on(X4)),
    layers.AveragePooling2D: Spec(lambda kw: layers.AveragePooling2D(**kw), {}, POOL_ARGS,
                                  call_on(X4)),
    layers.GlobalAveragePooling2D: Spec(lambda kw: layers.GlobalAveragePooling2D(**kw), {},
                                        {"data_format": "data_format", "keepdims": "bool",
                                         **base_args()}, call_on(X4)),
    layers.GlobalMaxPooling2D: Spec(lambda kw: layers.GlobalMaxPooling2D(**kw), {},
                                    {"data_format": "data_format", "keepdims": "bool",
                                     **base_args()}, call_on(X4)),
    layers.Add: Spec(lambda kw: layers.Add(**kw), {}, base_args(), call_on([X2, X2])),
    layers.Multiply: Spec(lambda kw: layers.Multiply(**kw), {}, base_args(), call_on([X2, X2])),
    layers.Concatenate: Spec(lambda kw: layers.Concatenate(**kw), {},
                             {"axis": "concat_axis", **base_args()}, call_on([X2, X2]),
                             at_call={"axis"}),
    layers.BatchNormalization: make_bn(layers.BatchNormalization),
    layers.LayerNormalization: Spec(lambda kw: layers.LayerNormalization(**kw), {},
                                    {"axis": "bn_axis", "rms_scaling": "bool", **NORM_ARGS},
                                    call_on(X2), at_call={"axis"}),
    # X2 has 3 channels: groups must be 1, 3 or -1 (the rest is refused when the layer builds)
    layers.GroupNormalization: Spec(lambda kw: layers.GroupNormalization(**kw), {"groups": 3},
                                    {"groups": "groups", "axis": "bn_axis", **NORM_ARGS},
                                    call_on(X2), at_call={"axis", "groups"}),
    layers.Sequential: Spec(lambda kw: layers.Sequential(**kw), {"layers": [layers.Dense(2)]},
                            {"layers": "layer_list", "name": "name"}, call_on(X2)),
    layers.Model: Spec(lambda kw: layers.Model(**kw), {}, base_args()),
    # not exported by ``layers`` but public: the V1 class and the callbacks
    layers_v1.BatchNormalization: make_bn(layers_v1.BatchNormalization),
    callbacks.EarlyStopping: Spec(lambda kw: callbacks.EarlyStopping(**kw), {},
                                  {"monitor": "monitor", "min_delta": "finite_float",
                                   "patience": "nonneg_int", "verbose": "nonneg_int", "mode": "mode",
                                   "baseline": "finite_float_or_none",
                                   "restore_best_weights": "bool", "start_from_epoch": "nonneg_int"}),
    callbacks.LambdaCallback: Spec(lambda kw: callbacks.LambdaCallback(**kw), {},
                                   {name: "callable_or_none" for name in (
                                       "on_epoch_begin", "on_epoch_end", "on_batch_begin",
                                       "on_batch_end", "on_train_begin", "on_train_end")}),
    callbacks.CallbackList: Spec(lambda kw: callbacks.CallbackList(**kw), {},
                                 {"callbacks": "callbacks"}),
    callbacks.ModelCheckpoint: Spec(lambda kw: callbacks.ModelCheckpoint(**kw),
                                    {"filepath": "w-{epoch:02d}.weights.npz", "save_weights_only": True},
                                    {"filepath": "checkpoint_path", "monitor": "monitor",
                                     "verbose": "nonneg_int", "save_best_only": "bool",
                                     "save_weights_only": "bool", "mode": "mode",
                                     "save_freq": "save_freq",
                                     "initial_value_threshold": "finite_float_or_none"}),
    callbacks.ReduceLROnPlateau: Spec(lambda kw: callbacks.ReduceLROnPlateau(**kw), {},
                                      {"monitor": "monitor", "factor": "factor",
                                       "patience": "nonneg_int", "verbose": "nonneg_int",
                                       "mode": "mode", "min_delta": "nonneg_float",
                                       "cooldown": "nonneg_int", "min_lr": "nonneg_float"}),
    callbacks.LearningRateScheduler: Spec(lambda kw: callbacks.LearningRateScheduler(**kw),
                                          {"schedule": lambda epoch, lr: lr},
                                          {"schedule": "schedule_function", "verbose": "nonneg_int"}),
    callbacks.CSVLogger: Spec(lambda kw: callbacks.CSVLogger(**kw), {"filename": "log.csv"},
                              {"filename": "path", "separator": "separator", "append": "bool"}),
    callbacks.TerminateOnNaN: Spec(lambda kw: callbacks.TerminateOnNaN(**kw), {},
                                   {"raise_error": "bool"}),
}

# initializers, regularizers and constraints: construction only
I, R, C = layers.initializers, layers.regularizers, layers.constraints
SEEDED = {"seed": "seed"}
NORMAL = {"mean": "finite_float", "stddev": "nonneg_float", **SEEDED}
for _cls, _valid, _args in [
    (I.Zeros, {}, {}), (I.Ones, {}, {}),
    (I.Constant, {}, {"value": "constant_value"}),
    (I.Identity, {}, {"gain": "finite_float"}),
    (I.RandomNormal, {}, NORMAL), (I.TruncatedNormal, {}, NORMAL),
    (I.RandomUniform, {}, {"minval": "finite_float", "maxval": "finite_float", **SEEDED}),
    (I.VarianceScaling, {}, {"scale": "positive_float", "mode": "vs_mode",
                             "distribution": "vs_distribution", **SEEDED}),
    (I.GlorotUniform, {}, SEEDED), (I.GlorotNormal, {}, SEEDED), (I.HeUniform, {}, SEEDED),
    (I.HeNormal, {}, SEEDED), (I.LecunUniform, {}, SEEDED), (I.LecunNormal, {}, SEEDED),
    (I.Orthogonal, {}, {"gain": "finite_float", **SEEDED}),
    (R.L1L2, {}, {"l1": "penalty_or_none", "l2": "penalty_or_none"}),
    (R.L1, {}, {"l1": "penalty_or_none"}), (R.L2, {}, {"l2": "penalty_or_none"}),
    (R.OrthogonalRegularizer, {}, {"factor": "penalty", "mode": "orthogonal_mode"}),
    (C.MaxNorm, {}, {"max_value": "nonneg_float", "axis": "constraint_axis"}),
    (C.UnitNorm, {}, {"axis": "constraint_axis"}), (C.NonNeg, {}, {}),
    (C.MinMaxNorm, {}, {"min_value": "nonneg_float", "max_value": "nonneg_float",
                        "rate": "unit_float", "axis": "constraint_axis"}),
]:
    SPECS[_cls] = Spec(lambda kw, cls=_cls: cls(**kw), _valid, _args)



# the training methods of a Model (keyed by name): their numbers and flags
def compiled_model():
    model = layers.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model


Y2 = X2[:, :1]
FIT_ARGS = {"x": "data", "batch_size": "count_or_none", "epochs": "nonneg_int",
            "initial_epoch": "nonneg_int", "steps_per_epoch": "count_or_none",
            "validation_split": "split", "shuffle": "bool", "verbose": "verbose",
            "validation_steps": "count_or_none", "validation_batch_size": "count_or_none",
            "validation_freq": "count", "class_weight": "class_weight", "callbacks": "callbacks"}
METHODS = {
    "Model.fit": Spec(lambda kw: compiled_model().fit(**kw), {"x": X2, "y": Y2, "verbose": 0}, FIT_ARGS),
    "Model.evaluate": Spec(lambda kw: compiled_model().evaluate(**kw), {"x": X2, "y": Y2, "verbose": 0},
                           {"x": "data", "batch_size": "count_or_none", "steps": "count_or_none",
                            "verbose": "verbose", "return_dict": "bool", "callbacks": "callbacks"}),
    "Model.predict": Spec(lambda kw: compiled_model().predict(**kw), {"x": X2},
                          {"x": "data", "batch_size": "count_or_none", "steps": "count_or_none",
                           "verbose": "verbose", "callbacks": "callbacks"}),
    "Model.train_on_batch": Spec(lambda kw: compiled_model().train_on_batch(**kw), {"x": X2, "y": Y2},
                                 {"x": "data", "reset_metrics": "bool", "return_dict": "bool",
                                  "class_weight": "class_weight"}),
    "Model.test_on_batch": Spec(lambda kw: compiled_model().test_on_batch(**kw), {"x": X2, "y": Y2},
                                {"x": "data", "reset_metrics": "bool", "return_dict": "bool"}),
    "Model.predict_on_batch": Spec(lambda kw: compiled_model().predict_on_batch(**kw), {"x": X2},
                                   {"x": "data"}),
    "Model.compile": Spec(lambda kw: compiled_model().compile(**kw), {"optimizer": "sgd", "loss": "mse"},
                          {"metrics": "metrics", "loss_weights": "loss_weights",
                           "run_eagerly": "bool_or_none"}),
}
# whole-model files (written to a folder removed at exit) and clone_model
_SAVE_DIR = tempfile.TemporaryDirectory(prefix="minigrad-argument-properties-")


def saved_model_path() -> str:
    path = os.path.join(_SAVE_DIR.name, "saved.keras")
    if not os.path.exists(path):
        compiled_model().save(path)
    return path


METHODS.update({
    "Model.save": Spec(lambda kw: compiled_model().save(os.path.join(_SAVE_DIR.name, "m.keras"), **kw), {},
                       {"overwrite": "bool", "include_optimizer": "bool"}),
    "load_model": Spec(lambda kw: layers.load_model(saved_model_path(), **kw), {},
                       {"compile": "bool", "safe_mode": "bool", "custom_objects": "custom_objects"}),
    "clone_model": Spec(lambda kw: layers.models.clone_model(compiled_model(), **kw), {},
                        {"clone_function": "callable_or_none", "input_tensors": "input_tensors"}),
})
BAD.update({
    "custom_objects": st.sampled_from([5, "MyLayer", [print], ("a",), True]),
    "input_tensors": st.sampled_from([5, "x", [X2], [None], X2]),
    "data": st.sampled_from([None, "abc", {"a": X2}, [["a", "b", "c"]], print]),
    "split": st.one_of(_NOT_NUMBERS.filter(lambda v: v not in (None, False)), _NON_FINITE,
                       _floats_outside(0.0, 1.0).filter(lambda v: v != 1.0), st.just(1.0)),
    "verbose": st.sampled_from([3, -1, 1.5, "quiet", "AUTO", None, [1]]),
    "class_weight": st.sampled_from([[1.0], "balanced", 5, {0: -1.0}, {"a": 1.0}, {0: math.nan}]),
    # (unknown metric names are refused by minigrad.metrics.get, the engine's lookup)
    "metrics": st.sampled_from([[5], ["accuracy", 1.5], "mse", 5]),
    "loss_weights": st.sampled_from(["1", 5, [math.nan], ["a"], {"dense": math.inf}]),
})
SPECS.update(METHODS)
# functions of ``layers.utils`` (keyed by name)
BAD.update({
    "concat_axis": st.sampled_from(["1", 1.5, None, True, [1], 2, -3, 7]),
    "labels": st.sampled_from(["a", None, ["a", "b"], [0.5, 1.0], [-1, 0], [[0, 1], [2]],
                               {"a": 1}, print, [np.nan]]),
})
SPECS["utils.to_categorical"] = Spec(lambda kw: layers.utils.to_categorical(**kw), {"y": [0, 2, 1]},
                                     {"y": "labels", "num_classes": "count_or_none", "dtype": "dtype"})

IDS = {key: key if isinstance(key, str) else f"{key.__module__.split('.')[-1]}.{key.__name__}"
       for key in SPECS}
WITH_ARGUMENTS = [cls for cls in SPECS if SPECS[cls].args]


def public_classes(module, base) -> set:
    """The public subclasses of ``base`` defined in ``module`` (the base itself excluded)."""
    return {obj for name, obj in vars(module).items() if isinstance(obj, type) and
            issubclass(obj, base) and obj is not base and not name.startswith("_")
            and obj.__module__ == module.__name__}


def public_layer_classes() -> set:
    """Every Layer subclass that ``layers`` exports (aliases count once)."""
    return {obj for obj in vars(layers).values() if isinstance(obj, type) and issubclass(obj, Layer)}


def test_every_public_layer_has_a_spec():
    missing = public_layer_classes() | public_classes(I, I.Initializer) | \
        public_classes(R, R.Regularizer) | public_classes(C, C.Constraint)
    missing -= set(SPECS)
    assert not missing, (f"add {sorted(c.__name__ for c in missing)} to SPECS in this file, with "
                         "the kind of each of its arguments")


def test_every_spec_builds_and_runs_with_its_valid_arguments():
    """The valid arguments work, so every failure below is the drawn value's doing."""
    for spec in SPECS.values():
        obj = spec.make(dict(spec.valid))
        if spec.call is not None:
            spec.call(obj)


@pytest.mark.parametrize("cls", WITH_ARGUMENTS, ids=[IDS[c] for c in WITH_ARGUMENTS])
@SETTINGS
@given(data=st.data())
def test_an_invalid_argument_raises_a_named_error(cls, data):
    spec = SPECS[cls]
    argument = data.draw(st.sampled_from(sorted(spec.args)), label="argument")
    value = data.draw(BAD[spec.args[argument]], label="value")
    kwargs = {**spec.valid, argument: value}
    try:
        obj = spec.make(kwargs)
    except MinigradError as error:
        assert isinstance(error, (ValueError, TypeError)), repr(error)
        return
    # accepted at construction: only the documented build-time checks may come later
    assert argument in spec.at_call, f"{IDS[cls]}({argument}={value!r}) was accepted silently"
    assert spec.call is not None, f"{IDS[cls]}({argument}={value!r}) was accepted silently"
    with pytest.raises(MinigradError) as info:
        spec.call(obj)
    assert isinstance(info.value, (ValueError, TypeError)), repr(info.value)
