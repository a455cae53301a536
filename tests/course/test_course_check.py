"""``python -m course check``: one line per test, points, the diagnostic without a stack, the summary line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from course_toy import run_course
from test_course_grader import solve

STUB_LINE = "not implemented yet: square a number (ex01, see course/exercises/ex01.md)"


def test_check_an_untouched_exercise(toy_student):
    result = run_course(toy_student, "check", "ex01")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "ex01: square a number (10 pts) - course/exercises/ex01.md",
        f"  FAIL  test_square_of_three     0/5 pts  {STUB_LINE}",
        f"  FAIL  test_square_of_negative  0/5 pts  {STUB_LINE}",
        "public: 0/2 (0/10 pts); 1 hidden variant(s) with other inputs are graded later by "
        "`python -m course grade`",
    ]


def test_check_a_half_right_answer(toy_student, tmp_path):
    tree = tmp_path / "student"
    shutil.copytree(toy_student, tree)
    solve(tree, "ex01", "    return x * abs(x)\n")  # right for x >= 0 only
    result = run_course(tree, "check", "ex01")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1] == "  PASS  test_square_of_three     5/5 pts"
    assert lines[2] == "  FAIL  test_square_of_negative  0/5 pts  square(-2) should be 4, got -4"
    assert lines[3].startswith("public: 1/2 (5/10 pts); 1 hidden variant(s)")
    assert "Traceback" not in result.stdout and "def test_" not in result.stdout
    assert "assert -4 == 4" not in result.stdout  # pytest's introspection would print expected values
    verbose = run_course(tree, "check", "ex01", "-v")
    assert "def test_square_of_negative():" in verbose.stdout  # -v shows the stack


def test_check_a_solved_exercise_without_hidden_variants(toy_student, tmp_path):
    tree = tmp_path / "student"
    shutil.copytree(toy_student, tree)
    solve(tree, "ex02", "        return v + v\n")
    result = run_course(tree, "check", "ex02")
    assert result.returncode == 0
    assert result.stdout.splitlines()[1:] == ["  PASS  test_doubled_sum  5/5 pts", "public: 1/1 (5/5 pts)"]


def test_check_from_a_notebook(toy_student):
    code = 'from course import check; value = check("ex03"); print("returned", value)'
    env = {**os.environ, "PYTHONPATH": str(toy_student)}
    result = subprocess.run([sys.executable, "-c", code], cwd=toy_student, env=env, capture_output=True,
                            text=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "ex03: the clipped increment (5 pts) - course/exercises/ex03.md"
    assert lines[-2:] == ["public: 0/2 (0/5 pts)", "returned None"]


def test_unknown_exercise_is_named(toy_student):
    result = run_course(toy_student, "check", "ex99")
    assert result.returncode != 0
    assert "no exercise 'ex99'; the table has: ex01, ex02, ex03, ex04" in result.stderr


def test_plugin_marks_exercise_tests(toy_project):
    env = {**os.environ, "PYTHONPATH": str(toy_project)}
    env.pop("COURSE_REPORT", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    marked = subprocess.run([*command, "-m", "ex01"], cwd=toy_project, env=env, capture_output=True,
                            text=True)
    assert "3 passed, 7 deselected" in marked.stdout
    visible = subprocess.run([*command, "-m", "ex01 and not hidden"], cwd=toy_project, env=env,
                             capture_output=True, text=True)
    assert "2 passed, 8 deselected" in visible.stdout
