"""Weight files that never half-load: bad files, bad set_weights values, and safe saves.

Every bad file below is made for real (bytes cut, bytes flipped, zip members renamed or added,
headers rewritten, pickled objects), and each failed load must leave ``get_weights()`` as it was.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

from layers.core import Dense
from layers.models import Sequential
from layers.weights_file import STALE_TEMP_AGE_S, TEMP_PREFIX
from minigrad.errors import ArgumentTypeError, InvalidArgumentError, WeightsFileError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOT_MINIGRAD = "is not a valid minigrad weights file"
DIFFERENT = "different architecture"


def make_model():
    """Six weights: kernel (2, 4), bias (4,), kernel (4, 3), bias (3,), kernel (3, 1), bias (1,)."""
    model = Sequential([Dense(4, input_shape=(2,)), Dense(3), Dense(1)])
    rng = np.random.default_rng(0)
    model.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in model.weights])
    return model


def keys_of(model):
    return [f"{i:04d}:{w.name}" for i, w in enumerate(model.weights)]


def write_members(path, members, compression=zipfile.ZIP_STORED):
    """A zip of raw members {name: bytes}, as np.savez lays them out."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def members_of(model, **replace):
    """The members save_weights would write for ``model``; ``replace`` maps index -> array."""
    members = {}
    for i, (key, value) in enumerate(zip(keys_of(model), model.get_weights())):
        members[f"{key}.npy"] = npy_bytes(replace.get(f"a{i}", value))
    return members


@pytest.fixture
def model():
    return make_model()


@pytest.fixture
def saved(tmp_path):
    """A good file from another model of the same architecture (other values, other layer names)."""
    source = make_model()
    source.set_weights([w + 1.0 for w in source.get_weights()])
    path = tmp_path / "good.weights.npz"
    source.save_weights(path)
    return path


def assert_load_fails(model, path, error, *fragments):
    before = model.get_weights()
    with pytest.raises(error) as info:
        model.load_weights(path)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "allow_pickle" not in message
    after = model.get_weights()
    assert len(after) == len(before)
    for got, want in zip(after, before):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    return message


# -- files that load -------------------------------------------------------------------------------
def test_good_file_loads_bit_exact(model, saved):
    source_values = [w + 1.0 for w in make_model().get_weights()]
    model.load_weights(saved)
    for got, want in zip(model.get_weights(), source_values):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_file_written_by_the_previous_writer_still_loads(model, tmp_path):
    # main's save_weights was exactly this: np.savez with keys "0000:<weight name>"
    other = make_model()
    values = [np.full(w.shape, i + 0.5, np.float32) for i, w in enumerate(other.weights)]
    np.savez(tmp_path / "old.npz", **{f"{i:04d}:{w.name}": v
                                      for i, (w, v) in enumerate(zip(other.weights, values))})
    model.load_weights(tmp_path / "old.npz")
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)


def test_float64_and_int_arrays_load_into_float32_weights_as_keras_casts(model, tmp_path):
    values = [np.arange(np.prod(w.shape), dtype=np.float64).reshape(w.shape) / 3 for w in model.weights]
    values[1] = np.array([1, -2, 3, 4], np.int64)
    write_members(tmp_path / "cast.npz", {f"{k}.npy": npy_bytes(v) for k, v in zip(keys_of(model), values)})
    model.load_weights(tmp_path / "cast.npz")
    for got, want in zip(model.get_weights(), values):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want.astype(np.float32))


def test_deflated_and_fortran_order_members_load(model, tmp_path):
    values = [np.asfortranarray(np.full(w.shape, 2.0, np.float32) + np.arange(w.shape[-1]))
              for w in model.weights]
    members = {f"{k}.npy": npy_bytes(v) for k, v in zip(keys_of(model), values)}
    write_members(tmp_path / "deflated.npz", members, zipfile.ZIP_DEFLATED)
    model.load_weights(tmp_path / "deflated.npz")
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)


