"""Weight files: the ``.npz`` archive ``save_weights`` writes and ``load_weights`` reads, checked first.

The format has not changed since the first version, so every older file still loads: a zip
archive (``numpy.savez``, stored uncompressed) of one ``.npy`` array per weight, in
``model.weights`` order, named ``"0000:dense/kernel:0"`` (index, then the weight's name).

Loading never half-overwrites a model and reads nothing it does not need. It goes in three steps:

1. the zip directory and each member's ``.npy`` header (magic, shape, dtype: a few hundred
   bytes) are read and checked against the model: names, count, shapes, dtypes and the byte
   size each header declares against the member's size in the directory. Nothing is
   decompressed yet, so a 2 MB file declaring a 40 GB array is refused after reading 2 kB;
2. the data are read (the zip's CRC check catches flipped bytes) and converted to each
   weight's dtype, refusing values that would change (complex, NaN into ints, overflow);
3. only then is every weight assigned.

Any damaged, truncated or foreign file raises :class:`~minigrad.errors.WeightsFileError`; no
data is ever unpickled.

Saving (here, and ``.keras`` model files through ``write_file_atomically``) writes a temporary
file ``.tmp-weights-*.npz`` (``*.keras``) in the destination's directory, flushes
it to the disk (fsync) and renames it over the destination in one step (``os.replace``), then
fsyncs the directory. A failed save removes its temporary file. A save that is killed cannot,
so each save first removes the stray ones: a ``.tmp-weights-*`` file older than
``STALE_TEMP_AGE_S`` that no live save holds (a save holds an exclusive ``flock`` on its
temporary file while it writes; where there is no ``flock``, as on Windows, the OS refuses to
delete a file another process has open).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import struct
import tempfile
import time
import tokenize
import zipfile
import zlib
from typing import TYPE_CHECKING

import numpy as np

from minigrad.errors import ArgumentTypeError, InvalidArgumentError, WeightsFileError
from minigrad.validation import check_bool

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

if TYPE_CHECKING:
    from layers.models import Model

TEMP_PREFIX = ".tmp-weights-"
STALE_TEMP_AGE_S = 60.0  # a live save's temporary file is locked; the age only covers close -> rename
MAX_HEADER_BYTES = 10_000  # NumPy's own limit for a safe .npy header
_WEIGHT_KEY = re.compile(r"^(\d+):(.*)$")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_NPY_MAGIC = b"\x93NUMPY"
# what a damaged zip or .npy header raises from inside zipfile, zlib and numpy.lib.format
# (plus OSError EINVAL: a seek to a damaged, negative offset)
_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error, zlib.error,
           NotImplementedError, UnicodeDecodeError, ValueError, OverflowError, SyntaxError,
           tokenize.TokenError)


# -- checking values against weights (set_weights and load_weights) ---------------------------
def checked_weight_values(variables: list, values, owner: str) -> list:
    """``values`` as NumPy arrays of the shapes and dtypes of ``variables``, all checked first.

    Numbers convert the way Keras's ``assign`` converts them: ints and floats of any precision
    go into float weights (float64 is rounded to float32). What would change a value is
    refused: complex numbers (the imaginary part), strings, Python objects and booleans
    in float weights, non-whole or out-of-range numbers in int weights, finite values that
    overflow to inf.

    Args:
        variables: the weights, in order.
        values: one array-like per weight.
        owner: the layer's name, for messages.

    Returns:
        A list of arrays, each of its variable's shape and dtype.

    Raises:
        ArgumentTypeError: if ``values`` is not a list of arrays, or an array's dtype cannot
            hold numbers for its weight (strings, objects, complex into real, ...).
        InvalidArgumentError: for another number of arrays than weights, a wrong shape, or
            values that the weight's dtype cannot hold exactly.
    """
    if isinstance(values, (str, bytes, np.ndarray)) or not hasattr(values, "__iter__"):
        raise ArgumentTypeError(
            f'set_weights on layer "{owner}": `weights` must be a list of arrays (one per weight, '
            f"as get_weights() returns), got {type(values).__name__}.")
    values = list(values)
    if len(values) != len(variables):
        raise InvalidArgumentError(
            f'You called `set_weights(weights)` on layer "{owner}" with a weight list of length '
            f"{len(values)}, but the layer was expecting {len(variables)} weights. Pass one array "
            "per weight, in `layer.weights` order (get_weights() shows the current values).")
    return [_checked_value(variable, value, index, owner)
            for index, (variable, value) in enumerate(zip(variables, values))]


def _checked_value(variable, value, index: int, owner: str) -> np.ndarray:
    """One array of ``set_weights``: dtype kind, then shape, then the values themselves."""
    what = f"weights[{index}] (for weight {variable.name!r})"
    if hasattr(value, "__cuda_array_interface__") and hasattr(value, "get"):
        value = value.get()  # a CuPy array: NumPy refuses to copy it implicitly
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f'set_weights on layer "{owner}": {what} is not a rectangular array '
                                   f"of numbers ({exc}). Pass a NumPy array of shape "
                                   f"{tuple(variable.shape)}.") from exc
    target = np.dtype(variable.dtype)
    refusal = dtype_refusal(array.dtype, target)
    if refusal is not None:
        raise ArgumentTypeError(f'set_weights on layer "{owner}": {what} has dtype {array.dtype}, but '
                                f"the weight is {target}: {refusal}. Pass a NumPy array of numbers of "
                                f"shape {tuple(variable.shape)}.")
    if array.shape != tuple(variable.shape):
        raise InvalidArgumentError(
            f"Layer {owner} weight shape {tuple(variable.shape)} is not compatible with provided "
            f"weight shape {array.shape} ({what}). Pass an array of shape {tuple(variable.shape)}.")
    converted, problem = cast_exactly(array, target)
    if problem is not None:
        raise InvalidArgumentError(f'set_weights on layer "{owner}": {what} {problem}.')
    return converted


def dtype_refusal(source: np.dtype, target: np.dtype) -> str | None:
    """Why arrays of dtype ``source`` may never go into a weight of dtype ``target`` (None: they may)."""
    if source.hasobject:
        return "it holds Python objects, not numbers"
    kind = source.kind
    if kind in "SUa":
        return "it holds strings, not numbers"
    if kind == "V":
        return "it is a structured (record) array, not an array of numbers"
    if kind in "mM":
        return "it holds dates or time spans, not numbers"
    allowed = {"f": "iuf", "c": "iufc", "i": "biuf", "u": "biuf", "b": "b"}.get(target.kind, target.kind)
    if kind in allowed:
        return None
    if kind == "c":
        return (f"its values are complex and {_a(target)} weight would drop their imaginary parts; pass "
                "the real part (array.real) if that is what you mean")
    if kind == "b":
        return (f"its values are booleans; pass numbers (array.astype({target.name!r})) if that is what "
                "you mean")
    return f"{_a(source)} array cannot be stored in {_a(target)} weight"


def cast_exactly(array: np.ndarray, target: np.dtype) -> tuple:
    """``(array as target, None)``, or ``(None, why)`` if a value would change beyond rounding."""
    if array.dtype == target:
        return array, None
    with np.errstate(all="ignore"):
        converted = array.astype(target)
        if target.kind in "iu":
            changed = converted != array
            if array.dtype.kind == "f":
                changed |= ~np.isfinite(array)
            limit = f"whole numbers in [{np.iinfo(target).min}, {np.iinfo(target).max}]"
        elif target.kind in "fc":
            changed = np.isfinite(array) & ~np.isfinite(converted)
            limit = f"numbers of magnitude <= {np.finfo(target).max:.6g}"
        else:
            return converted, None
    if not changed.any():
        return converted, None
    position = tuple(int(i) for i in np.argwhere(changed)[0])
    return None, (f"holds {array[position].item()!r} at index {position}, which {_a(target)} weight "
                  f"cannot store (it holds {limit}): the value would change")


def _a(dtype: np.dtype) -> str:
    """"a float32", "an int32": the dtype's name with its article."""
    return f"{'an' if dtype.name.startswith('int') else 'a'} {dtype.name}"


