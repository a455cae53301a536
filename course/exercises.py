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
        title="elementwise backwards: multiply, divide, power, exp, log, sqrt, tanh, sigmoid",
        regions=(
            "minigrad/ops/elementwise.py::Multiply.backward",
            "minigrad/ops/elementwise.py::Divide.backward",
            "minigrad/ops/elementwise.py::Power.backward",
            "minigrad/ops/elementwise.py::Exp.backward",
            "minigrad/ops/elementwise.py::Log.backward",
            "minigrad/ops/elementwise.py::Sqrt.backward",
            "minigrad/ops/activation.py::TanhGrad.forward",
            "minigrad/ops/activation.py::SigmoidGrad.forward",
        ),
        tests=("tests/course_exercises/test_ex01_elementwise.py",),
        points=8,
    ),
    Exercise(
        id="ex02",
        title="reduction, transpose and matmul backwards",
        regions=(
            "minigrad/ops/reductions.py::expand_to_input",
            "minigrad/ops/reductions.py::Mean.backward",
            "minigrad/ops/reductions.py::Max.backward",
            "minigrad/ops/reductions.py::Var.backward",
            "minigrad/ops/shape.py::Transpose.backward",
            "minigrad/ops/linalg.py::Matmul.backward",
        ),
        tests=("tests/course_exercises/test_ex02_reductions_matmul.py",),
        points=8,
        depends=("ex01",),
    ),
    Exercise(
        id="ex03",
        title="un-broadcasting in the engine",
        regions=("minigrad/tape.py::_unbroadcast",),
        tests=("tests/course_exercises/test_ex03_unbroadcast.py",),
        points=6,
        depends=("ex01",),
    ),
    Exercise(
        id="ex04",
        title="the tape's backward walk",
        regions=("minigrad/tape.py::GradientTape._backward",),
        tests=("tests/course_exercises/test_ex04_tape_walk.py",),
        points=10,
        depends=("ex01", "ex03"),
    ),
    Exercise(
        id="ex05",
        title="gradcheck: central differences, entry by entry",
        regions=(
            "minigrad/gradcheck.py::_central_difference",
            "minigrad/gradcheck.py::_check_full",
        ),
        tests=("tests/course_exercises/test_ex05_gradcheck.py",),
        points=8,
        depends=("ex01",),
    ),
    Exercise(
        id="ex06",
        title="Layer.add_weight and the lazy build",
        regions=(
            "layers/base.py#ex06",
            "layers/base.py::Layer._maybe_build",
        ),
        tests=("tests/course_exercises/test_ex06_add_weight_build.py",),
        points=6,
    ),
    Exercise(
        id="ex07",
        title="BatchNormalization forward: moments and normalization",
        regions=(
            "layers/normalization_shared.py::two_pass_moments",
            "layers/normalization_shared.py::_batch_normalization",
        ),
        tests=("tests/course_exercises/test_ex07_bn_forward.py",),
        points=10,
        depends=("ex06",),
    ),
    Exercise(
        id="ex08",
        title="BatchNormalization's moving statistics",
        regions=("layers/normalization_shared.py::_assign_moving_average",),
        tests=("tests/course_exercises/test_ex08_moving_statistics.py",),
        points=6,
        depends=("ex06", "ex07"),
    ),
    Exercise(
        id="ex09",
        title="BatchNormalization's closed-form backward",
        regions=("minigrad/kernels/batchnorm_cpu.py#ex09",),
        tests=("tests/course_exercises/test_ex09_bn_backward.py",),
        points=10,
        depends=("ex01", "ex02", "ex03", "ex04", "ex05"),
    ),
    Exercise(
        id="ex10",
        title="the V1 update-ops bug: a test that catches it, and the loop fixed",
        regions=(
            "tests/course_exercises/ex10_update_check.py::assert_runs_update_ops",
            "examples/custom_loop_v1.py#ex10",
        ),
        tests=("tests/course_exercises/test_ex10_update_ops.py",),
        points=8,
        depends=("ex01", "ex02", "ex03", "ex04", "ex06", "ex07", "ex08"),
    ),
    Exercise(
        id="ex11",
        title="ghost batches (virtual_batch_size)",
        regions=(
            "layers/normalization.py#ex11",
            "layers/normalization.py::BatchNormalizationBase._tracked_statistics",
        ),
        tests=("tests/course_exercises/test_ex11_ghost_batches.py",),
        points=8,
        depends=("ex06", "ex07", "ex08"),
    ),
    Exercise(
        id="ex12",
        title="capstone: an MLP with batch normalization on the spirals",
        regions=("examples/spirals_capstone.py::train_spirals_classifier",),
        tests=("tests/course_exercises/test_ex12_capstone.py",),
        points=12,
        depends=("ex01", "ex02", "ex03", "ex04", "ex06", "ex07", "ex08"),
    ),
)


def by_id(exercise_id: str) -> Exercise:
    """The exercise called ``exercise_id`` ("ex07"); a ValueError lists the known ids."""
    for exercise in EXERCISES:
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in EXERCISES)
    raise ValueError(f"no exercise {exercise_id!r}; the table has: {known}")
