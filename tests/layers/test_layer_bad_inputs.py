"""Bad inputs to the layers' public API raise named errors: the regressions of the bad-input
campaign (``tests/tools/bad_input_campaign_layers.py``).

Each row calls the API with one bad input and names the error class (a ``MinigradError``,
also the TypeError/ValueError Keras raises) and a message fragment that names the argument
and the fix. Before these fixes each row ended in a raw AttributeError/TypeError/ValueError/
KeyError from inside NumPy or Python, in an endless loop, or was silently accepted. The
tests after the table check that what stays valid still works (with real values) and that a
refused call changes nothing.
"""

# ruff: noqa: E501 - the table keeps each case on its rows, its regex unbroken

from __future__ import annotations

import math

import numpy as np
import pytest

import layers
import minigrad as mg
from layers import activations, backend, constraints, initializers, regularizers
from layers import v1 as layers_v1
from layers.summary import print_summary
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

ATE, IAE = ArgumentTypeError, InvalidArgumentError
X = np.arange(24, dtype="float32").reshape(8, 3) / 10.0
Y = np.ones((8, 2), "float32")


def built(layer, x=X):
    layer(x)
    return layer


def mlp(build: bool = True):
    """Dense, BatchNormalization, Dense on inputs of width 3, compiled with SGD and MSE."""
    model = layers.Sequential([layers.Dense(4, activation="relu"), layers.BatchNormalization(),
                               layers.Dense(2)])
    if build:
        model.build((None, 3))
    model.compile("sgd", "mse")
    return model


def functional_dense():
    inp = layers.Input((3,))
    dense = layers.Dense(2)
    layers.Model(inp, dense(inp))
    return dense


def add_loss_then_read(value):
    layer = built(layers.Dense(2))
    layer.add_loss(value)
    return layer.losses


def bounded_print_fn():
    """A print_fn that fails after 10,000 lines (the old row loop printed for ever)."""
    count = [0]

    def print_fn(line):
        count[0] += 1
        if count[0] > 10_000:
            raise AssertionError("summary does not end")
    return print_fn


def summary(**kwargs):
    mlp().summary(print_fn=bounded_print_fn(), **kwargs)


