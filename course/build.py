"""The student edition: the whole project with every exercise region replaced by a stub, and its manifest.

``python -m course build --out DIR [--only ex01,ex02]`` copies the project to DIR; in each file
that holds regions of the selected exercises, each region becomes

    ### BEGIN EXERCISE exNN
    raise NotImplementedError("exNN: <task> - see course/exercises/exNN.md")
    ### END EXERCISE exNN

indented like the region (a whole-function region keeps its decorators, signature and docstring).
Notebooks get the same treatment cell by cell (their marked cells also lose their outputs).
Regions of exercises left out by ``--only`` keep their code and lose their marker lines.
``DIR/course/MANIFEST.json`` records, per exercise, the files and the student tree's line ranges of
its regions (marker lines included), and for every file of the tree the sha256 of its code outside
the regions, which ``grade`` uses to report edits outside the regions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from course.exercises import Exercise
from course.regions import (
    BEGIN_EXERCISE,
    END_EXERCISE,
    RegionError,
    marked_spans,
    newline_of,
    outside_text,
    reference_spans,
    split_spec,
    stub_lines,
)
from course.tree import MANIFEST, project_files, regions_by_file, select, sha256_file, sha256_text

MANIFEST_FORMAT = 1
CELL_SEPARATOR = "\n# ---- next cell ----\n"


def stub_message(exercise: Exercise) -> str:
    """The stub's NotImplementedError message: ``"exNN: <task> - see <doc>"``."""
    return f"{exercise.id}: {exercise.title} - see {exercise.doc}"


def student_lines(lines: list[str], specs: list[tuple[str, str]], where: str,
                  messages: dict[str, str]) -> list[str]:
    """``lines`` of a reference file with the regions of the exercises in ``messages`` stubbed.

    Args:
        lines: the reference file's lines, with their line endings.
        specs: ``(exercise_id, region spec)`` of every region in this file.
        where: the file's path, for error messages.
        messages: ``{exercise_id: stub message}`` of the exercises to stub; other exercises'
            marked blocks keep their code and lose their marker lines.
    """
    newline = newline_of(lines)
    out = list(lines)
    for span in reversed(reference_spans(lines, specs, where)):
        if span.exercise_id in messages:
            out[span.outer_first - 1:span.outer_last] = stub_lines(
                span.exercise_id, span.indent, messages[span.exercise_id], newline)
        elif span.outer_first != span.first:
            out[span.outer_first - 1:span.outer_last] = lines[span.first - 1:span.last]
    return out


def _regions_entry(spans) -> dict[str, list[list[int]]]:
    ranges: dict[str, list[list[int]]] = {}
    for span in spans:
        ranges.setdefault(span.exercise_id, []).append([span.outer_first, span.outer_last])
    return ranges


def _build_python(text: str, specs, where: str, messages) -> tuple[str, dict, str]:
    """A .py file's student text, its regions ``{exercise_id: [[first, last], ...]}``, its outside hash."""
    new = student_lines(text.splitlines(keepends=True), specs, where, messages)
    spans = marked_spans(new, BEGIN_EXERCISE, END_EXERCISE, where)
    return "".join(new), _regions_entry(spans), sha256_text(outside_text(new, spans))


def _build_notebook(source: Path, target: Path, specs, where: str, messages) -> tuple[dict, str]:
    """Write the student notebook; its regions per cell and the hash of its cells outside the regions."""
    import nbformat

    for _, spec in specs:
        if split_spec(spec)[1] != "marker":
            raise RegionError(f"{where}: a notebook's region must be marked blocks ({where}#exNN), "
                              f"not {spec!r}")
    notebook = nbformat.read(source, as_version=nbformat.NO_CONVERT)
    regions: dict[str, list] = {}
    outside = []
    for index, cell in enumerate(notebook.cells):
        lines = cell.source.splitlines(keepends=True)
        if cell.cell_type == "code" and any("### BEGIN SOLUTION" in line for line in lines):
            new = student_lines(lines, specs, f"{where} cell {index}", messages)
            if lines and not lines[-1].endswith("\n") and new:
                new[-1] = new[-1].rstrip("\r\n")
            cell.source = "".join(new)
            cell.outputs, cell.execution_count = [], None
        spans = marked_spans(cell.source.splitlines(keepends=True), BEGIN_EXERCISE, END_EXERCISE, where)
        for exercise_id, ranges in _regions_entry(spans).items():
            regions.setdefault(exercise_id, []).extend({"cell": index, "lines": r} for r in ranges)
        outside.append(outside_text(cell.source.splitlines(keepends=True), spans))
    nbformat.write(notebook, target)
    return regions, sha256_text(CELL_SEPARATOR.join(outside))


def notebook_outside_hash(path: Path, where: str) -> str:
    """The hash of a student notebook's cells outside its EXERCISE blocks (as the manifest has it)."""
    import nbformat

    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    outside = []
    for cell in notebook.cells:
        lines = cell.source.splitlines(keepends=True)
        outside.append(outside_text(lines, marked_spans(lines, BEGIN_EXERCISE, END_EXERCISE, where)))
    return sha256_text(CELL_SEPARATOR.join(outside))


def _source_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout.strip() or None


def build(root: Path, out: Path, only=None) -> dict:
    """Write the student tree of the reference at ``root`` into ``out``; return its manifest.

    Args:
        root: the reference repository's root.
        out: the folder to write (created; it must not hold files already).
        only: exercise ids to stub ("ex01,ex02" or a list); all exercises when None.

    Raises:
        FileExistsError: ``out`` exists and is not empty.
        RegionError: a region of the table that is missing, malformed or overlapping another.
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; give --out a new or empty folder")
    if (root / MANIFEST).exists():
        raise RegionError(f"{root} is a student tree (it has {MANIFEST}); "
                          "build from the reference repository")
    selected = select(only)
    messages = {exercise.id: stub_message(exercise) for exercise in selected}
    specs_by_file = regions_by_file()
    manifest = {"format": MANIFEST_FORMAT, "source_commit": _source_commit(root),
                "exercises": {e.id: {"title": e.title, "points": e.points, "doc": e.doc,
                                     "tests": list(e.tests), "files": {}} for e in selected},
                "files": {}}
    for name in project_files(root):
        source, target = root / name, out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        specs = specs_by_file.get(name)
        if specs is None:
            shutil.copy2(source, target)
            # a notebook is compared by its cells' sources: running it (outputs) is not an edit
            manifest["files"][name] = notebook_outside_hash(target, name) if name.endswith(".ipynb") \
                else sha256_file(target)
            continue
        if name.endswith(".ipynb"):
            regions, digest = _build_notebook(source, target, specs, name, messages)
        else:
            text, regions, digest = _build_python(source.read_text(encoding="utf-8"), specs, name, messages)
            target.write_text(text, encoding="utf-8", newline="")
            shutil.copymode(source, target)
        manifest["files"][name] = digest
        for exercise_id, ranges in regions.items():
            manifest["exercises"][exercise_id]["files"][name] = {"regions": ranges, "outside_sha256": digest}
    missing = sorted(set(specs_by_file) - set(manifest["files"]))
    if missing:
        raise RegionError(f"the exercise table names files that are not in the project: {', '.join(missing)}")
    (out / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
