"""Tensor: an immutable array value with a dtype, a shape and a device.

A Tensor wraps one backend array (NumPy on "cpu", CuPy on "cuda") and never
changes it: every operation returns a new Tensor. That is what lets a
GradientTape keep the inputs of an op for its backward pass without copying
them. Mutable state lives in ``minigrad.Variable``.

Operators and methods (``a + b``, ``x.sum(axis=0)``, ``x.T``, ``x[1:, idx]``)
call the functions of ``minigrad.ops``, which are what the tape records.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InPlaceWriteError, InvalidArgumentError, MinigradError
from minigrad.pytorch_habits import PyTorchAttribute


class Tensor:
    """An immutable n-dimensional array that GradientTape can differentiate.

    Make one with ``minigrad.tensor(data, dtype=None, device=None)``.
    """

    __slots__ = ("_data",)
    _is_variable = False  # Variable overrides this; the tape reads it
    # ``numpy_array * tensor`` must call Tensor.__rmul__ (and be recorded), not turn the
    # tensor into an array: a higher priority makes NumPy's operators step aside.
    __array_priority__ = 1000

    def __init__(self, data, dtype=None, device: str | None = None):
        self._data = backend.as_array(data, dtype, device)

    @classmethod
    def _wrap(cls, array) -> Tensor:
        """A Tensor around a backend array, with no checks (for ops)."""
        t = object.__new__(cls)
        t._data = array
        return t

    # -- what it is ---------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The length of each axis, a tuple of ints (``()`` for a scalar)."""
        return self._data.shape

    @property
    def dtype(self):
        """The element type, a NumPy dtype (``float32``, ``int64``, ``bool``, ...)."""
        return self._data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes: ``len(x.shape)``."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """The number of elements: the product of ``x.shape`` (1 for a scalar)."""
        return self._data.size

    @property
    def device(self) -> str:
        """Where the value lives: "cpu" (a NumPy array) or "cuda" (a CuPy array)."""
        return backend.device_of(self._data)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise ArgumentTypeError("len() of a 0-d tensor: it has no first axis.")
        return self._data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # -- getting the values out ---------------------------------------------------
    def numpy(self):
        """The value as a NumPy array of one's own (copied back to the host from a GPU).

        Returns:
            A new, writable NumPy array: writing into it leaves the tensor as it was.
        """
        return backend.to_device(self._data, "cpu").copy()

    def item(self):
        """The value of a one-element tensor as a Python number.

        Returns:
            A Python float, int or bool, after the tensor's dtype.

        Raises:
            InvalidArgumentError: for a tensor with more or fewer than one element.
        """
        if self._data.size != 1:
            raise InvalidArgumentError(
                f"item() needs a tensor with one element, this one has shape {self.shape}; "
                "index it first (x[0, 1].item()) or reduce it (x.sum().item())."
            )
        return self._data.item()

    def __array__(self, dtype=None, copy=None):
        arr = backend.to_device(self._data, "cpu")
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        if arr is self._data:
            if copy:  # np.array(t): a copy of one's own, free to write into
                return arr.copy()
            arr = arr.view()  # np.asarray(t): a read-only view, as the tape may hold this array
            arr.flags.writeable = False
        return arr

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise InvalidArgumentError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous: "
                "reduce it first with x.all() or x.any(), or compare one element."
            )
        return bool(self._data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu":
            raise ArgumentTypeError(f"only integer tensors can be used as an index, not {self.dtype}.")
        return int(self.item())

    def __repr__(self) -> str:
        body = repr(backend.to_device(self._data, "cpu"))
        body = body[body.index("(") + 1 : body.rindex(")")] if body.startswith("array(") else body
        body = body.split(", dtype=")[0]
        device = "" if self.device == "cpu" else f", device={self.device}"
        kind = type(self).__name__
        return f"{kind}({body}, shape={self.shape}, dtype={self.dtype}{device})"

    __hash__ = object.__hash__  # == is elementwise, so hash by identity (as PyTorch does)

    def __setitem__(self, index, value):
        raise InPlaceWriteError(
            "Tensors are immutable: a GradientTape may have saved this value for a backward "
            "pass, and writing into it would silently corrupt the gradients. Build a new "
            "tensor instead (minigrad.where(mask, new, x), minigrad.concatenate, ...), or "
            "keep mutable state in a minigrad.Variable and change it with Variable.assign()."
        )

    # -- conversions --------------------------------------------------------------
    def astype(self, dtype) -> Tensor:
        """The tensor cast to ``dtype`` (``minigrad.cast``); differentiable between float dtypes.

        Args:
            dtype: a dtype or its name, e.g. "float32" or ``numpy.int64``.

        Returns:
            A new Tensor of that dtype (floats cast to an integer dtype are truncated, as NumPy does).

        Raises:
            UnsupportedDtypeError: for a dtype minigrad does not hold (strings, objects, complex).
        """
        return ops.cast(self, dtype)

    def to(self, device: str) -> Tensor:
        """The tensor on ``device`` (``minigrad.to_device``); gradients flow back across.

        Args:
            device: "cpu" or "cuda".

        Returns:
            A Tensor on ``device`` (this one, if it is there already).

        Raises:
            InvalidArgumentError: for an unknown device name.
            DeviceUnavailableError: for "cuda" without CuPy or a GPU.
        """
        return ops.to_device(self, device)

    # -- operators (each one is an op of minigrad.ops) ------------------------------
    # ``a + b``, ``a - b``, ``a * b``, ``a / b``, ``a ** b``, ``a @ b``, ``-a``, ``abs(a)``,
    # ``a == b`` (and the other comparisons) and ``a[index]`` are the ops themselves,
    # attached to Tensor in ``minigrad/ops/__init__.py`` (the ops import Tensor, so they
    # cannot be imported here). The reflected ones swap the operands first:
    def __radd__(self, other):
        return ops.add(other, self)

    def __rsub__(self, other):
        return ops.subtract(other, self)

    def __rmul__(self, other):
        return ops.multiply(other, self)

    def __rtruediv__(self, other):
        return ops.divide(other, self)

    def __rpow__(self, other):
        return ops.power(other, self)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __pos__(self):
        return self

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed: ``x.T.shape == x.shape[::-1]`` (``transpose``)."""
        return ops.transpose(self)

    # -- NumPy-style methods --------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis``: ``y = sum_i x_i`` (``minigrad.sum``).

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.

        Returns:
            The sums (0 for an empty reduction).

        Raises:
            InvalidArgumentError: for an axis out of range.
        """
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """Arithmetic mean over ``axis``: ``y = sum_i x_i / n`` (``minigrad.mean``).

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.

        Returns:
            The means.

        Raises:
            InvalidArgumentError: for an axis out of range or a reduction over zero elements.
        """
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        """Largest element over ``axis`` (``minigrad.max``; ties share the gradient).

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.

        Returns:
            The maxima.

        Raises:
            InvalidArgumentError: for an axis out of range or a reduction over zero elements.
        """
        return ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """Smallest element over ``axis`` (``minigrad.min``; ties share the gradient).

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.

        Returns:
            The minima.

        Raises:
            InvalidArgumentError: for an axis out of range or a reduction over zero elements.
        """
        return ops.min(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims=False, ddof=0):
        """Variance over ``axis``: ``y = sum_i (x_i - mean)**2 / (n - ddof)`` (``minigrad.var``).

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.
            ddof: 0 (default) for the population, 1 for the sample (unbiased) estimate.

        Returns:
            The variances.

        Raises:
            InvalidArgumentError: for an axis out of range or ``n - ddof <= 0``.
        """
        return ops.var(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def std(self, axis=None, keepdims=False, ddof=0):
        """Standard deviation over ``axis``: ``y = sqrt(var(x, axis, ddof))`` (``minigrad.std``).

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.
            ddof: 0 (default) for the population, 1 for the sample (unbiased) estimate.

        Returns:
            The standard deviations.

        Raises:
            InvalidArgumentError: for an axis out of range or ``n - ddof <= 0``.
        """
        return ops.std(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def all(self, axis=None, keepdims=False):
        """True where every element over ``axis`` is nonzero (``minigrad.all``); no gradient.

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.

        Returns:
            A bool tensor.

        Raises:
            InvalidArgumentError: for an axis out of range.
        """
        return ops.all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        """True where some element over ``axis`` is nonzero (``minigrad.any``); no gradient.

        Args:
            axis: None (all axes), an int or a tuple of ints; negatives count from the end.
            keepdims: if True, the reduced axes stay, with length 1.

        Returns:
            A bool tensor.

        Raises:
            InvalidArgumentError: for an axis out of range.
        """
        return ops.any(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        """Index of the largest element along ``axis`` (the first at ties; ``minigrad.argmax``).

        Args:
            axis: None (index into the flattened tensor) or an int.
            keepdims: if True, the searched axis (all axes for None) stays with length 1.

        Returns:
            An int64 tensor of indices.

        Raises:
            ArgumentTypeError: for a tuple ``axis``.
            InvalidArgumentError: for an axis out of range or an empty tensor.
        """
        return ops.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        """Index of the smallest element along ``axis`` (the first at ties; ``minigrad.argmin``).

        Args:
            axis: None (index into the flattened tensor) or an int.
            keepdims: if True, the searched axis (all axes for None) stays with length 1.

        Returns:
            An int64 tensor of indices.

        Raises:
            ArgumentTypeError: for a tuple ``axis``.
            InvalidArgumentError: for an axis out of range or an empty tensor.
        """
        return ops.argmin(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        """The tensor with a new shape of the same size (``minigrad.reshape``).

        Args:
            *shape: the new shape, as ints (``x.reshape(2, 3)``) or one tuple
                (``x.reshape((2, 3))``); one entry may be -1, inferred from the size.

        Returns:
            A Tensor of that shape (this one if the shape is unchanged).

        Raises:
            InvalidArgumentError: if the sizes differ, for a size below -1 or two -1s.
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return ops.reshape(self, tuple(shape))

    def transpose(self, *axes):
        """The axes permuted: ``y.shape[i] = x.shape[axes[i]]`` (``minigrad.transpose``).

        Args:
            *axes: a permutation of ``range(x.ndim)``, as ints or one tuple; none reverses the axes.

        Returns:
            The transposed Tensor.

        Raises:
            InvalidArgumentError: for axes that are not a permutation of the tensor's axes.
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return ops.transpose(self, tuple(axes) if axes else None)

    def squeeze(self, axis=None):
        """The tensor without length-1 axes: all of them, or those in ``axis`` (``minigrad.squeeze``).

        Args:
            axis: None (every length-1 axis), an int or a tuple of ints.

        Returns:
            The squeezed Tensor, e.g. shape (2, 1, 3) gives (2, 3).

        Raises:
            InvalidArgumentError: for an axis out of range, or one whose length is not 1.
        """
        return ops.squeeze(self, axis=axis)

    def expand_dims(self, axis):
        """The tensor with new length-1 axes at positions ``axis`` of the result (``minigrad.expand_dims``).

        Args:
            axis: an int or a tuple of ints: positions in the output.

        Returns:
            The Tensor with the new axes, e.g. shape (2, 3) with axis=1 gives (2, 1, 3).

        Raises:
            InvalidArgumentError: for an axis out of range or repeated.
        """
        return ops.expand_dims(self, axis)

    def broadcast_to(self, shape):
        """The tensor broadcast to ``shape`` as NumPy does (``minigrad.broadcast_to``).

        Args:
            shape: a tuple of ints that the tensor's shape broadcasts to.

        Returns:
            A Tensor of ``shape``; its gradient sums over the repeated axes.

        Raises:
            InvalidArgumentError: for a shape the tensor does not broadcast to.
        """
        return ops.broadcast_to(self, shape)

    def exp(self):
        """``e ** x`` elementwise (``minigrad.exp``).

        Returns:
            A Tensor of this shape.
        """
        return ops.exp(self)

    def log(self):
        """The natural logarithm ``ln x`` elementwise (``minigrad.log``).

        Returns:
            A Tensor of this shape.
        """
        return ops.log(self)

    def sqrt(self):
        """``x ** 0.5`` elementwise (``minigrad.sqrt``).

        Returns:
            A Tensor of this shape.
        """
        return ops.sqrt(self)

    def tanh(self):
        """The hyperbolic tangent elementwise (``minigrad.tanh``).

        Returns:
            A Tensor of this shape.
        """
        return ops.tanh(self)

    def sigmoid(self):
        """``1 / (1 + exp(-x))`` elementwise, without overflow (``minigrad.sigmoid``).

        Returns:
            A Tensor of this shape.
        """
        return ops.sigmoid(self)

    def relu(self):
        """``max(x, 0)`` elementwise; its gradient at 0 is 0 (``minigrad.relu``).

        Returns:
            A Tensor of this shape.
        """
        return ops.relu(self)

    def clip(self, min=None, max=None):
        """Values limited to ``[min, max]``; gradient 1 inside, 0 outside (``minigrad.clip``).

        Args:
            min, max: the bounds (either may be None): numbers, or tensors that broadcast.

        Returns:
            A Tensor of this shape.

        Raises:
            InvalidArgumentError: when both bounds are None, for a NaN bound, or ``min > max``.
        """
        return ops.clip(self, min, max)

    # -- PyTorch names: each raises PyTorchHabitError showing the minigrad way ------------
    backward = PyTorchAttribute()
    grad = PyTorchAttribute()
    requires_grad = PyTorchAttribute()
    requires_grad_ = PyTorchAttribute()
    zero_grad = PyTorchAttribute()
    detach = PyTorchAttribute()


def tensor(data, dtype=None, device: str | None = None) -> Tensor:
    """Make a Tensor.

    Args:
        data: a number, a (nested) list of numbers, a NumPy or CuPy array, or a Tensor.
        dtype: e.g. "float32"; by default float32 for Python floats and lists of
            floats, int64 for ints, and an array's own dtype for arrays.
        device: "cpu" or "cuda". By default a Tensor or a CuPy array keeps its device
            and host data (numbers, lists, NumPy arrays) goes to the default device
            (``minigrad.set_default_device``, ``with minigrad.device(...)``).

    Returns:
        A new Tensor.

    Raises:
        UnsupportedDtypeError: for strings, objects or complex numbers.
        DeviceUnavailableError: for "cuda" without CuPy or a GPU.
    """
    if isinstance(data, Tensor):
        device = data.device if device is None else device
        data = data._data
    return Tensor(data, dtype, device)


def as_tensor(value, like: Tensor | None = None) -> Tensor:
    """Return ``value`` as a Tensor; a Python number takes the dtype of ``like``.

    ``x * 2.0`` must stay float32 when ``x`` is float32 (as in NumPy, PyTorch and
    TensorFlow), so a plain number is made with the dtype and device of the
    tensor it is combined with, unless that would lose it (a float with an int
    tensor, an int with a bool tensor): see ``backend.scalar_like``. Other host
    data (lists, NumPy arrays) goes to ``like``'s device; a GPU array stays where
    it is, so that no hidden copy leaves the GPU.

    Args:
        value: a Tensor (returned as it is), a Python number, or anything ``tensor`` takes.
        like: the Tensor that ``value`` will be combined with, or None.

    Returns:
        A Tensor (``value`` itself if it is one; a shared constant for a number on the CPU).

    Raises:
        UnsupportedDtypeError, ArgumentTypeError: as ``tensor``, for data it cannot hold.
    """
    if like is not None and isinstance(value, (int, float, bool)):  # first: ``x * 0.5`` is common
        data = like._data
        key = (type(value), value, data.dtype, type(data))
        number = _numbers.get(key)
        if number is None:
            number = _number_tensor(key, value, data)
        return number
    if isinstance(value, Tensor):
        return value
    if like is not None:
        if not backend.is_array(value) or backend.device_of(value) == "cpu":
            return Tensor(value, device=like.device)
    return Tensor(value)


def as_tensor_argument(name: str, value, where: str | None = None, device: str | None = None) -> Tensor:
    """``value`` as a Tensor (on ``device`` if it is host data); a conversion error names
    the argument (``where: `y_true`: cannot make a tensor from 'a' ...``).

    Args:
        name: the argument's name, for the message.
        value: a Tensor (returned as it is) or anything ``tensor`` takes.
        where: the function's name, for the message, or None.
        device: where host data goes; None for the default device.

    Returns:
        A Tensor.

    Raises:
        ArgumentTypeError, UnsupportedDtypeError, InvalidArgumentError: as ``tensor``, with
            the argument's name in front.
    """
    if isinstance(value, Tensor):
        return value
    try:
        return Tensor(value, device=device)
    except MinigradError as exc:
        prefix = f"{where}: `{name}`" if where else f"`{name}`"
        raise type(exc)(f"{prefix}: {exc}") from exc


# Python numbers already made into constant Tensors: ``1.0 - y * y`` in a backward runs
# once per step, and a lookup is cheaper than a new array. Tensors are immutable, so
# sharing one is safe. Keys hold the number's type, since 1 == 1.0 == True in Python.
# Only CPU constants are kept: a GPU array belongs to the GPU that was current.
_numbers: dict[tuple, Tensor] = {}
_NUMBERS_KEPT = 512


def _number_tensor(key: tuple, value, like) -> Tensor:
    """Make (and keep, under ``key``) the constant for ``value`` next to array ``like``."""
    number = Tensor._wrap(backend.scalar_like(value, like))
    # 0.0 and -0.0 are equal keys, so zeros are not kept
    if value and backend.device_of(like) == "cpu":
        if len(_numbers) >= _NUMBERS_KEPT:
            _numbers.clear()
        _numbers[key] = number
    return number


from minigrad import ops  # noqa: E402  (ops build on Tensor, so they come after it)
