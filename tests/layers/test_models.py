"""Model: weight order, trainable switch, summary text, save_weights / load_weights."""

from __future__ import annotations

import os

import numpy as np
import pytest

from layers.base import Layer
from layers.core import Dense
from layers.input_layer import Input
from layers.models import Model, Sequential

RNG = np.random.default_rng(3)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


class Counter(Layer):
    """A layer with a trainable scale and a non-trainable counter."""

    def build(self, input_shape):
        self.scale = self.add_weight("scale", (input_shape[-1],), initializer="ones")
        self.count = self.add_weight("count", (), initializer="zeros", trainable=False)
        self.built = True

    def call(self, inputs):
        return inputs * self.scale


def make_mlp(name=None):
    return Sequential([Dense(64, activation="relu", input_shape=(2,)), Dense(64, activation="relu"),
                       Dense(3)], name=name)


# -- weights -------------------------------------------------------------------------------------
def test_weights_are_listed_layer_by_layer_as_keras():
    model = Sequential([Dense(2, input_shape=(3,), name="d1"), Counter(name="c"), Dense(1, name="d2")])
    assert [w.name for w in model.weights] == ["d1/kernel:0", "d1/bias:0", "c/scale:0", "c/count:0",
                                               "d2/kernel:0", "d2/bias:0"]
    assert [w.name for w in model.trainable_weights] == ["d1/kernel:0", "d1/bias:0", "c/scale:0",
                                                         "d2/kernel:0", "d2/bias:0"]
    assert [w.name for w in model.non_trainable_weights] == ["c/count:0"]
    assert [w.name for w in model.variables] == [w.name for w in model.weights]
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 6
    assert all(not layer.trainable for layer in model.layers)


def test_get_and_set_weights_round_trip():
    model = make_mlp()
    values = [randn(*w.shape) for w in model.weights]
    model.set_weights(values)
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)


# -- summary -------------------------------------------------------------------------------------
def summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def test_sequential_summary_matches_keras_layout():
    model = Sequential([Dense(64, activation="relu", input_shape=(2,), name="dense"),
                        Dense(64, activation="relu", name="dense_1"), Dense(3, name="dense_2")],
                       name="sequential")
    blank = " " * 65
    expected = [
        'Model: "sequential"',
        "_" * 65,
        " Layer (type)                Output Shape              Param #   ",
        "=" * 65,
        " dense (Dense)               (None, 64)                192       ",
        blank,
        " dense_1 (Dense)             (None, 64)                4160      ",
        blank,
        " dense_2 (Dense)             (None, 3)                 195       ",
        blank,
        "=" * 65,
        "Total params: 4547 (17.76 KB)",
        "Trainable params: 4547 (17.76 KB)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_" * 65,
    ]
    assert summary_lines(model) == expected


def test_summary_counts_non_trainable_params():
    model = Sequential([Dense(4, input_shape=(3,), name="frozen"), Counter(name="counter"), Dense(2)])
    model.get_layer("frozen").trainable = False
    lines = summary_lines(model)
    # frozen: 3*4 + 4 = 16; counter: 4 + 1 (count); last dense: 4*2 + 2 = 10
    assert lines[-4:-1] == ["Total params: 31 (124.00 Byte)", "Trainable params: 14 (56.00 Byte)",
                            "Non-trainable params: 17 (68.00 Byte)"]
    row = next(line for line in lines if line.startswith(" counter"))
    assert row.split()[-1] == "5"


def test_functional_summary_has_connections():
    a, b = Input(shape=(3,), name="in_a"), Input(shape=(2,), name="in_b")
    x = Dense(4, name="da")(a)
    y = Dense(4, name="db")(b)

    class Join(Layer):
        def call(self, inputs):
            return inputs[0] + inputs[1]
    model = Model([a, b], Dense(1, name="out")(Join(name="join")([x, y])), name="two_inputs")
    lines = summary_lines(model)
    assert lines[0] == 'Model: "two_inputs"' and len(lines[1]) == 98
    header = lines[2]
    assert header.split("  ")[0] == " Layer (type)" and "Connected to" in header
    row_a = next(line for line in lines if line.startswith(" in_a"))
    assert "[(None, 3)]" in row_a and row_a.rstrip().endswith("[]")
    join_rows = [i for i, line in enumerate(lines) if line.startswith(" join (Join)")]
    assert "['da[0][0]'," in lines[join_rows[0]] and "'db[0][0]']" in lines[join_rows[0] + 1]
    assert lines[-4] == "Total params: 33 (132.00 Byte)"  # (3*4+4) + (2*4+4) + (4+1), 4 bytes each


