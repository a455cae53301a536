"""Bad-input campaign over the public API of ``layers``: constructors, calls, the Layer API,
models, compile and the training methods, weights files, callbacks and the lookup modules.

Each case calls the public API with one bad argument (the rest valid) and records the outcome:

- ``named``: a ``MinigradError`` (InvalidArgumentError, ArgumentTypeError, ...) was raised;
- ``raw <Class>``: some other exception escaped (a raw NumPy/Python error: a defect);
- ``accepted``: the call returned; a case whose acceptance is legitimate (Keras accepts it
  too, or it is valid input) carries the reason and is counted as ``legit``;
- ``python``: Python's own TypeError for an unknown keyword argument (raised at the call,
  naming the argument, as for any Python function; Keras raises the same);
- ``keras-raw``: a built-in error that Keras raises too and that is not about a bad argument
  value (an OSError for a missing file, the AttributeError of an unconnected layer's
  ``input`` that ``hasattr`` relies on, a user function's own error); each carries its reason.

Run from the repository root (prints a table, then the counts)::

    PYTHONPATH=$PWD python tests/tools/bad_input_campaign_layers.py [--only-escapes]
"""

# ruff: noqa: E501 - the campaign is a table of cases, one per line

from __future__ import annotations

import io
import os
import signal
import sys
import tempfile
import warnings

import numpy as np

import layers
from layers import activations, backend, callbacks, constraints, initializers, regularizers
from layers import v1 as layers_v1
from minigrad.errors import MinigradError

CASES: list = []


def case(label: str, fn, legit: str | None = None, raw_ok: str | None = None) -> None:
    """Register ``fn`` (no arguments) under ``label``; ``legit``: why accepting it is right;
    ``raw_ok``: why the built-in error it raises is the right answer."""
    CASES.append((label, fn, legit, raw_ok))


NAN = float("nan")
INF = float("inf")
X = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
Y = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
IMG = np.random.default_rng(2).normal(size=(2, 6, 6, 3)).astype("float32")
TMP = tempfile.mkdtemp(prefix="campaign-")


def mlp(compiled: bool = True, built: bool = True):
    """A 3-layer Sequential model (Dense, BatchNormalization, Dense) on inputs of width 3."""
    model = layers.Sequential([layers.Dense(4, activation="relu"), layers.BatchNormalization(),
                               layers.Dense(2)])
    if built:
        model.build((None, 3))
    if compiled:
        model.compile("sgd", "mse")
    return model


def built(layer, x=X):
    layer(x)
    return layer


# -- 1. constructors ----------------------------------------------------------------------
BAD_VALUES = {"None": None, "'3'": "3", "nan": NAN, "inf": INF, "-1": -1, "0": 0, "2.5": 2.5,
              "True": True, "[1]": [1], "{}": {}, "'bogus'": "bogus", "-0.5": -0.5, "1e9": 1e9}

CONSTRUCTOR_ARGS = {
    layers.Dense: ({"units": 2}, ["units", "activation", "use_bias", "kernel_initializer",
                                  "bias_initializer", "kernel_regularizer", "bias_regularizer",
                                  "activity_regularizer", "kernel_constraint", "bias_constraint",
                                  "name", "dtype", "trainable", "input_shape", "input_dim"]),
    layers.Dropout: ({"rate": 0.5}, ["rate", "noise_shape", "seed"]),
    layers.Flatten: ({}, ["data_format"]),
    layers.Reshape: ({"target_shape": (3,)}, ["target_shape"]),
    layers.Activation: ({"activation": "relu"}, ["activation"]),
    layers.Conv2D: ({"filters": 2, "kernel_size": 3},
                    ["filters", "kernel_size", "strides", "padding", "data_format",
                     "dilation_rate", "groups", "use_bias"]),
    layers.MaxPooling2D: ({}, ["pool_size", "strides", "padding", "data_format"]),
    layers.AveragePooling2D: ({}, ["pool_size", "strides", "padding", "data_format"]),
    layers.GlobalAveragePooling2D: ({}, ["data_format", "keepdims"]),
    layers.BatchNormalization: ({}, ["axis", "momentum", "epsilon", "center", "scale", "renorm",
                                     "renorm_clipping", "renorm_momentum", "fused",
                                     "virtual_batch_size", "adjustment", "synchronized",
                                     "beta_initializer", "gamma_regularizer"]),
    layers_v1.BatchNormalization: ({}, ["momentum", "epsilon", "fused"]),
}

# values some arguments legitimately take (Keras accepts them)
LEGIT = {
    ("activation", "None"): "activation=None is linear",
    ("kernel_regularizer", "None"): "no regularizer", ("bias_regularizer", "None"): "no regularizer",
    ("activity_regularizer", "None"): "no regularizer", ("gamma_regularizer", "None"): "no regularizer",
    ("kernel_constraint", "None"): "no constraint", ("bias_constraint", "None"): "no constraint",
    ("name", "None"): "auto name", ("name", "'3'"): "any string is a name",
    ("name", "'bogus'"): "any string is a name", ("dtype", "None"): "float32 default",
    ("input_dim", "None"): "no input dim",
    ("noise_shape", "None"): "no noise shape", ("seed", "None"): "unseeded",
    ("seed", "0"): "seed 0 is valid",
    ("data_format", "None"): "channels_last default", ("strides", "None"): "strides=pool_size",
    ("fused", "None"): "auto", ("fused", "True"): "fused", ("renorm_clipping", "None"): "none",
    ("renorm_clipping", "{}"): "Keras: empty dict = no clipping",
    ("virtual_batch_size", "None"): "off", ("adjustment", "None"): "off",
    ("renorm", "True"): "valid", ("center", "True"): "valid", ("scale", "True"): "valid",
    ("use_bias", "True"): "valid", ("trainable", "True"): "valid", ("keepdims", "True"): "valid",
    ("axis", "[1]"): "Keras takes a list of axes", ("groups", "None"): "Keras: groups or 1",
    ("noise_shape", "[1]"): "a valid noise_shape type; its rank is checked at a training call, as Keras",
    ("synchronized", "True"): "valid", ("epsilon", "2.5"): "any eps > 0", ("epsilon", "1e9"): "any eps > 0",
    ("rate", "0"): "rate 0 is valid", ("momentum", "0"): "momentum 0 is valid",
    ("renorm_momentum", "0"): "valid", ("axis", "-1"): "valid", ("axis", "0"): "valid (build checks rank)",
        ("beta_initializer", "None"): "None: add_weight's default, as Keras",
    ("kernel_initializer", "None"): "None: add_weight's default (glorot_uniform), as Keras",
    ("bias_initializer", "None"): "None: add_weight's default (glorot_uniform), as Keras",
    ("target_shape", "[1]"): "Reshape([1]) valid (input width 1 only)",
    ("input_shape", "[1]"): "valid shape",
}

for cls, (base_kwargs, arg_names) in CONSTRUCTOR_ARGS.items():
    for arg in arg_names:
        for vname, value in BAD_VALUES.items():
            def make(cls=cls, base=base_kwargs, arg=arg, value=value):
                layer = cls(**{**base, arg: value})
                x = IMG if cls in (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D,
                                   layers.GlobalAveragePooling2D) else X
                layer(x)  # some arguments are checked at build (rank known)
            legit = LEGIT.get((arg, vname)) or None
            if arg in ("renorm_clipping", "renorm_momentum"):
                legit = ("Keras ignores it with renorm=False (test_layer_arguments pins that); "
                         "checked with renorm=True")
            raw_ok = ("asks for 1e9 units (tf-keras takes integral floats): NumPy's MemoryError "
                      "is the honest answer" if vname == "1e9" and arg in ("units", "filters") else None)
            case(f"{cls.__module__.split('.')[-1]}.{cls.__name__}({arg}={vname})", make, legit, raw_ok)

