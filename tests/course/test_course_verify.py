"""``python -m course verify`` on the toy project: each check, and the defects it must catch.

CI runs it on this repository's own table beside the suite (``.ci/run``: ``pytest && python -m
course verify``), since it runs the engine's and the layers' tests again in the student tree.
"""

from __future__ import annotations

import re

from course_toy import run_course, write_toy_project


def test_verify_passes_on_the_toy_project(toy_project):
    result = run_course(toy_project, "verify", "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for letter in "abcde":
        assert any(line.startswith(f"({letter}) ") and ": ok [" in line for line in lines), result.stdout
    assert "(a) exercise tests fail with their stub: ok" in result.stdout
    assert "- 8 tests: 8 stop at their own stub, 0 at the stub of an exercise theirs depends on" \
        in result.stdout
    # test_import_time.py calls square (ex01) while collected: it fails alone, through the stub
    assert ("tests: 2 tests of no exercise: 1 pass or skip, 1 fail only by reaching a stub "
            "(they use exercise code), 0 fail otherwise") in result.stdout
    assert re.search(r"verify: passed in [\d.]+ s \(4 exercises, 26 points\)", result.stdout)


def test_verify_catches_a_missing_doc_a_test_that_cannot_fail_a_leak_and_a_broken_test(tmp_path):
    root = write_toy_project(tmp_path / "reference")
    (root / "tests" / "course_exercises" / "test_ex03_indent.py").write_text(
        "from pkg.ops import clipped_increment\n\n\n"
        "def test_negative():\n    assert clipped_increment(-1) == 0\n")
    (root / "course" / "exercises" / "ex01.md").write_text("# ex01\n\nThe answer: `return x * x`\n")
    (root / "course" / "exercises" / "ex02.md").unlink()
    (root / "tests" / "test_source.py").write_text(  # a test of no exercise that the stubs break
        "def test_reads_the_source():\n"
        "    assert 'bump = 1' in open('pkg/ops.py').read(), 'pkg/ops.py lost its bump'\n")
    result = run_course(root, "verify", "--jobs", "2")
    assert result.returncode == 1
    out = result.stdout
    assert "ex02: its document course/exercises/ex02.md does not exist" in out
    assert ("tests/course_exercises/test_ex03_indent.py::test_negative passes in the student tree "
            "(a test that cannot fail)") in out
    assert "course/exercises/ex01.md:3: line of ex01's solution: 'return x * x'" in out
    assert ("ex03: the untouched student tree earns 5: "
            "tests/course_exercises/test_ex03_indent.py::test_negative") in out
    assert "1 fail otherwise" in out
    assert "tests/test_source.py::test_reads_the_source: pkg/ops.py lost its bump" in out
    assert "verify: FAILED" in out

