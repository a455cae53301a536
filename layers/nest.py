"""Nested structures of tensors (lists, tuples, namedtuples, dicts), as ``tf.nest`` handles them."""

from __future__ import annotations


def flatten(structure) -> list:
    """The leaves of a nest of lists, tuples and dicts, in order (dicts by sorted key)."""
    if isinstance(structure, dict):
        return [leaf for k in sorted(structure) for leaf in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    """Apply ``fn`` to every leaf, keeping the nesting."""
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return _same_sequence(structure, [map_structure(fn, item) for item in structure])
    return fn(structure)


def pack_as(structure, leaves: list):
    """Put ``leaves`` (as ``flatten`` orders them) back into the nesting of ``structure``."""
    it = iter(leaves)

    def rebuild(s):
        if isinstance(s, dict):
            return {k: rebuild(s[k]) for k in sorted(s)}
        if isinstance(s, (list, tuple)):
            return _same_sequence(s, [rebuild(x) for x in s])
        return next(it)

    return rebuild(structure)


def _same_sequence(like, items: list):
    """``items`` as a sequence of the same kind as ``like`` (list, tuple or namedtuple)."""
    if isinstance(like, list):
        return items
    if hasattr(like, "_fields"):  # a namedtuple takes its fields as arguments
        return type(like)(*items)
    return type(like)(items)


def unwrap_single(items: list):
    """A one-element list becomes its element (as Keras returns single tensors)."""
    return items[0] if len(items) == 1 else items
