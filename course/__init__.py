"""Coursework built from minigrad's own source: the exercise table, the student-edition builder,
``check`` for students, ``grade`` and ``verify`` for teachers (``python -m course --help``).

From a notebook: ``from course import check; check("ex07")``.
"""

from __future__ import annotations


def check(exercise_id: str, verbose: bool = False) -> None:
    """Run exercise ``exercise_id``'s visible tests and print one line per test (``python -m course check``).

    Args:
        exercise_id: "ex07".
        verbose: also print each failure's stack.
    """
    from course.check import check as run_check

    run_check(exercise_id, verbose=verbose)
