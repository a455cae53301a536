"""Every differentiable op is gradient-checked.

Each ``tests/**/test_ops_*.py`` and ``tests/**/test_nn_*.py`` module defines
``GRADCHECKS``, a list of ``(op_name, f, inputs)`` (plain tuples or
``pytest.param(...)``) that its ``test_gradcheck`` runs through
``minigrad.gradcheck``. Here we union their op names and compare them with
``minigrad.ops.base.REGISTRY``: a differentiable op without an entry, or an
entry naming no registered op, fails the suite by name.
"""

import importlib
import pkgutil

import pytest
from gradcheck_tables import PATTERNS, TESTS, gradcheck_modules, values

import minigrad
import minigrad.ops
from minigrad.ops.base import REGISTRY


def _import_every_op_module() -> None:
    """Import all of minigrad.ops (and minigrad.nn) so every Op class has registered itself."""
    for info in pkgutil.walk_packages(minigrad.ops.__path__, "minigrad.ops."):
        importlib.import_module(info.name)
    importlib.import_module("minigrad.nn")


def _is_test_only(cls) -> bool:
    return cls.__module__.rpartition(".")[2].startswith("test_")


@pytest.fixture(scope="module")
def modules():
    _import_every_op_module()
    found = gradcheck_modules()
    assert found, f"no {' or '.join(PATTERNS)} modules found under {TESTS}"
    return found


def test_every_op_test_module_defines_gradchecks(modules):
    missing = [m.__name__ for m in modules if not isinstance(getattr(m, "GRADCHECKS", None), list)]
    assert not missing, (
        f"these test modules define no GRADCHECKS list: {missing}. Add a module-level "
        "GRADCHECKS = [(op_name, f, inputs), ...] and a test_gradcheck parametrized over it "
        "(an empty list if the module tests no differentiable op)."
    )


def test_entries_are_well_formed(modules):
    bad = []
    for m in modules:
        for k, entry in enumerate(getattr(m, "GRADCHECKS", [])):
            v = values(entry)
            if not (len(v) == 3 and isinstance(v[0], str) and callable(v[1])
                    and isinstance(v[2], (list, tuple))):
                bad.append(f"{m.__name__}.GRADCHECKS[{k}]")
    assert not bad, f"entries that are not (op_name: str, f: callable, inputs: list): {bad}"


def test_every_differentiable_op_has_a_gradcheck(modules):
    checked = {values(e)[0] for m in modules for e in getattr(m, "GRADCHECKS", [])}
    needed = {name for name, cls in REGISTRY.items() if cls.differentiable and not _is_test_only(cls)}
    missing = sorted(needed - checked)
    assert not missing, (
        f"differentiable ops with no gradient check: {missing}. Add an entry "
        "(op_name, f, inputs) to the GRADCHECKS list of the test_ops_*.py / test_nn_*.py "
        "module that tests the op (or mark the op differentiable = False if it has no gradient)."
    )


def test_every_gradcheck_names_a_registered_op(modules):
    unknown = sorted({
        f"{values(e)[0]!r} (in {m.__name__})"
        for m in modules for e in getattr(m, "GRADCHECKS", []) if values(e)[0] not in REGISTRY
    })
    assert not unknown, (
        f"GRADCHECKS entries name ops that are not registered: {unknown}. Use the op's "
        "registered name (the `name` of its Op class in minigrad.ops.base.REGISTRY)."
    )


def test_the_registry_is_what_minigrad_exports():
    # a sanity check that importing the ops filled the registry with the basic table
    _import_every_op_module()
    for name in ("add", "multiply", "exp", "sum", "reshape", "matmul"):
        assert name in REGISTRY
    assert not REGISTRY["greater"].differentiable
    assert minigrad.ops.base.REGISTRY is REGISTRY