# -- 2. calling layers with bad inputs ----------------------------------------------------
BAD_INPUTS = {
    "None": None, "'abc'": "abc", "b'ab'": b"ab", "[[1,'a']]": [[1, "a"]], "ragged [[1,2],[3]]": [[1.0, 2.0], [3.0]],
    "object array": np.array([[1.0, None, 2.0]], dtype=object), "complex": X.astype("complex64"),
    "bool array": X > 0, "int array": X.astype("int32"), "rank 1": X[0], "rank 0": np.float32(1.0),
    "rank 3": X[:, :, None], "empty batch": X[:0], "NaN": np.full((2, 3), np.nan, "float32"),
    "dict": {"a": X}, "set": {1, 2}, "object()": object(), "str array": np.array([["a", "b", "c"]]),
    "datetime array": np.array(["2020-01-01"] * 3, dtype="datetime64[D]")[None],
    "float16": X.astype("float16"), "uint8": (X > 0).astype("uint8"), "list of arrays": [X, X],
}
LEGIT_INPUTS = {
    "bool array": "Keras casts numeric inputs to the layer dtype", "int array": "cast to float32",
    "empty batch": "Keras returns an empty batch", "NaN": "NaN in data propagates (as Keras)",
    "float16": "cast to float32", "uint8": "cast to float32",
}


def call_layers():
    return {
        "Dense": lambda: built(layers.Dense(2)),
        "BatchNormalization": lambda: built(layers.BatchNormalization()),
        "Dropout": lambda: layers.Dropout(0.5),
        "Flatten": lambda: layers.Flatten(),
        "Activation": lambda: layers.Activation("relu"),
        "Conv2D": lambda: built(layers.Conv2D(2, 3), IMG),
        "MaxPooling2D": lambda: layers.MaxPooling2D(),
        "GlobalAveragePooling2D": lambda: layers.GlobalAveragePooling2D(),
        "Reshape": lambda: layers.Reshape((3,)),
        "Sequential": lambda: mlp(compiled=False),
        "V1 BatchNormalization": lambda: built(layers_v1.BatchNormalization()),
    }


for lname, factory in call_layers().items():
    for iname, value in BAD_INPUTS.items():
        legit = LEGIT_INPUTS.get(iname)
        if lname in ("Dropout", "Flatten", "Activation", "Reshape") and iname in ("rank 1", "rank 3", "rank 0"):
            legit = legit or "this layer takes any rank (as Keras)"
        if lname in ("Dropout", "Activation") and iname == "list of arrays":
            legit = "Keras converts a list of equal arrays to one stacked tensor (so does minigrad)"
        if lname in ("Conv2D", "MaxPooling2D", "GlobalAveragePooling2D") and iname in ("rank 3",):
            legit = None

        def call(factory=factory, value=value, lname=lname):
            layer = factory()
            return layer(value, training=True) if lname != "Flatten" else layer(value)
        case(f"{lname}(x={iname})", call, legit)

# wrong last dimension after build
case("Dense built on 3, called on 5", lambda: built(layers.Dense(2))(np.zeros((4, 5), "float32")))
case("BatchNormalization built on 3, called on 5",
     lambda: built(layers.BatchNormalization())(np.zeros((4, 5), "float32")))
case("Conv2D built on 3 channels, called on 4",
     lambda: built(layers.Conv2D(2, 3), IMG)(np.zeros((2, 6, 6, 4), "float32")))
case("Sequential built on 3, called on 5", lambda: mlp()(np.zeros((4, 5), "float32")))
case("Conv2D input smaller than kernel", lambda: layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), "float32")))
case("MaxPooling2D input smaller than pool", lambda: layers.MaxPooling2D(4)(np.zeros((1, 3, 3, 1), "float32")),
     "Keras returns a 0-size spatial output with padding='valid'")
case("Reshape to a shape of another size", lambda: layers.Reshape((4,))(X))
case("Reshape with two -1", lambda: layers.Reshape((-1, -1))(X))
case("BatchNormalization axis=3 on rank 2", lambda: layers.BatchNormalization(axis=3)(X))
case("BatchNormalization virtual_batch_size=3 on batch 8",
     lambda: layers.BatchNormalization(virtual_batch_size=3)(X, training=True))

# training= and mask= of bad types/shapes
BAD_TRAINING = {"'no'": "no", "2": 2, "-1": -1, "0.5": 0.5, "[True]": [True], "nan": NAN,
                "array([1,0])": np.array([1, 0]), "Tensor float": None, "object()": object(),
                "np.array(True)": np.array(True)}
LEGIT_TRAINING = {"np.array(True)": "a 0-d bool array is a bool (Keras accepts bool tensors)"}
for tname, value in BAD_TRAINING.items():
    for lname in ("Dense", "BatchNormalization", "Dropout", "Sequential"):
        def call(lname=lname, value=value, tname=tname):
            import minigrad as mg
            layer = call_layers()[lname]()
            v = mg.tensor(0.5) if tname == "Tensor float" else value
            return layer(X, training=v)
        case(f"{lname}(X, training={tname})", call, LEGIT_TRAINING.get(tname))

BAD_MASKS = {"'yes'": "yes", "wrong shape (3,)": np.ones(3, bool), "wrong batch (2,)": np.ones(2, bool),
             "float mask (8,)": np.ones(8, "float32"), "5": 5, "object()": object(),
             "list of 3 masks": [np.ones(8, bool)] * 3, "mask of rank 3": np.ones((8, 3, 2), bool),
             "nan mask": np.full(8, np.nan)}
for mname, value in BAD_MASKS.items():
    legit = {"float mask (8,)": "Keras casts the mask to the compute dtype (weights 0/1)",
             "nan mask": "mask values are data, not scanned (Keras casts them)"}.get(mname)
    case(f"BatchNormalization(X, mask={mname})",
         lambda value=value: built(layers.BatchNormalization())(X, training=True, mask=value), legit)
case("Dense(X, mask=ones(8))", lambda: built(layers.Dense(2))(X, mask=np.ones(8, bool)))
case("Dense(X, mask='yes')", lambda: built(layers.Dense(2))(X, mask="yes"))

# -- 3. Layer API methods -----------------------------------------------------------------
def fresh_dense():
    return built(layers.Dense(2))


add_weight_bad = {
    "shape='3'": dict(name="w", shape="3"), "shape=(2.5,)": dict(name="w", shape=(2.5,)),
    "shape=(-1,)": dict(name="w", shape=(-1,)), "shape=(None,)": dict(name="w", shape=(None,)),
    "shape=5": dict(name="w", shape=5), "dtype='bogus'": dict(name="w", shape=(2,), dtype="bogus"),
    "dtype=5": dict(name="w", shape=(2,), dtype=5), "initializer='bogus'": dict(name="w", shape=(2,), initializer="bogus"),
    "initializer=5": dict(name="w", shape=(2,), initializer=5),
    "regularizer='bogus'": dict(name="w", shape=(2,), regularizer="bogus"),
    "regularizer=5": dict(name="w", shape=(2,), regularizer=5),
    "constraint='bogus'": dict(name="w", shape=(2,), constraint="bogus"),
    "constraint=5": dict(name="w", shape=(2,), constraint=5),
    "trainable='no'": dict(name="w", shape=(2,), trainable="no"),
    "name=5": dict(name=5, shape=(2,)), "name=''": dict(name="", shape=(2,)),
    "name=['a']": dict(name=["a"], shape=(2,)),
    "dtype='string'": dict(name="w", shape=(2,), dtype="str"),
    "initializer=Constant('a')": dict(name="w", shape=(2,), initializer=lambda: initializers.Constant("a")),
    "unknown kwarg": dict(name="w", shape=(2,), bogus=1),
    "synchronization='x'": dict(name="w", shape=(2,), synchronization="x"),
    "aggregation='x'": dict(name="w", shape=(2,), aggregation="x"),
}
for aname, kwargs in add_weight_bad.items():
    def aw(kwargs=kwargs):
        kwargs = {k: (v() if callable(v) and k == "initializer" else v) for k, v in kwargs.items()}
        return layers.Layer().add_weight(**kwargs)
    legit = "Keras accepts an empty weight name" if aname == "name=''" else None
    case(f"Layer.add_weight({aname})", aw, legit)

for lname, value in {"'abc'": "abc", "5 (a number)": 5, "None": None, "[None]": [None], "object()": object(),
                     "NaN": NAN, "array([1,2])": np.array([1.0, 2.0]), "lambda: 'abc'": lambda: "abc",
                     "[1, 'a']": [1, "a"], "lambda returning None": lambda: None}.items():
    def al(value=value):
        layer = fresh_dense()
        layer.add_loss(value)
        return layer.losses
    legit = {"5 (a number)": "Keras adds a constant loss", "None": "Keras ignores None losses",
             "[None]": "Keras ignores None losses",
             "lambda returning None": "a callable returning None adds nothing (Keras: same)", "NaN": "a NaN loss is the user's number",
             "array([1,2])": "Keras adds a tensor loss (summed)"}.get(lname)
    case(f"Layer.add_loss({lname}); .losses", al, legit)
