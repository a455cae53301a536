"""ex04: the tape's backward walk (``GradientTape._backward``).

The graphs here are built from small ops defined in this file (their backwards are given,
written in these same ops so that nested tapes work), so the test depends on no other
exercise: only the walk is the student's. Every leaf and every intermediate of each graph
is a source, and each gradient is compared, in one table, with central differences of the
same graph evaluated in NumPy with that node perturbed. Sources the target does not depend
on must get None.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from course.diagnose import as_array, mismatch
from minigrad.ops.base import Op, apply


# -- the ops of the test graphs (nameless: kept out of minigrad's op registry) -------------------------
class _Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return mul(g, b), mul(g, a)


class _Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class _Exp(Op):
    @staticmethod
    def forward(ctx, x):
        return ctx.xp.exp(x)

    @staticmethod
    def backward(ctx, g):
        return mul(g, ctx.output)


class _Sin(Op):
    @staticmethod
    def forward(ctx, x):
        return ctx.xp.sin(x)

    @staticmethod
    def backward(ctx, g):
        return mul(g, cos(ctx.inputs[0]))


class _Cos(Op):
    @staticmethod
    def forward(ctx, x):
        return ctx.xp.cos(x)

    @staticmethod
    def backward(ctx, g):
        return mul(g, mul(sin(ctx.inputs[0]), mg.tensor(-1.0, dtype="float64")))


class _SinAndSquare(Op):
    """Two outputs: (sin x, x * x)."""

    multiple_outputs = True

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.sin(x), x * x

    @staticmethod
    def backward(ctx, g_sin, g_square):
        x = ctx.inputs[0]
        return add(mul(g_sin, cos(x)), mul(g_square, add(x, x)))


class _MulFloat32Gradient(Op):
    """``a * b`` whose backward returns float32 gradients: the walk casts them to the inputs' dtype."""

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return mg.cast(mul(g, b), "float32"), mg.cast(mul(g, a), "float32")