# -- saving ----------------------------------------------------------------------------------
def checked_path(filepath, where: str, example: str = "model.weights.npz") -> str:
    """``filepath`` (a str, bytes or os.PathLike) as a str path (for every save and load).

    Raises:
        ArgumentTypeError: for anything else (None, a number).
    """
    try:
        path = os.fspath(filepath)
    except TypeError:
        raise ArgumentTypeError(
            f"{where}: `filepath` must be a path (a str or pathlib.Path), got {filepath!r} of type "
            f"{type(filepath).__name__}. Pass e.g. filepath='{example}'.") from None
    return os.fsdecode(path)


def save_weights(model: Model, filepath, overwrite: bool = True) -> None:
    """Write ``model.weights`` to an ``.npz`` file, atomically (see the module docstring).

    Args:
        model: a built model.
        filepath: where to write; its name must end in ``.npz`` (e.g. ``"w.weights.npz"``).
            A symbolic link is followed: its target is replaced.
        overwrite: if False, an existing file is an error.

    Raises:
        InvalidArgumentError: (a ValueError) if the model is not built (it has no weights yet).
        ArgumentTypeError: if ``filepath`` is not a path (None, a number).
        InvalidArgumentError: if ``filepath`` does not end in ``.npz`` (``.h5``, ``.keras``, ...:
            this format is not HDF5, and a zip under an ``.h5`` name would mislead every reader).
        ArgumentTypeError: if ``overwrite`` is not a bool.
        FileExistsError: if ``overwrite`` is False and the file exists.
        PermissionError: if the file or its directory is read-only (no write permission bit,
            even for root); nothing is written.
        OSError: if writing fails (disk full, ...); the old file is left as it was and the
            temporary file is removed.
    """
    if not model.built:
        raise InvalidArgumentError(f"Model {model.name} has not been built yet, so it has no weights to "
                                   "save. Call it on a batch of data or call build(input_shape) first.")
    overwrite = check_bool("overwrite", overwrite, where="save_weights")
    filepath = _checked_suffix(checked_path(filepath, "save_weights"))
    arrays = weight_arrays(model.weights)
    write_file_atomically(filepath, lambda f: np.savez(f, **arrays), overwrite, "save_weights")


