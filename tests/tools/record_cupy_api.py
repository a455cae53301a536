"""Record the public API of the installed CuPy into ``tests/data/cupy_api.json``.

``tests/fake_cupy.py`` reads that file to refuse what CuPy lacks: a name, an ndarray method,
a random-generator method or a keyword argument. Run it with a Python that has CuPy (no GPU
is needed: it only imports and inspects)::

    /tmp/cupyenv/bin/python tests/tools/record_cupy_api.py

The file holds, sorted and indented:

- ``cupy_version``;
- ``namespaces``: the public names of ``cupy``, ``cupyx``, ``cupy.linalg``, ``cupy.random``,
  ``cupy.lib``, ``cupy.lib.stride_tricks``, ``cupy.cuda`` and ``cupy.cuda.runtime``;
- ``classes``: the public attributes of ``cupy.ndarray``, ``cupy.random.Generator`` and
  ``cupy.ufunc`` (``at``, ``reduce``, ...);
- ``ufuncs``: the names in ``cupy`` that are ``cupy.ufunc`` objects;
- ``ufunc_scatter_ops``: the ufuncs whose ``.at`` works (CuPy implements ``ufunc.at`` as a
  scatter operation, ``"add"``, ``"sub"``, ``"max"`` or ``"min"``; the others raise
  NotImplementedError);
- ``signatures``: for each callable whose parameters can be read, its parameter list in
  Python syntax without defaults, e.g. ``["x1", "x2", "/", "out", "*", "casting", "dtype"]``.
  Parameters come from ``inspect.signature``; Cython callables and ufuncs, which it cannot
  read, and functions that only say ``**kwargs`` (``einsum``) are read from the first line of
  their docstring, which CuPy writes as a signature.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from pathlib import Path

import cupy
import cupyx

OUT = Path(__file__).resolve().parents[1] / "data" / "cupy_api.json"

NAMESPACES = {
    "cupy": cupy,
    "cupyx": cupyx,
    "cupy.linalg": cupy.linalg,
    "cupy.random": cupy.random,
    "cupy.lib": cupy.lib,
    "cupy.lib.stride_tricks": cupy.lib.stride_tricks,
    "cupy.cuda": cupy.cuda,
    "cupy.cuda.runtime": cupy.cuda.runtime,
}
# namespaces whose callables get a recorded signature (cupyx and cupy.cuda only need names)
SIGNED = ("cupy", "cupy.linalg", "cupy.random", "cupy.lib.stride_tricks")
CLASSES = {
    "cupy.ndarray": cupy.ndarray,
    "cupy.random.Generator": cupy.random.Generator,
    "cupy.ufunc": cupy.ufunc,
}


def public_names(obj) -> list[str]:
    """The names of ``obj`` that do not start with an underscore, sorted."""
    return sorted(name for name in dir(obj) if not name.startswith("_"))


def params_of(signature: inspect.Signature, drop_self: bool = False) -> list[str]:
    """A parameter list in Python syntax without defaults: ``["a", "/", "b", "*", "c", "**kw"]``."""
    out: list[str] = []
    params = list(signature.parameters.values())
    if drop_self and params and params[0].name == "self":
        params = params[1:]
    star_written = False
    for i, p in enumerate(params):
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
            star_written = True
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            if p.kind is p.KEYWORD_ONLY and not star_written:
                out.append("*")
                star_written = True
            out.append(p.name)
        following = params[i + 1] if i + 1 < len(params) else None
        if p.kind is p.POSITIONAL_ONLY and (following is None or following.kind is not p.POSITIONAL_ONLY):
            out.append("/")
    return out


def params_from_docstring(obj) -> list[str] | None:
    """The parameter list of the ``name(...)`` signature on the first line of ``obj``'s docstring.

    The name may differ from the attribute's (``cupy.abs.__doc__`` starts ``absolute(x, /, ...)``).
    """
    first = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    match = re.match(r"^[\w.]*\w\((.*)\)(?:\s*->.*)?$", first[0]) if first else None
    if not match:
        return None
    text = match.group(1).replace("\\*", "*")
    # Cython writes types before names ("_ndarray_base a", "bint keepdims=False"): keep the names
    parts = [re.sub(r"^[\w.]+\s+(?=\**\w)", "", part.strip()) for part in _split_top_level(text)]
    try:
        tree = ast.parse(f"def f({', '.join(parts)}): pass")
    except SyntaxError:
        return None
    arguments = tree.body[0].args
    signature = inspect.Signature(_ast_parameters(arguments))
    return params_of(signature, drop_self=True)


def _split_top_level(text: str) -> list[str]:
    """Split ``text`` on the commas that are not inside brackets or quotes."""
    parts, depth, current, quote = [], 0, "", None
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    if current.strip():
        parts.append(current)
    return parts


def _ast_parameters(a: ast.arguments) -> list[inspect.Parameter]:
    P = inspect.Parameter
    params = [P(x.arg, P.POSITIONAL_ONLY) for x in a.posonlyargs]
    params += [P(x.arg, P.POSITIONAL_OR_KEYWORD) for x in a.args]
    if a.vararg:
        params.append(P(a.vararg.arg, P.VAR_POSITIONAL))
    params += [P(x.arg, P.KEYWORD_ONLY) for x in a.kwonlyargs]
    if a.kwarg:
        params.append(P(a.kwarg.arg, P.VAR_KEYWORD))
    return params


def signature_of(obj) -> list[str] | None:
    """The parameter list of callable ``obj``, or None where neither inspect nor the docstring says."""
    try:
        params = params_of(inspect.signature(obj), drop_self=True)
    except (TypeError, ValueError):
        params = None
    if params is None or any(p.startswith("**") for p in params):
        from_doc = params_from_docstring(obj)
        if from_doc is not None:
            return from_doc
    return params


def record() -> dict:
    """Inspect the installed CuPy and return the API record (see the module docstring)."""
    signatures: dict[str, list[str]] = {}
    for qual in SIGNED:
        module = NAMESPACES[qual]
        for name in public_names(module):
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type) and not inspect.ismodule(obj):
                params = signature_of(obj)
                if params is not None:
                    signatures[f"{qual}.{name}"] = params
    for qual, cls in CLASSES.items():
        for name in public_names(cls):
            obj = getattr(cls, name)
            if callable(obj) and not isinstance(obj, type):
                params = signature_of(obj)
                if params is not None:
                    signatures[f"{qual}.{name}"] = params
    ufuncs = [n for n in public_names(cupy) if isinstance(getattr(cupy, n), cupy.ufunc)]
    return {
        "cupy_version": cupy.__version__,
        "namespaces": {qual: public_names(module) for qual, module in NAMESPACES.items()},
        "classes": {qual: public_names(cls) for qual, cls in CLASSES.items()},
        "ufuncs": sorted(ufuncs),
        "ufunc_scatter_ops": {n: op for n in ufuncs if (op := getattr(cupy, n)._scatter_op)},
        "signatures": signatures,
    }


def to_json(data: dict) -> str:
    """Sorted, indented JSON; a short list of names (a signature) stays on one line."""
    text = json.dumps(data, indent=1, sort_keys=True)

    def one_line(match: re.Match) -> str:
        items = re.findall(r'"[^"]*"', match.group(0))
        return "[" + ", ".join(items) + "]" if len(items) <= 12 else match.group(0)

    return re.sub(r'\[\s*(?:"[^"]*"\s*,?\s*)*\]', one_line, text) + "\n"


def main() -> int:
    data = record()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(to_json(data))
    print(f"wrote {OUT} (CuPy {data['cupy_version']}: {len(data['signatures'])} signatures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
