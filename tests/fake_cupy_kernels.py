"""CuPy's ``ElementwiseKernel`` and ``ReductionKernel``, executed with NumPy (used by ``fake_cupy``).

CuPy compiles the body of a user kernel as CUDA C++. This module runs the small subset of it that
minigrad's kernels are written in, with C's arithmetic rules, so that a kernel gives on the CPU
what it gives on the GPU, up to the order of rounding in sums.

**Parameters** (``"T x, float32 m"``): a one-letter type is a placeholder, bound from the dtype of
the array passed for it (outputs first, then inputs, as CuPy does; one letter bound to two dtypes
raises ``TypeError: Type is mismatched``; scalars bind nothing and are converted to the
parameter's type). Any other type name goes through ``numpy.dtype``, as in CuPy: float16, float32,
float64, int32, int64 ...; an *array* passed for it must have exactly that dtype (CuPy converts
scalars, never arrays: ``TypeError: Type is mismatched``). Beware: ``float`` in a *parameter list*
is ``numpy.dtype("float")``, i.e. float64, while ``float`` in the *body* is C's 32-bit float.

**Body** (``operation`` of an ElementwiseKernel, ``post_map_expr`` of a ReductionKernel):
statements ``name = expr;`` or ``ctype name = expr;`` with ctype float16, float, double, int or a
placeholder. **Expressions**: ``+ - * /``, parentheses, identifiers, literals (``1.0`` is a double,
``1.0f`` a float, ``1`` an int), ``sqrt(e)``, ``rsqrt(e)`` and casts ``(ctype)name`` /
``(ctype)(expr)``.

**Arithmetic** follows C: both operands convert to the wider type (int < float < double); a
float16 value is read as a float (CuPy's ``float16`` class converts to ``float`` for arithmetic),
so half precision shows only where a value is stored: a float16 output, local or cast.

**Reductions**: ``map_expr`` is evaluated in its operands' own types, then converted to
``reduce_type`` (CuPy writes ``static_cast<reduce_type>(map_expr)``); the sum runs in
``reduce_type`` (default: the type of the first output, as in CuPy); ``post_map_expr`` sees the
sum as ``a``, the outputs and the scalar inputs (array inputs are out of scope there, as in the
CUDA code CuPy generates). Only ``reduce_expr="a + b"`` with identity ``0`` is supported.

Arrays here are NumPy arrays; ``fake_cupy`` converts its device arrays on the way in and out.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import operator
import re

import numpy as np

C_TYPES = {
    "float16": np.dtype(np.float16),
    "float": np.dtype(np.float32),
    "double": np.dtype(np.float64),
    "int": np.dtype(np.int32),
}
_CTYPE = r"float16|float|double|int|[A-Z]"
_CAST_OF_PARENS = re.compile(rf"\(\s*({_CTYPE})\s*\)\s*\(")  # (float)(x - m) -> _cast_float(x - m)
_CAST_OF_NAME = re.compile(rf"\(\s*({_CTYPE})\s*\)\s*([A-Za-z_]\w*)")  # (float)x -> _cast_float(x)
_FLOAT_LITERAL = re.compile(r"(?<![\w.])((?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)[fF](?!\w)")  # 1.0f
_STATEMENT = re.compile(  # [const] [ctype] name = expr
    rf"^(?:const\s+)?(?:(?P<ctype>{_CTYPE})\s+)?(?P<name>[A-Za-z_]\w*)\s*=(?!=)(?P<expr>.+)$", re.S
)
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_NUMPY_OP = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide}
_PYTHON_OP = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_FUNCTIONS = ("sqrt", "rsqrt")


# -- parameters and their types ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Param:
    """One kernel parameter: ``T x`` (placeholder ``T``) or ``float32 x`` (a concrete dtype)."""

    name: str
    placeholder: str | None
    dtype: np.dtype | None


def parse_params(text: str) -> tuple[Param, ...]:
    """Parse a CuPy parameter list such as ``"T x, float32 m"``.

    Raises:
        NotImplementedError: for ``raw`` parameters.
        ValueError: for a parameter that is not ``type name``.
    """
    params = []
    for piece in text.split(","):
        words = piece.split()
        if not words:
            continue
        if "raw" in words:
            raise NotImplementedError(f"fake_cupy does not run 'raw' parameters ({piece.strip()!r})")
        if len(words) != 2:
            raise ValueError(f"Syntax error: {piece.strip()}")
        type_name, name = words
        if len(type_name) == 1:
            params.append(Param(name, type_name, None))
        else:
            params.append(Param(name, None, np.dtype(type_name)))  # numpy's names: "float" is float64
    return tuple(params)


def bind_types(in_params, out_params, in_args, out_args) -> dict[str, np.dtype]:
    """Bind each type placeholder to the dtype of the arrays passed for it (outputs first).

    Raises:
        TypeError: if one placeholder meets two dtypes, or an array does not have the concrete
            dtype of its parameter (CuPy's "Type is mismatched").
    """
    types: dict[str, np.dtype] = {}
    for p, arg in [*zip(out_params, out_args), *zip(in_params, in_args)]:
        if not isinstance(arg, np.ndarray):
            continue
        if p.placeholder is None:
            if arg.dtype != p.dtype:
                raise TypeError(f"Type is mismatched. {p.name} {arg.dtype} {p.dtype}")
            continue
        bound = types.setdefault(p.placeholder, arg.dtype)
        if bound != arg.dtype:
            raise TypeError(f"Type is mismatched. {p.name} {arg.dtype} {bound} {p.placeholder}")
    return types


def dtype_of(param: Param, types: dict[str, np.dtype]) -> np.dtype:
    """The dtype of ``param`` once the placeholders are bound."""
    if param.dtype is not None:
        return param.dtype
    if param.placeholder not in types:
        raise TypeError(
            f"type placeholder {param.placeholder} of parameter {param.name!r} is bound by no array "
            f"argument (CuPy raises KeyError: {param.placeholder!r}): pass an array for it"
        )
    return types[param.placeholder]


def ctype_dtype(ctype: str, types: dict[str, np.dtype]) -> np.dtype:
    """The dtype of a C type name of the body (``float`` is float32) or of a bound placeholder."""
    if ctype in C_TYPES:
        return C_TYPES[ctype]
    if ctype in types:
        return types[ctype]
    raise NotImplementedError(f"fake_cupy does not know the C type {ctype!r}: use one of {sorted(C_TYPES)}")


# -- values: how C reads, stores and combines them ----------------------------------------------


def load(value):
    """A stored value as arithmetic sees it: float16 is read as float (CuPy's float16 class)."""
    value = np.asarray(value)
    return value.astype(np.float32) if value.dtype == np.float16 else value


def store(value, dtype: np.dtype) -> np.ndarray:
    """``value`` converted to ``dtype``, as an assignment to a variable of that type does."""
    return np.asarray(value).astype(dtype, copy=False)


def _common_type(a, b) -> np.dtype:
    """C's usual arithmetic conversions: the wider float, else the wider int (Python ints adapt)."""
    arrays = [x for x in (a, b) if not isinstance(x, int)]
    dtypes = [np.dtype(np.int32) if x.dtype.kind == "b" else x.dtype for x in arrays]
    floats = [d for d in dtypes if d.kind == "f"]
    return max(floats or dtypes, key=lambda d: d.itemsize)


def _arith(op: str, a, b):
    """``a op b`` in C: Python ints are int literals; arrays carry their C type as dtype."""
    if isinstance(a, int) and isinstance(b, int):
        return int(a / b) if op == "/" else _PYTHON_OP[op](a, b)
    dtype = _common_type(a, b)
    a = a if isinstance(a, int) else a.astype(dtype, copy=False)
    b = b if isinstance(b, int) else b.astype(dtype, copy=False)
    if op == "/" and dtype.kind in "iu":  # C's integer division truncates towards zero
        return np.trunc(np.true_divide(a, b)).astype(dtype)
    return _NUMPY_OP[op](a, b)


def _sqrt(x):
    x = np.asarray(x)
    return np.sqrt(x if x.dtype.kind == "f" else x.astype(np.float64))


def _rsqrt(x):
    root = _sqrt(x)
    return np.reciprocal(root)


# -- expressions and statements -----------------------------------------------------------------


class _Rewrite(ast.NodeTransformer):
    """Check that an expression stays inside the subset and route its arithmetic through ``_arith``."""

    def __init__(self, text: str):
        self.text = text

    def refuse(self, node):
        raise NotImplementedError(
            f"fake_cupy cannot run {ast.unparse(node)!r} in kernel expression {self.text!r}: it runs "
            "+ - * /, parentheses, names, literals, sqrt, rsqrt and casts (float)x / (float)(expr)"
        )

    def visit_Expression(self, node):
        node.body = self.visit(node.body)
        return node

    def visit_BinOp(self, node):
        if type(node.op) not in _BINARY:
            self.refuse(node)
        args = [ast.Constant(_BINARY[type(node.op)]), self.visit(node.left), self.visit(node.right)]
        return ast.Call(ast.Name("_arith", ast.Load()), args, [])

    def visit_UnaryOp(self, node):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            self.refuse(node)
        node.operand = self.visit(node.operand)
        return node

    def visit_Name(self, node):
        if node.id.startswith("_"):
            self.refuse(node)  # CuPy reserves names starting with "_" (and i, n) for its own use
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            self.refuse(node)
        if isinstance(node.value, float):  # 1.5 is a double in C
            return ast.Call(ast.Name("_double", ast.Load()), [node], [])
        return node

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "_float" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant):
            return node  # a 1.5f literal
        allowed = name in _FUNCTIONS or (name or "").startswith("_cast_")
        if not allowed or node.keywords or len(node.args) != 1:
            self.refuse(node)
        node.args = [self.visit(node.args[0])]
        return node

    def generic_visit(self, node):
        self.refuse(node)


@functools.cache
def compile_expression(text: str):
    """Translate a C expression of the subset to a Python code object (see the module docstring)."""
    source = _FLOAT_LITERAL.sub(r"_float(\1)", text.strip())
    source = _CAST_OF_PARENS.sub(r"_cast_\1(", source)
    source = _CAST_OF_NAME.sub(r"_cast_\1(\2)", source)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise NotImplementedError(f"fake_cupy cannot parse kernel expression {text!r} ({exc.msg})") from None
    tree = ast.fix_missing_locations(_Rewrite(text).visit(tree))
    return compile(tree, f"<kernel expression {text!r}>", "eval")


@dataclasses.dataclass(frozen=True)
class Statement:
    """``[ctype] name = expr``."""

    ctype: str | None
    name: str
    text: str
    code: object


@functools.cache
def compile_body(body: str) -> tuple[Statement, ...]:
    """Split a kernel body on ``;`` and compile each ``[ctype] name = expr`` statement."""
    statements = []
    for text in body.split(";"):
        text = text.strip()
        if not text:
            continue
        match = _STATEMENT.match(text)
        if match is None:
            raise NotImplementedError(
                f"fake_cupy cannot run the kernel statement {text!r}: write 'name = expr;' or "
                "'ctype name = expr;'"
            )
        statements.append(Statement(match["ctype"], match["name"], text, compile_expression(match["expr"])))
    return tuple(statements)


def _namespace(types: dict[str, np.dtype]) -> dict:
    """The helpers a translated expression calls, casts to every C type and bound placeholder."""
    names = {
        "_arith": _arith,
        "_float": lambda v: np.asarray(v, np.float32),
        "_double": lambda v: np.asarray(v, np.float64),
        "sqrt": _sqrt,
        "rsqrt": _rsqrt,
    }
    for ctype, dtype in {**C_TYPES, **types}.items():
        names[f"_cast_{ctype}"] = functools.partial(lambda v, dt: load(store(v, dt)), dt=dtype)
    return names


def evaluate(code, values: dict, types: dict[str, np.dtype], where: str):
    """Evaluate a compiled expression on ``values`` (loaded arrays and scalars)."""
    try:
        return eval(code, {"__builtins__": {}}, {**_namespace(types), **values})  # noqa: S307 (checked AST)
    except NameError as exc:
        raise NameError(f"{where}: {exc} (known here: {sorted(values)})") from None


class _Variables:
    """The variables of one kernel run: loaded values, declared dtypes, and which are inputs."""

    def __init__(self):
        self.values: dict = {}
        self.dtypes: dict[str, np.dtype] = {}
        self.inputs: set[str] = set()

    def declare(self, name: str, value, dtype: np.dtype, is_input: bool = False) -> None:
        self.values[name] = load(store(value, dtype))
        self.dtypes[name] = dtype
        if is_input:
            self.inputs.add(name)

    def run(self, statements, types: dict[str, np.dtype], where: str) -> None:
        """Execute ``statements`` in order; each assignment stores into the target's type."""
        for st in statements:
            if st.ctype is not None:
                if st.name in self.dtypes:
                    raise ValueError(f"{where}: {st.name!r} is declared twice ({st.text!r})")
                dtype = ctype_dtype(st.ctype, types)
            elif st.name in self.inputs:
                raise ValueError(f"{where}: input parameter {st.name!r} is const and cannot be assigned")
            elif st.name not in self.dtypes:
                raise NameError(f"{where}: {st.name!r} is assigned but is neither an output nor declared")
            else:
                dtype = self.dtypes[st.name]
            self.declare(st.name, evaluate(st.code, self.values, types, where), dtype)


def _check_out_arrays(out_params, out_args, shape) -> None:
    for p, out in zip(out_params, out_args):
        if not isinstance(out, np.ndarray):
            raise TypeError(f"Output arguments must be cupy.ndarray ({p.name!r} is {type(out)})")
        if out.shape != tuple(shape):
            raise ValueError(f"Out shape is mismatched: {p.name!r} is {out.shape}, expected {tuple(shape)}")


# -- the kernels ---------------------------------------------------------------------------------


class ElementwiseKernel:
    """``cupy.ElementwiseKernel`` on NumPy arrays (see the module docstring for the subset).

    Args:
        in_params: input parameter list, e.g. ``"T x, T m, T k"``.
        out_params: output parameter list, e.g. ``"T y"``.
        operation: the loop body, e.g. ``"float d = x - m; y = d * k;"``.
        name: the kernel's name (used in error messages).
        reduce_dims, options: accepted and ignored (they only tune the CUDA code).
        preamble, loop_prep, after_loop: must be empty (fake_cupy runs no free CUDA code).
        no_return: if True, calling returns None.
        return_tuple: if True, calling returns a tuple even for one output.

    Raises:
        NotImplementedError: for code outside the subset.
    """

    def __init__(self, in_params, out_params, operation, name="kernel", reduce_dims=True, preamble="",
                 no_return=False, return_tuple=False, loop_prep="", after_loop="", options=()):
        if preamble.strip() or loop_prep.strip() or after_loop.strip():
            raise NotImplementedError("fake_cupy runs no preamble, loop_prep or after_loop code")
        if not name.isidentifier():
            raise ValueError(f'Invalid kernel name: "{name}"')
        self.in_params = parse_params(in_params)
        self.out_params = parse_params(out_params)
        if "i" in [p.name for p in self.in_params + self.out_params]:
            raise ValueError("Can not use 'i' as a parameter name")
        self.nin, self.nout = len(self.in_params), len(self.out_params)
        self.nargs = self.nin + self.nout
        self.operation = operation
        self.name = name
        self.no_return, self.return_tuple = no_return, return_tuple
        self._body = compile_body(operation)

    def __call__(self, *args, size=None, block_size=None, stream=None):
        """Run the kernel: inputs broadcast together; outputs allocated unless passed after them.

        Returns:
            The output array (a tuple for several outputs or ``return_tuple``; None for ``no_return``).
        """
        if len(args) not in (self.nin, self.nargs):
            raise TypeError(f"Wrong number of arguments for {self.name!r}")
        if size is not None:
            raise NotImplementedError("fake_cupy does not run kernels with an explicit size")
        in_args, out_args = args[: self.nin], list(args[self.nin :])
        types = bind_types(self.in_params, self.out_params, in_args, out_args)
        arrays = [a for a in args if isinstance(a, np.ndarray)]
        if not arrays:
            raise ValueError("Loop size is undecided")
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        _check_out_arrays(self.out_params, out_args, shape)
        outs = out_args + [np.empty(shape, dtype_of(p, types)) for p in self.out_params[len(out_args) :]]
        variables = _Variables()
        for p, arg in zip(self.in_params, in_args):
            variables.declare(p.name, arg, dtype_of(p, types), is_input=True)
        for p, out in zip(self.out_params, outs):
            variables.declare(p.name, out, out.dtype)
        variables.run(self._body, types, f"ElementwiseKernel {self.name!r}")
        for p, out in zip(self.out_params, outs):
            np.copyto(out, np.broadcast_to(store(variables.values[p.name], out.dtype), shape))
        if self.no_return:
            return None
        return tuple(outs) if self.nout > 1 or self.return_tuple else outs[0]


class ReductionKernel:
    """``cupy.ReductionKernel`` on NumPy arrays, for sums (see the module docstring).

    Args:
        in_params, out_params: parameter lists (one output).
        map_expr: the value summed, e.g. ``"(float)x - m"``.
        reduce_expr: must be ``"a + b"``.
        post_map_expr: statements on the sum ``a``, e.g. ``"y = a"``.
        identity: must be ``"0"``.
        name: the kernel's name (used in error messages).
        reduce_type: C type of the sum (``"float"``, ``"double"`` or a placeholder); default: the
            output's type.
        reduce_dims, options: accepted and ignored; preamble: must be empty.

    Raises:
        NotImplementedError: for anything but a sum, or code outside the subset.
    """

    def __init__(self, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
                 name="reduce_kernel", reduce_type=None, reduce_dims=True, preamble="", options=()):
        if reduce_expr.replace(" ", "") != "a+b" or str(identity).strip() != "0":
            raise NotImplementedError(
                "fake_cupy runs sums only (reduce_expr 'a + b', identity '0'), "
                f"not {reduce_expr!r} / {identity!r}"
            )
        if preamble.strip():
            raise NotImplementedError("fake_cupy runs no preamble code")
        self.in_params = parse_params(in_params)
        self.out_params = parse_params(out_params)
        if len(self.out_params) != 1:
            raise NotImplementedError("fake_cupy runs reduction kernels with one output")
        self.nin, self.nout = len(self.in_params), 1
        self.nargs = self.nin + 1
        self.name = name
        self.reduce_type = reduce_type
        self._map = compile_expression(map_expr)
        self._post = compile_body(post_map_expr)

    def __call__(self, *args, out=None, axis=None, keepdims=False, stream=None):
        """Sum ``map_expr`` over ``axis`` of the broadcast inputs, then apply ``post_map_expr``.

        Returns:
            The output array.
        """
        if len(args) not in (self.nin, self.nargs):
            raise TypeError(f"Wrong number of arguments for {self.name!r}")
        in_args, out_args = args[: self.nin], list(args[self.nin :])
        if out is not None:
            if out_args:
                raise ValueError("cannot specify 'out' as both a positional and keyword argument")
            out_args = [out]
        types = bind_types(self.in_params, self.out_params, in_args, out_args)
        shape = np.broadcast_shapes(*(a.shape for a in in_args if isinstance(a, np.ndarray)))
        where = f"ReductionKernel {self.name!r}"
        inputs = _Variables()
        for p, arg in zip(self.in_params, in_args):
            inputs.declare(p.name, arg, dtype_of(p, types), is_input=True)
        out_param = self.out_params[0]
        reduce_dtype = (
            dtype_of(out_param, types) if self.reduce_type is None else ctype_dtype(self.reduce_type, types)
        )
        mapped = store(evaluate(self._map, inputs.values, types, f"{where} map_expr"), reduce_dtype)
        total = np.broadcast_to(mapped, shape).sum(
            axis=_reduce_axes(axis, len(shape)), dtype=reduce_dtype, keepdims=keepdims
        )
        _check_out_arrays(self.out_params, out_args, total.shape)
        result = out_args[0] if out_args else np.empty(total.shape, dtype_of(out_param, types))
        post = _Variables()  # in CuPy's code the array inputs are out of scope after the loop
        for p, arg in zip(self.in_params, in_args):
            if not isinstance(arg, np.ndarray):
                post.declare(p.name, arg, dtype_of(p, types), is_input=True)
        post.declare("a", total, reduce_dtype, is_input=True)
        post.declare(out_param.name, result, result.dtype)
        post.run(self._post, types, f"{where} post_map_expr (sees a, the outputs and scalar inputs)")
        np.copyto(result, np.broadcast_to(store(post.values[out_param.name], result.dtype), result.shape))
        return result


def _reduce_axes(axis, ndim: int) -> tuple[int, ...]:
    """Normalise ``axis`` (None, an int or a sequence) as CuPy does."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    normalized = []
    for ax in axes:
        ax = operator.index(ax)
        if not -ndim <= ax < ndim:
            raise np.exceptions.AxisError(ax, ndim)
        normalized.append(ax % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError("duplicate value in 'axis'")
    return tuple(sorted(normalized))
