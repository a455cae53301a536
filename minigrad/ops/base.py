"""How an op runs: the ``Op`` base class, its ``Context`` and ``apply``.

An op is a class with two static methods:

- ``forward(ctx, *arrays, **attrs)`` computes on raw backend arrays (NumPy or
  CuPy; ``ctx.xp`` is the array module) and may leave notes on ``ctx``;
- ``backward(ctx, *output_grads)`` returns one gradient per input (or None),
  written in minigrad ops so that a tape around it records it too: that is
  what makes gradients of gradients work.

``apply(op, *tensors, **attrs)`` runs the forward and, if a GradientTape is
recording and the op is differentiable, hands the record to every active tape.
In backward, ``ctx.inputs`` are the input Tensors and ``ctx.output`` is the
output Tensor (a tuple for ops with several outputs). The engine, not the op,
sums gradients back to the input's shape after broadcasting, casts them to the
input's dtype and checks their shapes (see ``minigrad.tape``).
"""

from __future__ import annotations

from minigrad import backend
from minigrad.errors import MissingBackwardError
from minigrad.tensor import Tensor

#: Every op class by name, so tests can check that each one is gradient-checked.
REGISTRY: dict[str, type[Op]] = {}

#: The GradientTapes that are recording now, innermost last (managed by minigrad.tape).
active_tapes: list = []


class Context:
    """Notes an op's forward leaves for its backward (attributes set freely)."""


class Op:
    """Base class of the primitive ops; see the module docstring for the contract."""

    name: str = ""
    differentiable: bool = True  # False: never recorded (comparisons, argmax, ...)
    multiple_outputs: bool = False  # True: forward returns a tuple of arrays

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            REGISTRY[cls.name] = cls

    @staticmethod
    def forward(ctx, *arrays, **attrs):
        raise NotImplementedError

    @classmethod
    def backward(cls, ctx, *grads):
        raise missing_backward(cls.name)


def apply(op: type[Op], *inputs: Tensor, **attrs):
    """Run ``op`` on Tensors and record it on the active tapes.

    Returns:
        A Tensor, or a tuple of Tensors for an op with several outputs.
    """
    arrays = [t._data for t in inputs]
    first = type(arrays[0])
    for a in arrays:
        if type(a) is not first:
            backend.check_same_device(op.name, arrays)
    ctx = Context()
    ctx.xp = backend.array_module(arrays[0])
    out = op.forward(ctx, *arrays, **attrs)
    if op.multiple_outputs:
        result = tuple(Tensor._wrap(_as_array(ctx.xp, o)) for o in out)
        outputs = result
    else:
        result = Tensor._wrap(out if type(out) is first else _as_array(ctx.xp, out))
        outputs = (result,)
    if active_tapes and op.differentiable:
        inputs = tuple(t.value() if t._is_variable else t for t in inputs)
        ctx.inputs = inputs
        ctx.output = result
        for tape in active_tapes:
            tape._record(op, ctx, inputs, outputs)
    return result


def _as_array(xp, value):
    """NumPy returns scalars from some 0-d computations; keep everything an array."""
    return value if isinstance(value, xp.ndarray) else xp.asarray(value)


def missing_backward(op_name: str):
    """The error raised when a gradient is asked through an op with no backward."""
    return MissingBackwardError(
        f"op {op_name!r} has no backward, so no gradient can flow through it. "
        "If it should be differentiable, give its Op class a backward(ctx, grad) "
        "written in minigrad ops; otherwise wrap its input in minigrad.stop_gradient."
    )
