"""benchmarks/peers.py and benchmarks/before_after.py run, skip what is missing, and write JSON.

Each run is a subprocess from the repository root, as a user would start it. Timings are
printed, never asserted; what is asserted is that every library's chain gradient agreed
(the benchmark checks it before timing and exits non-zero otherwise), that the rows are
there, and that a missing peer is named and skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 600  # a chain-only run takes seconds; this only stops a hung one
installed = {name: importlib.util.find_spec(name) is not None for name in ("torch", "mygrad", "dezero")}


def run_peers(tmp_path: Path, hide: tuple = ()) -> tuple[subprocess.CompletedProcess, dict]:
    """``python -m benchmarks.peers --only chain --json PATH`` with the modules in ``hide``
    made unimportable; returns the run and the JSON it wrote."""
    out = tmp_path / "peers.json"
    prelude = "".join(f"sys.modules[{name!r}] = None\n" for name in hide)
    code = (f"import runpy, sys\n{prelude}sys.argv = ['benchmarks.peers', '--only', 'chain', "
            f"'--json', {str(out)!r}]\nrunpy.run_module('benchmarks.peers', run_name='__main__', "
            "alter_sys=True)")
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    return done, json.loads(out.read_text())


def test_peers_without_any_peer_times_minigrad_and_the_minimal_tape(tmp_path):
    done, rows = run_peers(tmp_path, hide=("torch", "mygrad", "dezero"))
    for name in ("torch", "mygrad", "dezero"):
        assert f"{name} is not installed (pip install -e '.[peers]'): skipped." in done.stdout
    assert sorted(rows) == ["chain/minigrad", "chain/minimal tape"]
    for r in rows.values():
        assert r["ours"] > 0 and r["theirs"] is None and r["ratio"] is None
    assert re.search(r"^minigrad / minimal tape: [0-9.]+$", done.stdout, re.M), done.stdout


@pytest.mark.skipif(not all(installed.values()),
                    reason="needs torch, mygrad and dezero: pip install -e '.[peers]'")
def test_peers_with_every_peer_gives_ratios_to_torch(tmp_path):
    done, rows = run_peers(tmp_path)
    assert "skipped" not in done.stdout
    assert sorted(rows) == ["chain/dezero", "chain/minigrad", "chain/minimal tape", "chain/mygrad",
                            "chain/torch"]
    assert rows["chain/torch"]["ratio"] == 1.0  # torch's own time over torch's, round by round
    for r in rows.values():
        assert r["ratio"] > 0 and r["theirs"] == rows["chain/torch"]["ours"]


def test_before_after_compares_two_trees():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.before_after", str(REPO), str(REPO),
                           "--rounds", "1", "--benchmarks", "tape_overhead"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    cases = ("100-op chain, forward under a tape + backward", "100-op chain, forward only (no tape)")
    number = r"(?:[0-9.]+|-)"
    for case in cases:  # before r1 med, after r1 med, after/before
        row = rf"^tape_overhead: {re.escape(case)} +{' +'.join([number] * 5)}$"
        assert re.search(row, done.stdout, re.M), done.stdout
    assert done.stderr.count("round 1/1: tape_overhead on ") == 2  # one round, two trees


def test_before_after_rejects_an_unknown_benchmark():
    done = subprocess.run([sys.executable, "-m", "benchmarks.before_after", str(REPO), str(REPO),
                           "--benchmarks", "tape_overhead,nope"], cwd=REPO, capture_output=True,
                          text=True, timeout=TIMEOUT_S, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 2
    assert "unknown benchmark(s) ['nope']: choose from tape_overhead" in done.stderr
