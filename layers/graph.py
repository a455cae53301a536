"""The functional graph: finding, checking and replaying the nodes of a ``Model``.

A functional model is a graph of nodes (one node per call of a layer on symbolic
tensors). Walking ``_keras_history`` back from the outputs finds every node;
``map_graph`` orders them by depth (the longest path to an output) and checks that
each one can be computed from the inputs. ``replay`` then runs one node on real tensors,
which is what ``Model.call`` does for each node, deepest first.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from layers.base import Layer
from layers.input_layer import InputLayer
from layers.nest import flatten, map_structure, unwrap_single
from layers.node import KerasTensor, is_symbolic
from minigrad.errors import InvalidArgumentError


def is_input_node(node) -> bool:
    """Whether ``node`` is the node of an ``InputLayer`` (where a graph starts)."""
    return isinstance(node.layer, InputLayer)


def _parent_nodes(node) -> list:
    """The nodes that made ``node``'s input tensors (none for an input node)."""
    if is_input_node(node):
        return []
    out = []
    for t in node.input_tensors:
        layer, index, _ = t._keras_history
        out.append(layer._inbound_nodes[index])
    return out


def check_graph_ends(name: str, inputs: list, outputs: list) -> None:
    """Check the ends of model ``name``'s graph: inputs from ``layers.Input``, outputs symbolic.

    Raises:
        ValueError: for an input not made by ``layers.Input``, a repeated input, or an
            output that is not a layer's output on symbolic inputs.
    """
    for t in inputs:
        if not is_symbolic(t) or t._keras_history is None:
            raise InvalidArgumentError(
                f"Input tensors to a Model must come from `layers.Input`. Received: {t!r} "
                "(missing previous layer metadata).")
        if not isinstance(t._keras_history[0], InputLayer):
            raise InvalidArgumentError(
                f"Model inputs must come from `layers.Input`, but an input of {name!r} was "
                f"made by layer {t._keras_history[0].name!r}: use the Input tensor itself.")
    if len({id(t) for t in inputs}) != len(inputs):
        raise InvalidArgumentError(
            "The list of inputs passed to the model contains the same input multiple times. "
            "All inputs should only appear once.")
    for t in outputs:
        if not is_symbolic(t) or t._keras_history is None:
            raise InvalidArgumentError(
                f"Output tensors of a Model must be the output of a layer called on "
                f"symbolic inputs (layers.Input). Found: {t!r}")


def map_graph(inputs: list, outputs: list) -> tuple:
    """Nodes by depth and layers in order (Keras's ``_map_graph_network``), in four phases.

    A node's depth is the longest path from it to an output (outputs have depth 0); a
    shared layer takes the largest depth of its nodes. Layers are ordered by decreasing
    depth, ties by the order a depth-first walk from the outputs first met them.

    Raises:
        ValueError: for a cycle, a tensor not computable from the inputs, or duplicate names.
    """
    ordered, layer_order = _walk_back_from(outputs)
    node_depth, layer_depth = _depths(ordered)
    nodes = {id(node): node for node in ordered}
    for t in inputs:  # inputs that lead to no output still belong to the model
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_order[id(layer)] = (-1, layer)
            node_depth[id(layer._inbound_nodes[0])] = 0
            nodes[id(layer._inbound_nodes[0])] = layer._inbound_nodes[0]
    nodes_by_depth: dict = {}
    for key, depth in node_depth.items():
        nodes_by_depth.setdefault(depth, []).append(nodes[key])
    layers = sorted(layer_order.values(), key=lambda item: (-layer_depth[id(item[1])], item[0]))
    layers = [layer for _, layer in layers]
    _check_computable(inputs, nodes_by_depth)
    _check_unique_names(layers)
    return nodes_by_depth, layers


