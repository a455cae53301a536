"""Bad-input campaign over the engine's public API (``minigrad`` and its public submodules).

Runs several hundred calls with bad arguments and prints one row per call:

    call | outcome | message

where the outcome is ``named`` (a MinigradError subclass: what we want), ``RAW <Class>``
(a Python/NumPy error escaped), ``ACCEPTED`` (no error: silent acceptance), or, for calls
listed as legitimate (``ok=True``: NumPy/TF/PyTorch accept them too), ``ok`` / ``ok-named``.
The totals at the end count each kind.

    PYTHONPATH=$PWD python tests/tools/bad_input_campaign_engine.py [--only-escapes]
"""

# ruff: noqa: E501  (a table of calls: one call a line reads best)
from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad.errors import MinigradError

CASES: list = []  # (label, thunk, ok): ok=True marks a call that is legitimately accepted


def case(label: str, ok: bool = False):
    def deco(fn):
        CASES.append((label, fn, ok))
        return fn
    return deco


def add(label: str, fn, ok: bool = False) -> None:
    CASES.append((label, fn, ok))


def x44():
    return mg.tensor(np.arange(16, dtype="float32").reshape(4, 4) / 10)


def x3():
    return mg.tensor([1.0, 2.0, 3.0])


BAD_BOOLS = ["no", "False", None, 1, 0, 2.0, [True], np.array([True, False])]
BAD_INTS = ["1", None, 1.5, float("nan"), float("inf"), True, [1], object()]
BAD_FLOATS = ["0.1", None, float("nan"), float("inf"), -float("inf"), True, [0.1], complex(1, 1)]
BAD_AXES = [5, -5, 1.0, "0", (0, 0), (0, 5), [0.5], True, (0, -2), object()]
BAD_DATA = [None, "abc", ["a", "b"], [[1, 2], [3]], object(), {"a": 1}, [None, 1.0],
            np.array(["a"]), np.array([1 + 2j]), np.array([object()], dtype=object), 1 + 2j,
            {1.0, 2.0}, b"bytes"]
BAD_DTYPES = ["float", "floaty", None, 5, "complex64", "object", "str", "U3", np.str_, "int33"]
BAD_DEVICES = ["gpu", "CPU", "cuda:x", "cuda:1", 0, None, ["cpu"], "tpu", ""]

# -- tensor / creation ----------------------------------------------------------------
for d in BAD_DATA:
    add(f"tensor({d!r:.40})", lambda d=d: mg.tensor(d))
for dt in BAD_DTYPES:
    add(f"tensor([1.], dtype={dt!r})", lambda dt=dt: mg.tensor([1.0], dtype=dt), ok=dt in (None, "float"))
for dev in BAD_DEVICES:
    add(f"tensor([1.], device={dev!r})", lambda dev=dev: mg.tensor([1.0], device=dev), ok=dev is None)
add("tensor(2**70)", lambda: mg.tensor(2 ** 70))
add("tensor([1., 2.], dtype='int32') (fractions truncated)", lambda: mg.tensor([1.5, 2.5], dtype="int32"), ok=True)
for fn in ("zeros", "ones"):
    for shape in [-1, (2, -1), 2.5, "3", None, (2.0, 3), [None], (True, 2), object()]:
        add(f"{fn}({shape!r})", lambda fn=fn, shape=shape: getattr(mg, fn)(shape))
    for dt in ["floaty", 5, "object", "str"]:
        add(f"{fn}(2, dtype={dt!r})", lambda fn=fn, dt=dt: getattr(mg, fn)(2, dtype=dt))
    add(f"{fn}(2, device='gpu')", lambda fn=fn: getattr(mg, fn)(2, device="gpu"))
    add(f"{fn}(())", lambda fn=fn: getattr(mg, fn)(()), ok=True)
    add(f"{fn}(0)", lambda fn=fn: getattr(mg, fn)(0), ok=True)
for v in ["a", None, [1, 2], object(), 1 + 1j]:
    add(f"full(2, {v!r})", lambda v=v: mg.full(2, v))
add("full(-1, 0.)", lambda: mg.full(-1, 0.0))
for args in [("a",), (None,), (0, 10, 0), (0, 10, "1"), (0, float("inf")), (float("nan"),),
             (0, 10, -1), (0, 10, 1e-300)]:
    add(f"arange{args!r}", lambda args=args: mg.arange(*args), ok=args == (0, 10, -1))
for args in [(-1,), (2.5,), ("3",), (None,), (True,), (3, -1), (3, 2.5), (3, "x")]:
    add(f"eye{args!r}", lambda args=args: mg.eye(*args))
for args in [(0, 1, -1), (0, 1, 2.5), (0, 1, "5"), ("a", 1), (0, float("nan")), (0, float("inf")), (None, 1),
             (0, 1, None), (0, 1, True)]:
    add(f"linspace{args!r}", lambda args=args: mg.linspace(*args))
add("linspace(0, 1, 0)", lambda: mg.linspace(0, 1, 0), ok=True)
for fn in ("zeros_like", "ones_like"):
    add(f"{fn}(None)", lambda fn=fn: getattr(mg, fn)(None))
    add(f"{fn}('abc')", lambda fn=fn: getattr(mg, fn)("abc"))
    add(f"{fn}(x, dtype='floaty')", lambda fn=fn: getattr(mg, fn)(x3(), dtype="floaty"))
    add(f"{fn}([1., 2.])", lambda fn=fn: getattr(mg, fn)([1.0, 2.0]), ok=True)
add("full_like(x, 'a')", lambda: mg.full_like(x3(), "a"))
add("full_like(x, None)", lambda: mg.full_like(x3(), None))
add("full_like(x, [1,2])", lambda: mg.full_like(x3(), [1, 2]))
add("full_like(None, 1.)", lambda: mg.full_like(None, 1.0))

# -- tensor methods and operators --------------------------------------------------------
for other in [None, "a", object(), [1, 2], [[1.0]] * 5, np.ones((5,)), {1: 2}, 1 + 1j, [None]]:
    for opname, op in [("+", lambda a, b: a + b), ("-", lambda a, b: a - b), ("*", lambda a, b: a * b),
                       ("/", lambda a, b: a / b), ("**", lambda a, b: a ** b), ("@", lambda a, b: a @ b),
                       ("<", lambda a, b: a < b), ("==", lambda a, b: a == b)]:
        # (5, 1) against (3,) broadcasts to (5, 3), as in NumPy
        ok = isinstance(other, list) and len(other) == 5 and opname != "@"
        add(f"x {opname} {other!r:.30}", lambda op=op, other=other: op(x3(), other), ok=ok)
add("None + x", lambda: None + x3())
add("'a' * x", lambda: "a" * x3())
add("[1,2] @ x", lambda: [1, 2] @ x3())
add("x.item() on 3 elements", lambda: x3().item())
add("len(0-d)", lambda: len(mg.tensor(1.0)))
add("bool(x) on 3 elements", lambda: bool(x3()))
add("x[1] = 0", lambda: x3().__setitem__(1, 0.0))
add("x.astype('floaty')", lambda: x3().astype("floaty"))
add("x.astype(None)", lambda: x3().astype(None))
add("x.to('gpu')", lambda: x3().to("gpu"))
add("x.to(None)", lambda: x3().to(None))
add("x.reshape(5)", lambda: x3().reshape(5))
add("x.reshape('a')", lambda: x3().reshape("a"))
add("x.reshape(1.5, 2)", lambda: x3().reshape(1.5, 2))
add("x.reshape(-1, -1)", lambda: x44().reshape(-1, -1))
add("x.reshape(-2)", lambda: x44().reshape(-2))
add("x.reshape(None)", lambda: x44().reshape(None))
add("x.reshape(-1)", lambda: x44().reshape(-1), ok=True)
add("x.transpose(0)", lambda: x44().transpose(0))
add("x.transpose(0, 0)", lambda: x44().transpose(0, 0))
add("x.transpose(0, 2)", lambda: x44().transpose(0, 2))
add("x.transpose('a', 'b')", lambda: x44().transpose("a", "b"))
add("x.transpose(-1, 0)", lambda: x44().transpose(-1, 0), ok=True)
add("x.clip('a', 1)", lambda: x3().clip("a", 1.0))
add("x.clip(2, 1) (min > max)", lambda: x3().clip(2.0, 1.0))
add("x.clip(nan, 1)", lambda: x3().clip(float("nan"), 1.0))
add("x.clip(None, None)", lambda: x3().clip(None, None))
add("x.clip([0,1], 2)", lambda: x3().clip([0.0, 1.0], 2.0))
add("x.squeeze(0) (size 3)", lambda: x3().squeeze(0))
add("x.squeeze(5)", lambda: x3().squeeze(5))
add("x.squeeze('a')", lambda: x3().squeeze("a"))
add("x.expand_dims(5)", lambda: x3().expand_dims(5))
add("x.expand_dims(1.5)", lambda: x3().expand_dims(1.5))
add("x.expand_dims(None)", lambda: x3().expand_dims(None))
add("x.broadcast_to((2, 2))", lambda: x3().broadcast_to((2, 2)))
add("x.broadcast_to('a')", lambda: x3().broadcast_to("a"))
add("x.broadcast_to((-1, 3))", lambda: x3().broadcast_to((-1, 3)))
add("x.broadcast_to(None)", lambda: x3().broadcast_to(None))
add("int(x) on 3 elements", lambda: int(x3()))
add("float index x[mg.tensor(1.)]", lambda: x3()[mg.tensor(1.0)])