for uname, value in {"'abc'": "abc", "5": 5, "None": None, "[5]": [5], "object()": object()}.items():
    def au(value=value):
        layer = fresh_dense()
        layer.add_update(value)
        return layer.updates
    case(f"Layer.add_update({uname}); .updates", au, "Keras ignores None updates" if uname == "None" else None)

SET_W = {"None": None, "5": 5, "'abc'": "abc", "[]": "empty", "one too few": "few", "one too many": "many",
         "wrong shape": "shape", "string arrays": "strings", "complex": "complex", "NaN weights": "nan",
         "int weights": "int", "object arrays": "object", "nested list": "nested", "dict": "dict",
         "generator": "gen", "tuple of arrays": "tuple"}


def set_weights_case(kind):
    layer = fresh_dense()
    w = layer.get_weights()
    value = {"few": w[:1], "many": w + [w[0]], "shape": [w[0].T, w[1]],
             "strings": [w[0].astype(str), w[1].astype(str)], "complex": [w[0] + 1j, w[1]],
             "nan": [w[0] * NAN, w[1]], "int": [w[0].astype(int), w[1].astype(int)],
             "object": [w[0].astype(object), w[1].astype(object)], "nested": [w[0].tolist(), w[1].tolist()],
             "dict": {"kernel": w[0], "bias": w[1]}, "gen": (a for a in w), "tuple": tuple(w),
             "empty": []}.get(kind, kind)
    layer.set_weights(value)
    return layer.get_weights()


for sname, kind in SET_W.items():
    legit = {"NaN weights": "NaN is a float value; Keras stores it",
             "int weights": "Keras casts ints to the weight dtype (safe cast)",
             "nested list": "Keras accepts nested lists of numbers", "tuple of arrays": "valid",
             "generator": "any iterable of arrays, each checked before any is assigned"}.get(sname)
    case(f"Layer.set_weights({sname})", lambda kind=kind: set_weights_case(kind), legit)
case("Model.set_weights(one too few)", lambda: mlp().set_weights(mlp().get_weights()[:-1]))

BAD_CONFIGS = {
    "Dense.from_config({})": lambda: layers.Dense.from_config({}),
    "Dense.from_config(None)": lambda: layers.Dense.from_config(None),
    "Dense.from_config('abc')": lambda: layers.Dense.from_config("abc"),
    "Dense.from_config(units='2')": lambda: layers.Dense.from_config({"units": "2"}),
    "Dense.from_config(unknown key)": lambda: layers.Dense.from_config({"units": 2, "bogus": 1}),
    "Dense.from_config(activation=5)": lambda: layers.Dense.from_config({"units": 2, "activation": 5}),
    "BN.from_config(momentum=5)": lambda: layers.BatchNormalization.from_config({"momentum": 5}),
    "BN.from_config([])": lambda: layers.BatchNormalization.from_config([]),
    "Sequential.from_config({})": lambda: layers.Sequential.from_config({}),
    "Sequential.from_config(None)": lambda: layers.Sequential.from_config(None),
    "Sequential.from_config(layers=5)": lambda: layers.Sequential.from_config({"layers": 5}),
    "Sequential.from_config(layers=[{}])": lambda: layers.Sequential.from_config({"layers": [{}]}),
    "Sequential.from_config(class_name bogus)": lambda: layers.Sequential.from_config(
        {"layers": [{"class_name": "Bogus", "config": {}}]}),
    "Sequential.from_config(config missing)": lambda: layers.Sequential.from_config(
        {"layers": [{"class_name": "Dense"}]}),
    "Model.from_config({})": lambda: layers.Model.from_config({}),
    "Model.from_config('abc')": lambda: layers.Model.from_config("abc"),
    "model_from_config(None)": lambda: layers.model_from_config(None),
    "model_from_config({})": lambda: layers.model_from_config({}),
    "model_from_config(5)": lambda: layers.model_from_config(5),
    "model_from_config(class bogus)": lambda: layers.model_from_config({"class_name": "Bogus", "config": {}}),
    "model_from_json('not json')": lambda: layers.model_from_json("not json"),
    "model_from_json(None)": lambda: layers.model_from_json(None),
    "model_from_json('[]')": lambda: layers.model_from_json("[]"),
    "model_from_json('{}')": lambda: layers.model_from_json("{}"),
    "Dense.from_config(kernel_initializer bogus dict)": lambda: layers.Dense.from_config(
        {"units": 2, "kernel_initializer": {"class_name": "Bogus", "config": {}}}),
    "Dense.from_config(kernel_initializer dict no config)": lambda: layers.Dense.from_config(
        {"units": 2, "kernel_initializer": {"class_name": "Zeros"}}),
    "Dense.from_config(kernel_initializer config=5)": lambda: layers.Dense.from_config(
        {"units": 2, "kernel_initializer": {"class_name": "Zeros", "config": 5}}),
}
for label, fn in BAD_CONFIGS.items():
    legit = {"Dense.from_config(kernel_initializer dict no config)": "Keras fills config={}",
             "Sequential.from_config({})": "Keras builds an empty Sequential",
             "Model.from_config({})": "Keras: cls(**{}) is a plain (subclass-style) Model"}.get(label)
    case(label, fn, legit)

BAD_SHAPES = {"None": None, "'abc'": "abc", "5": 5, "(None,)": (None,), "(8, 'a')": (8, "a"),
              "(8, -3)": (8, -3), "(8, 2.5)": (8, 2.5), "(8, 5) wrong last dim": (8, 5), "()": (),
              "[[8, 3], [8, 3]]": [[8, 3], [8, 3]]}
for lname, factory in {"Dense": lambda: layers.Dense(2), "BatchNormalization": lambda: layers.BatchNormalization(),
                       "Conv2D": lambda: layers.Conv2D(2, 3), "Flatten": lambda: layers.Flatten(),
                       "MaxPooling2D": lambda: layers.MaxPooling2D(), "Reshape": lambda: layers.Reshape((3,)),
                       "Sequential": lambda: mlp(compiled=False)}.items():
    for sname, shape in BAD_SHAPES.items():
        legit = None
        if sname == "(8, 5) wrong last dim" and lname in ("Dense", "BatchNormalization", "Flatten"):
            legit = "unbuilt layer: any width is valid"
        if sname == "(None,)" and lname in ("Flatten", "BatchNormalization"):
            legit = "a valid rank-1 shape (unknown batch)"
        if sname == "()" and lname == "Flatten":
            legit = "Flatten of a scalar is (1,) (test_core pins it)"
        case(f"{lname}.compute_output_shape({sname})",
             lambda factory=factory, shape=shape: factory().compute_output_shape(shape), legit)
        build_factory = (lambda: mlp(built=False, compiled=False)) if lname == "Sequential" else factory
        legit = ("Keras: build((8, 5)) on an unbuilt layer is valid" if sname == "(8, 5) wrong last dim"
                 else None)
        if lname in ("Flatten", "MaxPooling2D", "Reshape"):
            legit = "a stateless layer: Keras's base Layer.build ignores its argument"
        case(f"{lname}.build({sname})", lambda factory=build_factory, shape=shape: factory().build(shape), legit)

# node API
def functional():
    inp = layers.Input((3,))
    dense = layers.Dense(2)
    out = dense(inp)
    return dense, layers.Model(inp, out)


for meth in ("get_input_at", "get_output_at", "get_input_shape_at", "get_output_shape_at",
             "get_input_mask_at", "get_output_mask_at"):
    for iname, index in {"5": 5, "-1": -1, "'0'": "0", "None": None, "1.0": 1.0, "True": True}.items():
        legit = "Keras: -1 indexes the last node (a Python list index)" if iname == "-1" else None
        case(f"Dense.{meth}({iname})", lambda meth=meth, index=index: getattr(functional()[0], meth)(index), legit)
