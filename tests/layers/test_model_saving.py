"""Whole-model files: ``model.save("m.keras")``, ``layers.load_model`` and ``clone_model``.

Round trips must be bit-exact: the loaded model has the same class, layer names, weight
names, shapes, dtypes and values, gives the same predictions, and (compiled) goes on
training exactly as the original does on the same batches. Every way a file can be wrong
is made for real and must raise a named error that says what to do.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

import layers
import minigrad as mg
from layers.keras_file import FORMAT_VERSION
from layers.models import clone_model
from layers.weights_file import TEMP_PREFIX
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, ModelFileError, UnknownObjectError

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 3)).astype(np.float32)
X2 = RNG.standard_normal((16, 5)).astype(np.float32)
Y = RNG.standard_normal((16, 2)).astype(np.float32)
LABELS = RNG.integers(0, 2, size=16)


def assert_same_weights(a, b, same_names=True):
    # a subclassed model's inner layers are named afresh (their names are not in its config)
    if same_names:
        assert [w.name for w in a.weights] == [w.name for w in b.weights]
    got, want = b.get_weights(), a.get_weights()
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def assert_same_predictions(a, b, x):
    pa, pb = a.predict(x, verbose=0), b.predict(x, verbose=0)
    for g, w in zip(mg_flatten(pb), mg_flatten(pa)):
        assert g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def mg_flatten(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def round_trip(model, tmp_path, **load_kwargs):
    path = tmp_path / "m.keras"
    model.save(path)
    return layers.load_model(path, **load_kwargs)


def bn_dropout_model():
    model = layers.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.BatchNormalization(), layers.Dropout(0.5), layers.Dense(2)],
                              name="bn_dropout")
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    mg.random.seed(1)
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False)  # moving statistics move
    return model


# -- round trips, one per kind of model ------------------------------------------------------------
def test_sequential_with_batch_norm_and_dropout(tmp_path):
    model = bn_dropout_model()
    assert not np.array_equal(model.layers[1].moving_mean.numpy(), np.zeros(4))
    loaded = round_trip(model, tmp_path)
    assert type(loaded) is layers.Sequential and loaded.name == "bn_dropout"
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert loaded.get_config() == model.get_config()
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, X)


def test_sequential_built_by_its_first_call(tmp_path):
    model = layers.Sequential([layers.Dense(3), layers.Dense(1)])
    model(X)
    loaded = round_trip(model, tmp_path)
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, X)


def two_branch_model():
    a, b = layers.Input(shape=(3,), name="a"), layers.Input(shape=(5,), name="b")
    left = layers.Dense(4, activation="tanh", name="left")(a)
    right = layers.BatchNormalization(name="bn")(layers.Dense(4, name="right")(b))
    shared = layers.Dense(2, name="shared")
    out1, out2 = shared(left), shared(right)  # one layer, two nodes
    return layers.Model([a, b], [out1, out2], name="two_branch")


def test_functional_with_two_inputs_two_branches_and_a_shared_layer(tmp_path):
    model = two_branch_model()
    loaded = round_trip(model, tmp_path)
    assert type(loaded) is layers.Model and loaded.name == "two_branch"
    assert loaded.input_names == ["a", "b"] and loaded.output_names == model.output_names
    assert len(loaded.get_layer("shared")._inbound_nodes) == 2
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, [X, X2])


def test_nested_models(tmp_path):
    inner = layers.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.BatchNormalization()], name="inner")
    x = layers.Input(shape=(3,))
    middle = layers.Model(x, layers.Dense(3, name="head")(inner(x)), name="middle")
    outer = layers.Sequential([middle, layers.Dense(1, name="top")], name="outer")
    loaded = round_trip(outer, tmp_path)
    assert [type(layer) for layer in loaded.layers] == [layers.Model, layers.Dense]
    assert type(loaded.layers[0].get_layer("inner")) is layers.Sequential
    assert_same_weights(outer, loaded)
    assert_same_predictions(outer, loaded, X)


@layers.saving.register_keras_serializable(package="Tests")
class Scale(layers.Layer):
    """y = x * alpha + offset, with a trainable alpha per feature."""

    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def build(self, input_shape):
        self.alpha = self.add_weight("alpha", shape=(input_shape[-1],), initializer="random_normal")

    def call(self, inputs):
        return inputs * self.alpha + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


def test_custom_registered_layer_loads_without_custom_objects(tmp_path):
    model = layers.Sequential([layers.Dense(3, input_shape=(3,)), Scale(offset=0.25, name="scale")])
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    assert config["config"]["layers"][-1]["registered_name"] == "Tests>Scale"
    loaded = layers.load_model(path)
    assert type(loaded.layers[-1]) is Scale and loaded.layers[-1].offset == 0.25
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, X)


@layers.register_keras_serializable(package="Tests")
class TwoLayerNet(layers.Model):
    """A subclassed model with get_config."""

    def __init__(self, hidden=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.dense = layers.Dense(hidden, activation="relu")
        self.norm = layers.BatchNormalization()
        self.out = layers.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.norm(self.dense(inputs), training=training))

    def get_config(self):
        return {"name": self.name, "hidden": self.hidden}


def test_subclassed_model_with_get_config(tmp_path):
    model = TwoLayerNet(hidden=5, name="net")
    model.compile("sgd", "mse")
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    loaded = round_trip(model, tmp_path)
    assert type(loaded) is TwoLayerNet and loaded.hidden == 5 and loaded.name == "net"
    assert_same_weights(model, loaded, same_names=False)
    assert_same_predictions(model, loaded, X)


def test_subclassed_model_without_get_config_is_refused(tmp_path):
    class Plain(layers.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)
    model = Plain()
    model(X)
    with pytest.raises(NotImplementedError, match="subclassed model.*Override get_config.*save_weights"):
        model.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


# -- compile state -------------------------------------------------------------------------------
def train_steps(model, seed):
    losses = []
    for step in range(4):
        mg.random.seed(seed + step)  # the same dropout masks for both models
        batch = slice(4 * step, 4 * step + 4)
        losses.append(model.train_on_batch(X[batch], Y[batch]))
    return losses


def test_training_goes_on_bit_for_bit_after_load(tmp_path):
    model = bn_dropout_model()
    loaded = round_trip(model, tmp_path)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 4
    for got, want in zip(loaded.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert train_steps(loaded, 10) == train_steps(model, 10)  # lists of floats, compared exactly
    assert_same_weights(model, loaded)
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)


def test_training_without_the_save_gives_other_numbers_so_the_test_above_can_fail(tmp_path):
    model = bn_dropout_model()
    loaded = round_trip(model, tmp_path, compile=False)
    loaded.compile(optimizer="adam", loss="mse", metrics=["mae"])  # fresh Adam: step 0, no moments
    assert train_steps(loaded, 10) != train_steps(model, 10)


def test_compile_config_with_objects_metrics_loss_weights_and_momentum(tmp_path):
    a = layers.Input(shape=(3,), name="a")
    h = layers.Dense(4, activation="relu")(a)
    model = layers.Model(a, [layers.Dense(2, name="reg")(h), layers.Dense(2, name="cls")(h)])
    model.compile(optimizer=mg.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
                  loss={"reg": mg.losses.MeanSquaredError(),
                        "cls": mg.losses.SparseCategoricalCrossentropy(from_logits=True)},
                  loss_weights={"reg": 0.5, "cls": 2.0},
                  metrics={"cls": [mg.metrics.SparseCategoricalAccuracy()]})
    targets = {"reg": Y, "cls": LABELS}
    model.fit(X, targets, batch_size=8, epochs=1, verbose=0, shuffle=False)
    loaded = round_trip(model, tmp_path)
    assert isinstance(loaded.optimizer, mg.optimizers.SGD)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.momentum == 0.9 and loaded.optimizer.nesterov is True
    assert isinstance(loaded.loss["cls"], mg.losses.SparseCategoricalCrossentropy)
    assert loaded.loss["cls"].get_config() == model.loss["cls"].get_config()
    for _ in range(2):
        want = model.train_on_batch(X, targets, return_dict=True)
        got = loaded.train_on_batch(X, targets, return_dict=True)
        assert got == want and "cls_sparse_categorical_accuracy" in got


def test_include_optimizer_false_keeps_the_compile_arguments_only(tmp_path):
    model = bn_dropout_model()
    path = tmp_path / "m.keras"
    model.save(path, include_optimizer=False)
    with zipfile.ZipFile(path) as archive:
        assert "optimizer.weights.npz" not in archive.namelist()
    loaded = layers.load_model(path)
    assert isinstance(loaded.optimizer, mg.optimizers.Adam)
    assert int(loaded.optimizer.iterations.numpy()) == 0
    assert_same_weights(model, loaded)


def test_compile_false_gives_an_uncompiled_model(tmp_path):
    loaded = round_trip(bn_dropout_model(), tmp_path, compile=False)
    with pytest.raises(RuntimeError, match="compile"):
        loaded.fit(X, Y, verbose=0)


@layers.saving.register_keras_serializable(package="Tests")
class HalvingSchedule:
    """A learning-rate schedule: ``initial / 2 ** step``."""

    def __init__(self, initial):
        self.initial = initial

    def __call__(self, step):
        return self.initial / 2 ** step

    def get_config(self):
        return {"initial": self.initial}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def test_a_registered_learning_rate_schedule(tmp_path):
    model = layers.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer=mg.optimizers.Adam(learning_rate=HalvingSchedule(0.1)), loss="mse")
    model.train_on_batch(X, Y)
    loaded = round_trip(model, tmp_path)
    schedule = loaded.optimizer.get_config()["learning_rate"]  # `learning_rate` is its value (Keras 3)
    assert isinstance(schedule, HalvingSchedule) and schedule.initial == 0.1
    assert loaded.optimizer.learning_rate == 0.05
    assert loaded.optimizer.current_learning_rate() == 0.05
    assert loaded.train_on_batch(X, Y) == model.train_on_batch(X, Y)


def test_what_a_file_cannot_name_is_refused_at_save(tmp_path):
    model = layers.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss=lambda y, p: mg.mean((y - p) ** 2))
    with pytest.raises(ArgumentTypeError, match="cannot save the loss <function.*def-function"):
        model.save(tmp_path / "m.keras")
    model.compile(optimizer=mg.optimizers.SGD(learning_rate=lambda: 0.1), loss="mse")
    with pytest.raises(ArgumentTypeError, match="cannot save the optimizer"):
        model.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


# -- custom objects -------------------------------------------------------------------------------
class Shift(layers.Layer):  # not registered
    def __init__(self, by=1.0, **kwargs):
        super().__init__(**kwargs)
        self.by = by

    def call(self, inputs):
        return inputs + self.by

    def get_config(self):
        return {**super().get_config(), "by": self.by}


def cube(x):  # an activation of one's own
    return x * x * x


def mean_abs_cubed(y_true, y_pred):  # a loss of one's own
    return mg.mean(mg.abs(y_true - y_pred) ** 3, axis=-1)


def custom_model():
    model = layers.Sequential([layers.Dense(2, activation=cube, input_shape=(3,)), Shift(by=0.5)])
    model.compile(optimizer="rmsprop", loss=mean_abs_cubed)
    model.train_on_batch(X, Y)
    return model


def test_custom_objects(tmp_path):
    model = custom_model()
    path = tmp_path / "m.keras"
    model.save(path)
    custom = {"Shift": Shift, "cube": cube, "mean_abs_cubed": mean_abs_cubed}
    loaded = layers.load_model(path, custom_objects=custom)
    assert loaded.layers[0].activation is cube and loaded.loss is mean_abs_cubed
    assert type(loaded.layers[1]) is Shift and loaded.layers[1].by == 0.5
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, X)
    assert loaded.train_on_batch(X, Y) == model.train_on_batch(X, Y)
    with layers.saving.custom_object_scope(custom):  # the same, through a scope
        assert type(layers.load_model(path).layers[1]) is Shift


@pytest.mark.parametrize("missing, fragment", [
    ("Shift", "Unknown layer: 'Shift'.*custom_objects=\\{'Shift': Shift\\}.*register_keras_serializable"),
    ("cube", "Unknown activation function: 'cube'.*custom_objects"),
    ("mean_abs_cubed", "Unknown function: 'mean_abs_cubed'.*custom_objects=\\{'mean_abs_cubed'.*"
                       "register_keras_serializable"),
])
def test_an_unknown_class_or_function_names_both_fixes(tmp_path, missing, fragment):
    path = tmp_path / "m.keras"
    custom_model().save(path)
    custom = {"Shift": Shift, "cube": cube, "mean_abs_cubed": mean_abs_cubed}
    del custom[missing]
    with pytest.raises(ValueError, match=fragment) as info:
        layers.load_model(path, custom_objects=custom)
    if missing != "cube":
        assert isinstance(info.value, UnknownObjectError)


def test_registration_arguments_are_checked():
    with pytest.raises(InvalidArgumentError, match="`package`.*without '>'"):
        layers.saving.register_keras_serializable(package="a>b")
    with pytest.raises(ArgumentTypeError, match="`name` must be a non-empty string"):
        layers.saving.register_keras_serializable(name=3)
    with pytest.raises(InvalidArgumentError, match="Cannot register class NoConfig: it has no get_config"):
        layers.saving.register_keras_serializable()(type("NoConfig", (), {}))
    assert layers.saving.get_registered_name(Scale) == "Tests>Scale"
    assert layers.saving.get_registered_object("Tests>Scale") is Scale


# -- files minigrad did not write, or that were damaged -------------------------------------------
@pytest.fixture
def saved(tmp_path):
    model = bn_dropout_model()
    path = tmp_path / "m.keras"
    model.save(path)
    return path


def rewrite(source, target, replace=(), drop=()):
    """A copy of the zip ``source`` with some members replaced ({name: bytes}) or dropped."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name not in drop:
                new.writestr(name, dict(replace).get(name, old.read(name)))


