"""Feedback that diagnoses: the assertion messages of the exercise tests.

A failing exercise test says which quantity is wrong, its worst entry (index, got,
expected) and summary statistics, never the whole expected array; where a known mistake
exists it runs the NumPy oracle (``course.oracles``) under each wrong convention and names
the one the output matches. Gradient checks report through minigrad's gradcheck report
(``minigrad.gradcheck``: one line per input, the worst entry, analytic against numeric, the
hint). Everything here is used by ``tests/course_exercises``; it never imports a student's
region of code except through the function under test.
"""

from __future__ import annotations

import numpy as np

#: Known wrong conventions, by the name the oracles take, and how feedback describes them.
CONVENTIONS = {
    "n_minus_1": "the variance divided by n - 1 (Bessel's correction): batch normalization "
                 "divides by n (the biased variance)",
    "eps_outside_sqrt": "epsilon added outside the square root, (x - mean) / (sqrt(var) + eps): "
                        "it belongs inside, (x - mean) / sqrt(var + eps)",
    "batch_axis_only": "statistics over the batch axis only: batch normalization reduces every "
                       "axis except the channel axes (the reduction_axes you are given)",
    "channel_axis": "statistics over the channel axis (layer normalization's axes): batch "
                    "normalization reduces every axis except the channel axes",
    "momentum_weights_new": "momentum weighting the new value, m <- (1 - momentum) m + momentum "
                            "value: in Keras momentum weights the old moving value",
    "pytorch": "PyTorch's convention (momentum weights the new value, and the moving variance "
               "takes the unbiased batch variance): Keras's momentum weights the old value",
    "unbiased": "the unbiased (n - 1) batch variance in the moving variance: the composite layer "
                "moves towards the biased variance it normalizes with",
    "contiguous": "contiguous ghost batches (samples 0..vbs-1, vbs..2vbs-1, ...): Keras's ghost "
                  "batch j holds the samples i with i mod (B / vbs) == j (strided)",
    "full_batch_variance": "the whole batch's statistics in the moving average: it takes the "
                           "mean of the ghost batches' means and variances",
    "transposed": "the transpose of the right gradient: dL/da = g @ b^T has a's shape, "
                  "dL/db = a^T @ g has b's shape",
    "untransposed_operand": "the other operand not transposed (g @ b, a @ g): dL/da = g @ b^T, "
                            "dL/db = a^T @ g",
    "lost_keepdims": "the output gradient broadcast without its reduced axes (lost keepdims): "
                     "reshape it to the keepdims shape first, so it lines up with the reduced axes",
    "leading_axes_only": "a singleton axis not summed: only the added leading axes were summed, "
                         "but an axis of size 1 that was broadcast must be summed too (keepdims)",
    "no_moment_gradients": "the gradients of the mean and variance outputs (gmean, gvar) left out: "
                           "dx also gets gmean / n + 2 gvar (x - mu) / n",
    "singleton_dropped": "the singleton axis summed but dropped: sum it with keepdims so the "
                         "gradient keeps the input's shape",
}


