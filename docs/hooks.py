"""The documentation site's pages that are not files in docs/: MkDocs hooks (see mkdocs.yml).

- **Guide**: one page per ``## `` section of README.md, so the README's tour and the teaching
  material are pages without a second copy to keep in step; links into the repository are
  rewritten for the site.
- **Notebooks**: every notebook in notebooks/, executed (mkdocs-jupyter renders them with their
  figures). By default at the small sizes the tests use (``MINIGRAD_NOTEBOOK_SMALL=1``, a few
  minutes for all of them); ``MINIGRAD_DOCS_FULL=1`` executes them at full size. Executed
  notebooks are cached in ``.cache/docs-notebooks/`` under a key made of the notebook, the size
  and the library's source, so a rebuild re-runs only what changed (the notebook tests store
  their executed notebooks there too).
- **Coursework**: course/exercises/exNN.md, where the course exists.
- **API reference**: one page per public module of ``minigrad`` and ``layers`` (modules whose
  dotted name has no part starting with ``_``), rendered from the docstrings by mkdocstrings.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mkdocs.plugins import event_priority

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "docs-notebooks"
PACKAGES = ("minigrad", "layers")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


# -- the pages ------------------------------------------------------------------------------------

def slug(title: str) -> str:
    """``"A 20-line tour"`` -> ``"a-20-line-tour"``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def readme_sections(text: str) -> list[tuple[str, str]]:
    """README.md cut at its ``## `` headings: [(title, body)], the text before the first one
    (the title and introduction) as ("", body)."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    sections = [("", parts[0])]
    sections += [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]
    return sections


def rewrite_links(markdown: str, depth: int) -> str:
    """Repository-relative links of README.md made to work from a page ``depth`` folders down:
    ``docs/X`` is the site's own file, notebooks are site pages, exercise documents are course
    pages; any other file of the repository becomes plain code text (the site does not carry it)."""
    up = "../" * depth

    def repl(match: re.Match) -> str:
        target = match.group(1)
        if re.match(r"^[a-z]+:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        anchor = f"#{anchor}" if anchor else ""
        if path.startswith("docs/"):
            return f"]({up}{path[len('docs/'):]}{anchor})"
        if path.startswith("notebooks/") and path.endswith(".ipynb"):
            return f"]({up}{path}{anchor})"
        if path.startswith("course/exercises/") and path.endswith(".md"):
            return f"]({up}course/{Path(path).name}{anchor})"
        return f"]({up}repository.md)"
    return _LINK.sub(repl, markdown)


def guide_pages(readme: str) -> dict[str, str]:
    """{site path: markdown} for the home page and one guide page per README section."""
    pages = {}
    for index, (title, body) in enumerate(readme_sections(readme)):
        if not title:
            pages["index.md"] = rewrite_links(body, 0) + _HOME_TAIL
        else:
            pages[f"guide/{index:02d}-{slug(title)}.md"] = f"# {title}\n" + rewrite_links(body, 1)
    pages["repository.md"] = _REPOSITORY
    return pages


_HOME_TAIL = """
## This site

- **Guide**: the README, one section a page: the demo, the tests, a 20-line tour, notes for Keras
  and PyTorch users, data and threads, GPUs, several processes, the notebooks, the deliberate
  differences from Keras, teaching with minigrad, and the layout of the code.
- **Notebooks**: the notebooks, executed, with their figures.
- **API reference**: every public module, from its docstrings.
"""

_REPOSITORY = """# Files in the repository

Links on these pages to scripts, tests and benchmarks point into the source repository: the
site carries the documentation, the notebooks and the API reference, not every file. Clone the
repository (or unpack the source distribution, which carries all of it) to read them.
"""


def public_modules() -> list[str]:
    """Dotted names of the public modules of minigrad and layers, packages first."""
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if any(part.startswith("_") for part in parts):
                continue
            names.append(".".join(parts))
    return sorted(names, key=lambda name: (name.split(".")[0], name.count(".") > 0, name))


def api_pages() -> dict[str, str]:
    """{site path: markdown} with one mkdocstrings page per public module."""
    return {f"api/{name}.md": f"# `{name}`\n\n::: {name}\n" for name in public_modules()}


def course_pages() -> dict[str, Path]:
    """{site path: file} for the coursework documents, where the course exists."""
    folder = REPO / "course" / "exercises"
    return {f"course/{p.name}": p for p in sorted(folder.glob("ex*.md"))} if folder.is_dir() else {}


# -- the notebooks, executed -------------------------------------------------------------------

def full_size() -> bool:
    """Whether the site's notebooks run at full size (``MINIGRAD_DOCS_FULL=1``)."""
    return os.environ.get("MINIGRAD_DOCS_FULL", "") not in ("", "0")


def _library_digest() -> str:
    digest = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()


