"""``python -m course grade SUBMISSIONS --out grades.csv``: every exercise graded in isolation.

SUBMISSIONS is a folder with one student tree (a folder or a ``.zip`` of one) per student, named
by the student's id. For each student and each exercise, only that exercise's regions are taken
from the student's tree and pasted into a fresh copy of the reference tree (the repository this
command runs in); the exercise's tests, hidden variants included, run there in a subprocess on
the CPU with a timeout. So a broken ex01 costs nothing in ex07, and an edit outside the regions
changes no grade: it is reported (against the sha256 of the reference-built manifest).

Writes ``grades.csv`` (student, one column per exercise, total), and on request a Markdown feedback
file per student (``--feedback DIR``) and Gradescope's ``results.json`` per student
(``--gradescope DIR``: ``DIR/<student>/results.json``).
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from course.build import build, notebook_outside_hash
from course.exercises import EXERCISES, Exercise
from course.paste import paste_exercise
from course.regions import BEGIN_EXERCISE, END_EXERCISE, RegionError, marked_spans, outside_text
from course.runner import TestResult, fmt, run_tests, score
from course.tree import MANIFEST, project_files, regions_by_file, select, sha256_file, sha256_text

DEFAULT_TIMEOUT = 300.0


@dataclass
class ExerciseGrade:
    """One exercise of one student: the points earned, each test's result, what stopped grading."""

    exercise: Exercise
    earned: float = 0.0
    results: list[TestResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class StudentGrade:
    """One student: a grade per exercise, and the edits outside the regions (reported, not graded)."""

    student: str
    exercises: dict[str, ExerciseGrade] = field(default_factory=dict)
    outside_edits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(grade.earned for grade in self.exercises.values())


def find_tree(folder: Path) -> Path | None:
    """The student tree in a submission folder: itself, or the one folder inside it that holds one."""
    candidates = [folder] + sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "__MACOSX")
    for marker in (MANIFEST, "course/exercises.py", "minigrad"):
        for candidate in candidates:
            if (candidate / marker).exists():
                return candidate
    return None


def unpack(submissions: Path, scratch: Path) -> list[tuple[str, Path | None]]:
    """``(student id, tree or None)`` per submission: folders as they are, zips extracted into ``scratch``."""
    found = []
    for entry in sorted(Path(submissions).iterdir()):
        if entry.is_dir():
            found.append((entry.name, find_tree(entry)))
        elif entry.suffix == ".zip":
            target = scratch / "unzipped" / entry.stem
            with zipfile.ZipFile(entry) as archive:
                archive.extractall(target)  # extractall drops absolute paths and ".." parts
            found.append((entry.stem, find_tree(target)))
    return found