# -- reductions ---------------------------------------------------------------------------
REDUCTIONS = ["sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin", "all", "any"]
for r in REDUCTIONS:
    for ax in BAD_AXES:
        ok = False
        add(f"{r}(x44, axis={ax!r})", lambda r=r, ax=ax: getattr(mg, r)(x44(), axis=ax), ok=ok)
    for kd in ["no", None, 1, [True]]:
        add(f"{r}(x44, keepdims={kd!r})", lambda r=r, kd=kd: getattr(mg, r)(x44(), keepdims=kd))
    add(f"{r}(None)", lambda r=r: getattr(mg, r)(None))
    add(f"{r}('abc')", lambda r=r: getattr(mg, r)("abc"))
    add(f"{r}([1., 2.])", lambda r=r: getattr(mg, r)([1.0, 2.0]), ok=True)
    add(f"{r}(x44, axis=(0,))", lambda r=r: getattr(mg, r)(x44(), axis=(0,)),
        ok=r not in ("argmax", "argmin"))
    add(f"{r}(x44, axis=-1)", lambda r=r: getattr(mg, r)(x44(), axis=-1), ok=True)
    add(f"{r}(x44, axis=np.int64(1))", lambda r=r: getattr(mg, r)(x44(), axis=np.int64(1)), ok=True)
    if hasattr(mg.Tensor, r):
        add(f"{r}(x44.method, keepdims='no')", lambda r=r: getattr(x44(), r)(keepdims="no"))
for r in ("var", "std"):
    for ddof in ["1", None, 1.5, -1, 16, 100, True, float("nan")]:
        ok = ddof in (1.5, -1)  # NumPy takes any ddof leaving n - ddof > 0 (torch's correction too)
        add(f"{r}(x44, ddof={ddof!r})", lambda r=r, ddof=ddof: getattr(mg, r)(x44(), ddof=ddof), ok=ok)
for r in ("max", "min", "argmax", "argmin"):
    add(f"{r}(empty)", lambda r=r: getattr(mg, r)(mg.zeros((0, 3))))
add("sum(empty)", lambda: mg.sum(mg.zeros((0, 3))), ok=True)
add("mean(empty) (NaN as NumPy)", lambda: mg.mean(mg.zeros((0, 3))))
add("sum(bool x)", lambda: mg.sum(mg.tensor([True, False])), ok=True)
add("mean(int x)", lambda: mg.mean(mg.tensor([1, 2])), ok=True)

# -- shape ops ----------------------------------------------------------------------------
for shape in [(5,), (-1, -1), "ab", None, (2.0, 8), (-3, 4), (True, 16), [object()]]:
    add(f"reshape(x44, {shape!r})", lambda shape=shape: mg.reshape(x44(), shape))
for axes in [(0,), (0, 0), (0, 2), ("a", "b"), (0.0, 1.0), 5, "01", (0, 1, 2), (True, False)]:
    add(f"transpose(x44, {axes!r})", lambda axes=axes: mg.transpose(x44(), axes))
for ax in BAD_AXES:
    add(f"concatenate([x44, x44], axis={ax!r})", lambda ax=ax: mg.concatenate([x44(), x44()], axis=ax))
    add(f"stack([x44, x44], axis={ax!r})", lambda ax=ax: mg.stack([x44(), x44()], axis=ax))
    add(f"expand_dims(x44, {ax!r})", lambda ax=ax: mg.expand_dims(x44(), ax), ok=ax == (0, -2))  # NumPy: (1, 4, 1, 4)
    add(f"squeeze(x44, {ax!r})", lambda ax=ax: mg.squeeze(x44(), ax))
    add(f"split(x44, 2, axis={ax!r})", lambda ax=ax: mg.split(x44(), 2, axis=ax))
for tensors in [[], None, x3(), "ab", [x3(), None], [x3(), mg.ones((2,2))], [x3(), "a"], 5]:
    ok = False
    add(f"concatenate({tensors!r:.30})", lambda t=tensors: mg.concatenate(t), ok=ok)
    add(f"stack({tensors!r:.30})", lambda t=tensors: mg.stack(t), ok=ok)
add("concatenate([x3, ones(4)])", lambda: mg.concatenate([x3(), mg.ones(4)]), ok=True)
add("stack([x3, ones(4)])", lambda: mg.stack([x3(), mg.ones(4)]))
add("concatenate 0-d", lambda: mg.concatenate([mg.tensor(1.0), mg.tensor(2.0)]))
add("concatenate float32+int64", lambda: mg.concatenate([x3(), mg.tensor([1, 2])]), ok=True)
for ios in [0, -1, 3, 2.5, "2", None, [3, 1], [1.5], [5], [-1]]:
    ok = ios in ([3, 1], [5], [-1])  # NumPy: out-of-order/out-of-range indices give empty parts
    add(f"split(x44, {ios!r})", lambda ios=ios: mg.split(x44(), ios), ok=ok)
for pw in [-1, (1, -1), "a", None, 1.5, ((1, 1),) * 3, ((1, 2, 3),), [[1, 1], [1, None]]]:
    add(f"pad(x44, {pw!r})", lambda pw=pw: mg.pad(x44(), pw))
for cv in ["a", None, [1, 2], float("nan")]:
    add(f"pad(x44, 1, constant_values={cv!r})", lambda cv=cv: mg.pad(x44(), 1, constant_values=cv),
        ok=isinstance(cv, float))
for shape in [(2, 2), (-1, 4), "a", None, (4.0, 4), (3, 4)]:
    add(f"broadcast_to(x44, {shape!r})", lambda shape=shape: mg.broadcast_to(x44(), shape))

# -- indexing -------------------------------------------------------------------------------
for idx in [10, -10, 1.5, "a", None, (0, 0, 0), [10], mg.tensor([1.5]), [True, False],
            mg.tensor([[True]]), (slice(None), 10), {0}, Ellipsis, (Ellipsis, Ellipsis), [[0, 1], [0]],
            slice(0, 2, 0), slice("a", 2), np.array([1.0]), mg.tensor(["x"] if False else [0, 10])]:
    ok = idx is None or idx is Ellipsis
    add(f"x44[{idx!r:.30}]", lambda idx=idx: x44()[idx], ok=ok)
for idx, shape in [((10,), (3,)), ((0,), (-1,)), ((0,), "a"), ((0,), None), (("a",), (3,)), ((0,), (2.5,))]:
    add(f"scatter_add(ones(1), {idx!r}, {shape!r})",
        lambda idx=idx, shape=shape: mg.scatter_add(mg.ones(1), idx, shape))

# -- elementwise ------------------------------------------------------------------------------
UNARY = ["exp", "log", "sqrt", "rsqrt", "square", "abs", "tanh", "sigmoid", "relu", "softplus",
         "negative", "sign", "stop_gradient"]