ATTR = "Keras raises AttributeError for an unconnected layer's attribute (hasattr relies on it)"
case("unbuilt Dense.input", lambda: layers.Dense(2).input, raw_ok=ATTR)
case("unbuilt Dense.output", lambda: layers.Dense(2).output, raw_ok=ATTR)
case("unbuilt Dense.input_shape", lambda: layers.Dense(2).input_shape, raw_ok=ATTR)
case("eager-called Dense.output", lambda: built(layers.Dense(2)).output, raw_ok=ATTR)

# InputSpec
for label, kwargs in {"ndim='2'": dict(ndim="2"), "ndim=-1": dict(ndim=-1), "min_ndim=2.5": dict(min_ndim=2.5),
                      "max_ndim='x'": dict(max_ndim="x"), "axes=5": dict(axes=5), "axes={'a': 1}": dict(axes={"a": 1}),
                      "axes={-1: 'x'}": dict(axes={-1: "x"}), "shape=5": dict(shape=5), "shape=('a',)": dict(shape=("a",)),
                      "dtype=5": dict(dtype=5), "min>max": dict(min_ndim=3, max_ndim=2),
                      "ndim and shape disagree": dict(ndim=3, shape=(None, 2))}.items():
    def spec(kwargs=kwargs):
        layer = layers.Dense(2)
        layer.input_spec = layers.InputSpec(**kwargs)
        return layer(X)
    case(f"InputSpec({label}) then call", spec)

# Input / InputLayer
for label, fn in {
    "Input(shape='3')": lambda: layers.Input("3"), "Input(shape=(-1,))": lambda: layers.Input((-1,)),
    "Input(shape=(2.5,))": lambda: layers.Input((2.5,)), "Input(shape=3)": lambda: layers.Input(3),
    "Input(shape=None)": lambda: layers.Input(), "Input(batch_size=-1)": lambda: layers.Input((3,), batch_size=-1),
    "Input(batch_size='8')": lambda: layers.Input((3,), batch_size="8"),
    "Input(dtype='bogus')": lambda: layers.Input((3,), dtype="bogus"), "Input(dtype=5)": lambda: layers.Input((3,), dtype=5),
    "Input(name=5)": lambda: layers.Input((3,), name=5),
    "Input(shape and batch_shape)": lambda: layers.Input((3,), batch_shape=(None, 3)),
    "Input(batch_shape='x')": lambda: layers.Input(batch_shape="x"),
    "Input(bogus kwarg)": lambda: layers.Input((3,), bogus=1),
    "Input(shape=(None,))": lambda: layers.Input((None,)),
    "Input(shape=((3,),))": lambda: layers.Input(((3,),)),
    "InputLayer(input_shape='x')": lambda: layers.InputLayer(input_shape="x"),
    "InputLayer(batch_size=0)": lambda: layers.InputLayer(input_shape=(3,), batch_size=0),
    "InputLayer(dtype='bogus')": lambda: layers.InputLayer(input_shape=(3,), dtype="bogus"),
    "InputLayer(input_shape+batch_input_shape)": lambda: layers.InputLayer(input_shape=(3,), batch_input_shape=(None, 3)),
    "InputLayer called on data": lambda: layers.InputLayer(input_shape=(3,))(X),
    "InputLayer(sparse=True)": lambda: layers.InputLayer(input_shape=(3,), sparse=True),
}.items():
    legit = {
             "Input(shape=(None,))": "unknown width is valid", "Input(shape=3)": "Keras accepts an int shape",
             "InputLayer called on data": "Keras passes data through an InputLayer"}.get(label)
    case(label, fn, legit)

# -- 4. Sequential / Model construction --------------------------------------------------
def functional_two_inputs():
    a, b = layers.Input((3,)), layers.Input((3,))
    return a, b, layers.Dense(2)(a)


for label, fn in {
    "Sequential(5)": lambda: layers.Sequential(5),
    "Sequential('abc')": lambda: layers.Sequential("abc"),
    "Sequential([5])": lambda: layers.Sequential([5]),
    "Sequential([None])": lambda: layers.Sequential([None]),
    "Sequential([Dense class])": lambda: layers.Sequential([layers.Dense]),
    "Sequential([lambda])": lambda: layers.Sequential([lambda x: x]),
    "Sequential(duplicate names)": lambda: layers.Sequential([layers.Dense(2, name="d"), layers.Dense(2, name="d")]),
    "Sequential(same layer twice)": lambda: layers.Sequential([layers.Dense(3), ] * 2).build((None, 3)),
    "Sequential(name=5)": lambda: layers.Sequential(name=5),
    "Sequential.add(5)": lambda: layers.Sequential().add(5),
    "Sequential.add(None)": lambda: layers.Sequential().add(None),
    "Sequential.pop() empty": lambda: layers.Sequential().pop(),
    "Sequential([]) called": lambda: layers.Sequential([])(X),
    "Sequential.build('abc')": lambda: mlp(built=False, compiled=False).build("abc"),
    "Sequential.build(None)": lambda: mlp(built=False, compiled=False).build(None),
    "Model(5, 6)": lambda: layers.Model(5, 6),
    "Model(inputs=None, outputs=x)": lambda: layers.Model(None, functional_two_inputs()[2]),
    "Model(inputs, outputs=None)": lambda: layers.Model(layers.Input((3,)), None),
    "Model(disconnected)": lambda: layers.Model(functional_two_inputs()[1], functional_two_inputs()[2]),
    "Model(inputs=numpy array)": lambda: layers.Model(X, layers.Dense(2)(layers.Input((3,)))),
    "Model(outputs=numpy array)": lambda: layers.Model(layers.Input((3,)), X),
    "Model(inputs=[x, x])": lambda: (lambda a: layers.Model([a, a], layers.Dense(2)(a)))(layers.Input((3,))),
    "Model(duplicate layer names)": lambda: (lambda a: layers.Model(a, layers.Dense(2, name="d")(layers.Dense(3, name="d")(a))))(layers.Input((3,))),
    "Model(bogus kwarg)": lambda: (lambda a: layers.Model(a, layers.Dense(2)(a), bogus=1))(layers.Input((3,))),
    "Model(name=5)": lambda: (lambda a: layers.Model(a, layers.Dense(2)(a), name=5))(layers.Input((3,))),
    "Model.get_layer('nope')": lambda: mlp().get_layer("nope"),
    "Model.get_layer(index=99)": lambda: mlp().get_layer(index=99),
    "Model.get_layer(index='0')": lambda: mlp().get_layer(index="0"),
    "Model.get_layer()": lambda: mlp().get_layer(),
    "Model.get_layer(name=5)": lambda: mlp().get_layer(name=5),
    "functional model called on 2 arrays": lambda: functional()[1]([X, X]),
    "functional model called on width 5": lambda: functional()[1](np.zeros((2, 5), "float32")),
}.items():
    legit = {"Sequential(same layer twice)": "Keras allows reusing a layer whose shapes fit",
             "Sequential([]) called": "a chain of no layers is the identity: it returns its input"}.get(label)
    case(label, fn, legit)

# -- 5. compile ----------------------------------------------------------------------
COMPILE = {
    "optimizer=5": dict(optimizer=5), "optimizer='nope'": dict(optimizer="nope"), "optimizer=None": dict(optimizer=None),
    "optimizer={}": dict(optimizer={}), "optimizer={'class_name': 'Bogus'}": dict(optimizer={"class_name": "Bogus"}),
    "loss=5": dict(loss=5), "loss='nope'": dict(loss="nope"), "loss=[5]": dict(loss=[5]),
    "loss={'nope': 'mse'}": dict(loss={"nope": "mse"}), "loss=['mse','mse'] for 1 output": dict(loss=["mse", "mse"]),
    "metrics=['nope']": dict(metrics=["nope"]), "metrics='accuracy' (str)": dict(metrics="accuracy"),
    "metrics=5": dict(metrics=5), "metrics=[5]": dict(metrics=[5]), "metrics=[None]": dict(metrics=[None]),
    "metrics={'nope': ['mae']}": dict(metrics={"nope": ["mae"]}),
    "loss_weights=5 (one output)": dict(loss_weights=5), "loss_weights='a'": dict(loss_weights="a"),
    "loss_weights=[nan]": dict(loss_weights=[NAN]), "loss_weights=[1, 2]": dict(loss_weights=[1, 2]),
    "loss_weights={'nope': 1}": dict(loss_weights={"nope": 1}), "loss_weights=[-1]": dict(loss_weights=[-1]),
    "loss_weights=['a']": dict(loss_weights=["a"]),
    "weighted_metrics=['nope']": dict(weighted_metrics=["nope"]), "weighted_metrics=5": dict(weighted_metrics=5),
    "run_eagerly='no'": dict(run_eagerly="no"), "run_eagerly=5": dict(run_eagerly=5),
    "bogus kwarg": dict(bogus=1), "steps_per_execution=0": dict(steps_per_execution=0),
    "jit_compile='x'": dict(jit_compile="x"),
}
for label, kwargs in COMPILE.items():
    def comp(kwargs=kwargs):
        model = mlp(compiled=False)
        model.compile(**{"loss": "mse", **kwargs})
        model.train_on_batch(X, Y)
    legit = {"metrics='accuracy' (str)": None, "loss_weights=5 (one output)": None,
             "loss_weights=[-1]": "Keras accepts negative loss weights (a user's choice)"}.get(label)
    if label == "optimizer=None":
        legit = None
    case(f"compile({label})", comp, legit)

