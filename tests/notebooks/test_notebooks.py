"""The notebooks in notebooks/ run top to bottom, are committed clean, and are the seven the course needs.

Each notebook is executed in a fresh "python3" kernel (nbclient) with
``MINIGRAD_NOTEBOOK_SMALL=1`` (small sizes: each notebook must finish in well under 25 s)
and the kernel's inline matplotlib backend (figures become PNG outputs, as in Jupyter, so the
executed copy is what the documentation site shows: see docs/hooks.py). The kernel starts in notebooks/, as
Jupyter starts it for a student, and finds ``minigrad`` and ``layers`` through
``PYTHONPATH`` even without ``pip install -e .``. Under test a notebook must write only
into a temporary directory: a file it leaves in notebooks/ fails the test.
A failing cell fails the test with its index, its source and the kernel's traceback.
The notebooks that assert exact float equality run a second time with another BLAS kernel
(``OPENBLAS_CORETYPE=Haswell``), so a claim that holds only on this CPU's kernel fails here too.
The time each notebook took is printed at the end of the run (see conftest.py).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

# The notebooks the course is built on, in reading order.
EXPECTED = (
    "01_tape_and_gradients",
    "02_train_vs_inference",
    "03_small_batches",
    "04_frozen_layers",
    "05_update_ops",
    "06_ioffe_szegedy_figure_1",
    "07_synchronized_batch_norm",
)

CELL_TIMEOUT_S = 90      # generous: with SMALL a whole notebook takes well under 25 s
STARTUP_TIMEOUT_S = 120  # kernel start-up on a loaded 2-core CI machine
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _kernel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment the kernel process inherits (it is started from os.environ)."""
    monkeypatch.setenv("MINIGRAD_NOTEBOOK_SMALL", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the inline backend: figures kept as outputs
    # one BLAS thread: on a shared 2-core machine OpenBLAS's threads made notebooks up to 12x slower
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets ipykernel's debugger warning
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(REPO) if not path else os.pathsep.join([str(REPO), path]))


def _files_in(folder: Path) -> set[str]:
    """Files below ``folder``, caches and notebooks (written by their authors) left out."""
    skip = {"__pycache__", ".ipynb_checkpoints"}
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and p.suffix != ".ipynb" and not skip.intersection(p.relative_to(folder).parts)}


def _cell_report(nb, index: int | None) -> str:
    if index is None:
        return "(before the first cell ran: kernel start-up)"
    return f"cell {index}:\n------------------\n{nb.cells[index].source}\n------------------"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    _kernel_env(monkeypatch)
    nb = nbformat.read(path, as_version=4)
    current: dict = {"index": None}

    def on_cell_execute(cell, cell_index, **_):
        current["index"] = cell_index

    client = NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, startup_timeout=STARTUP_TIMEOUT_S,
        allow_errors=False, resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        on_cell_execute=on_cell_execute,
    )
    before = _files_in(NOTEBOOK_DIR)
    start = time.perf_counter()
    failure = None
    try:
        client.execute()
    except CellExecutionError as err:  # its message holds the cell's source, its output and the traceback
        failure = f"{path.name}, cell {current['index']} failed:\n{_ANSI.sub('', str(err))}"
    except (CellTimeoutError, DeadKernelError, TimeoutError, RuntimeError) as err:
        failure = (f"{path.name}: {type(err).__name__} in {_cell_report(nb, current['index'])}\n"
                   f"{_ANSI.sub('', str(err))}")
    finally:
        request.node.user_properties.append(("notebook_seconds", time.perf_counter() - start))
    if failure is not None:  # outside the except block: no chained kernel traceback in colour codes
        pytest.fail(failure, pytrace=False)
    _store_for_the_docs_site(path, nb)
    left = sorted(_files_in(NOTEBOOK_DIR) - before)
    assert not left, (
        f"{path.name} wrote {left} into notebooks/. Under test (MINIGRAD_NOTEBOOK_SMALL=1) write "
        f"files only into tempfile.gettempdir() or a tempfile.TemporaryDirectory().")


