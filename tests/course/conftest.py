"""Fixtures of the course tests: the toy project (``course_toy``) and its student tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_toy import run_course, write_toy_project


@pytest.fixture(scope="module")
def toy_project(tmp_path_factory) -> Path:
    """A fresh toy reference project (shared by one test module: tests must not edit it)."""
    return write_toy_project(tmp_path_factory.mktemp("toy") / "reference")


@pytest.fixture(scope="module")
def toy_student(toy_project, tmp_path_factory) -> Path:
    """The toy project's student tree, built with ``python -m course build``."""
    out = tmp_path_factory.mktemp("toy_student") / "student"
    result = run_course(toy_project, "build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out
