"""``python -m course table``: the exercise table as Markdown points, for a syllabus."""

from __future__ import annotations

from course.exercises import EXERCISES, Exercise


def points_table(exercises: tuple[Exercise, ...] = EXERCISES) -> str:
    """A Markdown table: exercise, title, points, what it builds on, its document; then the total."""
    lines = ["| Exercise | Title | Points | Builds on | Document |", "|---|---|---:|---|---|"]
    for exercise in exercises:
        depends = ", ".join(exercise.depends) or "-"
        lines.append(f"| {exercise.id} | {exercise.title} | {exercise.points} | {depends} | {exercise.doc} |")
    lines.append(f"| | **Total** | **{sum(e.points for e in exercises)}** | | |")
    return "\n".join(lines) + "\n"
