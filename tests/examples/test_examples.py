"""The scripts in examples/ run (with --quick) and print what they promise.

Each script runs in a subprocess, as a user would run it, from a temporary directory
with the repository on PYTHONPATH (so it works without ``pip install -e .``); a script
that creates or rewrites a file in the repository (the README's figure
docs/train_mlp.png, say) fails its test.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from devices import cuda_available, needs_cuda

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
TIMEOUT_S = 240  # each --quick run takes a few seconds; this only stops a hung one
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
README_FIGURE = REPO / "docs" / "train_mlp.png"
# written by Python, pytest and tools, never by an example
_CACHES = {".git", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".ipynb_checkpoints",
           ".venv", ".venv-ci", "build", "dist"}
_SOURCES = (".py", ".ipynb", ".md")  # someone editing these while the suite runs is no example's doing
# --threads 1: on a machine whose cores are busy, BLAS's default threads make the CNNs 10-15x slower.
# It needs threadpoolctl (the `threads` extra, in `test`); without it the examples run on the BLAS's
# default threads, and tests/minigrad/test_cpu_threads.py says what is missing
THREADS_1 = ("--threads", "1") if importlib.util.find_spec("threadpoolctl") else ()


def repository_files() -> dict[str, tuple[int, int]]:
    """Every file of the repository (caches and sources left out) with its modification time and size."""
    files = {}
    for folder, subfolders, names in os.walk(REPO):
        subfolders[:] = [d for d in subfolders if d not in _CACHES and not d.endswith(".egg-info")]
        for name in names:
            if name.endswith(_SOURCES):
                continue
            stat = os.stat(os.path.join(folder, name))
            files[os.path.relpath(os.path.join(folder, name), REPO)] = (stat.st_mtime_ns, stat.st_size)
    return files


def run_example(name: str, *args: str, cwd: Path, env: dict | None = None) -> str:
    """Run examples/<name> with ``args`` (and the environment variables ``env`` added); fail with
    its output unless it exits 0, or if it created or changed a file in the repository. Returns stdout."""
    env = dict(os.environ, MPLBACKEND="Agg", **(env or {}))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    before = repository_files()
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, (
        f"{name} {' '.join(args)} exited with {done.returncode}\n--- stdout\n{done.stdout}\n"
        f"--- stderr\n{done.stderr[-5000:]}")
    after = repository_files()
    touched = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert not touched, (
        f"{name} {' '.join(args)} (run from {cwd}) created or changed {touched} in the repository; "
        f"an example writes only where --out says, or below the current directory.")
    return done.stdout


def number_after(label: str, stdout: str) -> float:
    """The number printed after ``label:`` on its own line of ``stdout``."""
    found = re.search(rf"^{re.escape(label)}: ([0-9.]+)", stdout, re.M)
    assert found, f"no line starting with {label!r} in the output:\n{stdout}"
    return float(found.group(1))


def test_train_mlp_quick_writes_its_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures" / "mlp.png"
    readme_figure = README_FIGURE.read_bytes()
    stdout = run_example("train_mlp.py", "--quick", "--out", str(out), cwd=tmp_path)
    assert README_FIGURE.read_bytes() == readme_figure  # the README's figure is left alone
    assert not (tmp_path / "out").exists()  # only where --out says
    # 3 classes: chance is 1/3; after 20 epochs both modes classify the spirals well
    assert number_after("inference accuracy (held-out, moving statistics)", stdout) >= 0.85
    assert number_after("training-mode accuracy (held-out, batch statistics)", stdout) >= 0.8
    assert number_after("train accuracy (training set, inference mode)", stdout) >= 0.85
    assert f"wrote {out}" in stdout
    assert re.search(r"^done in [0-9.]+ s$", stdout, re.M)
    data = out.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "the figure is not a PNG file"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")  # IHDR
    assert width >= 1000 and height >= 400, (width, height)


def test_train_cnn_quick_learns_the_shapes(tmp_path: Path) -> None:
    stdout = run_example("train_cnn.py", "--quick", *THREADS_1, cwd=tmp_path)  # 66 s -> 4 s on a busy CPU
    assert "Epoch 3/3" in stdout
    assert number_after("validation accuracy", stdout) >= 0.7  # 6 classes: chance is 1/6
    assert re.search(r"^done in [0-9.]+ s$", stdout, re.M)


def test_train_cnn_on_an_unavailable_gpu_says_how_to_get_one(tmp_path: Path) -> None:
    if cuda_available():
        pytest.skip("a GPU is usable here: the error path cannot be reached")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(EXAMPLES / "train_cnn.py"), "--quick", "--device", "cuda"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: device 'cuda' is not available") and ".[gpu]" in done.stderr


@needs_cuda
def test_train_cnn_trains_on_the_gpu(capsys) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import train_cnn
    finally:
        sys.path.remove(str(EXAMPLES))
    assert train_cnn.main(["--quick", "--device", "cuda"]) == 0
    stdout = capsys.readouterr().out
    assert "device: cuda" in stdout
    assert number_after("validation accuracy", stdout) >= 0.7


def _loss_lines(stdout: str) -> list[str]:
    return re.findall(r"^epoch +\d+ +loss [0-9.]+$", stdout, re.M)


@pytest.fixture(scope="module")
def custom_loop_runs(tmp_path_factory) -> tuple[str, str]:
    cwd = tmp_path_factory.mktemp("custom_loop")
    return (run_example("custom_loop_v1.py", "--quick", cwd=cwd),
            run_example("custom_loop_v1.py", "--quick", "--forget-updates", cwd=cwd))


def test_custom_loop_v1_runs_its_update_ops(custom_loop_runs) -> None:
    stdout, _ = custom_loop_runs
    assert "step 1: 4 update ops" in stdout  # moving mean and variance of two V1 BN layers
    assert number_after("inference accuracy (held-out, moving statistics)", stdout) >= 0.85
    assert number_after("training-mode accuracy (held-out, batch statistics)", stdout) >= 0.8
    assert "never moved" not in stdout
    # the moving variance left its initial 1 and approached the data's variance (about 0.02)
    last_variances = re.findall(r"moving_variance \[([^\]]+)\]", stdout)[-1]
    assert all(float(v) < 0.2 for v in last_variances.split(","))


def test_custom_loop_v1_forgetting_updates_breaks_only_inference(custom_loop_runs) -> None:
    with_updates, forgotten = custom_loop_runs
    # training mode never reads the moving statistics: the same losses, step for step
    assert _loss_lines(forgotten) and _loss_lines(forgotten) == _loss_lines(with_updates)
    train_mode = number_after("training-mode accuracy (held-out, batch statistics)", forgotten)
    assert train_mode == number_after("training-mode accuracy (held-out, batch statistics)", with_updates)
    inference = number_after("inference accuracy (held-out, moving statistics)", forgotten)
    assert inference < train_mode - 0.2, (inference, train_mode)
    assert "never moved from mean 0 / variance 1" in forgotten
    last_variances = re.findall(r"moving_variance \[([^\]]+)\]", forgotten)[-1]
    assert all(float(v) == 1.0 for v in last_variances.split(","))


def test_readme_shows_the_demo_and_its_figure() -> None:
    readme = (REPO / "README.md").read_text()
    assert 'pip install -e ".[notebooks]" && python examples/train_mlp.py' in readme
    assert 'pip install -e ".[test]" && pytest' in readme
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert "docs/train_mlp.png" in images
    assert (REPO / "docs" / "train_mlp.png").read_bytes()[:8] == PNG_SIGNATURE


def test_mnist_convnet_quick_runs_the_keras_example_on_generated_images(tmp_path: Path) -> None:
    home = tmp_path / "minigrad_home"
    stdout = run_example("mnist_convnet.py", "--quick", *THREADS_1, cwd=tmp_path,
                         env={"MINIGRAD_HOME": str(home)})
    assert not home.exists()  # --quick downloads nothing
    assert "x_train shape: (1000, 28, 28, 1)" in stdout
    assert re.search(r"^1000 train samples$", stdout, re.M) and re.search(r"^200 test samples$", stdout, re.M)
    assert re.search(r"^Total params: 34,?826\b", stdout, re.M)  # Keras's count for this model
    # 6 kinds of shapes under 10 output classes: chance is 1/6; two epochs of 8 steps reach about 0.43
    assert 0.3 <= number_after("Test accuracy", stdout) <= 1.0
    assert number_after("Test loss", stdout) < 2.0  # from ln(10) = 2.30 at the start


def test_mnist_convnet_lists_every_line_that_differs_from_keras() -> None:
    source = (EXAMPLES / "mnist_convnet.py").read_text()
    header = source.split('"""')[1]
    for original, port in [("from tensorflow import keras", "import minigrad as mg"),
                           ("keras.datasets.mnist.load_data()", "mg.datasets.mnist.load_data()"),
                           ("keras.utils.to_categorical(y_train, num_classes)",
                            "layers.utils.to_categorical(y_train, num_classes)"),
                           ("keras.Sequential", "layers.Sequential"), ("keras.Input", "layers.Input"),
                           ("epochs = 15", "epochs = args.epochs or (2 if args.quick else 15)")]:
        assert original in header and port in header and port in source, (original, port)
    assert "keras." not in source.split('"""', 2)[2]  # no Keras call is left in the code


