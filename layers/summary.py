"""The model summary: Keras's table of layers, output shapes and parameter counts.

A model that is a plain chain (a Sequential model, or a functional one where each node
has one input and each layer one node) gets three columns; any other graph gets a
fourth, "Connected to", listing each layer's parents as ``name[node_index][tensor_index]``.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from layers.base import _dedup
from layers.graph import is_input_node
from layers.input_layer import InputLayer
from layers.nest import unwrap_single
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

if TYPE_CHECKING:  # for annotations only: layers.models imports this module
    from layers.models import Model


def print_summary(model: Model, line_length=None, positions=None, print_fn=print,
                  show_trainable: bool = False) -> None:
    """Print Keras's summary table of ``model`` (``Model.summary`` calls this).

    Args:
        model: a built model.
        line_length: width of the table (65, or 98 with a "Connected to" column).
        positions: where the columns end (fractions of line_length, or character counts).
        print_fn: called with each line.
        show_trainable: add a column saying whether each layer is trainable.

    Raises:
        ArgumentTypeError: for ``positions`` that are not numbers, or a ``print_fn`` that is
            not callable.
        InvalidArgumentError: for ``positions`` of another length than the columns, or not
            increasing and positive.
    """
    if not callable(print_fn):
        raise ArgumentTypeError(f"summary: `print_fn` must be callable (e.g. print), got {print_fn!r}.")
    if positions is not None and not isinstance(positions, (list, tuple)):
        raise ArgumentTypeError(f"summary: `positions` must be a list of numbers or None, got "
                                f"{positions!r}. Pass e.g. positions=[0.45, 0.85, 1.0].")
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = list(positions or [0.3, 0.6, 0.70, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    _check_positions(positions, len(header))
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(header, positions, print_fn)
    print_fn("=" * line_length)
    for layer in model.layers:
        if not layer.built and not getattr(layer, "_is_graph_network", False):
            params = "0 (unused)"
        else:
            params = layer.count_params()
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_field(model, layer), params]
        if not sequential_like:
            fields.append(_connections(model, layer))
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        _print_row(fields, positions, print_fn)
        print_fn(" " * line_length)
    print_fn("=" * line_length)
    trainable, trainable_size = _count(model.trainable_weights)
    frozen, frozen_size = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + frozen} ({_readable_size(trainable_size + frozen_size)})")
    print_fn(f"Trainable params: {trainable} ({_readable_size(trainable_size)})")
    print_fn(f"Non-trainable params: {frozen} ({_readable_size(frozen_size)})")
    print_fn("_" * line_length)


def _check_positions(positions: list, columns: int) -> None:
    """Refuse ``positions`` that cannot place ``columns`` columns."""
    if any(isinstance(p, bool) or not isinstance(p, numbers.Real) for p in positions):
        raise ArgumentTypeError(
            f"summary: `positions` must be numbers (fractions of line_length, or character "
            f"counts), got {positions!r}. Pass e.g. positions=[0.45, 0.85, 1.0].")
    if len(positions) != columns or any(p <= 0 for p in positions) or any(
            b <= a for a, b in zip(positions, positions[1:])):
        raise InvalidArgumentError(
            f"summary: `positions` must give the right end of each of the {columns} columns, "
            f"positive and increasing, got {positions!r}. Pass e.g. "
            f"positions={[round((i + 1) / columns, 2) for i in range(columns)]}.")


def _readable_size(n_bytes: float) -> str:
    """``n_bytes`` in the first unit where it is below 1024 ("1.50 KB")."""
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _count(weights: list) -> tuple:
    """``(number of parameters, bytes)`` of the distinct weights."""
    weights = _dedup(weights)
    params = sum(int(np.prod(w.shape)) for w in weights)
    size = sum(int(np.prod(w.shape)) * np.dtype(w.dtype).itemsize for w in weights)
    return params, size


def _sequential_like(model: Model) -> bool:
    """Whether the table needs no "Connected to" column: a plain chain of single-input nodes."""
    from layers.models import Sequential  # here, not at the top: layers.models imports this module

    if not model._is_graph_network or isinstance(model, Sequential):
        return True
    seen = set()
    for nodes in model._nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
        seen.update(id(node) for node in nodes)
    for layer in model.layers:
        if sum(id(node) in seen for node in layer._inbound_nodes) > 1:
            return False
    return True


def _shape_field(model: Model, layer):
    """The "Output Shape" cell: the shape of the layer's nodes in this model, or "multiple"."""
    if model._is_graph_network:
        nodes = [node for node in layer._inbound_nodes if id(node) in model._network_nodes]
        if nodes:
            shapes = [node.output_shapes if isinstance(layer, InputLayer)
                      else unwrap_single(node.output_shapes) for node in nodes]
            return shapes[0] if all(s == shapes[0] for s in shapes) else "multiple"
    try:
        return layer.output_shape
    except (AttributeError, RuntimeError):
        return "multiple"


def _connections(model: Model, layer) -> list:
    """The "Connected to" cell: ``parent[node_index][tensor_index]`` for each input of the layer."""
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in model._network_nodes or is_input_node(node):
            continue
        for t in node.input_tensors:
            parent, node_index, tensor_index = t._keras_history
            out.append(f"{parent.name}[{node_index}][{tensor_index}]")
    return out


def _print_row(fields: list, positions: list, print_fn) -> None:
    """Keras's table row: each column cut to its width (at a ``),`` if one is near), wrapping."""
    left = [str(f) for f in fields]
    last = len(positions) - 1
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col else 0
            gap = 0 if col == last else 2
            # at least one character a column and line, so that any width ends the loop
            width = max(1, positions[col] - start - gap - (0 if col == last else 1))
            piece = text[:width]
            breaks = [piece.find(m) + len(m) for m in ("),", "},", "],", "',") if piece.find(m) >= 0]
            if breaks:
                width = min(breaks)
                piece = piece[:width]
            line += (" " if col == 0 else "") + piece + " " * gap
            left[col] = text[width:]
            line += " " * (positions[col] - len(line))
        print_fn(line)


__all__ = ["print_summary"]
