"""The GRADCHECKS tables of the op test modules, found and loaded in one place.

Each ``tests/**/test_ops_*.py`` and ``tests/**/test_nn_*.py`` module defines ``GRADCHECKS``,
a list of ``(op_name, f, inputs)`` (plain tuples or ``pytest.param(...)``).
``test_completeness.py`` checks that every differentiable op has an entry and
``test_devices_agree.py`` runs every entry on each device; both read them through here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
PATTERNS = ("test_ops_*.py", "test_nn_*.py")


def load(path: Path):
    """The test module at ``path``, reusing the one pytest imported (same name, same file)."""
    module = sys.modules.get(path.stem)
    if module is not None and Path(getattr(module, "__file__", "")).resolve() == path:
        return module
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def gradcheck_modules() -> list:
    """Every op test module, sorted by path."""
    paths = sorted({p.resolve() for pattern in PATTERNS for p in TESTS.rglob(pattern)})
    return [load(p) for p in paths]


def values(entry) -> tuple:
    """A GRADCHECKS entry's ``(op_name, f, inputs)``, whether a tuple or a pytest.param."""
    return tuple(entry.values) if hasattr(entry, "marks") else tuple(entry)
