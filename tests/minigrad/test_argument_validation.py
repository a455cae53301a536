"""Every bad argument of the engine's public entry points raises a named error that teaches.

One table row per mistake: the call, the named error class it must raise (each also the
built-in exception Keras raises for it) and a message fragment that names the argument,
says what was given and how to fix it. Issue 10, point 2 (the engine side).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import losses, metrics, nn, optimizers
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, MinigradError, UnsupportedDtypeError

NAN, INF = float("nan"), float("inf")
IMAGES = np.zeros((1, 4, 4, 1), np.float32)
KERNEL = np.zeros((2, 2, 1, 1), np.float32)
PROBS = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
ONE_HOT = [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]


def _int_variable():
    return mg.Variable(1, dtype="int32", name="counter")


def _schedule_step(value):
    opt = optimizers.SGD(lambda step: value)
    return opt.current_learning_rate()


# (id, call, error class, message regex): the regex names the argument and the fix
CASES = [
    # -- optimizers -------------------------------------------------------------------------
    ("sgd-lr-inf", lambda: optimizers.SGD(learning_rate=INF), InvalidArgumentError,
     r"SGD: `learning_rate` must be finite and >= 0, got inf\. Pass a number >= 0"),
    ("sgd-lr-nan", lambda: optimizers.SGD(learning_rate=NAN), InvalidArgumentError,
     r"`learning_rate` must be finite and >= 0, got nan"),
    ("sgd-lr-negative", lambda: optimizers.SGD(learning_rate=-0.1), InvalidArgumentError,
     r"`learning_rate` must be finite and >= 0, got -0\.1\. Pass a number >= 0"),
    ("sgd-lr-string", lambda: optimizers.SGD(learning_rate="0.1"), ArgumentTypeError,
     r"`learning_rate` must be a number >= 0 or a callable schedule, got '0\.1'.*"
     r"Pass e\.g\. learning_rate=0\.01"),
    ("sgd-lr-none", lambda: optimizers.SGD(learning_rate=None), ArgumentTypeError,
     r"`learning_rate` must be a number >= 0 or a callable.*got None"),
    ("schedule-inf", lambda: _schedule_step(INF), InvalidArgumentError,
     r"`learning_rate \(the schedule's value at step 0\)` must be finite and >= 0, got inf"),
    ("schedule-string", lambda: _schedule_step("fast"), ArgumentTypeError,
     r"`learning_rate \(the schedule's value at step 0\)` must be a number"),
    ("sgd-momentum-high", lambda: optimizers.SGD(momentum=1.5), InvalidArgumentError,
     r"SGD: `momentum` must be finite and in \[0, 1\], got 1\.5\. Pass a number in \[0, 1\]"),
    ("sgd-momentum-string", lambda: optimizers.SGD(momentum="0.9"), ArgumentTypeError,
     r"SGD: `momentum` must be a number, got '0\.9' of type str\. Pass a float"),
    ("sgd-momentum-none", lambda: optimizers.SGD(momentum=None), ArgumentTypeError,
     r"`momentum` must be a number, got None"),
    ("sgd-nesterov-string", lambda: optimizers.SGD(nesterov="no"), ArgumentTypeError,
     r"SGD: `nesterov` must be a bool \(True or False\), got 'no'.*Pass nesterov=True or "
     r"nesterov=False \(a string such as 'no' or 'False' would read as True\)"),
    ("sgd-decay-negative", lambda: optimizers.SGD(decay=-1.0), InvalidArgumentError,
     r"`decay` must be finite and >= 0, got -1\.0"),
    ("sgd-name-int", lambda: optimizers.SGD(name=3), ArgumentTypeError,
     r"SGD: `name` must be a string or None, got 3 of type int\. Pass text"),
    ("clipnorm-zero", lambda: optimizers.SGD(clipnorm=0.0), InvalidArgumentError,
     r"`clipnorm` must be finite and > 0, got 0\.0\. Pass a number > 0"),
    ("clipvalue-negative", lambda: optimizers.Adam(clipvalue=-1.0), InvalidArgumentError,
     r"Adam: `clipvalue` must be finite and > 0, got -1\.0"),
    ("global-clipnorm-nan", lambda: optimizers.RMSprop(global_clipnorm=NAN), InvalidArgumentError,
     r"RMSprop: `global_clipnorm` must be finite and > 0, got nan"),
    ("clipnorm-string", lambda: optimizers.SGD(clipnorm="1"), ArgumentTypeError,
     r"`clipnorm` must be a number or None, got '1'"),
    ("two-clips", lambda: optimizers.SGD(clipnorm=1.0, clipvalue=0.5), InvalidArgumentError,
     r"only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set, got clipnorm=1\.0, "
     r"clipvalue=0\.5\. Keep one"),
    ("adam-beta1-one", lambda: optimizers.Adam(beta_1=1.0), InvalidArgumentError,
     r"Adam: `beta_1` must be finite and in \[0, 1\), got 1\.0\. Pass a number in \[0, 1\)"),
    ("adam-beta2-nan", lambda: optimizers.Adam(beta_2=NAN), InvalidArgumentError,
     r"Adam: `beta_2` must be finite and in \[0, 1\), got nan"),
    ("adam-epsilon-negative", lambda: optimizers.Adam(epsilon=-1e-7), InvalidArgumentError,
     r"Adam: `epsilon` must be finite and >= 0"),
    ("adam-amsgrad-string", lambda: optimizers.Adam(amsgrad="yes"), ArgumentTypeError,
     r"Adam: `amsgrad` must be a bool.*Pass amsgrad=True or amsgrad=False"),
    ("rmsprop-rho", lambda: optimizers.RMSprop(rho=1.5), InvalidArgumentError,
     r"RMSprop: `rho` must be finite and in \[0, 1\], got 1\.5"),
    ("rmsprop-momentum", lambda: optimizers.RMSprop(momentum=-0.1), InvalidArgumentError,
     r"RMSprop: `momentum` must be finite and in \[0, 1\]"),
    ("rmsprop-epsilon-inf", lambda: optimizers.RMSprop(epsilon=INF), InvalidArgumentError,
     r"RMSprop: `epsilon` must be finite and >= 0, got inf"),
    ("rmsprop-centered-int", lambda: optimizers.RMSprop(centered=1), ArgumentTypeError,
     r"RMSprop: `centered` must be a bool.*Pass centered=True or centered=False"),
    ("sgd-unknown-lr", lambda: optimizers.SGD(lr=0.1), InvalidArgumentError,
     r"SGD: argument\(s\) not recognized: \{'lr': 0\.1\} \(Keras 2's `lr` is `learning_rate` here\)\. "
     r"Use the arguments learning_rate, momentum, nesterov, name, clipnorm"),
    ("adam-from-config-unknown", lambda: optimizers.Adam.from_config({"beta1": 0.9}), InvalidArgumentError,
     r"Adam: argument\(s\) not recognized: \{'beta1': 0\.9\}\. Use the arguments learning_rate, beta_1"),
    ("optimizers-get-name", lambda: optimizers.get("nadam"), InvalidArgumentError,
     r"optimizers\.get: unknown optimizer 'nadam': use one of \['adagrad', 'adam', 'adamw', "
     r"'rmsprop', 'sgd'\]"),
    ("optimizers-get-type", lambda: optimizers.get(3), ArgumentTypeError,
     r"cannot make an optimizer from 3: pass a name like 'adam'"),
    ("optimizers-get-dict", lambda: optimizers.get({"class_name": None}), InvalidArgumentError,
     r"unknown optimizer None: use one of"),
    # -- losses -----------------------------------------------------------------------------
    ("bce-class-from-logits", lambda: losses.BinaryCrossentropy(from_logits="no"), ArgumentTypeError,
     r"BinaryCrossentropy: `from_logits` must be a bool.*Pass from_logits=True or from_logits=False"),
    ("bce-fn-from-logits", lambda: losses.binary_crossentropy([[1.0]], [[0.5]], from_logits="no"),
     ArgumentTypeError, r"binary_crossentropy: `from_logits` must be a bool.*would read as True"),
    ("cce-fn-from-logits", lambda: losses.categorical_crossentropy(ONE_HOT, PROBS, from_logits=1),
     ArgumentTypeError,
     r"categorical_crossentropy: `from_logits` must be a bool \(True or False\), got 1 of type int"),
    ("scce-class-from-logits", lambda: losses.SparseCategoricalCrossentropy(from_logits="False"),
     ArgumentTypeError, r"SparseCategoricalCrossentropy: `from_logits` must be a bool"),
    ("scce-fn-from-logits", lambda: losses.sparse_categorical_crossentropy([0, 1], PROBS, from_logits=None),
     ArgumentTypeError, r"sparse_categorical_crossentropy: `from_logits` must be a bool"),
    ("scce-axis-5", lambda: losses.sparse_categorical_crossentropy([0, 1], PROBS, axis=5),
     InvalidArgumentError, r"sparse_categorical_crossentropy: `axis`=5 is out of range for an input "
     r"of rank 2: use an axis in \[-2, 2\)"),
    ("scce-axis-minus-3", lambda: losses.SparseCategoricalCrossentropy(axis=-3)([0, 1], PROBS),
     InvalidArgumentError, r"`axis`=-3 is out of range for an input of rank 2"),
    ("cce-axis-5", lambda: losses.categorical_crossentropy(ONE_HOT, PROBS, axis=5),
     InvalidArgumentError, r"categorical_crossentropy: `axis`=5 is out of range.*use an axis in"),
    ("bce-axis-5", lambda: losses.binary_crossentropy([[1.0]], [[0.5]], axis=5),
     InvalidArgumentError, r"binary_crossentropy: `axis`=5 is out of range"),
    ("cce-class-axis-string", lambda: losses.CategoricalCrossentropy(axis="last"), ArgumentTypeError,
     r"CategoricalCrossentropy: `axis` must be an integer, got 'last'.*Pass a whole number"),
    ("bce-smoothing-high", lambda: losses.BinaryCrossentropy(label_smoothing=1.5), InvalidArgumentError,
     r"BinaryCrossentropy: `label_smoothing` must be finite and in \[0, 1\], got 1\.5\. Pass a number in"),
    ("cce-smoothing-nan", lambda: losses.CategoricalCrossentropy(label_smoothing=NAN), InvalidArgumentError,
     r"`label_smoothing` must be finite and in \[0, 1\], got nan"),
    ("cce-fn-smoothing-string",
     lambda: losses.categorical_crossentropy(ONE_HOT, PROBS, label_smoothing="0.1"), ArgumentTypeError,
     r"categorical_crossentropy: `label_smoothing` must be a number, got '0\.1'"),
    ("mse-reduction", lambda: losses.MeanSquaredError(reduction="mean"), InvalidArgumentError,
     r"MeanSquaredError: `reduction` must be one of 'auto', 'none', 'sum', 'sum_over_batch_size', "
     r"got 'mean'"),
    ("mae-name-int", lambda: losses.MeanAbsoluteError(name=1), ArgumentTypeError,
     r"MeanAbsoluteError: `name` must be a string or None, got 1"),
    ("weighted-loss-reduction", lambda: losses.compute_weighted_loss(mg.ones(2), reduction=None),
     InvalidArgumentError, r"compute_weighted_loss: `reduction` must be one of 'auto'"),
    ("loss-wrapper-fn", lambda: losses.LossFunctionWrapper("mse"), ArgumentTypeError,
     r"LossFunctionWrapper: `fn` must be a function fn\(y_true, y_pred\), got 'mse'\. Pass"),
    ("scce-label-7", lambda: losses.sparse_categorical_crossentropy([7, 0], PROBS), InvalidArgumentError,
     r"got label 7 in `y_true`, but y_pred has 3 classes: labels must lie in \[0, 3\)\. Check the labels"),
    ("scce-label-fraction", lambda: losses.sparse_categorical_crossentropy([0.5, 1.0], PROBS),
     InvalidArgumentError, r"`y_true` must hold whole-number class labels.*Pass integer labels"),
    ("losses-get-name", lambda: losses.get("hinge"), InvalidArgumentError,
     r"losses\.get: unknown loss 'hinge': use one of"),
    ("losses-get-type", lambda: losses.get(3), ArgumentTypeError,
     r"cannot make a loss from 3: pass a name like 'mse'"),
    ("loss-y-pred-none", lambda: losses.mean_squared_error([1.0], None), ArgumentTypeError,
     r"data is None\. Pass numbers"),
    # -- metrics ----------------------------------------------------------------------------
    ("sca-label-7", lambda: metrics.sparse_categorical_accuracy([7, 0], PROBS), InvalidArgumentError,
     r"sparse_categorical_accuracy: got label 7 in `y_true`, but y_pred has 3 classes: labels must lie "
     r"in \[0, 3\)\. Check the labels, or give the model 8 outputs"),
    ("sca-label-negative", lambda: metrics.sparse_categorical_accuracy([-1, 0], PROBS), InvalidArgumentError,
     r"got label -1 in `y_true`.*they count classes from 0"),
    ("sca-class-label-7", lambda: metrics.SparseCategoricalAccuracy().update_state([7, 0], PROBS),
     InvalidArgumentError, r"got label 7 in `y_true`, but y_pred has 3 classes"),
    ("sca-label-fraction", lambda: metrics.sparse_categorical_accuracy([0.5, 1.0], PROBS),
     InvalidArgumentError, r"sparse_categorical_accuracy: `y_true` must hold whole-number class labels"),
    ("binary-accuracy-threshold-string", lambda: metrics.binary_accuracy([[1.0]], [[0.7]], threshold="0.5"),
     ArgumentTypeError, r"binary_accuracy: `threshold` must be a number, got '0\.5'.*Pass a float"),
    ("binary-accuracy-class-threshold-nan", lambda: metrics.BinaryAccuracy(threshold=NAN),
     InvalidArgumentError, r"BinaryAccuracy: `threshold` must be finite, got nan\. Pass a finite number"),
    ("binary-accuracy-class-threshold-none", lambda: metrics.BinaryAccuracy(threshold=None),
     ArgumentTypeError, r"BinaryAccuracy: `threshold` must be a number, got None"),
    ("mean-name-int", lambda: metrics.Mean(name=5), ArgumentTypeError,
     r"Mean: `name` must be a string or None, got 5"),
    ("mean-dtype-int", lambda: metrics.Mean(dtype="int32"), UnsupportedDtypeError,
     r"Mean: `dtype` must be a floating-point dtype, got int32.*Pass dtype='float32'"),
    ("accuracy-dtype-nonsense", lambda: metrics.Accuracy(dtype="float-ish"), UnsupportedDtypeError,
     r"'float-ish' is not a dtype: use e\.g\. 'float32'"),
    ("metric-wrapper-fn", lambda: metrics.MeanMetricWrapper(None), ArgumentTypeError,
     r"MeanMetricWrapper: `fn` must be a function fn\(y_true, y_pred\), got None\. Pass"),
    ("metrics-get-name", lambda: metrics.get("f1"), InvalidArgumentError,
     r"metrics\.get: unknown metric 'f1': use one of"),
    ("metrics-get-type", lambda: metrics.get(2.5), ArgumentTypeError,
     r"cannot make a metric from 2\.5: pass a name like 'accuracy'"),
    ("mean-update-none", lambda: metrics.Mean().update_state(None), ArgumentTypeError,
     r"data is None\. Pass numbers"),
    # -- tensor data and Variables --------------------------------------------------------------
    ("tensor-none", lambda: mg.tensor([None, 1.0]), ArgumentTypeError,
     r"cannot make a tensor from \[None, 1\.0\]: data\[0\] is None\. Pass numbers.*float\('nan'\)"),
    ("tensor-none-float32", lambda: mg.tensor([1.0, None], dtype="float32"), ArgumentTypeError,
     r"data\[1\] is None"),
    ("tensor-none-nested", lambda: mg.tensor([[1.0, 2.0], [3.0, None]]), ArgumentTypeError,
     r"data\[1\]\[1\] is None"),
    ("tensor-ragged", lambda: mg.tensor([[1.0], [1.0, 2.0]]), ArgumentTypeError,
     r"the items of data are ragged \(lengths \[1, 2\]\)\. Pass .*same length on each level"),
    ("tensor-ragged-mixed", lambda: mg.tensor([1.0, [2.0]]), ArgumentTypeError,
     r"ragged \(lengths \['number', 1\]\)"),
    ("tensor-string", lambda: mg.tensor([1.0, "2"]), ArgumentTypeError,
     r"data\[1\] is the string '2'\. Pass numbers"),
    ("tensor-object", lambda: mg.tensor([object()]), ArgumentTypeError,
     r"data\[0\] is an object of type object.*Pass numbers"),
    ("variable-none", lambda: mg.Variable(None), ArgumentTypeError, r"data is None\. Pass numbers"),
    ("variable-trainable-string", lambda: mg.Variable(1.0, trainable="no"), ArgumentTypeError,
     r"Variable: `trainable` must be a bool.*Pass trainable=True or trainable=False"),
    ("variable-name-int", lambda: mg.Variable(1.0, name=7), ArgumentTypeError,
     r"Variable: `name` must be a string, got 7"),
    ("variable-constraint", lambda: mg.Variable(1.0, constraint="max_norm"), ArgumentTypeError,
     r"Variable: constraint must be callable, got 'max_norm': pass a function"),
    ("assign-none", lambda: mg.Variable([1.0, 2.0], name="w").assign(None), ArgumentTypeError,
     r"Variable\.assign on 'w': the value is None\. Pass a number or an array of shape \(2,\)"),
    ("assign-add-none", lambda: mg.Variable(1.0, name="w").assign_add(None), ArgumentTypeError,
     r"Variable\.assign_add on 'w': the value is None"),
    ("int-assign-fraction", lambda: _int_variable().assign(2.7), ArgumentTypeError,
     r"Variable\.assign on 'counter': cannot store a float value \(2\.7\) in a variable of dtype "
     r"int32.*Pass whole numbers.*or make the variable with a dtype that holds the value"),
    ("int-assign-whole-float", lambda: _int_variable().assign(2.0), ArgumentTypeError,
     r"cannot store a float value \(2\.0\) in a variable of dtype int32.*refused even when whole"),
    ("int-assign-float-array", lambda: _int_variable().assign(np.array(3.0)), ArgumentTypeError,
     r"cannot store a float value"),
    ("int-assign-add-fraction", lambda: _int_variable().assign_add(0.5), ArgumentTypeError,
     r"Variable\.assign_add on 'counter': cannot store a float value \(0\.5\)"),
    ("int-assign-sub-tensor", lambda: _int_variable().assign_sub(mg.tensor(0.5)), ArgumentTypeError,
     r"Variable\.assign_sub on 'counter': cannot store a float value"),
    ("bool-assign-int", lambda: mg.Variable(True, name="flag").assign(1), ArgumentTypeError,
     r"cannot store an integer value \(1\) in a variable of dtype bool.*Pass True/False values"),
    # -- where, axes and nn ------------------------------------------------------------------------
    ("where-shapes", lambda: mg.where([True, False], mg.tensor([1.0, 2.0, 3.0]), mg.tensor([1.0, 2.0])),
     InvalidArgumentError, r"where: the shapes do not broadcast together: `condition` \(2,\), `a` \(3,\), "
     r"`b` \(2,\)\. .*reshape or expand_dims"),
    ("where-none", lambda: mg.where(None, 1.0, 2.0), ArgumentTypeError, r"data is None"),
    ("softmax-axis", lambda: nn.softmax(mg.tensor([[1.0, 2.0]]), axis=5), InvalidArgumentError,
     r"axis 5 is out of range for a tensor of rank 2: use an axis in \[-2, 1\]"),
    ("log-softmax-axis-string", lambda: nn.log_softmax(mg.tensor([[1.0, 2.0]]), axis="last"),
     ArgumentTypeError, r"axis must be None, an int or a tuple of ints, got str 'last'"),
    ("sum-axis-repeated", lambda: mg.sum(mg.ones((2, 2)), axis=(0, -2)), InvalidArgumentError,
     r"axis \(0, -2\) repeats an axis: name each axis once"),
    ("dropout-rate-one", lambda: nn.dropout(mg.ones(3), 1.0), InvalidArgumentError,
     r"dropout: `rate` must be finite and in \[0, 1\), got 1\.0\. Pass a number in \[0, 1\)"),
    ("dropout-rate-none", lambda: nn.dropout(mg.ones(3), None), ArgumentTypeError,
     r"dropout: `rate` must be a number, got None"),
    ("dropout-seed", lambda: nn.dropout(mg.ones(3), 0.5, seed=1.5), ArgumentTypeError,
     r"dropout: `seed` must be an integer or None, got 1\.5"),
    ("one-hot-depth-zero", lambda: nn.one_hot([0], 0), InvalidArgumentError,
     r"one_hot: `depth` must be an integer >= 1, got 0\. Pass a value >= 1"),
    ("one-hot-depth-none", lambda: nn.one_hot([0], None), ArgumentTypeError,
     r"one_hot: `depth` must be an integer, got None"),
    ("one-hot-index", lambda: nn.one_hot([0, 3], 3), InvalidArgumentError,
     r"one_hot got index 3, outside \[0, 3\).*raise depth"),
    ("conv-strides", lambda: nn.conv2d(IMAGES, KERNEL, strides=0), InvalidArgumentError,
     r"conv2d strides must be a positive int or a pair of positive ints, got 0: pass e\.g\. 2"),
    ("conv-padding", lambda: nn.conv2d(IMAGES, KERNEL, padding="full"), InvalidArgumentError,
     r"padding must be 'valid' \(no padding\) or 'same'.*got 'full'"),
    ("conv-data-format", lambda: nn.conv2d(IMAGES, KERNEL, data_format="NHWC"), InvalidArgumentError,
     r"data_format must be 'channels_last' \(N, H, W, C\) or 'channels_first'.*got 'NHWC'"),
    ("pool-size", lambda: nn.max_pool2d(IMAGES, pool_size=(2,)), InvalidArgumentError,
     r"max_pool2d pool_size must be a positive int or a pair of positive ints, got \(2,\)"),
    ("avg-pool-strides", lambda: nn.avg_pool2d(IMAGES, strides="2"), InvalidArgumentError,
     r"avg_pool2d strides must be a positive int or a pair"),
    ("bn-epsilon", lambda: nn.batch_norm_train(mg.ones((2, 3)), mg.ones(3), mg.zeros(3), epsilon=-1.0),
     InvalidArgumentError, r"batch_norm_train: `epsilon` must be finite and >= 0, got -1\.0"),
    ("bn-axis", lambda: nn.batch_norm_infer(mg.ones((2, 3)), mg.ones(3), mg.zeros(3), mg.zeros(3),
                                            mg.ones(3), axis=-5),
     InvalidArgumentError, r"batch_norm_infer: axis -5 is out of range for an input of rank 2; use an axis"),
    # -- creation and random ------------------------------------------------------------------------
    ("zeros-none", lambda: mg.zeros(None), ArgumentTypeError,
     r"zeros: `shape` must be an int or a tuple of ints, got None.*Pass e\.g\. shape=\(2, 3\)"),
    ("ones-negative", lambda: mg.ones((2, -1)), InvalidArgumentError,
     r"ones: `shape\[1\]` must be an integer >= 0, got -1\. Pass a value >= 0"),
    ("full-string", lambda: mg.full((2,), "a"), ArgumentTypeError,
     r"full: `value` must be a number, got 'a'"),
    ("full-nan", lambda: mg.full((2,), NAN), InvalidArgumentError, r"full: `value` must be finite"),
    ("arange-inf", lambda: mg.arange(INF), InvalidArgumentError,
     r"arange: `stop` must be finite, got inf\. Pass a finite number"),
    ("arange-step-zero", lambda: mg.arange(0, 3, 0), InvalidArgumentError,
     r"arange: `step` must not be 0: pass e\.g\. step=1"),
    ("arange-string", lambda: mg.arange(0, "3"), ArgumentTypeError, r"arange: `stop` must be a number"),
    ("linspace-nan", lambda: mg.linspace(0.0, NAN, 3), InvalidArgumentError,
     r"linspace: `stop` must be finite, got nan"),
    ("linspace-num-float", lambda: mg.linspace(0.0, 1.0, 2.0), ArgumentTypeError,
     r"linspace: `num` must be an integer, got 2\.0"),
    ("eye-negative", lambda: mg.eye(-1), InvalidArgumentError, r"eye: `n` must be an integer >= 0, got -1"),
    ("eye-m-string", lambda: mg.eye(2, "3"), ArgumentTypeError, r"eye: `m` must be an integer"),
    ("seed-negative", lambda: mg.random.seed(-1), InvalidArgumentError,
     r"random\.seed: `n` must be an integer >= 0, got -1"),
    ("seed-string", lambda: mg.random.seed("0"), ArgumentTypeError, r"random\.seed: `n` must be an integer"),
    ("new-generator-seed", lambda: mg.random.new_generator(seed=0.5), ArgumentTypeError,
     r"random\.new_generator: `seed` must be an integer or None, got 0\.5"),
    ("normal-stddev", lambda: mg.random.normal((2,), stddev=-1.0), InvalidArgumentError,
     r"random\.normal: `stddev` must be finite and >= 0, got -1\.0"),
    ("normal-shape", lambda: mg.random.normal(None), ArgumentTypeError,
     r"random\.normal: `shape` must be an int or a tuple of ints, got None"),
    ("uniform-bounds", lambda: mg.random.uniform((2,), 1.0, 0.0), InvalidArgumentError,
     r"random\.uniform: `maxval` must be finite and >= 1\.0, got 0\.0"),
    # -- gradcheck ------------------------------------------------------------------------------------
    ("gradcheck-eps-string", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], eps="a"), ArgumentTypeError,
     r"gradcheck: `eps` must be a number, got 'a'"),
    ("gradcheck-eps-zero", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], eps=0.0), InvalidArgumentError,
     r"gradcheck: `eps` must be finite and > 0, got 0\.0\. Pass a number > 0"),
    ("gradcheck-atol", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], atol=-1.0), InvalidArgumentError,
     r"gradcheck: `atol` must be finite and >= 0"),
    ("gradcheck-rtol", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], rtol=NAN), InvalidArgumentError,
     r"gradcheck: `rtol` must be finite and >= 0, got nan"),
    ("gradcheck-order", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], order=3), InvalidArgumentError,
     r"gradcheck: `order` must be an integer in \[1, 2\], got 3"),
    ("gradcheck-mode", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], mode="jacobian"), InvalidArgumentError,
     r"gradcheck: `mode` must be one of 'random', 'full', got 'jacobian'"),
    ("gradcheck-directions", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], n_directions=0),
     InvalidArgumentError, r"gradcheck: `n_directions` must be an integer >= 1, got 0"),
    ("gradcheck-seed", lambda: mg.gradcheck(lambda x: x * x, [[1.0]], seed=None), ArgumentTypeError,
     r"gradcheck: `seed` must be an integer, got None"),
    ("gradcheck-f", lambda: mg.gradcheck(None, [[1.0]]), ArgumentTypeError,
     r"gradcheck: `f` must be a function of Tensors, got None"),
    ("gradcheck-inputs", lambda: mg.gradcheck(lambda x: x * x, None), ArgumentTypeError,
     r"gradcheck: `inputs` is None: pass a list of inputs, e\.g\. \[x\]"),
    ("gradcheck-no-inputs", lambda: mg.gradcheck(lambda x: x * x, []), InvalidArgumentError,
     r"gradcheck: `inputs` is empty: pass at least one input"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_raises_a_named_error_that_teaches(call, error, message):
    with pytest.raises(error, match=message) as caught:
        call()
    # the named class, never a bare built-in one from inside NumPy or Python
    assert isinstance(caught.value, MinigradError)
    assert type(caught.value).__module__ == "minigrad.errors"


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("error, builtin", [(InvalidArgumentError, ValueError),
                                            (ArgumentTypeError, TypeError),
                                            (UnsupportedDtypeError, TypeError)])
def test_named_errors_are_the_builtins_keras_raises(error, builtin):
    # code written for Keras (except ValueError / TypeError) keeps working
    assert issubclass(error, builtin) and issubclass(error, MinigradError)


# -- what is still accepted, with the value it gives ---------------------------------------------
def test_valid_boundaries_are_accepted():
    assert optimizers.SGD(learning_rate=0, momentum=1).momentum == 1.0
    assert optimizers.Adam(beta_1=0.0, epsilon=0.0).beta_1 == 0.0
    assert optimizers.RMSprop(rho=1.0).rho == 1.0
    assert optimizers.SGD(learning_rate=np.float32(0.5)).learning_rate == 0.5
    assert optimizers.SGD(learning_rate=mg.tensor(0.25)).learning_rate == 0.25
    assert losses.BinaryCrossentropy(label_smoothing=1).get_config()["label_smoothing"] == 1.0
    assert losses.CategoricalCrossentropy(from_logits=np.bool_(True)).get_config()["from_logits"] is True
    assert metrics.Mean(dtype=None).dtype == np.float32


def test_sparse_loss_axis_is_counted_from_the_class_axis_given():
    # axis=0 is the class axis of a (classes, batch) layout: labels per column
    logits = np.array([[2.0, 0.0], [0.0, 3.0]], np.float32)
    got = losses.sparse_categorical_crossentropy([0, 1], logits, from_logits=True, axis=0).numpy()
    expected = [-(2.0 - math.log(math.exp(2.0) + 1.0)), -(3.0 - math.log(1.0 + math.exp(3.0)))]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_sparse_metric_accepts_what_the_loss_accepts():
    # labels in range, as ints or integral floats: the shared check lets both through
    sparse_accuracy = metrics.sparse_categorical_accuracy
    np.testing.assert_array_equal(sparse_accuracy([2.0, 0.0], PROBS).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(sparse_accuracy([[1], [1]], PROBS).numpy(), [[0.0], [0.0]])


def test_int_variable_takes_integers_and_keeps_its_value_after_a_refusal():
    v = _int_variable()
    v.assign(5)
    v.assign_add(np.int64(2))
    v.assign_sub(mg.tensor(1, dtype="int32"))
    assert v.numpy() == 6 and v.dtype == np.int32
    with pytest.raises(ArgumentTypeError):
        v.assign_add(0.5)
    assert v.numpy() == 6
    b = mg.Variable(True)
    b.assign(False)
    assert b.numpy() == np.False_


def test_float_variable_keeps_the_precision_of_what_it_is_given():
    v = mg.Variable(np.zeros(1), dtype="float64")
    v.assign([0.1])  # a list of Python floats goes straight to float64, not through float32
    assert v.numpy()[0] == 0.1
    v.assign_add(1)  # ints into a float variable are fine
    assert v.numpy()[0] == 1.1


def test_optimizer_with_a_bad_schedule_changes_nothing():
    w = mg.Variable([1.0])
    opt = optimizers.SGD(lambda step: -1.0)
    with pytest.raises(InvalidArgumentError, match="must be finite and >= 0, got -1.0"):
        opt.apply_gradients([(mg.tensor([1.0]), w)])
    assert w.numpy()[0] == 1.0 and int(opt.iterations.numpy()) == 0


def test_where_with_broadcasting_shapes_still_works():
    out = mg.where(mg.tensor([[True], [False]]), mg.tensor([1.0, 2.0]), 0.0)
    np.testing.assert_array_equal(out.numpy(), [[1.0, 2.0], [0.0, 0.0]])


def test_class_config_identifiers_must_be_dicts():
    with pytest.raises(ArgumentTypeError, match=r"cannot make a loss from \['mse'\]: pass a dict"):
        losses.from_class_config(["mse"], {}, "loss")
    with pytest.raises(ArgumentTypeError, match=r"the 'config' of .* must be a dict of constructor"):
        optimizers.get({"class_name": "sgd", "config": 0.1})