# -- 6. fit / evaluate / predict / *_on_batch --------------------------------------------
FIT = {
    "x=None": dict(x=None), "y=None (loss needs y)": dict(y=None), "x='abc'": dict(x="abc"),
    "x=5": dict(x=5), "x=object()": dict(x=object()), "y='abc'": dict(y="abc"),
    "mismatched lengths": dict(y=Y[:5]), "x width 5": dict(x=np.zeros((8, 5), "float32")),
    "y width 3": dict(y=np.zeros((8, 3), "float32")), "y rank 3": dict(y=np.zeros((8, 2, 2), "float32")),
    "x rank 1": dict(x=X[:, 0]), "x empty": dict(x=X[:0], y=Y[:0]), "x dict wrong key": dict(x={"nope": X}),
    "x list of 2": dict(x=[X, X]), "y dict wrong key": dict(y={"nope": Y}), "y list of 2": dict(y=[Y, Y]),
    "x object array": dict(x=X.astype(object)), "x complex": dict(x=X.astype("complex64")),
    "x string array": dict(x=X.astype(str)), "y string array": dict(y=Y.astype(str)),
    "x ragged list": dict(x=[[1.0, 2.0, 3.0], [1.0]]), "x NaN": dict(x=X * NAN),
    "sample_weight wrong length": dict(sample_weight=np.ones(5)), "sample_weight 'a'": dict(sample_weight="a"),
    "sample_weight rank 3": dict(sample_weight=np.ones((8, 2, 2))), "sample_weight negative": dict(sample_weight=-np.ones(8)),
    "sample_weight NaN": dict(sample_weight=np.full(8, NAN)), "sample_weight dict": dict(sample_weight={"a": np.ones(8)}),
    "sample_weight string array": dict(sample_weight=np.array(["a"] * 8)),
    "class_weight={'a': 1}": dict(class_weight={"a": 1}), "class_weight={0: 'x'}": dict(class_weight={0: "x"}),
    "class_weight=5": dict(class_weight=5), "class_weight={5: 1} (no class 5)": dict(class_weight={5: 1.0}),
    "class_weight={0: nan}": dict(class_weight={0: NAN}), "class_weight={-1: 1}": dict(class_weight={-1: 1.0}),
    "class_weight={0.5: 1}": dict(class_weight={0.5: 1.0}),
    "validation_data=5": dict(validation_data=5), "validation_data=(X,)": dict(validation_data=(X,)),
    "validation_data=(X, Y, w, extra)": dict(validation_data=(X, Y, None, None)),
    "validation_data=(X, Y[:5])": dict(validation_data=(X, Y[:5])), "validation_data='abc'": dict(validation_data="abc"),
    "validation_data=(X width 5, Y)": dict(validation_data=(np.zeros((8, 5), "float32"), Y)),
    "validation_data=[X, Y] (list)": dict(validation_data=[X, Y]),
    "validation_split=1.0": dict(validation_split=1.0), "validation_split=-0.1": dict(validation_split=-0.1),
    "validation_split='0.1'": dict(validation_split="0.1"), "validation_split=0.99 (1 sample left? 0)": dict(validation_split=0.99),
    "callbacks=5": dict(callbacks=5), "callbacks=EarlyStopping() (not a list)": dict(callbacks=callbacks.EarlyStopping()),
    "callbacks=[5]": dict(callbacks=[5]), "callbacks=['x']": dict(callbacks=["x"]), "callbacks=[None]": dict(callbacks=[None]),
    "batch_size='32'": dict(batch_size="32"), "batch_size=0": dict(batch_size=0), "batch_size=2.5": dict(batch_size=2.5),
    "epochs='2'": dict(epochs="2"), "epochs=-1": dict(epochs=-1), "epochs=2.5": dict(epochs=2.5),
    "verbose=5": dict(verbose=5), "verbose='x'": dict(verbose="x"), "shuffle='no'": dict(shuffle="no"),
    "shuffle='batch'": dict(shuffle="batch"), "initial_epoch=-1": dict(initial_epoch=-1),
    "initial_epoch=5 > epochs": dict(initial_epoch=5), "steps_per_epoch=0": dict(steps_per_epoch=0),
    "steps_per_epoch='a'": dict(steps_per_epoch="a"), "validation_steps=-1": dict(validation_data=(X, Y), validation_steps=-1),
    "validation_batch_size=0": dict(validation_data=(X, Y), validation_batch_size=0),
    "validation_freq=0": dict(validation_data=(X, Y), validation_freq=0),
    "validation_freq='a'": dict(validation_data=(X, Y), validation_freq="a"),
    "validation_freq=[0]": dict(validation_data=(X, Y), validation_freq=[0]),
    "bogus kwarg": dict(bogus=1), "max_queue_size=-1": dict(max_queue_size=-1),
    "x generator": dict(x=(X for _ in range(2)), y=None),
}
for label, kwargs in FIT.items():
    def fit(kwargs=kwargs):
        model = mlp()
        args = {"x": X, "y": Y, "verbose": 0, **kwargs}
        return model.fit(**args)
    legit = {"x empty": None, "validation_data=[X, Y] (list)": "Keras 2 unpacks a list (x, y)",
             "callbacks=EarlyStopping() (not a list)": "Keras flattens callbacks: a single one is fine",
             "x NaN": "NaN data trains to NaN, as Keras (no data scan on the hot path)",
             "sample_weight negative": "Keras accepts negative sample weights",
             "sample_weight NaN": "data values are not scanned (as Keras)",
             "initial_epoch=5 > epochs": "Keras returns an empty history",

             "class_weight={5: 1} (no class 5)": "", "class_weight={0: nan}": None}.get(label)
    case(f"fit({label})", fit, legit or None)

EVAL = {"x=None": dict(x=None), "x='abc'": dict(x="abc"), "mismatched lengths": dict(y=Y[:5]),
        "x width 5": dict(x=np.zeros((8, 5), "float32")), "sample_weight wrong length": dict(sample_weight=np.ones(5)),
        "batch_size='32'": dict(batch_size="32"), "steps=0": dict(steps=0), "steps='a'": dict(steps="a"),
        "callbacks=5": dict(callbacks=5), "return_dict='no'": dict(return_dict="no"), "verbose=-1": dict(verbose=-1),
        "bogus kwarg": dict(bogus=1), "x list of 2": dict(x=[X, X]), "y dict": dict(y={"nope": Y}),
        "x object array": dict(x=X.astype(object)), "y=None": dict(y=None)}
for label, kwargs in EVAL.items():
    def ev(kwargs=kwargs):
        return mlp().evaluate(**{"x": X, "y": Y, "verbose": 0, **kwargs})
    case(f"evaluate({label})", ev)

PRED = {"x=None": dict(x=None), "x='abc'": dict(x="abc"), "x width 5": dict(x=np.zeros((8, 5), "float32")),
        "batch_size=0": dict(batch_size=0), "batch_size='2'": dict(batch_size="2"), "steps=-1": dict(steps=-1),
        "callbacks=5": dict(callbacks=5), "verbose='x'": dict(verbose="x"), "x dict": dict(x={"a": X}),
        "x list of 2": dict(x=[X, X]), "x empty": dict(x=X[:0]), "x complex": dict(x=X.astype("complex64")),
        "x tuple (X, Y)": dict(x=(X, Y)), "bogus kwarg": dict(bogus=1)}
