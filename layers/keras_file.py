"""Whole-model files: ``save_model`` writes a ``.keras`` zip, ``load_model`` reads it back.

The file follows Keras 3's ``.keras`` layout, one zip (members stored, not compressed)::

    metadata.json           {"format": "minigrad.keras", "format_version": 1,
                             "minigrad_version": ..., "date_saved": "2026-12-06@12:30:00"}
    config.json             {"module", "class_name", "config", "registered_name",
                             "build_config", "compile_config", "optimizer_slots"}
    model.weights.npz       model.weights, exactly the file ``save_weights`` writes
    optimizer.weights.npz   the optimizer's iterations and slots (when compiled)

It is Keras-like, not Keras-readable: Keras keeps the weights in ``model.weights.h5`` (HDF5),
and minigrad writes the ``.npz`` of ``save_weights`` instead, read with the same checks
(every header against its weight before any data, no pickles). Nothing in the file is code:
classes are named, and found again in the ``layers`` package, the registered objects, or
``custom_objects`` (``layers.object_registration``).

``config.json`` is Keras's: the model's class and ``get_config()``; ``build_config`` holds
the input shape a subclassed model is built on; ``compile_config`` the arguments of
``compile`` (optimizer, loss, metrics, loss_weights, weighted_metrics), each a name or
``{"module", "class_name", "config", "registered_name"}``. Keras 3 also saves the optimizer's
variables; here they are ``iterations`` then each slot, and ``optimizer_slots`` says which
weight (index in ``model.weights``) and slot name each one belongs to, so that training goes
on after ``load_model`` exactly as it would have without the save.

A save is atomic (``weights_file.write_file_atomically``: a temporary file renamed over the
old one). A file whose ``metadata.json`` does not say ``"minigrad.keras"`` is refused, and so
is one of a newer ``format_version`` than this minigrad reads.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import importlib
import io
import json
import os
import zipfile
import zlib
from typing import TYPE_CHECKING

import numpy as np

import minigrad as mg
from layers import saving
from layers.object_registration import (
    CustomObjectScope,
    get_registered_name,
    get_registered_object,
    registered_by_bare_name,
)
from layers.weights_file import (
    checked_path,
    not_a_zip,
    read_weights_archive,
    weight_arrays,
    write_file_atomically,
)
from minigrad.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    MinigradError,
    ModelFileError,
    UnknownObjectError,
    WeightsFileError,
)
from minigrad.validation import check_bool

if TYPE_CHECKING:
    from layers.models import Model

FORMAT = "minigrad.keras"
FORMAT_VERSION = 1  # raise it when a reader of this version could not read the new files
MAX_JSON_BYTES = 64 * 2**20  # a config is kilobytes; a bigger member is refused before it is read
_METADATA, _CONFIG = "metadata.json", "config.json"
_WEIGHTS, _OPTIMIZER = "model.weights.npz", "optimizer.weights.npz"
_OWN_PACKAGES = ("minigrad", "layers")  # the only modules a file may name for lookup by import


# -- saving --------------------------------------------------------------------------------------
def save_model(model: Model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Write the whole model (architecture, weights, compile state) to a ``.keras`` file.

    Args:
        model: a ``layers.Model`` (functional, Sequential, or subclassed with ``get_config``).
        filepath: a path ending in ``.keras``.
        overwrite: whether an existing file may be replaced.
        include_optimizer: whether to save the optimizer's state (iterations, slots). The
            compile arguments are saved either way; without the state, ``load_model``
            compiles with a fresh optimizer.

    Raises:
        ArgumentTypeError: for a model that is not a ``layers.Model``, a path that is not a
            string or path, a flag that is not a bool, or compile arguments that cannot be
            named in a file (a lambda as loss, a learning rate given as a plain function).
        InvalidArgumentError: for a path that does not end in ``.keras`` (``.h5`` is HDF5, which
            minigrad does not write).
        NotImplementedError: for a subclassed model without ``get_config``.
        FileExistsError: if ``overwrite`` is False and the file exists.
        PermissionError: if the file or its directory is read-only; nothing is written.
        OSError: if writing fails; the old file is left as it was.
    """
    from layers.models import Model  # here, not at the top: layers.models imports this module

    if not isinstance(model, Model):
        raise ArgumentTypeError(f"save_model: `model` must be a layers.Model, got {type(model).__name__}. "
                                "Save a single layer's weights with get_weights().")
    overwrite = check_bool("overwrite", overwrite, where="save")
    include_optimizer = check_bool("include_optimizer", include_optimizer, where="save")
    filepath = _checked_suffix(checked_path(filepath, "save", example="model.keras"))
    config = model_file_config(model)
    members = {_METADATA: _json_bytes(_metadata()), _CONFIG: None,
               _WEIGHTS: _npz_bytes(weight_arrays(model.weights))}
    if include_optimizer and config["compile_config"] is not None:
        config["optimizer_slots"], variables = _optimizer_state(model)
        members[_OPTIMIZER] = _npz_bytes(weight_arrays(variables))
    members[_CONFIG] = _json_bytes(config)

    def write(f) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    write_file_atomically(filepath, write, overwrite, "save")


