"""The backend seam: the one module that imports numpy (and, on demand, cupy).

Everything else in minigrad asks this module for what it needs:

- ``array_module(a)``: ``numpy`` or ``cupy``, whichever owns the array ``a``;
- ``device_of(a)``: ``"cpu"`` or ``"cuda"``;
- ``to_device(a, device)``: a copy of ``a`` on another device;
- ``get_default_device()`` / ``set_default_device(device)``: where new tensors go;
- ``generator(device)``: the seeded random generator of a device (see ``minigrad.random``).

The default device and the generators are per thread (``minigrad.state`` says what a new
thread starts with); the array types of each device are the same in every thread.

CuPy is optional. It is imported the first time a GPU is asked for, never at
``import minigrad``; without it, asking for ``"cuda"`` raises
``DeviceUnavailableError`` with the command that installs it.
"""

from __future__ import annotations

import contextlib

import numpy

from minigrad import state
from minigrad.errors import (
    ArgumentTypeError,
    DeviceMismatchError,
    DeviceUnavailableError,
    InvalidArgumentError,
    UnsupportedDtypeError,
)

DEVICES = ("cpu", "cuda")

_cupy = None  # the cupy module, once a GPU has been asked for
_module_of_type: dict[type, object] = {numpy.ndarray: numpy}
_device_of_type: dict[type, str] = {numpy.ndarray: "cpu"}
_engine = state.engine  # this thread's default device and generators

# dtypes a Tensor may hold: booleans, integers and floats of NumPy's kinds.
_SUPPORTED_KINDS = "biuf"


def cupy_module():
    """Return the cupy module, importing it on first use.

    Raises:
        DeviceUnavailableError: if CuPy is not installed or no GPU is visible.
    """
    global _cupy
    if _cupy is None:
        try:
            import cupy  # noqa: PLC0415  (imported only when a GPU is asked for)

            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise RuntimeError("no CUDA device is visible")
        except Exception as exc:  # ImportError, CUDA driver errors
            raise DeviceUnavailableError(
                f"device 'cuda' is not available ({type(exc).__name__}: {exc}). "
                "minigrad runs on the GPU through CuPy: install it with "
                "`pip install -e \".[gpu]\"` on a machine with an NVIDIA GPU, "
                "or keep using device='cpu'."
            ) from exc
        use_cupy(cupy)
    return _cupy


def cuda_available() -> bool:
    """True when device "cuda" can be used here (CuPy installed and an NVIDIA GPU visible).

    Example::

        device = "cuda" if minigrad.cuda_available() else "cpu"
    """
    try:
        cupy_module()
    except DeviceUnavailableError:
        return False
    return True


def use_cupy(module) -> None:
    """Make ``module`` this process's CuPy: its ``ndarray`` type becomes the "cuda" arrays.

    ``cupy_module`` calls it with the real cupy. The tests call it with a NumPy-backed
    stand-in (``tests/fake_cupy.py``) to run the GPU code paths on a CPU.
    """
    global _cupy
    _cupy = module
    _module_of_type[module.ndarray] = module
    _device_of_type[module.ndarray] = "cuda"


def is_array(a) -> bool:
    """True if ``a`` is an array of a known backend (numpy or cupy)."""
    return type(a) in _module_of_type


def array_module(a):
    """The array module (numpy or cupy) that owns array ``a``."""
    try:
        return _module_of_type[type(a)]
    except KeyError:
        return numpy


def device_of(a) -> str:
    """``"cpu"`` for a NumPy array, ``"cuda"`` for a CuPy array."""
    return _device_of_type.get(type(a), "cpu")


def module_for_device(device: str):
    """The array module that holds arrays of ``device``."""
    device = check_device(device)
    return numpy if device == "cpu" else cupy_module()


def check_device(device: str | None) -> str:
    """Normalise a device name (None means the default device) and check it exists."""
    if device is None:
        return _engine.default_device
    if not isinstance(device, str) or device.split(":")[0] not in DEVICES:
        raise InvalidArgumentError(f"unknown device {device!r}: use one of {DEVICES}.")
    device, _, index = device.partition(":")
    if index not in ("", "0"):  # "cuda:1" taken as "cuda" would silently compute on GPU 0
        raise InvalidArgumentError(
            f"unknown device {device}:{index}: minigrad uses one device of each kind, so only "
            f"'{device}' (or '{device}:0') exists. To use another GPU, make it the visible one "
            "(CUDA_VISIBLE_DEVICES=1) and pass 'cuda'."
        )
    if device == "cuda":
        cupy_module()
    return device


def get_default_device() -> str:
    """The device on which this thread creates new tensors and weights.

    "cpu" at start, and in every new thread: the default device is per thread, as
    ``torch.cuda.current_device`` and TensorFlow's device scopes are.
    """
    return _engine.default_device


