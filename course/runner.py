"""Running an exercise's tests in a subprocess, and turning their results into points.

The subprocess is ``python -m pytest`` in the tree to test, with that tree first on ``PYTHONPATH``
(so edited files are imported afresh) and ``COURSE_REPORT`` set: the course's pytest plugin writes
one JSON line per collected test and per result, which survive a run killed at its timeout.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

STUB_MESSAGE = re.compile(r"NotImplementedError: (?P<id>ex\d+): (?P<task>.*?) - see (?P<doc>\S+)")


@dataclass
class TestResult:
    """One test's outcome: "passed", "failed", "error" (not collected) or "skipped"."""

    nodeid: str
    outcome: str
    message: str = ""
    longrepr: str = ""
    hidden: bool = False
    exercises: tuple[str, ...] = ()
    points: float = 0.0
    max_points: float = 0.0

    @property
    def name(self) -> str:
        """The test's name without its file ("test_x[case]", "TestBN::test_x")."""
        return self.nodeid.split("::", 1)[1] if "::" in self.nodeid else self.nodeid


@dataclass
class Run:
    """The results of one pytest subprocess."""

    results: list[TestResult] = field(default_factory=list)
    hidden_skipped: int = 0
    timed_out: bool = False
    returncode: int = 0
    output: str = ""


def readable(message: str) -> str:
    """A diagnostic as a student reads it: a stub's NotImplementedError is "not implemented yet"."""
    match = STUB_MESSAGE.search(message)
    if match is None:
        return message
    return f"not implemented yet: {match['task']} ({match['id']}, see {match['doc']})"


def _environment(root: Path, report: Path, seed: int | None, cpu_only: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(root), COURSE_REPORT=str(report), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    if seed is not None:
        env["COURSE_SEED"] = str(seed)
    if cpu_only:  # grading runs on the CPU: the same numbers for every student, on any machine
        env["CUDA_VISIBLE_DEVICES"] = ""
        env.pop("MINIGRAD_FAKE_GPU", None)
    return env


def _parse(report: Path, run: Run, timeout: float | None, collect_only: bool = False) -> None:
    collected: dict[str, TestResult] = {}
    finished: dict[str, TestResult] = {}
    errors: list[TestResult] = []
    lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
    for line in lines:
        record = json.loads(line)
        result = TestResult(record["nodeid"], record.get("outcome", "failed"), record.get("message", ""),
                            record.get("longrepr", ""), record.get("hidden", False),
                            tuple(record.get("exercises", ())))
        {"collected": collected, "result": finished}.get(record["event"], {})[result.nodeid] = result
        if record["event"] == "error":
            errors.append(result)
        run.hidden_skipped += record["event"] == "hidden"
    why = (f"did not finish: the tests ran past the {timeout:g} s limit (an endless loop?)" if run.timed_out
           else f"did not finish: pytest stopped with exit code {run.returncode}")
    run.results.extend(errors)  # first: a file that could not be imported explains the rest
    for nodeid, test in collected.items():
        if collect_only:
            test.outcome = "collected"
            run.results.append(test)
        else:
            run.results.append(finished.get(nodeid) or TestResult(nodeid, "failed", why, "", test.hidden,
                                                                   test.exercises))
    if not run.results and run.returncode not in (0,):
        tail = "\n".join(run.output.strip().splitlines()[-15:])
        message = f"pytest could not run the tests ({why}):\n{tail}"
        run.results.append(TestResult("pytest", "error", message, tail))


def run_tests(root: Path, tests, *, hidden: bool, seed: int | None = None, timeout: float | None = None,
              cpu_only: bool = False, extra_args=(), collect_only: bool = False) -> Run:
    """Run ``tests`` (paths or node ids relative to ``root``) in a pytest subprocess in ``root``.

    Args:
        root: the tree to test (its ``course``, ``minigrad`` and ``tests`` are the ones imported).
        tests: what pytest should run.
        hidden: also run the hidden variants (``grade``); False runs the visible tests only (``check``).
        seed: ``COURSE_SEED`` for the hidden variants; None keeps the environment's (default 0).
        timeout: seconds before the run (and every process it started) is killed.
        cpu_only: hide GPUs from the run.
        extra_args: more pytest arguments ("-m", "not ex01").
        collect_only: only collect: the results are the selected tests, with outcome "collected".
    """
    root = Path(root)
    # a module that fails to import (a stub reached at import time) must not stop the other files
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header",
               "--continue-on-collection-errors", *extra_args, *tests]
    if collect_only:
        command.append("--collect-only")
    with tempfile.TemporaryDirectory(prefix="course-run-") as scratch:
        report = Path(scratch) / "report.jsonl"
        env = _environment(root, report, seed, cpu_only)
        env["COURSE_VISIBLE_ONLY"] = "0" if hidden else "1"
        process = subprocess.Popen(command, cwd=root, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        run = Run()
        try:
            run.output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            run.timed_out = True
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows has no process groups
                process.kill()
            run.output, _ = process.communicate()
        run.returncode = process.returncode
        _parse(report, run, timeout, collect_only)
    return run


def score(results: list[TestResult], points: float) -> float:
    """Split ``points`` equally among the tests that ran (skipped ones did not); return the total earned."""
    counted = [result for result in results if result.outcome != "skipped"]
    for result in counted:
        result.max_points = points / len(counted)
        result.points = result.max_points if result.outcome == "passed" else 0.0
    return sum(result.points for result in counted)


def fmt(value: float) -> str:
    """Points as a teacher writes them: 8, 2.67, 0."""
    return f"{round(value, 2):g}"