def test_summary_line_length_and_show_trainable():
    model = Sequential([Dense(2, input_shape=(2,), name="d")])
    lines = summary_lines(model, line_length=80, show_trainable=True)
    assert len(lines[1]) == 91 and "Trainable" in lines[2]
    row = next(line for line in lines if line.startswith(" d (Dense)"))
    assert row.rstrip().endswith("Y")


# -- weights files ---------------------------------------------------------------------------------
def test_save_and_load_weights_bit_exact(tmp_path):
    source, target = make_mlp(), make_mlp()
    source.set_weights([randn(*w.shape) for w in source.weights])
    path = tmp_path / "mlp.weights.npz"
    source.save_weights(path)
    assert os.listdir(tmp_path) == ["mlp.weights.npz"]  # no temporary file left behind
    with np.load(path, allow_pickle=False) as data:
        assert data.files == [f"{i:04d}:{w.name}" for i, w in enumerate(source.weights)]
    target.load_weights(path)
    for got, want in zip(target.get_weights(), source.get_weights()):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    x = randn(5, 2)
    np.testing.assert_array_equal(target.predict(x), source.predict(x))


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    model = make_mlp()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    before = path.read_bytes()
    model.set_weights([w + 1 for w in model.get_weights()])

    def broken_savez(file, **arrays):
        file.write(b"PK\x03\x04 half of a zip file")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.npz"]


def test_save_is_atomic_when_replace_fails(tmp_path, monkeypatch):
    model = make_mlp()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    before = path.read_bytes()
    model.set_weights([w * 2 for w in model.get_weights()])

    def broken_replace(src, dst):
        raise OSError("crash before the rename")
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="crash"):
        model.save_weights(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.npz"]


def test_loading_a_wrong_file_raises_and_changes_nothing(tmp_path):
    model = make_mlp()
    before = model.get_weights()
    wider = Sequential([Dense(64, activation="relu", input_shape=(3,)), Dense(64, activation="relu"),
                        Dense(3)])
    wider.save_weights(tmp_path / "wider.npz")
    with pytest.raises(ValueError, match=r"shape \(2, 64\).*shape \(3, 64\)"):
        model.load_weights(tmp_path / "wider.npz")
    shallower = Sequential([Dense(64, input_shape=(2,)), Dense(3)])
    shallower.save_weights(tmp_path / "shallow.npz")
    with pytest.raises(ValueError, match="holds 4 arrays.*has 6 weights"):
        model.load_weights(tmp_path / "shallow.npz")
    np.savez(tmp_path / "other.npz", kernel=np.zeros((2, 64)))
    with pytest.raises(ValueError, match="not a valid minigrad weights file"):
        model.load_weights(tmp_path / "other.npz")
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_last_array_of_wrong_shape_leaves_earlier_weights_unchanged(tmp_path):
    model = Sequential([Dense(2, input_shape=(2,)), Dense(1)])
    before = model.get_weights()
    arrays = {f"{i:04d}:{w.name}": np.full(w.shape, 9.0, np.float32) for i, w in enumerate(model.weights)}
    arrays[f"0003:{model.weights[3].name}"] = np.zeros((2,), np.float32)  # the last bias has shape (1,)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=r"shape \(1,\).*shape \(2,\).*No weight was changed"):
        model.load_weights(tmp_path / "bad.npz")
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_unbuilt_models_refuse_to_save_or_load(tmp_path):
    make_mlp().save_weights(tmp_path / "w.npz")
    deferred = Sequential([Dense(64, activation="relu"), Dense(64, activation="relu"), Dense(3)])
    with pytest.raises(ValueError, match="not been built.*Build it first"):
        deferred.load_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match="has not been built"):
        deferred.save_weights(tmp_path / "x.npz")
    deferred.build((None, 2))
    deferred.load_weights(tmp_path / "w.npz")


def test_save_without_overwrite(tmp_path):
    model = make_mlp()
    model.save_weights(tmp_path / "w.npz")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save_weights(tmp_path / "w.npz", overwrite=False)