def _outside_digest(path: Path, name: str, has_regions: bool) -> str:
    if name.endswith(".ipynb"):
        return notebook_outside_hash(path, name)
    if not has_regions:
        return sha256_file(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return sha256_text(outside_text(lines, marked_spans(lines, BEGIN_EXERCISE, END_EXERCISE, name)))


def outside_edits(tree: Path, manifest: dict) -> list[str]:
    """The files of ``tree`` that differ from ``manifest`` outside the exercise regions."""
    region_files = {name for entry in manifest["exercises"].values() for name in entry["files"]}
    edits = []
    for name, digest in sorted(manifest["files"].items()):
        path = tree / name
        if not path.is_file():
            edits.append(f"{name}: deleted")
            continue
        try:
            same = _outside_digest(path, name, name in region_files) == digest
        except (RegionError, UnicodeDecodeError, ValueError) as error:
            edits.append(f"{name}: exercise markers broken ({error})")
            continue
        if not same:
            edits.append(f"{name}: changed outside the exercise regions")
    added = set(project_files(tree)) - set(manifest["files"]) - {MANIFEST}
    edits.extend(f"{name}: added" for name in sorted(added))
    return edits


class Grader:
    """Grades submissions against the reference tree at ``root`` (see the module docstring)."""

    def __init__(self, root: Path, scratch: Path, seed: int = 0, timeout: float = DEFAULT_TIMEOUT):
        self.root, self.scratch, self.seed, self.timeout = Path(root), Path(scratch), seed, timeout
        self.pristine = self.scratch / "reference"
        for name in project_files(self.root):
            (self.pristine / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.root / name, self.pristine / name)
        self.specs = regions_by_file()
        self._manifests: dict[tuple[str, ...], dict] = {}

    def manifest(self, exercise_ids: tuple[str, ...]) -> dict:
        """The manifest of the student tree built with these exercises (built once, from the reference)."""
        if exercise_ids not in self._manifests:
            out = Path(tempfile.mkdtemp(prefix="manifest-", dir=self.scratch))
            self._manifests[exercise_ids] = build(self.root, out, list(exercise_ids))
            shutil.rmtree(out)
        return self._manifests[exercise_ids]

    def grade_exercise(self, tree: Path, exercise: Exercise) -> ExerciseGrade:
        """Paste the student's regions of ``exercise`` into a fresh reference copy and run its tests."""
        grade = ExerciseGrade(exercise)
        copy = Path(tempfile.mkdtemp(prefix=f"{exercise.id}-", dir=self.scratch)) / "tree"
        try:
            shutil.copytree(self.pristine, copy)
            for name, specs in self.specs.items():
                mine = [(exercise_id, spec) for exercise_id, spec in specs if exercise_id == exercise.id]
                if mine:
                    grade.problems += paste_exercise(self.root / name, tree / name, copy / name, mine,
                                                     exercise.id, name)
            if grade.problems:
                return grade
            run = run_tests(copy, exercise.tests, hidden=True, seed=self.seed, timeout=self.timeout,
                            cpu_only=True)
            grade.results = run.results
            grade.earned = score(run.results, exercise.points)
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
        return grade

    def grade_many(self, submissions: list[tuple[str, Path | None]], exercises: tuple[Exercise, ...],
                   jobs: int = 1) -> list[StudentGrade]:
        """Grade each ``(student, tree)``, ``jobs`` exercises at once; a None tree gets 0 everywhere."""
        grades, pending = [], []
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for student, tree in submissions:
                result = StudentGrade(student)
                grades.append(result)
                if tree is None:
                    result.notes.append("no student tree found in the submission "
                                        "(no course/MANIFEST.json, course/exercises.py or minigrad/)")
                    result.exercises = {e.id: ExerciseGrade(e, problems=["no student tree"])
                                        for e in exercises}
                    continue
                known = {e.id for e in EXERCISES}
                built = (tuple(i for i in _built_exercises(tree) if i in known)
                         or tuple(e.id for e in exercises))
                result.outside_edits = outside_edits(tree, self.manifest(built))
                pending += [(result, pool.submit(self.grade_exercise, tree, e)) for e in exercises]
            for result, future in pending:
                grade = future.result()
                result.exercises[grade.exercise.id] = grade
        return grades


def _built_exercises(tree: Path) -> tuple[str, ...]:
    """The exercises the student's tree was built with (its manifest), () when it has none."""
    try:
        manifest = json.loads((tree / MANIFEST).read_text(encoding="utf-8"))
        return tuple(sorted(manifest["exercises"]))
    except (OSError, ValueError, KeyError):
        return ()


def write_csv(path: Path, grades: list[StudentGrade], exercises: tuple[Exercise, ...]) -> None:
    """``student, ex01, ..., total``: one row per student."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *(e.id for e in exercises), "total"])
        for grade in grades:
            writer.writerow([grade.student, *(fmt(grade.exercises[e.id].earned) for e in exercises),
                             fmt(grade.total)])


def grade_all(root: Path, submissions: Path, out: Path, *, feedback: Path | None = None,
              gradescope: Path | None = None, seed: int = 0, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT,
              only=None, log=print) -> list[StudentGrade]:
    """Grade every submission; write the CSV and, on request, feedback and Gradescope files."""
    from course.feedback import write_feedback, write_gradescope

    exercises = select(only)
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        grader = Grader(root, Path(scratch), seed=seed, timeout=timeout)
        grades = grader.grade_many(unpack(Path(submissions), Path(scratch)), exercises, jobs=jobs)
    for grade in grades:
        count = len(grade.outside_edits)
        edits = f"; {count} edit(s) outside the regions, not graded" if count else ""
        log(f"{grade.student}: {fmt(grade.total)}/{sum(e.points for e in exercises)}{edits}")
    write_csv(Path(out), grades, exercises)
    for grade in grades:
        if feedback is not None:
            write_feedback(Path(feedback), grade, seed)
        if gradescope is not None:
            write_gradescope(Path(gradescope), grade)
    return grades
