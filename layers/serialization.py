"""The name / config lookup shared by initializers, regularizers, constraints and activations.

Keras saves such an object as ``{"class_name": name, "config": {...}}`` (or, for a plain
function, as its name) and finds it again by name, first in ``custom_objects`` and then in
the module's own table::

    serialize_keras_object(L2(0.1))          # {"class_name": "L2", "config": {"l2": 0.1}}
    deserialize_keras_object("l2", ALL_OBJECTS, None, kind="regularizer", ...)   # L2()

Each module keeps its own ``get`` / ``serialize`` / ``deserialize`` (with its own words in
the error messages) and hands the work to the functions here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable

from layers.object_registration import get_registered_object, registered_by_bare_name
from minigrad.errors import ArgumentTypeError, InvalidArgumentError


def _with_article(noun: str) -> str:
    """``noun`` with "a" or "an" in front: "an initializer", "a constraint"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def serialize_keras_object(
    obj, error_message: str = "Cannot serialize {obj!r} because it doesn't implement get_config()."
) -> dict | str | None:
    """``{"class_name": ..., "config": ...}`` for an object with ``get_config``, a name for a function.

    Args:
        obj: the object to save, a named callable, or None.
        error_message: the ValueError's message when ``obj`` is neither; ``{obj!r}`` in it
            is replaced by the object.

    Returns:
        ``{"class_name": type(obj).__name__, "config": obj.get_config()}``, the function's
        ``__name__`` (a plain function is saved by name, as in Keras), or None for None.

    Raises:
        ValueError: if the object has no ``get_config`` and is not a named function.
    """
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    raise InvalidArgumentError(error_message.format(obj=obj))


def deserialize_keras_object(
    config,
    module_objects: dict,
    custom_objects: dict | None,
    *,
    kind: str,
    example: str,
    valid_names: Iterable[str],
):
    """Build an object from ``{"class_name": name, "config": {...}}`` or from a name.

    The name is looked up in ``custom_objects`` first, then in the enclosing
    ``custom_object_scope`` blocks and the registered objects, then in ``module_objects``
    (``layers.object_registration`` states the order). A class
    is built with ``cls.from_config(config)`` when it has one, else ``cls(**config)``; a
    function named by a string is returned as is, as in Keras. A "module" key in the dict
    (as Keras 2.13+ writes) is ignored.

    Args:
        config: a dict as ``serialize_keras_object`` makes, or a name.
        module_objects: the module's ``{name: class or function}`` table.
        custom_objects: extra ``{name: class or function}`` to look names up in first.
        kind: what is being built, for the messages: "initializer", "regularizer", ...
        example: a config dict written out, shown when ``config`` has the wrong form.
        valid_names: the names listed when a name is unknown (joined with ", ").

    Returns:
        A new object (or the named function).

    Raises:
        ValueError: for an unknown name or a dict without "class_name".
        TypeError: when the config holds arguments the class does not take.
    """
    by_name = isinstance(config, str)
    if by_name:
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise InvalidArgumentError(
            f"Improper config format for {_with_article(kind)}: {config!r}. Expected a name or "
            f"a dict {example}."
        )
    name = config["class_name"]
    cls = get_registered_object(name, custom_objects, module_objects) or registered_by_bare_name(name)
    if cls is None:
        raise InvalidArgumentError(
            f"Unknown {kind}: {name!r}. Valid names are {', '.join(valid_names)} "
            f"(case-sensitive). For {_with_article(kind)} of your own, pass the object itself, "
            "or pass custom_objects={name: YourClass} to deserialize."
        )
    if by_name and not isinstance(cls, type):
        return cls
    args = config.get("config") or {}
    if not isinstance(args, dict):
        raise InvalidArgumentError(
            f"Improper config format for {_with_article(kind)}: the 'config' of {name!r} must be a "
            f"dict of its arguments, got {args!r}. Expected {example}.")
    args = dict(args)
    try:
        return cls.from_config(args) if hasattr(cls, "from_config") else cls(**args)
    except TypeError as exc:
        raise ArgumentTypeError(f"cannot build {kind} {name!r} from config {args!r}: {exc}") from exc


def get_object(
    identifier,
    deserialize: Callable,
    *,
    base_class: type | None,
    what: str,
    hint: str,
    default=None,
    error_class: type[Exception] = InvalidArgumentError,
):
    """Resolve what a layer argument such as ``kernel_initializer=`` can be into an object.

    Args:
        identifier: None, a name or a config dict (passed to ``deserialize``), a class, or
            any callable (returned as is).
        deserialize: the module's ``deserialize(config)``.
        base_class: a class that is a subclass of it is instantiated with its defaults (as
            Keras 3 does); ``object`` instantiates every class, None none (a class is then
            returned as any callable is).
        what: what the identifier names, for the message: "initializer", ...
        hint: the message's second sentence: what to pass instead.
        default: what None resolves to.
        error_class: the exception class raised for an identifier of another kind.

    Returns:
        The object, ``default`` for None.

    Raises:
        ValueError: for an unknown name (from ``deserialize``).
        error_class: for an identifier of another kind.
    """
    if identifier is None:
        return default
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if base_class is not None and isinstance(identifier, type) and issubclass(identifier, base_class):
        return identifier()
    if callable(identifier):
        return identifier
    raise error_class(f"Could not interpret {what} identifier: {identifier!r}. {hint}")


def check_from_config(cls, config, kind: str) -> dict:
    """``config`` for ``cls.from_config``, checked: a dict whose keys ``cls`` takes.

    Raises:
        ArgumentTypeError: (a TypeError, as Keras raises for an unknown argument) if ``config``
            is not a dict, or holds an argument ``cls`` does not take.
    """
    if not isinstance(config, dict):
        raise ArgumentTypeError(
            f"{cls.__name__}.from_config: `config` must be a dict of the {kind}'s arguments "
            f"(get_config()'s result), got {config!r} of type {type(config).__name__}.")
    try:
        inspect.signature(cls).bind(**config)
    except TypeError as exc:
        raise ArgumentTypeError(
            f"{cls.__name__}.from_config: cannot build {_with_article(kind)} from {config!r}: {exc}. "
            f"Pass get_config()'s dict; {cls.__name__} takes {list(inspect.signature(cls).parameters)}."
        ) from exc
    return config
