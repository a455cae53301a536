"""gradcheck: compare the tape's gradients with finite differences.

The analytic gradient of a scalar ``L`` is right when, for a small step ``eps``
along any direction ``v``, the central difference agrees with it:

    <grad L(x), v>  ~=  (L(x + eps v) - L(x - eps v)) / (2 eps)      (error O(eps^2))

A non-scalar output ``y = f(x)`` is checked through ``L(x) = sum(f(x) * r)`` for
a fixed random ``r``, so every output element takes part. Entries agree when
``|analytic - numeric| <= atol + rtol * |numeric|``. Everything runs in float64:
in float32 the rounding error of ``L`` divided by ``2 eps`` would swamp the test.

    >>> import numpy as np, minigrad as mg
    >>> mg.gradcheck(lambda x, y: mg.tanh(x) * y, [np.ones((2, 3)), np.ones(3)])
    True
    >>> mg.gradcheck(mg.sigmoid, [np.linspace(-2, 2, 5)], mode="full", order=2)
    True

A wrong backward raises ``GradcheckError`` with one line per input (shape, max
absolute and relative error, the worst entry or direction with its analytic and
numeric values) and a hint at the likely cause (a sign, a constant factor, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy

from minigrad import backend, ops
from minigrad.errors import ArgumentTypeError, GradcheckError, InvalidArgumentError
from minigrad.tape import GradientTape
from minigrad.tensor import Tensor
from minigrad.validation import check_float, check_int, check_not_none, check_one_of


def gradcheck(f: Callable, inputs: Sequence, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, mode: str = "random", n_directions: int = 8,
              order: int = 1, seed: int = 0) -> bool:
    """Check the gradients of ``f`` at ``inputs`` against central differences.

    Args:
        f: a function of Tensors (one per input, positionally) returning a Tensor.
        inputs: a list of arrays, nested lists or Tensors (or one Tensor); each becomes a
            float64 Tensor on its own device (a Tensor's or CuPy array's; the default
            device for host data).
            ``f``, its gradients and the finite differences all run on that device; only
            the numbers compared come back to the host.
        eps: the finite-difference step.
        atol, rtol: the tolerance, ``|a - n| <= atol + rtol * |n|``.
        mode: "random" compares directional derivatives along ``n_directions``
            random unit directions per input and for all inputs jointly (cheap);
            "full" compares every gradient entry (two calls of ``f`` per entry).
        n_directions: directions per input in "random" mode.
        order: 1 checks gradients; 2 also checks second derivatives: the gradient
            (through nested tapes) of ``h(x) = <grad L(x), w>`` for a random ``w``,
            i.e. a Hessian-vector product, against finite differences of ``h``.
        seed: seeds ``r``, ``w`` and the directions, so a failure reproduces.

    Returns:
        True when every check passes.

    Raises:
        GradcheckError: with a per-input report when the gradients disagree, or
            when the output does not depend on an input.
        ArgumentTypeError: when ``f`` is not callable or does not return a floating-point
            Tensor, ``inputs`` is None or an input is not numeric, or a tolerance, step,
            order or seed is not a number.
        InvalidArgumentError: for a bad ``mode``, an ``order`` other than 1 or 2, an ``eps``
            that is not > 0, a negative or NaN tolerance, ``n_directions`` < 1, a negative seed.
    """
    if not callable(f):
        raise ArgumentTypeError(f"gradcheck: `f` must be a function of Tensors, got {f!r}.")
    mode = check_one_of("mode", mode, ("random", "full"), where="gradcheck")
    order = check_int("order", order, minimum=1, maximum=2, where="gradcheck")
    eps = check_float("eps", eps, minimum=0, min_inclusive=False, where="gradcheck")
    atol = check_float("atol", atol, minimum=0, where="gradcheck")
    rtol = check_float("rtol", rtol, minimum=0, where="gradcheck")
    n_directions = check_int("n_directions", n_directions, minimum=1, where="gradcheck")
    seed = check_int("seed", seed, minimum=0, where="gradcheck")
    check_not_none("inputs", inputs, what="a list of inputs, e.g. [x]", where="gradcheck")
    if isinstance(inputs, Tensor):  # one input, as torch.autograd.gradcheck takes it
        inputs = [inputs]
    xs = [_as_float64(x, i) for i, x in enumerate(inputs)]
    if not xs:
        raise InvalidArgumentError(
            "gradcheck: `inputs` is empty: pass at least one input to differentiate, e.g. [x]."
        )
    rng = numpy.random.default_rng(seed)
    probe = _call(f, xs)
    r = Tensor(rng.standard_normal(probe.shape), "float64", probe.device)

    def loss(*ts: Tensor) -> Tensor:  # L(x) = sum(f(x) * r): a scalar using every output
        return ops.sum(_call(f, ts) * r)

    check = _check_full if mode == "full" else _check_random
    check(loss, xs, _gradients(loss, xs, "none"), eps, atol, rtol, n_directions, rng, "")
    if order == 2:
        w = [Tensor(rng.standard_normal(x.shape), "float64", x.device) for x in xs]

        def first_derivative(*ts: Tensor) -> Tensor:  # h(x) = <grad L(x), w>
            gs = _gradients(loss, ts, "zero")
            h = ops.sum(gs[0] * w[0])
            for g, wi in zip(gs[1:], w[1:]):
                h = h + ops.sum(g * wi)
            return h

        grads2 = _gradients(first_derivative, xs, "zero")
        check(first_derivative, xs, grads2, eps, atol, rtol, n_directions, rng, "second-order ")
    return True


def _as_float64(x, i: int) -> Tensor:
    """Input ``i`` as a float64 Tensor on its own device, or a TypeError saying why not."""
    data = x._data if isinstance(x, Tensor) else x
    try:
        kind = data.dtype.kind if backend.is_array(data) else numpy.asarray(data).dtype.kind
    except (TypeError, ValueError) as exc:
        kind = f"unreadable ({exc})"
    if kind not in ("b", "i", "u", "f"):
        raise ArgumentTypeError(f"gradcheck input {i} ({type(x).__name__}, dtype kind {kind!r}) does "
                                "not convert to float64: pass real numbers as an array, a nested "
                                "list or a Tensor.")
    return Tensor(data, "float64", x.device if isinstance(x, Tensor) else None)


def _call(f: Callable, ts) -> Tensor:
    out = f(*ts)
    if not isinstance(out, Tensor) or out.dtype.kind != "f":
        what = f"a {out.dtype} Tensor" if isinstance(out, Tensor) else f"a {type(out).__name__}"
        raise ArgumentTypeError(f"gradcheck: f returned {what}; it must return a floating-point "
                                "minigrad Tensor computed with minigrad ops from its arguments.")
    return out


def _gradients(loss: Callable, xs, unconnected: str) -> list:
    """The tape's gradients of the scalar ``loss(*xs)`` with respect to each input."""
    with GradientTape() as tape:
        tape.watch(list(xs))
        value = loss(*xs)
    grads = tape.gradient(value, list(xs), unconnected_gradients=unconnected)
    for i, g in enumerate(grads):
        if g is None:
            raise GradcheckError(
                f"the analytic gradient for input {i} is None: the output does not depend "
                "on it, or the tape lost it (an op computed on raw arrays, a stop_gradient, "
                "or a value built outside minigrad ops). Remove the input or fix f.")
    return grads


