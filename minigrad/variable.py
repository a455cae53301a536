"""Variable: mutable state, such as the weights of a layer.

A Variable is a Tensor whose value can be replaced with ``assign``,
``assign_add`` and ``assign_sub``. Assigning never writes into the old array:
it makes a new one. A GradientTape that saved the old value for a backward
pass therefore still sees the value the forward pass used.

The tape does not record the Variable object itself but a *read* of it: a
plain Tensor sharing the Variable's current array (``value()``). Every op that
uses the same value sees the same read, so nested tapes agree on it, and the
tape adds up the gradients of all reads of a Variable when you ask for the
Variable's gradient.
"""

from __future__ import annotations

import copy
import itertools

from minigrad import backend
from minigrad.errors import ArgumentTypeError, InvalidArgumentError
from minigrad.tensor import Tensor
from minigrad.validation import check_bool, check_str

_uid = itertools.count()


class VariableRead(Tensor):
    """The value of a Variable at one moment, as seen by ops and tapes.

    Attributes:
        variable: the Variable it was read from (the tape adds the gradients of its reads).
    """

    __slots__ = ("variable",)


class Variable(Tensor):
    """A mutable tensor: a weight, a moving statistic, an optimizer slot.

    Args:
        initial_value: anything ``minigrad.tensor`` accepts, or a zero-argument
            callable returning it.
        trainable: if True, every GradientTape watches it automatically
            (``watch_accessed_variables=True``) and optimizers update it.
        name: a name for printing and saving; defaults to "Variable".
        dtype: the dtype to store; defaults to the initial value's.
        constraint: an optional function applied by optimizers after each update
            (``v.assign(constraint(v))``), e.g. a max-norm.
        device: "cpu" or "cuda"; by default a Tensor's or CuPy array's own device, and
            the default device for host data.

    Raises:
        ArgumentTypeError: for None, text or ragged lists as the initial value, a
            ``trainable`` that is not a bool, a name that is not a string, or a
            constraint that is not callable.
        UnsupportedDtypeError: for an unsupported dtype.
    """

    __slots__ = ("_trainable", "name", "constraint", "_read", "_uid")
    _is_variable = True

    def __init__(self, initial_value, trainable: bool = True, name: str | None = None,
                 dtype=None, constraint=None, device: str | None = None):
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Tensor):  # a Tensor keeps its device unless told
            device = initial_value.device if device is None else device
            initial_value = initial_value._data
        self._data = backend.as_array(initial_value, dtype, device)
        self._trainable = check_bool("trainable", trainable, where="Variable")
        self.name = "Variable" if name is None else check_str("name", name, where="Variable")
        if constraint is not None and not callable(constraint):
            raise ArgumentTypeError(
                f"Variable: constraint must be callable, got {constraint!r}: pass a function "
                "of the variable, e.g. a minigrad constraint object, or None."
            )
        self.constraint = constraint
        self._read = None
        self._uid = next(_uid)

    @property
    def trainable(self) -> bool:
        """Whether tapes watch it automatically and optimizers update it (settable).

        Raises:
            ArgumentTypeError: when set to something other than a bool.
        """
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = check_bool("trainable", value, where=f"Variable {self.name!r}")

    def value(self) -> Tensor:
        """The current value as a Tensor: what ops and tapes see (``read_value`` is another name).

        The same read is returned until the value changes (``assign``, ``assign_add``, ...),
        so every op in between sees, and a tape differentiates, one Tensor.

        Returns:
            A ``VariableRead``: a Tensor sharing this variable's current array.
        """
        read = self._read
        if read is None:
            read = VariableRead._wrap(self._data)
            read.variable = self
            self._read = read
        return read

    read_value = value

    def assign(self, value) -> Variable:
        """Replace the value (same shape; cast to this variable's dtype).

        The cast never drops part of a value: floats (even ``2.0``, as TensorFlow
        refuses Python floats for an int variable) are refused by an integer or bool
        variable, and integers by a bool variable. Narrower dtypes of the same kind
        (float64 into float32, int64 into int32) are cast.

        Args:
            value: a Tensor, an array, a number or a nested list of this variable's shape.

        Returns:
            This variable.

        Raises:
            InvalidArgumentError: if ``value`` has another shape.
            ArgumentTypeError: for None, text or ragged lists, or a value of a kind this
                variable's dtype cannot hold (a float for an int variable).
        """
        self._check_kind(value, "assign")
        if isinstance(value, Tensor):
            value = value._data
        new = backend.as_array(value, self._data.dtype, self.device)
        if new.shape != self._data.shape:
            raise InvalidArgumentError(
                f"cannot assign a value of shape {new.shape} to variable {self.name!r} "
                f"of shape {self._data.shape}: a Variable keeps its shape; make a new "
                "Variable for a new shape."
            )
        if new is value and backend.is_array(value):
            new = new.copy()  # never share an array the caller may still write into
        self._data = new
        self._read = None
        return self

    def move_to(self, device: str) -> Variable:
        """Move the value to ``device`` in place ("cpu" or "cuda"); what ``Model.to`` does.

        ``v.to(device)`` (from Tensor) returns a copy on ``device`` and leaves ``v``
        where it is; ``move_to`` changes where the variable itself lives, so that the
        layers and optimizers holding it compute there from now on. A tape that
        already recorded a read keeps the old value, as after ``assign``.

        Args:
            device: "cpu" or "cuda".

        Returns:
            This variable.

        Raises:
            InvalidArgumentError: for an unknown device name.
            DeviceUnavailableError: for "cuda" without CuPy or a GPU.
        """
        new = backend.to_device(self._data, device)
        if new is not self._data:
            self._data = new
            self._read = None
        return self

    def _adopt(self, new) -> Variable:
        """Take the fresh array ``new`` as the value, without the copy ``assign`` makes.

        ``assign`` copies an array it is given, because its caller may still write
        into it. An optimizer's update computes a new array that nobody else holds,
        so it hands it over here instead (one copy per weight per step saved).
        ``new`` is cast to this variable's dtype if needed (no copy when it matches).

        Raises:
            InvalidArgumentError: if ``new`` has another shape.
        """
        return self._replace(new, "assign")

    def assign_add(self, delta) -> Variable:
        """``v <- v + delta`` (a new array; the old one is left untouched).

        Args:
            delta: a number, or a Tensor or array that broadcasts to the variable's shape.

        Returns:
            This variable.

        Raises:
            ArgumentTypeError: for None, or a delta of a kind this variable's dtype cannot
                hold (``0.5`` for an int variable: TensorFlow refuses it too).
            InvalidArgumentError: for a delta that does not broadcast to the variable's shape.
        """
        operand = self._operand(delta, "assign_add")
        try:
            return self._replace(self._data + operand, "assign_add")
        except ValueError as exc:  # NumPy: the shapes do not broadcast
            raise self._delta_shape_error("assign_add", operand, exc) from exc

    def assign_sub(self, delta) -> Variable:
        """``v <- v - delta`` (a new array; the old one is left untouched).

        Args:
            delta: a number, or a Tensor or array that broadcasts to the variable's shape.

        Returns:
            This variable.

        Raises:
            ArgumentTypeError, InvalidArgumentError: as ``assign_add``.
        """
        operand = self._operand(delta, "assign_sub")
        try:
            return self._replace(self._data - operand, "assign_sub")
        except ValueError as exc:  # NumPy: the shapes do not broadcast
            raise self._delta_shape_error("assign_sub", operand, exc) from exc

    def _delta_shape_error(self, what: str, operand, exc: Exception) -> InvalidArgumentError:
        return InvalidArgumentError(
            f"Variable.{what} on {self.name!r}: a delta of shape {getattr(operand, 'shape', ())} "
            f"does not broadcast to the variable's shape {self._data.shape} ({exc}). Pass a "
            "number or an array of the variable's shape."
        )

    def _operand(self, delta, what: str):
        """``delta`` as something to add to the value: a Python number, or an array on this
        variable's device (host data is sent there; a tensor elsewhere is an error)."""
        # a float variable takes any number: the optimizers' updates skip the call (~60 ns)
        if delta is None or self._data.dtype.kind != "f":
            self._check_kind(delta, what)
        if isinstance(delta, (bool, int, float)):
            return delta
        if isinstance(delta, Tensor):
            backend.check_same_device(f"{what} on variable {self.name!r}", (self._data, delta._data))
            return delta._data
        return backend.as_array(delta, None, self.device)

    def _check_kind(self, value, what: str) -> None:
        """Refuse None, and a value whose kind this variable's dtype cannot hold: a float in
        an int or bool variable, an int in a bool variable (the cast would truncate)."""
        if value is None:
            raise ArgumentTypeError(
                f"Variable.{what} on {self.name!r}: the value is None. Pass a number or an array "
                f"of shape {self._data.shape} (float('nan') if a missing value is meant)."
            )
        target = self._data.dtype.kind
        if target == "f":
            return
        if isinstance(value, (bool, int, float)):
            kind = "b" if isinstance(value, bool) else "i" if isinstance(value, int) else "f"
        elif isinstance(value, Tensor) or backend.is_array(value) or hasattr(value, "dtype"):
            kind = value.dtype.kind
        else:
            kind = backend.as_array(value, None, "cpu").dtype.kind
        if kind == "f" or (target == "b" and kind != "b"):
            given = "a float" if kind == "f" else "an integer"
            raise ArgumentTypeError(
                f"Variable.{what} on {self.name!r}: cannot store {given} value "
                f"({backend._short_repr(value)}) in a variable of dtype {self._data.dtype}: the "
                "cast could drop part of it, so it is refused even when whole, as TensorFlow "
                "does. Pass "
                + ("True/False values" if target == "b" else "whole numbers (e.g. round first)")
                + ", or make the variable with a dtype that holds the value (dtype='float32')."
            )

    def _replace(self, new, what: str) -> Variable:
        if new.shape != self._data.shape:
            raise InvalidArgumentError(
                f"{what} on variable {self.name!r} of shape {self._data.shape} would give "
                f"shape {new.shape}: the delta must broadcast to the variable's shape."
            )
        self._data = new.astype(self._data.dtype, copy=False)
        self._read = None
        return self

    def __deepcopy__(self, memo) -> Variable:
        """A new Variable with a copy of the value: its own identity, so optimizer slots
        (keyed by variable) are not shared with the original."""
        new = Variable(self._data.copy(), trainable=self._trainable, name=self.name,
                       constraint=copy.deepcopy(self.constraint, memo), device=self.device)
        memo[id(self)] = new
        return new

    def __repr__(self) -> str:
        return f"<Variable {self.name!r} " + Tensor.__repr__(self).split("(", 1)[1][:-1] + ">"