# -- damaged and foreign files ---------------------------------------------------------------------
@pytest.mark.parametrize("keep", [0.0, 0.3, 0.9, 0.999])
def test_truncated_file(model, saved, tmp_path, keep):
    data = saved.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[:int(len(data) * keep)])
    reason = "it is empty" if keep == 0 else "truncated or damaged"
    assert_load_fails(model, tmp_path / "cut.npz", WeightsFileError, NOT_MINIGRAD, reason,
                      "No weight was changed")


def test_byte_flipped_in_the_data(model, saved, tmp_path):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:
        info = archive.infolist()[2]  # the second kernel, (4, 3)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.file_size - 5] ^= 0x40  # inside the float data, past the .npy header
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    assert_load_fails(model, tmp_path / "flipped.npz", WeightsFileError, NOT_MINIGRAD,
                      "the bytes of array '0002:", "fail the zip's CRC-32 check")


def test_every_single_byte_flip_is_caught_or_harmless(model, saved, tmp_path):
    data = saved.read_bytes()
    rng = np.random.default_rng(1)
    for position in rng.choice(len(data), 60, replace=False):
        flipped = bytearray(data)
        flipped[position] ^= 0xFF
        path = tmp_path / "f.npz"
        path.write_bytes(bytes(flipped))
        before = model.get_weights()
        try:
            model.load_weights(path)
        except WeightsFileError as error:
            assert "allow_pickle" not in str(error)
            for got, want in zip(model.get_weights(), before):
                np.testing.assert_array_equal(got, want)
        else:  # a flip in a field the reader never uses (a date, a version): the values are right
            good = make_model()
            good.load_weights(saved)
            for got, want in zip(model.get_weights(), good.get_weights()):
                np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("content, reason", [
    (b"\x89HDF\r\n\x1a\n" + bytes(100), "HDF5 file"),
    (npy_bytes(np.zeros(3)), "single .npy array"),
    (b'{"weights": [1, 2, 3]}', "does not start like a zip archive"),
])
def test_foreign_files(model, tmp_path, content, reason):
    (tmp_path / "foreign.npz").write_bytes(content)
    assert_load_fails(model, tmp_path / "foreign.npz", WeightsFileError, NOT_MINIGRAD, reason)


def test_a_zip_of_other_things(model, tmp_path):
    write_members(tmp_path / "docs.npz", {"README.txt": b"hello"})
    assert_load_fails(model, tmp_path / "docs.npz", WeightsFileError, NOT_MINIGRAD,
                      "member named 'README.txt'")


# -- names and counts ------------------------------------------------------------------------------
def test_wrong_names(model, tmp_path):
    members = members_of(model)
    renamed = {name.replace("bias", "beta") if name.startswith("0003:") else name: data
               for name, data in members.items()}
    write_members(tmp_path / "renamed.npz", renamed)
    assert_load_fails(model, tmp_path / "renamed.npz", WeightsFileError, DIFFERENT,
                      "holds a weight named 'beta'", f"is {model.weights[3].name!r}")


def test_numbering_with_a_gap(model, tmp_path):
    members = members_of(model)
    gap = {name.replace("0002:", "0009:"): data for name, data in members.items()}
    write_members(tmp_path / "gap.npz", gap)
    assert_load_fails(model, tmp_path / "gap.npz", WeightsFileError, NOT_MINIGRAD,
                      "not numbered 0..5 (no array number 2)")


def test_extra_arrays(model, tmp_path):
    members = members_of(model)
    members["0006:dense_9/kernel:0.npy"] = npy_bytes(np.zeros((1, 1), np.float32))
    write_members(tmp_path / "extra.npz", members)
    assert_load_fails(model, tmp_path / "extra.npz", WeightsFileError, DIFFERENT,
                      "holds 7 arrays, but the model has 6 weights",
                      "array '0006:dense_9/kernel:0' has no weight to go to")


def test_missing_arrays(model, tmp_path):
    members = dict(list(members_of(model).items())[:4])
    write_members(tmp_path / "short.npz", members)
    assert_load_fails(model, tmp_path / "short.npz", WeightsFileError, DIFFERENT,
                      "holds 4 arrays, but the model has 6 weights",
                      f"missing weight {model.weights[4].name!r}")


