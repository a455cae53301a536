"""The command line of ``python -m course``: build, check, grade, verify and table."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from course.tree import repository_root


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course", description=__import__("course").__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the student tree")
    build.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    build.add_argument("--only", help="exercise ids to stub, comma-separated (default: all)")
    check = commands.add_parser("check", help="run one exercise's visible tests (what a student runs)")
    check.add_argument("exercise", help="ex01, ex02, ...")
    check.add_argument("-v", "--verbose", action="store_true", help="show each failure's stack")
    grade = commands.add_parser("grade", help="grade a folder of submissions (student trees or zips)")
    grade.add_argument("submissions", type=Path, help="one folder or .zip per student, named by student id")
    grade.add_argument("--out", required=True, type=Path, help="the CSV to write")
    grade.add_argument("--feedback", type=Path, help="write a Markdown feedback file per student here")
    grade.add_argument("--gradescope", type=Path, help="write <student>/results.json (Gradescope) here")
    grade.add_argument("--seed", type=int, default=0, help="the hidden variants' seed (default 0)")
    grade.add_argument("--jobs", type=int, default=1, help="exercises graded at once (default 1)")
    grade.add_argument("--timeout", type=float, default=300.0, help="seconds per exercise (default 300)")
    grade.add_argument("--only", help="grade only these exercises, comma-separated")
    verify = commands.add_parser("verify", help="check that the student edition and the grader work")
    verify.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="exercises graded at once")
    verify.add_argument("--keep", type=Path,
                        help="build the student tree into this folder and keep it")
    commands.add_parser("table", help="print the points table as Markdown")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (0: success, 1: checks failed, 2: a usage error)."""
    args = _parser().parse_args(argv)
    try:
        return _run(args, repository_root())
    except (ValueError, FileExistsError, FileNotFoundError) as error:  # RegionError is a ValueError
        print(f"python -m course {args.command}: {error}", file=sys.stderr)
        return 2


def _reference_only(root: Path, command: str) -> None:
    """Refuse a teacher's command in a student tree (its regions are stubs: nothing to grade against)."""
    from course.tree import MANIFEST

    if (root / MANIFEST).exists():
        raise ValueError(f"{root} is a student tree (it has {MANIFEST}); run `python -m course {command}` "
                         "in the reference repository")


def _run(args, root: Path) -> int:
    if args.command == "build":
        from course.build import build

        manifest = build(root, args.out, args.only)
        count = sum(len(f["regions"]) for e in manifest["exercises"].values() for f in e["files"].values())
        print(f"wrote the student tree to {args.out}: {len(manifest['exercises'])} exercise(s), "
              f"{count} region(s) stubbed, {len(manifest['files'])} files")
        return 0
    if args.command == "check":
        from course.check import check

        return 0 if check(args.exercise, verbose=args.verbose).all_passed else 1
    if args.command == "grade":
        from course.grade import grade_all

        _reference_only(root, "grade")
        if not args.submissions.is_dir():
            raise FileNotFoundError(f"{args.submissions} is not a folder of submissions")
        grade_all(root, args.submissions, args.out, feedback=args.feedback, gradescope=args.gradescope,
                  seed=args.seed, jobs=args.jobs, timeout=args.timeout, only=args.only)
        print(f"wrote {args.out}")
        return 0
    if args.command == "verify":
        from course.verify import verify

        _reference_only(root, "verify")
        return 0 if verify(root, jobs=args.jobs, keep=args.keep) else 1
    from course.table import points_table

    sys.stdout.write(points_table())
    return 0
