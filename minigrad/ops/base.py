"""How an op runs: the ``Op`` base class, its ``Context`` and ``apply``.

An op is a class with two static methods:

- ``forward(ctx, *arrays, **attrs)`` computes on raw backend arrays (NumPy or
  CuPy; ``ctx.xp`` is the array module) and may leave notes on ``ctx``;
- ``backward(ctx, *output_grads)`` returns one gradient per input (or None),
  written in minigrad ops so that a tape around it records it too: that is
  what makes gradients of gradients work.

``apply(op, *tensors, **attrs)`` runs the forward and, if a GradientTape is
recording in this thread and the op is differentiable, hands the record to each
of the thread's recording tapes (``minigrad.state``).
In backward, ``ctx.inputs`` are the input Tensors and ``ctx.output`` is the
output Tensor (a tuple for ops with several outputs). The engine, not the op,
sums gradients back to the input's shape after broadcasting, casts them to the
input's dtype and checks their shapes (see ``minigrad.tape``).
"""

from __future__ import annotations

from minigrad import backend, state
from minigrad.errors import InvalidArgumentError, MissingBackwardError
from minigrad.tensor import Tensor

#: Every op class by name, so tests can check that each one is gradient-checked.
REGISTRY: dict[str, type[Op]] = {}


class Context:
    """Notes an op's forward leaves for its backward (attributes set freely).

    The engine sets four: ``xp`` (the array module of the inputs), ``inputs`` and
    ``output`` (the input Tensors, Variable reads in place of Variables, and the output
    Tensor or tuple of Tensors; set when a tape records the op) and ``needs_input_grad``
    (one bool per input, set before ``backward`` runs).
    """

    # the engine's four in slots (cheaper to set and read than a dict's entries: about 5-10 us
    # of the 100-op chain's 500 us, one Context per op forward and backward); an op's own
    # notes go in a dict made on first use
    __slots__ = ("xp", "inputs", "output", "needs_input_grad", "__dict__")


class Op:
    """Base class of the primitive ops: ``forward`` on arrays, ``backward`` in minigrad ops.

    A subclass sets ``name`` (which registers it in ``REGISTRY``, so the tests check
    that it is gradient-checked) and writes the two static methods; its public
    function calls ``apply(OpClass, *tensors, **attrs)``. The module docstring states
    the contract, and what the engine does for every op.

    Attributes:
        name: the op's name, in errors and in ``REGISTRY``.
        differentiable: False for ops never recorded (comparisons, argmax, ...).
        multiple_outputs: True when ``forward`` returns a tuple of arrays.
    """

    name: str = ""
    differentiable: bool = True  # False: never recorded (comparisons, argmax, ...)
    multiple_outputs: bool = False  # True: forward returns a tuple of arrays

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            REGISTRY[cls.name] = cls

    @staticmethod
    def forward(ctx, *arrays, **attrs):
        """Compute the op on raw arrays; every op writes its own.

        Args:
            ctx: the op's ``Context``: ``ctx.xp`` is the array module (numpy or cupy);
                notes for the backward go on it (``ctx.axes = ...``).
            *arrays: the inputs' arrays, one per input Tensor, on one device.
            **attrs: the op's settings, as its public function passed them to ``apply``.

        Returns:
            The output array (or a tuple of arrays when ``multiple_outputs``).
        """
        raise NotImplementedError

    @classmethod
    def backward(cls, ctx, *grads):
        """The gradient of each input from the gradient of the output, in minigrad ops.

        Written for equal shapes: the engine sums each gradient back over broadcast axes,
        casts it to its input's dtype and checks its shape. Written in ops (not arrays),
        so that an outer tape records it: gradients of gradients.

        Args:
            ctx: the forward's ``Context``: ``ctx.inputs`` (input Tensors), ``ctx.output``
                (the output Tensor, or a tuple of them), ``ctx.needs_input_grad`` (one bool
                per input: skip the work for a False one), and the forward's own notes.
            *grads: the gradient of the output (one per output when ``multiple_outputs``).

        Returns:
            One Tensor (or None) per input; a single Tensor for a one-input op.

        Raises:
            MissingBackwardError: for an op that does not write a backward (this default).
        """
        raise missing_backward(cls.name)