# -- shapes, dtypes, objects -----------------------------------------------------------------------
def test_wrong_shapes(model, tmp_path):
    write_members(tmp_path / "shape.npz", members_of(model, a2=np.zeros((3, 4), np.float32)))
    assert_load_fails(model, tmp_path / "shape.npz", WeightsFileError, DIFFERENT,
                      f"the model's weight {model.weights[2].name!r} has shape (4, 3)",
                      "has shape (3, 4)")


@pytest.mark.parametrize("bad, fragments", [
    (np.array(["a", "b", "c", "d"]), ("has dtype <U1", "strings, not numbers")),
    (np.ones(4, np.complex64) * 1j, ("has dtype complex64", "imaginary parts")),
    (np.array([True, False, True, True]), ("has dtype bool", "booleans")),
])
def test_wrong_dtypes(model, tmp_path, bad, fragments):
    write_members(tmp_path / "dtype.npz", members_of(model, a1=bad))
    assert_load_fails(model, tmp_path / "dtype.npz", WeightsFileError, DIFFERENT,
                      f"weight {model.weights[1].name!r} is float32", *fragments)


def test_values_that_overflow_float32(model, tmp_path):
    huge = np.array([1.0, 2.0, 1e300, 4.0])
    write_members(tmp_path / "overflow.npz", members_of(model, a1=huge))
    assert_load_fails(model, tmp_path / "overflow.npz", WeightsFileError, "1e+300 at index (2,)",
                      "a float32 weight cannot store")


def test_object_array_is_never_unpickled(model, tmp_path, monkeypatch):
    import pickle
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    objects = np.empty(4, dtype=object)
    objects[:] = [1.0, "two", None, {"x": 3}]
    write_members(tmp_path / "objects.npz", members_of(model, a1=objects))
    assert_load_fails(model, tmp_path / "objects.npz", WeightsFileError, NOT_MINIGRAD,
                      "holds Python objects (pickled data)")


