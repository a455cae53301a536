"""The student-edition builder: stubs in place of every kind of region, markers renamed, the manifest."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import nbformat
import pytest
from course_toy import run_course

from course.build import _build_notebook
from course.regions import RegionError, reference_spans

STUB = 'raise NotImplementedError("{id}: {task} - see course/exercises/{id}.md")'


def _student_ops(toy_student) -> str:
    return (toy_student / "pkg" / "ops.py").read_text(encoding="utf-8")


def test_whole_function_region_keeps_signature_and_docstring(toy_student):
    expected = (
        'def square(x):\n'
        '    """x squared."""\n'
        '    ### BEGIN EXERCISE ex01\n'
        f'    {STUB.format(id="ex01", task="square a number")}\n'
        '    ### END EXERCISE ex01\n'
    )
    assert expected in _student_ops(toy_student)
    assert "# the product of x with itself" not in _student_ops(toy_student)  # a comment of the body goes too


def test_region_in_a_nested_function(toy_student):
    expected = (
        '    def double(v):\n'
        '        """Twice v."""\n'
        '        ### BEGIN EXERCISE ex02\n'
        f'        {STUB.format(id="ex02", task="the nested doubling helper")}\n'
        '        ### END EXERCISE ex02\n'
        '\n'
        '    return sum(double(v) for v in values)\n'
    )
    assert expected in _student_ops(toy_student)


def test_decorated_method_keeps_its_decorators(toy_student):
    expected = (
        '    @staticmethod\n'
        '    @deco\n'
        '    def apply(x, factor):\n'
        '        """x squared, times factor (uses ex01\'s square)."""\n'
        '        ### BEGIN EXERCISE ex04\n'
        f'        {STUB.format(id="ex04", task="scale by a factor")}\n'
        '        ### END EXERCISE ex04\n'
    )
    assert expected in _student_ops(toy_student)


def test_marked_region_with_unusual_indentation(toy_student):
    expected = (
        '    if x > 0:\n'
        '       ### BEGIN EXERCISE ex03\n'
        f'       {STUB.format(id="ex03", task="the clipped increment")}\n'
        '       ### END EXERCISE ex03\n'
        '    return total\n'
    )
    text = _student_ops(toy_student)
    assert expected in text
    assert "bump" not in text and "SOLUTION" not in text


def test_stub_raises_its_message(toy_student):
    result = subprocess.run([sys.executable, "-c", "from pkg.ops import square; square(2)"], cwd=toy_student,
                            capture_output=True, text=True)
    last = result.stderr.strip().splitlines()[-1]
    assert last == "NotImplementedError: ex01: square a number - see course/exercises/ex01.md"


def test_manifest_line_ranges_and_hashes(toy_student):
    manifest = json.loads((toy_student / "course" / "MANIFEST.json").read_text(encoding="utf-8"))
    ranges = {exercise_id: entry["files"]["pkg/ops.py"]["regions"]
              for exercise_id, entry in manifest["exercises"].items()}
    assert ranges == {"ex01": [[8, 10]], "ex02": [[18, 20]], "ex03": [[41, 43]], "ex04": [[32, 34]]}
    lines = _student_ops(toy_student).splitlines(keepends=True)
    for exercise_id, [[first, last]] in ranges.items():
        assert lines[first - 1].strip() == f"### BEGIN EXERCISE {exercise_id}"
        assert lines[last - 1].strip() == f"### END EXERCISE {exercise_id}"
    outside = "".join(line for number, line in enumerate(lines, start=1) if number not in (9, 19, 33, 42))
    digest = hashlib.sha256(outside.encode()).hexdigest()
    assert manifest["files"]["pkg/ops.py"] == digest
    assert manifest["exercises"]["ex03"]["files"]["pkg/ops.py"]["outside_sha256"] == digest
    util = (toy_student / "pkg" / "util.py").read_bytes()
    assert manifest["files"]["pkg/util.py"] == hashlib.sha256(util).hexdigest()
    assert manifest["exercises"]["ex04"]["points"] == 6


def test_only_stubs_the_named_exercises(toy_project, tmp_path):
    result = run_course(toy_project, "build", "--out", str(tmp_path / "s"), "--only", "ex03")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "s" / "pkg" / "ops.py").read_text(encoding="utf-8")
    assert "    return x * x\n" in text  # ex01 keeps its code
    assert "ex03: the clipped increment" in text
    assert "SOLUTION" not in text  # ex03 is stubbed; no other block has markers here
    manifest = json.loads((tmp_path / "s" / "course" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert list(manifest["exercises"]) == ["ex03"]


def test_build_refuses_a_folder_with_files(toy_project, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = run_course(toy_project, "build", "--out", str(tmp_path))
    assert result.returncode != 0
    assert f"{tmp_path} is not empty; give --out a new or empty folder" in result.stderr


def test_missing_function_is_named():
    lines = ["def f(x):\n", "    return x\n"]
    with pytest.raises(RegionError, match=r"a\.py: no function or class 'g' on the path 'g'"):
        reference_spans(lines, [("ex09", "a.py::g")], "a.py")


def test_overlapping_regions_are_refused():
    lines = ["def f(x):\n", "    ### BEGIN SOLUTION ex02\n", "    y = x\n", "    ### END SOLUTION\n",
             "    return y\n"]
    with pytest.raises(RegionError, match="regions of ex01 .* and ex02 .* overlap"):
        reference_spans(lines, [("ex01", "a.py::f"), ("ex02", "a.py#ex02")], "a.py")


def test_notebook_solution_cell_is_stripped(tmp_path):
    notebook = nbformat.v4.new_notebook()
    source = "x = 2\n### BEGIN SOLUTION ex05\nloss = x ** 2\n### END SOLUTION\nprint(loss)"
    notebook.cells = [nbformat.v4.new_markdown_cell("Fill in the loss."), nbformat.v4.new_code_cell(source)]
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    nbformat.write(notebook, tmp_path / "nb.ipynb")
    regions, _ = _build_notebook(tmp_path / "nb.ipynb", tmp_path / "out.ipynb", [("ex05", "nb.ipynb#ex05")],
                                 "nb.ipynb", {"ex05": "ex05: the loss - see course/exercises/ex05.md"})
    cell = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[1]
    assert cell.source == ('x = 2\n### BEGIN EXERCISE ex05\n'
                           'raise NotImplementedError("ex05: the loss - see course/exercises/ex05.md")\n'
                           '### END EXERCISE ex05\nprint(loss)')
    assert cell.outputs == []
    assert regions == {"ex05": [{"cell": 1, "lines": [2, 4]}]}
