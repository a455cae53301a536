"""Where an exercise lives in a source file: finding regions, and cutting or pasting their lines.

A region is named in the exercise table either as a whole function (``path::Qualified.name``: the
lines of its body after the docstring, found with ``ast``) or as marked blocks (``path#exNN``: the
lines between ``### BEGIN SOLUTION exNN`` and ``### END SOLUTION``). In a student tree both kinds
are wrapped in ``### BEGIN EXERCISE exNN`` / ``### END EXERCISE exNN`` around a stub.

Lines are lists of strings with their line endings; line numbers are 1-based and inclusive.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

BEGIN_SOLUTION = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION (?P<id>ex\d+)[ \t]*$")
END_SOLUTION = re.compile(r"^[ \t]*### END SOLUTION\b.*$")
BEGIN_EXERCISE = re.compile(r"^(?P<indent>[ \t]*)### BEGIN EXERCISE (?P<id>ex\d+)[ \t]*$")
END_EXERCISE = re.compile(r"^[ \t]*### END EXERCISE (?P<id>ex\d+)[ \t]*$")


class RegionError(ValueError):
    """A region of the exercise table that cannot be found or cut (the message says which and why)."""


@dataclass(frozen=True)
class Span:
    """Lines ``first..last`` (1-based, inclusive) are the region's code; ``indent`` is its indentation.

    ``outer_first..outer_last`` also cover the marker lines when the region is marked (equal to
    ``first..last`` for a whole-function region in the reference). ``first == last + 1`` is an
    empty region (markers with nothing between them).
    """

    exercise_id: str
    first: int
    last: int
    indent: str
    outer_first: int
    outer_last: int


def split_spec(spec: str) -> tuple[str, str, str]:
    """``("path", "function", "Qualified.name")`` or ``("path", "marker", "exNN")`` of a region spec."""
    if "::" in spec:
        path, name = spec.split("::", 1)
        return path, "function", name
    if "#" in spec:
        path, exercise_id = spec.rsplit("#", 1)
        return path, "marker", exercise_id
    raise RegionError(f"region {spec!r} names neither a function (path::Qualified.name) "
                      "nor markers (path#exNN)")


def _find_function(tree: ast.Module, qualified: str, where: str):
    """The ``FunctionDef`` at ``qualified`` ("Class.method", "outer.inner", "outer.<locals>.inner")."""
    node = tree
    parts = [part for part in qualified.split(".") if part != "<locals>"]
    for part in parts:
        body = getattr(node, "body", [])
        found = [child for child in body if getattr(child, "name", None) == part
                 and isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
        if not found:
            raise RegionError(f"{where}: no function or class {part!r} on the path {qualified!r}")
        node = found[-1]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise RegionError(f"{where}: {qualified!r} is a class, not a function; name one of its methods")
    return node


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def function_span(lines: list[str], qualified: str, exercise_id: str, where: str) -> Span:
    """The body of function ``qualified`` after its docstring, in ``lines`` (a reference file)."""
    tree = ast.parse("".join(lines), filename=where)
    node = _find_function(tree, qualified, where)
    body = node.body
    has_docstring = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                     and isinstance(body[0].value.value, str))
    code = body[1:] if has_docstring else body
    if not code:
        raise RegionError(f"{where}: {qualified} has no code after its docstring to make an exercise of")
    header_last = body[0].end_lineno if has_docstring else node.lineno
    first = code[0].lineno
    if first <= header_last:
        raise RegionError(f"{where}: {qualified}'s body shares a line with its header or docstring; "
                          "put it on lines of its own")
    # comment and blank lines just above the first statement belong to the body (they may explain it)
    while first - 1 > header_last and lines[first - 2].strip()[:1] in ("", "#"):
        first -= 1
    while not lines[first - 1].strip():
        first += 1
    last = node.end_lineno
    return Span(exercise_id, first, last, _indent_of(lines[code[0].lineno - 1]), first, last)


def marked_spans(lines: list[str], begin: re.Pattern, end: re.Pattern, where: str,
                 exercise_id: str | None = None) -> list[Span]:
    """Every marked block in ``lines`` (all exercises, or only ``exercise_id``)."""
    spans, open_at = [], None
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        match = begin.match(text)
        if match:
            if open_at is not None:
                raise RegionError(f"{where}:{number}: a BEGIN marker inside the block opened on line "
                                  f"{open_at[0]}")
            open_at = (number, match["id"], match["indent"])
        elif end.match(text):
            if open_at is None:
                raise RegionError(f"{where}:{number}: an END marker without its BEGIN")
            start, found_id, indent = open_at
            closing = end.match(text).groupdict().get("id")
            if closing is not None and closing != found_id:
                raise RegionError(f"{where}:{number}: END EXERCISE {closing} closes "
                                  f"BEGIN EXERCISE {found_id}")
            if exercise_id is None or found_id == exercise_id:
                spans.append(Span(found_id, start + 1, number - 1, indent, start, number))
            open_at = None
    if open_at is not None:
        raise RegionError(f"{where}:{open_at[0]}: BEGIN marker of {open_at[1]} is never closed")
    return spans


def reference_spans(lines: list[str], specs: list[tuple[str, str]], where: str) -> list[Span]:
    """The spans of the regions ``specs`` (``(exercise_id, spec)``) in a reference file, in line order.

    Raises:
        RegionError: a region that is not there, or two regions that overlap.
    """
    spans = []
    for exercise_id, spec in specs:
        _, kind, name = split_spec(spec)
        if kind == "function":
            spans.append(function_span(lines, name, exercise_id, where))
            continue
        found = marked_spans(lines, BEGIN_SOLUTION, END_SOLUTION, where, name)
        if not found:
            raise RegionError(f"{where}: region {spec!r} of {exercise_id}: "
                              f"no '### BEGIN SOLUTION {name}' marker")
        spans.extend(found)
    spans.sort(key=lambda span: span.outer_first)
    for before, after in zip(spans, spans[1:]):
        if after.outer_first <= before.outer_last:
            raise RegionError(f"{where}: regions of {before.exercise_id} (lines {before.outer_first}-"
                              f"{before.outer_last}) and {after.exercise_id} "
                              f"(from line {after.outer_first}) overlap")
    return spans


def stub_lines(exercise_id: str, indent: str, message: str, newline: str = "\n") -> list[str]:
    """The student's version of a region: markers around one ``raise NotImplementedError``."""
    literal = '"' + message.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return [f"{indent}### BEGIN EXERCISE {exercise_id}{newline}",
            f"{indent}raise NotImplementedError({literal}){newline}",
            f"{indent}### END EXERCISE {exercise_id}{newline}"]


def newline_of(lines: list[str]) -> str:
    """The file's line ending ("\\r\\n" or "\\n")."""
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def outside_text(lines: list[str], spans: list[Span]) -> str:
    """The file without the code inside its regions (marker lines kept): what the manifest hashes."""
    inside = set()
    for span in spans:
        inside.update(range(span.first, span.last + 1))
    return "".join(line for number, line in enumerate(lines, start=1) if number not in inside)