def weight_arrays(variables: list) -> dict:
    """``{"0000:dense/kernel:0": array, ...}``: the members of a weights file, in order."""
    return {f"{i:04d}:{w.name}": w.numpy() for i, w in enumerate(variables)}


def write_file_atomically(filepath: str, write, overwrite: bool, where: str) -> None:
    """Call ``write(file)`` on a temporary file and rename it over ``filepath`` (the module docstring).

    Every minigrad save goes through here (weights files and ``.keras`` model files).

    Args:
        filepath: the destination; a symbolic link is followed (its target is replaced).
        write: writes the whole content into the binary file object it is given.
        overwrite: if False, an existing file is an error.
        where: the public function's name, for the messages.

    Raises:
        FileExistsError: if ``overwrite`` is False and the file exists.
        PermissionError: if the file or its directory is read-only; nothing is written.
        OSError: if writing fails; the old file is left as it was, the temporary one removed.
    """
    if os.path.islink(filepath):
        filepath = os.path.realpath(filepath)
    exists = os.path.exists(filepath)
    if exists and not overwrite:
        raise FileExistsError(f"{where}: {filepath} exists; pass overwrite=True to replace it.")
    directory = os.path.dirname(os.path.abspath(filepath))
    _check_writable(directory, "directory", filepath, where)
    if exists:
        _check_writable(filepath, "file", filepath, where)
    mode = stat.S_IMODE(os.stat(filepath).st_mode) if exists else 0o666 & ~_umask()
    remove_stale_temp_files(directory)
    _write_atomically(filepath, directory, write, mode)


def _checked_suffix(filepath: str) -> str:
    """``filepath`` if it ends in ``.npz``; the error names the format and the suffix to use."""
    if filepath.lower().endswith(".npz"):
        return filepath
    head, name = os.path.split(filepath)
    stem = re.sub(r"(\.weights)?(\.[A-Za-z0-9]+)?$", "", name) or "model"
    suffix = name[len(stem):] or "no suffix"
    raise InvalidArgumentError(
        f"save_weights: `filepath` {filepath!r} ends in {suffix!r}, but minigrad writes weights as a "
        "NumPy .npz archive (a zip of .npy arrays), not HDF5 or a Keras file. Name the file with the "
        f"'.weights.npz' suffix, e.g. {os.path.join(head, stem + '.weights.npz')!r}, and read it back "
        "with load_weights.")