def _value(loss: Callable, xs, steps) -> float:
    """``loss`` at the inputs moved by ``steps`` (one NumPy array per input), on their device.

    Each step is sent to its input's device and added there; only the scalar loss comes
    back to the host.
    """
    moved = [Tensor(x._data + backend.as_array(s, "float64", x.device), "float64", x.device)
             for x, s in zip(xs, steps)]
    return float(loss(*moved).item())


def _central_difference(loss: Callable, xs, steps, eps: float) -> float:
    return (_value(loss, xs, steps) - _value(loss, xs, [-s for s in steps])) / (2 * eps)


def _check_random(loss, xs, grads, eps, atol, rtol, n_directions, rng, label) -> None:
    """Compare <grad, v> with central differences along random unit directions v."""
    g = [backend.to_device(gi._data, "cpu") for gi in grads]
    rows, pairs = [], []  # pairs: (analytic, numeric) of the inputs that fail
    for i in [*range(len(xs)), None]:  # each input alone, then all of them together
        a, n = numpy.zeros(n_directions), numpy.zeros(n_directions)
        for d in range(n_directions):
            v = [rng.standard_normal(x.shape) if i in (None, j) else numpy.zeros(x.shape)
                 for j, x in enumerate(xs)]
            norm = max(numpy.sqrt(sum(numpy.sum(vj**2) for vj in v)), 1e-300)
            v = [vj / norm for vj in v]  # a unit direction
            a[d] = sum(numpy.sum(gj * vj) for gj, vj in zip(g, v))
            n[d] = _central_difference(loss, xs, [eps * vj for vj in v], eps)
        name = "all inputs jointly" if i is None else f"input {i} {xs[i].shape}"
        row, bad = _compare(name, a, n, atol, rtol, "directions")
        rows.append(row)
        pairs += [(a, n)] if bad else []
    if pairs:
        _fail(label + "directional derivatives (mode='random')", rows, pairs, label)


