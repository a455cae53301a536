"""``python -m course verify``: the student edition and the grader work, for every exercise of the table.

Builds the student tree into a temporary folder and checks:

(a) every exercise test (hidden variants included) fails in the student tree with its own
    exercise's ``NotImplementedError("exNN: ...")``, or with the stub of an exercise that its
    exercise declares in ``depends`` (directly or through others; counted apart and listed);
(b) the tests that belong to no exercise still pass there. It runs the fast subset ``FAST_SUBSET``
    (the engine's and the layers' unit tests, tests/minigrad and tests/layers, without the slow
    files in ``SLOW_FILES``; the notebooks, examples, MPI, benchmark and course tests are left
    out for time; a project without those folders runs its whole ``tests``). A test that fails only because it
    reaches a stub (its message is a stub's ``NotImplementedError("exNN: ...")``) depends on
    exercise code and is counted apart (also when the stub's message only shows further down, as
    in a tool's printed table); any other failure is an error of the student edition;
(c) no line of a solution region appears anywhere in the student tree (its documents included),
    and no SOLUTION marker is left. Lines under ``LEAK_MIN_CHARS`` characters, and lines that the
    reference's code also has outside every region (``a, b = ctx.inputs``), reveal nothing and
    are not searched;
(d) every exercise has at least one visible test, a positive points entry and its document;
(e) grading the reference tree gives every exercise full points, and grading the untouched
    student tree gives every exercise zero.

It prints one line per check and the time each took ((b) runs beside the others when ``--jobs``
is above 1, so it is reported last); the exit status is 0 when all pass.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from course.build import build, stub_message
from course.exercises import EXERCISES
from course.grade import Grader
from course.regions import BEGIN_SOLUTION, END_SOLUTION, marked_spans, outside_text, reference_spans
from course.runner import STUB_MESSAGE, fmt, run_tests
from course.tree import project_files, regions_by_file

FAST_SUBSET = ("tests/minigrad", "tests/layers")
SLOW_FILES = ("tests/minigrad/test_devices_agree.py", "tests/layers/test_batchnorm_golden.py",
              "tests/minigrad/test_validation_properties.py",
              "tests/layers/test_layer_argument_properties.py", "tests/minigrad/test_properties.py",
              "tests/layers/test_batchnorm_properties.py", "tests/minigrad/test_cpu_threads.py",
              "tests/layers/test_training.py")
LEAK_MIN_CHARS = 12
SHOWN = 15


def _all_tests() -> list[str]:
    return sorted({spec for exercise in EXERCISES for spec in exercise.tests})


def check_table(root: Path) -> list[str]:
    """(d): ids, points, documents and visible tests of every exercise; the problems found."""
    problems = []
    ids = [exercise.id for exercise in EXERCISES]
    if len(set(ids)) != len(ids):
        problems.append(f"exercise ids repeat: {ids}")
    collected = run_tests(root, _all_tests(), hidden=True, collect_only=True).results
    for exercise in EXERCISES:
        if not re.fullmatch(r"ex\d\d", exercise.id):
            problems.append(f"{exercise.id}: an id is 'ex' and two digits")
        if not isinstance(exercise.points, int) or exercise.points <= 0:
            problems.append(f"{exercise.id}: points must be a positive integer, not {exercise.points!r}")
        if not (root / exercise.doc).is_file():
            problems.append(f"{exercise.id}: its document {exercise.doc} does not exist")
        problems += [f"{exercise.id}: depends on {d}, which is not in the table" for d in exercise.depends
                     if d not in ids]
        problems += [f"{exercise.id}: test path {spec} does not exist" for spec in exercise.tests
                     if not (root / spec.split("::")[0]).exists()]
        visible = [t for t in collected
                   if exercise.id in t.exercises and not t.hidden and t.outcome == "collected"]
        if not visible:
            problems.append(f"{exercise.id}: no visible test collected from {', '.join(exercise.tests)}")
    problems += [f"collection error in {t.nodeid}: {t.message}" for t in collected if t.outcome == "error"]
    return problems


def prerequisites(exercise_id: str) -> set[str]:
    """The exercises ``exercise_id`` depends on, directly or through others."""
    table = {exercise.id: exercise.depends for exercise in EXERCISES}
    found, todo = set(), list(table.get(exercise_id, ()))
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(table.get(current, ()))
    return found


def check_stubs_fail(student: Path) -> tuple[list[str], str]:
    """(a): every exercise test fails in the student tree with its own exercise's stub.

    A test may instead stop at the stub of an exercise its own exercise depends on (``depends``,
    followed through): ex07's layer tests reach ``add_weight`` (ex06) first. Those are counted
    apart, per pair, so that a teacher sees where ``check`` asks for an earlier exercise first.
    """
    run = run_tests(student, _all_tests(), hidden=True, timeout=1800)
    problems, own, through = [], 0, {}
    for test in run.results:
        match = STUB_MESSAGE.search(test.message)
        if test.outcome == "passed":
            problems.append(f"{test.nodeid} passes in the student tree (a test that cannot fail)")
        elif match is not None and match["id"] in test.exercises:
            own += 1
        elif match is not None and any(match["id"] in prerequisites(e) for e in test.exercises):
            pair = f"{'/'.join(test.exercises)} at {match['id']}"
            through[pair] = through.get(pair, 0) + 1
        else:
            first = test.message.splitlines()[0] if test.message else test.outcome
            problems.append(f"{test.nodeid} ({', '.join(test.exercises) or 'no exercise'}) fails with "
                            f"{first!r} instead of its exercise's NotImplementedError")
    pairs = ", ".join(f"{pair}: {count}" for pair, count in sorted(through.items()))
    summary = (f"{len(run.results)} tests: {own} stop at their own stub, {sum(through.values())} at the stub "
               f"of an exercise theirs depends on{' (' + pairs + ')' if pairs else ''}")
    return problems, summary


def check_others_pass(student: Path) -> tuple[list[str], str]:
    """(b): the fast subset of the tests of no exercise, in the student tree."""
    ignore = [f"--ignore={name}" for name in SLOW_FILES]
    markers = " or ".join(exercise.id for exercise in EXERCISES)
    subset = [path for path in FAST_SUBSET if (student / path).exists()] or ["tests"]
    run = run_tests(student, subset, hidden=True, timeout=1800,
                    extra_args=[*ignore, "-m", f"not ({markers})"])
    passed = sum(test.outcome in ("passed", "skipped") for test in run.results)
    # a stub's message raised and printed (a tool's table), not its source line shown in a diff
    raised = re.compile("|".join(r"""(?<!\(")(?<!\(\\")(?<!\(')""" + re.escape(stub_message(exercise))
                                 for exercise in EXERCISES))

    def reaches_a_stub(test) -> bool:
        return bool(STUB_MESSAGE.search(test.message) or raised.search(test.longrepr))

    failed = [test for test in run.results if test.outcome not in ("passed", "skipped")]
    through_stub = [test for test in failed if reaches_a_stub(test)]
    broken = [test for test in failed if not reaches_a_stub(test)]
    problems = [f"{test.nodeid}: {(test.message.splitlines() or [test.outcome])[0]}" for test in broken]
    summary = (f"{', '.join(subset)}: {len(run.results)} tests of no exercise: {passed} pass or skip, "
               f"{len(through_stub)} fail only by reaching a stub (they use exercise code), "
               f"{len(broken)} fail otherwise")
    return problems, summary


def _solution_lines(root: Path) -> dict[str, str]:
    """``{distinctive solution line: exercise id}``: region lines that the reference's code lacks.

    The reference's code outside the regions (its .py files and its notebooks' code cells) is the
    corpus: a solution line found in it, even inside a longer line (``a, b = ctx.inputs``,
    ``layers.Dense(64),``), is ordinary code that reveals nothing.
    """
    from course.paste import read_chunks

    corpus: list[str] = []
    solution: dict[str, str] = {}
    specs_by_file = regions_by_file()
    for name in project_files(root):
        if not name.endswith((".py", ".ipynb")):
            continue
        for lines in read_chunks(root / name):
            if name.endswith(".ipynb"):
                spans = marked_spans(lines, BEGIN_SOLUTION, END_SOLUTION, name)
            else:
                spans = reference_spans(lines, specs_by_file[name], name) if name in specs_by_file else []
            corpus.append(outside_text(lines, spans))
            for span in spans:
                for line in lines[span.first - 1:span.last]:
                    solution.setdefault(line.strip(), span.exercise_id)
    code = "\n".join(corpus)
    return {line: ex for line, ex in solution.items() if len(line) >= LEAK_MIN_CHARS and line not in code}


def check_no_leaks(root: Path, student: Path) -> list[str]:
    """(c): no distinctive solution line, and no SOLUTION marker, anywhere in the student tree."""
    solution = _solution_lines(root)
    problems = []
    for name in project_files(student):
        try:
            text = (student / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if name.endswith(".ipynb"):
            from course.paste import read_chunks

            text = "\n".join("".join(cell) for cell in read_chunks(student / name))
        hits = [line for line in solution if line in text]
        for number, line in enumerate(text.splitlines(), start=1):
            if BEGIN_SOLUTION.match(line) or END_SOLUTION.match(line):
                problems.append(f"{name}:{number}: a solution marker is left: {line.strip()!r}")
            problems += [f"{name}:{number}: line of {solution[hit]}'s solution: {hit!r}"
                         for hit in hits if hit in line]
    return problems


def check_grading(root: Path, student: Path, scratch: Path, jobs: int) -> list[str]:
    """(e): the reference gets full points and the untouched student tree zero, exercise by exercise."""
    grader = Grader(root, scratch / "grading")
    submissions = [("reference", root), ("untouched", student)]
    reference, untouched = grader.grade_many(submissions, EXERCISES, jobs=jobs)
    problems = []
    for exercise in EXERCISES:
        full, zero = reference.exercises[exercise.id], untouched.exercises[exercise.id]
        if abs(full.earned - exercise.points) > 1e-9:
            failing = [t.nodeid + ": " + (t.message.splitlines() or [t.outcome])[0]
                       for t in full.results if t.outcome != "passed"] + full.problems
            problems.append(f"{exercise.id}: the reference earns {fmt(full.earned)}/{exercise.points}: "
                            + "; ".join(failing[:3]))
        if zero.earned != 0:
            passing = [t.nodeid for t in zero.results if t.outcome == "passed"]
            problems.append(f"{exercise.id}: the untouched student tree earns {fmt(zero.earned)}: "
                            f"{', '.join(passing[:3])} pass with the stub")
    return problems


def _report(letter: str, what: str, problems: list[str], detail: str, seconds: float) -> bool:
    status = "ok" if not problems else f"FAILED ({len(problems)})"
    print(f"({letter}) {what}: {status} [{seconds:.1f} s]{' - ' + detail if detail else ''}", flush=True)
    for problem in problems[:SHOWN]:
        print(f"      {problem}")
    if len(problems) > SHOWN:
        print(f"      ... and {len(problems) - SHOWN} more")
    return not problems


def _timed(check, *args):
    """``(problems, summary, seconds)`` of one check (a check returns problems, or problems and a summary)."""
    step = time.perf_counter()
    found = check(*args)
    problems, summary = found if isinstance(found, tuple) else (found, "")
    return problems, summary, time.perf_counter() - step


def verify(root: Path, jobs: int = 1, keep: Path | None = None) -> bool:
    """Run checks (a) to (e) on the reference at ``root``; print a report; True when all pass.

    With ``jobs`` above 1, (b), the slowest, runs beside (a), (c) and (e); each still reports its
    own time.
    """
    start = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="course-verify-"))
    try:
        student = Path(keep) if keep is not None else scratch / "student"
        step = time.perf_counter()
        build(root, student)
        print(f"built the student tree in {student} [{time.perf_counter() - step:.1f} s]", flush=True)
        ok = _report("d", "table: ids, points, documents, visible tests", *_timed(check_table, root))
        with ThreadPoolExecutor(max_workers=2 if jobs > 1 else 1) as pool:
            others = pool.submit(_timed, check_others_pass, student)
            ok &= _report("a", "exercise tests fail with their stub", *_timed(check_stubs_fail, student))
            ok &= _report("c", "no solution line in the student tree", *_timed(check_no_leaks, root, student))
            ok &= _report("e", "grading: reference full, untouched student tree zero",
                          *_timed(check_grading, root, student, scratch, jobs))
            subset = f"fast subset: {len(SLOW_FILES)} slow files left out"
            ok &= _report("b", f"tests of no exercise pass ({subset})", *others.result())
        print(f"verify: {'passed' if ok else 'FAILED'} in {time.perf_counter() - start:.1f} s "
              f"({len(EXERCISES)} exercises, {sum(e.points for e in EXERCISES)} points)")
        return bool(ok)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
