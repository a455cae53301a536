"""The test cases that need a GPU, run on the fake GPU: how CI on a CPU checks the GPU paths.

It runs ``MINIGRAD_FAKE_GPU=1 python -m pytest -q -p no:cacheprovider -m needs_cuda tests/minigrad
tests/layers tests/examples`` in a subprocess (every case marked ``needs_cuda``, the "cuda" half
of the device-parametrised tests included; this file lives outside those folders, so it does not
run itself).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from devices import FAKE_GPU_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
COMMAND = [*PYTEST, "-m", "needs_cuda", "tests/minigrad", "tests/layers", "tests/examples"]


def test_the_cuda_cases_pass_on_the_fake_gpu():
    env = {**os.environ, FAKE_GPU_VARIABLE: "1"}
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    report = run.stdout + run.stderr
    summary = report.strip().splitlines()[-1] if report.strip() else "(no output)"
    assert run.returncode == 0, f"exit code {run.returncode}: {summary}\n\n{report[-6000:]}"
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 0, f"no needs_cuda test case ran: {summary}"
