"""What a student reads after grading: a Markdown file, and Gradescope's ``results.json``.

Both show each test's diagnostic (the assertion or exception message the exercise tests write
to diagnose a mistake without printing the answer), never a stack, and list the edits made
outside the exercise regions, which were not graded.
"""

from __future__ import annotations

import json
from pathlib import Path

from course.runner import fmt, readable

ISOLATION_NOTE = ("Each exercise was graded in a fresh copy of the reference with only that exercise's "
                  "regions taken from your tree, so these edits changed no grade.")


def _status(result) -> str:
    return {"passed": "PASS", "skipped": "SKIP"}.get(result.outcome, "FAIL")


def feedback_markdown(grade, seed: int) -> str:
    """The feedback file of one ``StudentGrade``."""
    possible = sum(g.exercise.points for g in grade.exercises.values())
    lines = [f"# Feedback for {grade.student}", "", f"Total: **{fmt(grade.total)}/{possible}** "
             f"(hidden variants drawn with seed {seed})", ""]
    lines += [f"> {note}" for note in grade.notes]
    lines += ["| Exercise | Title | Points |", "|---|---|---|"]
    lines += [f"| {g.exercise.id} | {g.exercise.title} | {fmt(g.earned)}/{g.exercise.points} |"
              for g in grade.exercises.values()]
    if grade.outside_edits:
        lines += ["", "## Edits outside the exercise regions (not graded)", "", ISOLATION_NOTE, ""]
        lines += [f"- {edit}" for edit in grade.outside_edits]
    for g in grade.exercises.values():
        lines += ["", f"## {g.exercise.id}: {g.exercise.title} ({fmt(g.earned)}/{g.exercise.points} pts)", "",
                  f"See {g.exercise.doc}; check it with `python -m course check {g.exercise.id}`.", ""]
        lines += [f"- could not grade: {problem}" for problem in g.problems]
        previous = None
        for result in g.results:
            hidden = " (hidden variant)" if result.hidden else ""
            points = f"{fmt(result.points)}/{fmt(result.max_points)}"
            line = f"- {_status(result)} `{result.name}`{hidden}: {points}"
            message = readable(result.message).splitlines() if result.outcome != "passed" else []
            if message and message == previous:
                lines.append(line + " (the same message as above)")
                continue
            lines.append(line)
            if message:
                lines += ["", "  ```", *(f"  {text}" for text in message), "  ```"]
            previous = message or previous
    return "\n".join(lines) + "\n"


def write_feedback(folder: Path, grade, seed: int) -> Path:
    """Write ``folder/<student>.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{grade.student}.md"
    path.write_text(feedback_markdown(grade, seed), encoding="utf-8")
    return path


def gradescope_results(grade) -> dict:
    """Gradescope's autograder ``results.json`` for one student: one entry per test.

    Hidden variants are ``after_published``: the student sees them once the teacher publishes grades.
    """
    tests = []
    for g in grade.exercises.values():
        for problem in g.problems:
            tests.append({"name": f"{g.exercise.id}: could not grade", "score": 0,
                          "max_score": g.exercise.points, "output": problem, "visibility": "visible"})
        for result in g.results:
            output = readable(result.message) if result.outcome != "passed" else ""
            tests.append({"name": f"{g.exercise.id} {result.name}", "score": round(result.points, 4),
                          "max_score": round(result.max_points, 4), "output": output,
                          "visibility": "after_published" if result.hidden else "visible"})
    output = ""
    if grade.outside_edits:
        output = "\n".join(["Edits outside the exercise regions (not graded):", *grade.outside_edits,
                            ISOLATION_NOTE])
    return {"score": round(grade.total, 4), "output": output, "tests": tests}


def write_gradescope(folder: Path, grade) -> Path:
    """Write ``folder/<student>/results.json``."""
    path = folder / grade.student / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope_results(grade), indent=1) + "\n", encoding="utf-8")
    return path