CASES = [
    # -- calling a layer -------------------------------------------------------------------
    ("call_dict_to_single_input", lambda: built(layers.Dense(2))({"a": X}), IAE,
     r'Layer "dense(_\d+)?" expects 1 input\(s\), but it received a dict of 1 input tensors\. Pass one'),
    ("call_set", lambda: layers.Dense(2)({1.0, 2.0}), ATE,
     r"called with \{.*\} of type set as an input\. Pass a Tensor or a NumPy array"),
    ("call_object", lambda: layers.Dropout(0.5)(object()), ATE,
     r"of type object as an input\. Pass a Tensor or a NumPy array"),
    ("call_ragged_list", lambda: built(layers.Dense(2))([[1.0, 2.0], [3.0]]), IAE,
     r"expects 1 input\(s\), but it received 3 input tensors.*convert it with np\.array"),
    ("call_list_of_two", lambda: built(layers.BatchNormalization())([X, X]), IAE,
     r"expects 1 input\(s\), but it received 2 input tensors\. Pass one Tensor or array"),
    ("reshape_dict", lambda: layers.Reshape((3,))({"a": X}), IAE,
     r"expects 1 input\(s\).*Pass one Tensor or array"),
    ("mask_to_layer_without_mask", lambda: built(layers.Dense(2))(X, mask=np.ones(8, bool)), ATE,
     r"was called with a `mask`, but its call\(\) takes no mask\. Drop mask="),
    ("bn_mask_wrong_width", lambda: built(layers.BatchNormalization())(X, training=True, mask=np.ones(3, bool)),
     IAE, r"the mask of shape \(3,\) does not fit the input of shape \(8, 3\): give it the input's shape"),
    ("bn_mask_wrong_batch", lambda: built(layers.BatchNormalization())(X, training=True, mask=np.ones(2, bool)),
     IAE, r"the mask of shape \(2,\) does not fit.*give it the input's shape without the normalized axes"),
    ("bn_empty_training_batch", lambda: built(layers.BatchNormalization())(X[:0], training=True), IAE,
     r"training=True on an empty batch \(input shape \(0, 3\)\).*Skip empty batches, or call with training=False"),
    ("v1_bn_empty_training_batch", lambda: layers_v1.BatchNormalization()(X[:0], training=True), IAE,
     r"training=True on an empty batch.*call with training=False"),
    ("train_on_batch_empty", lambda: mlp().train_on_batch(X[:0], Y[:0]), IAE,
     r"empty batch.*Skip empty batches"),
    # -- the Layer API -----------------------------------------------------------------------
    ("add_update_number", lambda: built(layers.Dense(2)).add_update(5), ATE,
     r"an update must be callable, got int \(5\)\. Pass a zero-argument function"),
    ("update_name_number", lambda: layers.Update(print, name=5), ATE,
     r"Update: `name` must be a string.*Pass text"),
    ("add_loss_string", lambda: add_loss_then_read("abc"), ATE,
     r"add_loss takes a scalar Tensor.*got 'abc' of type str\. Pass e\.g\. add_loss\("),
    ("add_loss_object", lambda: add_loss_then_read(object()), ATE, r"add_loss takes a scalar Tensor"),
    ("loss_callable_returns_string", lambda: add_loss_then_read(lambda: "abc"), ATE,
     r"A loss callable given to add_loss returned 'abc'.*must return a scalar Tensor.*Return e\.g\."),
    ("add_weight_name_number", lambda: layers.Layer().add_weight(name=5, shape=(2,)), ATE,
     r"add_weight: `name` must be a string.*Pass text"),
    ("add_weight_synchronization", lambda: layers.Layer().add_weight("w", (2,), synchronization="x"), IAE,
     r"add_weight: `synchronization` must be one of 'auto', 'none', 'on_read', 'on_write', got 'x'"),
    ("add_weight_aggregation", lambda: layers.Layer().add_weight("w", (2,), aggregation="avg"), IAE,
     r"add_weight: `aggregation` must be one of 'none', 'mean', 'sum'"),
    ("count_params_unbuilt", lambda: layers.Dense(2).count_params(), IAE,
     r"call `count_params` on layer dense(_\d+)?, but the layer isn't built.*build\(batch_input_shape\)"),
    ("from_config_missing_units", lambda: layers.Dense.from_config({}), IAE,
     r"Dense\.from_config: `config` lacks 'units', which Dense requires.*get_config\(\)"),
    ("from_config_none", lambda: layers.Dense.from_config(None), ATE,
     r"Dense\.from_config: `config` must be a dict \(as get_config\(\) returns\), got None"),
    ("from_config_list", lambda: layers.BatchNormalization.from_config([]), ATE,
     r"BatchNormalization\.from_config: `config` must be a dict"),
    ("node_index_out_of_range", lambda: functional_dense().get_input_at(5), IAE,
     r"Asked to get input at node 5, but the layer has only 1 inbound nodes: pass a `node_index` in \[-1, 1\)"),
    ("node_index_string", lambda: functional_dense().get_output_shape_at("0"), ATE,
     r"get_output_shape_at: `node_index` must be an integer, got '0'.*Pass a whole number"),
    ("node_index_float", lambda: functional_dense().get_input_mask_at(1.0), ATE,
     r"get_input_mask_at: `node_index` must be an integer"),
    ("get_updates_for_number", lambda: built(layers_v1.BatchNormalization()).get_updates_for(5), ATE,
     r"get_updates_for: `inputs` must be None \(the unconditional entries\) or the Tensors"),
    ("get_losses_for_string", lambda: built(layers.Dense(2)).get_losses_for("x"), ATE,
     r"get_losses_for: `inputs` must be None"),
    # -- shapes: build and compute_output_shape ------------------------------------------------
    ("dense_output_shape_none", lambda: layers.Dense(2).compute_output_shape(None), ATE,
     r"Dense dense(_\d+)?: `input_shape` must be a tuple of ints \(None for an unknown size\), got None.*"
     r"Pass e\.g\. input_shape=\(None, 3\)"),
    ("dense_build_string_size", lambda: layers.Dense(2).build((8, "a")), ATE,
     r"`input_shape`\[1\] must be an int or None, got 'a'.*Pass sizes as whole numbers"),
    ("dense_output_shape_fraction", lambda: layers.Dense(2).build((8, 2.5)), ATE,
     r"`input_shape`\[1\] must be an int or None, got 2\.5"),
    ("conv_output_shape_rank", lambda: layers.Conv2D(2, 3).compute_output_shape((8, 5)), IAE,
     r"`input_shape`=\(8, 5\) has rank 2, but this layer takes rank >= 4.*Pass e\.g\."),
    ("pool_output_shape_rank", lambda: layers.MaxPooling2D().compute_output_shape((None,)), IAE,
     r"`input_shape`=\(None,\) has rank 1, but this layer takes rank 4"),
    ("bn_output_shape_negative", lambda: layers.BatchNormalization().compute_output_shape((8, -3)), IAE,
     r"`input_shape`\[1\] is negative \(-3\).*must be >= 0"),
    ("bn_build_number", lambda: layers.BatchNormalization().build(5), ATE,
     r"`input_shape` must be a tuple of ints.*got 5 of type int"),
    ("flatten_output_shape_number", lambda: layers.Flatten().compute_output_shape(5), ATE,
     r"Flatten flatten(_\d+)?: `input_shape` must be a tuple of ints"),
    ("reshape_output_shape_string", lambda: layers.Reshape((3,)).compute_output_shape("abc"), ATE,
     r"`input_shape` must be a tuple of ints"),
    ("sequential_output_shape_string", lambda: mlp().compute_output_shape("abc"), ATE,
     r"compute_output_shape: `input_shape` must be a tuple of ints / None \(one shape\), or a list"),
    ("sequential_build_negative", lambda: mlp(build=False).build((8, -3)), IAE,
     r"The shape \(8, -3\) has a negative size: every size must be >= 0"),
    # -- InputSpec and the base layer's shape keywords ------------------------------------------
    ("input_spec_max_ndim_string", lambda: layers.InputSpec(max_ndim="x"), ATE,
     r"InputSpec: `max_ndim` must be an integer or None, got 'x'"),
    ("input_spec_axes_number", lambda: layers.InputSpec(axes=5), ATE,
     r"InputSpec: `axes` must be a dict \{axis: size\} or None, got 5\. Pass e\.g\. axes=\{-1: 3\}"),
    ("input_spec_axes_string_key", lambda: layers.InputSpec(axes={"a": 1}), ATE,
     r"InputSpec: `axes key \(an axis\)` must be an integer"),
    ("input_spec_min_above_max", lambda: layers.InputSpec(min_ndim=3, max_ndim=2), IAE,
     r"`min_ndim`=3 is above `max_ndim`=2\. Pass min_ndim <= max_ndim"),
    ("input_spec_shape_number", lambda: layers.InputSpec(shape=5), ATE,
     r"InputSpec: `shape` must be a tuple of ints"),
    ("input_spec_dtype_number", lambda: layers.InputSpec(dtype=5), ATE,
     r"InputSpec: `dtype` must be a dtype name or None, got 5\. Pass e\.g\. dtype='float32'"),
    ("input_dim_negative", lambda: layers.Dense(2, input_dim=-1), IAE,
     r"Dense: `input_dim` must be an integer >= 1, got -1"),
    ("input_dim_string", lambda: layers.Dense(2, input_dim="3"), ATE,
     r"Dense: `input_dim` must be an integer, got '3'.*Pass a whole number"),
    ("input_shape_string", lambda: layers.Dense(2, input_shape="3"), ATE,
     r"Dense: `input_shape` must be a tuple of ints.*got '3' of type str"),
    ("input_shape_number", lambda: layers.Dense(2, input_shape=3), ATE,
     r"Dense: `input_shape` must be a tuple of ints"),
    ("input_batch_size_zero", lambda: layers.Dense(2, input_shape=(3,), batch_size=0), IAE,
     r"Dense: `batch_size` must be an integer >= 1, got 0"),
    ("batch_input_shape_string_size", lambda: layers.Dense(2, batch_input_shape=(None, "3")), ATE,
     r"`batch_input_shape`\[1\] must be an int or None"),
    ("dtype_empty_dict", lambda: layers.Dense(2, dtype={}), IAE,
     r"Dense: a dict `dtype` must be a Keras dtype-policy config.*Pass e\.g\. dtype='float32'"),
    # -- configs --------------------------------------------------------------------------------
    ("model_from_json_not_json", lambda: layers.model_from_json("not json"), IAE,
     r"model_from_json: `json_string` is not JSON.*Pass the string that model\.to_json\(\) returned"),
    ("model_from_json_none", lambda: layers.model_from_json(None), ATE,
     r"model_from_json: `json_string` must be a string"),
    ("model_from_config_empty", lambda: layers.model_from_config({}), IAE,
     r"A layer config must be a dict with 'class_name' and 'config'; got \{\}\. Pass what serialize_layer"),
    ("model_from_config_unknown", lambda: layers.model_from_config({"class_name": "Bogus", "config": {}}), IAE,
     r"Unknown layer: 'Bogus'.*custom_objects=\{'Bogus': Bogus\}"),
    ("model_from_config_class_name_number", lambda: layers.model_from_config({"class_name": 5}), IAE,
     r"'class_name' must be a class name \(a string\), got 5"),
    ("model_from_config_config_number",
     lambda: layers.model_from_config({"class_name": "Dense", "config": 5}), IAE,
     r"The 'config' of layer class 'Dense' must be a dict"),
    ("sequential_from_config_missing_layer_config",
     lambda: layers.Sequential.from_config({"layers": [{"class_name": "Dense"}]}), IAE,
     r"Dense\.from_config: `config` lacks 'units'"),
    ("sequential_from_config_none", lambda: layers.Sequential.from_config(None), ATE,
     r"Sequential\.from_config: `config` must be a dict \{'name': \.\.\., 'layers'"),
    ("sequential_from_config_layers_number", lambda: layers.Sequential.from_config({"layers": 5}), ATE,
     r"Sequential\.from_config: `config` must be a dict"),
    ("model_from_config_string", lambda: layers.Model.from_config("abc"), ATE,
     r"Model\.from_config: `config` must be a dict \(get_config\(\)'s result\), got 'abc'"),
    ("initializer_config_number", lambda: initializers.get({"class_name": "Zeros", "config": 5}), IAE,
     r"Improper config format for an initializer: the 'config' of 'Zeros' must be a dict"),
    ("regularizer_config_number", lambda: regularizers.get({"class_name": "L2", "config": 5}), IAE,
     r"the 'config' of 'L2' must be a dict of its arguments"),
    ("initializer_from_config_unknown_key", lambda: initializers.RandomNormal.from_config({"bogus": 1}), ATE,
     r"RandomNormal\.from_config: cannot build an initializer.*unexpected keyword argument 'bogus'.*"
     r"Pass get_config\(\)'s dict; RandomNormal takes \['mean', 'stddev', 'seed'\]"),
    ("initializer_from_config_number", lambda: initializers.Zeros.from_config(5), ATE,
     r"Zeros\.from_config: `config` must be a dict of the initializer's arguments"),
    ("constraint_from_config_number", lambda: constraints.MaxNorm.from_config(5), ATE,
     r"MaxNorm\.from_config: `config` must be a dict of the constraint's arguments"),
    ("regularizer_from_config_unknown_key", lambda: regularizers.L2.from_config({"bogus": 1}), ATE,
     r"Argument\(s\) not recognized: \{'bogus': 1\}\. L2 takes one argument, `l2`.*pass e\.g\. l2=0\.01"),
    # -- training, weights files, summary ---------------------------------------------------------
    ("fit_ragged_list", lambda: mlp().fit([[1.0, 2.0, 3.0], [1.0]], Y[:2], verbose=0), IAE,
     r"x is a nested list whose rows have different lengths.*Pad the rows to one length"),
    ("fit_list_of_two_inputs", lambda: mlp().fit([X, X], Y, verbose=0), IAE,
     r"expects 1 input\(s\), but it received 2 input tensors"),
    ("predict_on_batch_list_of_two", lambda: mlp().predict_on_batch([X, X]), IAE,
     r"expects 1 input\(s\), but it received 2 input tensors"),
    ("save_weights_none", lambda: mlp().save_weights(None), ATE,
     r"save_weights: `filepath` must be a path \(a str or pathlib\.Path\), got None.*model\.weights\.npz"),
    ("load_weights_number", lambda: mlp().load_weights(5), ATE,
     r"load_weights: `filepath` must be a path"),
    ("save_weights_unbuilt", lambda: mlp(build=False).save_weights("w.weights.npz"), IAE,
     r"has not been built yet, so it has no weights to save\. Call it on a batch of data"),
    ("load_weights_unbuilt", lambda: mlp(build=False).load_weights("w.weights.npz"), IAE,
     r"it has not been built.*Build it first"),
    ("summary_positions_too_few", lambda: summary(positions=[2]), IAE,
     r"summary: `positions` must give the right end of each of the 3 columns.*Pass e\.g\. positions="),
    ("summary_positions_decreasing", lambda: summary(positions=[0.5, 0.2, 0.9]), IAE,
     r"positive and increasing, got \[0\.5, 0\.2, 0\.9\]"),
    ("summary_positions_negative", lambda: summary(positions=[-1, 2, 3]), IAE,
     r"`positions` must give the right end"),
    ("summary_positions_string", lambda: summary(positions="x"), ATE,
     r"summary: `positions` must be a list of numbers or None, got 'x'"),
    ("summary_positions_strings", lambda: summary(positions=["a", "b", "c"]), ATE,
     r"summary: `positions` must be numbers"),
    ("summary_print_fn_number", lambda: mlp().summary(print_fn=5), ATE,
     r"summary: `print_fn` must be callable \(e\.g\. print\), got 5"),
    # -- activations and backend -------------------------------------------------------------------
    ("relu_alpha_string", lambda: activations.relu(X, alpha="a"), ATE,
     r"relu: `alpha` must be a number, got 'a'.*Pass a float"),
    ("relu_threshold_nan", lambda: activations.relu(X, threshold=math.nan), IAE,
     r"relu: `threshold` must be finite, got nan\. Pass a finite number"),
    ("relu_max_value_string", lambda: activations.relu(X, max_value="6"), ATE,
     r"relu: `max_value` must be a number or None"),
    ("leaky_relu_slope_string", lambda: activations.leaky_relu(X, negative_slope="a"), ATE,
     r"leaky_relu: `negative_slope` must be a number"),
    ("elu_alpha_inf", lambda: activations.elu(X, alpha=math.inf), IAE,
     r"elu: `alpha` must be finite, got inf"),
    ("set_learning_phase_int", lambda: backend.set_learning_phase(5), IAE,
     r"set_learning_phase: the learning phase must be 0, 1 \(or a bool\) or None, got 5\. Pass 1 \(training\)"),
    ("set_learning_phase_string", lambda: backend.set_learning_phase("no"), IAE,
     r"the learning phase must be 0, 1 \(or a bool\) or None, got 'no'\. Pass 1"),
    ("learning_phase_scope_int", lambda: backend.learning_phase_scope(5).__enter__(), IAE,
     r"the learning phase must be 0, 1.*Pass 1 \(training\), 0 \(inference\) or None"),
    ("to_snake_case_number", lambda: backend.to_snake_case(5), ATE,
     r"to_snake_case: `name` must be a string"),
    ("unique_name_none", lambda: backend.unique_name(None), ATE,
     r"unique_name: `base` must be a string"),
]


