"""A strict, NumPy-backed stand-in for CuPy, so that minigrad's "cuda" code paths run on a CPU.

Install it with ``minigrad.backend.use_cupy(FakeCupy())`` (``MINIGRAD_FAKE_GPU=1`` makes
``tests/conftest.py`` do that for the whole test run). Its arrays, ``FakeCudaArray``, are NumPy
arrays that the backend files under device "cuda".

The fake behaves like CuPy where minigrad could go wrong, and refuses what CuPy lacks, using the
API recorded from the real CuPy in ``tests/data/cupy_api.json`` (``tests/tools/record_cupy_api.py``):

- a module attribute resolves to NumPy's only if CuPy has the name (``fake.errstate`` raises
  AttributeError), and a call with a keyword CuPy's signature lacks raises TypeError;
- ``FakeCudaArray`` has only the methods of ``cupy.ndarray`` (no ``resize``, ``setflags`` ...);
  its ``flags`` are read-only like CuPy's; ``.get()`` copies it to a NumPy array;
- a NumPy array mixed into a device operation raises TypeError, as in CuPy (``asarray`` and
  ``array`` take host data: that is a host-to-device copy; index arrays may be NumPy arrays);
  Python lists are refused by ufuncs; Python and NumPy scalars are fine;
- reductions and scalar indexing return 0-d device arrays, never NumPy scalars;
- ufunc methods follow CuPy: ``.at`` only for scatter ufuncs (add, subtract, maximum ...),
  ``.reduce``/``.accumulate`` only for add and multiply;
- ``random.default_rng(seed)`` has only the methods of ``cupy.random.Generator`` (no ``normal``);
- ``ElementwiseKernel`` / ``ReductionKernel`` execute a subset of CUDA C with NumPy
  (``tests/fake_cupy_kernels.py`` says which).

Known gap: ``numpy.asarray(fake_array)`` silently gives a host array (an ndarray subclass cannot
refuse it), where CuPy raises TypeError; use ``backend.to_device(a, "cpu")`` / ``a.get()``.
"""

from __future__ import annotations

import functools
import inspect
import json
from pathlib import Path

import fake_cupy_kernels
import numpy as np
from numpy.lib import stride_tricks

API = json.loads((Path(__file__).parent / "data" / "cupy_api.json").read_text())
CUPY_VERSION = API["cupy_version"]
_SHORT_VERSION = ".".join(CUPY_VERSION.split(".")[:2])
_NAMES = {qual: frozenset(names) for qual, names in API["namespaces"].items()}
_CLASS_NAMES = {qual: frozenset(names) for qual, names in API["classes"].items()}
_UFUNCS = frozenset(API["ufuncs"])
_SIGNATURES = API["signatures"]
_HOST_OK = ("array", "asarray", "asanyarray")  # CuPy copies host data to the device here
_REDUCING_UFUNCS = {"reduce": ("add", "multiply"), "accumulate": ("add", "multiply"), "reduceat": ("add",)}


def _lacks(what: str, name: str) -> AttributeError:
    return AttributeError(f"{what} has no attribute {name!r} (fake_cupy: CuPy {_SHORT_VERSION} lacks it)")


def _not_faked(qualname: str) -> AttributeError:
    return AttributeError(f"{qualname} exists in CuPy {_SHORT_VERSION} but fake_cupy does not implement it")


@functools.cache
def _keywords(qualname: str) -> frozenset[str] | None:
    """The keywords CuPy's ``qualname`` accepts; None if any (``**kwargs``) or unknown."""
    params = _SIGNATURES.get(qualname)
    if params is None or any(p.startswith("**") for p in params):
        return None
    after_slash = params[params.index("/") + 1 :] if "/" in params else params
    return frozenset(p for p in after_slash if not p.startswith("*") and p != "/")