def _walk_back_from(outputs: list) -> tuple:
    """Phase 1: a depth-first walk from the outputs back to the inputs.

    Returns:
        ``(nodes, layer_order)``: every node reached, each after the nodes that feed it,
        and ``{id(layer): (rank, layer)}`` with the rank at which the walk first met it.

    Raises:
        ValueError: if a tensor depends on itself (a cycle).
    """
    ordered, layer_order = [], {}
    finished, in_progress = set(), set()

    def visit(tensor) -> None:
        layer, index, _ = tensor._keras_history
        node = layer._inbound_nodes[index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise InvalidArgumentError(f'Tensor {tensor!r} from layer "{layer.name}" is part of a cycle.')
        layer_order.setdefault(id(layer), (len(layer_order), layer))
        in_progress.add(id(node))
        for parent_tensor in ([] if is_input_node(node) else node.input_tensors):
            visit(parent_tensor)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered.append(node)

    for t in outputs:
        visit(t)
    return ordered, layer_order


def _depths(ordered: list) -> tuple:
    """Phase 2: ``({id(node): depth}, {id(layer): depth})``, outputs first (depth 0); a node
    is one deeper than the deepest node it feeds, and shares its layer's largest depth."""
    node_depth, layer_depth = {}, {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in _parent_nodes(node):
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    return node_depth, layer_depth


def _check_computable(inputs: list, nodes_by_depth: dict) -> None:
    """Phase 3: every node's inputs come from the model's inputs, deepest nodes first.

    Raises:
        ValueError: naming the first tensor that cannot be computed ("Graph disconnected").
    """
    computable = {id(t) for t in inputs}
    reached = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if is_input_node(node):
                continue
            for t in node.input_tensors:
                if id(t) not in computable:
                    raise InvalidArgumentError(
                        f'Graph disconnected: cannot obtain value for tensor {t!r} at layer '
                        f'"{node.layer.name}". The following previous layers were accessed '
                        f"without issue: {reached}")
            computable.update(id(t) for t in node.output_tensors)
            reached.append(node.layer.name)


def _check_unique_names(layers: list) -> None:
    """Phase 4: no two layers of the model share a name.

    Raises:
        ValueError: naming the name and how often it is used.
    """
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise InvalidArgumentError(
                f'The name "{name}" is used {names.count(name)} times in the model. All '
                "layer names should be unique.")


def unique_output_names(layers: list) -> list:
    """The output layers' names, made unique with ``_1``, ``_2``, ... suffixes (as Keras does)."""
    names, counts = [], {}
    for layer in layers:
        proposal = layer.name
        while proposal in names:
            count = counts.get(layer.name, 1)
            proposal = f"{layer.name}_{count}"
            counts[layer.name] = count + 1
        names.append(proposal)
    return names


def conform(x, ref: KerasTensor, index: int, model_name: str):
    """Keras's ``_conform_to_reference_input``: fix a trailing length-1 axis, check, cast."""
    if not isinstance(x, mg.Tensor):
        x = mg.tensor(np.asarray(x))
    if x.ndim == ref.ndim + 1 and x.shape[-1] == 1:
        x = mg.squeeze(x, -1)
    elif x.ndim == ref.ndim - 1 and ref.shape[-1] == 1:
        x = mg.expand_dims(x, -1)
    compatible = x.ndim == ref.ndim and all(r is None or r == s for r, s in zip(ref.shape[1:], x.shape[1:]))
    if not compatible:
        raise InvalidArgumentError(
            f'Input {index} of layer "{model_name}" is incompatible with the layer: expected '
            f"shape={ref.shape}, found shape={tuple(x.shape)}")
    if x.dtype != ref.dtype:
        x = mg.cast(x, ref.dtype)
    return x


def output_mask(layer, inputs, mask):
    """The mask of a layer's output, computed only where masks exist or the layer makes one."""
    if any(m is not None for m in flatten(mask)) or type(layer).compute_mask is not Layer.compute_mask:
        return layer.compute_mask(inputs, mask)
    return None


def replay(node, values: dict, masks: dict, training) -> None:
    """Call ``node.layer`` as recorded, on the real tensors in ``values``; store its outputs."""
    def real(t):
        return values[id(t)] if is_symbolic(t) else t
    if node.inputs_structure is not None:
        structure, args = node.inputs_structure
    else:
        structure, args = unwrap_single(node.input_tensors), ()
    inputs = map_structure(real, structure)
    args = map_structure(real, tuple(args))
    kwargs = {k: map_structure(real, v) for k, v in node.call_kwargs.items() if k != "mask"}
    if kwargs.get("training") is None:  # a value given at the symbolic call wins
        kwargs["training"] = training  # else the model's, as its call got it
    in_masks = [masks.get(id(t)) for t in node.input_tensors]
    mask = unwrap_single(in_masks) if any(m is not None for m in in_masks) else None
    if mask is not None and node.layer._expects_mask_arg:
        kwargs["mask"] = mask
    outputs = node.layer(inputs, *args, **kwargs)
    flat = flatten(outputs)
    if len(flat) != len(node.output_tensors):
        raise InvalidArgumentError(
            f"Layer {node.layer.name} returned {len(flat)} tensors but returned "
            f"{len(node.output_tensors)} when the model was built.")
    for ref, y in zip(node.output_tensors, flat):
        values[id(ref)] = y
    out_mask = output_mask(node.layer, inputs, mask)
    if out_mask is not None:
        out_masks = flatten(out_mask) if len(flat) > 1 else [out_mask]
        for ref, m in zip(node.output_tensors, out_masks):
            masks[id(ref)] = m


__all__ = ["is_input_node", "check_graph_ends", "map_graph", "unique_output_names", "conform",
           "output_mask", "replay"]