@pytest.mark.parametrize("call, error, message", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_bad_input_raises_named_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_case_names_are_unique():
    names = [case[0] for case in CASES]
    assert len(names) == len(set(names))


# -- what stays valid still works ------------------------------------------------------------------
def test_refused_empty_training_batch_leaves_the_moving_statistics_alone():
    bn = built(layers.BatchNormalization(momentum=0.5), X)
    bn(X, training=True)
    before = [w.copy() for w in bn.get_weights()]
    with pytest.raises(IAE, match="empty batch"):
        bn(X[:0], training=True)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)
    # in inference an empty batch is fine (Keras returns an empty batch)
    assert bn(X[:0], training=False).shape == (0, 3)


def test_bn_mask_of_the_input_shape_without_the_channels_still_weights_the_statistics():
    bn = layers.BatchNormalization(momentum=0.0, epsilon=1e-3)
    mask = np.array([True] * 4 + [False] * 4)
    bn(X, training=True, mask=mask)
    np.testing.assert_allclose(bn.moving_mean.numpy(), X[:4].mean(axis=0), rtol=1e-6)
    # a float 0/1 mask is a mask too (Keras casts it)
    bn2 = layers.BatchNormalization(momentum=0.0, epsilon=1e-3)
    bn2(X, training=True, mask=mask.astype("float32"))
    np.testing.assert_allclose(bn2.moving_mean.numpy(), X[:4].mean(axis=0), rtol=1e-6)


