"""GradientTape: record ops, then walk the record backwards.

    with minigrad.GradientTape() as tape:
        y = f(x)                       # ops whose inputs are watched get recorded
    dx = tape.gradient(y, x)

The record is a list of ``(op, ctx, inputs, outputs, needs)`` in execution
order. ``gradient`` walks it in reverse with a dict of gradients keyed by
tensor identity: no recursion (a 10,000-op chain is fine), no topological
sort, and a tensor used twice (a diamond) simply accumulates. Every backward is
written in minigrad ops, so an outer tape records the inner tape's gradient
computation: nest tapes for second derivatives.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

from minigrad import ops, state
from minigrad.errors import (
    ArgumentTypeError,
    DeviceMismatchError,
    GradientShapeError,
    IndexOutOfRangeError,
    InvalidArgumentError,
    TapeReuseError,
    TapeUsageError,
    UnsupportedDtypeError,
)
from minigrad.ops.base import apply
from minigrad.ops.reductions import Sum
from minigrad.tensor import Tensor, as_tensor
from minigrad.validation import check_bool, check_int
from minigrad.variable import Variable, VariableRead


class GradientTape:
    """Records operations for automatic differentiation, as TensorFlow's does.

    A tape records the ops of the thread that opened it (``with``) and no other, as in
    TensorFlow; a thread's open tapes end with the thread.

    Args:
        persistent: if False (default), ``gradient`` may be called once and the
            record is freed afterwards; if True, any number of times.
        watch_accessed_variables: if True (default), every trainable Variable an
            op reads while the tape is recording is watched automatically.

    Raises:
        ArgumentTypeError: for a flag that is not a bool (``persistent="no"`` would read as True).
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        # a tape is made every training step: the usual True/False pass two identity tests
        if persistent is not False and persistent is not True:
            persistent = check_bool("persistent", persistent, where="GradientTape")
        if watch_accessed_variables is not True and watch_accessed_variables is not False:
            watch_accessed_variables = check_bool(
                "watch_accessed_variables", watch_accessed_variables, where="GradientTape"
            )
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._entries: list | None = []
        self._tracked: dict[int, Tensor] = {}  # id -> tensor whose gradient is wanted
        self._watched_vars: dict[int, Variable] = {}  # explicitly watched or accessed
        self._reads: dict[int, list] = {}  # id(variable) -> its recorded reads

    # -- recording ------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        if self in state.engine.tapes:  # this thread's: a tape records the ops of its own thread
            raise TapeUsageError("this GradientTape is already recording; use a new tape to nest.")
        state.push_tape(self)
        return self

    def __exit__(self, *exc) -> None:
        state.remove_tape(self)

    @contextmanager
    def stop_recording(self):
        """Pause this tape inside the block: ops there are not recorded, so not differentiated.

        Other tapes recording in the thread go on recording.

        Raises:
            TapeUsageError: if the tape is not recording (outside its ``with`` block).
        """
        if self not in state.engine.tapes:
            raise TapeUsageError("stop_recording() needs a tape that is recording (inside `with`).")
        with _paused([self]):
            yield

    def reset(self) -> None:
        """Forget everything recorded and watched so far; the tape keeps recording if active.

        After a non-persistent tape's ``gradient``, it makes the tape usable again.
        """
        self._entries = []
        self._tracked.clear()
        self._watched_vars.clear()
        self._reads.clear()

    def watch(self, tensor) -> None:
        """Ask for gradients with respect to ``tensor``: ops using it are recorded from now on.

        Trainable Variables are watched without asking (``watch_accessed_variables=True``).

        Args:
            tensor: a Tensor or Variable, or a list, tuple or dict (nested) of them.

        Raises:
            ArgumentTypeError: for something that is not a Tensor or Variable.
            UnsupportedDtypeError: for a tensor that is not floating point.
        """
        for t in _flatten(tensor)[0]:
            if not isinstance(t, Tensor):
                raise ArgumentTypeError(f"watch() takes Tensors or Variables, got {type(t).__name__}.")
            if t.dtype.kind != "f":
                raise UnsupportedDtypeError(
                    f"cannot watch a tensor of dtype {t.dtype}: gradients exist only for "
                    "floating-point tensors. Cast it first, e.g. x.astype('float32')."
                )
            if isinstance(t, Variable):
                self._watched_vars[id(t)] = t
            else:
                self._tracked[id(t)] = t

    def watched_variables(self) -> tuple:
        """The Variables this tape watched, explicitly or by access.

        Returns:
            A tuple of Variables, in the order they were first watched.
        """
        return tuple(self._watched_vars.values())

    def _record(self, op, ctx, inputs, outputs) -> None:
        """Called by ``ops.base.apply`` for each differentiable op while recording.

        The op is kept when an input is tracked: watched, or computed from a watched
        tensor. ``needs[i]`` says whether input ``i`` needs a gradient; the op's float
        outputs become tracked in turn.
        """
        if self._entries is None:
            return
        tracked = self._tracked
        needs = []  # (a loop: cheaper than a list comprehension in CPython 3.11)
        for x in inputs:
            needs.append(id(x) in tracked or (type(x) is VariableRead and self._track_read(x)))
        if True not in needs:
            return
        self._entries.append((op, ctx, inputs, outputs, needs))
        for out in outputs:
            if out._data.dtype.kind == "f":
                tracked[id(out)] = out

    def _track_read(self, read: VariableRead) -> bool:
        """Track a read of a Variable the tape watches; False for one it does not watch."""
        variable = read.variable
        if not self._watches(variable):
            return False
        self._tracked[id(read)] = read
        self._reads.setdefault(id(variable), []).append(read)
        return True

    def _watches(self, variable: Variable) -> bool:
        if id(variable) in self._watched_vars:
            return True
        if self.watch_accessed_variables and variable._trainable and variable.dtype.kind == "f":
            self._watched_vars[id(variable)] = variable
            return True
        return False

    # -- differentiating ---------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of ``target`` with respect to ``sources``.

        For a non-scalar target this is the gradient of ``sum(target * output_gradients)``
        (``output_gradients`` defaults to ones); a list of targets adds up their gradients.

        Args:
            target: a Tensor, or a list/tuple of Tensors.
            sources: a Tensor or Variable, or a list, tuple or dict (nested) of them.
            output_gradients: ``d(loss)/d(target)``, one per target; None means ones.
            unconnected_gradients: "none" (default) gives None for a source the
                target does not depend on; "zero" gives zeros of its shape.

        A target that is not floating point (e.g. ``cast(x, "int32")``) has no
        gradient: it contributes nothing (a warning says so), as in TensorFlow.
        Called inside the ``with`` block of a persistent tape, the gradient's own
        computation is recorded on the tape (as TensorFlow does), so it can be
        differentiated again by the same tape; a non-persistent tape pauses instead.

        Returns:
            The gradients, in the structure of ``sources``.

        Raises:
            TapeReuseError: on a second call to a non-persistent tape.
            GradientShapeError: if an op's backward returns a gradient of the wrong shape.
            ArgumentTypeError: for a target or source that is not a Tensor or Variable.
            InvalidArgumentError: for an unknown ``unconnected_gradients``, or
                ``output_gradients`` of the wrong number or shape.
            DeviceMismatchError: for ``output_gradients`` on another device than its target.
        """
        if self._entries is None:
            raise TapeReuseError(
                "this GradientTape has already computed gradients once and freed its "
                "record: a non-persistent tape answers gradient() a single time. Compute "
                "all gradients in one call (pass a list of sources), or make the tape "
                "with GradientTape(persistent=True)."
            )
        if not (type(unconnected_gradients) is str and unconnected_gradients in ("none", "zero")):
            raise InvalidArgumentError(
                "GradientTape.gradient: `unconnected_gradients` must be 'none' or 'zero', got "
                f"{unconnected_gradients!r}. Pass unconnected_gradients='zero' for zeros where a "
                "source does not affect the target, or 'none' (the default) for None."
            )
        targets = _flatten(target)[0]
        flat_sources, rebuild = _flatten(sources)
        _check_differentiable("target", targets)
        _check_differentiable("sources", flat_sources)
        grads = self._seed_gradients(target, targets, output_gradients)

        keep = set()
        for s in flat_sources:
            keep.add(id(s))
            keep.update(id(r) for r in self._reads.get(id(s), ()))

        # a persistent tape that is recording records the walk too (a gradient of the
        # gradient); the walk covers only the entries there were when it started
        entries = self._entries[:] if self.persistent else self._entries
        with _paused([] if self.persistent else [self]):
            self._backward(entries, grads, keep)

        results = [self._gradient_of(s, grads, unconnected_gradients) for s in flat_sources]
        if not self.persistent:
            self._entries = None
            self._tracked.clear()
        return rebuild(results)

    def _seed_gradients(self, target, targets: list, output_gradients) -> dict:
        """``{id(target): its output gradient}`` for the floating-point ``targets`` (ones where
        ``output_gradients`` is None), checked; a watched Variable counts as its read."""
        if output_gradients is None:
            seeds = [None] * len(targets)
        elif isinstance(target, (list, tuple, dict)):
            seeds = _flatten(output_gradients)[0]
        else:  # one target: output_gradients is its gradient, even when given as a list
            seeds = [output_gradients]
        if len(seeds) != len(targets):
            raise InvalidArgumentError(
                f"GradientTape.gradient: got {len(seeds)} output_gradients for {len(targets)} "
                "targets: pass one per target, in the same structure."
            )
        grads: dict[int, Tensor] = {}
        for t, seed in zip(targets, seeds):
            if isinstance(t, Variable):  # a watched variable as target counts as one of its reads
                variable, t = t, t.value()
                if self._watches(variable):
                    reads = self._reads.setdefault(id(variable), [])
                    if all(r is not t for r in reads):
                        reads.append(t)
            if t.dtype.kind != "f":
                warnings.warn(
                    f"gradient(): a target of dtype {t.dtype} has no gradient (only floating-point "
                    "targets do), so it contributes none. Differentiate the floating-point "
                    "value before the cast to an integer dtype.", stacklevel=3
                )
                continue
            _accumulate(grads, id(t), ops.ones_like(t) if seed is None else _checked_seed(seed, t))
        return grads

    def _backward(self, entries: list, grads: dict, keep: set) -> None:
        """Walk ``entries`` backwards, adding each op's input gradients into ``grads``.

        ``grads`` maps id(tensor) -> gradient. An output's gradient is complete when
        its op is reached (everything that used it came later), so it is dropped
        then, unless it is a source in ``keep``.
        """
        for op, ctx, inputs, outputs, needs in reversed(entries):
            if op.multiple_outputs:
                gs = [grads.get(id(o)) for o in outputs]
                if all(g is None for g in gs):
                    continue
                gs = [ops.zeros_like(o) if g is None else g for o, g in zip(outputs, gs)]
                ctx.needs_input_grad = needs
                in_grads = op.backward(ctx, *gs)
            else:
                key = id(outputs[0])
                g = grads.pop(key, None)
                if g is None:
                    continue
                if key in keep:
                    grads[key] = g
                ctx.needs_input_grad = needs
                in_grads = op.backward(ctx, g)
            if type(in_grads) is not tuple:
                in_grads = tuple(in_grads) if isinstance(in_grads, list) else (in_grads,)
            if len(in_grads) != len(inputs):
                raise GradientShapeError(
                    f"backward of op {op.name!r} returned {len(in_grads)} gradients for "
                    f"{len(inputs)} inputs: return one per input (None where there is none)."
                )
            for i, gx in enumerate(in_grads):
                if gx is None or not needs[i]:
                    continue
                x = inputs[i]
                # _fit's checks, inlined for the usual case: a Tensor with the input's
                # array type (device), shape and dtype needs nothing done to it (NumPy's
                # dtypes are mostly singletons: ``is`` first spares the slower ``!=``)
                try:
                    gd = gx._data
                except AttributeError:  # not a Tensor: _fit says what to return instead
                    gd = None
                xd = x._data
                if (type(gd) is not type(xd) or gd.shape != xd.shape
                        or (gd.dtype is not xd.dtype and gd.dtype != xd.dtype)):
                    gx = _fit(gx, x, op.name, i)
                key = id(x)  # _accumulate, inlined: one call fewer per gradient
                previous = grads.get(key)
                grads[key] = gx if previous is None else previous + gx

    def _gradient_of(self, source, grads, unconnected):
        if isinstance(source, Variable):
            parts = [grads[id(r)] for r in self._reads.get(id(source), ()) if id(r) in grads]
            g = None
            for p in parts:
                g = p if g is None else g + p
        else:  # a Tensor: ``gradient`` refused anything else (``_check_differentiable``)
            g = grads.get(id(source))
        if g is None and unconnected == "zero":
            g = ops.zeros_like(source)
        return g


def _checked_seed(seed, t: Tensor) -> Tensor:
    """``output_gradients``' entry for target ``t`` as a Tensor on ``t``'s device and of its shape."""
    seed = as_tensor(seed, like=t)  # host data (numbers, lists, NumPy arrays): on t's device
    if seed.device != t.device:
        raise DeviceMismatchError(
            f"GradientTape.gradient: `output_gradients` is on {seed.device} but its target "
            f"is on {t.device}: make the output gradient on the target's device, e.g. "
            f"output_gradients=g.to('{t.device}')."
        )
    if seed.shape != t.shape:
        raise InvalidArgumentError(
            f"GradientTape.gradient: `output_gradients` has shape {seed.shape} but the "
            f"target has shape {t.shape}: pass one gradient of the target's shape per "
            "target (or None for ones)."
        )
    return seed


def _check_differentiable(name: str, flat: list) -> None:
    """Raise ArgumentTypeError unless every item of ``flat`` is a Tensor or a Variable."""
    for item in flat:
        if not isinstance(item, Tensor):
            raise ArgumentTypeError(
                f"GradientTape.gradient: `{name}` must be Tensors or Variables (or a list, tuple "
                f"or dict of them), got {item!r:.60} of type {type(item).__name__}. Pass the "
                "tensors the tape recorded, e.g. tape.gradient(loss, model.trainable_variables)."
            )


@contextmanager
def no_recording():
    """Pause every GradientTape recording in this thread inside the block (like ``torch.no_grad``).

    Returns:
        A context manager (use it with ``with``).

    ``minigrad.no_grad`` is another name for it. A tape opened inside the block records as
    usual: only the tapes recording when the block starts are paused.

    Use it for work that must never be differentiated, such as an optimizer's
    update or computing metrics inside a training step::

        with minigrad.no_recording():
            accuracy = (y_pred.argmax(axis=1) == labels).mean()
    """
    with _paused(list(state.engine.tapes)):
        yield


@contextmanager
def _paused(tapes: list):
    """Take ``tapes`` (recording in this thread, outermost first) off the thread's stack inside
    the block, and put each back at its place afterwards, even after an error.

    The one pause that ``stop_recording``, ``gradient`` and ``no_recording`` share. A tape not
    recording is skipped; a tape opened inside the block stays inside the paused ones.
    """
    places = [state.remove_tape(tape) for tape in reversed(tapes)]  # innermost first: places hold
    try:
        yield
    finally:
        for tape, place in zip(tapes, reversed(places)):
            if place is not None:
                state.insert_tape(place, tape)


def _accumulate(grads: dict, key: int, g: Tensor) -> None:
    """``grads[key] += g``, where a missing entry is zero."""
    prev = grads.get(key)
    grads[key] = g if prev is None else prev + g


def _fit(g, x: Tensor, op_name: str, i: int) -> Tensor:
    """Bring gradient ``g`` to input ``x``'s shape and dtype, or explain why it can't."""
    if not isinstance(g, Tensor):
        raise ArgumentTypeError(
            f"backward of op {op_name!r} returned a {type(g).__name__} for input {i}; it must "
            "return minigrad Tensors, computed with minigrad ops, so that an outer tape can "
            "record them (that is how second derivatives work)."
        )
    if g.device != x.device:
        raise DeviceMismatchError(
            f"backward of op {op_name!r} returned a gradient on {g.device} for input {i}, "
            f"which lives on {x.device}: compute the gradient from the op's inputs and "
            "output gradient, on their device."
        )
    if g.shape != x.shape:
        g = _unbroadcast(g, x.shape, op_name, i)
    if g.dtype != x.dtype:
        g = ops.cast(g, x.dtype)
    return g


def _unbroadcast(g: Tensor, shape: tuple, op_name: str, i: int) -> Tensor:
    """Sum ``g`` over the axes along which an input of ``shape`` was broadcast."""
    lead = g.ndim - len(shape)
    ok = lead >= 0 and all(s == 1 or s == gs for s, gs in zip(shape, g.shape[lead:]))
    if not ok:
        raise GradientShapeError(
            f"backward of op {op_name!r} returned a gradient of shape {g.shape} for input {i}, "
            f"whose shape is {shape}. A gradient must have its input's shape (or a shape "
            "the input was broadcast to); check the backward of this op."
        )
    axes = tuple(range(lead)) + tuple(
        lead + k for k, s in enumerate(shape) if s == 1 and g.shape[lead + k] != 1
    )
    if axes:  # the sum op itself: these axes are valid and sorted already
        g = apply(Sum, g, axes=axes, keepdims=False)
    return ops.reshape(g, shape) if g.shape != shape else g


def _flatten(structure):
    """Flatten a Tensor or a nest of lists, tuples and dicts; return (leaves, rebuild)."""
    if isinstance(structure, dict):
        keys = list(structure)
        parts = [_flatten(structure[k]) for k in keys]
    elif isinstance(structure, (list, tuple)):
        parts = [_flatten(s) for s in structure]
    else:
        return [structure], lambda leaves: leaves[0]
    leaves, sizes = [], []
    for part_leaves, _ in parts:
        leaves.extend(part_leaves)
        sizes.append(len(part_leaves))

    def rebuild(flat):
        out, start = [], 0
        for (_, part_rebuild), n in zip(parts, sizes):
            out.append(part_rebuild(flat[start : start + n]))
            start += n
        if isinstance(structure, dict):
            return dict(zip(keys, out))
        return type(structure)(out) if isinstance(structure, tuple) else out

    return leaves, rebuild


def value_and_grad(f, argnums=0):
    """Turn ``f(*args)`` into a function returning ``(f(*args), gradient)``.

    Args:
        f: a function of Tensors returning a scalar Tensor.
        argnums: which positional argument(s) to differentiate (int or tuple).

    Returns:
        A function with the signature of ``f`` returning ``(value, grads)``; grads is
        one Tensor for an int ``argnums``, a tuple for a tuple. Unconnected
        arguments get zeros, so ``grad(grad(f))`` works.

    Raises:
        ArgumentTypeError: if ``f`` is not callable, ``argnums`` is not an int or a
            tuple of ints, or ``f`` returns something other than a Tensor.
        IndexOutOfRangeError: (when called) if ``argnums`` names an argument that
            was not passed.
    """
    nums = _check_grad_args(f, argnums)

    def wrapped(*args, **kwargs):
        args = list(args)
        for i in nums:
            if not -len(args) <= i < len(args):
                raise IndexOutOfRangeError(
                    f"grad: `argnums` names argument {i}, but the function was called with "
                    f"{len(args)} positional argument(s). Pass the argument, or set argnums to "
                    f"the positions of the inputs to differentiate (0 to {len(args) - 1})."
                )
        with GradientTape() as tape:
            for i in nums:
                if not isinstance(args[i], Tensor):
                    args[i] = Tensor(args[i])
                tape.watch(args[i])
            value = f(*args, **kwargs)
        if not isinstance(value, Tensor):
            raise ArgumentTypeError(
                f"grad: the function must return a scalar Tensor, got {value!r:.60} of type "
                f"{type(value).__name__}. Return the loss computed with minigrad ops."
            )
        grads = tape.gradient(value, [args[i] for i in nums], unconnected_gradients="zero")
        return value, (grads[0] if isinstance(argnums, int) else tuple(grads))

    return wrapped


def _check_grad_args(f, argnums) -> tuple:
    """``argnums`` as a tuple of ints, after checking that ``f`` can be called."""
    if not callable(f):
        raise ArgumentTypeError(
            f"grad: `f` must be a function, got {f!r:.60} of type {type(f).__name__}. "
            "Pass the function itself: mg.grad(loss_fn), not mg.grad(loss_fn(x))."
        )
    if isinstance(argnums, (tuple, list)):
        if not argnums:
            raise InvalidArgumentError(
                "grad: `argnums` is empty: pass the position of at least one argument, e.g. argnums=0."
            )
        return tuple(check_int(f"argnums[{k}]", a, where="grad") for k, a in enumerate(argnums))
    return (check_int("argnums", argnums, where="grad"),)


def grad(f, argnums=0):
    """Turn ``f(*args)`` (returning a scalar) into a function returning its gradient.

    ``minigrad.grad(minigrad.grad(f))`` gives the second derivative.

    Args:
        f: a function of Tensors returning a scalar Tensor.
        argnums: which positional argument(s) to differentiate (int or tuple).

    Returns:
        A function with the signature of ``f`` returning the gradient: one Tensor for an
        int ``argnums``, a tuple for a tuple (zeros for an argument ``f`` does not use).

    Raises:
        ArgumentTypeError, IndexOutOfRangeError: as ``value_and_grad``.
    """
    vg = value_and_grad(f, argnums)

    def wrapped(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return wrapped


__all__ = ["GradientTape", "grad", "no_recording", "value_and_grad"]
