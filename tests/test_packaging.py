"""``python -m build`` makes a wheel and an sdist that carry what a user and a packager need:
the licence text, the PEP 561 ``py.typed`` markers, the SPDX licence expression, and (the sdist)
the whole test suite with its data, the notebooks, the examples, the benchmarks and the docs."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytest.importorskip("build", reason="the packaging test needs `build` (in the `test` extra)")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(REPO)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return out


def test_wheel_has_licence_type_markers_and_spdx_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("minigrad-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "minigrad/py.typed" in names and "layers/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    assert "Project-URL: Documentation" in metadata
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names), "the wheel is the library only"


def test_sdist_carries_the_whole_test_suite_and_the_notebooks(dist: Path) -> None:
    (sdist,) = dist.glob("minigrad-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for required in ("LICENSE", "README.md", "pyproject.toml", "mkdocs.yml", "docs/hooks.py",
                     "minigrad/py.typed", "layers/py.typed", "tests/conftest.py"):
        assert required in names, f"the sdist lacks {required}"
    tracked = subprocess.run(["git", "ls-files", "tests", "notebooks", "examples", "benchmarks", "course"],
                             cwd=REPO, capture_output=True, text=True)
    expected = set(tracked.stdout.split()) if tracked.returncode == 0 else set()
    if not expected:  # not a git checkout (e.g. this test run from an unpacked sdist)
        expected = {str(p.relative_to(REPO)) for folder in ("tests", "notebooks")
                    for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    missing = sorted(expected - names)
    assert not missing, f"the sdist lacks {len(missing)} files of the repository, e.g. {missing[:5]}"
    assert any(n.startswith("tests/data/keras_bn/") for n in names)
