"""How strong are the exercise tests? Replace one arithmetic operator in an exercise's region
and see whether its tests notice.

    python -m course.mutants                 # every exercise
    python -m course.mutants ex07 ex09 -v    # some, listing each mutant
    python -m course.mutants --compare       # comparisons instead (== by !=, < by >=, is by is not)

For each exercise, every binary arithmetic operator inside its regions (``a + b``, ``x -= y``,
...) is replaced, one occurrence at a time, by its counterpart (``+`` by ``-``, ``*`` by ``/``,
``**`` by ``*``, ...), in a copy of the repository; the exercise's tests (hidden variants
included, ``COURSE_SEED=0``) run on the mutant in a subprocess. A mutant is *caught* when a test
fails (or the run times out). The report gives, per exercise, mutants tried and caught, and
each survivor with its place, so that a test can be added or the mutant shown equivalent.
Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path

from course.exercises import EXERCISES, Exercise

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("minigrad", "layers", "course", "tests", "examples", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", "out")

#: operator -> its replacement (binary operators and augmented assignments)
SWAPS = {"+": "-", "-": "+", "*": "/", "/": "*", "**": "*", "//": "*", "%": "*", "@": "*",
         "+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "//=": "*=", "**=": "*="}
#: comparison -> its negation (``--compare``)
COMPARISONS = {ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="), ast.Lt: ("<", ">="), ast.LtE: ("<=", ">"),
               ast.Gt: (">", "<="), ast.GtE: (">=", "<"), ast.Is: ("is", "is not"),
               ast.IsNot: ("is not", "is"), ast.In: ("in", "not in"), ast.NotIn: ("not in", "in")}
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def region_spans(source: str, spec: str) -> list[tuple[int, int]]:
    """The 1-based inclusive line spans of region ``spec`` (the part after the file path)."""
    lines = source.splitlines()
    if spec.startswith("#"):
        spans, start = [], None
        for number, line in enumerate(lines, 1):
            text = line.strip()
            if text == f"{BEGIN} {spec[1:]}":
                start = number
            elif text == END and start is not None:
                spans.append((start + 1, number - 1))
                start = None
        return spans
    node: ast.AST = ast.parse(source)
    for part in spec.split("."):
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        node = next(n for n in ast.iter_child_nodes(node) if isinstance(n, kinds) and n.name == part)
    body = node.body
    if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        body = body[1:]  # the docstring stays
    return [(body[0].lineno, node.end_lineno)] if body else []


def _offset(lines: list[str], line: int, col: int) -> int:
    return sum(len(text) for text in lines[: line - 1]) + col


def _operator_between(source: str, lines: list[str], start: tuple, end: tuple, options) -> tuple | None:
    """(offset, text) of the first operator token among ``options`` between two positions."""
    a, b = _offset(lines, *start), _offset(lines, *end)
    segment = source[a:b]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(segment).readline))
    except (tokenize.TokenError, IndentationError):
        tokens = []
    seg_lines = segment.splitlines(keepends=True)
    for token in tokens:
        if token.type == tokenize.OP and token.string in options:
            return a + _offset(seg_lines, *token.start), token.string
    return None


def _comparison_mutants(source: str, lines: list[str], node: ast.Compare) -> list[tuple]:
    """Each comparison of ``node`` negated: (line, old, new, mutated source)."""
    found = []
    operands = [node.left, *node.comparators]
    for op, left, right in zip(node.ops, operands, operands[1:]):
        a = _offset(lines, left.end_lineno, left.end_col_offset)
        b = _offset(lines, right.lineno, right.col_offset)
        old, new = COMPARISONS[type(op)]
        segment = source[a:b]
        words = segment.replace("(", " ").replace(")", " ").split()
        if " ".join(words) != old:  # a comment or a line break in between: left alone
            continue
        at = a + segment.index(words[0])
        end = a + segment.rindex(words[-1]) + len(words[-1])
        found.append((node.lineno, old, new, source[:at] + new + source[end:]))
    return found


def mutants(source: str, spans: list, compare: bool = False) -> list[tuple[int, str, str, str]]:
    """Every single-operator mutant of ``source`` inside ``spans``: (line, old, new, mutated source);
    arithmetic operators, or comparisons with ``compare``."""
    lines = source.splitlines(keepends=True)
    found = []
    for node in ast.walk(ast.parse(source)):
        inside = any(lo <= getattr(node, "lineno", 0) and getattr(node, "end_lineno", hi + 1) <= hi
                     for lo, hi in spans)
        if compare:
            if isinstance(node, ast.Compare) and inside:
                found += _comparison_mutants(source, lines, node)
            continue
        if isinstance(node, ast.BinOp):
            left, right, options = node.left, node.right, {"+", "-", "*", "/", "**", "//", "%", "@"}
        elif isinstance(node, ast.AugAssign):
            left, right, options = node.target, node.value, {k for k in SWAPS if k.endswith("=")}
        else:
            continue
        if not inside:
            continue
        where = _operator_between(source, lines, (left.end_lineno, left.end_col_offset),
                                  (right.lineno, right.col_offset), options)
        if where is None:
            continue
        offset, old = where
        new = SWAPS[old]
        found.append((node.lineno, old, new, source[:offset] + new + source[offset + len(old):]))
    return sorted(found, key=lambda m: (m[0], m[1]))


def copy_repository(target: Path) -> None:
    for name in COPIED:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=IGNORED)
        elif path.exists():
            shutil.copy2(path, target / name)


def run_tests(tree: Path, exercise: Exercise, timeout: float) -> bool:
    """True when the exercise's tests fail on ``tree`` (the mutant is caught)."""
    env = dict(os.environ, PYTHONPATH=str(tree), COURSE_SEED="0", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *exercise.tests]
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return True
    return done.returncode != 0


