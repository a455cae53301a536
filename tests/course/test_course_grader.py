"""The grader: exercises graded in isolation, zips, hidden variants by seed, outside edits, timeouts."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from course_toy import run_course

from course.exercises import by_id
from course.regions import BEGIN_EXERCISE, END_EXERCISE, marked_spans, reference_spans, split_spec

SOLUTIONS = {
    "ex01": "    return x * x\n",
    "ex02": "        return v + v\n",
    "ex03": "       total = x + 1\n",
    "ex04": "        return square(x) * factor\n",
}


def solve(tree, exercise_id: str, code: str) -> None:
    """Put ``code`` between the EXERCISE markers of ``exercise_id`` in the tree's pkg/ops.py."""
    path = tree / "pkg" / "ops.py"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip() == f"### BEGIN EXERCISE {exercise_id}")
    end = next(i for i, line in enumerate(lines) if line.strip() == f"### END EXERCISE {exercise_id}")
    lines[begin + 1:end] = [code]
    path.write_text("".join(lines), encoding="utf-8")


def _rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def graded(toy_project, toy_student, tmp_path_factory):
    """alice (folder): ex01 wrong, ex02 and ex04 right, ex03 untouched, an edit in pkg/util.py;
    bob (zip with a top folder): everything right; carol (folder): the untouched student tree."""
    base = tmp_path_factory.mktemp("grading")
    submissions = base / "submissions"
    alice = submissions / "alice"
    shutil.copytree(toy_student, alice)
    solve(alice, "ex01", "    return x + x\n")  # right only at x = 2 (the hidden variant's input at seed 0)
    solve(alice, "ex02", SOLUTIONS["ex02"])
    solve(alice, "ex04", SOLUTIONS["ex04"])
    util = alice / "pkg" / "util.py"
    util.write_text(util.read_text().replace("changes nothing", "changes nothing at all"))
    bob = base / "bob-tree"
    shutil.copytree(toy_student, bob)
    for exercise_id, code in SOLUTIONS.items():
        solve(bob, exercise_id, code)
    with zipfile.ZipFile(submissions / "bob.zip", "w") as archive:
        for path in sorted(bob.rglob("*")):
            archive.write(path, path.relative_to(base).as_posix())
    shutil.copytree(toy_student, submissions / "carol")
    result = run_course(toy_project, "grade", str(submissions), "--out", str(base / "grades.csv"),
                        "--feedback", str(base / "feedback"), "--gradescope", str(base / "gradescope"),
                        "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return base, result.stdout


def test_grades_csv(graded):
    base, _ = graded
    assert _rows(base / "grades.csv") == [
        ["student", "ex01", "ex02", "ex03", "ex04", "total"],
        ["alice", "3.33", "5", "0", "6", "14.33"],  # ex04 full although alice's square (ex01) is wrong
        ["bob", "10", "5", "5", "6", "26"],
        ["carol", "0", "0", "0", "0", "0"],
    ]


def test_summary_lines(graded):
    _, stdout = graded
    assert "alice: 14.33/26; 1 edit(s) outside the regions, not graded" in stdout
    assert "bob: 26/26\n" in stdout
    assert "carol: 0/26\n" in stdout


def test_edit_outside_regions_is_reported_not_graded(graded):
    base, _ = graded
    alice = (base / "feedback" / "alice.md").read_text(encoding="utf-8")
    assert "## Edits outside the exercise regions (not graded)" in alice
    assert "- pkg/util.py: changed outside the exercise regions" in alice
    for student in ("bob", "carol"):
        assert "Edits outside" not in (base / "feedback" / f"{student}.md").read_text(encoding="utf-8")


def test_feedback_shows_diagnostics_not_stacks(graded):
    base, _ = graded
    alice = (base / "feedback" / "alice.md").read_text(encoding="utf-8")
    assert "Total: **14.33/26** (hidden variants drawn with seed 0)" in alice
    assert "| ex01 | square a number | 3.33/10 |" in alice
    assert "- FAIL `test_square_of_three`: 0/3.33" in alice
    assert "square(3) should be 9, got 6" in alice
    assert "- PASS `test_square_seeded` (hidden variant): 3.33/3.33" in alice
    assert "not implemented yet: the clipped increment (ex03, see course/exercises/ex03.md)" in alice
    assert "Traceback" not in alice and "def test_" not in alice
    carol = (base / "feedback" / "carol.md").read_text(encoding="utf-8")
    assert carol.count("not implemented yet: the clipped increment") == 1
    assert "- FAIL `test_increment_of_five`: 0/2.5 (the same message as above)" in carol


def test_gradescope_results(graded):
    base, _ = graded
    results = json.loads((base / "gradescope" / "alice" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == pytest.approx(14.3333, abs=1e-4)
    by_name = {test["name"]: test for test in results["tests"]}
    assert len(by_name) == 8
    hidden = by_name["ex01 test_square_seeded"]
    assert (hidden["score"], hidden["max_score"], hidden["visibility"]) == (3.3333, 3.3333, "after_published")
    wrong = by_name["ex01 test_square_of_negative"]
    assert (wrong["score"], wrong["visibility"]) == (0, "visible")
    assert "square(-2) should be 4, got -4" in wrong["output"]
    assert "pkg/util.py: changed outside the exercise regions" in results["output"]


def test_hidden_variants_follow_the_seed(graded, toy_project):
    base, _ = graded
    out = base / "seed1.csv"
    result = run_course(toy_project, "grade", str(base / "submissions"), "--out", str(out), "--seed", "1",
                        "--only", "ex01")
    assert result.returncode == 0, result.stderr
    # at seed 1 the hidden variant squares 3, where x + x is wrong too
    assert _rows(out) == [["student", "ex01", "total"], ["alice", "0", "0"], ["bob", "10", "10"],
                          ["carol", "0", "0"]]


def test_endless_loop_times_out(toy_project, toy_student, tmp_path):
    dave = tmp_path / "submissions" / "dave"
    shutil.copytree(toy_student, dave)
    solve(dave, "ex02", "        while True:\n            pass\n")
    out = tmp_path / "grades.csv"
    result = run_course(toy_project, "grade", str(tmp_path / "submissions"), "--out", str(out),
                        "--only", "ex02", "--timeout", "4", "--feedback", str(tmp_path / "fb"))
    assert result.returncode == 0, result.stderr
    assert _rows(out) == [["student", "ex02", "total"], ["dave", "0", "0"]]
    assert "did not finish: the tests ran past the 4 s limit" in (tmp_path / "fb" / "dave.md").read_text()


def test_deleted_markers_of_a_marked_region_are_explained(toy_project, toy_student, tmp_path):
    erin = tmp_path / "submissions" / "erin"
    shutil.copytree(toy_student, erin)
    ops = erin / "pkg" / "ops.py"
    ops.write_text(ops.read_text().replace("       ### END EXERCISE ex03\n", ""))
    result = run_course(toy_project, "grade", str(tmp_path / "submissions"), "--out", str(tmp_path / "g.csv"),
                        "--only", "ex03", "--feedback", str(tmp_path / "fb"))
    assert result.returncode == 0, result.stderr
    feedback = (tmp_path / "fb" / "erin.md").read_text()
    assert "could not grade: pkg/ops.py: the code of ex03 cannot be found" in feedback
    assert "BEGIN marker of ex03 is never closed" in feedback
    assert _rows(tmp_path / "g.csv")[1] == ["erin", "0", "0"]


# -- the real exercise table ---------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def fill_with_reference(tree: Path, exercise) -> None:
    """Write the reference's code of ``exercise`` between its EXERCISE markers in ``tree``."""
    by_file = {}
    for spec in exercise.regions:
        by_file.setdefault(split_spec(spec)[0], []).append((exercise.id, spec))
    for name, specs in by_file.items():
        reference = (ROOT / name).read_text(encoding="utf-8").splitlines(keepends=True)
        ours = reference_spans(reference, specs, name)
        path = tree / name
        student = path.read_text(encoding="utf-8").splitlines(keepends=True)
        theirs = marked_spans(student, BEGIN_EXERCISE, END_EXERCISE, name, exercise.id)
        assert len(ours) == len(theirs)
        for our, their in reversed(list(zip(ours, theirs))):
            student[their.first - 1:their.last] = reference[our.first - 1:our.last]
        path.write_text("".join(student), encoding="utf-8")


def test_real_table_a_broken_ex01_costs_nothing_in_ex07(tmp_path):
    student = tmp_path / "submissions" / "stu"
    built = subprocess.run([sys.executable, "-m", "course", "build", "--out", str(student),
                            "--only", "ex01,ex07"], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    fill_with_reference(student, by_id("ex07"))
    elementwise = student / "minigrad" / "ops" / "elementwise.py"
    text = elementwise.read_text(encoding="utf-8")
    stub = 'raise NotImplementedError("ex01: '
    start = text.index(stub)
    end = text.index("\n", start)
    elementwise.write_text(text[:start] + "return g *" + text[end:], encoding="utf-8")  # a syntax error
    env = {**os.environ, "PYTHONPATH": str(student)}
    own = subprocess.run([sys.executable, "-m", "course", "check", "ex07"], cwd=student, env=env,
                         capture_output=True, text=True)
    assert "public: 0/" in own.stdout  # in the student's own tree, nothing imports
    out = tmp_path / "grades.csv"
    graded = subprocess.run([sys.executable, "-m", "course", "grade", str(tmp_path / "submissions"), "--out",
                             str(out), "--only", "ex01,ex07", "--feedback", str(tmp_path / "fb")],
                            cwd=ROOT, capture_output=True, text=True)
    assert graded.returncode == 0, graded.stderr
    assert _rows(out) == [["student", "ex01", "ex07", "total"], ["stu", "0", "10", "10"]]
    assert "SyntaxError" in (tmp_path / "fb" / "stu.md").read_text(encoding="utf-8")


def test_grade_refuses_to_run_in_a_student_tree(toy_student, tmp_path):
    result = run_course(toy_student, "grade", str(tmp_path), "--out", str(tmp_path / "g.csv"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"python -m course grade: {toy_student} is a student tree (it has "
                                     "course/MANIFEST.json); run `python -m course grade` in the reference "
                                     "repository")