def cache_path(notebook: Path, small: bool, library: str | None = None) -> Path:
    """Where the executed copy of ``notebook`` for this size and library source is cached."""
    key = hashlib.sha256(notebook.read_bytes() + (library or _library_digest()).encode()
                         + (b"small" if small else b"full")).hexdigest()[:20]
    return CACHE / f"{notebook.stem}-{key}.ipynb"


def store_executed(notebook: Path, executed, small: bool = True) -> None:
    """Cache an executed notebook (an nbformat node): the notebook tests call this, so a site
    built after them does not execute the notebooks a second time."""
    import nbformat

    target = cache_path(notebook, small)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    nbformat.write(executed, partial)
    partial.replace(target)  # atomic: a reader never sees half a notebook


def _execute(notebook: str, small: bool, library: str) -> str:
    """Execute one notebook in a fresh kernel and cache it (in a child process: see _run)."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(notebook)
    # the kernel's own inline backend captures each figure as a PNG in the cell's outputs (Agg
    # would draw them nowhere); widgets off: a static site has no live kernel behind its sliders
    os.environ.pop("MPLBACKEND", None)
    os.environ.update(MINIGRAD_NOTEBOOK_STATIC="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                      PYDEVD_DISABLE_FILE_VALIDATION="1")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    if small:
        os.environ["MINIGRAD_NOTEBOOK_SMALL"] = "1"
    else:
        os.environ.pop("MINIGRAD_NOTEBOOK_SMALL", None)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=None if not small else 300, startup_timeout=120,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    target = cache_path(path, small, library)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    nbformat.write(nb, partial)
    partial.replace(target)
    return str(target)


def executed_notebooks() -> dict[str, Path]:
    """{site path: executed copy} for every notebook, executing those not cached (two at a time)."""
    small = not full_size()
    library = _library_digest()
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    missing = [nb for nb in notebooks if not cache_path(nb, small, library).exists()]
    if missing:
        workers = max(1, min(len(missing), os.cpu_count() or 1, 4))
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda nb: _run(nb, small, library), missing))
    return {f"notebooks/{nb.name}": cache_path(nb, small, library) for nb in notebooks}


def _run(notebook: Path, small: bool, library: str) -> None:
    """Execute ``notebook`` in a child Python (this file is loaded by MkDocs by path, so worker
    processes could not import it); its error, with the failing cell, fails the build."""
    done = subprocess.run([sys.executable, __file__, str(notebook), "small" if small else "full", library],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"executing {notebook.name} for the site failed:\n{done.stderr[-4000:]}")


if __name__ == "__main__":  # python docs/hooks.py NOTEBOOK small|full LIBRARY_DIGEST
    _execute(sys.argv[1], sys.argv[2] == "small", sys.argv[3])


# -- MkDocs hooks ----------------------------------------------------------------------------------

_GENERATED: dict[str, str] = {}
_COPIED: dict[str, Path] = {}


def on_config(config):
    """Make the pages and the navigation: Home, Guide, Notebooks, Coursework, API reference."""
    _GENERATED.clear()
    _COPIED.clear()
    _GENERATED.update(guide_pages((REPO / "README.md").read_text(encoding="utf-8")))
    _GENERATED.update(api_pages())
    _COPIED.update(course_pages())
    _COPIED.update(executed_notebooks())
    guide = sorted(p for p in _GENERATED if p.startswith("guide/"))
    config["nav"] = [
        {"Home": "index.md"},
        {"Guide": guide},
        {"Notebooks": sorted(p for p in _COPIED if p.startswith("notebooks/"))},
        *([{"Coursework": sorted(p for p in _COPIED if p.startswith("course/"))}]
          if any(p.startswith("course/") for p in _COPIED) else []),
        {"API reference": _api_nav(sorted(p for p in _GENERATED if p.startswith("api/")))},
        {"Files in the repository": "repository.md"},
    ]
    return config


def _api_nav(pages: list[str]) -> list:
    """The API pages grouped by top-level package and subpackage (``minigrad.ops``, ...)."""
    groups: dict[str, list] = {}
    for page in pages:
        name = page[len("api/"):-len(".md")]
        parts = name.split(".")
        group = ".".join(parts[:2]) if len(parts) > 2 else parts[0]
        groups.setdefault(group, []).append({name: page})
    return [{group: entries} for group, entries in groups.items()]


@event_priority(50)  # before mkdocs-jupyter's on_files, which turns the .ipynb files it sees into pages
def on_files(files, config):
    """Add the generated pages and the executed notebooks to the site's files."""
    from mkdocs.structure.files import File

    for path, content in _GENERATED.items():
        files.append(File.generated(config, path, content=content))
    staging = CACHE.parent / "docs-site"  # plain files under their site paths: mkdocs-jupyter
    for path, source in _COPIED.items():  # wraps File objects and reads them by abs_src_path
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        files.append(File(path, str(staging), config["site_dir"], config["use_directory_urls"]))
    return files
