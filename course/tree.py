"""The files of a project tree, the reference tree's root, and the exercise table read as regions per file."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from course.exercises import EXERCISES, Exercise

#: Never part of a tree: version control, virtual environments, caches, build outputs.
SKIPPED_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "build", "dist",
                ".hypothesis", ".mypy_cache", "node_modules"}
MANIFEST = "course/MANIFEST.json"


def repository_root() -> Path:
    """The root of the tree this ``course`` package belongs to (reference or student tree)."""
    return Path(__file__).resolve().parent.parent


def _skipped_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(".venv") or name.endswith(".egg-info")


def project_files(root: Path) -> list[str]:
    """The project's files under ``root``, relative POSIX paths, sorted.

    In a git checkout: the tracked files and the untracked ones git does not ignore (what a teacher
    would commit). Elsewhere (a student tree, an unpacked zip): every file outside ``SKIPPED_DIRS``.
    """
    root = Path(root)
    if (root / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
        files = {name for name in listed if name and (root / name).is_file()}
        return sorted(name for name in files if not any(_skipped_dir(part) for part in Path(name).parts[:-1]))
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(d))
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                found.append((Path(folder) / name).relative_to(root).as_posix())
    return sorted(found)


def regions_by_file(exercises: tuple[Exercise, ...] = EXERCISES) -> dict[str, list[tuple[str, str]]]:
    """``{path: [(exercise_id, region spec), ...]}`` for every region of ``exercises``."""
    from course.regions import split_spec

    by_file: dict[str, list[tuple[str, str]]] = {}
    for exercise in exercises:
        for spec in exercise.regions:
            path, _, _ = split_spec(spec)
            by_file.setdefault(path, []).append((exercise.id, spec))
    return by_file


def sha256_text(text: str) -> str:
    """The hex sha256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def select(only: str | list[str] | None) -> tuple[Exercise, ...]:
    """The exercises named in ``only`` ("ex01,ex02" or a list), all of them when None.

    Raises:
        ValueError: an id that is not in the table (the message lists the table's ids).
    """
    if not only:
        return EXERCISES
    wanted = [part.strip() for part in (only.split(",") if isinstance(only, str) else only) if part.strip()]
    known = {exercise.id for exercise in EXERCISES}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown exercise(s) {', '.join(unknown)}; "
                         f"the table has: {', '.join(sorted(known))}")
    return tuple(exercise for exercise in EXERCISES if exercise.id in wanted)
