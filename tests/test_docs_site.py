"""The documentation site builds with ``mkdocs build --strict`` and carries what it promises:
the executed notebooks with their figures, a page per README section, and an API page for
every public module (docs/hooks.py makes those pages; mkdocs.yml configures the build).

The notebooks are executed at the small test sizes (``MINIGRAD_NOTEBOOK_SMALL=1``); the
notebook tests cache their executed copies, so after them this build executes nothing again.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytest.importorskip("mkdocs", reason="the docs build needs the `test` (or `docs`) extra")


def load_hooks():
    """docs/hooks.py, loaded by path as MkDocs loads it."""
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("MINIGRAD_DOCS_FULL", None)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    warnings = [line for line in done.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))
                and "Location 'file:" not in line]
    report = "\n".join(warnings or [done.stderr[-3000:]])
    assert done.returncode == 0, "mkdocs build --strict failed:\n" + report
    return out


def test_every_notebook_is_a_page_with_its_figures(site: Path) -> None:
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    for notebook in notebooks:
        page = site / "notebooks" / notebook.stem / "index.html"
        assert page.is_file(), f"no page for {notebook.name}"
        html = page.read_text(encoding="utf-8")
        figures = html.count("data:image/png;base64")
        drawn = notebook.read_text(encoding="utf-8").count("plt.show()")
        assert figures >= max(1, drawn), (
            f"{notebook.name}'s page shows {figures} figures, its code calls plt.show() {drawn} times")
        assert "Traceback" not in html, f"{notebook.name}'s page shows an error"


def test_an_api_page_for_every_public_module(site: Path) -> None:
    modules = load_hooks().public_modules()
    for required in ("minigrad", "minigrad.nn", "minigrad.losses", "minigrad.optimizers", "layers",
                     "layers.normalization", "minigrad.datasets"):
        assert required in modules
    for name in modules:
        page = site / "api" / name / "index.html"
        assert page.is_file(), f"no API page for {name}"
        html = page.read_text(encoding="utf-8")
        assert 'class="doc doc-' in html, f"the API page of {name} renders no docstring"
    batch_norm = (site / "api" / "layers.normalization" / "index.html").read_text(encoding="utf-8")
    assert "BatchNormalization" in batch_norm and "moving_mean" in batch_norm


def test_the_readme_is_the_guide(site: Path) -> None:
    hooks = load_hooks()
    titles = [title for title, _ in hooks.readme_sections((REPO / "README.md").read_text(encoding="utf-8"))
              if title]
    assert "A 20-line tour" in titles
    for index, title in enumerate(titles, start=1):
        page = site / "guide" / f"{index:02d}-{hooks.slug(title)}" / "index.html"
        assert page.is_file(), f"no guide page for the README section {title!r}"
    tour = (site / "guide" / f"{titles.index('A 20-line tour') + 1:02d}-a-20-line-tour" / "index.html")
    assert "GradientTape" in tour.read_text(encoding="utf-8")
    assert (site / "train_mlp.png").is_file() and (site / "index.html").is_file()


def test_repository_links_are_rewritten_for_the_site() -> None:
    rewrite = load_hooks().rewrite_links
    text = "[a](docs/x.png) [b](notebooks/01_a.ipynb) [c](examples/train.py) [d](https://k.io) [e](#here)"
    assert rewrite(text, 1) == ("[a](../x.png) [b](../notebooks/01_a.ipynb) [c](../repository.md) "
                                "[d](https://k.io) [e](#here)")
    assert re.search(r"\]\(course/ex07\.md\)", rewrite("[x](course/exercises/ex07.md)", 0))