def test_dense_with_input_dim_and_a_policy_dict_builds_as_keras():
    layer = layers.Dense(2, input_dim=3, dtype={"class_name": "DTypePolicy", "config": {"name": "float64"}})
    assert layer.get_config()["batch_input_shape"] == (None, 3)
    assert layer.dtype == "float64"
    layer = layers.Dense(2, input_shape=[3], batch_size=4)
    assert layer.get_config()["batch_input_shape"] == (4, 3)


def test_shapes_with_unknown_sizes_and_lists_still_work():
    assert layers.Dense(2).compute_output_shape([None, 5]) == (None, 2)
    assert layers.Conv2D(4, 3).compute_output_shape((None, 8, 8, 3)) == (None, 6, 6, 4)
    assert layers.MaxPooling2D().compute_output_shape((2, 6, 6, 3)) == (2, 3, 3, 3)
    assert layers.Flatten().compute_output_shape((None, 2, 3)) == (None, 6)
    assert layers.Flatten().compute_output_shape(()) == (1,)
    assert layers.Reshape((-1,)).compute_output_shape((None, 2, 3)) == (None, 6)
    assert layers.BatchNormalization().compute_output_shape((None, 5)) == (None, 5)
    assert mlp().compute_output_shape((None, 3)) == (None, 2)