def _compare(name: str, a, n, atol, rtol, what: str) -> tuple:
    """One report line comparing analytic ``a`` with numeric ``n``, and whether they differ."""
    err = numpy.abs(a - n)
    bad = ~(err <= atol + rtol * numpy.abs(n))  # a NaN (e.g. f overflowed at x + eps) is a failure
    k = numpy.unravel_index(numpy.argmax(err - rtol * numpy.abs(n)), n.shape)
    rel = numpy.max(err / numpy.maximum(numpy.abs(n), 1e-300))
    worst = f"worst direction #{k[0]}" if what == "directions" else f"worst index {tuple(map(int, k))}"
    row = (f"  {name}: {'FAIL' if bad.any() else 'ok'}, {int(bad.sum())} of {n.size} {what} "
           f"differ, max abs error {err.max():.3e}, max rel error {rel:.3e}, {worst}: "
           f"analytic {a[k]:.6g} vs numeric {n[k]:.6g}")
    if numpy.isnan(err).any():
        row += " (NaN: f or a gradient is not finite there; lower eps or move the inputs into f's domain)"
    return row, bool(bad.any())


def _check_full(loss, xs, grads, eps, atol, rtol, n_directions, rng, label) -> None:
    """Compare every gradient entry with its central difference (n_directions, rng unused)."""
    rows, pairs = [], []
    for i, x in enumerate(xs):
        a = backend.to_device(grads[i]._data, "cpu")
        n = numpy.zeros(x.shape)
        for idx in numpy.ndindex(*x.shape):  # one central difference per entry
            steps = [numpy.zeros(xj.shape) for xj in xs]
            steps[i][idx] = eps
            n[idx] = _central_difference(loss, xs, steps, eps)
        if x.size:
            row, bad = _compare(f"input {i} {x.shape}", a, n, atol, rtol, "entries")
            rows.append(row)
            pairs += [(a, n)] if bad else []
    if pairs:
        _fail(label + "gradient entries (mode='full')", rows, pairs, label)


def _fail(what: str, rows: list, pairs: list, label: str) -> None:
    raise GradcheckError(f"gradcheck failed: the analytic {what} disagree with central "
                         "differences.\n" + "\n".join(rows) + "\nhint: " + _hint(pairs, label))


def _hint(pairs: list, label: str) -> str:
    """A guess at the cause, from how analytic (a) and numeric (n) gradients relate."""
    if label:
        return ("first derivatives agree but second derivatives do not: some backward is "
                "right in value but not differentiable as written (it uses raw arrays, "
                "stop_gradient, or saved values the outer tape cannot see), or an op used "
                "inside a backward has a wrong backward itself.")
    a = numpy.concatenate([p[0].ravel() for p in pairs]) if pairs else numpy.zeros(0)
    n = numpy.concatenate([p[1].ravel() for p in pairs]) if pairs else numpy.zeros(0)
    if a.size and numpy.allclose(a, 0) and not numpy.allclose(n, 0):
        return "the analytic gradient is zero: the backward returns zeros or loses a term."
    if a.size and numpy.allclose(a, -n, rtol=1e-3, atol=1e-8):
        return "the analytic gradient has the wrong sign: check the backward's signs."
    if a.size and numpy.dot(n, n) > 0:
        scale = numpy.dot(a, n) / numpy.dot(n, n)
        if numpy.allclose(a, scale * n, rtol=1e-3, atol=1e-8):
            return f"the analytic gradient is {scale:.4g} times the numeric one: a constant factor is off."
    return ("check the backward formula, broadcasting (a gradient summed over the wrong axes), "
            "and that inputs sit away from kinks (relu/abs at 0, ties in max) and domain edges.")
