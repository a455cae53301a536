"""Custom classes and functions that a saved config can name: registration and ``custom_objects``.

A config names each class (``"class_name": "MyLayer"``); loading finds it again by that name.
Built-in classes are found in the ``layers`` package; your own are found in one of two ways,
as in Keras 3:

    @layers.saving.register_keras_serializable(package="my_package")
    class MyLayer(layers.Layer): ...            # saved as "registered_name": "my_package>MyLayer"

    layers.load_model("m.keras", custom_objects={"MyLayer": MyLayer})     # or name it on load

Lookup order: ``custom_objects`` given to the call, then those of enclosing
``custom_object_scope`` blocks (innermost first, per thread), then the registered objects
(by registered name), then the built-ins; last, a registered object by its bare name.
"""

from __future__ import annotations

import inspect
import threading

from minigrad.errors import ArgumentTypeError, InvalidArgumentError

_GLOBAL_CUSTOM_OBJECTS: dict = {}  # "package>name" -> class or function
_GLOBAL_CUSTOM_NAMES: dict = {}  # class or function -> "package>name"
_local = threading.local()  # .scopes: the custom_objects dicts of the enclosing scopes


def _check_name_part(argument: str, value, allow_none: bool) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value or ">" in value:
        raise (InvalidArgumentError if isinstance(value, str) else ArgumentTypeError)(
            f"register_keras_serializable: `{argument}` must be a non-empty string without '>' "
            f"(the separator of 'package>name'), got {value!r}. Pass e.g. package='my_package'.")
    return value


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """A decorator that lets saved configs name a class or function (Keras 3's).

    The object is registered as ``"package>name"``; ``layers.load_model`` (and every
    ``from_config`` lookup) then finds it without ``custom_objects``. Registering a name again
    replaces the earlier object (as in Keras 3: re-running a notebook cell is fine).

    Args:
        package: the first part of the registered name ("Custom" by default).
        name: the second part (None: the class's or function's ``__name__``).

    Returns:
        A decorator that registers its argument and returns it unchanged.

    Raises:
        ArgumentTypeError: if ``package`` or ``name`` is not a string, or the decorated object
            is neither a class nor a function.
        InvalidArgumentError: for an empty name or one with '>', or a class without
            ``get_config`` (its configuration could not be saved).
    """
    package = _check_name_part("package", package, allow_none=False)
    name = _check_name_part("name", name, allow_none=True)

    def decorator(obj):
        if not callable(obj) or not hasattr(obj, "__name__"):
            raise ArgumentTypeError(
                f"register_keras_serializable decorates a class or a function, got {obj!r}.")
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise InvalidArgumentError(
                f"Cannot register class {obj.__name__}: it has no get_config() method, so its "
                "configuration cannot be saved. Subclass a layers class or define get_config().")
        registered_name = f"{package}>{name if name is not None else obj.__name__}"
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj
    return decorator


def get_registered_name(obj) -> str:
    """The name ``obj`` is saved under: ``"package>name"`` if registered, else its ``__name__``."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None):
    """The class or function saved as ``name``, or None (Keras's lookup order).

    ``custom_objects``, then the enclosing ``custom_object_scope`` blocks (innermost first),
    then the registered objects, then ``module_objects``.

    Args:
        name: a registered name ("package>MyLayer") or a plain name ("MyLayer").
        custom_objects: ``{name: object}`` given to the call, looked in first.
        module_objects: ``{name: object}`` looked in last (a module's built-ins).
    """
    for table in (custom_objects or {}, *reversed(_scopes()), _GLOBAL_CUSTOM_OBJECTS, module_objects or {}):
        if name in table:
            return table[name]
    return None


def registered_by_bare_name(name: str):
    """The one registered object whose name ends in ``>name`` (None for none or several).

    The last resort of a lookup, after the built-ins: a config written without a registered
    name (by ``to_json`` of an older version, say) still finds a registered class.
    """
    found = [obj for key, obj in _GLOBAL_CUSTOM_OBJECTS.items() if key.split(">", 1)[1] == name]
    return found[0] if len(found) == 1 else None


def get_custom_objects() -> dict:
    """The registry itself: ``{"package>name": object}`` (Keras's ``get_custom_objects``)."""
    return _GLOBAL_CUSTOM_OBJECTS


def _scopes() -> list:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes the names known inside the block.

    Every lookup by name inside the block (``from_config``, ``load_model``, the activation,
    initializer, regularizer and constraint names in a layer's config) sees them. The scope
    belongs to the thread that enters it.

    Args:
        *custom_objects: dicts ``{name: class or function}`` (None entries are skipped).

    Raises:
        ArgumentTypeError: for an argument that is not a dict.
    """

    def __init__(self, *custom_objects):
        for objects in custom_objects:
            if objects is not None and not isinstance(objects, dict):
                raise ArgumentTypeError(
                    f"custom_object_scope takes dicts {{name: class or function}}, got {objects!r}.")
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})

    def __enter__(self):
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc_info) -> None:
        _scopes().pop()


custom_object_scope = CustomObjectScope

__all__ = ["register_keras_serializable", "get_registered_name", "get_registered_object",
           "registered_by_bare_name", "get_custom_objects", "CustomObjectScope", "custom_object_scope"]
