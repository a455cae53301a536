"""``python -m course check exNN``: what a student runs: the exercise's visible tests, one line each.

The tests run in a subprocess (so files edited since the last run are imported afresh). Each line
says PASS or FAIL, the points the test carries and, for a failure, its diagnostic (the assertion or
exception message, never the stack unless ``-v``); the last line totals the visible tests:
``public: 4/5 (8/10 pts)``, and says when hidden variants will be graded later.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from course.exercises import by_id
from course.runner import Run, fmt, readable, run_tests, score
from course.tree import repository_root


@dataclass
class CheckResult:
    """What ``check`` found: the run, the points earned and possible, the hidden variants not run."""

    run: Run
    earned: float
    points: int
    hidden_count: int

    @property
    def passed(self) -> int:
        return sum(result.outcome == "passed" for result in self.run.results)

    @property
    def all_passed(self) -> bool:
        return bool(self.run.results) and self.passed == len(self.run.results)


def format_lines(exercise, result: CheckResult, verbose: bool) -> list[str]:
    """The lines ``check`` prints (without the header)."""
    lines = []
    width = max((len(test.name) for test in result.run.results), default=0)
    for test in result.run.results:
        status = {"passed": "PASS", "skipped": "SKIP"}.get(test.outcome, "FAIL")
        line = f"  {status}  {test.name:<{width}}  {fmt(test.points)}/{fmt(test.max_points)} pts"
        message = readable(test.message).splitlines() if test.outcome != "passed" else []
        if message:
            line += f"  {message[0]}"
        lines.append(line)
        lines.extend(f"        {extra}" for extra in message[1:])
        if verbose and test.longrepr:
            lines.extend(f"        {extra}" for extra in test.longrepr.splitlines())
    summary = (f"public: {result.passed}/{len(result.run.results)} "
               f"({fmt(result.earned)}/{fmt(result.points)} pts)")
    if result.hidden_count:
        summary += (f"; {result.hidden_count} hidden variant(s) with other inputs are graded later "
                    "by `python -m course grade`")
    lines.append(summary)
    return lines


def check(exercise_id: str, verbose: bool = False, root: Path | None = None, out=None) -> CheckResult:
    """Run exercise ``exercise_id``'s visible tests in ``root`` (this tree) and print one line per test.

    Args:
        exercise_id: "ex07".
        verbose: also print each failure's stack.
        root: the tree to test; the one this package belongs to by default.
        out: where to print (``sys.stdout`` by default).

    Returns:
        The results (``all_passed``, ``earned``, ``points``, ...).

    Raises:
        ValueError: an exercise id that is not in the table.
    """
    out = out or sys.stdout
    root = Path(root) if root is not None else repository_root()
    exercise = by_id(exercise_id)
    print(f"{exercise.id}: {exercise.title} ({exercise.points} pts) - {exercise.doc}", file=out, flush=True)
    run = run_tests(root, exercise.tests, hidden=False)
    earned = score(run.results, exercise.points)
    result = CheckResult(run, earned, exercise.points, run.hidden_skipped)
    for line in format_lines(exercise, result, verbose):
        print(line, file=out)
    return result