def test_a_zip_without_our_metadata(tmp_path):
    path = tmp_path / "other.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ModelFileError, match="not a minigrad .keras file: it has no metadata.json"):
        layers.load_model(path)


def test_a_keras_written_file(saved, tmp_path):
    path = tmp_path / "keras.keras"
    metadata = json.dumps({"keras_version": "3.6.0", "date_saved": "2024-10-01@10:00:00"})
    rewrite(saved, path, replace={"metadata.json": metadata}, drop=("model.weights.npz",))
    with pytest.raises(ModelFileError, match="written by Keras 3.6.0, whose weights are HDF5"):
        layers.load_model(path)


@pytest.mark.parametrize("content, reason", [
    (b"", "it is empty"), (b"\x89HDF\r\n\x1a\n" + bytes(100), "it is an HDF5 file"),
    (b"{\"class_name\": \"Sequential\"}", "it does not start like a zip archive"),
])
def test_other_formats(tmp_path, content, reason):
    path = tmp_path / "m.keras"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=f"not a minigrad .keras file: {reason}"):
        layers.load_model(path)


def test_a_weights_file_given_to_load_model(tmp_path):
    model = layers.Sequential([layers.Dense(2, input_shape=(3,))])
    model.save_weights(tmp_path / "w.weights.npz")
    with pytest.raises(ModelFileError, match="no metadata.json.*load a weights file with model.load_weights"):
        layers.load_model(tmp_path / "w.weights.npz")


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_truncated_file(saved, tmp_path, keep):
    data = saved.read_bytes()
    path = tmp_path / "cut.keras"
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(ModelFileError, match="truncated or damaged.*Save the model again"):
        layers.load_model(path)