def _check_writable(path: str, what: str, filepath: str, where: str) -> None:
    """Refuse a read-only ``path``: by its mode bits (root may write anything) and by os.access."""
    mode = os.stat(path).st_mode
    access = os.W_OK | (os.X_OK if what == "directory" else 0)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, access):
        raise PermissionError(
            f"{where}: cannot write {filepath}: the {what} {path} is read-only "
            f"(mode {stat.filemode(mode)}), so it was not replaced. Make it writable (chmod u+w) or "
            "save to another path.")


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _write_atomically(filepath: str, directory: str, write, mode: int) -> None:
    """``write`` to a locked temporary file, fsync, rename over ``filepath``, fsync the directory."""
    suffix = os.path.splitext(filepath)[1] or ".tmp"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=suffix)
    replaced = False
    try:
        if fcntl is not None:
            with contextlib.suppress(OSError):  # no locks on this file system: the age rule remains
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, filepath)
        replaced = True
    finally:
        if not replaced:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable, where directories can be opened (not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(directory: str) -> list:
    """Delete the ``.tmp-weights-*`` files of killed saves in ``directory``; returns their paths.

    A file is stale when it is older than ``STALE_TEMP_AGE_S`` (by modification time) and no
    live save holds its lock. Errors (a file another save just renamed, no permission) are
    skipped: cleaning up never makes a save fail.
    """
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            if (entry.is_file(follow_symlinks=False)
                    and now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_AGE_S
                    and _remove_unless_locked(entry.path)):
                removed.append(entry.path)
        except OSError:
            continue
    return removed


def _remove_unless_locked(path: str) -> bool:
    """Unlink ``path`` unless a live save holds its lock; True if it was removed."""
    if fcntl is None:
        os.unlink(path)  # Windows refuses to delete a file a live save has open
        return True
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.unlink(path)
        return True
    finally:
        os.close(fd)


# -- loading ---------------------------------------------------------------------------------
def load_weights(model: Model, filepath) -> None:
    """Assign the arrays of a ``save_weights`` file to ``model.weights``, by position.

    Every array is checked against its weight (name, shape, dtype, declared size) before any
    data is decompressed, and every value is converted before any weight is assigned: on
    any error the model is left exactly as it was. Files are recognised by their content,
    not their name.

    Raises:
        InvalidArgumentError: (a ValueError) if the model is not built.
        ArgumentTypeError: if ``filepath`` is not a path (None, a number).
        WeightsFileError: if the file is not a minigrad weights file (truncated, damaged, another
            format, arrays named otherwise, Python objects), or was saved from another
            architecture (another number of weights, other weight names, shapes or dtypes).
        OSError: if the file cannot be opened (FileNotFoundError, PermissionError, ...).
    """
    if not model.built:
        raise InvalidArgumentError(
            f"Unable to load weights into model {model.name}: it has not been built, so its weights "
            "do not exist yet. Build it first: call it on a batch of data, call "
            "build(input_shape), or give its first layer an input_shape.")
    filepath = checked_path(filepath, "load_weights")
    variables = model.weights
    arrays = read_weights_file(filepath, variables, model.name)
    for variable, array in zip(variables, arrays):
        variable.assign(array)


def read_weights_file(filepath: str, variables: list, model_name: str) -> list:
    """The arrays of a weights file, checked against ``variables`` and converted to their dtypes.

    Raises:
        WeightsFileError: as ``load_weights``.
        OSError: if the file cannot be opened.
    """
    with open(filepath, "rb") as f:
        return read_weights_archive(f, filepath, variables, model_name)


def read_weights_archive(f, filepath: str, variables: list, model_name: str) -> list:
    """``read_weights_file`` on an open, seekable binary file (``filepath`` names it in messages)."""
    reason = not_a_zip(f.read(8))
    if reason:
        raise WeightsFileError(_not_a_weights_file(filepath, reason))
    unreadable = "it is truncated or damaged (its zip directory is unreadable)"
    with _damage_as_weights_file_error(filepath, unreadable):
        f.seek(0)
        archive = zipfile.ZipFile(f)
    with archive:
        members = _numbered_members(filepath, archive)
        _check_count(filepath, members, variables, model_name)
        headers = [_checked_header(filepath, archive, key, info, variable, model_name)
                   for (key, info), variable in zip(members, variables)]
        return [_read_array(filepath, archive, key, info, header, variable, model_name)
                for (key, info), header, variable in zip(members, headers, variables)]


def _not_a_weights_file(filepath: str, reason: str) -> str:
    return (f"{filepath} is not a valid minigrad weights file: {reason}. Weights files are the .npz "
            "archives written by save_weights; save the weights again. No weight was changed.")


def _does_not_fit(filepath: str, model_name: str, reason: str) -> str:
    return (f"Cannot load {filepath} into model {model_name}: {reason}. It was saved from a "
            "different architecture (or with the layers in another order). No weight was changed.")


@contextlib.contextmanager
def _damage_as_weights_file_error(filepath: str, what: str, key: str | None = None):
    """Turn what zipfile, zlib and numpy raise for damaged bytes into one WeightsFileError."""
    try:
        yield
    except WeightsFileError:
        raise
    except (*_DAMAGE, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno != errno.EINVAL:
            raise  # a real I/O error, not damaged bytes
        detail = str(exc).split("\n")[0]
        if key is not None and isinstance(exc, zipfile.BadZipFile) and "CRC" in detail:
            what = f"the bytes of array {key!r} are damaged (they fail the zip's CRC-32 check)"
        else:
            what = f"{what} ({type(exc).__name__}: {detail})"
        raise WeightsFileError(_not_a_weights_file(filepath, what)) from exc


def not_a_zip(head: bytes) -> str | None:
    """Why a file starting with ``head`` (its first 8 bytes) is no zip archive, naming the formats
    people mistake for minigrad's (a weights or a ``.keras`` file); None if it starts like a zip."""
    if head.startswith(_HDF5_MAGIC):
        return "it is an HDF5 file (Keras's .h5 / .weights.h5 format), which minigrad does not read"
    if head.startswith(_NPY_MAGIC):
        return "it is a single .npy array (numpy.save), not a zip archive"
    if not head:
        return "it is empty"
    if not head.startswith(b"PK"):
        return f"it does not start like a zip archive (first bytes {head[:4]!r})"
    return None


def _numbered_members(filepath: str, archive: zipfile.ZipFile) -> list:
    """``[(key, ZipInfo)]`` in index order; refuses foreign names, duplicates and gaps."""
    numbered = {}
    for info in archive.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else None
        match = _WEIGHT_KEY.match(key) if key is not None else None
        if match is None:
            raise WeightsFileError(_not_a_weights_file(
                filepath, f"it holds a member named {info.filename!r}, where a weights file names its "
                          "arrays like '0000:dense/kernel:0.npy'"))
        index = int(match.group(1))
        if index in numbered:
            raise WeightsFileError(_not_a_weights_file(filepath, f"two arrays are numbered {index}"))
        if info.flag_bits & 0x1:
            raise WeightsFileError(_not_a_weights_file(filepath, f"array {key!r} is encrypted"))
        numbered[index] = (key, info)
    missing = sorted(set(range(len(numbered))) - set(numbered))
    if missing:
        raise WeightsFileError(_not_a_weights_file(
            filepath, f"its {len(numbered)} arrays are not numbered 0..{len(numbered) - 1} (no array "
                      f"number {missing[0]})"))
    return [numbered[i] for i in range(len(numbered))]


def _check_count(filepath: str, members: list, variables: list, model_name: str) -> None:
    if len(members) < len(variables):
        missing = variables[len(members)]
        raise WeightsFileError(_does_not_fit(
            filepath, model_name, f"the file holds {len(members)} arrays, but the model has "
                                  f"{len(variables)} weights: missing weight {missing.name!r}"))
    if len(members) > len(variables):
        extra = members[len(variables)][0]
        raise WeightsFileError(_does_not_fit(
            filepath, model_name, f"the file holds {len(members)} arrays, but the model has "
                                  f"{len(variables)} weights: array {extra!r} has no weight to go to"))


def _short_name(name: str) -> str:
    """``"kernel"`` from ``"dense_3/kernel:0"``: the part of a weight's name that layer names do not vary."""
    return re.sub(r":\d+$", "", name.rsplit("/", 1)[-1])


def _checked_header(filepath: str, archive: zipfile.ZipFile, key: str, info: zipfile.ZipInfo,
                    variable, model_name: str) -> tuple:
    """``(shape, fortran_order, dtype, data_offset)`` of one member, checked against its weight."""
    saved_name = _WEIGHT_KEY.match(key).group(2)
    if _short_name(saved_name) != _short_name(variable.name):
        raise WeightsFileError(_does_not_fit(
            filepath, model_name, f"array {key!r} holds a weight named {_short_name(saved_name)!r}, but "
                                  f"the model's weight at that position is {variable.name!r}"))
    with _damage_as_weights_file_error(filepath, f"the header of array {key!r} is damaged", key):
        shape, fortran_order, dtype, offset = _read_npy_header(archive, info)
    if dtype.hasobject:
        raise WeightsFileError(_not_a_weights_file(
            filepath, f"array {key!r} holds Python objects (pickled data), which a weights file never "
                      "contains; it was not read"))
    target = np.dtype(variable.dtype)
    refusal = dtype_refusal(dtype, target)
    if refusal is not None:
        raise WeightsFileError(_does_not_fit(
            filepath, model_name, f"array {key!r} has dtype {dtype}, but the model's weight "
                                  f"{variable.name!r} is {target}: {refusal}"))
    if shape != tuple(variable.shape):
        raise WeightsFileError(_does_not_fit(
            filepath, model_name, f"the model's weight {variable.name!r} has shape {tuple(variable.shape)}, "
                                  f"but the file's array {key!r} has shape {shape}"))
    declared = offset + dtype.itemsize * _count(shape)
    if declared != info.file_size:
        raise WeightsFileError(_not_a_weights_file(
            filepath, f"array {key!r} declares shape {shape} of {dtype} ({declared} bytes with its "
                      f"header), but the archive says it holds {info.file_size} bytes"))
    return shape, fortran_order, dtype, offset


def _count(shape: tuple) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def _read_npy_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple:
    """Shape, order, dtype and data offset from the first bytes of one member (no data read).

    The header length is checked before the header is read: NumPy reads first and checks after.
    """
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f".npy format version {version} (minigrad writes 1.0)")
        length_format = "<H" if version == (1, 0) else "<I"
        length_bytes = member.read(struct.calcsize(length_format))
        (length,) = struct.unpack(length_format, length_bytes)
        if length > MAX_HEADER_BYTES:
            raise ValueError(f"a header of {length} bytes (at most {MAX_HEADER_BYTES})")
        header = member.read(length)
        if len(header) != length:
            raise EOFError("the header is cut short")
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    shape, fortran_order, dtype = read_header(io.BytesIO(length_bytes + header))
    if any(size < 0 for size in shape):
        raise ValueError(f"a negative size in shape {shape}")
    offset = len(_NPY_MAGIC) + 2 + len(length_bytes) + length
    return tuple(shape), fortran_order, dtype, offset


def _read_array(filepath: str, archive: zipfile.ZipFile, key: str, info: zipfile.ZipInfo,
                header: tuple, variable, model_name: str) -> np.ndarray:
    """One member's data (its CRC checked), converted exactly to the weight's dtype."""
    shape, fortran_order, dtype, offset = header
    with _damage_as_weights_file_error(filepath, f"the data of array {key!r} are damaged", key):
        raw = archive.read(info)
    array = np.frombuffer(raw, dtype=dtype, count=_count(shape), offset=offset)
    array = array.reshape(shape, order="F" if fortran_order else "C")
    converted, problem = cast_exactly(array, np.dtype(variable.dtype))
    if problem is not None:
        raise WeightsFileError(_does_not_fit(filepath, model_name, f"array {key!r} {problem}"))
    return converted


__all__ = ["checked_weight_values", "dtype_refusal", "cast_exactly", "save_weights", "load_weights",
           "read_weights_file", "read_weights_archive", "remove_stale_temp_files", "weight_arrays",
           "write_file_atomically"]