def as_array(value) -> np.ndarray:
    """A Tensor, Variable, CuPy or NumPy array, or a number, as a float64 NumPy array."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


def _fmt(value) -> str:
    return f"{float(value):.6g}"


def mismatch(name: str, got, expected, rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """None when ``got`` matches ``expected``, else one line: the worst entry and statistics."""
    got, expected = as_array(got), as_array(expected)
    if got.shape != expected.shape:
        return f"{name}: shape {got.shape}, expected {expected.shape}"
    if got.size == 0:
        return None
    err = np.abs(got - expected)
    bad = ~(err <= atol + rtol * np.abs(expected))  # NaN is bad
    if not bad.any():
        return None
    score = np.where(np.isnan(err), np.inf, err - rtol * np.abs(expected))
    k = np.unravel_index(int(np.argmax(score)), got.shape)
    index = tuple(int(i) for i in k)
    finite = np.isfinite(got).all()
    return (f"{name}: {int(bad.sum())} of {got.size} entries off, max abs error {np.nanmax(err):.3e}, "
            f"mean abs error {np.nanmean(err):.3e}; worst at index {index}: got {_fmt(got[k])}, "
            f"expected {_fmt(expected[k])}" + ("" if finite else " (the output holds NaN or inf)"))


def matching_convention(got, candidates: dict, rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """The name of the first wrong convention whose oracle output ``got`` matches, if any.

    ``candidates`` maps a convention name to its expected value, or to a tuple of values
    compared with a tuple ``got``.
    """
    got_parts = got if isinstance(got, tuple) else (got,)
    for name, value in candidates.items():
        parts = value if isinstance(value, tuple) else (value,)
        if len(parts) == len(got_parts) and all(
                mismatch(name, g, v, rtol, atol) is None for g, v in zip(got_parts, parts)):
            return name
    return None


def diagnosis(got, wrong: dict | None, rtol: float, atol: float) -> str:
    """A sentence naming the known mistake the output matches (empty without candidates)."""
    if not wrong:
        return ""
    name = matching_convention(got, wrong, rtol, atol)
    if name is None:
        known = "; ".join(CONVENTIONS.get(w, w).split(":")[0].split(", m <-")[0] for w in wrong)
        return f"\nIt matches none of the known mistakes checked ({known})."
    return f"\nDiagnosis: your output matches {CONVENTIONS.get(name, name)}."


def check_close(name: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-8,
                wrong: dict | None = None, context: str = "") -> None:
    """Raise AssertionError (with the worst entry and the diagnosis) unless ``got`` ~ ``expected``.

    ``wrong`` maps known wrong conventions to what the oracle gives under each.
    """
    line = mismatch(name, got, expected, rtol, atol)
    if line is None:
        return
    prefix = f"{context}\n" if context else ""
    raise AssertionError(prefix + line + diagnosis(got, wrong, rtol, atol))


def check_table(title: str, rows: list, *, rtol: float = 1e-6, atol: float = 1e-8,
                wrong: dict | None = None, match_on: tuple | None = None) -> None:
    """Compare several quantities at once; on failure print one line per quantity (ok or the
    worst entry), so the student sees which of them are right.

    ``rows`` are ``(name, got, expected)``; ``wrong`` maps a convention to a tuple of expected
    values, one per row (or one per row of ``match_on``, the indices of the rows that tell
    the conventions apart).
    """
    lines, failed = [], False
    for name, got, expected in rows:
        line = mismatch(name, got, expected, rtol, atol)
        failed |= line is not None
        lines.append(f"  {line}" if line else f"  {name}: ok {as_array(got).shape}")
    if failed:
        got = tuple(as_array(g) for k, (_, g, _) in enumerate(rows) if match_on is None or k in match_on)
        raise AssertionError(f"{title}\n" + "\n".join(lines) + diagnosis(got, wrong, rtol, atol))


def check_gradients(what: str, analytic: list, numeric: list, names: list | None = None, *,
                    rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Compare analytic with numeric gradients through minigrad's gradcheck report.

    Raises AssertionError with gradcheck's lines (per input: entries that differ, max abs and
    rel error, the worst index with analytic vs numeric) and its hint (sign, constant factor...).
    """
    from minigrad.gradcheck import _compare, _hint  # the reference's report format

    names = names or [f"input {i}" for i in range(len(numeric))]
    rows, pairs = [], []
    for name, a, n in zip(names, analytic, numeric):
        n = as_array(n)
        if a is None:
            rows.append(f"  {name}: FAIL, the backward returned None (no gradient)")
            pairs.append((np.zeros_like(n), n))
            continue
        a = as_array(a)
        if a.shape != n.shape:
            rows.append(f"  {name}: FAIL, the gradient has shape {a.shape}, the input {n.shape}")
            continue
        row, bad = _compare(f"{name} {n.shape}", a, n, atol, rtol, "entries")
        rows.append(row)
        if bad:
            pairs.append((a, n))
    if any("FAIL" in r for r in rows):
        hint = _hint(pairs, "") if pairs else "return a gradient of each input's shape."
        raise AssertionError(f"{what}: the analytic gradient disagrees with central differences.\n"
                             + "\n".join(rows) + "\nhint: " + hint)


def run_backward(op, arrays: list, upstream, attrs: dict | None = None, needs: list | None = None):
    """Call ``op.backward`` directly (not through a tape): forward on float64 ``arrays`` with
    ``attrs``, then backward for output gradient ``upstream``.

    Returns:
        ``(output array, [gradient per input])``, gradients as returned (Tensors or None).

    Raises:
        AssertionError: if the backward returns something other than Tensors or None.
    """
    import minigrad as mg
    from minigrad.ops.base import Context

    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    ctx = Context()
    ctx.xp = np
    out = op.forward(ctx, *arrays, **(attrs or {}))
    ctx.inputs = tuple(mg.tensor(a, dtype="float64") for a in arrays)
    ctx.output = mg.tensor(np.asarray(out), dtype="float64")
    ctx.needs_input_grad = list(needs) if needs is not None else [True] * len(arrays)
    grads = op.backward(ctx, mg.tensor(np.asarray(upstream, dtype=np.float64), dtype="float64"))
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    for i, g in enumerate(grads):
        if g is not None and not isinstance(g, mg.Tensor):
            raise AssertionError(
                f"{op.__name__}.backward returned a {type(g).__name__} for input {i}: return minigrad "
                "Tensors computed with minigrad ops (g * b, not g._data * b._data), so that an outer "
                "tape can record the backward (that is how second derivatives work).")
    return np.asarray(out), list(grads)