def huge_header_member(shape, payload=b"\0" * 1024):
    """An .npy member whose header declares ``shape`` (float32) followed by a small payload."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return b"\x93NUMPY\x01\x00" + buffer.getvalue()[8:] + payload


def test_oversized_header_is_refused_before_reading_data(model, tmp_path):
    members = members_of(model)
    key = keys_of(model)[0]
    members[f"{key}.npy"] = huge_header_member((100000, 100000))  # 40 GB declared, 1 kB present
    write_members(tmp_path / "bomb.npz", members, zipfile.ZIP_DEFLATED)
    assert os.path.getsize(tmp_path / "bomb.npz") < 10_000
    tracemalloc.start()
    try:
        message = assert_load_fails(model, tmp_path / "bomb.npz", WeightsFileError, DIFFERENT,
                                    "has shape (100000, 100000)")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, (peak, message)  # get_weights copies are ~200 B; reading is a few kB


def test_declared_size_must_match_the_member(model, tmp_path):
    members = members_of(model)
    key = keys_of(model)[0]
    members[f"{key}.npy"] = huge_header_member((2, 4), payload=b"\0" * 31)  # 32 bytes declared
    write_members(tmp_path / "short_member.npz", members)
    assert_load_fails(model, tmp_path / "short_member.npz", WeightsFileError, NOT_MINIGRAD,
                      "declares shape (2, 4) of float32", "holds ")


def test_huge_header_length_is_refused_before_reading_it(model, tmp_path):
    members = members_of(model)
    key = keys_of(model)[0]
    members[f"{key}.npy"] = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31) + b"{" * 64
    write_members(tmp_path / "header.npz", members)
    assert_load_fails(model, tmp_path / "header.npz", WeightsFileError, NOT_MINIGRAD,
                      f"the header of array {key!r} is damaged", "2147483648 bytes")


# -- set_weights -----------------------------------------------------------------------------------
def test_set_weights_checks_every_array_before_assigning_any(model):
    before = model.get_weights()
    good = [w + 1 for w in before]
    cases = [
        (good[:5], InvalidArgumentError, "weight list of length 5, but the layer was expecting 6"),
        (good[:3] + [good[3].astype(str)] + good[4:], ArgumentTypeError, "weights[3]"),
        (good[:5] + [good[5] * 1j], ArgumentTypeError, "imaginary parts"),
        (good[:5] + [np.zeros((2,))], InvalidArgumentError, "not compatible with provided weight shape (2,)"),
        (good[:5] + [[None]], ArgumentTypeError, "Python objects"),
        (good[:5] + [np.array([1e39])], InvalidArgumentError, "cannot store"),
        (good[:5] + [[[1.0], [2.0, 3.0]]], InvalidArgumentError, "not a rectangular array"),
        (np.zeros(6), ArgumentTypeError, "must be a list of arrays"),
    ]
    for weights, error, fragment in cases:
        with pytest.raises(error) as info:
            model.set_weights(weights)
        assert fragment in str(info.value), str(info.value)
        for got, want in zip(model.get_weights(), before):
            np.testing.assert_array_equal(got, want)
    model.set_weights([w.astype(np.float64) for w in good])  # numbers are cast, as Keras does
    for got, want in zip(model.get_weights(), good):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_set_weights_into_int_weights_needs_whole_numbers():
    from layers.base import Layer

    class Counter(Layer):
        def build(self, input_shape):
            self.count = self.add_weight("count", (2,), dtype="int32", initializer="zeros",
                                         trainable=False)
            self.built = True

        def call(self, inputs):
            return inputs

    layer = Counter(name="counter")
    layer.build((None, 1))
    layer.set_weights([np.array([3.0, 4.0])])
    np.testing.assert_array_equal(layer.count.numpy(), [3, 4])
    for bad, fragment in [(np.array([2.7, 1.0]), "2.7 at index (0,)"),
                          (np.array([1.0, np.nan]), "nan at index (1,)"),
                          (np.array([2**40, 1]), "1099511627776 at index (0,)")]:
        with pytest.raises(InvalidArgumentError, match="an int32 weight cannot store") as info:
            layer.set_weights([bad])
        assert fragment in str(info.value)
        np.testing.assert_array_equal(layer.count.numpy(), [3, 4])


# -- saving ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, suggestion", [
    ("w.weights.h5", "w.weights.npz"), ("w.h5", "w.weights.npz"), ("model.keras", "model.weights.npz"),
    ("w.hdf5", "w.weights.npz"), ("weights", "weights.weights.npz"),
])
def test_save_refuses_suffixes_it_does_not_write(model, tmp_path, name, suggestion):
    with pytest.raises(InvalidArgumentError, match="NumPy .npz archive") as info:
        model.save_weights(tmp_path / name)
    assert repr(str(tmp_path / suggestion)) in str(info.value)
    assert os.listdir(tmp_path) == []


def test_save_accepts_npz_suffixes(model, tmp_path):
    for name in ("w.npz", "w.weights.npz", "W.NPZ"):
        model.save_weights(tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == ["W.NPZ", "w.npz", "w.weights.npz"]


def test_save_refuses_a_read_only_file(model, tmp_path):
    path = tmp_path / "w.npz"
    model.save_weights(path)
    before = path.read_bytes()
    os.chmod(path, 0o444)  # refused by the mode bits, so also when the tests run as root
    model.set_weights([w + 1 for w in model.get_weights()])
    try:
        with pytest.raises(PermissionError, match="is read-only.*was not replaced.*chmod u\\+w"):
            model.save_weights(path)
    finally:
        os.chmod(path, 0o644)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.npz"]


def test_save_refuses_a_read_only_directory(model, tmp_path):
    directory = tmp_path / "ro"
    directory.mkdir()
    os.chmod(directory, 0o555)
    try:
        with pytest.raises(PermissionError, match="the directory .*ro is read-only"):
            model.save_weights(directory / "w.npz")
        assert os.listdir(directory) == []
    finally:
        os.chmod(directory, 0o755)


def test_save_keeps_the_file_mode_and_writes_through_a_link(model, tmp_path):
    path = tmp_path / "w.npz"
    model.save_weights(path)
    os.chmod(path, 0o640)
    link = tmp_path / "latest.npz"
    os.symlink(path, link)
    model.set_weights([w * 3 for w in model.get_weights()])
    model.save_weights(link)
    assert os.path.islink(link) and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    other = make_model()
    other.load_weights(path)
    for got, want in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_save_fsyncs_before_the_rename(model, tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    model.save_weights(tmp_path / "w.npz")
    assert events == ["fsync", "replace", "fsync"]  # the data, the rename, then the directory


def test_failed_save_removes_its_temporary_file(model, tmp_path, monkeypatch):
    def broken_savez(file, **arrays):
        file.write(b"PK\x03\x04 half")
        raise KeyboardInterrupt
    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(KeyboardInterrupt):
        model.save_weights(tmp_path / "w.npz")
    assert os.listdir(tmp_path) == []


def stray(directory, name, age_s):
    path = directory / name
    path.write_bytes(b"PK\x03\x04 left by a killed save")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_a_later_save_removes_stale_temporary_files(model, tmp_path):
    old = stray(tmp_path, f"{TEMP_PREFIX}abc123.npz", STALE_TEMP_AGE_S + 5)
    fresh = stray(tmp_path, f"{TEMP_PREFIX}def456.npz", 1)  # maybe a save running right now
    unrelated = stray(tmp_path, "notes.tmp", 3600)
    model.save_weights(tmp_path / "w.npz")
    assert not old.exists()
    assert fresh.exists() and unrelated.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_temporary_file_locked_by_a_live_save_is_kept(model, tmp_path):
    import fcntl
    live = stray(tmp_path, f"{TEMP_PREFIX}live.npz", STALE_TEMP_AGE_S + 5)
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        model.save_weights(tmp_path / "w.npz")
        assert live.exists()
    model.save_weights(tmp_path / "w.npz")  # the lock is gone: the writer died
    assert not live.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_save_leaves_a_file_that_the_next_save_removes(model, tmp_path):
    script = textwrap.dedent(f"""
        import os, signal, numpy as np
        from layers.core import Dense
        from layers.models import Sequential
        def killed_savez(file, **arrays):
            file.write(b"PK" * 1000)
            file.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        np.savez = killed_savez
        model = Sequential([Dense(4, input_shape=(2,))])
        model.save_weights({str(tmp_path / "w.npz")!r})
    """)
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert result.returncode == -9, result.stderr.decode()
    leftovers = [name for name in os.listdir(tmp_path) if name.startswith(TEMP_PREFIX)]
    assert len(leftovers) == 1 and "w.npz" not in os.listdir(tmp_path)
    model.save_weights(tmp_path / "w.npz")
    assert (tmp_path / leftovers[0]).exists()  # too young: it might be a live save's
    then = time.time() - STALE_TEMP_AGE_S - 5
    os.utime(tmp_path / leftovers[0], (then, then))
    model.save_weights(tmp_path / "w.npz")
    assert os.listdir(tmp_path) == ["w.npz"]


def test_byte_flipped_in_a_large_array_is_caught_when_its_data_are_read(tmp_path):
    # 16 kB of kernel: its header is read without reaching the end of the member, so the CRC
    # check happens in the data pass, after every header was checked
    wide = Sequential([Dense(2000, input_shape=(2,)), Dense(1)])
    wide.save_weights(tmp_path / "wide.npz")
    data = bytearray((tmp_path / "wide.npz").read_bytes())
    with zipfile.ZipFile(tmp_path / "wide.npz") as archive:
        info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.file_size - 100] ^= 0x01
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    target = Sequential([Dense(2000, input_shape=(2,)), Dense(1)])
    assert_load_fails(target, tmp_path / "flipped.npz", WeightsFileError, NOT_MINIGRAD,
                      f"the bytes of array '0000:{wide.weights[0].name}' are damaged", "CRC-32")