def test_input_spec_keeps_valid_arguments():
    spec = layers.InputSpec(shape=(None, 3), dtype=np.float32, axes={-1: 3})
    assert (spec.ndim, spec.dtype, spec.axes) == (2, "float32", {-1: 3})
    layer = layers.Dense(2)
    layer.input_spec = layers.InputSpec(min_ndim=2, max_ndim=2)
    assert layer(X).shape == (8, 2)


def test_losses_updates_and_configs_that_are_valid_still_work():
    layer = built(layers.Dense(2))
    layer.add_loss(lambda: None)  # a callable returning None adds nothing (Keras: same)
    layer.add_loss(2.5)
    assert [float(loss.numpy()) for loss in layer.losses] == [2.5]
    assert [float(loss.numpy()) for loss in layer.get_losses_for(None)] == [2.5]  # unconditional
    restored = layers.Sequential.from_config(mlp().get_config())
    assert [type(layer).__name__ for layer in restored.layers] == ["Dense", "BatchNormalization", "Dense"]
    assert initializers.RandomNormal.from_config({"mean": 1.0, "stddev": 0.0, "seed": 1})((2,)).numpy().tolist() \
        == [1.0, 1.0]
    assert layers.Layer().add_weight("w", (2,), synchronization="on_read").trainable is False