for u in UNARY:
    for d in [None, "abc", {"a": 1}, object(), [[1.0], [1.0, 2.0]]]:
        add(f"{u}({d!r:.30})", lambda u=u, d=d: getattr(mg, u)(d))
    add(f"{u}(mg.tensor(['a']))", lambda u=u: getattr(mg, u)(mg.tensor(["a"])))
    add(f"{u}(empty)", lambda u=u: getattr(mg, u)(mg.zeros((0,))), ok=True)
    add(f"{u}(int tensor)", lambda u=u: getattr(mg, u)(mg.tensor([1, 2])), ok=True)
BINARY = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "equal", "less",
          "greater_equal", "matmul"]
for b in BINARY:
    for other in [None, "a", object(), mg.ones((5,)), [1, 2], 1 + 1j]:
        add(f"{b}(x3, {other!r:.30})", lambda b=b, other=other: getattr(mg, b)(x3(), other))
    add(f"{b}(None, x3)", lambda b=b: getattr(mg, b)(None, x3()))
for alpha in ["a", None, float("nan"), [0.1], True]:
    add(f"leaky_relu(x, alpha={alpha!r})", lambda alpha=alpha: mg.leaky_relu(x3(), alpha=alpha))
add("leaky_relu(x, alpha=-1) (TF allows)", lambda: mg.leaky_relu(x3(), alpha=-1.0), ok=True)
for lo, hi in [("a", 1), (None, "b"), (2.0, 1.0), (float("nan"), 1.0), ([1.0, 2.0], 3.0), (object(), None),
               (mg.ones(5), None), (1 + 1j, None)]:
    add(f"clip(x3, {lo!r:.20}, {hi!r})", lambda lo=lo, hi=hi: mg.clip(x3(), lo, hi))
for cond, a, b in [(None, 1.0, 2.0), ("a", x3(), x3()), (mg.ones(5) > 0, x3(), x3()),
                   (x3() > 1, None, x3()), (x3() > 1, "a", x3()), (x3() > 1, x3(), mg.ones(5)),
                   (x3(), x3(), x3()), ([True, False, True], x3(), x3()), (x3() > 1, x3(), [[1, 2]] * 2)]:
    # a list of bools is a fine condition; a float one is read as != 0, as NumPy does
    ok = (a is not None and isinstance(cond, list)) or (isinstance(cond, mg.Tensor) and cond.dtype.kind == "f")
    add(f"where({cond!r:.20}, {a!r:.15}, {b!r:.15})", lambda c=cond, a=a, b=b: mg.where(c, a, b), ok=ok)
for dt in BAD_DTYPES:
    add(f"cast(x3, {dt!r})", lambda dt=dt: mg.cast(x3(), dt), ok=dt == "float")  # NumPy's name of float64
add("cast(None, 'float32')", lambda: mg.cast(None, "float32"))
for dev in BAD_DEVICES:
    add(f"to_device(x3, {dev!r})", lambda dev=dev: mg.to_device(x3(), dev))
add("to_device(None, 'cpu')", lambda: mg.to_device(None, "cpu"))
add("matmul(x3, x3) (inner product)", lambda: mg.matmul(x3(), x3()), ok=True)
add("matmul(x44, ones(3))", lambda: mg.matmul(x44(), mg.ones(3)))
add("matmul(0-d, x44)", lambda: mg.matmul(mg.tensor(2.0), x44()))
add("matmul(ones((2,3,4)), ones((3,4,5)))", lambda: mg.matmul(mg.ones((2, 3, 4)), mg.ones((3, 4, 5))))
add("matmul(bool, bool)", lambda: mg.matmul(mg.tensor([[True]]), mg.tensor([[True]])), ok=True)
add("power(int 2, -1) (NumPy raises)", lambda: mg.power(mg.tensor([2]), mg.tensor([-1])))
add("x3 / 0 (inf, as NumPy)", lambda: x3() / 0.0, ok=True)
add("add(x3, ones(5))", lambda: mg.add(x3(), mg.ones(5)))
for v in ["a", None, [1, 2, 3, 4]]:
    add(f"full_like(x3, {v!r})", lambda v=v: mg.full_like(x3(), v))

# -- Variable ---------------------------------------------------------------------------------
for d in [None, "abc", [None, 1.0], [[1, 2], [3]], object(), np.array(["a"]), 1 + 2j]:
    add(f"Variable({d!r:.30})", lambda d=d: mg.Variable(d))
for kw in [dict(trainable="no"), dict(trainable=None), dict(trainable=1), dict(name=5), dict(name=["a"]),
           dict(dtype="floaty"), dict(dtype="object"), dict(constraint="maxnorm"), dict(constraint=5),
           dict(device="gpu"), dict(device=0)]:
    add(f"Variable([1.], **{kw!r})", lambda kw=kw: mg.Variable([1.0], **kw))
for val in [None, "a", [1.0, 2.0], [[1.0, 2.0, 3.0]], np.ones(4), object(), [None, 1.0, 2.0], 1 + 2j,
            np.array(["a", "b", "c"]), mg.ones(4)]:
    ok = False
    add(f"Variable(x3).assign({val!r:.30})", lambda val=val: mg.Variable(x3()).assign(val), ok=ok)
    add(f"Variable(x3).assign_add({val!r:.30})", lambda val=val: mg.Variable(x3()).assign_add(val), ok=ok)
    add(f"Variable(x3).assign_sub({val!r:.30})", lambda val=val: mg.Variable(x3()).assign_sub(val), ok=ok)
add("Variable(int).assign(2.7)", lambda: mg.Variable([1, 2]).assign([2.7, 1.0]))
add("Variable(int).assign_add(0.5)", lambda: mg.Variable([1, 2]).assign_add(0.5))
add("Variable(int).assign(2**40) in int32", lambda: mg.Variable(mg.tensor([1], dtype="int32")).assign([2 ** 40]))
add("Variable(x3).assign(x3.astype(float64))", lambda: mg.Variable(x3()).assign(mg.cast(x3(), "float64")), ok=True)
add("Variable(x3).assign([nan]*3) (NaN is a value, TF accepts)",
    lambda: mg.Variable(x3()).assign([float("nan")] * 3), ok=True)
add("Variable(x3).assign(1.0) (TF: shapes (3,) and () incompatible)", lambda: mg.Variable(x3()).assign(1.0))
add("Variable(x3).assign_add(1.0) (broadcasts, as NumPy's +=)", lambda: mg.Variable(x3()).assign_add(1.0), ok=True)
add("SGD step on Variable(x3, constraint returning shape (5,))",
    lambda: mg.optimizers.SGD().apply_gradients([(mg.ones(3), mg.Variable(x3(), constraint=lambda v: mg.ones(5)))]))
add("Variable(x3).assign(x3, read_value='no') (no such argument)",
    lambda: mg.Variable(x3()).assign(x3(), read_value="no"), ok="sig")
add("Variable(x3).trainable = 'no'", lambda: setattr(mg.Variable(x3()), "trainable", "no"))

# -- GradientTape -----------------------------------------------------------------------------
for v in BAD_BOOLS:
    add(f"GradientTape(persistent={v!r:.20})", lambda v=v: mg.GradientTape(persistent=v))
    add(f"GradientTape(watch_accessed_variables={v!r:.20})",
        lambda v=v: mg.GradientTape(watch_accessed_variables=v))


def _tape_grad(**kw):
    x = x3()
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
    return tape.gradient(y, x, **kw)


for v in ["bogus", None, 0, "NONE", "Zero", True]:
    add(f"tape.gradient(..., unconnected_gradients={v!r})", lambda v=v: _tape_grad(unconnected_gradients=v))
for og in ["a", [1.0, 2.0], mg.ones(3), mg.ones((2, 2)), np.ones(3), object(), mg.tensor([1, 2, 3]),
           mg.tensor(1.0)]:
    ok = isinstance(og, mg.Tensor) and og.shape == () and og.dtype.kind == "f"
    add(f"tape.gradient(y, x, output_gradients={og!r:.25})", lambda og=og: _tape_grad(output_gradients=og), ok=ok)


def _tape_sources(src):
    x = x3()
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
    return tape.gradient(y, src)


