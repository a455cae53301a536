"""Compare two source trees of minigrad (before and after a change), benchmark by benchmark.

    python -m benchmarks.before_after BEFORE_TREE AFTER_TREE [--rounds 3]
        [--benchmarks tape_overhead,train_step,batchnorm,peers-chain] [--own-benchmarks]

Each round runs every benchmark once per tree, the two trees alternately (the order flips
every round), each in a fresh subprocess whose ``minigrad`` and ``layers`` come from that
tree. A benchmark writes its rows with ``--json PATH`` (see ``benchmarks.common.report``);
the table shows each case's ratio to torch, per tree and round, the median over rounds,
and after / before of the medians (below 1: the after tree is faster).

By default both trees run the benchmark code of *this* checkout (so that both are timed by
the same code, and a tree whose benchmarks predate ``--json`` can still be measured);
``--own-benchmarks`` runs each tree's own ``benchmarks`` package instead.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent  # this checkout's benchmarks package

#: benchmark name -> (module, extra arguments)
BENCHMARKS = {
    "tape_overhead": ("benchmarks.tape_overhead", []),
    "train_step": ("benchmarks.train_step", []),
    "batchnorm": ("benchmarks.batchnorm", []),
    "conv2d": ("benchmarks.conv2d", []),
    "peers-chain": ("benchmarks.peers", ["--only", "chain"]),
    "peers-mlp": ("benchmarks.peers", ["--only", "mlp"]),
    "peers": ("benchmarks.peers", []),
}
DEFAULT = "tape_overhead,train_step,batchnorm,peers-chain"


def import_root(tree: Path, own_benchmarks: bool, scratch: Path) -> Path:
    """A directory to put on PYTHONPATH: ``minigrad`` and ``layers`` of ``tree``, and the
    ``benchmarks`` package of ``tree`` (own_benchmarks) or of this checkout."""
    if own_benchmarks:
        return tree
    root = scratch / f"root{len(list(scratch.iterdir()))}"
    root.mkdir()
    for package in ("minigrad", "layers"):
        (root / package).symlink_to(tree / package, target_is_directory=True)
    (root / "benchmarks").symlink_to(HERE, target_is_directory=True)
    return root


def check_imports(root: Path, tree: Path) -> None:
    """Fail early if the subprocess would import minigrad from somewhere else (an install)."""
    code = "import minigrad, os; print(os.path.realpath(minigrad.__file__))"
    done = subprocess.run([sys.executable, "-c", code], env=child_env(root), cwd=root,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: `import minigrad` fails there:\n{done.stderr[-3000:]}")
    found = done.stdout.strip()
    if not found.startswith(str(tree.resolve())):
        raise SystemExit(f"{tree}: the subprocess imports minigrad from {found}, not from the tree.")


def child_env(root: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(root)}


def run_once(root: Path, tree: Path, benchmark: str, scratch: Path) -> dict:
    """Run one benchmark in a subprocess; return ``{case: ratio to torch}`` from its JSON (empty,
    with the failure printed, when the run fails)."""
    module, extra = BENCHMARKS[benchmark]
    out = scratch / "result.json"
    out.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", module, *extra, "--json", str(out)],
                          env=child_env(root), cwd=root, capture_output=True, text=True)
    if done.returncode != 0 or not out.exists():  # the other runs still count: its cells show "-"
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        print(f"{benchmark} failed on {tree} (exit code {done.returncode}): left out of this round.",
              file=sys.stderr)
        return {}
    rows = json.loads(out.read_text())
    return {f"{benchmark}: {case}": r["ratio"] for case, r in rows.items()}


def measure(trees: list[Path], benchmarks: list[str], rounds: int, own: bool) -> dict:
    """``{case: {tree index: [ratio per round]}}``, the trees alternating within each round."""
    results: dict = {}
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        roots = [import_root(tree, own, scratch) for tree in trees]
        for root, tree in zip(roots, trees):
            check_imports(root, tree)
        for r in range(rounds):
            for benchmark in benchmarks:
                order = [0, 1] if r % 2 == 0 else [1, 0]
                for t in order:
                    print(f"round {r + 1}/{rounds}: {benchmark} on {trees[t]}", file=sys.stderr)
                    for case, ratio in run_once(roots[t], trees[t], benchmark, scratch).items():
                        results.setdefault(case, {0: [None] * r, 1: [None] * r})[t].append(ratio)
            for per_tree in results.values():  # a run that failed leaves "-" in its round
                for ratios in per_tree.values():
                    ratios.extend([None] * (r + 1 - len(ratios)))
    return results


def show(results: dict, trees: list[Path], rounds: int) -> None:
    """Print, per case, the ratios to torch of each tree per round, their medians and after/before."""
    def cells(values):
        return " ".join("     -" if v is None else f"{v:6.2f}" for v in values)

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    print(f"\nratio to torch per round; before = {trees[0]}, after = {trees[1]}")
    width = max(len(case) for case in results) if results else 10
    rounds_header = " ".join(f"{'r' + str(k + 1):>6}" for k in range(rounds))
    print(f"{'case':<{width}}  before: {rounds_header}    med   after: {rounds_header}    med  after/before")
    for case, per_tree in results.items():
        before, after = median(per_tree[0]), median(per_tree[1])
        change = "-" if before is None or after is None else f"{after / before:.3f}"
        print(f"{case:<{width}}          {cells(per_tree[0])} {cells([before])}          "
              f"{cells(per_tree[1])} {cells([after])}  {change:>12}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the source tree before the change")
    parser.add_argument("after", type=Path, help="the source tree after the change")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--benchmarks", default=DEFAULT,
                        help=f"comma-separated, from: {', '.join(BENCHMARKS)} (default: {DEFAULT})")
    parser.add_argument("--own-benchmarks", action="store_true",
                        help="run each tree's own benchmarks package, not this checkout's")
    args = parser.parse_args(argv)
    benchmarks = args.benchmarks.split(",")
    unknown = [b for b in benchmarks if b not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}: choose from {', '.join(BENCHMARKS)}")
    trees = [args.before.resolve(), args.after.resolve()]
    show(measure(trees, benchmarks, args.rounds, args.own_benchmarks), trees, args.rounds)


if __name__ == "__main__":
    main()