def test_train_distributed_quick_on_two_ranks_equals_one_process() -> None:
    from mpi_harness import run_mpi  # skips, with the reason, without mpi4py or mpiexec

    before = repository_files()
    done = run_mpi(EXAMPLES / "train_distributed.py", n=2, timeout=TIMEOUT_S, args=("--quick",))
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    assert repository_files() == before
    assert "2 rank(s); 300 points; global batch 32 (per rank: [16, 16]); 4 epochs; float64" in done.stdout
    assert "Epoch 4/4" in done.stdout and done.stdout.count("Epoch 1/4") == 1  # rank 0's progress only
    assert ("the loss curve on 2 rank(s) equals the single-process run with the global batch of 32"
            in done.stdout), done.stdout


def test_examples_take_threads_and_explain_a_bad_count(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for name in ("train_mlp.py", "train_cnn.py", "custom_loop_v1.py", "mnist_convnet.py",
                 "train_distributed.py"):
        done = subprocess.run([sys.executable, str(EXAMPLES / name), "--quick", "--threads", "0"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        assert done.returncode == 2 and done.stdout == "", (name, done.stdout, done.stderr)
        assert "--threads THREADS" in done.stderr  # the usage line
        assert "error: set_num_threads: `n` must be an integer >= 1, got 0" in done.stderr, name