def set_default_device(device: str) -> None:
    """Make ``device`` the default for new tensors and weights in this thread.

    Other threads keep theirs, and a thread started later begins with "cpu".

    Args:
        device: "cpu" or "cuda" ("cuda:0" is taken as "cuda": minigrad uses one GPU).

    Raises:
        InvalidArgumentError: for an unknown device name.
        DeviceUnavailableError: for "cuda" without CuPy or a GPU.
    """
    _engine.default_device = check_device(_not_none_device("device", device, "set_default_device"))


@contextlib.contextmanager
def device(name: str):
    """Make ``name`` this thread's default device inside a ``with`` block, then restore the previous one.

    Example::

        with minigrad.device("cuda"):
            x = minigrad.tensor([1.0, 2.0])      # on the GPU
            model = layers.Sequential([...])      # weights made on the GPU when built

    Args:
        name: "cpu" or "cuda".

    Raises:
        InvalidArgumentError: for an unknown device name.
        DeviceUnavailableError: for "cuda" without CuPy or a GPU.
    """
    engine = _engine
    previous, engine.default_device = engine.default_device, check_device(
        _not_none_device("name", name, "device")
    )
    try:
        yield engine.default_device
    finally:
        engine.default_device = previous


def _not_none_device(name: str, device, where: str):
    """``device`` unless it is None (which elsewhere means "the default": ambiguous here)."""
    if device is None:
        raise ArgumentTypeError(
            f"{where}: `{name}` is None: pass a device name, one of {DEVICES}, e.g. {name}='cpu'."
        )
    return device


def to_device(a, device: str):
    """Return array ``a`` on ``device`` (the same array if it is already there)."""
    device = check_device(device)
    if device_of(a) == device:
        return a
    if device == "cpu":
        return a.get()
    return cupy_module().asarray(a)


def check_same_device(op_name: str, arrays) -> None:
    """Raise DeviceMismatchError if ``arrays`` live on different devices."""
    devices = sorted({device_of(a) for a in arrays})
    if len(devices) > 1:
        raise DeviceMismatchError(
            f"{op_name} got inputs on different devices: {' and '.join(devices)}. "
            "An op computes on one device; move the inputs there first, for example "
            "`x.to('cpu')` or `x.to('cuda')`."
        )


def as_array(data, dtype=None, device: str | None = None):
    """Turn ``data`` (array, list, number) into a backend array on ``device``.

    Python floats and lists of floats become float32, as in TensorFlow and PyTorch;
    NumPy arrays keep their dtype unless ``dtype`` is given. Without a ``device``,
    host data (numbers, lists, NumPy arrays) goes to the default device and a GPU
    array stays where it is.

    Raises:
        ArgumentTypeError: for None, text, other objects or ragged lists among the data
            (NumPy would make NaN of None under a float dtype).
        UnsupportedDtypeError: for arrays or a dtype minigrad does not hold.
    """
    if dtype is not None:
        dtype = check_dtype(dtype)
    if device is None and is_array(data) and device_of(data) != "cpu":
        device = device_of(data)
    xp = module_for_device(device)
    if is_array(data):
        data = to_device(data, device)
        try:
            arr = data if dtype is None else data.astype(dtype, copy=False)
        except (TypeError, ValueError) as exc:  # text or objects into a number dtype
            raise UnsupportedDtypeError(
                f"cannot make a tensor of dtype {dtype} from an array of dtype {data.dtype} ({exc}). "
                "Pass a numeric array."
            ) from exc
    else:
        probe = _host_probe(data)
        if dtype is None and not isinstance(data, numpy.generic):
            dtype = _default_dtype_for(data if probe is None else probe)
        try:
            arr = xp.asarray(data, dtype=dtype)
        except OverflowError as exc:
            raise InvalidArgumentError(
                f"cannot make a tensor of dtype {dtype} from {_short_repr(data)}: {exc}. "
                "Pass values the dtype can hold, or a wider dtype (e.g. dtype='int64' or 'float64')."
            ) from exc
        except (TypeError, ValueError) as exc:
            raise UnsupportedDtypeError(
                f"cannot make a tensor from {type(data).__name__} data ({exc}). "
                "Pass numbers, nested lists of numbers, or a numeric array."
            ) from exc
    check_dtype(arr.dtype)
    return arr