def test_summary_of_any_positive_width_ends():
    lines = []

    def print_fn(line):
        lines.append(line)
        if len(lines) > 10_000:  # the old loop printed empty rows for ever
            raise AssertionError("summary does not end")

    print_summary(mlp(), line_length=5, print_fn=print_fn)
    assert lines[0].startswith('Model: "sequential') and lines[1] == "_____"
    assert lines[2] == " L  O  P"  # columns end at 2, 4, 5: one character of each header a line
    assert "Total params: 42 (168.00 Byte)" in lines  # (3*4+4) + 4*4 + (4*2+2)


def test_activations_with_valid_extras_compute_keras_values():
    x = np.array([-2.0, 0.5, 3.0, 8.0], "float32")
    np.testing.assert_allclose(activations.relu(x, alpha=0.1, max_value=6.0, threshold=1.0).numpy(),
                               [-0.3, -0.05, 3.0, 6.0], rtol=1e-6)
    np.testing.assert_allclose(activations.leaky_relu(x, negative_slope=0.5).numpy(), [-1.0, 0.5, 3.0, 8.0])
    np.testing.assert_allclose(activations.elu(x, alpha=2.0).numpy()[0], 2.0 * (math.exp(-2.0) - 1.0), rtol=1e-6)


def test_learning_phase_keeps_bools_and_numpy_ints():
    try:
        backend.set_learning_phase(True)
        assert backend.learning_phase() == 1
        backend.set_learning_phase(np.int64(0))
        assert backend.learning_phase() == 0
    finally:
        backend.set_learning_phase(None)