for src in [None, "a", 5, [None], np.ones(3), [x3(), "a"], {"a": "b"}, object()]:
    add(f"tape.gradient(y, sources={src!r:.25})", lambda src=src: _tape_sources(src))


def _tape_target(tgt):
    x = x3()
    with mg.GradientTape() as tape:
        tape.watch(x)
        _ = x * x
    return tape.gradient(tgt, x)


for tgt in [None, "a", 5, [None], np.ones(3), object()]:
    add(f"tape.gradient(target={tgt!r:.25}, x)", lambda tgt=tgt: _tape_target(tgt))


def _tape_watch(thing):
    with mg.GradientTape() as tape:
        tape.watch(thing)


for thing in [None, "a", 5, [1.0, 2.0], np.ones(3), object(), [x3(), None], mg.tensor([1, 2])]:
    ok = isinstance(thing, mg.Tensor) and thing.dtype.kind == "f"
    add(f"tape.watch({thing!r:.25})", lambda t=thing: _tape_watch(t), ok=ok)


def _tape_twice():
    x = x3()
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
    tape.gradient(y, x)
    return tape.gradient(y, x)


add("non-persistent tape.gradient twice", _tape_twice)


def _tape_reenter():
    tape = mg.GradientTape()
    with tape:
        with tape:
            pass


add("with tape: with tape:", _tape_reenter)


def _stop_recording_outside():
    tape = mg.GradientTape()
    with tape.stop_recording():
        pass


add("tape.stop_recording() outside with", _stop_recording_outside)


def _tape_other_thread():
    tape = mg.GradientTape()
    x = x3()
    with tape:
        tape.watch(x)
        y = (x * x).sum()
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("g", tape.gradient(y, x)))
    th.start()
    th.join()
    return out["g"]


add("tape.gradient from another thread", _tape_other_thread, ok=True)
add("tape.watched_variables() on a fresh tape", lambda: mg.GradientTape().watched_variables(), ok=True)


def _tape_gradient_of_non_recorded():
    x = x3()
    y = (x * x).sum()
    with mg.GradientTape() as tape:
        tape.watch(x)
    return tape.gradient(y, x)


add("tape.gradient(target computed before the tape)", _tape_gradient_of_non_recorded, ok=True)

# -- grad / value_and_grad / no_recording ------------------------------------------------------
for fn in ("grad", "value_and_grad"):
    for f in [None, "f", 5]:
        add(f"{fn}({f!r})", lambda fn=fn, f=f: getattr(mg, fn)(f))
    for argnums in ["0", 1.5, -5, 5, None, (), [0.5], True]:
        add(f"{fn}(f, argnums={argnums!r})(x)",
            lambda fn=fn, a=argnums: getattr(mg, fn)(lambda x: (x * x).sum(), argnums=a)(x3()))
    add(f"{fn}(f returning non-scalar)(x)", lambda fn=fn: getattr(mg, fn)(lambda x: x * x)(x3()), ok=True)
    add(f"{fn}(f, argnums=(0, 0))(x) (JAX accepts)",
        lambda fn=fn: getattr(mg, fn)(lambda x: (x * x).sum(), argnums=(0, 0))(x3()), ok=True)
    add(f"{fn}(f, argnums=-1)(x) (Python indexing)",
        lambda fn=fn: getattr(mg, fn)(lambda x: (x * x).sum(), argnums=-1)(x3()), ok=True)
    add(f"{fn}(f returning a string)(x)", lambda fn=fn: getattr(mg, fn)(lambda x: "a")(x3()))
    add(f"{fn}(f returning None)(x)", lambda fn=fn: getattr(mg, fn)(lambda x: None)(x3()))
    add(f"{fn}(f)() (no args)", lambda fn=fn: getattr(mg, fn)(lambda: 1.0)())
    add(f"{fn}(f)('a')", lambda fn=fn: getattr(mg, fn)(lambda x: x)("a"))
add("no_recording(5) (takes no arguments)", lambda: mg.no_recording(5), ok="sig")

# -- nn ------------------------------------------------------------------------------------------
for fn in ("softmax", "log_softmax"):
    for ax in BAD_AXES:
        add(f"nn.{fn}(x44, axis={ax!r})", lambda fn=fn, ax=ax: getattr(mg.nn, fn)(x44(), axis=ax),
            ok=ax == (0, -2) and False)
    add(f"nn.{fn}(None)", lambda fn=fn: getattr(mg.nn, fn)(None))
    add(f"nn.{fn}(int tensor)", lambda fn=fn: getattr(mg.nn, fn)(mg.tensor([1, 2])))
    add(f"nn.{fn}(x44, axis=(0, 1))", lambda fn=fn: getattr(mg.nn, fn)(x44(), axis=(0, 1)), ok=True)
for idx, depth, dt in [([0, 5], 3, "float32"), ([0, -1], 3, "float32"), ([0.5], 3, "float32"),
                       ([0], -1, "float32"), ([0], 2.5, "float32"), ([0], "3", "float32"), ([0], None, "float32"),
                       ([0], 3, "floaty"), (None, 3, "float32"), (["a"], 3, "float32"), ([0], True, "float32"),
                       ([0], 0, "float32"), ([[0, 1], [2]], 3, "float32")]:
    ok = False  # TF gives zero rows for out-of-range indices and depth=0; minigrad refuses them
    add(f"nn.one_hot({idx!r}, {depth!r}, {dt!r})", lambda i=idx, d=depth, t=dt: mg.nn.one_hot(i, d, t), ok=ok)
for rate in [-0.1, 1.0, 1.5, "0.5", None, float("nan"), True, [0.5]]:
    add(f"nn.dropout(x, rate={rate!r})", lambda rate=rate: mg.nn.dropout(x44(), rate))
for kw in [dict(seed="a"), dict(seed=1.5), dict(seed=-1), dict(noise_shape=(3, 3)), dict(noise_shape="a"),
           dict(noise_shape=(4, -1)), dict(generator="a"), dict(generator=5)]:
    add(f"nn.dropout(x, 0.5, **{kw!r})", lambda kw=kw: mg.nn.dropout(x44(), 0.5, **kw))
add("nn.dropout(None, 0.5)", lambda: mg.nn.dropout(None, 0.5))
add("nn.dropout(int tensor, 0.5)", lambda: mg.nn.dropout(mg.tensor([1, 2]), 0.5))


def img():
    return mg.ones((1, 5, 5, 2))


def ker():
    return mg.ones((3, 3, 2, 4))


for kw in [dict(strides=0), dict(strides=-1), dict(strides=1.5), dict(strides="1"), dict(strides=(1, 1, 1)),
           dict(strides=None), dict(padding="full"), dict(padding=None), dict(padding="SAME"),
           dict(data_format="NHWC"), dict(data_format=None), dict(dilation_rate=0), dict(dilation_rate=2.5),
           dict(dilation_rate=(1,)), dict(strides=True)]:
    ok = kw.get("padding") == "SAME"  # TF's own spelling; Keras lower-cases padding
    add(f"nn.conv2d(img, ker, **{kw!r})", lambda kw=kw: mg.nn.conv2d(img(), ker(), **kw), ok=ok)
for x, k in [(mg.ones((5, 5, 2)), ker()), (img(), mg.ones((3, 3, 3, 4))), (img(), mg.ones((3, 3, 2))),
             (img(), mg.ones((7, 7, 2, 4))), (None, ker()), (img(), None), ("a", ker()),
             (mg.ones((1, 5, 5, 2), dtype="int32"), ker()), (mg.ones((0, 5, 5, 2)), ker())]:
    ok = x is not None and not isinstance(x, str) and x.shape[0] == 0
    add(f"nn.conv2d(x{getattr(x, 'shape', x)!r}, k{getattr(k, 'shape', k)!r})",
        lambda x=x, k=k: mg.nn.conv2d(x, k), ok=ok)