def test_a_flipped_byte_in_the_weights(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo("model.weights.npz")
    data[info.header_offset + 30 + len(info.filename) + info.compress_size - 8] ^= 0x40  # a bias value
    path = tmp_path / "flipped.keras"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="model.weights.npz is damaged.*CRC"):
        layers.load_model(path)


def test_a_newer_format_version(saved, tmp_path):
    with zipfile.ZipFile(saved) as archive:
        metadata = json.loads(archive.read("metadata.json"))
    metadata.update(format_version=FORMAT_VERSION + 1, minigrad_version="9.0.0")
    path = tmp_path / "new.keras"
    rewrite(saved, path, replace={"metadata.json": json.dumps(metadata)})
    with pytest.raises(ModelFileError, match=f"newer minigrad \\(9.0.0\\).*version {FORMAT_VERSION + 1}.*"
                                             "Upgrade minigrad"):
        layers.load_model(path)


def test_weights_that_do_not_fit_the_config(saved, tmp_path):
    other = layers.Sequential([layers.Dense(5, input_shape=(3,))])
    other.save_weights(tmp_path / "w.npz")
    path = tmp_path / "mixed.keras"
    rewrite(saved, path, replace={"model.weights.npz": (tmp_path / "w.npz").read_bytes()})
    with pytest.raises(ModelFileError, match="m?ixed.keras:model.weights.npz.*different architecture"):
        layers.load_model(path)