def check_exercise(exercise: Exercise, tree: Path, timeout: float, verbose: bool,
                   compare: bool = False) -> tuple[int, int, list]:
    """(tried, caught, survivors) for one exercise, on the repository copy ``tree``."""
    tried = caught = 0
    survivors = []
    by_file: dict[str, list[str]] = {}
    for region in exercise.regions:
        path, spec = (region.split("::", 1) if "::" in region else region.split("#", 1))
        by_file.setdefault(path, []).append(spec if "::" in region else "#" + spec)
    for path, specs in by_file.items():
        original = (tree / path).read_text()
        spans = [span for spec in specs for span in region_spans(original, spec)]
        for line, old, new, mutated in mutants(original, spans, compare):
            (tree / path).write_text(mutated)
            try:
                hit = run_tests(tree, exercise, timeout)
            finally:
                (tree / path).write_text(original)
            tried += 1
            caught += hit
            label = f"{path}:{line} {old} -> {new}"
            if not hit:
                survivors.append(label)
            if verbose:
                print(f"  {'caught  ' if hit else 'SURVIVED'} {label}", flush=True)
    return tried, caught, survivors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.mutants", description=__doc__.split("\n\n")[0])
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant's test run")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per mutant")
    parser.add_argument("--compare", action="store_true",
                        help="negate comparisons instead of swapping arithmetic operators")
    args = parser.parse_args(argv)
    chosen = [e for e in EXERCISES if not args.exercises or e.id in args.exercises]
    rows = []
    with tempfile.TemporaryDirectory(prefix="course-mutants-") as folder:
        tree = Path(folder)
        copy_repository(tree)
        for exercise in chosen:
            start = time.perf_counter()
            if args.verbose:
                print(f"{exercise.id}:", flush=True)
            tried, caught, survivors = check_exercise(exercise, tree, args.timeout, args.verbose,
                                                      args.compare)
            rows.append((exercise.id, tried, caught, survivors, time.perf_counter() - start))
    print("| exercise | mutants tried | caught | survivors |")
    print("|---|---|---|---|")
    for eid, tried, caught, survivors, _ in rows:
        print(f"| {eid} | {tried} | {caught} | {'; '.join(survivors) or '-'} |")
    total_tried, total_caught = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"\ntotal: {total_caught} of {total_tried} mutants caught "
          f"({sum(r[4] for r in rows):.0f} s)")
    return 0 if total_caught == total_tried else 1


if __name__ == "__main__":
    raise SystemExit(main())