for fn in ("max_pool2d", "avg_pool2d"):
    for kw in [dict(pool_size=0), dict(pool_size=-1), dict(pool_size=2.5), dict(pool_size="2"), dict(pool_size=None),
               dict(pool_size=(2, 2, 2)), dict(strides=0), dict(strides=1.5), dict(padding="full"),
               dict(data_format="NHWC"), dict(pool_size=6), dict(pool_size=True)]:
        add(f"nn.{fn}(img, **{kw!r})", lambda fn=fn, kw=kw: getattr(mg.nn, fn)(img(), **kw))
    add(f"nn.{fn}(None)", lambda fn=fn: getattr(mg.nn, fn)(None))
    add(f"nn.{fn}(rank 3)", lambda fn=fn: getattr(mg.nn, fn)(mg.ones((5, 5, 2))))


def bn_args():
    return mg.ones((4, 3)), mg.ones(3), mg.zeros(3)


for kw in [dict(axis=5), dict(axis=1.0), dict(axis="a"), dict(axis=None), dict(epsilon=-1.0), dict(epsilon="a"),
           dict(epsilon=float("nan")), dict(epsilon=None), dict(axis=(0, 1)), dict(epsilon=0.0)]:
    add(f"nn.batch_norm_train(x, g, b, **{kw!r})", lambda kw=kw: mg.nn.batch_norm_train(*bn_args(), **kw),
        ok=kw.get("epsilon") == 0.0)
    add(f"nn.batch_norm_infer(x, g, b, m, v, **{kw!r})",
        lambda kw=kw: mg.nn.batch_norm_infer(*bn_args(), mg.zeros(3), mg.ones(3), **kw),
        ok=kw.get("epsilon") == 0.0)
add("nn.batch_norm_train(x, g(5), b)", lambda: mg.nn.batch_norm_train(mg.ones((4, 3)), mg.ones(5), mg.zeros(3)))
add("nn.batch_norm_train(x, None, b)", lambda: mg.nn.batch_norm_train(mg.ones((4, 3)), None, mg.zeros(3)))
add("nn.batch_norm_train(int x, g, b)",
    lambda: mg.nn.batch_norm_train(mg.ones((4, 3), dtype="int32"), mg.ones(3), mg.zeros(3)))
add("nn.batch_norm_train(empty batch)",
    lambda: mg.nn.batch_norm_train(mg.ones((0, 3)), mg.ones(3), mg.zeros(3)))
add("nn.batch_norm_infer(x, g, b, m(5), v)",
    lambda: mg.nn.batch_norm_infer(*bn_args(), mg.zeros(5), mg.ones(3)))
add("nn.batch_norm_infer(x, g, b, m, None)",
    lambda: mg.nn.batch_norm_infer(*bn_args(), mg.zeros(3), None))

# -- losses ------------------------------------------------------------------------------------
L = mg.losses
def _y_true(cls):
    return mg.tensor([0, 1]) if cls.startswith("Sparse") else mg.zeros((2, 3))


LOSS_CLASSES = ["MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
                "SparseCategoricalCrossentropy"]
for cls in LOSS_CLASSES:
    add(f"losses.{cls}(bogus=1)", lambda cls=cls: getattr(L, cls)(bogus=1))
    add(f"losses.{cls}(lr=1)", lambda cls=cls: getattr(L, cls)(lr=1))
    for red in ["mean", None, 5, "SUM"]:
        add(f"losses.{cls}(reduction={red!r})", lambda cls=cls, red=red: getattr(L, cls)(reduction=red))
    add(f"losses.{cls}(name=5)", lambda cls=cls: getattr(L, cls)(name=5))
    add(f"losses.{cls}()(None, x)", lambda cls=cls: getattr(L, cls)()(None, mg.ones((2, 3)) / 3))
    add(f"losses.{cls}()(y, x, sample_weight='a')",
        lambda cls=cls: getattr(L, cls)()(_y_true(cls), mg.ones((2, 3)) / 3, sample_weight="a"))
    add(f"losses.{cls}()(y, x, sample_weight=ones(5))",
        lambda cls=cls: getattr(L, cls)()(_y_true(cls), mg.ones((2, 3)) / 3, sample_weight=mg.ones(5)))
for cls in ("BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"):
    for kw in [dict(from_logits="no"), dict(from_logits=None), dict(axis=1.5), dict(axis="a")]:
        add(f"losses.{cls}(**{kw!r})", lambda cls=cls, kw=kw: getattr(L, cls)(**kw))
for cls in ("BinaryCrossentropy", "CategoricalCrossentropy"):
    for ls in [-0.1, 1.5, "a", float("nan"), None]:
        add(f"losses.{cls}(label_smoothing={ls!r})", lambda cls=cls, ls=ls: getattr(L, cls)(label_smoothing=ls))
for fn in ("mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy"):
    add(f"losses.{fn}(ones((2,3)), ones((2,4)))", lambda fn=fn: getattr(L, fn)(mg.ones((2, 3)), mg.ones((2, 4)) / 4))
    add(f"losses.{fn}(None, x)", lambda fn=fn: getattr(L, fn)(None, mg.ones((2, 3)) / 3))
    add(f"losses.{fn}(y, 'a')", lambda fn=fn: getattr(L, fn)(mg.ones((2, 3)), "a"))
    add(f"losses.{fn}(['a'], x)", lambda fn=fn: getattr(L, fn)(["a", "b", "c"], mg.ones((1, 3)) / 3))
    add(f"losses.{fn}(y, 0-d)", lambda fn=fn: getattr(L, fn)(mg.ones(()), mg.ones(()) / 2))
for kw in [dict(axis=5), dict(axis=-5), dict(from_logits="no"), dict(label_smoothing=2.0)]:
    add(f"losses.categorical_crossentropy(y, x, **{kw!r})",
        lambda kw=kw: L.categorical_crossentropy(mg.ones((2, 3)) / 3, mg.ones((2, 3)) / 3, **kw))
    add(f"losses.binary_crossentropy(y, x, **{kw!r})",
        lambda kw=kw: L.binary_crossentropy(mg.ones((2, 3)) / 3, mg.ones((2, 3)) / 3, **kw))
for y in [[0, 3], [-1, 0], [0.5, 1], ["a", "b"], None, [[0, 1], [1, 0]], [0, 1, 2]]:
    add(f"losses.sparse_categorical_crossentropy({y!r}, p(2,3))",
        lambda y=y: L.sparse_categorical_crossentropy(y, mg.ones((2, 3)) / 3))
for kw in [dict(axis=5), dict(axis=-5), dict(axis=0), dict(from_logits="no")]:
    add(f"losses.sparse_categorical_crossentropy(y, p, **{kw!r})",
        lambda kw=kw: L.sparse_categorical_crossentropy([0, 1], mg.ones((2, 3)) / 3, **kw))
for red in ["mean", None, 5]:
    add(f"losses.compute_weighted_loss(l, reduction={red!r})",
        lambda red=red: L.compute_weighted_loss(mg.ones(3), reduction=red))
add("losses.compute_weighted_loss(l, sample_weight=ones(5))",
    lambda: L.compute_weighted_loss(mg.ones(3), sample_weight=mg.ones(5)))
add("losses.compute_weighted_loss(None)", lambda: L.compute_weighted_loss(None))
for ident in ["bogus", 5, None, object(), {"class_name": "Bogus"}, {"class_name": "MeanSquaredError", "config": 5}]:
    ok = ident is None  # Keras: get(None) returns None
    add(f"losses.get({ident!r:.40})", lambda ident=ident: L.get(ident), ok=ok)
add("losses.LossFunctionWrapper(5)", lambda: L.LossFunctionWrapper(5))
add("losses.LossFunctionWrapper(None)", lambda: L.LossFunctionWrapper(None))
add("losses.LossFunctionWrapper(fn)(y, p) where fn returns a str",
    lambda: L.LossFunctionWrapper(lambda a, b: "x")(mg.ones(2), mg.ones(2)))