def test_a_config_that_does_not_rebuild(saved, tmp_path):
    path = tmp_path / "bad.keras"
    rewrite(saved, path, replace={"config.json": b"[1, 2"})
    with pytest.raises(ModelFileError, match="config.json is not valid JSON"):
        layers.load_model(path)


# -- saving: names, atomicity, arguments ---------------------------------------------------------
@pytest.mark.parametrize("name, why", [("m.h5", "HDF5"), ("m.weights.npz", "not a .keras name"),
                                       ("m", "not a .keras name")])
def test_save_refuses_other_names(tmp_path, name, why):
    model = layers.Sequential([layers.Dense(2, input_shape=(3,))])
    with pytest.raises(InvalidArgumentError, match=f"`filepath` .* {why}.*'.keras'"):
        model.save(tmp_path / name)
    assert os.listdir(tmp_path) == []


def test_a_failing_save_leaves_the_old_file_intact(saved, monkeypatch):
    before = saved.read_bytes()
    model = layers.Sequential([layers.Dense(7, input_shape=(3,))])

    def broken(self, name, data, *args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken)
    with pytest.raises(OSError, match="No space left"):
        model.save(saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["m.keras"]  # no temporary file left
    assert not any(name.startswith(TEMP_PREFIX) for name in os.listdir(saved.parent))


def test_overwrite_false(saved):
    with pytest.raises(FileExistsError, match="pass overwrite=True"):
        layers.Sequential([layers.Dense(2, input_shape=(3,))]).save(saved, overwrite=False)


def test_arguments_are_checked(saved):
    model = layers.Sequential([layers.Dense(2, input_shape=(3,))])
    with pytest.raises(ArgumentTypeError, match="`overwrite` must be a bool"):
        model.save(saved, overwrite="no")
    with pytest.raises(ArgumentTypeError, match="`include_optimizer` must be a bool"):
        model.save(saved, include_optimizer=None)
    with pytest.raises(ArgumentTypeError, match=r"`filepath` must be a path \(a str or pathlib.Path\)"):
        model.save(3)
    with pytest.raises(ArgumentTypeError, match="`compile` must be a bool"):
        layers.load_model(saved, compile="yes")
    with pytest.raises(ArgumentTypeError, match="`custom_objects` must be a dict"):
        layers.load_model(saved, custom_objects=[Shift])


# -- clone_model ---------------------------------------------------------------------------------
def test_clone_sequential_has_the_same_architecture_and_new_weights():
    model = bn_dropout_model()
    clone = clone_model(model)
    assert type(clone) is layers.Sequential and clone.get_config() == model.get_config()
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not np.array_equal(clone.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())
    np.testing.assert_array_equal(clone.layers[1].moving_mean.numpy(), np.zeros(4))  # fresh
    clone.set_weights(model.get_weights())
    assert_same_predictions(model, clone, X)


def test_clone_functional_with_a_shared_layer_and_new_inputs():
    model = two_branch_model()
    a, b = layers.Input(shape=(3,), name="a"), layers.Input(shape=(5,), name="b")
    clone = clone_model(model, input_tensors=[a, b])
    assert clone.inputs == [a, b] and clone.get_config() == model.get_config()
    assert len(clone.get_layer("shared")._inbound_nodes) == 2
    clone.set_weights(model.get_weights())
    assert_same_predictions(model, clone, [X, X2])


def test_clone_function_can_share_or_replace_layers():
    model = layers.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    shared = clone_model(model, clone_function=lambda layer: layer)
    assert shared.layers[0] is model.layers[0]
    with pytest.raises(ArgumentTypeError, match="must return a Layer.*'dense"):
        clone_model(model, clone_function=lambda layer: None)
    with pytest.raises(ArgumentTypeError, match="`clone_function` must be a function"):
        clone_model(model, clone_function="copy")


def test_clone_refuses_subclassed_models_and_wrong_inputs():
    model = TwoLayerNet()
    model(X)
    with pytest.raises(InvalidArgumentError, match="subclassed model.*TwoLayerNet.from_config"):
        clone_model(model)
    with pytest.raises(InvalidArgumentError, match="has 2 input\\(s\\), but 1 input_tensors"):
        clone_model(two_branch_model(), input_tensors=[layers.Input(shape=(3,))])
    with pytest.raises(ArgumentTypeError, match="layers.Input"):
        clone_model(two_branch_model(), input_tensors=[X, X2])
    with pytest.raises(ArgumentTypeError, match="`model` must be a layers.Model"):
        clone_model(layers.Dense(2))