def check_keywords(qualname: str, kwargs: dict) -> None:
    """Raise TypeError for a keyword that CuPy's ``qualname`` does not take.

    Args:
        qualname: e.g. ``"cupy.einsum"`` or ``"cupy.ndarray.sum"``.
        kwargs: the keywords of the call.

    Raises:
        TypeError: naming the first keyword CuPy refuses.
    """
    accepted = _keywords(qualname)
    if accepted is None:
        return
    for key in kwargs:
        if key not in accepted:
            raise TypeError(
                f"{qualname}() got an unexpected keyword argument {key!r} "
                f"(fake_cupy: CuPy {_SHORT_VERSION} does not take it)"
            )


# -- moving between the fake device and NumPy ---------------------------------------------------


def _host(a: FakeCudaArray) -> np.ndarray:
    """The NumPy view of a device array (same memory)."""
    return np.ndarray.view(a, np.ndarray)


def _refuse_host_array(where: str, obj) -> TypeError:
    return TypeError(
        f"Unsupported type {type(obj)} (fake_cupy: {where} got a host array; CuPy refuses to mix "
        "NumPy arrays into device operations: move it first with cupy.asarray(...))"
    )


def to_host(obj, where: str, host_ok: bool = False):
    """Replace device arrays by their NumPy views, inside lists and tuples too.

    Args:
        obj: an argument of a device operation.
        where: the operation's name, for the error message.
        host_ok: whether NumPy arrays are welcome (CuPy copies them to the device there).

    Returns:
        ``obj`` with every FakeCudaArray replaced by a NumPy view of the same memory.

    Raises:
        TypeError: for a NumPy array, unless ``host_ok``.
    """
    if isinstance(obj, FakeCudaArray):
        return _host(obj)
    if isinstance(obj, np.ndarray):
        if host_ok:
            return obj
        raise _refuse_host_array(where, obj)
    if type(obj) in (list, tuple):
        return type(obj)(to_host(x, where, host_ok) for x in obj)
    return obj


def to_device(obj, originals: dict | None = None):
    """Turn NumPy results into device arrays: arrays, NumPy scalars (0-d arrays), tuples, lists.

    Args:
        obj: what a NumPy function returned.
        originals: ``id`` of a host view -> the device array it views (``out=`` arguments), which
            is returned as itself.

    Returns:
        ``obj`` with its arrays and NumPy scalars as FakeCudaArrays; other values unchanged.
    """
    if originals and id(obj) in originals:
        return originals[id(obj)]
    if type(obj) is np.ndarray:
        return obj.view(FakeCudaArray)
    if isinstance(obj, np.generic):
        return np.asarray(obj).view(FakeCudaArray)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # named tuples (linalg results)
        return type(obj)(*(to_device(x, originals) for x in obj))
    if type(obj) in (list, tuple):
        return type(obj)(to_device(x, originals) for x in obj)
    return obj


def call_on_host(func, qualname: str, args, kwargs):
    """Check keywords, run ``func`` on NumPy views, and give back device arrays.

    Args:
        func: the NumPy callable.
        qualname: CuPy's name of the call, whose recorded signature the keywords must fit.
        args, kwargs: the call's arguments (device arrays, scalars, shapes ...).

    Returns:
        ``func``'s result with arrays on the fake device; an ``out=`` array is returned as itself.

    Raises:
        TypeError: for a keyword CuPy does not take, or a NumPy array among the arguments.
    """
    check_keywords(qualname, kwargs)
    host_args = to_host(args, qualname)
    host_kwargs = {k: to_host(v, qualname) for k, v in kwargs.items()}
    originals = {}
    out = kwargs.get("out")
    for device_out, host_out in zip(_as_tuple(out), _as_tuple(host_kwargs.get("out"))):
        originals[id(host_out)] = device_out
    return to_device(func(*host_args, **host_kwargs), originals)


def _as_tuple(x) -> tuple:
    return () if x is None else x if isinstance(x, tuple) else (x,)