def _checked_suffix(filepath: str) -> str:
    """``filepath`` if it ends in ``.keras``; the error names the format and the name to use."""
    if filepath.lower().endswith(".keras"):
        return filepath
    head, name = os.path.split(filepath)
    stem, suffix = os.path.splitext(name)
    why = ("HDF5 (Keras's legacy format), which minigrad does not write" if suffix.lower() in (".h5", ".hdf5")
           else "not a .keras name")
    raise InvalidArgumentError(
        f"save: `filepath` {filepath!r} ends in {suffix or 'no suffix'!r}: {why}. Keras 3 and minigrad "
        f"save whole models as '.keras' files (a zip of the config and the weights): name it "
        f"{os.path.join(head, (stem or 'model') + '.keras')!r}, or save the weights alone with "
        "save_weights('....weights.npz').")


def _metadata() -> dict:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "minigrad_version": mg.__version__,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def _json_bytes(data) -> bytes:
    return json.dumps(data, default=saving._json_default, indent=1).encode("utf-8")


def _npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def model_file_config(model: Model) -> dict:
    """What ``config.json`` holds (Keras 3's keys), without ``optimizer_slots``.

    Raises:
        NotImplementedError: for a subclassed model without ``get_config``.
        ArgumentTypeError: for compile arguments that cannot be named in a file.
    """
    try:
        config = model.get_config()
    except NotImplementedError as exc:
        raise NotImplementedError(
            f"Cannot save model {model.name!r}: {exc} Keras does the same: a subclassed model is "
            "saved as its get_config() and its weights. Or save the weights alone with "
            "model.save_weights('....weights.npz') and rebuild the model in code.") from exc
    return {"module": type(model).__module__, "class_name": saving._class_name(model), "config": config,
            "registered_name": get_registered_name(type(model)), "build_config": _build_config(model),
            "compile_config": _compile_config(model)}


def _build_config(model: Model) -> dict | None:
    """``{"input_shape": ...}`` for a built subclassed model (a graph rebuilds itself)."""
    if model._is_graph_network or not model.built or not model.weights:
        return None
    shape = getattr(model, "_build_input_shape", None)
    if shape is None:
        raise InvalidArgumentError(
            f"Cannot save model {model.name!r}: it has weights but minigrad does not know the input "
            "shape it was built on. Call model.build(input_shape) (or call it on a batch) first.")
    return {"input_shape": shape}


def _compile_config(model: Model) -> dict | None:
    """The arguments of ``compile`` as names and configs, or None if it was not compiled."""
    if not getattr(model, "_is_compiled", False):
        return None
    return {"optimizer": serialize_object(model.optimizer, "optimizer"),
            "loss": serialize_object(model.loss, "loss"),
            "metrics": serialize_object(model.compiled_metrics._metrics, "metric"),
            "loss_weights": serialize_object(model.compiled_loss._loss_weights, "loss weight"),
            "weighted_metrics": serialize_object(model.compiled_metrics._weighted, "metric")}


