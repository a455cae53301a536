"""layers/ reaches the engine through minigrad's public API only (DESIGN.md: ``layers ->
minigrad``'s public API, never ``minigrad.ops``, ``minigrad.kernels``, ``minigrad.backend``
or ``minigrad.tensor``).

Two ways in are checked with ``ast`` in every module of ``layers/``: imports (``import
minigrad.X``, ``from minigrad.X import y``, ``from minigrad import X`` where ``X`` is a
module) must name a public module, and attribute chains on the package (``mg.ops.conv``,
``mg.backend.check_device``, ``mg.tensor.as_tensor``) must not walk into a private one.
``mg.tensor(...)``, the public function, is fine.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAYERS_DIR = REPO / "layers"

# The one list of minigrad's public modules: the package (``import minigrad as mg``) and the
# modules README's layout paragraph documents for users. Everything else under minigrad/ (ops,
# kernels, backend, tensor, variable, tape, state, creation, ...) is reached through the
# package's names (mg.Tensor, mg.as_tensor, mg.array_module, mg.zeros, ...).
PUBLIC_MODULES = frozenset({
    "minigrad", "minigrad.nn", "minigrad.errors", "minigrad.random", "minigrad.validation",
    "minigrad.losses", "minigrad.metrics", "minigrad.optimizers", "minigrad.schedules",
    "minigrad.datasets", "minigrad.gradcheck", "minigrad.distributed", "minigrad.data_parallel",
    "minigrad.pytorch_habits", "minigrad.cpu_threads",
})
# attributes of the package that are private modules; "tensor" only as a module (mg.tensor.x),
# since mg.tensor(...) is the public function that shadows it
PRIVATE_PACKAGE_ATTRIBUTES = ("ops", "backend", "kernels", "tensor")

# files allowed to break the rule: none (kept so a temporary exception has one visible place)
KNOWN_ELSEWHERE: frozenset = frozenset()


def _is_private_module(name: str) -> bool:
    return name.split(".")[0] == "minigrad" and name not in PUBLIC_MODULES


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def private_engine_uses(source: str) -> list[str]:
    """``line N: what`` for each way ``source`` reaches a non-public minigrad module."""
    tree = ast.parse(source)
    package_names = {"minigrad", "mg"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "minigrad":
                    package_names.add(alias.asname or "minigrad")
                elif _is_private_module(alias.name):
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_private_module(node.module):
                found.append(f"line {node.lineno}: from {node.module} import ...")
            elif node.module == "minigrad":
                found += [f"line {node.lineno}: from minigrad import {a.name}" for a in node.names
                          if _is_private_module(f"minigrad.{a.name}") and _is_module(f"minigrad.{a.name}")]
    reported = set()  # the inner mg.X of an mg.X.y already reported as a whole
    attributes = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    for node in attributes:  # mg.X.y, X a private module (mg.tensor.y too)
        inner = node.value
        if (isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name)
                and inner.value.id in package_names and inner.attr in PRIVATE_PACKAGE_ATTRIBUTES):
            found.append(f"line {node.lineno}: {inner.value.id}.{inner.attr}.{node.attr}")
            reported.add(id(inner))
    for node in attributes:  # a bare mg.ops / mg.backend / mg.kernels (mg.tensor is the function)
        if (id(node) not in reported and isinstance(node.value, ast.Name)
                and node.value.id in package_names and node.attr in ("ops", "backend", "kernels")):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return sorted(set(found), key=lambda s: int(s.split(":")[0].split()[1]))


def test_the_finder_finds_every_way_in():
    source = (
        "import minigrad as mg\n"
        "from minigrad.ops.conv import conv2d_nhwc\n"
        "from minigrad import backend, nn, Tensor\n"
        "import minigrad.kernels.cpu\n"
        "device = mg.backend.check_device('cpu')\n"
        "t = mg.tensor.as_tensor(1.0)\n"
        "x = mg.tensor([1.0])\n"
        "ops = mg.ops\n"
    )
    assert private_engine_uses(source) == [
        "line 2: from minigrad.ops.conv import ...",
        "line 3: from minigrad import backend",
        "line 4: import minigrad.kernels.cpu",
        "line 5: mg.backend.check_device",
        "line 6: mg.tensor.as_tensor",
        "line 8: mg.ops",
    ]
    public = ("import minigrad as mg\nfrom minigrad.errors import InvalidArgumentError\n"
              "from minigrad import nn, random\ny = mg.nn.dense(mg.tensor([[1.0]]), mg.ones((1, 1)))\n")
    assert private_engine_uses(public) == []


def test_the_public_modules_exist():
    missing = sorted(name for name in PUBLIC_MODULES if not _is_module(name))
    assert not missing, f"PUBLIC_MODULES names modules that do not exist: {missing}"


LAYER_FILES = sorted(LAYERS_DIR.rglob("*.py"))


def test_there_are_layer_modules():
    assert LAYERS_DIR / "core.py" in LAYER_FILES and LAYERS_DIR / "convolutional.py" in LAYER_FILES


def test_layers_use_only_the_public_engine_api():
    offenders = []
    for path in LAYER_FILES:
        if path.relative_to(LAYERS_DIR).as_posix() in KNOWN_ELSEWHERE:
            continue
        for use in private_engine_uses(path.read_text()):
            line, what = use.removeprefix("line ").split(": ", 1)
            offenders.append(f"{path.relative_to(REPO)}:{line} {what}")
    assert not offenders, (
        "layers/ reaches into minigrad's private modules:\n  " + "\n  ".join(offenders) + "\n"
        "Use the public API (import minigrad as mg; mg.nn, mg.random, mg.errors, mg.validation, ...); "
        "if layers need something only a private module has, expose it in minigrad/__init__.py "
        "with a docstring."
    )


@pytest.mark.parametrize("name", ["minigrad.ops", "minigrad.backend", "minigrad.tensor", "minigrad.kernels"])
def test_the_engine_inside_is_not_public(name):
    assert name not in PUBLIC_MODULES