class _ArrayGradient(Op):
    """A broken op whose backward returns a NumPy array instead of a Tensor."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, g):
        return 2 * g.numpy()


def mul(a, b):
    return apply(_Mul, a, b)


def add(a, b):
    return apply(_Add, a, b)


def exp(x):
    return apply(_Exp, x)


def sin(x):
    return apply(_Sin, x)


def cos(x):
    return apply(_Cos, x)


MG = {"mul": mul, "add": add, "exp": exp, "sin": sin, "pair": lambda x: apply(_SinAndSquare, x)}
NP = {"mul": np.multiply, "add": np.add, "exp": np.exp, "sin": np.sin, "pair": lambda x: (np.sin(x), x * x)}

#: name: (leaves, nodes, target). A node is (output name(s), op, input names).
GRAPHS = {
    "chain": (["x"], [("a", "exp", ("x",)), ("b", "sin", ("a",)), ("y", "mul", ("b", "b"))], "y"),
    "diamond": (["x"], [("a", "exp", ("x",)), ("b", "sin", ("x",)), ("c", "mul", ("a", "b")),
                        ("y", "add", ("c", "a"))], "y"),
    "same_input_twice": (["x", "w"], [("a", "mul", ("x", "x")), ("b", "mul", ("a", "x")),
                                      ("y", "add", ("b", "w"))], "y"),
    "two_leaves_shared_intermediate": (["x", "z"], [("a", "mul", ("x", "z")), ("b", "exp", ("a",)),
                                                    ("c", "mul", ("b", "a")), ("y", "add", ("c", "b"))], "y"),
    "unconnected_sources": (["x", "u"], [("dead", "exp", ("u",)), ("a", "sin", ("x",)),
                                         ("side", "mul", ("a", "dead")), ("y", "mul", ("a", "x"))], "y"),
    "two_outputs_one_used": (["x"], [(("s", "q"), "pair", ("x",)), ("y", "exp", ("s",))], "y"),
    "two_outputs_both_used": (["x"], [(("s", "q"), "pair", ("x",)), ("y", "mul", ("s", "q"))], "y"),
}


def evaluate(graph, leaves: dict, ops: dict, perturb: tuple | None = None) -> dict:
    """All node values; ``perturb = (name, delta)`` adds delta to that node once it is computed."""
    names, nodes, _ = graph
    values = dict(leaves)
    if perturb and perturb[0] in values:
        values[perturb[0]] = values[perturb[0]] + perturb[1]
    for out, op, ins in nodes:
        result = ops[op](*(values[i] for i in ins))
        for name, value in zip((out,) if isinstance(out, str) else out,
                               (result,) if isinstance(out, str) else result):
            values[name] = value + perturb[1] if perturb and perturb[0] == name else value
    return values


def connected(graph) -> set:
    """The nodes the target depends on."""
    _, nodes, target = graph
    needed = {target}
    for out, _, ins in reversed(nodes):
        if needed & ({out} if isinstance(out, str) else set(out)):
            needed.update(ins)
    return needed


def numeric(graph, leaves: dict, name: str, upstream, eps=1e-6) -> np.ndarray:
    base = evaluate(graph, leaves, NP)
    grad = np.zeros_like(base[name])
    for index in np.ndindex(*grad.shape):
        delta = np.zeros_like(grad)
        delta[index] = eps
        plus = evaluate(graph, leaves, NP, (name, delta))[graph[2]]
        minus = evaluate(graph, leaves, NP, (name, -delta))[graph[2]]
        grad[index] = np.sum((plus - minus) * upstream) / (2 * eps)
    return grad


def check_graph(name: str, seed: int = 0, shape=(2, 3)) -> None:
    graph = GRAPHS[name]
    rng = np.random.default_rng(seed)
    leaves = {leaf: rng.uniform(-1.0, 1.0, size=shape) for leaf in graph[0]}
    upstream = rng.normal(size=shape)
    with mg.GradientTape() as tape:
        tensors = {k: mg.tensor(v, dtype="float64") for k, v in leaves.items()}
        tape.watch(list(tensors.values()))
        values = evaluate(graph, tensors, MG)
    sources = [n for n in values if n != graph[2]]
    got = tape.gradient(values[graph[2]], [values[n] for n in sources],
                        output_gradients=mg.tensor(upstream, dtype="float64"))
    live = connected(graph)
    lines, failed = [], False
    for source, g in zip(sources, got):
        kind = "leaf" if source in graph[0] else "intermediate"
        if source not in live:
            line = None if g is None else (
                f"{source}: expected None (the target does not depend on it), got a gradient")
        elif g is None:
            line = f"{source}: got None, but the target depends on it"
        else:
            line = mismatch(source, as_array(g), numeric(graph, leaves, source, upstream), 1e-5, 1e-7)
        failed |= line is not None
        lines.append(f"  [{kind}] {line}" if line else f"  [{kind}] {source}: ok")
    assert not failed, f"graph {name!r}: the gradient of every leaf and intermediate\n" + "\n".join(lines)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_gradient_of_the_graph(name):
    check_graph(name)


def test_a_long_chain_needs_no_recursion():
    """3000 ops in a row: the walk is a loop over the record, not a recursion (limit ~1000)."""
    x = mg.tensor(np.array([0.5, -1.0]), dtype="float64")
    one = mg.tensor(np.array([1.0, 1.0]), dtype="float64")
    with mg.GradientTape() as tape:
        tape.watch(x)
        h = x
        for _ in range(3000):
            h = mul(h, one)
        y = mul(h, x)
    got = tape.gradient(y, x)
    assert got is not None, "the gradient of x through 3000 ops is None"
    assert mismatch("d(x*x)/dx through a 3000-op chain", got, 2 * x.numpy()) is None, (
        mismatch("d(x*x)/dx through a 3000-op chain", got, 2 * x.numpy()))


def test_gradients_take_their_input_dtype():
    """A backward may return another dtype; the walk fits it to the input (float64 here)."""
    x = mg.tensor(np.array([1.5, -2.0]), dtype="float64")
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = apply(_MulFloat32Gradient, x, x)
    got = tape.gradient(y, x)
    assert got is not None and got.dtype == "float64", (
        f"d(x*x)/dx has dtype {None if got is None else got.dtype}; a gradient must have its input's "
        "dtype (float64): fit each returned gradient to its input before adding it (_fit)")
    assert mismatch("d(x*x)/dx", got, 2 * x.numpy(), 1e-6, 1e-6) is None


def test_a_gradient_that_is_not_a_tensor_is_an_error():
    """_fit explains it: a backward must return Tensors (an outer tape records them)."""
    x = mg.tensor(np.array([1.0, 2.0]), dtype="float64")
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = apply(_ArrayGradient, x)
    with pytest.raises(mg.errors.ArgumentTypeError, match="must return minigrad Tensors"):
        tape.gradient(y, x)


def test_a_broadcast_input_gets_a_gradient_of_its_own_shape():
    """x (3,) times w (2, 3): the walk fits x's (2, 3) gradient to (3,) (un-broadcasting, ex03's)."""
    x0, w0 = np.array([1.0, -2.0, 0.5]), np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    x = mg.tensor(x0, dtype="float64")
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = mul(x, mg.tensor(w0, dtype="float64"))
    got = tape.gradient(y, x)
    assert got is not None, "the gradient of the broadcast input is None"
    line = mismatch("d(sum(x * w))/dx for x (3,) broadcast against w (2, 3)", got, w0.sum(axis=0))
    assert line is None, line


@pytest.mark.parametrize("fn,first,second", [
    ("x * exp(x)", lambda x: np.exp(x) * (1 + x), lambda x: np.exp(x) * (2 + x)),
    ("x * sin(x)", lambda x: np.cos(x) * x + np.sin(x), lambda x: 2 * np.cos(x) - x * np.sin(x)),
])
def test_nested_tapes_give_second_derivatives(fn, first, second):
    x0 = np.array([0.3, -0.7, 1.2])
    r, w = np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -1.5])
    x = mg.tensor(x0, dtype="float64")
    with mg.GradientTape() as outer:
        outer.watch(x)
        with mg.GradientTape() as inner:
            inner.watch(x)
            y = mul(x, exp(x) if "exp" in fn else sin(x))
        dx = inner.gradient(y, x, output_gradients=mg.tensor(r, dtype="float64"))
    assert dx is not None, f"d({fn})/dx is None"
    d2 = outer.gradient(dx, x, output_gradients=mg.tensor(w, dtype="float64"))
    lines = [mismatch(f"d({fn})/dx", dx, r * first(x0), 1e-9, 1e-12),
             "second derivative: None (the outer tape did not record the inner walk)" if d2 is None else
             mismatch(f"d2({fn})/dx2", d2, r * w * second(x0), 1e-9, 1e-12)]
    assert lines == [None, None], "nested tapes\n" + "\n".join(
        f"  {line or ['first derivative', 'second derivative'][i] + ': ok'}" for i, line in enumerate(lines))


@pytest.mark.hidden
@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_gradient_of_the_graph_random(name, course_seed):
    rng = np.random.default_rng(course_seed)
    shape = tuple(int(s) for s in rng.integers(1, 4, size=int(rng.integers(1, 3))))
    check_graph(name, seed=int(rng.integers(2**31)), shape=shape)