for label, kwargs in PRED.items():
    def pr(kwargs=kwargs):
        return mlp().predict(**{"x": X, "verbose": 0, **kwargs})
    legit = {
             "x tuple (X, Y)": "Keras unpacks (x, y) and predicts on x"}.get(label)
    case(f"predict({label})", pr, legit)

ON_BATCH = {"x=None": dict(x=None), "x='abc'": dict(x="abc"), "mismatched lengths": dict(y=Y[:5]),
            "x width 5": dict(x=np.zeros((8, 5), "float32")), "y width 3": dict(y=np.zeros((8, 3), "float32")),
            "sample_weight wrong length": dict(sample_weight=np.ones(5)), "sample_weight='a'": dict(sample_weight="a"),
            "reset_metrics='no'": dict(reset_metrics="no"), "return_dict='no'": dict(return_dict="no"),
            "x dict": dict(x={"nope": X}), "y list of 2": dict(y=[Y, Y]), "x object array": dict(x=X.astype(object)),
            "x empty": dict(x=X[:0], y=Y[:0]), "bogus kwarg": dict(bogus=1)}
for meth in ("train_on_batch", "test_on_batch"):
    for label, kwargs in ON_BATCH.items():
        def ob(meth=meth, kwargs=kwargs):
            return getattr(mlp(), meth)(**{"x": X, "y": Y, **kwargs})
        legit = ("Keras: the loss of an empty batch is 0 (div_no_nan); nothing trains"
                 if label == "x empty" else None)
        case(f"{meth}({label})", ob, legit)
case("train_on_batch(class_weight={'a': 1})", lambda: mlp().train_on_batch(X, Y, class_weight={"a": 1}))
case("train_on_batch(class_weight=5)", lambda: mlp().train_on_batch(X, Y, class_weight=5))
for label, x in {"None": None, "'abc'": "abc", "width 5": np.zeros((8, 5), "float32"), "dict": {"a": X},
                 "object array": X.astype(object), "list of 2": [X, X], "rank 1": X[0]}.items():
    case(f"predict_on_batch({label})", lambda x=x: mlp().predict_on_batch(x))
COMPILE_FIRST = "a state error, not an argument: Keras raises RuntimeError, the message says the fix"
case("fit before compile", lambda: mlp(compiled=False).fit(X, Y, verbose=0), raw_ok=COMPILE_FIRST)
case("evaluate before compile", lambda: mlp(compiled=False).evaluate(X, Y, verbose=0), raw_ok=COMPILE_FIRST)
case("train_on_batch before compile", lambda: mlp(compiled=False).train_on_batch(X, Y), raw_ok=COMPILE_FIRST)
case("predict on unbuilt model with no data shape", lambda: mlp(built=False).predict(None))

# -- 7. weights files and summary ---------------------------------------------------------
def _enter(context):
    with context:
        pass


def path(name):
    return os.path.join(TMP, name)


WEIGHTS = {
    "save_weights(None)": lambda: mlp().save_weights(None),
    "save_weights(5)": lambda: mlp().save_weights(5),
    "save_weights('')": lambda: mlp().save_weights(""),
    "save_weights('w.h5')": lambda: mlp().save_weights(path("w.h5")),
    "save_weights('w.txt')": lambda: mlp().save_weights(path("w.txt")),
    "save_weights(dir)": lambda: mlp().save_weights(TMP),
    "save_weights(missing dir)": lambda: mlp().save_weights(path("nope/w.weights.npz")),
    "save_weights(overwrite='no')": lambda: mlp().save_weights(path("a.weights.npz"), overwrite="no"),
    "save_weights(bogus kwarg)": lambda: mlp().save_weights(path("b.weights.npz"), bogus=1),
    "save_weights(unbuilt)": lambda: mlp(built=False).save_weights(path("c.weights.npz")),
    "save_weights(save_format='h5')": lambda: mlp().save_weights(path("d.weights.npz"), save_format="h5"),
    "load_weights(None)": lambda: mlp().load_weights(None),
    "load_weights(5)": lambda: mlp().load_weights(5),
    "load_weights(missing)": lambda: mlp().load_weights(path("missing.weights.npz")),
    "load_weights(dir)": lambda: mlp().load_weights(TMP),
    "load_weights(text file)": lambda: (open(path("t.weights.npz"), "w").write("hello"), mlp().load_weights(path("t.weights.npz"))),
    "load_weights(empty file)": lambda: (open(path("e.weights.npz"), "w").close(), mlp().load_weights(path("e.weights.npz"))),
    "load_weights(other model)": lambda: (layers.Sequential([layers.Dense(7)]).build((None, 3)) or None,
                                          _save_other(), mlp().load_weights(path("other.weights.npz"))),
    "load_weights(by_name='x')": lambda: mlp().load_weights(path("x.weights.npz"), by_name="x"),
    "load_weights(skip_mismatch=True)": lambda: mlp().load_weights(path("x.weights.npz"), skip_mismatch=True),
    "load_weights(pathlib of missing)": lambda: __import__("pathlib").Path(path("missing2.weights.npz")) and
    mlp().load_weights(__import__("pathlib").Path(path("missing2.weights.npz"))),
    "load_weights(bytes path missing)": lambda: mlp().load_weights(path("missing3.weights.npz").encode()),
    "load_weights(plain npz)": lambda: (np.savez(path("plain.npz"), a=np.ones(3)), mlp().load_weights(path("plain.npz"))),
}


def _save_other():
    other = layers.Sequential([layers.Dense(7)])
    other.build((None, 3))
    other.save_weights(path("other.weights.npz"))


for label, fn in WEIGHTS.items():
    raw_ok = ("an OSError naming the path, as Keras and open() raise (documented in load_weights)"
              if label in ("save_weights(missing dir)", "load_weights(missing)", "load_weights(dir)",
                           "load_weights(pathlib of missing)", "load_weights(bytes path missing)") else None)
    case(label, fn, raw_ok=raw_ok)

for label, kwargs in {"line_length=-1": dict(line_length=-1), "line_length='x'": dict(line_length="x"),
                      "line_length=0": dict(line_length=0), "line_length=5": dict(line_length=5),
                      "positions=[2]": dict(positions=[2]), "positions='x'": dict(positions="x"),
                      "positions=[0.5, 0.2, 0.9]": dict(positions=[0.5, 0.2, 0.9]),
                      "positions=[-1, 2, 3]": dict(positions=[-1, 2, 3]),
                      "print_fn=5": dict(print_fn=5), "show_trainable='no'": dict(show_trainable="no"),
                      "expand_nested='x'": dict(expand_nested="x"), "unbuilt": dict(), }.items():
    def summ(kwargs=kwargs, label=label):
        model = mlp(built=label != "unbuilt")
        buf = io.StringIO()
        kwargs = {"print_fn": lambda s, **k: buf.write(s), **kwargs}
        model.summary(**kwargs)
        return buf.getvalue()
    legit = {"line_length=5": "Keras truncates columns to fit any positive width"}.get(label)
    case(f"summary({label})", summ, legit)

