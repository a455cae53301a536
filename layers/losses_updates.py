"""Losses and pending updates: what a layer's calls leave behind for the training step.

``add_loss`` records loss tensors (activity regularization, ``add_loss(mg.sum(x ** 2))``)
and callables (weight regularizers, evaluated each time ``losses`` is read, so that they
can be differentiated on a GradientTape). ``add_update`` records pending ``Update``
objects that the caller runs (V1 style). Each entry remembers what it is conditional on:
None, or the inputs of the call that made it (``get_losses_for`` / ``get_updates_for``).
Entries made during a call belong to that call: the next outermost call of the layer, or
of a layer containing it, replaces them (``_start_call``).

``LossesAndUpdates`` is mixed into ``Layer``; it uses the layer's ``_losses``,
``_updates``, ``_generation`` and ``_flatten_layers``.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from layers import backend
from layers.layer_checks import to_tensor
from layers.nest import flatten
from layers.node import KerasTensor
from minigrad.errors import ArgumentTypeError
from minigrad.validation import check_str


class Update:
    """A pending state change, such as a moving-average step: calling it runs it.

    Layers in V1 style (``layers.v1.BatchNormalization``) hand these out through
    ``updates`` / ``get_updates_for`` instead of changing their state at once, so a
    custom training loop must run them, as TF1's UPDATE_OPS had to be run.
    """

    def __init__(self, fn, name: str = "update"):
        if not callable(fn):
            raise ArgumentTypeError(
                f"Update: an update must be callable, got {type(fn).__name__} ({fn!r}). Pass a "
                "zero-argument function, e.g. add_update(lambda: variable.assign_add(1.0)).")
        self._fn = fn
        self.name = check_str("name", name, where="Update")

    def __call__(self):
        return self._fn()

    def __repr__(self) -> str:
        return f"<Update {self.name}>"


class LossesAndUpdates:
    """The losses and updates API of ``Layer`` (see the module docstring)."""

    def _start_call(self, frame) -> None:
        """The first time this layer runs in a new outermost call, forget the losses and
        updates that the previous outermost call recorded, here and in every nested layer
        (also those this call will not run). Later calls in the same outermost call add up."""
        if frame.shape_inference or self._generation == frame.generation:
            return
        for layer in self._flatten_layers():
            if layer._generation != frame.generation:
                layer._generation = frame.generation
                if layer._losses:  # (skipping empty lists keeps this hot path cheap)
                    layer._losses = [entry for entry in layer._losses if not entry[2]]
                if layer._updates:
                    layer._updates = []

    # -- updates --------------------------------------------------------------------------
    def add_update(self, updates, inputs=None) -> None:
        """Record pending updates (callables or ``Update`` objects) for the caller to run.

        Updates belong to one call: the next outermost call of the layer (or of a layer
        containing it) replaces them, so run them after each call, before the next one.

        Args:
            updates: an update, a zero-argument callable or a list of them.
            inputs: None for unconditional updates; otherwise the inputs they depend on
                (``get_updates_for(inputs)`` returns them).
        """
        frame = backend.current_frame()
        if frame is not None and frame.shape_inference:
            return
        condition = _condition(inputs, frame)
        for u in flatten(updates):
            if u is None:
                continue
            self._updates.append((u if isinstance(u, Update) else Update(u), condition))

    @property
    def updates(self) -> list:
        """Pending updates of this layer and nested ones (none from frozen layers, as in TF1)."""
        return [u for layer in self._flatten_layers() if layer.trainable
                for u, _ in layer._updates]

    def get_updates_for(self, inputs) -> list:
        """Updates conditional on ``inputs`` (None: the unconditional ones).

        Raises:
            ArgumentTypeError: for ``inputs`` that are not None, Tensors or a list of them.
        """
        _check_condition_inputs(inputs, "get_updates_for")
        return [u for layer in self._flatten_layers() if layer.trainable
                for u, cond in layer._updates if _matches(cond, inputs)]

    # -- losses -----------------------------------------------------------------------------
    def add_loss(self, losses, inputs=None) -> None:
        """Add loss tensors or zero-argument callables (None entries are skipped).

        Args:
            losses: a scalar Tensor, a callable returning one, or a list of them.
            inputs: None for unconditional losses (e.g. weight regularization); otherwise
                the inputs they depend on (activity regularization).
        """
        frame = backend.current_frame()
        if frame is not None and frame.shape_inference:
            return
        condition = _condition(inputs, frame)
        for loss in flatten(losses):
            if loss is None:
                continue
            if not callable(loss):
                loss = to_tensor(loss)
                if not isinstance(loss, (mg.Tensor, KerasTensor)):
                    raise ArgumentTypeError(
                        f"Layer {self.name}: add_loss takes a scalar Tensor, a number, a "
                        f"zero-argument callable returning one, or a list of them; got {loss!r} "
                        f"of type {type(loss).__name__}. Pass e.g. add_loss(mg.sum(x ** 2)).")
            self._losses.append((loss, condition, frame is not None and not callable(loss)))

    @property
    def losses(self) -> list:
        """Losses of this layer and nested ones, in Keras's order: layer by layer (this one,
        then the nested ones, depth first), each layer's tensors (``add_loss`` of a tensor,
        activity regularization) in the order added, then its callables (``add_loss`` of a
        callable, weight regularizers) in the order added, evaluated now. A callable that
        returns None adds nothing."""
        out = []
        for layer in self._flatten_layers():
            out.extend(_ordered_losses(layer._losses))
        return out

    def get_losses_for(self, inputs) -> list:
        """Losses conditional on ``inputs`` (None: the unconditional ones, regularizers
        included), in the order of ``losses``.

        Raises:
            ArgumentTypeError: for ``inputs`` that are not None, Tensors or a list of them.
        """
        _check_condition_inputs(inputs, "get_losses_for")
        out = []
        for layer in self._flatten_layers():
            out.extend(_ordered_losses([entry for entry in layer._losses
                                        if _matches(entry[1], inputs)]))
        return out


class RegularizerLoss:
    """The loss ``regularizer(variable)``, computed when called (so: when ``losses`` is read).

    A class rather than a lambda so that ``copy.deepcopy`` of a layer gives a loss on the
    copy's own variable.
    """

    def __init__(self, regularizer, variable):
        self.regularizer = regularizer
        self.variable = variable

    def __call__(self):
        return self.regularizer(self.variable)


def _ordered_losses(entries: list) -> list:
    """One layer's ``(loss, condition, from_call)`` entries as Keras lists them: the tensors,
    then the callables' values (None dropped), each group in the order added (tf-keras keeps
    them in two lists, ``_eager_losses`` and ``_callable_losses``)."""
    tensors = [loss for loss, _, _ in entries if not callable(loss)]
    values = [loss() for loss, _, _ in entries if callable(loss)]
    for value in values:
        if value is not None and not isinstance(value, (mg.Tensor, KerasTensor)):
            raise ArgumentTypeError(
                f"A loss callable given to add_loss returned {value!r} of type "
                f"{type(value).__name__}; it must return a scalar Tensor (or None for no loss). "
                "Return e.g. mg.sum(w ** 2).")
    return tensors + [value for value in values if value is not None]


def _condition(inputs, frame):
    """What an update/loss is conditional on: None (unconditional) or ``{id(t): t}`` for the
    inputs and the outermost call's inputs (which reach every nested layer's inputs).
    Holding the tensors keeps their ids from being reused by new tensors."""
    if inputs is None:
        return None
    condition = {id(t): t for t in flatten(inputs)}
    if frame is not None:
        condition.update((id(t), t) for t in frame.top_inputs)
    return condition


def _check_condition_inputs(inputs, where: str) -> None:
    """Refuse ``inputs`` of get_updates_for / get_losses_for that cannot be a layer's inputs."""
    for t in flatten(inputs) if inputs is not None else ():
        if not isinstance(t, (mg.Tensor, KerasTensor, np.ndarray)):
            raise ArgumentTypeError(
                f"{where}: `inputs` must be None (the unconditional entries) or the Tensors a "
                f"layer was called on (or a list of them), got {t!r} of type {type(t).__name__}.")


def _matches(condition, inputs) -> bool:
    if inputs is None:
        return condition is None
    if condition is None:
        return False
    return any(id(t) in condition for t in flatten(inputs))