def scalar_like(value, like):
    """A 0-d array holding the Python number ``value``, ready to combine with array ``like``.

    Python numbers are "weak", as in NumPy 2 (NEP 50): the number takes ``like``'s
    dtype and device when that dtype can hold its kind (``float32_array * 2.0`` stays
    float32), and its own default dtype otherwise (``int_array * 0.5`` is a float,
    ``bool_array + 2`` an int).

    Args:
        value: a Python bool, int or float.
        like: a backend array.

    Returns:
        A 0-d array of ``like``'s array module.
    """
    if isinstance(value, bool):
        kinds = "biuf"
    elif isinstance(value, int):
        kinds = "iuf"
    else:
        kinds = "f"
    dtype = like.dtype
    if dtype.kind in kinds:
        return _module_of_type.get(type(like), numpy).asarray(value, dtype=dtype)
    return as_array(value, None, device_of(like))


def _host_probe(data):
    """Host data (a number, nested lists) as NumPy reads it, None for a plain number.

    Raises:
        ArgumentTypeError: naming the first element that is None, text or another object,
            or the first place where nested lists have different lengths.
    """
    if isinstance(data, (bool, int, float, numpy.generic)):
        return None
    try:
        probe = numpy.asarray(data)
    except (ValueError, TypeError):
        probe = None
    if probe is None or probe.dtype.kind in "OUSV":
        problem = _first_bad_element(data, "data")
        if problem is not None:
            raise ArgumentTypeError(
                f"cannot make a tensor from {_short_repr(data)}: {problem}. Pass numbers "
                "(bool, int or float), nested lists of numbers with the same length on each "
                "level, or a numeric array; write float('nan') for a missing value."
            )
    return probe


def _first_bad_element(data, where: str) -> str | None:
    """What is wrong at the first bad place of ``data`` (``data[1][0] is None``), or None."""
    if data is None:
        return f"{where} is None"
    if isinstance(data, (str, bytes)):
        return f"{where} is the string {_short_repr(data)}"
    if isinstance(data, (list, tuple)):
        lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
        for i, item in enumerate(data):
            problem = _first_bad_element(item, f"{where}[{i}]")
            if problem is not None:
                return problem
        if len(set(lengths)) > 1:
            return (f"the items of {where} are ragged (lengths "
                    f"{['number' if n is None else n for n in lengths]})")
        return None
    if isinstance(data, (bool, int, float, complex, numpy.generic)) or hasattr(data, "__array__"):
        return None
    return f"{where} is an object of type {type(data).__name__} ({_short_repr(data)})"


def _short_repr(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _default_dtype_for(data):
    """float32 for Python floats and lists holding floats, NumPy's choice otherwise."""
    probe = numpy.asarray(data)
    if probe.dtype.kind == "f":
        return numpy.float32
    return None


def check_dtype(dtype) -> numpy.dtype:
    """Return ``dtype`` as a numpy.dtype, or raise UnsupportedDtypeError.

    None is refused (NumPy reads it as float64); callers where None means a default
    replace it first.
    """
    if dtype is None:
        raise UnsupportedDtypeError("dtype is None: pass a dtype, e.g. 'float32'.")
    try:
        dt = numpy.dtype(dtype)
    except (TypeError, ValueError, SyntaxError) as exc:  # NumPy parses strings: "0:", "01f"
        raise UnsupportedDtypeError(f"{dtype!r} is not a dtype: use e.g. 'float32'.") from exc
    if dt.kind not in _SUPPORTED_KINDS:
        raise UnsupportedDtypeError(
            f"tensors of dtype {dt} are not supported: minigrad holds booleans, integers "
            "and floats (float16, float32, float64). Convert the data first, e.g. "
            "`np.asarray(data, dtype='float32')`."
        )
    return dt


def is_floating(dtype) -> bool:
    """True for float16, float32 and float64."""
    return numpy.dtype(dtype).kind == "f"


def result_dtype(*dtypes) -> numpy.dtype:
    """The dtype NumPy gives to an operation on arrays of these dtypes."""
    return numpy.result_type(*dtypes)


def generator(device: str | None = None):
    """This thread's random generator of ``device``: ``numpy.random.Generator`` or CuPy's."""
    device = check_device(device)
    xp = module_for_device(device)
    made = _engine.generators.get(device)
    if made is None or made[0] is not xp:  # (a generator of a replaced CuPy is not reused)
        made = _engine.generators[device] = (xp, xp.random.default_rng(_engine.seed))
    return made[1]


def seed(n: int | None) -> None:
    """Reseed every device's generator in this thread, so that its runs repeat exactly.

    ``n`` also becomes the process seed, which a thread starts from when it first uses
    minigrad (see ``minigrad.state``); the generators of other threads are left as they are.
    """
    state.process_seed = n
    _engine.seed = n
    _engine.generators.clear()


def new_generator(seed: int | None = None, device: str | None = None):
    """A fresh, independent generator for ``device`` seeded with ``seed``."""
    return module_for_device(check_device(device)).random.default_rng(seed)