def _optimizer_state(model: Model) -> tuple:
    """``([[weight index, slot name], ...], [iterations, slot, ...])`` of the model's optimizer."""
    optimizer, weights = model.optimizer, model.weights
    owners = {}
    for index, weight in enumerate(weights):
        for slot_name in optimizer.get_slot_names():
            try:
                owners[id(optimizer.get_slot(weight, slot_name))] = [index, slot_name]
            except KeyError:
                continue  # no step has updated this weight yet
    variables = optimizer.variables()
    slots = []
    for variable in variables[1:]:
        if id(variable) not in owners:
            raise InvalidArgumentError(
                f"Cannot save the optimizer of model {model.name!r}: it holds state {variable.name!r} for "
                "a variable that is not one of the model's weights. Save with include_optimizer=False.")
        slots.append(owners[id(variable)])
    return slots, variables


def serialize_object(value, what: str):
    """A compile argument as JSON: plain values as they are, objects as Keras 3 writes them.

    Functions become ``{"module", "class_name": "function", "config": name, "registered_name"}``,
    objects with ``get_config`` ``{"module", "class_name", "config", "registered_name"}`` (their
    config serialized the same way: a learning-rate schedule inside an optimizer's).

    Raises:
        ArgumentTypeError: for a lambda or another value a file cannot name.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [serialize_object(item, what) for item in value]
    if isinstance(value, dict):
        return {str(key): serialize_object(item, what) for key, item in value.items()}
    if isinstance(value, type):
        return {"module": value.__module__, "class_name": "__class__", "config": value.__name__,
                "registered_name": get_registered_name(value)}
    if hasattr(value, "get_config"):
        config = value.get_config()
        if hasattr(value, "_compile_name"):  # a metric that compile named after its output
            config = {**config, "name": value._compile_name}
        return {"module": type(value).__module__, "class_name": type(value).__name__,
                "config": serialize_object(config, what),
                "registered_name": get_registered_name(type(value))}
    name = getattr(value, "__name__", None)
    if callable(value) and name is not None and name != "<lambda>":
        return {"module": getattr(value, "__module__", None), "class_name": "function", "config": name,
                "registered_name": get_registered_name(value)}
    raise ArgumentTypeError(
        f"save: cannot save the {what} {value!r} in a file: it is neither a name, a named function, "
        "nor an object with get_config(). Use a def-function or a class with get_config() (and "
        "register it with @layers.saving.register_keras_serializable()), or save the weights alone "
        "with save_weights.")


# -- loading -------------------------------------------------------------------------------------
def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """A model saved by ``model.save``: the same architecture, weights and compile state.

    Args:
        filepath: a ``.keras`` file written by minigrad (recognised by its content).
        custom_objects: ``{name: class or function}`` for the classes and functions of your own
            that the file names (layers, models, losses, metrics, activations, ...) and that
            were not registered with ``register_keras_serializable``.
        compile: whether to compile the model as it was (optimizer state included).
        safe_mode: accepted for Keras compatibility: a minigrad file holds no code (no lambdas,
            no pickles), so there is nothing unsafe to refuse.

    Returns:
        The model: of the saved class, built, with the saved weights (bit for bit), compiled if
        it was compiled and ``compile`` is True.

    Raises:
        ModelFileError: (a ValueError) if the file is not a minigrad ``.keras`` file (another
            format, a zip without minigrad's metadata, a Keras-written file), is truncated or
            damaged, or was written by a newer minigrad (a higher ``format_version``).
        UnknownObjectError: (a ValueError) if it names a class or function that is neither
            built in, registered, nor in ``custom_objects``.
        ArgumentTypeError: for arguments of the wrong type.
        OSError: if the file cannot be opened (FileNotFoundError, ...).
    """
    filepath = checked_path(filepath, "load_model", example="model.keras")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ArgumentTypeError(f"load_model: `custom_objects` must be a dict {{name: class or function}}, "
                                f"got {custom_objects!r}. Pass e.g. custom_objects={{'MyLayer': MyLayer}}.")
    compile = check_bool("compile", compile, where="load_model")
    check_bool("safe_mode", safe_mode, where="load_model")
    with open(filepath, "rb") as f:
        reason = not_a_zip(f.read(8))
        if reason:
            raise ModelFileError(_not_a_model_file(filepath, reason))
        size = f.seek(0, os.SEEK_END)  # a truncated file may end inside the weights' own zip
        f.seek(max(size - 22, 0))
        if size < 22 or f.read(4) != b"PK\x05\x06":
            raise ModelFileError(_damaged(filepath, "it is truncated or damaged (it does not end with "
                                                    "the zip directory model.save writes)"))
        f.seek(0)
        with _damage_as_model_file_error(filepath, "it is truncated or damaged (its zip directory is "
                                                   "unreadable)"):
            archive = zipfile.ZipFile(f)
        with archive:
            metadata = _read_json(filepath, archive, _METADATA)
            _check_metadata(filepath, archive, metadata)
            config = _read_json(filepath, archive, _CONFIG)
            weights = _read_member(filepath, archive, _WEIGHTS)
            optimizer = (_read_member(filepath, archive, _OPTIMIZER)
                         if compile and _OPTIMIZER in archive.namelist() else None)
    with CustomObjectScope(custom_objects):
        model = _model_from_file_config(filepath, config)
        _assign(filepath, weights, _WEIGHTS, model.weights, model.name)
        if compile and config.get("compile_config") is not None:
            _compile_from_config(filepath, model, config["compile_config"])
            if optimizer is not None:
                _restore_optimizer(filepath, model, config.get("optimizer_slots"), optimizer)
    return model


def _not_a_model_file(filepath: str, reason: str) -> str:
    return (f"{filepath} is not a minigrad .keras file: {reason}. Model files are written by "
            "model.save('name.keras'); load a weights file with model.load_weights instead.")


def _damaged(filepath: str, reason: str) -> str:
    return f"Cannot load the model file {filepath}: {reason}. Save the model again."


@contextlib.contextmanager
def _damage_as_model_file_error(filepath: str, what: str):
    """Turn what zipfile and zlib raise for damaged bytes into one ModelFileError."""
    try:
        yield
    except MinigradError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, ValueError, OSError,
            NotImplementedError) as exc:
        if isinstance(exc, OSError) and exc.errno != errno.EINVAL:
            raise  # a real I/O error, not damaged bytes
        detail = str(exc).split("\n")[0]
        raise ModelFileError(_damaged(filepath, f"{what} ({type(exc).__name__}: {detail})")) from exc


def _member(filepath: str, archive: zipfile.ZipFile, name: str, reason: str) -> zipfile.ZipInfo:
    try:
        return archive.getinfo(name)
    except KeyError:
        raise ModelFileError(_not_a_model_file(filepath, reason)) from None


def _read_member(filepath: str, archive: zipfile.ZipFile, name: str) -> bytes:
    info = _member(filepath, archive, name, f"it has no {name} member")
    with _damage_as_model_file_error(filepath, f"its member {name} is damaged"):
        return archive.read(info)  # the zip's CRC-32 check catches flipped bytes


def _read_json(filepath: str, archive: zipfile.ZipFile, name: str):
    reason = f"it has no {name}" + (" (a zip, but not one model.save wrote)" if name == _METADATA else "")
    info = _member(filepath, archive, name, reason)
    if info.file_size > MAX_JSON_BYTES:
        raise ModelFileError(_damaged(filepath, f"its {name} declares {info.file_size} bytes (at most "
                                                f"{MAX_JSON_BYTES}); it was not read"))
    data = _read_member(filepath, archive, name)
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(_damaged(filepath, f"its {name} is not valid JSON ({exc})")) from exc
    if not isinstance(value, dict):
        raise ModelFileError(_damaged(filepath, f"its {name} holds {type(value).__name__}, not an object"))
    return value


def _check_metadata(filepath: str, archive: zipfile.ZipFile, metadata: dict) -> None:
    if metadata.get("format") != FORMAT:
        if "keras_version" in metadata:
            reason = (f"it was written by Keras {metadata['keras_version']}, whose weights are HDF5 "
                      "(model.weights.h5), which minigrad does not read")
        else:
            reason = f"its metadata.json does not say format {FORMAT!r}"
        raise ModelFileError(_not_a_model_file(filepath, reason))
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(_damaged(filepath, f"its format_version is {version!r}, not a number >= 1"))
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"Cannot load {filepath}: it was written by a newer minigrad "
            f"({metadata.get('minigrad_version', 'unknown version')}) in .keras format version {version}, "
            f"and this minigrad ({mg.__version__}) reads versions up to {FORMAT_VERSION}. Upgrade "
            "minigrad to load it.")


def _model_from_file_config(filepath: str, config: dict):
    """The model ``config.json`` describes, built (its weights not yet assigned)."""
    if "class_name" not in config or "config" not in config:
        raise ModelFileError(_damaged(filepath, "its config.json has no 'class_name' and 'config'"))
    try:
        model = saving.deserialize_layer(config)
        build_config = config.get("build_config")
        if build_config is not None and not model.built:
            model.build(build_config["input_shape"])
    except UnknownObjectError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(_damaged(
            filepath, f"its config.json does not rebuild a model ({type(exc).__name__}: {exc})")) from exc
    return model


def _assign(filepath: str, data: bytes, member: str, variables: list, owner: str) -> None:
    """Read a checked weights archive from ``data`` into ``variables`` (all checked first)."""
    try:
        arrays = read_weights_archive(io.BytesIO(data), f"{filepath}:{member}", variables, owner)
    except WeightsFileError as exc:
        raise ModelFileError(f"Cannot load the model file {filepath}: {exc}") from exc
    for variable, array in zip(variables, arrays):
        variable.assign(array)


def _compile_from_config(filepath: str, model, compile_config: dict) -> None:
    arguments = {key: deserialize_object(value) for key, value in compile_config.items()}
    model.compile(**arguments)


def _restore_optimizer(filepath: str, model, slots, data: bytes) -> None:
    """Make the saved slots in their saved order, then assign iterations and slots."""
    optimizer, weights = model.optimizer, model.weights
    if not isinstance(slots, list) or any(
            not (isinstance(s, list) and len(s) == 2 and isinstance(s[0], int) and 0 <= s[0] < len(weights)
                 and s[1] in optimizer.get_slot_names()) for s in slots):
        raise ModelFileError(_damaged(filepath, "its optimizer_slots do not name the model's weights and "
                                                f"the slots of {type(optimizer).__name__}"))
    for index, slot_name in slots:
        optimizer.add_slot(weights[index], slot_name)
    _assign(filepath, data, _OPTIMIZER, optimizer.variables(), f"{model.name} (its optimizer)")


def deserialize_object(data):
    """The inverse of ``serialize_object`` (names found as ``layers.object_registration`` says).

    Raises:
        UnknownObjectError: for a class or function that cannot be found.
    """
    if isinstance(data, list):
        return [deserialize_object(item) for item in data]
    if not isinstance(data, dict):
        return data
    if not ({"module", "class_name", "config"} <= set(data) <= {"module", "class_name", "config",
                                                                 "registered_name"}):
        return {key: deserialize_object(value) for key, value in data.items()}
    class_name, config = data["class_name"], data["config"]
    if class_name in ("function", "__class__"):
        return _find(config, data.get("registered_name"), data["module"], class_name)
    cls = _find(class_name, data.get("registered_name"), data["module"], "class")
    return cls.from_config(deserialize_object(config))


def _find(name: str, registered_name: str | None, module: str | None, kind: str):
    """A class or function by registered name, name, or (minigrad's own only) module."""
    for key in (registered_name, name):
        found = get_registered_object(key) if isinstance(key, str) else None
        if found is not None:
            return found
    if isinstance(module, str) and module.split(".")[0] in _OWN_PACKAGES and isinstance(name, str):
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            found = None
        if found is not None:
            return found
    found = registered_by_bare_name(name) if isinstance(name, str) else None
    if found is not None:
        return found
    what = "function" if kind == "function" else "class"
    raise UnknownObjectError(
        f"Unknown {what}: {registered_name or name!r} (from module {module!r}). It is not part of minigrad, "
        f"and it was neither registered nor passed in custom_objects. Either pass it when loading, "
        f"custom_objects={{{name!r}: {name}}}, or decorate its definition with "
        "@layers.saving.register_keras_serializable() (and run that definition before loading).")


__all__ = ["save_model", "load_model", "model_file_config", "serialize_object", "deserialize_object",
           "FORMAT", "FORMAT_VERSION"]