def _store_for_the_docs_site(path: Path, nb) -> None:
    """Cache the executed notebook where docs/hooks.py looks (the site then executes nothing
    again); without MkDocs installed there is no site to build, so nothing to cache."""
    hooks_file = REPO / "docs" / "hooks.py"
    if importlib.util.find_spec("mkdocs") is None or not hooks_file.is_file():
        return
    spec = importlib.util.spec_from_file_location("docs_hooks", hooks_file)
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    hooks.store_executed(path, nb, small=True)


def _cpu_runs_openblas_haswell_kernel() -> bool:
    """Whether this CPU can run OpenBLAS's Haswell kernels (x86-64 with AVX2 and FMA, Linux)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return platform.machine() in ("x86_64", "AMD64") and " avx2" in flags and " fma" in flags


# Exact float claims must hold on any CPU, so the notebooks that make one (04: frozen V2, training
# mode == inference mode; 05: forgetting the updates leaves training untouched) run once more with
# the BLAS kernel AMD Zen CPUs get: OpenBLAS's Haswell kernel, whose float32 products depend on the
# number of rows (notebook 04 failed on Zen 3 when it compared 32-row batches with one 256-row call).
# Where NumPy's BLAS is not OpenBLAS, OPENBLAS_CORETYPE changes nothing and this repeats the run.
EXACT_CLAIMS = ("04_frozen_layers", "05_update_ops")


@pytest.mark.parametrize("stem", EXACT_CLAIMS, ids=[f"{stem}-haswell-blas" for stem in EXACT_CLAIMS])
def test_notebook_exact_claims_hold_with_another_blas_kernel(
        stem: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if not _cpu_runs_openblas_haswell_kernel():
        pytest.skip("needs an x86-64 CPU with AVX2 and FMA (Linux) to run OpenBLAS's Haswell kernel")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    test_notebook_runs(NOTEBOOK_DIR / f"{stem}.ipynb", monkeypatch, request)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("execution_count") is not None or cell.get("outputs"))]
    assert not dirty, (
        f"{path.name}: code cells {dirty} hold outputs or execution counts. Commit notebooks "
        f"clean: `jupyter nbconvert --clear-output --inplace {path.relative_to(REPO)}`.")


def test_the_expected_notebooks_exist() -> None:
    found = tuple(p.stem for p in NOTEBOOKS)
    missing = sorted(set(EXPECTED) - set(found))
    extra = sorted(set(found) - set(EXPECTED))
    assert found == EXPECTED, (
        f"notebooks/ should hold exactly {list(EXPECTED)}; missing {missing}, unexpected {extra}.")


# A code cell a lecturer can project and a student can read; code that outgrows it (a graph
# layout, say) belongs in the library, where it is documented and tested (minigrad.draw_graph).
MAX_CODE_CELL_LINES = 80
# The notebooks use the public API only: other modules are being restructured under them.
PUBLIC_MODULES = {"minigrad", "layers", "minigrad.errors", "minigrad.ops"}
# Known exceptions, so that a new one is caught: 07 shows the Chan combination of per-rank
# moments with the synchronized layer's own helpers (layers/synchronized_moments.py).
PRIVATE_IMPORTS_ALLOWED = {"07_synchronized_batch_norm": {"layers.synchronized_moments"}}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+((?:minigrad|layers)(?:\.\w+)*)", re.MULTILINE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_code_cells_are_short_and_use_the_public_api(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [(i, cell.source) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    long_cells = {i: len(source.splitlines()) for i, source in code
                  if len(source.splitlines()) > MAX_CODE_CELL_LINES}
    assert not long_cells, (
        f"{path.name}: code cells {long_cells} (index: lines) are longer than {MAX_CODE_CELL_LINES} lines. "
        f"Split the cell, or move reusable code into the library (as minigrad.draw_graph did for 01).")
    imported = {m for _, source in code for m in _IMPORT.findall(source)}
    private = sorted(imported - PUBLIC_MODULES - PRIVATE_IMPORTS_ALLOWED.get(path.stem, set()))
    assert not private, (
        f"{path.name} imports {private}; notebooks may import only {sorted(PUBLIC_MODULES)}. "
        f"Use `import minigrad as mg` / `import layers` and their public names.")