# -- metrics -----------------------------------------------------------------------------------
M = mg.metrics
METRIC_CLASSES = ["Mean", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy"]
for cls in METRIC_CLASSES:
    add(f"metrics.{cls}(bogus=1)", lambda cls=cls: getattr(M, cls)(bogus=1))
    for dt in ["floaty", "int32", None, 5, "object"]:
        ok = dt is None  # Keras: dtype=None means the default float dtype
        add(f"metrics.{cls}(dtype={dt!r})", lambda cls=cls, dt=dt: getattr(M, cls)(dtype=dt), ok=ok)
    add(f"metrics.{cls}(name=5)", lambda cls=cls: getattr(M, cls)(name=5))
for thr in ["0.5", None, float("nan"), -1.0, 2.0, [0.5], True]:
    ok = thr in (-1.0, 2.0)  # Keras takes any finite threshold (scores need not be probabilities)
    add(f"metrics.BinaryAccuracy(threshold={thr!r})", lambda thr=thr: M.BinaryAccuracy(threshold=thr), ok=ok)


def _mean_update(*args, **kw):
    m = M.Mean()
    m.update_state(*args, **kw)
    return m.result()


for v in [None, "a", ["a"], object(), [[1.0], [1.0, 2.0]]]:
    add(f"metrics.Mean().update_state({v!r:.20})", lambda v=v: _mean_update(v))
for sw in ["a", mg.ones(5), [-1.0], None, object()]:
    ok = sw is None or isinstance(sw, list)  # Keras accepts negative weights
    add(f"metrics.Mean().update_state(x3, sample_weight={sw!r:.20})", lambda sw=sw: _mean_update(x3(), sample_weight=sw),
        ok=ok)
add("metrics.Mean().update_state(empty)", lambda: _mean_update(mg.zeros(0)), ok=True)
for y in [[0, 7], [-1, 0], [0.5, 1], ["a", "b"], None]:
    add(f"metrics.sparse_categorical_accuracy({y!r}, p(2,3))",
        lambda y=y: M.sparse_categorical_accuracy(y, mg.ones((2, 3)) / 3))
add("metrics.categorical_accuracy(ones((2,3)), ones((2,4)))",
    lambda: M.categorical_accuracy(mg.ones((2, 3)), mg.ones((2, 4))))
add("metrics.accuracy(ones(3), ones(4))", lambda: M.accuracy(mg.ones(3), mg.ones(4)))
add("metrics.binary_accuracy(ones(3), ones(3), threshold='a')",
    lambda: M.binary_accuracy(mg.ones(3), mg.ones(3), threshold="a"))
add("metrics.binary_accuracy(None, ones(3))", lambda: M.binary_accuracy(None, mg.ones(3)))
for ident in ["bogus", 5, object()]:
    add(f"metrics.get({ident!r:.30})", lambda ident=ident: M.get(ident))
add("metrics.MeanMetricWrapper(5)", lambda: M.MeanMetricWrapper(5))
add("metrics.Mean().result() before any update (0, as Keras)", lambda: M.Mean().result(), ok=True)

# -- optimizers ---------------------------------------------------------------------------------
O = mg.optimizers
for cls in ("SGD", "Adam", "RMSprop"):
    for lr in ["0.1", None, -0.1, float("nan"), float("inf"), True, [0.1], object()]:
        add(f"optimizers.{cls}(learning_rate={lr!r:.20})", lambda cls=cls, lr=lr: getattr(O, cls)(learning_rate=lr))
    for kw in [dict(clipnorm=-1), dict(clipnorm="a"), dict(clipvalue=-1), dict(global_clipnorm=float("nan")),
               dict(clipnorm=1.0, global_clipnorm=1.0), dict(decay=-1), dict(name=5), dict(bogus=1), dict(lr=0.1)]:
        add(f"optimizers.{cls}(**{kw!r})", lambda cls=cls, kw=kw: getattr(O, cls)(**kw))
for kw in [dict(momentum=-0.1), dict(momentum=1.5), dict(momentum="a"), dict(nesterov="no"), dict(nesterov=None)]:
    add(f"optimizers.SGD(**{kw!r})", lambda kw=kw: O.SGD(**kw))
for kw in [dict(beta_1=1.5), dict(beta_1=-0.1), dict(beta_2="a"), dict(epsilon=-1.0), dict(epsilon=float("nan")),
           dict(amsgrad="no")]:
    add(f"optimizers.Adam(**{kw!r})", lambda kw=kw: O.Adam(**kw))
for kw in [dict(rho=1.5), dict(rho=-0.1), dict(momentum=-1.0), dict(epsilon="a"), dict(centered="no")]:
    add(f"optimizers.RMSprop(**{kw!r})", lambda kw=kw: O.RMSprop(**kw))


def _apply(gv, cls="SGD"):
    opt = getattr(O, cls)(learning_rate=0.1)
    return opt.apply_gradients(gv)


def var3():
    return mg.Variable([1.0, 2.0, 3.0])


for label, gv in [
    ("None", lambda: None), ("5", lambda: 5), ("[(g, None)]", lambda: [(mg.ones(3), None)]),
    ("[(g, tensor)]", lambda: [(mg.ones(3), x3())]), ("[(g(5), v)]", lambda: [(mg.ones(5), var3())]),
    ("[('a', v)]", lambda: [("a", var3())]), ("[(g,)]", lambda: [(mg.ones(3),)]),
    ("[(g, v, 1)]", lambda: [(mg.ones(3), var3(), 1)]), ("[v]", lambda: [var3()]),
    ("[(int g, v)]", lambda: [(mg.tensor([1, 1, 1]), var3())]),
    ("[(g, int v)]", lambda: [(mg.ones(3), mg.Variable([1, 2, 3]))]),
    ("[([1,1,1], v)] (list gradient)", lambda: [([1.0, 1.0, 1.0], var3())]),
    ("[(np.ones(3), v)]", lambda: [(np.ones(3), var3())]),
    ("[(g, v), (g, v)] same v twice", lambda: (lambda v: [(mg.ones(3), v), (mg.ones(3), v)])(var3())),
    ("[(nan g, v)]", lambda: [(mg.tensor([float("nan")] * 3), var3())]),
    ("[(g, v non-trainable)]", lambda: [(mg.ones(3), mg.Variable([1.0, 2.0, 3.0], trainable=False))]),
    ("[] (empty)", lambda: []), ("[(None, v)] only", lambda: [(None, var3())]),
    ("zip iterator", lambda: zip([mg.ones(3)], [var3()])), ("'ab'", lambda: "ab"),
    ("[(g float64, v)]", lambda: [(mg.cast(mg.ones(3), "float64"), var3())]),
]:
    ok = label in ("[(nan g, v)]", "[(int g, v)]", "[(g, v), (g, v)] same v twice", "zip iterator", "[(g float64, v)]",
                   "[(g, v non-trainable)]", "[(np.ones(3), v)]", "[([1,1,1], v)] (list gradient)")
    for cls in ("SGD", "Adam"):
        add(f"{cls}.apply_gradients({label})", lambda gv=gv, cls=cls: _apply(gv(), cls), ok=ok)
for ident in ["bogus", 5, None, {"class_name": "Bogus"}, {"class_name": "SGD", "config": {"bogus": 1}}]:
    add(f"optimizers.get({ident!r:.40})", lambda ident=ident: O.get(ident))


def _minimize(loss, var_list):
    return O.SGD().minimize(loss, var_list)


if hasattr(O.Optimizer, "minimize"):
    add("SGD.minimize('a', [v])", lambda: _minimize("a", [var3()]))
    add("SGD.minimize(lambda: (v*v).sum(), None)", lambda: _minimize(lambda: (var3() * 2).sum(), None))
    add("SGD.minimize(lambda: 'a', [v])", lambda: _minimize(lambda: "a", [var3()]))

# -- gradcheck --------------------------------------------------------------------------------
F = lambda x: (x * x).sum()  # noqa: E731


def f64():
    return mg.cast(x3(), "float64")


for kw in [dict(eps=-1), dict(eps=0), dict(eps="a"), dict(atol=-1), dict(rtol=float("nan")), dict(mode="bogus"),
           dict(mode=None), dict(n_directions=0), dict(n_directions=1.5), dict(order=3), dict(order=0),
           dict(order="1"), dict(seed="a"), dict(seed=-1)]:
    ok = False
    add(f"gradcheck(f, [x], **{kw!r})", lambda kw=kw: mg.gradcheck(F, [f64()], **kw), ok=ok)
add("gradcheck(None, [x])", lambda: mg.gradcheck(None, [f64()]))
add("gradcheck(f, None)", lambda: mg.gradcheck(F, None))
add("gradcheck(f, x) (one Tensor, as torch takes it)", lambda: mg.gradcheck(F, f64()), ok=True)
add("gradcheck(f, ['a'])", lambda: mg.gradcheck(F, ["a"]))
add("gradcheck(f, [float32 x]) (cast to float64)", lambda: mg.gradcheck(F, [x3()]), ok=True)
add("gradcheck(f, [int x]) (cast to float64)", lambda: mg.gradcheck(F, [mg.tensor([1, 2])]), ok=True)
add("gradcheck(f, []) (no inputs)", lambda: mg.gradcheck(F, []))
add("gradcheck(f returning str, [x])", lambda: mg.gradcheck(lambda x: "a", [f64()]))

# -- random -----------------------------------------------------------------------------------
R = mg.random
for fn in ("normal", "uniform"):
    for shape in [-1, (2, -1), 2.5, "3", None, (True,)]:
        add(f"random.{fn}({shape!r})", lambda fn=fn, shape=shape: getattr(R, fn)(shape))
    add(f"random.{fn}(3, dtype='int32')", lambda fn=fn: getattr(R, fn)(3, dtype="int32"))
    add(f"random.{fn}(3, dtype='floaty')", lambda fn=fn: getattr(R, fn)(3, dtype="floaty"))
    add(f"random.{fn}(3, device='gpu')", lambda fn=fn: getattr(R, fn)(3, device="gpu"))
    add(f"random.{fn}(3, generator='a')", lambda fn=fn: getattr(R, fn)(3, generator="a"))
for kw in [dict(mean="a"), dict(mean=float("nan")), dict(stddev=-1.0), dict(stddev="a"), dict(stddev=float("inf"))]:
    add(f"random.normal(3, **{kw!r})", lambda kw=kw: R.normal(3, **kw))
add("random.normal(3, stddev=0) (a constant, as NumPy)", lambda: R.normal(3, stddev=0.0), ok=True)
for kw in [dict(minval="a"), dict(minval=2.0, maxval=1.0), dict(maxval=float("inf")), dict(minval=None)]:
    add(f"random.uniform(3, **{kw!r})", lambda kw=kw: R.uniform(3, **kw))
for s in ["a", -1, 1.5, [1], 2 ** 70, True]:
    ok = s == 2 ** 70  # NumPy's SeedSequence takes any non-negative int
    add(f"random.seed({s!r})", lambda s=s: R.seed(s), ok=ok)
    add(f"random.new_generator({s!r})", lambda s=s: R.new_generator(s), ok=ok)
add("random.generator('gpu')", lambda: R.generator("gpu"))

# -- datasets ---------------------------------------------------------------------------------
D = mg.datasets
for fn in ("moons", "spirals", "blobs", "shapes"):
    for kw in [dict(n_samples=-1), dict(n_samples=0), dict(n_samples=1.5), dict(n_samples="10"), dict(seed="a"),
               dict(seed=1.5)]:
        add(f"datasets.{fn}(**{kw!r})", lambda fn=fn, kw=kw: getattr(D, fn)(**kw))
    if fn != "shapes":
        add(f"datasets.{fn}(shuffle='no')", lambda fn=fn: getattr(D, fn)(shuffle="no"))
    add(f"datasets.{fn}(bogus=1)", lambda fn=fn: getattr(D, fn)(bogus=1), ok="sig")
for kw in [dict(noise=-0.1), dict(noise="a"), dict(noise=float("nan"))]:
    for fn in ("moons", "spirals", "shapes"):
        add(f"datasets.{fn}(**{kw!r})", lambda fn=fn, kw=kw: getattr(D, fn)(**kw))
for kw in [dict(n_classes=0), dict(n_classes=1.5)]:
    add(f"datasets.spirals(**{kw!r})", lambda kw=kw: D.spirals(**kw))
for kw in [dict(centers=0), dict(centers="a"), dict(n_features=0), dict(cluster_std=-1.0), dict(center_box=(1, -1)),
           dict(center_box="a"), dict(return_centers="no")]:
    add(f"datasets.blobs(**{kw!r})", lambda kw=kw: D.blobs(**kw))
for kw in [dict(image_size=2), dict(image_size=0), dict(data_format="NHWC"), dict(classes=("bogus",)),
           dict(classes=()), dict(classes="ring")]:
    add(f"datasets.shapes(n_samples=12, **{kw!r})", lambda kw=kw: D.shapes(n_samples=12, **kw))
X, Y = np.ones((10, 2)), np.arange(10)
for kw in [dict(test_size=-0.1), dict(test_size=1.5), dict(test_size=0), dict(test_size=11), dict(test_size="a"),
           dict(test_size=1.0), dict(shuffle="no"), dict(seed="a")]:
    add(f"datasets.train_test_split(X, Y, **{kw!r})", lambda kw=kw: D.train_test_split(X, Y, **kw))
add("datasets.train_test_split(X, Y[:5])", lambda: D.train_test_split(X, Y[:5]))
add("datasets.train_test_split(None, Y)", lambda: D.train_test_split(None, Y))

# -- devices ----------------------------------------------------------------------------------
for dev in BAD_DEVICES:
    add(f"set_default_device({dev!r})", lambda dev=dev: mg.set_default_device(dev))
    add(f"with device({dev!r})", lambda dev=dev: mg.device(dev).__enter__())


# -- more: empty arrays, schedules, configs, tapes used wrongly -------------------------------------
E0 = lambda: mg.zeros((0, 3))  # noqa: E731
add("softmax over an empty batch", lambda: mg.nn.softmax(E0()), ok=True)
add("softmax over a length-0 axis (torch/TF: empty)", lambda: mg.nn.softmax(mg.zeros((2, 0))), ok=True)
add("matmul (0,3) @ (3,2)", lambda: mg.matmul(E0(), mg.ones((3, 2))), ok=True)
add("concatenate([empty, x])", lambda: mg.concatenate([E0(), mg.ones((2, 3))]), ok=True)
add("one_hot([], 3)", lambda: mg.nn.one_hot(mg.tensor([], dtype="int64"), 3), ok=True)
add("losses.mean_squared_error(empty, empty)", lambda: L.mean_squared_error(E0(), E0()), ok=True)
add("var(x, ddof=1) of one element", lambda: mg.var(mg.ones(1), ddof=1))
add("logsumexp(empty)", lambda: mg.logsumexp(E0()))
add("x ** 'a'", lambda: x3() ** "a")
add("x ** None", lambda: x3() ** None)
add("split(x44, [1, 'a'])", lambda: mg.split(x44(), [1, "a"]))
add("split(x44, [1, None])", lambda: mg.split(x44(), [1, None]))
add("stack([x3], axis=2)", lambda: mg.stack([x3()], axis=2))
add("stack([x3], axis=1) (new last axis)", lambda: mg.stack([x3()], axis=1), ok=True)
add("squeeze(x44[:1], (0, 0))", lambda: mg.squeeze(x44()[:1], (0, 0)))
add("pad(x44, 1, constant_values=nan)", lambda: mg.pad(x44(), 1, constant_values=float("nan")), ok=True)
add("where(cond, 'a', 'b')", lambda: mg.where(x3() > 1, "a", "b"))
add("where(cond, None, None)", lambda: mg.where(x3() > 1, None, None))
add("cast(x3, 'int32') (truncates, as NumPy/TF)", lambda: mg.cast(x3(), "int32"), ok=True)
for label, lr in [("step -> 'a'", lambda step: "a"), ("step -> -1", lambda step: -1.0),
                  ("step -> nan", lambda step: float("nan")), ("() -> 0.1", lambda: 0.1)]:
    add(f"SGD(learning_rate=schedule {label}) step",
        lambda lr=lr: O.SGD(learning_rate=lr).apply_gradients([(mg.ones(3), var3())]), ok=label == "() -> 0.1")
add("SGD().set_weights('a')", lambda: O.SGD().set_weights("a"))
add("SGD().set_weights([np.ones(3)]) before any step", lambda: O.SGD().set_weights([np.ones(3)]))
add("SGD.from_config({'learning_rate': 'a'})", lambda: O.SGD.from_config({"learning_rate": "a"}))
add("SGD.from_config(None)", lambda: O.SGD.from_config(None))
add("losses.MeanSquaredError.from_config({'bogus': 1})", lambda: L.MeanSquaredError.from_config({"bogus": 1}))
add("metrics.Mean.from_config({'bogus': 1})", lambda: M.Mean.from_config({"bogus": 1}))
add("metrics.Mean().update_state(x3, sample_weight=ones(2))", lambda: _mean_update(x3(), sample_weight=mg.ones(2)))
add("metrics.Accuracy()(ones(3), ones(4))", lambda: M.Accuracy()(mg.ones(3), mg.ones(4)))
add("metrics.Accuracy()(ones(3), ones(3), sample_weight='a')",
    lambda: M.Accuracy()(mg.ones(3), mg.ones(3), sample_weight="a"))
add("metrics.SparseCategoricalAccuracy()([5], p(1,3))",
    lambda: M.SparseCategoricalAccuracy()([5], mg.ones((1, 3)) / 3))


def _reset_inside():
    x = x3()
    with mg.GradientTape() as tape:
        tape.watch(x)
        tape.reset()
        y = (x * x).sum()
    return tape.gradient(y, x)


add("tape.reset() inside with, then gradient (TF: fine)", _reset_inside, ok=True)


def _watch_after_exit():
    tape = mg.GradientTape()
    with tape:
        pass
    tape.watch(x3())


add("tape.watch after the with block (TF accepts; nothing to record)", _watch_after_exit, ok=True)


def _gradient_inside_nonpersistent():
    x = x3()
    with mg.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
        g = tape.gradient(y, x)
    return g


add("non-persistent tape.gradient inside its with (TF: warns, works)", _gradient_inside_nonpersistent, ok=True)


def _persistent_twice():
    x = x3()
    with mg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = (x * x).sum()
    tape.gradient(y, x)
    return tape.gradient(y, x)


add("persistent tape.gradient twice", _persistent_twice, ok=True)


def _stop_recording_twice():
    tape = mg.GradientTape()
    with tape:
        with tape.stop_recording():
            with tape.stop_recording():
                pass


add("tape.stop_recording() nested twice", _stop_recording_twice)
add("gradcheck(f raising ZeroDivisionError, [x]) (the user's error propagates)",
    lambda: mg.gradcheck(lambda x: 1 / 0, [f64()]), ok="user")
add("gradcheck(f, [x], eps=1e300)", lambda: mg.gradcheck(F, [f64()], eps=1e300))
add("datasets.train_test_split([1, 2], [1])", lambda: D.train_test_split([1, 2, 3], [1]))
add("datasets.train_test_split('ab', 'ab')", lambda: D.train_test_split("abc", "abc"))


# -- tensors on the wrong device (the fake GPU of tests/fake_cupy.py stands in for CuPy) -------------
def _install_fake_gpu() -> bool:
    """Make tests/fake_cupy.FakeCupy this process's CuPy (unless a real GPU is there)."""
    if mg.cuda_available():
        return True
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fake_cupy import FakeCupy

    mg.backend.use_cupy(FakeCupy())
    return mg.cuda_available()


def gpu3():
    return mg.tensor([1.0, 2.0, 3.0], device="cuda")


def _wrong_device_cases() -> None:
    for opname, op in [("+", lambda a, b: a + b), ("*", lambda a, b: a * b), ("@", lambda a, b: a @ b),
                       ("<", lambda a, b: a < b), ("maximum", mg.maximum), ("power", mg.power)]:
        add(f"cpu {opname} cuda", lambda op=op: op(x3(), gpu3()))
    add("where(cpu cond, cuda, cpu)", lambda: mg.where(x3() > 1, gpu3(), x3()))
    add("concatenate([cpu, cuda])", lambda: mg.concatenate([x3(), gpu3()]))
    add("stack([cpu, cuda])", lambda: mg.stack([x3(), gpu3()]))
    add("clip(cpu, cuda bound)", lambda: mg.clip(x3(), gpu3(), None))
    add("cpu[cuda index]", lambda: x3()[mg.tensor([0, 1], device="cuda")])
    add("scatter_add(cuda updates, cpu index tensor)",
        lambda: mg.scatter_add(mg.ones(2, device="cuda"), (mg.tensor([0, 1]),), (3,)))
    add("Variable(cpu).assign_add(cuda)", lambda: mg.Variable(x3()).assign_add(gpu3()))
    add("SGD step: cuda gradient for a cpu variable",
        lambda: mg.optimizers.SGD().apply_gradients([(gpu3(), mg.Variable(x3()))]))
    add("losses.mean_squared_error(cuda, cpu)", lambda: mg.losses.mean_squared_error(gpu3(), x3()))
    add("metrics.binary_accuracy(cuda, cpu)", lambda: mg.metrics.binary_accuracy(gpu3(), x3()))
    add("nn.conv2d(cpu image, cuda kernel)", lambda: mg.nn.conv2d(img(), mg.ones((3, 3, 2, 4), device="cuda")))
    add("nn.batch_norm_train(cpu x, cuda gamma)",
        lambda: mg.nn.batch_norm_train(mg.ones((4, 3)), mg.ones(3, device="cuda"), mg.zeros(3)))

    def output_gradients_elsewhere():
        x = x3()
        with mg.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        return tape.gradient(y, x, output_gradients=gpu3())

    add("tape.gradient(cpu target, output_gradients on cuda)", output_gradients_elsewhere)
    add("to_device(cpu, 'cuda') (the fix)", lambda: mg.to_device(x3(), "cuda") + gpu3(), ok=True)


if _install_fake_gpu():
    _wrong_device_cases()


# -- run ----------------------------------------------------------------------------------------
def run_case(fn):
    try:
        fn()
    except MinigradError as exc:
        return "named", type(exc).__name__, str(exc)
    except Exception as exc:  # noqa: BLE001  (the campaign classifies every escape)
        return "raw", type(exc).__name__, str(exc)
    return "accepted", "", ""


def main(argv) -> int:
    only_escapes = "--only-escapes" in argv
    mg.set_default_device("cpu")
    counts = {"named": 0, "raw": 0, "accepted": 0, "ok": 0, "ok-named": 0, "ok-raw": 0, "sig": 0}
    rows = []
    for label, fn, ok in CASES:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome, cls, msg = run_case(fn)
        mg.set_default_device("cpu")
        if ok == "sig":  # Python's own call-signature TypeError, as for any Python function
            outcome = "sig" if outcome == "raw" and cls == "TypeError" else outcome
        elif ok == "user":  # an error raised by the user's own function passes through unchanged
            outcome = "sig" if outcome == "raw" else outcome
        elif ok:
            outcome = {"accepted": "ok", "named": "ok-named", "raw": "ok-raw"}[outcome]
        counts[outcome] += 1
        rows.append((label, outcome, cls, msg))
    width = 60
    for label, outcome, cls, msg in rows:
        if only_escapes and outcome in ("named", "ok", "sig"):
            continue
        shown = {"named": f"named {cls}", "raw": f"RAW {cls}", "accepted": "ACCEPTED",
                 "ok": "ok (legitimate)", "ok-named": f"ok-named {cls}", "ok-raw": f"RAW {cls} (legit input)",
                 "sig": f"python {cls} (signature or the user's own error)"}[outcome]
        text = " ".join(msg.split())
        print(f"{label[:width]:<{width}} | {shown:<32} | {text[:150]}")
    total = len(rows)
    print()
    print(f"calls: {total}")
    print(f"bad inputs: {total - counts['ok'] - counts['ok-named'] - counts['ok-raw'] - counts['sig']}: "
          f"named errors {counts['named']}, raw errors {counts['raw']}, silently accepted {counts['accepted']}")
    print(f"legitimate inputs: {counts['ok'] + counts['ok-named'] + counts['ok-raw']}: accepted {counts['ok']}, "
          f"refused with a named error {counts['ok-named']}, raw error {counts['ok-raw']}")
    print(f"calls with arguments the function does not have (Python's own TypeError), or whose own "
          f"callback raised: {counts['sig']}")
    return 0 if counts["raw"] == counts["accepted"] == counts["ok-raw"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