# -- 8. callbacks -------------------------------------------------------------------------
for label, fn in {
    "EarlyStopping(monitor=5)": lambda: callbacks.EarlyStopping(monitor=5),
    "EarlyStopping(monitor=None)": lambda: callbacks.EarlyStopping(monitor=None),
    "EarlyStopping(patience=-1)": lambda: callbacks.EarlyStopping(patience=-1),
    "EarlyStopping(patience='3')": lambda: callbacks.EarlyStopping(patience="3"),
    "EarlyStopping(patience=2.5)": lambda: callbacks.EarlyStopping(patience=2.5),
    "EarlyStopping(mode='bogus')": lambda: callbacks.EarlyStopping(mode="bogus"),
    "EarlyStopping(mode=5)": lambda: callbacks.EarlyStopping(mode=5),
    "EarlyStopping(min_delta='x')": lambda: callbacks.EarlyStopping(min_delta="x"),
    "EarlyStopping(min_delta=nan)": lambda: callbacks.EarlyStopping(min_delta=NAN),
    "EarlyStopping(min_delta=-1)": lambda: callbacks.EarlyStopping(min_delta=-1),
    "EarlyStopping(verbose='x')": lambda: callbacks.EarlyStopping(verbose="x"),
    "EarlyStopping(baseline='x')": lambda: callbacks.EarlyStopping(baseline="x"),
    "EarlyStopping(baseline=nan)": lambda: callbacks.EarlyStopping(baseline=NAN),
    "EarlyStopping(restore_best_weights='no')": lambda: callbacks.EarlyStopping(restore_best_weights="no"),
    "EarlyStopping(start_from_epoch=-1)": lambda: callbacks.EarlyStopping(start_from_epoch=-1),
    "EarlyStopping(bogus kwarg)": lambda: callbacks.EarlyStopping(bogus=1),
    "EarlyStopping(monitor='nope') in fit": lambda: mlp().fit(X, Y, verbose=0, epochs=2,
                                                              callbacks=[callbacks.EarlyStopping(monitor="nope")]),
    "LambdaCallback(on_epoch_end=5)": lambda: callbacks.LambdaCallback(on_epoch_end=5),
    "LambdaCallback(bogus=f)": lambda: callbacks.LambdaCallback(bogus=print),
    "LambdaCallback(on_epoch_end wrong arity) in fit": lambda: mlp().fit(
        X, Y, verbose=0, callbacks=[callbacks.LambdaCallback(on_epoch_end=lambda: None)]),
    "ProgbarLogger(count_mode='x')": lambda: callbacks.ProgbarLogger(count_mode="x"),
    "CallbackList(5)": lambda: callbacks.CallbackList(5),
    "CallbackList([5])": lambda: callbacks.CallbackList([5]),
    "Callback.set_model(5)": lambda: callbacks.Callback().set_model(5),
    "History() used before fit": lambda: callbacks.History().history["loss"],
}.items():
    legit = {"EarlyStopping(min_delta=-1)": "Keras takes abs(min_delta)",
             "EarlyStopping(monitor='nope') in fit": "Keras warns (a log key may appear later)",
             "Callback.set_model(5)": "Keras stores any model object",
             "EarlyStopping(monitor=None)": None}.get(label)
    raw_ok = {"LambdaCallback(on_epoch_end wrong arity) in fit": "the user's own function raises (Keras: same)",
              "History() used before fit": "a plain dict lookup of a key not there yet (Keras: same)"}.get(label)
    case(label, fn, legit, raw_ok)

# -- 9. lookups: initializers, regularizers, constraints, activations, backend --------------
for mod in (initializers, regularizers, constraints, activations):
    mname = mod.__name__.split(".")[-1]
    for label, value in {"'nope'": "nope", "5": 5, "{}": {}, "{'class_name': 'Nope'}": {"class_name": "Nope", "config": {}},
                         "{'config': {}}": {"config": {}}, "[1]": [1], "object()": object(), "''": "",
                         "{'class_name': 5}": {"class_name": 5, "config": {}},
                         "{'class_name': L2-ish, config=5}": {"class_name": "L2" if mname == "regularizers" else
                                                              "Zeros" if mname == "initializers" else
                                                              "NonNeg" if mname == "constraints" else "relu",
                                                              "config": 5},
                         "{'class_name': ..., config bad key}": {"class_name": "L2" if mname == "regularizers" else
                                                                 "Zeros" if mname == "initializers" else
                                                                 "NonNeg" if mname == "constraints" else "relu",
                                                                 "config": {"bogus": 1}}}.items():
        case(f"{mname}.get({label})", lambda mod=mod, value=value: mod.get(value))
    case(f"{mname}.deserialize(5)", lambda mod=mod: mod.deserialize(5))
    case(f"{mname}.deserialize('nope')", lambda mod=mod: mod.deserialize("nope"))
    case(f"{mname}.serialize(5)", lambda mod=mod: mod.serialize(5))
    case(f"{mname}.serialize(None)", lambda mod=mod: mod.serialize(None), "Keras: serialize(None) is None")

for label, fn in {
    "RandomNormal(stddev=-1)": lambda: initializers.RandomNormal(stddev=-1),
    "RandomUniform(minval=2, maxval=1)": lambda: initializers.RandomUniform(minval=2, maxval=1),
    "Constant('a')": lambda: initializers.Constant("a"),
    "Constant(None)": lambda: initializers.Constant(None),
    "Constant([1,2]) on (3,)": lambda: initializers.Constant([1.0, 2.0])((3,)),
    "Zeros()(shape='a')": lambda: initializers.Zeros()("a"),
    "Zeros()(shape=(-1,))": lambda: initializers.Zeros()((-1,)),
    "Zeros()((2,), dtype='bogus')": lambda: initializers.Zeros()((2,), dtype="bogus"),
    "GlorotUniform()(shape=())": lambda: initializers.GlorotUniform()(()),
    "GlorotUniform()((2,), dtype='int32')": lambda: initializers.GlorotUniform()((2,), dtype="int32"),
    "Orthogonal()((3,))": lambda: initializers.Orthogonal()((3,)),
    "Orthogonal(gain='a')": lambda: initializers.Orthogonal(gain="a"),
    "Identity()((2,3,4))": lambda: initializers.Identity()((2, 3, 4)),
    "VarianceScaling(scale=0)": lambda: initializers.VarianceScaling(scale=0),
    "VarianceScaling(mode='x')": lambda: initializers.VarianceScaling(mode="x"),
    "VarianceScaling(distribution='x')": lambda: initializers.VarianceScaling(distribution="x"),
    "TruncatedNormal(seed='a')": lambda: initializers.TruncatedNormal(seed="a"),
    "Initializer.from_config(5)": lambda: initializers.Zeros.from_config(5),
    "RandomNormal.from_config({'bogus':1})": lambda: initializers.RandomNormal.from_config({"bogus": 1}),
    "L2(l2=-1)": lambda: regularizers.L2(-1), "L2('a')": lambda: regularizers.L2("a"), "L1(nan)": lambda: regularizers.L1(NAN),
    "L1L2(l1=-1)": lambda: regularizers.L1L2(l1=-1), "L2()(None)": lambda: regularizers.L2(0.1)(None),
    "L2()('a')": lambda: regularizers.L2(0.1)("a"),
    "OrthogonalRegularizer(mode='x')": lambda: regularizers.OrthogonalRegularizer(mode="x"),
    "OrthogonalRegularizer()(rank 1)": lambda: regularizers.OrthogonalRegularizer()(np.ones(3, "float32")),
    "L2.from_config({'bogus': 1})": lambda: regularizers.L2.from_config({"bogus": 1}),
    "MaxNorm(max_value=-1)": lambda: constraints.MaxNorm(-1), "MaxNorm(axis='a')": lambda: constraints.MaxNorm(axis="a"),
    "MaxNorm(axis=5)(2-d)": lambda: constraints.MaxNorm(axis=5)(np.ones((2, 2), "float32")),
    "MinMaxNorm(min=2, max=1)": lambda: constraints.MinMaxNorm(2, 1),
    "MinMaxNorm(rate=2)": lambda: constraints.MinMaxNorm(rate=2),
    "UnitNorm(axis=2.5)": lambda: constraints.UnitNorm(axis=2.5),
    "NonNeg()(None)": lambda: constraints.NonNeg()(None), "NonNeg()('a')": lambda: constraints.NonNeg()("a"),
    "MaxNorm.from_config(5)": lambda: constraints.MaxNorm.from_config(5),
    "activations.relu('a')": lambda: activations.relu("a"), "activations.relu(None)": lambda: activations.relu(None),
    "activations.softmax(x, axis=5)": lambda: activations.softmax(X, axis=5),
    "activations.softmax(x, axis='a')": lambda: activations.softmax(X, axis="a"),
    "activations.softmax(rank 1)": lambda: activations.softmax(np.ones(3, "float32")),
    "activations.relu(x, alpha='a')": lambda: activations.relu(X, alpha="a"),
    "activations.relu(x, max_value=-1)": lambda: activations.relu(X, max_value=-1),
    "activations.relu(x, threshold=nan)": lambda: activations.relu(X, threshold=NAN),
    "activations.elu(x, alpha='a')": lambda: activations.elu(X, alpha="a"),
    "activations.leaky_relu(x, negative_slope='a')": lambda: activations.leaky_relu(X, negative_slope="a"),
    "activations.relu(object array)": lambda: activations.relu(X.astype(object)),
    "activations.relu(str array)": lambda: activations.relu(X.astype(str)),
    "backend.set_learning_phase(5)": lambda: backend.set_learning_phase(5),
    "backend.set_learning_phase('no')": lambda: backend.set_learning_phase("no"),
    "backend.set_learning_phase(None)": lambda: backend.set_learning_phase(None),
    "backend.learning_phase_scope(5)": lambda: _enter(backend.learning_phase_scope(5)),
    "backend.learning_phase_scope('no')": lambda: _enter(backend.learning_phase_scope("no")),
    "backend.get_uid(5)": lambda: backend.get_uid(5),
    "backend.unique_name(None)": lambda: backend.unique_name(None),
    "backend.to_snake_case(5)": lambda: backend.to_snake_case(5),
    "backend.get_collection(5)": lambda: backend.get_collection(5),
    "backend.add_to_collection(None, 1)": lambda: backend.add_to_collection(None, 1),
    "backend.name_scope(5)": lambda: _enter(backend.name_scope(5)),
    "layers.get_collection(5)": lambda: layers.get_collection(5),
}.items():
    legit = {"backend.set_learning_phase(None)": "None unsets the learning phase (valid)",
             "L2(l2=-1)": "tf-keras accepts negative factors (test_regularizers pins it)",
             "L1L2(l1=-1)": "tf-keras accepts negative factors (test_regularizers pins it)",
             "GlorotUniform()(shape=())": "Keras: a scalar has fan_in = fan_out = 1",
             "activations.relu(x, max_value=-1)": "Keras takes any finite max_value",
             "backend.get_uid(5)": "Keras counts any hashable prefix",
             "backend.get_collection(5)": "TF collections take any hashable key",
             "layers.get_collection(5)": "TF collections take any hashable key",
             "backend.add_to_collection(None, 1)": "TF collections take any hashable key",
             "backend.name_scope(5)": "internal context that every layer call enters with a Layer; "
                                      "not checked on the hot path"}.get(label)
    case(label, fn, legit)

