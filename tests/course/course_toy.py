"""A toy project with its own exercise table, to test the course machinery on known regions.

``toy_project`` writes, in a temporary folder, a package ``pkg`` whose functions hold the regions
the builder must handle (a plain function, a function nested in another, a decorated static method,
a marked block with unusual indentation), the tests of four exercises, and a copy of the ``course``
package whose ``exercises.py`` holds the toy table. The course commands then run in it as
``python -m course ...``, as a teacher would run them.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

COURSE = Path(__file__).resolve().parents[2] / "course"

PKG_OPS = '''\
"""Toy ops with exercise regions of every kind."""

from pkg.util import deco


def square(x):
    """x squared."""
    # the product of x with itself
    return x * x


def doubled_sum(values):
    """The sum of 2 v over ``values``, through a nested helper."""

    def double(v):
        """Twice v."""
        return v + v

    return sum(double(v) for v in values)


class Scale:
    """Scaling."""

    @staticmethod
    @deco
    def apply(x, factor):
        """x squared, times factor (uses ex01's square)."""
        return square(x) * factor


def clipped_increment(x):
    """x + 1 for positive x, else 0."""
    total = 0
    if x > 0:
       {BEGIN} ex03
       bump = 1
       total = x + bump
       {END}
    return total
'''

PKG_UTIL = '''\
"""A decorator that changes nothing."""


def deco(function):
    """Return ``function``."""
    return function
'''

TESTS = {
    "tests/course_exercises/test_ex01_square.py": '''\
        import pytest

        from pkg.ops import square


        def test_square_of_three():
            assert square(3) == 9, f"square(3) should be 9, got {square(3)}"


        def test_square_of_negative():
            assert square(-2) == 4, f"square(-2) should be 4, got {square(-2)}"


        @pytest.mark.hidden
        def test_square_seeded(course_seed):
            x = course_seed + 2
            assert square(x) == x * x, f"square({x}) is wrong"
    ''',
    "tests/course_exercises/test_ex02_nested.py": '''\
        from pkg.ops import doubled_sum


        def test_doubled_sum():
            assert doubled_sum([1, 2]) == 6, f"doubled_sum([1, 2]) should be 6, got {doubled_sum([1, 2])}"
    ''',
    "tests/course_exercises/test_ex03_indent.py": '''\
        from pkg.ops import clipped_increment


        def test_increment_of_two():
            assert clipped_increment(2) == 3, "clipped_increment(2) should be 3"


        def test_increment_of_five():
            assert clipped_increment(5) == 6, "clipped_increment(5) should be 6"
    ''',
    "tests/course_exercises/test_ex04_scale.py": '''\
        from pkg.ops import Scale


        def test_scale_apply():
            assert Scale.apply(3, 2) == 18, f"Scale.apply(3, 2) should be 18, got {Scale.apply(3, 2)}"


        def test_scale_apply_negative():
            assert Scale.apply(-1, 5) == 5, "Scale.apply(-1, 5) should be 5"
    ''',
    "tests/test_import_time.py": '''\
        from pkg.ops import square

        SQUARES = [square(2)]  # at import: in the student tree this module cannot be collected


        def test_squares():
            assert SQUARES == [4]
    ''',
    "tests/test_util.py": '''\
        from pkg.util import deco


        def test_deco_returns_its_argument():
            assert deco(len) is len
    ''',
}

TABLE = '''
EXERCISES: tuple[Exercise, ...] = (
    Exercise("ex01", "square a number", ("pkg/ops.py::square",),
             ("tests/course_exercises/test_ex01_square.py",), 10),
    Exercise("ex02", "the nested doubling helper", ("pkg/ops.py::doubled_sum.double",),
             ("tests/course_exercises/test_ex02_nested.py",), 5),
    Exercise("ex03", "the clipped increment", ("pkg/ops.py#ex03",),
             ("tests/course_exercises/test_ex03_indent.py",), 5),
    Exercise("ex04", "scale by a factor", ("pkg/ops.py::Scale.apply",),
             ("tests/course_exercises/test_ex04_scale.py",), 6, depends=("ex01",)),
)
'''


def _toy_table() -> str:
    """The real ``course/exercises.py`` with its ``EXERCISES`` replaced by the toy table."""
    source = (COURSE / "exercises.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    kept = [node for node in tree.body
            if not (isinstance(node, (ast.Assign, ast.AnnAssign)) and "EXERCISES" in ast.unparse(node))]
    lines = source.splitlines()
    pieces = []
    for node in kept:  # from the first decorator: get_source_segment would drop "@dataclass"
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        pieces.append("\n".join(lines[first - 1:node.end_lineno]))
    return "\n\n\n".join(pieces) + "\n" + TABLE


def write_toy_project(root: Path) -> Path:
    """Write the toy project into ``root`` and return it."""
    shutil.copytree(COURSE, root / "course", ignore=shutil.ignore_patterns("__pycache__", "MANIFEST.json",
                                                                           "exercises.py", "exercises"))
    (root / "course" / "exercises.py").write_text(_toy_table(), encoding="utf-8")
    for number in range(1, 5):
        doc = root / "course" / "exercises" / f"ex0{number}.md"
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(f"# ex0{number}\n\nRead the function's docstring.\n", encoding="utf-8")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text('"""Toy package."""\n', encoding="utf-8")
    # the markers are put together here so that this file holds no marker line of its own
    markers = {"{BEGIN}": "### BEGIN " + "SOLUTION", "{END}": "### END " + "SOLUTION"}
    ops = PKG_OPS
    for placeholder, marker in markers.items():
        ops = ops.replace(placeholder, marker)
    (root / "pkg" / "ops.py").write_text(ops, encoding="utf-8")
    (root / "pkg" / "util.py").write_text(PKG_UTIL, encoding="utf-8")
    for name, text in TESTS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "tests" / "conftest.py").write_text('pytest_plugins = ["course.pytest_plugin"]\n')
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
                                         'pythonpath = ["."]\n')
    return root


def run_course(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m course ARGS`` in ``root`` (its own ``course`` package and table)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("COURSE_REPORT", None)
    return subprocess.run([sys.executable, "-m", "course", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout)
