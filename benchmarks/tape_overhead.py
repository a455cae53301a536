"""How much the tape costs per op: a 100-op chain of tiny elementwise ops.

On (4, 4) float32 tensors the arithmetic itself is nearly free, so what is
timed is the engine: wrapping arrays in Tensors, recording each op on the
tape, walking the record backwards and checking every gradient. The same
chain runs in PyTorch autograd (``requires_grad`` + ``.backward()``).

    python -m benchmarks.tape_overhead

The cycle of ten ops, repeated ten times (then a sum, so there is a scalar):

    x * w,  x + b,  tanh,  sigmoid,  x * 0.5,  exp,  x - c,  2.0 - x,  x * x,  x / 3.0

``w`` is watched (a trainable Variable in minigrad, ``requires_grad`` in torch);
``b`` and ``c`` are constants. The goal is minigrad at most 0.35x torch's time
with the tape. Forward-only (no tape, no ``requires_grad``) is timed as well.
"""

# benchmarks.common sets one BLAS thread, so it must be imported before numpy.
from __future__ import annotations  # noqa: I001

from benchmarks.common import load_torch, paired, report, warm_up_blas

import numpy as np

import minigrad as mg

SHAPE = (4, 4)
CYCLES = 10  # ten ops each: 100 ops, plus the final sum


def chain(x, w, b, c, tanh, sigmoid, exp):
    """The 100-op chain, written once for both libraries (they share the operators)."""
    for _ in range(CYCLES):
        x = x * w
        x = x + b
        x = tanh(x)
        x = sigmoid(x)
        x = x * 0.5
        x = exp(x)
        x = x - c
        x = 2.0 - x
        x = x * x
        x = x / 3.0
    return x.sum()


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=SHAPE).astype(np.float32) for _ in range(4)]


def minigrad_cases(x0, w0, b0, c0):
    x, b, c = mg.tensor(x0), mg.tensor(b0), mg.tensor(c0)
    w = mg.Variable(w0, name="w")

    def forward_backward():
        with mg.GradientTape() as tape:
            loss = chain(x, w, b, c, mg.tanh, mg.sigmoid, mg.exp)
        return tape.gradient(loss, w)

    def forward_only():
        return chain(x, w, b, c, mg.tanh, mg.sigmoid, mg.exp)

    return forward_backward, forward_only


def torch_cases(torch, x0, w0, b0, c0):
    x, b, c = (torch.from_numpy(a.copy()) for a in (x0, b0, c0))
    w = torch.from_numpy(w0.copy()).requires_grad_(True)
    w_const = torch.from_numpy(w0.copy())

    def forward_backward():
        w.grad = None
        loss = chain(x, w, b, c, torch.tanh, torch.sigmoid, torch.exp)
        loss.backward()
        return w.grad

    def forward_only():
        return chain(x, w_const, b, c, torch.tanh, torch.sigmoid, torch.exp)

    return forward_backward, forward_only


def check_same_numbers(mg_fb, torch_fb) -> None:
    """Both sides must compute the same gradient, or the timing compares nothing."""
    ours = mg_fb().numpy()
    theirs = torch_fb().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def main() -> None:
    torch = load_torch()
    warm_up_blas()
    data = make_data()
    mg_fb, mg_fwd = minigrad_cases(*data)
    if torch is None:
        print("torch is not installed (pip install torch==2.13.0): timing minigrad alone.")
        t_fb = t_fwd = None
    else:
        t_fb, t_fwd = torch_cases(torch, *data)
        check_same_numbers(mg_fb, t_fb)

    ops_per_call = CYCLES * 10 + 1
    rows = [
        ("100-op chain, forward under a tape + backward", paired(mg_fb, t_fb, repeats=21, inner=20)),
        ("100-op chain, forward only (no tape)", paired(mg_fwd, t_fwd, repeats=21, inner=20)),
    ]
    report(rows, f"tape overhead: {ops_per_call} ops on {SHAPE} float32 tensors")
    fb = rows[0][1]
    line = f"\nminigrad: {fb['ours'] / ops_per_call * 1e6:.1f} us per op, forward under a tape + backward"
    if fb["ratio"] is not None:
        line += (f"; torch: {fb['theirs'] / ops_per_call * 1e6:.1f} us per op; "
                 f"ratio {fb['ratio']:.2f} (goal: <= 0.35)")
    print(line)


if __name__ == "__main__":
    main()
