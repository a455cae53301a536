"""Taking a student's code for one exercise out of their tree and pasting it into a copy of the reference.

A file is read as chunks of lines: a ``.py`` file is one chunk, a notebook one chunk per cell. The
student's blocks of an exercise are the ``### BEGIN EXERCISE exNN`` ... ``### END EXERCISE exNN``
blocks; where there are none (the markers were deleted, or the submission is the reference
itself) a whole-function region is found with ``ast`` and a marked one by its SOLUTION markers.
The k-th block of the student's file replaces the k-th region of the reference file.
"""

from __future__ import annotations

from pathlib import Path

from course.regions import (
    BEGIN_EXERCISE,
    BEGIN_SOLUTION,
    END_EXERCISE,
    END_SOLUTION,
    RegionError,
    Span,
    marked_spans,
    reference_spans,
)


def read_chunks(path: Path) -> list[list[str]]:
    """The file's lines (one chunk) or a notebook's cell sources (one chunk per cell)."""
    if path.suffix == ".ipynb":
        import nbformat

        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        return [cell.source.splitlines(keepends=True) for cell in notebook.cells]
    return [path.read_text(encoding="utf-8").splitlines(keepends=True)]


def write_chunks(path: Path, chunks: list[list[str]]) -> None:
    """Write chunks back where ``read_chunks`` found them."""
    if path.suffix == ".ipynb":
        import nbformat

        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        for cell, lines in zip(notebook.cells, chunks):
            cell.source = "".join(lines)
        nbformat.write(notebook, path)
        return
    path.write_text("".join(chunks[0]), encoding="utf-8", newline="")


def _reference_blocks(chunks, specs, exercise_id: str, where: str) -> list[tuple[int, Span]]:
    """``(chunk index, span)`` of ``exercise_id``'s regions in a reference file, in order."""
    if len(chunks) == 1 and not where.endswith(".ipynb"):
        return [(0, span) for span in reference_spans(chunks[0], specs, where)]
    return [(index, span) for index, lines in enumerate(chunks)
            for span in marked_spans(lines, BEGIN_SOLUTION, END_SOLUTION, where, exercise_id)]


def _student_blocks(chunks, specs, exercise_id: str, where: str) -> list[tuple[int, Span]]:
    """``(chunk index, span)`` of the student's ``exercise_id``: EXERCISE blocks, else as in a reference."""
    blocks = [(index, span) for index, lines in enumerate(chunks)
              for span in marked_spans(lines, BEGIN_EXERCISE, END_EXERCISE, where, exercise_id)]
    return blocks or _reference_blocks(chunks, specs, exercise_id, where)


def paste_exercise(reference_file: Path, student_file: Path, target_file: Path, specs, exercise_id: str,
                   name: str) -> list[str]:
    """Write ``target_file``: the reference file with ``exercise_id``'s regions taken from the student's.

    Args:
        reference_file: the file in the reference tree.
        student_file: the same file in the student's tree.
        target_file: where to write the result (the graded copy of the reference).
        specs: ``(exercise_id, region spec)`` of this exercise's regions in the file.
        exercise_id: "ex07".
        name: the file's path in the tree, for messages.

    Returns:
        Problems that stop this exercise being graded (empty when the paste worked).
    """
    if not student_file.is_file():
        return [f"{name} is missing from the submission, so {exercise_id}'s code in it cannot be graded"]
    reference = read_chunks(reference_file)
    try:
        student = read_chunks(student_file)
        ours = _reference_blocks(reference, specs, exercise_id, name)
        theirs = _student_blocks(student, specs, exercise_id, name)
    except (RegionError, SyntaxError, ValueError) as error:
        return [f"{name}: the code of {exercise_id} cannot be found ({error}); keep the "
                f"'### BEGIN EXERCISE {exercise_id}' and '### END EXERCISE {exercise_id}' lines as built"]
    if len(ours) != len(theirs):
        return [f"{name}: {len(theirs)} block(s) of {exercise_id} found where the exercise has {len(ours)}; "
                f"keep each '### BEGIN EXERCISE {exercise_id}' / '### END EXERCISE {exercise_id}' pair"]
    for (our_chunk, our_span), (their_chunk, their_span) in reversed(list(zip(ours, theirs))):
        code = student[their_chunk][their_span.first - 1:their_span.last]
        if code and not code[-1].endswith("\n"):
            code[-1] += "\n"
        reference[our_chunk][our_span.first - 1:our_span.last] = code
    write_chunks(target_file, reference)
    return []