def device_function(qualname: str, func):
    """``func`` (a NumPy callable) as CuPy's ``qualname``: device arrays in and out.

    Args:
        qualname: e.g. ``"cupy.linalg.qr"``.
        func: NumPy's function, e.g. ``numpy.linalg.qr``.

    Returns:
        A function that calls ``func`` through ``call_on_host``.
    """

    def on_fake_gpu(*args, **kwargs):
        return call_on_host(func, qualname, args, kwargs)

    on_fake_gpu.__name__ = on_fake_gpu.__qualname__ = qualname.rsplit(".", 1)[-1]
    on_fake_gpu.__doc__ = f"fake_cupy's {qualname}: NumPy's {func.__name__} on device arrays."
    return on_fake_gpu


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


# -- the device array -----------------------------------------------------------------------------


class FakeCudaArray(np.ndarray):
    """A NumPy array that stands for a ``cupy.ndarray`` (device "cuda"): CuPy's methods only."""

    def get(self, stream=None, order="C", out=None, blocking=True) -> np.ndarray:
        """A NumPy copy on the host (``cupy.ndarray.get``), written into ``out`` if given."""
        if out is not None:
            np.copyto(out, _host(self))
            return out
        return np.array(_host(self), order=order, copy=True)

    def set(self, arr, stream=None) -> None:
        """Copy the NumPy array ``arr`` (same shape and dtype) into this array (``cupy.ndarray.set``)."""
        if not isinstance(arr, np.ndarray) or isinstance(arr, FakeCudaArray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, not {type(arr)}")
        if arr.shape != self.shape or arr.dtype != self.dtype:
            raise ValueError(f"Shape/dtype mismatch: {arr.shape} {arr.dtype} into {self.shape} {self.dtype}")
        np.copyto(_host(self), arr)

    def scatter_add(self, slices, value) -> None:
        """``self[slices] += value``, repeated indices accumulated (``cupy.ndarray.scatter_add``).

        As in CuPy, ``slices`` and ``value`` may be host data: they are copied to the device.
        """
        np.add.at(_host(self), to_host(slices, "scatter_add", True), to_host(value, "scatter_add", True))

    @property
    def device(self):
        """The CUDA device holding the array (always device 0 here)."""
        return _Device(0)

    @property
    def flags(self):
        """CuPy's read-only flags: ``c_contiguous``, ``f_contiguous``, ``owndata`` (no ``writeable``)."""
        flags = np.ndarray.flags.__get__(self)
        return _Flags(flags.c_contiguous, flags.f_contiguous, flags.owndata)

    def __getitem__(self, index):
        result = np.ndarray.__getitem__(_host(self), to_host(index, "indexing", host_ok=True))
        return to_device(result)

    def __setitem__(self, index, value):
        if isinstance(value, np.ndarray) and not isinstance(value, FakeCudaArray):
            if value.ndim and _is_basic_index(index):  # CuPy fills a slice from a scalar only
                raise ValueError("non-scalar numpy.ndarray cannot be used for fill (fake_cupy: as CuPy)")
        else:
            value = to_host(value, "item assignment")
        np.ndarray.__setitem__(_host(self), to_host(index, "indexing", host_ok=True), value)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        return repr(_host(self))

    def __str__(self):
        return str(_host(self))

    def __format__(self, spec):
        return format(_host(self), spec)

    def __index__(self):
        raise TypeError("'cupy.ndarray' object cannot be interpreted as an integer (fake_cupy: as CuPy)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fake = _default_module()._ufunc_named(ufunc.__name__)
        out = kwargs.get("out")
        if isinstance(out, tuple) and len(out) == 1:
            kwargs["out"] = out[0]  # NumPy hands ufuncs a tuple; CuPy's take the array
        return (fake if method == "__call__" else getattr(fake, method))(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        for t in types:
            if not issubclass(t, FakeCudaArray):
                raise TypeError(
                    f"Unsupported type {t} (fake_cupy: numpy.{func.__name__} got a host array next to "
                    "a device array; CuPy refuses to mix them)"
                )
        qualname = _cupy_name_of(func)
        return call_on_host(func, qualname, args, kwargs)

    def __getattr__(self, name):  # only reached for names NumPy arrays lack
        if name in _CLASS_NAMES["cupy.ndarray"]:
            raise _not_faked(f"cupy.ndarray.{name}")
        raise _lacks("'cupy.ndarray' object", name)


def _device_method(name: str):
    """NumPy's ndarray method ``name`` as CuPy's: keywords checked, device arrays in and out."""
    base = getattr(np.ndarray, name)
    qualname = f"cupy.ndarray.{name}"

    def method(self, *args, **kwargs):
        return call_on_host(base, qualname, (self, *args), kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"cupy.ndarray.{name} on the fake device (numpy's ndarray.{name})."
    return method


class _Refused:
    """An ndarray attribute CuPy lacks: reading it raises AttributeError."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        raise _lacks("'cupy.ndarray' object", self.name)


def _shape_fake_array_class() -> None:
    """Give FakeCudaArray the methods of cupy.ndarray and refuse the NumPy-only ones."""
    cupy_names = _CLASS_NAMES["cupy.ndarray"]
    for name in dir(np.ndarray):
        if name.startswith("_") or name in FakeCudaArray.__dict__:
            continue
        if name not in cupy_names:
            refused = _Refused()
            refused.__set_name__(FakeCudaArray, name)
            setattr(FakeCudaArray, name, refused)
        elif callable(getattr(np.ndarray, name)):
            setattr(FakeCudaArray, name, _device_method(name))


_shape_fake_array_class()


class _Flags:
    """Read-only contiguity flags, as ``cupy.ndarray.flags``."""

    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, c_contiguous, f_contiguous, owndata):
        object.__setattr__(self, "c_contiguous", c_contiguous)
        object.__setattr__(self, "f_contiguous", f_contiguous)
        object.__setattr__(self, "owndata", owndata)

    def __setattr__(self, name, value):
        raise AttributeError(f"cupy.ndarray.flags are read-only: cannot set {name!r}")

    def __getitem__(self, key):
        names = {"C_CONTIGUOUS": "c_contiguous", "F_CONTIGUOUS": "f_contiguous", "OWNDATA": "owndata"}
        return getattr(self, names[key])

    def __repr__(self):
        return "\n".join(f"  {name.upper()} : {getattr(self, name)}" for name in self.__slots__)


def _cupy_name_of(func) -> str:
    """CuPy's name for a NumPy function (``numpy.linalg.qr`` -> ``cupy.linalg.qr``).

    Raises:
        TypeError: if the recorded CuPy lacks it (CuPy's ``__array_function__`` declines then).
    """
    module = (getattr(func, "__module__", None) or "numpy").replace("numpy", "cupy", 1)
    qualname = f"{module}.{func.__name__}"
    if module in _NAMES and func.__name__ not in _NAMES[module]:
        raise TypeError(
            f"no implementation found for 'numpy.{func.__name__}' on device arrays "
            f"(fake_cupy: CuPy {_SHORT_VERSION} has no {qualname})"
        )
    return qualname


# -- ufuncs -----------------------------------------------------------------------------------------


class FakeUfunc:
    """A NumPy ufunc as CuPy's: device arrays and scalars only, CuPy's keywords and methods.

    Args:
        name: the ufunc's name in CuPy (``"add"``).
        np_ufunc: NumPy's ufunc of that name.
    """

    def __init__(self, name: str, np_ufunc: np.ufunc):
        self.__name__ = name
        self.name = f"cupy_{name}"
        self._ufunc = np_ufunc
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs

    def __repr__(self):
        return f"<ufunc {self.name!r} (fake_cupy)>"

    def _check_operands(self, args) -> None:
        for a in args:
            if isinstance(a, (list, tuple)):
                raise TypeError(f"Unsupported type {type(a)} (fake_cupy: CuPy ufuncs take arrays, scalars)")

    def __call__(self, *args, **kwargs):
        self._check_operands(args)
        return call_on_host(self._ufunc, f"cupy.{self.__name__}", args, kwargs)

    def __getattr__(self, method):
        if method.startswith("_") or method not in _CLASS_NAMES["cupy.ufunc"]:
            raise _lacks("'cupy.ufunc' object", method)
        np_method = getattr(self._ufunc, method)
        if not callable(np_method):
            return np_method  # types
        qualname = f"cupy.ufunc.{method}"

        def ufunc_method(*args, **kwargs):
            self._check_supported(method)
            if method == "at":  # CuPy scatters: indices and values may be host data, copied over
                a, *rest = args
                check_keywords(qualname, kwargs)
                return np_method(to_host(a, qualname), *to_host(rest, qualname, host_ok=True))
            self._check_operands(args)
            return call_on_host(np_method, qualname, args, kwargs)

        ufunc_method.__name__ = method
        setattr(self, method, ufunc_method)  # cache: __getattr__ is not asked again
        return ufunc_method

    def _check_supported(self, method: str) -> None:
        """CuPy implements ``at`` as a scatter and ``reduce`` as sum/prod: the others raise."""
        if method == "at" and self.__name__ in API["ufunc_scatter_ops"]:
            return
        if method in _REDUCING_UFUNCS and self.__name__ in _REDUCING_UFUNCS[method]:
            return
        if method in ("at", *_REDUCING_UFUNCS):
            raise NotImplementedError(f"`{self.name}.{method}` is not supported yet (fake_cupy: as CuPy)")


# -- namespaces: cupy, cupy.linalg, cupy.random, cupy.lib.stride_tricks, cupy.cuda ------------------


class _Namespace:
    """A CuPy namespace backed by a NumPy one: only the names the recorded CuPy has.

    Args:
        qualname: CuPy's name of the namespace (``"cupy.linalg"``).
        numpy_namespace: the NumPy module that implements it.
        **members: attributes of the fake's own (sub-namespaces, classes).
    """

    def __init__(self, qualname: str, numpy_namespace, **members):
        self.__name__ = qualname
        self._numpy = numpy_namespace
        self.__dict__.update(members)

    def __repr__(self):
        return f"<fake_cupy namespace {self.__name__!r}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        qualname = self.__name__
        if name not in _NAMES.get(qualname, ()):
            raise _lacks(qualname, name)
        if not hasattr(self._numpy, name):
            raise _not_faked(f"{qualname}.{name}")
        value = self._adapt(name, getattr(self._numpy, name))
        setattr(self, name, value)  # cache: __getattr__ is not asked again
        return value

    def _adapt(self, name, attr):
        qualname = f"{self.__name__}.{name}"
        if isinstance(attr, np.ufunc) and self.__name__ == "cupy" and name in _UFUNCS:
            return FakeUfunc(name, attr)
        if inspect.ismodule(attr):
            raise _not_faked(qualname)  # e.g. cupy.fft: NumPy's module would compute on the host
        if isinstance(attr, type) or not callable(attr):
            return attr  # dtypes and other classes, constants
        return device_function(qualname, attr)


class FakeGenerator:
    """``cupy.random.Generator`` backed by ``numpy.random.Generator``: CuPy's methods only.

    Args:
        seed: what ``numpy.random.default_rng`` takes.
    """

    def __init__(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name):
        if name.startswith("_") or name not in _CLASS_NAMES["cupy.random.Generator"]:
            raise _lacks("'cupy.random.Generator' object", name)
        np_method = getattr(self._rng, name)
        np_keywords = set(inspect.signature(np_method).parameters)
        qualname = f"cupy.random.Generator.{name}"

        def draw(*args, **kwargs):
            dtype = kwargs.pop("dtype", None) if "dtype" not in np_keywords else None
            check_keywords(qualname, kwargs)
            result = call_on_host(np_method, qualname, args, kwargs)
            return result if dtype is None else result.astype(dtype)  # CuPy's uniform/beta take dtype

        draw.__name__ = name
        setattr(self, name, draw)
        return draw


class _Device:
    """``cupy.cuda.Device``: synchronize, use, and a context manager; there is one device, 0."""

    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise ValueError(f"fake_cupy has one CUDA device (0), not {self.id}")
        self.compute_capability = "90"

    def synchronize(self) -> None:
        """Nothing to wait for: NumPy has finished."""

    def use(self) -> None:
        """Make this the current device (it always is)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __eq__(self, other):
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<CUDA Device {self.id} (fake_cupy)>"


class _Stream:
    """``cupy.cuda.Stream``: synchronize, use, and a context manager."""

    def __init__(self, null=False, non_blocking=False, ptds=False):
        self.null, self.ptr = null, 0

    def synchronize(self) -> None:
        """Nothing to wait for: NumPy has finished."""

    def use(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _CudaRuntimeError(RuntimeError):
    """``cupy.cuda.runtime.CUDARuntimeError``."""


class _Runtime:
    """``cupy.cuda.runtime``: one device."""

    CUDARuntimeError = _CudaRuntimeError
    is_hip = False

    @staticmethod
    def getDeviceCount() -> int:  # noqa: N802 (CUDA's name)
        return 1

    @staticmethod
    def getDevice() -> int:  # noqa: N802
        return 0

    def __getattr__(self, name):
        if name in _NAMES["cupy.cuda.runtime"]:
            raise _not_faked(f"cupy.cuda.runtime.{name}")
        raise _lacks("cupy.cuda.runtime", name)


class _Cuda:
    """``cupy.cuda``: the device, streams and runtime calls that minigrad uses."""

    Device = _Device
    Stream = _Stream
    runtime = _Runtime()

    @staticmethod
    def get_current_stream(device_id=None) -> _Stream:
        return _Stream(null=True)

    @staticmethod
    def is_available() -> bool:
        return True

    def __getattr__(self, name):
        if name in _NAMES["cupy.cuda"]:
            raise _not_faked(f"cupy.cuda.{name}")
        raise _lacks("cupy.cuda", name)


def _random_namespace() -> _Namespace:
    def default_rng(seed=None) -> FakeGenerator:
        """``cupy.random.default_rng``: a FakeGenerator seeded with ``seed``."""
        return FakeGenerator(seed)

    return _Namespace("cupy.random", np.random, default_rng=default_rng, Generator=FakeGenerator)


class FakeCupy(_Namespace):
    """A stand-in for the ``cupy`` module: NumPy underneath, CuPy's API and refusals on top.

    Its attributes resolve to NumPy's (functions return ``FakeCudaArray``) when the recorded CuPy
    has the name; ``random``, ``linalg``, ``lib.stride_tricks`` and ``cuda`` are namespaces of
    their own; ``ElementwiseKernel`` and ``ReductionKernel`` run a subset of CUDA C with NumPy.

    Example:
        >>> from minigrad import backend
        >>> backend.use_cupy(FakeCupy())  # "cuda" tensors now live in FakeCudaArrays
    """

    ndarray = FakeCudaArray
    ufunc = FakeUfunc

    def __init__(self):
        name = "cupy.lib"
        super().__init__(
            "cupy",
            np,
            __version__=CUPY_VERSION,
            random=_random_namespace(),
            linalg=_Namespace("cupy.linalg", np.linalg),
            lib=_Namespace(name, np.lib, stride_tricks=_Namespace(f"{name}.stride_tricks", stride_tricks)),
            cuda=_Cuda(),
        )

    def __repr__(self):
        return f"<fake_cupy module (CuPy {CUPY_VERSION} API, NumPy underneath)>"

    def _ufunc_named(self, name: str):
        """The fake's ufunc (or gufunc-like function, e.g. matmul) for NumPy's ufunc ``name``."""
        if name not in _NAMES["cupy"]:
            raise TypeError(f"NotImplemented (CuPy {_SHORT_VERSION} has no {name!r})")
        return getattr(self, name)

    @staticmethod
    def asnumpy(a, stream=None, order="C", out=None, blocking=True) -> np.ndarray:
        """A NumPy copy of ``a`` (device or host array), as ``cupy.asnumpy``."""
        if isinstance(a, FakeCudaArray):
            return a.get(order=order, out=out)
        return np.asarray(a, order=order)

    def get_array_module(self, *args):
        """This module if any argument is a device array, else numpy (``cupy.get_array_module``)."""
        return self if any(isinstance(a, FakeCudaArray) for a in args) else np

    def ElementwiseKernel(self, *args, **kwargs) -> _DeviceKernel:  # noqa: N802 (CuPy's name)
        """``cupy.ElementwiseKernel``: see ``fake_cupy_kernels.ElementwiseKernel``."""
        return _DeviceKernel(fake_cupy_kernels.ElementwiseKernel(*args, **kwargs))

    def ReductionKernel(self, *args, **kwargs) -> _DeviceKernel:  # noqa: N802 (CuPy's name)
        """``cupy.ReductionKernel``: see ``fake_cupy_kernels.ReductionKernel``."""
        return _DeviceKernel(fake_cupy_kernels.ReductionKernel(*args, **kwargs))

    def _adapt(self, name, attr):
        if name in _HOST_OK:
            return _creator(name, attr)
        return super()._adapt(name, attr)


def _creator(name: str, np_creator):
    """CuPy's ``array``/``asarray``/``asanyarray``: host data is copied to the device, never aliased."""
    qualname = f"cupy.{name}"

    def create(obj, *args, blocking=False, **kwargs):
        check_keywords(qualname, kwargs)
        from_host = isinstance(obj, np.ndarray) and not isinstance(obj, FakeCudaArray)
        host_obj = to_host(obj, qualname, host_ok=True)
        result = np_creator(host_obj, *args, **kwargs)
        if result is host_obj and not from_host:
            return obj  # asarray of a device array with its own dtype: the array itself, as CuPy
        if from_host and np.may_share_memory(result, host_obj):
            result = result.copy()  # a host-to-device copy
        return to_device(result)

    create.__name__ = create.__qualname__ = name
    create.__doc__ = f"fake_cupy's {qualname}: host data (NumPy arrays included) is copied to the device."
    return create


class _DeviceKernel:
    """A fake_cupy_kernels kernel called with device arrays: host arrays refused, results on device."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.name = kernel.name

    def __repr__(self):
        return f"<{type(self.kernel).__name__} {self.name!r} (fake_cupy)>"

    def __call__(self, *args, **kwargs):
        where = f"{type(self.kernel).__name__} {self.name!r}"
        for a in (*args, kwargs.get("out")):
            host_array = isinstance(a, np.ndarray) and not isinstance(a, FakeCudaArray)
            if host_array or isinstance(a, (list, tuple)):
                raise TypeError(f"Unsupported type {type(a)} (fake_cupy: {where} takes device arrays)")
        host_args = [to_host(a, where) for a in args]
        host_kwargs = {k: to_host(v, where) for k, v in kwargs.items()}
        originals = {id(h): a for h, a in zip(host_args, args) if isinstance(a, FakeCudaArray)}
        if isinstance(kwargs.get("out"), FakeCudaArray):
            originals[id(host_kwargs["out"])] = kwargs["out"]
        return to_device(self.kernel(*host_args, **host_kwargs), originals)


@functools.cache
def _default_module() -> FakeCupy:
    """The FakeCupy that NumPy's ufunc and function protocols dispatch to."""
    return FakeCupy()
