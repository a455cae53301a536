"""The course's pytest plugin: exercise markers, the ``hidden`` marker, ``course_seed``, a report.

Loaded by ``tests/conftest.py`` (``pytest_plugins``), so a plain ``pytest`` at the repository root
(or at a student tree's root) gives every test listed in ``course.exercises.EXERCISES`` the marker
of its exercise: ``pytest -m ex07`` runs exercise 7's tests, ``pytest -m "ex07 and not hidden"``
its visible ones.

- ``@pytest.mark.hidden`` marks a hidden variant: graded by ``python -m course grade``, never run
  by ``python -m course check``. Hidden variants draw their inputs from ``course_seed``.
- ``course_seed`` is the integer in the environment variable ``COURSE_SEED`` (0 when unset); the
  grader sets it from ``--seed``.
- With ``COURSE_REPORT=path`` in the environment, the plugin writes one JSON record per test to
  ``path`` (node id, outcome, hidden, the exercise markers, the diagnostic message): ``check`` and
  ``grade`` read it instead of parsing pytest's text output.
"""

from __future__ import annotations

import json
import os

import pytest

from course.exercises import EXERCISES

SEED_VARIABLE = "COURSE_SEED"
REPORT_VARIABLE = "COURSE_REPORT"


def pytest_configure(config) -> None:
    """Register ``hidden`` and one marker per exercise."""
    config.addinivalue_line("markers", "hidden: a hidden variant of an exercise test (graded, not checked)")
    for exercise in EXERCISES:
        config.addinivalue_line("markers", f"{exercise.id}: a test of exercise {exercise.id} ({exercise.title})")


def test_belongs_to(nodeid: str, test_spec: str) -> bool:
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
    return [e.id for e in EXERCISES if any(test_belongs_to(nodeid, spec) for spec in e.tests)]


def pytest_collection_modifyitems(config, items) -> None:
    """Give each exercise test its exercise's marker."""
    for item in items:
        for exercise_id in exercises_of(item.nodeid):
            item.add_marker(exercise_id)


@pytest.fixture
def course_seed() -> int:
    """The grading seed: ``COURSE_SEED`` from the environment, 0 when unset."""
    return int(os.environ.get(SEED_VARIABLE, "0"))


def diagnostic(report) -> str:
    """The first lines of a failure's message, without the stack (what a student should read)."""
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        message = crash.message
    elif isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        message = str(longrepr[2])
    else:
        message = str(longrepr).strip().splitlines()[-1] if longrepr else ""
    return message


#: The records of this session, by node id (filled only when ``COURSE_REPORT`` is set).
_RESULTS: dict[str, dict] = {}


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report) -> None:
    """Record each test's outcome: a failure in setup, call or teardown fails the test."""
    if os.environ.get(REPORT_VARIABLE) is None:
        return
    entry = _RESULTS.setdefault(report.nodeid, {
        "nodeid": report.nodeid, "outcome": "passed", "message": "", "longrepr": "",
        "hidden": "hidden" in report.keywords,
        "exercises": [e.id for e in EXERCISES if e.id in report.keywords],
    })
    if report.outcome == "passed" or entry["outcome"] == "failed":
        return
    entry["outcome"] = report.outcome
    entry["message"] = diagnostic(report)
    entry["longrepr"] = str(report.longrepr) if report.failed else ""


@pytest.hookimpl(trylast=True)
def pytest_collectreport(report) -> None:
    """Record a file that could not be collected (a syntax error, an import that raises)."""
    if os.environ.get(REPORT_VARIABLE) is None or not report.failed:
        return
    _RESULTS[report.nodeid] = {
        "nodeid": report.nodeid, "outcome": "error", "message": diagnostic(report),
        "longrepr": str(report.longrepr), "hidden": False, "exercises": exercises_of(report.nodeid),
    }


def pytest_sessionfinish(session) -> None:
    """Write the records to ``COURSE_REPORT`` (a JSON list)."""
    path = os.environ.get(REPORT_VARIABLE)
    if path is None:
        return
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(list(_RESULTS.values()), handle, indent=1)
