"""The exercise table: every exercise of the course, its source regions, its tests and its points.

One ``Exercise`` per task. The builder (``course.build``) replaces each region with a stub, the
pytest plugin (``course.pytest_plugin``) marks each exercise's tests with ``exNN``, ``check`` runs
the visible ones and ``grade`` runs them all. A region is one of:

- ``"path/to/file.py::Qualified.name"``: a whole function or method; the builder finds its body
  with ``ast`` and keeps decorators, signature and docstring, so the reference carries no markers;
- ``"path/to/file.py#exNN"``: every block between ``### BEGIN SOLUTION exNN`` and
  ``### END SOLUTION`` in that file (any indentation), for part of a function.

Tests are pytest paths or node ids relative to the repository root. Hidden variants are tests
marked ``@pytest.mark.hidden``; they draw their inputs from the ``course_seed`` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One exercise: what the student edits, what checks it and what it is worth.

    Attributes:
        id: "ex07": the pytest marker, the stub's prefix and the CSV column.
        title: one line for the points table and the stub's message.
        regions: source regions the student writes (see the module docstring).
        tests: pytest paths or node ids, relative to the repository root.
        points: the exercise's points, split equally among its tests that run.
        depends: ids of exercises whose ideas this one builds on (for the syllabus; grading
            always pastes only this exercise's regions into the reference).
        doc: the exercise's document, relative to the repository root.
    """

    id: str
    title: str
    regions: tuple[str, ...]
    tests: tuple[str, ...]
    points: int
    depends: tuple[str, ...] = ()
    doc: str = ""

    def __post_init__(self) -> None:
        if not self.doc:
            object.__setattr__(self, "doc", f"course/exercises/{self.id}.md")


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        id="ex01",
        title="the backward of multiply",
        regions=("minigrad/ops/elementwise.py::Multiply.backward",),
        tests=("tests/course_exercises/test_ex01_elementwise.py",),
        points=8,
    ),
)


def by_id(exercise_id: str) -> Exercise:
    """The exercise called ``exercise_id`` ("ex07"); a ValueError lists the known ids."""
    for exercise in EXERCISES:
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in EXERCISES)
    raise ValueError(f"no exercise {exercise_id!r}; the table has: {known}")
