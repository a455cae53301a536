"""benchmarks/gpu.py runs: on the CPU at tiny sizes, on a stand-in GPU, and says what is missing.

Each run is a subprocess from the repository root, as a user would start it, so the
benchmark's one-thread settings and its torch import stay out of the test process.
Timings are printed, never asserted; what is asserted is that both libraries compute
the same numbers and that the report has every row.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120  # a --small run takes a few seconds; this only stops a hung one
has_torch = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not has_torch, reason="torch is not installed (pip install torch==2.13.0)")

# the correctness table: case, then max |minigrad - torch| of dx, max |dx|, dgamma, dbeta, y infer
FLOAT = r"([0-9.]+e[+-][0-9]+)"
CHECK_ROW = re.compile(rf"^((?:NHWC|NCHW) \(.*?\) axis -?1) +{' +'.join([FLOAT] * 5)}$", re.M)
FIRST_LOSS = re.compile(r"^(CNN(?: \+ BN)? batch \d+): first loss minigrad ([0-9.]+), torch ([0-9.]+)$", re.M)


HIDE_TORCH = "sys.modules['torch'] = None"  # `import torch` raises ImportError
HIDE_CUPY = "sys.modules['cupy'] = None"
STUB_CPU_TORCH = ("torch = sys.modules['torch'] = types.ModuleType('torch'); "
                  "torch.__version__ = '2.13.0+cpu'; torch.set_num_threads = lambda n: None; "
                  "torch.cuda = types.SimpleNamespace(is_available=lambda: False)")
STUB_CUPY_WITHOUT_GPU = ("cupy = sys.modules['cupy'] = types.ModuleType('cupy'); "
                         "cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace("
                         "getDeviceCount=lambda: 0))")


def run(*args: str, prelude: str = "", code: str | None = None) -> subprocess.CompletedProcess:
    """``python -m benchmarks.gpu ARGS`` from the repository root, after ``prelude`` (which may
    hide or stub modules); or ``python -c CODE`` when ``code`` is given."""
    if code is None:
        code = (f"import runpy, sys, types\n{prelude}\nsys.argv = ['benchmarks.gpu', *{list(args)!r}]\n"
                "runpy.run_module('benchmarks.gpu', run_name='__main__', alter_sys=True)")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT_S)


def only_line(done: subprocess.CompletedProcess) -> str:
    """The one line a run that cannot start prints (on stderr), after checking its exit status 2."""
    assert done.returncode == 2, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("benchmarks.gpu cannot run on cuda: missing ")
    assert lines[0].endswith(
        "To smoke-test the script on the CPU: python -m benchmarks.gpu --device cpu --small")
    return lines[0]


def check_agreement(stdout: str, cnn_cases: int) -> None:
    """Both batch-norm shapes match torch to float32 rounding; every CNN's first losses agree."""
    rows = CHECK_ROW.findall(stdout)
    assert [r[0] for r in rows] == ["NHWC (8, 6, 6, 4) axis -1", "NCHW (8, 4, 6, 6) axis 1"], stdout
    for _, dx, max_dx, dgamma, dbeta, y_infer in rows:
        # dx is O(1); 288 elements per channel: a few float32 roundings (eps 1.2e-7) apart
        assert float(dx) <= 1e-5 * float(max_dx), stdout
        assert float(dgamma) < 1e-4 and float(dbeta) < 1e-4 and float(y_infer) < 1e-5, stdout
    losses = FIRST_LOSS.findall(stdout)
    assert len(losses) == cnn_cases, stdout
    for _, ours, theirs in losses:  # printed to 6 decimals; the script asserts 1e-4 relative
        assert abs(float(ours) - float(theirs)) <= 2e-6, stdout


@needs_torch
def test_cpu_small_run_reports_every_row_and_agrees_with_torch():
    done = run("--device", "cpu", "--small")
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    out = done.stdout
    assert out.startswith("device: CPU ") and "torch 2." in out.splitlines()[0]
    for case in ("NHWC (8, 6, 6, 4) axis -1", "NCHW (8, 4, 6, 6) axis 1"):
        for kind in ("fwd+bwd", "infer"):  # minigrad ms, torch ms, ratio: three numbers
            row = rf"^BN {re.escape(case)} {re.escape(kind)} +[0-9.]+ +[0-9.]+ +[0-9.]+$"
            assert re.search(row, out, re.M), out
    assert re.search(r"^goal fwd\+bwd <= 1\.5x torch: (met|NOT met) \(worst fwd\+bwd ratio [0-9.]+\)$",
                     out, re.M), out
    for bn in ("", " + BN"):
        for batch in (4, 8):
            assert re.search(rf"^CNN conv32-conv64/2-GAP-Dense10{re.escape(bn)}, batch {batch} "
                             r"+[0-9.]+ +[0-9.]+ +[0-9.]+$", out, re.M), out
    check_agreement(out, cnn_cases=4)


def test_cpu_small_run_without_torch_times_minigrad_alone():
    done = run("--device", "cpu", "--small", prelude=HIDE_TORCH)
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    out = done.stdout
    assert out.startswith("torch is not installed (pip install torch==2.13.0): timing minigrad alone.\n")
    rows = re.findall(r"^(BN .*|CNN conv.*?) +[0-9.]+ +- +-$", out, re.M)  # torch ms and ratio: "-"
    assert len(rows) == 8, out
    assert "goal" not in out and "first loss" not in out


def test_cuda_without_cupy_says_what_is_missing_and_exits_2():
    line = only_line(run(prelude=f"{HIDE_CUPY}; {HIDE_TORCH}"))
    assert ("missing CuPy (not importable; install it with `pip install -e \".[gpu]\"`); "
            "torch (not installed;") in line


def test_cuda_without_a_gpu_and_with_cpu_torch_says_what_is_missing_and_exits_2():
    line = only_line(run(prelude=f"{STUB_CUPY_WITHOUT_GPU}; {STUB_CPU_TORCH}"))
    assert ("missing a GPU (CuPy is installed but cannot use one: RuntimeError: no CUDA device is visible); "
            "torch CUDA (torch 2.13.0+cpu sees no GPU; install a CUDA build).") in line


@needs_torch
def test_cuda_code_path_on_a_stand_in_gpu_agrees_with_torch_on_the_cpu():
    """minigrad on "cuda" arrays of the NumPy-backed fake CuPy (tests/fake_cupy.py), torch on the CPU."""
    if importlib.util.find_spec("fake_cupy") is None:
        pytest.skip("tests/fake_cupy.py (the stand-in GPU) is not there")
    on_fake_gpu = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from fake_cupy import FakeCupy\n"
        "from minigrad import backend\n"
        "backend.use_cupy(FakeCupy())\n"
        "from benchmarks import gpu\n"
        "device = gpu.Device('cuda', gpu.load_torch(), torch_name='cpu')\n"
        "case = gpu.BatchNormCase(device, (8, 6, 6, 4), -1)\n"
        "assert case.x.device == 'cuda' and case.ours_train()[0].device == 'cuda'\n"
        "gpu.batch_norm_part(device, gpu.SMALL)\n"
        "gpu.cnn_step_pair(device, True, 4, gpu.SMALL)\n"
    )
    done = run(code=on_fake_gpu)
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    assert "batch normalization, float32, on cuda" in done.stdout
    check_agreement(done.stdout, cnn_cases=1)