def apply(op: type[Op], *inputs: Tensor, **attrs):
    """Run ``op`` on Tensors and record it on the active tapes: forward, wrap, record.

    Every op, forward and backward, runs through here, so this is minigrad's hot
    path: unary and binary ops without attributes (most calls) take a fast path
    that hands the arrays to ``forward`` directly, and nothing is done for the
    tape unless one is recording in this thread.

    Args:
        op: the Op class to run.
        *inputs: its input Tensors (Variables are recorded as their reads).
        **attrs: the op's settings, passed on to ``op.forward``.

    Returns:
        A Tensor, or a tuple of Tensors for an op with several outputs.

    Raises:
        DeviceMismatchError: if the inputs live on different devices.
        InvalidArgumentError: if the two inputs of a binary op do not broadcast.
    """
    ctx = Context()
    if len(inputs) <= 2 and not attrs:  # the fast path: no list of arrays, no */** unpacking
        out = _forward_one_or_two(op, ctx, inputs)
    else:
        out = _forward(op, ctx, inputs, attrs)
    result = _wrap(op, out, ctx.xp)
    if _recording and op.differentiable and (tapes := _engine.tapes):
        _record(op, ctx, inputs, result, tapes)
    return result


def _forward_one_or_two(op: type[Op], ctx: Context, inputs: tuple):
    """Step 1, fast path: ``op.forward`` on one or two arrays of one array type (one device)."""
    a = inputs[0]._data
    kind = type(a)
    ctx.xp = _module_of_type.get(kind) or backend.array_module(a)
    if len(inputs) == 1:
        return op.forward(ctx, a)
    b = inputs[1]._data
    if type(b) is not kind:
        backend.check_same_device(op.name, (a, b))
    try:
        return op.forward(ctx, a, b)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise _broadcast_error(op, exc, (a, b)) from exc
        raise


def _forward(op: type[Op], ctx: Context, inputs: tuple, attrs: dict):
    """Step 1: ``op.forward`` on the inputs' arrays, which must share one array type (one device)."""
    arrays = [t._data for t in inputs]
    kind = type(arrays[0])
    for a in arrays:
        if type(a) is not kind:
            backend.check_same_device(op.name, arrays)
    ctx.xp = _module_of_type.get(kind) or backend.array_module(arrays[0])
    return op.forward(ctx, *arrays, **attrs)


def _wrap(op: type[Op], out, xp):
    """Step 2: the forward's array(s) as Tensor(s) (``Tensor._wrap``, inlined).

    NumPy returns scalars from some 0-d computations; they become 0-d arrays of ``xp``.
    """
    if op.multiple_outputs:
        return tuple(Tensor._wrap(o if type(o) in _module_of_type else xp.asarray(o)) for o in out)
    result = _new_object(Tensor)
    result._data = out if type(out) in _module_of_type else xp.asarray(out)
    return result


def _record(op: type[Op], ctx: Context, inputs: tuple, result, tapes) -> None:
    """Step 3: hand the op to each tape recording in this thread (innermost last).

    Tapes record a Variable's read (the value this op saw), not the Variable.
    """
    for t in inputs:
        if t._is_variable:
            inputs = tuple([t.value() if t._is_variable else t for t in inputs])
            break
    ctx.inputs = inputs
    ctx.output = result
    outputs = result if op.multiple_outputs else (result,)
    for tape in tapes:
        tape._record(op, ctx, inputs, outputs)


_new_object = object.__new__
_engine = state.engine  # this thread's recording tapes (engine.tapes, innermost last)
# the tape stacks, of all threads, that hold a recording tape: empty when no thread records,
# so ``apply`` tests it first (a module global is cheaper than ``_engine.tapes``)
_recording = state.recording
_module_of_type = backend._module_of_type  # array type -> numpy or cupy (shared, not copied)

#: NumPy: the array module of "cpu" arrays. A few ops take fast paths that are tricks
#: for NumPy's CPU loops (and pointless or wasteful on a GPU); they test ``xp is CPU_MODULE``.
CPU_MODULE = backend.module_for_device("cpu")


def _broadcast_error(op, exc: ValueError, arrays) -> InvalidArgumentError:
    """NumPy's broadcasting error, with the op's name and what to do about it."""
    shapes = " and ".join(str(a.shape) for a in arrays)
    return InvalidArgumentError(
        f"{op.name}: inputs of shapes {shapes} do not broadcast ({exc}). Shapes broadcast "
        "when, aligned from the right, each pair of sizes is equal or one of them is 1; "
        "reshape or expand_dims one input (e.g. x[:, None]) so that they line up."
    )


def missing_backward(op_name: str):
    """The error raised when a gradient is asked through an op with no backward.

    Args:
        op_name: the op's name.

    Returns:
        A ``MissingBackwardError`` saying how to give the op a backward or stop the gradient.
    """
    return MissingBackwardError(
        f"op {op_name!r} has no backward, so no gradient can flow through it. "
        "If it should be differentiable, give its Op class a backward(ctx, grad) "
        "written in minigrad ops; otherwise wrap its input in minigrad.stop_gradient."
    )
