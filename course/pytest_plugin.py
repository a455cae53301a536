"""The course's pytest plugin: exercise markers, the ``hidden`` marker, ``course_seed``, a report.

Loaded by ``tests/conftest.py`` (``pytest_plugins``), so a plain ``pytest`` at the repository root
(or at a student tree's root) gives every test listed in ``course.exercises.EXERCISES`` the marker
of its exercise: ``pytest -m ex07`` runs exercise 7's tests, ``pytest -m "ex07 and not hidden"``
its visible ones.

- ``@pytest.mark.hidden`` marks a hidden variant: graded by ``python -m course grade``, never run
  by ``python -m course check``. Hidden variants draw their inputs from ``course_seed``.
- ``course_seed`` is the integer in the environment variable ``COURSE_SEED`` (0 when unset); the
  grader sets it from ``--seed``.
- With ``COURSE_REPORT=path`` in the environment, the plugin appends JSON lines to ``path``: one
  ``collected`` line per selected test, then one ``result`` line per finished test (outcome, the
  diagnostic message, the exercise markers, hidden or not) and an ``error`` line per file that
  could not be collected. ``check`` and ``grade`` read them (``course.runner``) instead of parsing
  pytest's text output.
"""

from __future__ import annotations

import json
import os

import pytest

from course.exercises import EXERCISES

SEED_VARIABLE = "COURSE_SEED"
REPORT_VARIABLE = "COURSE_REPORT"
VISIBLE_ONLY_VARIABLE = "COURSE_VISIBLE_ONLY"


def pytest_configure(config) -> None:
    """Register ``hidden`` and one marker per exercise."""
    config.addinivalue_line("markers", "hidden: a hidden variant of an exercise test (graded, not checked)")
    for exercise in EXERCISES:
        config.addinivalue_line("markers", f"{exercise.id}: a test of {exercise.id}: {exercise.title}")


def selects(nodeid: str, test_spec: str) -> bool:
    """Whether the pytest node ``nodeid`` is selected by the table's test entry ``test_spec``.

    A spec is a file or folder ("tests/course_exercises/test_ex07_bn.py"), or a node id
    ("...py::test_name", "...py::TestClass"); both are relative to the repository root.
    """
    spec = test_spec.rstrip("/")
    if "::" in spec:
        return nodeid == spec or nodeid.startswith(spec + "::") or nodeid.startswith(spec + "[")
    path = nodeid.split("::", 1)[0]
    return path == spec or path.startswith(spec + "/")


def exercises_of(nodeid: str) -> list[str]:
    """The ids of the exercises whose test entries select ``nodeid``."""
    return [e.id for e in EXERCISES if any(selects(nodeid, spec) for spec in e.tests)]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Give each exercise test its exercise's marker; with ``COURSE_VISIBLE_ONLY=1``, drop hidden variants.

    ``check`` sets ``COURSE_VISIBLE_ONLY``: the hidden variants are then deselected and listed in
    the report as ``hidden`` lines, so that ``check`` can say how many are graded later.
    """
    for item in items:
        for exercise_id in exercises_of(item.nodeid):
            item.add_marker(exercise_id)
    if os.environ.get(VISIBLE_ONLY_VARIABLE) != "1":
        return
    hidden = [item for item in items if item.get_closest_marker("hidden") is not None]
    if hidden:
        items[:] = [item for item in items if item.get_closest_marker("hidden") is None]
        config.hook.pytest_deselected(items=hidden)
        if os.environ.get(REPORT_VARIABLE) is not None:
            for item in hidden:
                _write({"event": "hidden", **_record(item.nodeid, item.keywords)})


@pytest.fixture
def course_seed() -> int:
    """The grading seed: ``COURSE_SEED`` from the environment, 0 when unset."""
    return int(os.environ.get(SEED_VARIABLE, "0"))


#: At most this many lines of a failure's message reach the student (a comparison table fits).
DIAGNOSTIC_LINES = 25


def diagnostic(report) -> str:
    """The first lines of a failure's message, without the stack (what a student should read)."""
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        message = crash.message
    elif isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        message = str(longrepr[2])
    else:
        lines = [line for line in str(longrepr or "").splitlines() if line.startswith("E ")]
        message = "\n".join(line[1:].strip() for line in lines) or str(longrepr or "").strip()
    return "\n".join(_without_introspection(message.splitlines())[:DIAGNOSTIC_LINES])


def _without_introspection(lines: list[str]) -> list[str]:
    """An assertion's own message, without pytest's "assert ..." explanation below it.

    The explanation prints the compared values, whole arrays included: the expected answer. A
    bare ``assert`` (no message) keeps the first lines of it, since that is all there is.
    """
    if not lines or not lines[0].startswith("AssertionError"):
        return lines[:3] if lines and lines[0].startswith("assert ") else lines
    for index, line in enumerate(lines[1:], start=1):
        if line.startswith("assert "):
            lines = lines[:index]
            break
    first = lines[0][len("AssertionError"):].lstrip(": ")
    if first.startswith("assert "):  # a bare assert: pytest's explanation is the message
        return [first, *lines[1:3]]
    return [first or "assertion failed", *lines[1:]]


#: This session's tests by node id, while their phases (setup, call, teardown) report.
_RUNNING: dict[str, dict] = {}


def _write(record: dict) -> None:
    """Append one JSON line to ``COURSE_REPORT`` (lines survive a run killed by a timeout)."""
    with open(os.environ[REPORT_VARIABLE], "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def _record(nodeid: str, keywords) -> dict:
    return {"nodeid": nodeid, "hidden": "hidden" in keywords,
            "exercises": [e.id for e in EXERCISES if e.id in keywords]}


def pytest_collection_finish(session) -> None:
    """Write a ``collected`` line per selected test: a test with no result line never finished."""
    if os.environ.get(REPORT_VARIABLE) is None:
        return
    for item in session.items:
        _write({"event": "collected", **_record(item.nodeid, item.keywords)})


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report) -> None:
    """Write a ``result`` line per test after its teardown; a failure in any phase fails the test."""
    if os.environ.get(REPORT_VARIABLE) is None:
        return
    entry = _RUNNING.setdefault(report.nodeid, {"event": "result", **_record(report.nodeid, report.keywords),
                                                "outcome": "passed", "message": "", "longrepr": ""})
    if report.outcome != "passed" and entry["outcome"] != "failed":
        entry.update(outcome=report.outcome, message=diagnostic(report),
                     longrepr=str(report.longrepr) if report.failed else "")
    if report.when == "teardown":
        _write(_RUNNING.pop(report.nodeid))


@pytest.hookimpl(trylast=True)
def pytest_collectreport(report) -> None:
    """Write an ``error`` line for a file that could not be collected (a syntax error, a raising import)."""
    if os.environ.get(REPORT_VARIABLE) is None or not report.failed:
        return
    _write({"event": "error", "nodeid": report.nodeid, "hidden": False,
            "exercises": exercises_of(report.nodeid), "outcome": "error", "message": diagnostic(report),
            "longrepr": str(report.longrepr)})
