"""Bad arguments to the layers library raise named minigrad errors that teach (issue 10, point 2).

One table: ``(what is called, the error class, a message regex)``. Every regex names the
argument and contains the fix (what to pass), so a message that only says "invalid" fails.
The classes are the named ones of ``minigrad.errors``: InvalidArgumentError (a ValueError)
for a bad value, ArgumentTypeError (a TypeError) for a wrong type, as Keras raises
ValueError / TypeError; the test also checks the built-in base class, so ``except
ValueError`` keeps working.

Valid edge values (``momentum=0`` and ``1``, ``fit(epochs=0)``, ``training=1``, a 0-d bool
tensor, ``Dropout(1.0)``) are tested to still work at the end.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import backend, callbacks, constraints, initializers, regularizers
from layers import v1 as layers_v1
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

X = np.arange(12, dtype=np.float32).reshape(4, 3)
Y = np.arange(4, dtype=np.float32).reshape(4, 1)
IMAGES = np.ones((2, 6, 6, 3), np.float32)
BN = layers.BatchNormalization


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


def compiled_model():
    model = layers.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model


def fit(**kwargs):
    return compiled_model().fit(X, Y, **{"verbose": 0, **kwargs})


def call(layer, x=X, **kwargs):
    return layer(x, **kwargs)


IAE, ATE = InvalidArgumentError, ArgumentTypeError
CASES = [
    # -- the list -----------------------------------------------------------------------
    ("bn_momentum_5", lambda: BN(momentum=5), IAE,
     r"`momentum` must be finite and in \[0.0, 1.0\], got 5.0\. Pass"),
    ("bn_momentum_negative", lambda: BN(momentum=-0.1), IAE,
     r"`momentum` .* got -0.1\. Pass a number in \[0.0, 1.0\]"),
    ("bn_momentum_nan", lambda: BN(momentum=float("nan")), IAE,
     r"`momentum` must be finite .* got nan\. Pass"),
    ("bn_epsilon_negative", lambda: BN(epsilon=-1), IAE,
     r"`epsilon` must be finite and > 0.0, got -1.0\. Pass a number > 0"),
    ("bn_epsilon_zero", lambda: BN(epsilon=0), IAE, r"`epsilon` must be finite and > 0.0, got 0.0\. Pass"),
    ("bn_renorm_clipping_rmin_gt_rmax", lambda: BN(renorm=True, renorm_clipping={"rmin": 2, "rmax": 1}),
     IAE, r"renorm_clipping has rmin=2 > rmax=1.*Pass rmin <= rmax"),
    ("bn_dtype_int32", lambda: BN(dtype="int32"), ATE,
     r"`dtype` must be a floating dtype, got dtype='int32'\. Pass dtype='float32'"),
    ("bn_dtype_bool", lambda: BN(dtype="bool"), ATE, r"`dtype` must be a floating dtype.*Pass dtype="),
    ("bn_dtype_string", lambda: BN(dtype="string"), IAE,
     r"`dtype` 'string' is neither a dtype nor a policy name.*Pass e.g. dtype='float32'"),
    ("training_string_no", lambda: call(layers.Dropout(0.5), training="no"), ATE,
     r"`training` must be True, False or None, got 'no'.*Pass training=True .*or training=False"
     r".*'no' would read as True"),
    ("bn_training_string", lambda: call(BN(), training="False"), ATE,
     r"`training` must be True, False or None.*Pass training="),
    ("bn_center_string", lambda: BN(center="no"), ATE,
     r"`center` must be a bool.*got 'no'.*Pass center=True or center=False"),
    ("dense_use_bias_string", lambda: layers.Dense(2, use_bias="False"), ATE,
     r"Dense: `use_bias` must be a bool.*got 'False'.*Pass use_bias=True or use_bias=False"),
    ("fit_shuffle_string", lambda: fit(shuffle="no"), ATE,
     r"fit: `shuffle` must be a bool.*Pass shuffle=True or shuffle=False"),
    ("fit_epochs_negative", lambda: fit(epochs=-1), IAE,
     r"fit: `epochs` must be an integer >= 0, got -1\. Pass a value >= 0"),
    ("fit_steps_per_epoch_negative", lambda: fit(steps_per_epoch=-1), IAE,
     r"fit: `steps_per_epoch` must be an integer >= 1, got -1\. Pass a value >= 1"),
    ("bn_axis_minus_5_named_as_given", lambda: call(BN(axis=-5)), IAE,
     r"Invalid value for `axis` argument.*Received: axis=-5 .*Use an axis in \[-2, 2\)"),
    ("bn_axis_list_named_as_given", lambda: call(BN(axis=[1, -5])), IAE,
     r"Received: axis=\[1, -5\] .*Use an axis in \[-2, 2\)"),
    ("layer_called_on_none", lambda: call(layers.Dense(2), None), ATE,
     r"called with inputs=None\. Pass a Tensor or a NumPy array"),
    ("fit_x_none", lambda: compiled_model().fit(None, Y, verbose=0), ATE,
     r"fit: `x` is None\. Pass the input data"),
    ("bn_momentum_string", lambda: BN(momentum="0.9"), ATE,
     r"`momentum` must be a number, got '0.9'.*Pass a float"),
    # -- BatchNormalization, every other argument ----------------------------------------------
    ("bn_axis_string", lambda: BN(axis="channels"), ATE,
     r"for the argument 'axis'.*Pass the index of the channel axis"),
    ("bn_axis_duplicate", lambda: call(BN(axis=[2, -1]), np.ones((2, 3, 4), np.float32)), IAE,
     r"Duplicate axis: axis=\[2, -1\].*name each axis once"),
    ("bn_scale_int", lambda: BN(scale=1), ATE, r"`scale` must be a bool.*Pass scale=True or scale=False"),
    ("bn_renorm_string", lambda: BN(renorm="yes"), ATE, r"`renorm` must be a bool.*Pass renorm=True"),
    ("bn_synchronized_string", lambda: BN(synchronized="no"), ATE,
     r"`synchronized` must be a bool.*Pass synchronized="),
    ("bn_v1_synchronized_string", lambda: layers_v1.BatchNormalization(synchronized="no"), ATE,
     r"`synchronized` must be a bool.*Pass synchronized="),
    ("bn_fused_string", lambda: BN(fused="auto"), ATE,
     r"`fused` must be a bool \(True, False or None\).*Pass fused="),
    ("bn_fused_with_synchronized", lambda: BN(fused=True, synchronized=True), IAE,
     r"`fused=True` is not supported when `synchronized=True`.*Pass fused=False or None"),
    ("bn_renorm_momentum", lambda: BN(renorm=True, renorm_momentum=1.5), IAE,
     r"`renorm_momentum` must be finite and in \[0.0, 1.0\].*Pass"),
    ("bn_renorm_clipping_key", lambda: BN(renorm=True, renorm_clipping={"rmax": 2.0, "foo": 1.0}), IAE,
     r"invalid keys for `renorm_clipping`.*Supported values: \['rmax', 'rmin', 'dmax'\]"),
    ("bn_renorm_clipping_not_dict", lambda: BN(renorm=True, renorm_clipping=[("rmax", 2.0)]), ATE,
     r"`renorm_clipping` must be a dict or None.*Pass e.g. renorm_clipping="),
    ("bn_renorm_clipping_dmax_negative", lambda: BN(renorm=True, renorm_clipping={"dmax": -1}), IAE,
     r"`renorm_clipping\['dmax'\]` must be finite and >= 0.0, got -1.0\. Pass"),
    ("bn_renorm_clipping_rmin_negative", lambda: BN(renorm=True, renorm_clipping={"rmin": -0.5}), IAE,
     r"`renorm_clipping\['rmin'\]` must be .*>= 0.0.*Pass"),
    ("bn_renorm_clipping_rmax_zero", lambda: BN(renorm=True, renorm_clipping={"rmax": 0}), IAE,
     r"`renorm_clipping\['rmax'\]` must be finite and > 0.0.*Pass"),
    ("bn_renorm_clipping_nan", lambda: BN(renorm=True, renorm_clipping={"rmin": math.nan}), IAE,
     r"`renorm_clipping\['rmin'\]` must be finite"),
    ("bn_renorm_clipping_string", lambda: BN(renorm=True, renorm_clipping={"rmax": "3"}), ATE,
     r"`renorm_clipping\['rmax'\]` must be a number.*Pass a float"),
    ("bn_virtual_batch_size_string", lambda: BN(virtual_batch_size="2"), ATE,
     r"`virtual_batch_size` must be an integer or None.*Pass a whole number"),
    ("bn_virtual_batch_size_zero", lambda: call(BN(virtual_batch_size=0), training=True), IAE,
     r"`virtual_batch_size` must be a positive integer"),
    ("bn_adjustment_not_callable", lambda: BN(adjustment=5), ATE,
     r"`adjustment` must be a function shape -> \(scale, bias\) or None"),
    ("bn_initializer_unknown", lambda: BN(gamma_initializer="onez"), IAE,
     r"Unknown initializer: 'onez'\. Valid names are"),
    ("bn_mask_string", lambda: call(BN(), mask="all"), ATE,
     r"`mask` must be None, or a bool Tensor.*Pass e.g. mask="),
    ("functional_bn_reuse", lambda: layers.batch_normalization(mg.tensor(X), reuse="yes"), IAE,
     r"`reuse` must be None, True, False or layers.AUTO_REUSE.*Pass reuse=True"),
    ("functional_bn_name", lambda: layers.batch_normalization(mg.tensor(X), name=5), ATE,
     r"`name` must be a string or None.*Pass e.g. name="),
    ("functional_bn_training_string", lambda: layers.batch_normalization(mg.tensor(X), training="no"), ATE,
     r"`training` must be True, False or None.*Pass training="),
    ("functional_bn_momentum", lambda: layers.batch_normalization(mg.tensor(X), momentum=2), IAE,
     r"`momentum` must be .*Pass"),
    # -- Layer and __call__ -----------------------------------------------------------------
    ("layer_trainable_string", lambda: layers.Dense(2, trainable="False"), ATE,
     r"`trainable` must be a bool.*Pass trainable=True"),
    ("layer_trainable_setter", lambda: setattr(layers.Dense(2), "trainable", "no"), ATE,
     r"`trainable` must be a bool.*Pass trainable="),
    ("layer_name_int", lambda: layers.Dense(2, name=3), ATE,
     r"layer name must be a string or None, got 3\. Pass name="),
    ("layer_unknown_kwarg", lambda: layers.Dense(2, foo=1), ATE,
     r"Keyword argument not understood: 'foo'.*Check its spelling"),
    ("layer_dtype_unknown", lambda: layers.Flatten(dtype="float17"), IAE,
     r"`dtype` 'float17' is neither a dtype nor a policy.*Pass e.g."),
    ("layer_dtype_str", lambda: layers.Flatten(dtype=str), IAE,
     r"`dtype` .* is not a bool, integer or float dtype.*Pass e.g."),
    ("training_int_2", lambda: call(layers.Dropout(0.5), training=2), IAE,
     r"`training` must be True, False, None or the learning-phase values 0 / 1, got 2\. Pass training="),
    ("training_float", lambda: call(layers.Dropout(0.5), training=0.5), ATE,
     r"`training` must be True, False or None, got 0.5.*Pass"),
    ("training_vector_tensor", lambda: call(layers.Dropout(0.5), training=mg.tensor([True, False])), ATE,
     r"`training` must be True, False or None.*Pass training="),
    ("training_string_symbolic", lambda: layers.Dense(2)(layers.Input(shape=(3,)), training="no"), ATE,
     r"`training` must be True, False or None.*Pass training="),
    ("layer_called_on_string", lambda: call(layers.Dense(2), "x"), ATE,
     r"called with the string 'x' as an input\. Pass a Tensor"),
    ("add_weight_float_shape", lambda: layers.Layer().add_weight("w", (2.5,)), ATE,
     r"add_weight: the shape of weight 'w' must be a tuple of ints, got \(2.5,\)\. Pass e.g. shape="),
    ("add_weight_negative_shape", lambda: layers.Layer().add_weight("w", (2, -1)), IAE,
     r"shape of weight 'w' has a negative size.*must be >= 0"),
    ("add_weight_trainable_string", lambda: layers.Layer().add_weight("w", (2,), trainable="no"), ATE,
     r"add_weight: `trainable` must be a bool \(True, False or None\).*Pass trainable="),
    ("add_weight_dtype_unknown", lambda: layers.Layer().add_weight("w", (2,), dtype="float17"), IAE,
     r"add_weight: `dtype` 'float17' is not a dtype\. Pass e.g. dtype='float32'"),
    # -- core layers ----------------------------------------------------------------------------
    ("dense_units_zero", lambda: layers.Dense(0), IAE,
     r"invalid value for `units`, expected a positive integer.*Pass the number of outputs"),
    ("dense_units_string", lambda: layers.Dense("3"), IAE, r"`units`.*Received: units='3'\. Pass"),
    ("dense_activation_unknown", lambda: layers.Dense(2, activation="rleu"), IAE,
     r"Unknown activation function: 'rleu'\. Use one of"),
    ("dense_activation_number", lambda: layers.Dense(2, activation=5), ATE,
     r"Could not interpret activation function identifier: 5\. Pass a name such as 'relu'"),
    ("dense_regularizer_number", lambda: layers.Dense(2, kernel_regularizer=0.1), IAE,
     r"Could not interpret regularizer identifier: 0.1\. Pass"),
    ("dense_constraint_unknown", lambda: layers.Dense(2, kernel_constraint="maxnorms"), IAE,
     r"Unknown constraint: 'maxnorms'\. Valid names"),
    ("dense_int_dtype_at_build", lambda: call(layers.Dense(2, dtype="int32")), ATE,
     r"Dense layer can only be built with a floating-point dtype\. Received: dtype=int32\. "
     r"Pass dtype='float32'"),
    ("activation_unknown", lambda: layers.Activation("softmaks"), IAE,
     r"Unknown activation function: 'softmaks'"),
    ("dropout_rate_above_1", lambda: layers.Dropout(1.5), IAE,
     r"Invalid value 1.5 received for `rate`, expected a value between 0 and 1\. Pass the fraction"),
    ("dropout_rate_nan", lambda: layers.Dropout(float("nan")), IAE, r"`rate` must be finite.*Pass"),
    ("dropout_rate_string", lambda: layers.Dropout("0.5"), ATE,
     r"`rate` must be a number, got '0.5'.*Pass a float"),
    ("dropout_seed_negative", lambda: layers.Dropout(0.5, seed=-1), IAE,
     r"`seed` must be an integer >= 0, got -1\. Pass"),
    ("dropout_seed_float", lambda: layers.Dropout(0.5, seed=1.5), ATE,
     r"`seed` must be an integer or None.*Pass a whole number"),
    ("dropout_noise_shape_string", lambda: layers.Dropout(0.5, noise_shape="ab"), ATE,
     r"`noise_shape` must be a tuple of ints / None.*Pass a tuple"),
    ("dropout_noise_shape_zero", lambda: layers.Dropout(0.5, noise_shape=(0, 3)), IAE,
     r"`noise_shape entry` must be an integer >= 1.*Pass"),
    ("flatten_data_format", lambda: layers.Flatten(data_format="NHWC"), IAE,
     r"The `data_format` argument must be one of \"channels_first\", \"channels_last\"\. Received: 'NHWC'"),
    ("reshape_not_a_shape", lambda: layers.Reshape(4), IAE,
     r"target_shape must be a tuple of ints such as \(4, -1\)"),
    ("reshape_bad_entry", lambda: layers.Reshape((0, 3)), IAE,
     r"target_shape entries must be positive ints.*Pass e.g. target_shape="),
    ("reshape_two_unknown", lambda: layers.Reshape((-1, -1)), IAE,
     r"at most one unknown dimension.*Give every size but one"),
    # -- convolution and pooling --------------------------------------------------------------
    ("conv_filters_zero", lambda: layers.Conv2D(0, 3), IAE,
     r"argument `filters`\. Expected a strictly positive value"),
    ("conv_kernel_size_string", lambda: layers.Conv2D(2, "3"), IAE,
     r"The `kernel_size` argument must be a tuple of 2 integers"),
    ("conv_strides_zero", lambda: layers.Conv2D(2, 3, strides=0), IAE, r"`strides` cannot contains 0"),
    ("conv_padding", lambda: layers.Conv2D(2, 3, padding="full"), IAE,
     r"The `padding` argument must be one of 'valid', 'same'"),
    ("conv_groups_zero", lambda: layers.Conv2D(2, 3, groups=0), IAE,
     r"argument `groups`\. Expected a strictly positive value"),
    ("conv_use_bias_string", lambda: layers.Conv2D(2, 3, use_bias="no"), ATE,
     r"`use_bias` must be a bool.*Pass use_bias="),
    ("pool_size_negative", lambda: layers.MaxPooling2D(pool_size=-2), IAE,
     r"The `pool_size` argument must be a tuple of 2 integers"),
    ("pool_padding", lambda: layers.AveragePooling2D(padding=None), IAE,
     r"The `padding` argument must be one of 'valid', 'same'"),
    ("global_pool_keepdims_string", lambda: layers.GlobalAveragePooling2D(keepdims="yes"), ATE,
     r"`keepdims` must be a bool.*Pass keepdims=True"),
    # -- inputs and models -------------------------------------------------------------------
    ("input_shape_negative", lambda: layers.Input(shape=(-1,)), IAE,
     r"`input_shape` must be a tuple of ints >= 0 or None.*Pass e.g. shape="),
    ("input_shape_string", lambda: layers.Input(shape="28"), IAE,
     r"`input_shape` must be a tuple.*Pass e.g. shape="),
    ("input_batch_size_zero", lambda: layers.Input(shape=(3,), batch_size=0), IAE,
     r"`batch_size` must be an integer >= 1.*Pass"),
    ("input_layer_batch_shape", lambda: layers.InputLayer(batch_input_shape=(None, 2.5)), IAE,
     r"`batch_input_shape` must be a tuple.*Pass e.g."),
    ("input_neither_shape", lambda: layers.Input(), IAE,
     r"provide to Input a `shape` or a `batch_shape` argument"),
    ("sequential_non_layer", lambda: layers.Sequential([5]), ATE,
     r"The added layer must be an instance of class Layer"),
    ("model_get_layer_index_string", lambda: compiled_model().get_layer(index="0"), ATE,
     r"`index` must be an integer or None.*Pass"),
    ("model_get_layer_name_int", lambda: compiled_model().get_layer(name=0), ATE,
     r"`name` must be a string.*Pass get_layer\(name="),
    ("model_summary_show_trainable", lambda: compiled_model().summary(show_trainable="yes"), ATE,
     r"`show_trainable` must be a bool"),
    # -- compile / fit / evaluate / predict / *_on_batch ------------------------------------------
    ("compile_loss_weights_string", lambda: compiled_model().compile("sgd", "mse", loss_weights="1"), ATE,
     r"`loss_weights` must be a list or dict of floats.*Pass e.g. loss_weights="),
    ("compile_loss_weights_nan", lambda: compiled_model().compile("sgd", "mse", loss_weights=[math.nan]), IAE,
     r"`loss_weights entry` must be finite"),
    ("compile_run_eagerly_string", lambda: compiled_model().compile("sgd", "mse", run_eagerly="no"), ATE,
     r"`run_eagerly` must be a bool \(True, False or None\)"),
    ("compile_metric_number", lambda: compiled_model().compile("sgd", "mse", metrics=[5]), ATE,
     r"could not interpret metric 5: use a name like 'accuracy'"),
    ("sequential_dict_input", lambda: compiled_model().predict({"a": X}), ATE,
     r"takes one input tensor, got a dict with keys \['a'\]\. Pass the array itself"),
    ("model_inputs_not_symbolic", lambda: layers.Model(5, 6), IAE,
     r"Input tensors to a Model must come from `layers.Input`"),
    ("layer_input_spec_rank", lambda: call(layers.Conv2D(2, 3)), IAE,
     r"Input 0 of layer \"conv2d\" is incompatible with the layer: expected min_ndim=4, found ndim=2"),
    ("fit_epochs_float", lambda: fit(epochs=2.5), ATE,
     r"fit: `epochs` must be an integer, got 2.5.*Pass a whole number"),
    ("fit_epochs_string", lambda: fit(epochs="3"), ATE,
     r"fit: `epochs` must be an integer.*Pass a whole number"),
    ("fit_initial_epoch_negative", lambda: fit(initial_epoch=-1), IAE,
     r"`initial_epoch` must be an integer >= 0.*Pass"),
    ("fit_initial_epoch_after_epochs", lambda: fit(epochs=2, initial_epoch=3), IAE,
     r"initial_epoch=3 is after epochs=2: `epochs` is the index of the last epoch.*pass epochs=5"),
    ("fit_steps_per_epoch_zero", lambda: fit(steps_per_epoch=0), IAE,
     r"`steps_per_epoch` must be an integer >= 1.*Pass"),
    ("fit_batch_size_zero", lambda: fit(batch_size=0), IAE,
     r"fit: batch_size must be a positive integer or None.*Pass e.g. batch_size=32"),
    ("fit_batch_size_string", lambda: fit(batch_size="32"), IAE,
     r"batch_size must be a positive integer.*Pass e.g."),
    ("fit_validation_split_1", lambda: fit(validation_split=1.0), IAE,
     r"`validation_split` must be finite and in \[0.0, 1.0\).*Pass"),
    ("fit_validation_split_negative", lambda: fit(validation_split=-0.2), IAE,
     r"`validation_split` must be .*Pass a number in"),
    ("fit_verbose_3", lambda: fit(verbose=3), IAE,
     r"verbose must be 0 \(silent\), 1 \(progress bar\), 2 .* or 'auto'"),
    ("fit_verbose_string", lambda: fit(verbose="quiet"), IAE, r"verbose must be 0 .* or 'auto', got 'quiet'"),
    ("fit_validation_steps_zero", lambda: fit(validation_steps=0), IAE,
     r"`validation_steps` must be an integer >= 1.*Pass"),
    ("fit_validation_batch_size", lambda: fit(validation_batch_size=-1), IAE,
     r"`validation_batch_size` must be an integer >= 1"),
    ("fit_validation_freq_zero", lambda: fit(validation_freq=0), IAE,
     r"validation_freq must be a positive integer.*Pass e.g."),
    ("fit_class_weight_list", lambda: fit(class_weight=[1.0, 2.0]), ATE,
     r"`class_weight` must be a dict.*Pass e.g. class_weight="),
    ("fit_class_weight_negative", lambda: fit(class_weight={0: -1.0}), IAE,
     r"`class_weight\[0\]` must be finite and >= 0.0"),
    ("fit_callbacks_not_callbacks", lambda: fit(callbacks=[print]), ATE,
     r"callbacks must be instances of layers.callbacks.Callback.*Subclass Callback, or wrap"),
    ("fit_callbacks_number", lambda: fit(callbacks=5), ATE,
     r"`callbacks` must be a list of layers.callbacks.Callback.*Pass callbacks="),
    ("evaluate_x_none", lambda: compiled_model().evaluate(None, Y, verbose=0), ATE,
     r"evaluate: `x` is None\. Pass the input data"),
    ("evaluate_steps_zero", lambda: compiled_model().evaluate(X, Y, steps=0, verbose=0), IAE,
     r"evaluate: `steps` must be an integer >= 1"),
    ("evaluate_return_dict_string",
     lambda: compiled_model().evaluate(X, Y, return_dict="yes", verbose=0), ATE,
     r"`return_dict` must be a bool.*Pass return_dict="),
    ("predict_x_none", lambda: compiled_model().predict(None), ATE,
     r"predict: `x` is None\. Pass the input data"),
    ("predict_batch_size_negative", lambda: compiled_model().predict(X, batch_size=-4), IAE,
     r"predict: batch_size must be a positive integer"),
    ("train_on_batch_x_none", lambda: compiled_model().train_on_batch(None, Y), ATE,
     r"train_on_batch: `x` is None\. Pass"),
    ("train_on_batch_reset_metrics", lambda: compiled_model().train_on_batch(X, Y, reset_metrics="no"), ATE,
     r"`reset_metrics` must be a bool.*Pass reset_metrics="),
    ("test_on_batch_x_none", lambda: compiled_model().test_on_batch(None, Y), ATE,
     r"test_on_batch: `x` is None\. Pass"),
    ("test_on_batch_return_dict", lambda: compiled_model().test_on_batch(X, Y, return_dict=1), ATE,
     r"`return_dict` must be a bool"),
    ("predict_on_batch_x_none", lambda: compiled_model().predict_on_batch(None), ATE,
     r"predict_on_batch: `x` is None\. Pass"),
    # -- initializers, regularizers, constraints, callbacks ------------------------------------
    ("initializer_seed_negative", lambda: initializers.RandomNormal(seed=-3), IAE,
     r"seed must be None or a non-negative int.*Pass e.g. seed=42"),
    ("initializer_stddev_negative", lambda: initializers.RandomNormal(stddev=-1.0), IAE,
     r"`stddev` must be finite and >= 0.0.*Pass"),
    ("initializer_mean_string", lambda: initializers.TruncatedNormal(mean="0"), ATE,
     r"`mean` must be a number.*Pass a float"),
    ("initializer_uniform_swapped", lambda: initializers.RandomUniform(1.0, -1.0), IAE,
     r"minval=1.0 is greater than maxval=-1.0\. Pass minval <= maxval"),
    ("initializer_scale_string", lambda: initializers.VarianceScaling(scale="2"), ATE,
     r"`scale` must be a number.*Pass a float"),
    ("initializer_constant_string", lambda: initializers.Constant("a"), ATE,
     r"`value` must be a number or an array of numbers.*Pass e.g."),
    ("initializer_gain_nan", lambda: initializers.Orthogonal(gain=math.nan), IAE, r"`gain` must be finite"),
    ("regularizer_nan", lambda: regularizers.L2(math.nan), IAE,
     r"not a valid regularization penalty number.*Pass a finite factor"),
    ("regularizer_bool", lambda: regularizers.L1(True), IAE,
     r"True is not a valid regularization penalty number.*e.g. 0.01"),
    ("constraint_max_value_negative", lambda: constraints.MaxNorm(-1.0), IAE,
     r"`max_value` must be finite and >= 0.0.*Pass"),
    ("constraint_axis_string", lambda: constraints.UnitNorm(axis="rows"), ATE,
     r"`axis` must be an int or a list of distinct ints.*Pass axis=0"),
    ("constraint_min_gt_max", lambda: constraints.MinMaxNorm(2.0, 1.0), IAE,
     r"min_value=2.0 is greater than max_value=1.0.*Pass min_value <= max_value"),
    ("constraint_rate", lambda: constraints.MinMaxNorm(rate=2.0), IAE,
     r"`rate` must be finite and in \[0.0, 1.0\]"),
    ("early_stopping_patience", lambda: callbacks.EarlyStopping(patience=-1), IAE,
     r"`patience` must be an integer >= 0.*Pass"),
    ("early_stopping_mode", lambda: callbacks.EarlyStopping(mode="up"), IAE,
     r"EarlyStopping mode 'up' is unknown: use 'auto', 'min' or 'max'"),
    ("early_stopping_monitor", lambda: callbacks.EarlyStopping(monitor=None), ATE,
     r"`monitor` must be the name of a log such as 'val_loss'"),
    ("early_stopping_restore", lambda: callbacks.EarlyStopping(restore_best_weights="yes"), ATE,
     r"`restore_best_weights` must be a bool.*Pass restore_best_weights="),
    ("early_stopping_baseline_nan", lambda: callbacks.EarlyStopping(baseline=math.nan), IAE,
     r"`baseline` must be finite"),
    ("lambda_callback_not_callable", lambda: callbacks.LambdaCallback(on_epoch_end="print"), ATE,
     r"`on_epoch_end` must be a function or None.*Pass e.g. on_epoch_end=lambda"),
]


@pytest.mark.parametrize("make, error, message", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_bad_argument_raises_a_named_error_that_says_the_fix(make, error, message):
    with pytest.raises(error, match=message) as info:
        make()
    builtin = ValueError if issubclass(error, ValueError) else TypeError
    assert isinstance(info.value, builtin)  # ``except ValueError`` / ``except TypeError`` still work


def test_case_ids_are_unique():
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))


# -- valid edge values still work ---------------------------------------------------------------
def test_momentum_bounds_are_allowed_and_mean_what_they_say():
    x = mg.tensor(X)
    still = BN(momentum=1.0)
    still(x, training=True)
    np.testing.assert_array_equal(still.moving_mean.numpy(), np.zeros(3))  # weight 1 on the old value
    copy = BN(momentum=0)
    copy(x, training=True)
    np.testing.assert_allclose(copy.moving_mean.numpy(), X.mean(axis=0), rtol=1e-6)  # the batch's


def test_renorm_clipping_allows_infinite_bounds_and_rmin_equal_to_rmax():
    bn = BN(renorm=True, renorm_clipping={"rmax": math.inf, "dmax": math.inf, "rmin": 0.0})
    assert bn.renorm_clipping == {"rmax": math.inf, "dmax": math.inf, "rmin": 0.0}
    pinned = BN(renorm=True, renorm_clipping={"rmin": 1.2, "rmax": 1.2, "dmax": 0.0})
    assert pinned.renorm_clipping["rmin"] == 1.2
    # not checked without renorm, as Keras (the layer ignores it)
    assert BN(renorm_clipping={"rmin": 2, "rmax": 1}).renorm_clipping == {"rmin": 2, "rmax": 1}


def test_fit_with_zero_epochs_trains_nothing_as_keras():
    model = compiled_model()
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(X, Y, epochs=0, verbose=0)
    assert history.history == {}
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.fit(X, Y, epochs=2, initial_epoch=2, verbose=0).history == {}


@pytest.mark.parametrize("training, expect_dropped", [
    (True, True), (1, True), (np.bool_(True), True), (np.int64(1), True), ("tensor_true", True),
    (False, False), (0, False), (np.bool_(False), False), ("tensor_false", False),
])
def test_training_accepts_bools_learning_phase_ints_and_scalar_tensors(training, expect_dropped):
    if isinstance(training, str):
        training = mg.tensor(training == "tensor_true")
    out = layers.Dropout(1.0)(X, training=training).numpy()  # rate 1: training zeroes everything
    np.testing.assert_array_equal(out, np.zeros_like(X) if expect_dropped else X)


def test_one_callback_is_accepted_without_a_list_as_keras():
    seen = []
    fit(epochs=2, callbacks=callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch)))
    assert seen == [0, 1]


def test_float_batch_normalization_dtypes_and_policy_still_work():
    for dtype in ("float16", "float64", "mixed_float16"):
        y = BN(dtype=dtype)(X, training=True)
        assert y.dtype.kind == "f"
