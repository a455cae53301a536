"""conv2d and max_pool2d, forward + backward, minigrad vs PyTorch, one thread each.

    python -m benchmarks.conv2d

Cases (float32):
- conv2d: x (64, 28, 28, 32) NHWC, kernel 3x3x32x64, stride 1, "same"; torch gets the
  same data as NCHW tensors and runs torch.nn.functional.conv2d(padding=1).
- max_pool2d 2x2, stride 2 on (64, 28, 28, 64).

Each unit of work is the forward pass and the gradients of sum(y * dy) with respect
to every input (input and kernel for conv2d).
"""

from __future__ import annotations  # noqa: I001  (benchmarks.common goes first: it sets the threads)

from benchmarks.common import load_torch, paired, report, warm_up_blas

import numpy as np  # noqa: I001  (benchmarks.common sets the thread count before numpy loads)

import minigrad as mg


def conv2d_case(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 28, 28, 32), dtype=np.float32)
    k = rng.standard_normal((3, 3, 32, 64), dtype=np.float32) * 0.1
    dy = rng.standard_normal((64, 28, 28, 64), dtype=np.float32)
    mx, mk, mdy = mg.tensor(x), mg.tensor(k), mg.tensor(dy)

    def ours():
        with mg.GradientTape() as tape:
            tape.watch([mx, mk])
            y = mg.nn.conv2d(mx, mk, padding="same")
        tape.gradient(y, [mx, mk], output_gradients=mdy)

    theirs = None
    if torch is not None:
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_(True)
        tk = torch.from_numpy(k.transpose(3, 2, 0, 1).copy()).requires_grad_(True)
        tdy = torch.from_numpy(dy.transpose(0, 3, 1, 2).copy())

        def theirs():
            tx.grad = tk.grad = None
            y = torch.nn.functional.conv2d(tx, tk, padding=1)
            y.backward(tdy)

    return paired(ours, theirs, repeats=15)


def max_pool_case(torch):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 28, 28, 64), dtype=np.float32)
    dy = rng.standard_normal((64, 14, 14, 64), dtype=np.float32)
    mx, mdy = mg.tensor(x), mg.tensor(dy)

    def ours():
        with mg.GradientTape() as tape:
            tape.watch(mx)
            y = mg.nn.max_pool2d(mx, 2)
        tape.gradient(y, mx, output_gradients=mdy)

    theirs = None
    if torch is not None:
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_(True)
        tdy = torch.from_numpy(dy.transpose(0, 3, 1, 2).copy())

        def theirs():
            tx.grad = None
            y = torch.nn.functional.max_pool2d(tx, 2)
            y.backward(tdy)

    return paired(ours, theirs, repeats=21)


def main() -> None:
    torch = load_torch()
    if torch is None:
        print("torch is not installed (pip install torch==2.13.0): showing minigrad times only.")
    warm_up_blas()
    rows = [
        ("conv2d 3x3 32->64 same, x (64,28,28,32) fwd+bwd", conv2d_case(torch)),
        ("max_pool2d 2x2, x (64,28,28,64) fwd+bwd", max_pool_case(torch)),
    ]
    report(rows, "conv2d / pooling: forward + backward, float32, 1 thread (ratio = minigrad / torch)")


if __name__ == "__main__":
    main()