# -- 10. layers.functional.batch_normalization and the TF1 V1 update ops --------------------
FBN = {"inputs=None": dict(inputs=None), "inputs='abc'": dict(inputs="abc"), "axis=5": dict(axis=5),
       "axis='a'": dict(axis="a"), "momentum=5": dict(momentum=5), "epsilon=-1": dict(epsilon=-1),
       "center='no'": dict(center="no"), "training='no'": dict(training="no"), "training=2": dict(training=2),
       "trainable='no'": dict(trainable="no"), "name=5": dict(name=5), "reuse='x'": dict(reuse="x"),
       "reuse=True (no such layer)": dict(reuse=True, name="never_made"), "fused='x'": dict(fused="x"),
       "virtual_batch_size=3": dict(virtual_batch_size=3, training=True), "renorm_clipping=5": dict(renorm_clipping=5),
       "beta_initializer='nope'": dict(beta_initializer="nope"), "adjustment=5": dict(adjustment=5),
       "inputs object array": dict(inputs=X.astype(object)), "inputs rank 0": dict(inputs=np.float32(1.0)),
       "bogus kwarg": dict(bogus=1), "inputs complex": dict(inputs=X.astype("complex64"))}
for label, kwargs in FBN.items():
    def fbn(kwargs=kwargs):
        return layers.batch_normalization(**{"inputs": X, **kwargs})
    legit = ("Keras ignores renorm_clipping with renorm=False (as the BatchNormalization layer)"
             if label == "renorm_clipping=5" else None)
    case(f"batch_normalization({label})", fbn, legit)
case("batch_normalization(reuse, other shape)", lambda: (layers.batch_normalization(X, name="bn_r"),
                                                         layers.batch_normalization(np.zeros((4, 5), "float32"), name="bn_r", reuse=True)))
case("batch_normalization(same name, no reuse)", lambda: (layers.batch_normalization(X, name="bn_dup"),
                                                          layers.batch_normalization(X, name="bn_dup")))
for label, fn in {
    "V1 BN .updates run twice": lambda: [u() for u in built(layers_v1.BatchNormalization()).updates * 2],
    "get_collection('nope')": lambda: layers.get_collection("nope"),
    "get_collection(None)": lambda: layers.get_collection(None),
    "V1 BN(momentum=5)": lambda: layers_v1.BatchNormalization(momentum=5),
    "V1 BN(renorm='x')": lambda: layers_v1.BatchNormalization(renorm="x"),
    "Layer.get_updates_for(5)": lambda: built(layers_v1.BatchNormalization()).get_updates_for(5),
    "Layer.get_losses_for('x')": lambda: built(layers.Dense(2)).get_losses_for("x"),
    "Update(5)": lambda: layers.Update(5),
    "Update(fn, name=5)": lambda: layers.Update(print, name=5),
    "Layer.to('tpu')": lambda: layers.Dense(2).to("tpu"), "Layer.to(5)": lambda: layers.Dense(2).to(5),
    "Layer.trainable = 'no'": lambda: setattr(layers.Dense(2), "trainable", "no"),
    "Layer.count_params() unbuilt": lambda: layers.Dense(2).count_params(),
    "Layer(name='a/b')": lambda: layers.Dense(2, name="a/b"),
    "Layer(bogus kwarg)": lambda: layers.Dense(2, bogus=1),
    "Dense(activation=5)": lambda: layers.Dense(2, activation=5),
}.items():
    legit = {"get_collection('nope')": "TF returns an empty list for an unknown collection",
             "get_collection(None)": "TF collections take any hashable key",
             "Layer(name='a/b')": "tf-keras accepts it (Keras 3 refuses '/'); weight names then read a/b/kernel:0",
             "V1 BN .updates run twice": "running an update twice is allowed (TF runs each op when asked)",
             "Layer.get_losses_for('x')": None}.get(label)
    case(label, fn, legit)


# -- run ------------------------------------------------------------------------------------
class CaseTimeout(Exception):
    """A case ran for more than 20 s (a hang: counted as a raw error)."""


def _alarm(signum, frame):
    raise CaseTimeout("no answer after 20 s (an endless loop?)")


def run(only_escapes: bool = False) -> dict:
    counts = {"named": 0, "raw": 0, "accepted": 0, "legit": 0, "python": 0, "keras-raw": 0}
    rows = []
    devnull = open(os.devnull, "w")
    trace = os.environ.get("CAMPAIGN_TRACE")
    for label, fn, legit, raw_ok in CASES:
        if trace:
            print(label, file=sys.stderr, flush=True)
        old_stdout = sys.stdout
        sys.stdout = devnull
        try:
            signal.signal(signal.SIGALRM, _alarm)
            signal.alarm(20)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn()
            outcome = "legit" if legit else "accepted"
            message = legit or ""
        except MinigradError as e:
            outcome, message = "named", f"{type(e).__name__}: {e}"
        except Exception as e:  # noqa: BLE001 - the campaign records every escape
            outcome, message = "raw", f"{type(e).__name__}: {e}"
            if isinstance(e, TypeError) and "got an unexpected keyword argument" in str(e):
                outcome = "python"
            elif raw_ok:
                outcome, message = "keras-raw", f"{type(e).__name__} ({raw_ok}): {e}"
        finally:
            signal.alarm(0)
            sys.stdout = old_stdout
            backend.clear_session()
        counts[outcome] += 1
        if not only_escapes or outcome in ("raw", "accepted"):
            rows.append((label, outcome, message.replace("\n", " ")[:150]))
    width = max(len(r[0]) for r in rows) if rows else 10
    for label, outcome, message in rows:
        print(f"{label:<{width}}  {outcome:<8}  {message}")
    print(f"\n{len(CASES)} calls: {counts['named']} named errors, {counts['raw']} raw errors, "
          f"{counts['accepted']} silent acceptances; legitimate: {counts['legit']} acceptances, "
          f"{counts['keras-raw']} built-in errors Keras raises too, {counts['python']} Python "
          "unknown-keyword TypeErrors")
    return counts


if __name__ == "__main__":
    run(only_escapes="--only-escapes" in sys.argv)