def test_layer_call_takes_arrays_numbers_and_tensors():
    layer = layers.Activation("relu")
    assert layer(mg.tensor([-1.0, 2.0])).numpy().tolist() == [0.0, 2.0]
    assert layer(np.float32(-3.0)).numpy().tolist() == 0.0
    assert layer(4.0).numpy().tolist() == 4.0


@pytest.mark.parametrize("masked", [False, True])
def test_synchronized_bn_over_every_axis_agrees_with_plain_bn(masked):
    """axis=[0, 1] on rank 2 leaves no axis to reduce (each element is its own batch of one):
    synchronized=True raised IndexError there; both now give mean = x and variance 0."""
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    mask = np.array([[1, 0, 1], [1, 1, 1]], bool) if masked else None
    outputs = []
    for synchronized in (False, True):
        layer = layers.BatchNormalization(axis=[0, 1], momentum=0.0, synchronized=synchronized)
        outputs.append(layer(x, training=True, mask=mask).numpy())
        # a masked-out element has no example: its mean is 0 (divide_no_nan, as Keras)
        expected_mean = x if mask is None else np.where(mask, x, 0.0)
        np.testing.assert_allclose(layer.moving_mean.numpy(), expected_mean, rtol=1e-6)
        np.testing.assert_array_equal(layer.moving_variance.numpy(), np.zeros((2, 3)))
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-6, atol=1e-6)
