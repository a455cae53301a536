"""Every public function and class of ``minigrad`` and ``layers`` has a docstring.

Public means: defined in a public module (a dotted name with no part starting with ``_``, the
rule of ``public_modules()`` in docs/hooks.py, which makes the API pages from the same list), its
own name not starting with ``_``; and, for a public class, every public method, property,
staticmethod and classmethod the class itself defines. A docstring is what ``inspect.getdoc``
finds, so a method that overrides a documented base method inherits its docstring and needs none
(every op's ``forward``/``backward`` inherits ``Op.forward``/``Op.backward``'s).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytest.importorskip("mkdocs", reason="docs/hooks.py (the public-module rule) needs the `test` extra")


def public_modules() -> list[str]:
    """The public modules, by docs/hooks.py's rule (loaded by path, as MkDocs loads it)."""
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks.public_modules()


def _is_member(value) -> bool:
    return inspect.isfunction(value) or isinstance(value, (property, staticmethod, classmethod))


def public_items() -> list[tuple[str, object, type | None]]:
    """(dotted name, object, owning class or None) for every public function, class and member."""
    items = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != module_name:
                continue  # imported here, checked where it is defined
            items.append((f"{module_name}.{name}", obj, None))
            if inspect.isclass(obj):
                items += [(f"{module_name}.{name}.{member}", getattr(obj, member), obj)
                          for member, value in vars(obj).items()
                          if not member.startswith("_") and _is_member(value)]
    return items


def test_every_public_function_and_class_has_a_docstring() -> None:
    """Counts the documented items (printed; run with -s to see it) and lists every offender."""
    items = public_items()
    missing = [dotted for dotted, obj, owner in items if not inspect.getdoc(obj)]
    print(f"\n{len(items) - len(missing)} of {len(items)} public functions, classes and members documented")
    assert len(items) > 1000, f"only {len(items)} public items found: is the module walk broken?"
    assert not missing, (f"{len(missing)} public functions/classes/members have no docstring "
                         "(write one, Keras style: a summary line, then Args/Returns/Raises):\n  "
                         + "\n  ".join(missing))
