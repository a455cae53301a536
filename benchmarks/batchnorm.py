"""Batch normalization, minigrad vs PyTorch, one thread each.

    python -m benchmarks.batchnorm

For each shape (float32) three rows, timed against torch.nn.functional.batch_norm:

- fused train: ``minigrad.nn.batch_norm_train`` forward + the gradients of
  ``sum(y * dy)`` with respect to x, gamma and beta, against torch in training mode
  (forward + ``y.backward(dy)``, gradients for x, weight and bias);
- composite train: the same step built from primitive ops (mean, subtract, square,
  mean, rsqrt, multiply, add), as the non-fused layer does, against the same torch step;
- fused infer: ``minigrad.nn.batch_norm_infer`` forward against torch in eval mode
  (no autograd);
- layer train: a default ``layers.BatchNormalization(axis=axis)`` called in training mode
  under a GradientTape, then the gradients for x, gamma and beta (the path the layer
  takes: on rank 2 the closed-form primitive with Keras's non-fused moving-variance rule,
  on rank 4 the fused one), against torch's training step that also updates running
  statistics (momentum 0.01, as Keras's 0.99);
- layer infer: the same layer with ``training=False``, which keeps its per-channel
  scale and shift between calls, against torch in eval mode.

Shapes: (256, 1024) and (4096, 256) with axis -1, NHWC (64, 32, 32, 64) with axis -1
(torch gets the same memory as an NCHW tensor in channels_last format, as is its
convention) and NCHW (64, 64, 32, 32) with axis 1. Then the geometric means of the
fused and layer ratios, the largest error of dx against a float64 reference for both libraries,
and the peak memory a fused training step allocates (tracemalloc, which sees NumPy's
allocations; the per-thread scratch buffers are allocated by the warm-up step and
reused) divided by the input's size: the output y and the gradient dx alone make 2.0.

By default glibc is asked to keep freed memory (see ``keep_freed_memory``), so that
neither library's times include page faults on fresh outputs, which otherwise come
and go with the process's allocation history; ``--default-malloc`` measures without.
"""

from __future__ import annotations  # noqa: I001  (benchmarks.common goes first: it sets the threads)

from benchmarks.common import load_torch, paired, report, warm_up_blas

import ctypes
import math
import sys
import tracemalloc

import numpy as np

import layers
import minigrad as mg

EPSILON = 1e-3
SHAPES = [  # (name, shape, axis)
    ("(256, 1024) axis -1", (256, 1024), -1),
    ("(4096, 256) axis -1", (4096, 256), -1),
    ("NHWC (64, 32, 32, 64) axis -1", (64, 32, 32, 64), -1),
    ("NCHW (64, 64, 32, 32) axis 1", (64, 64, 32, 32), 1),
]


def make_data(shape, axis, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[axis]
    x = (rng.standard_normal(shape, dtype=np.float32) * 2 + 0.5).astype(np.float32)
    dy = rng.standard_normal(shape, dtype=np.float32)
    gamma = (1 + 0.1 * rng.standard_normal(c)).astype(np.float32)
    beta = (0.1 * rng.standard_normal(c)).astype(np.float32)
    mean = (0.5 + 0.1 * rng.standard_normal(c)).astype(np.float32)
    var = (4 + rng.random(c)).astype(np.float32)
    return x, dy, gamma, beta, mean, var


def composite_batch_norm(x, gamma, beta, axis):
    """The non-fused path: y = γ (x - μ) rsqrt(σ² + ε) + β from primitive ops."""
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = tuple(x.shape[i] if i == axis % x.ndim else 1 for i in range(x.ndim))
    mu = mg.mean(x, axis=axes, keepdims=True)
    xc = mg.subtract(x, mu)
    var = mg.mean(mg.square(xc), axis=axes, keepdims=True)
    scale = mg.multiply(mg.rsqrt(var + EPSILON), mg.reshape(gamma, shape))
    return mg.add(mg.multiply(xc, scale), mg.reshape(beta, shape))


def reference_dx(x, dy, gamma, axis):
    """dx of training-mode batch normalization in float64 (from the float32 data)."""
    x, dy = x.astype(np.float64), dy.astype(np.float64)
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = tuple(x.shape[i] if i == axis % x.ndim else 1 for i in range(x.ndim))
    mu = x.mean(axes, keepdims=True)
    r = 1 / np.sqrt(((x - mu) ** 2).mean(axes, keepdims=True) + EPSILON)
    xh = (x - mu) * r
    g = dy.mean(axes, keepdims=True)
    gx = (dy * xh).mean(axes, keepdims=True)
    return gamma.astype(np.float64).reshape(shape) * r * (dy - g - xh * gx)


class Case:
    """One shape: minigrad tensors, torch tensors in the matching layout, and the steps."""

    def __init__(self, torch, shape, axis):
        self.shape, self.axis = shape, axis
        self.x, self.dy, self.gamma, self.beta, self.mean, self.var = make_data(shape, axis)
        self.mx, self.mdy = mg.tensor(self.x), mg.tensor(self.dy)
        self.mg_params = [mg.tensor(a) for a in (self.gamma, self.beta, self.mean, self.var)]
        self.layer = layers.BatchNormalization(axis=axis, epsilon=EPSILON)
        self.layer(self.mx, training=False)  # builds it
        self.torch = torch
        if torch is not None:
            self.tx = self._to_torch(self.x).requires_grad_(True)
            self.tdy = self._to_torch(self.dy)
            self.tw = torch.from_numpy(self.gamma).requires_grad_(True)
            self.tb = torch.from_numpy(self.beta).requires_grad_(True)
            self.tm, self.tv = torch.from_numpy(self.mean), torch.from_numpy(self.var)
            self.t_running = torch.zeros(shape[axis]), torch.ones(shape[axis])

    def _to_torch(self, a):
        t = self.torch.from_numpy(a)
        if self.axis % a.ndim == a.ndim - 1 and a.ndim == 4:  # NHWC memory, channels_last tensor
            return t.permute(0, 3, 1, 2)
        return t

    # -- minigrad steps
    def fused_train(self):
        gamma, beta = self.mg_params[:2]
        with mg.GradientTape() as tape:
            tape.watch([self.mx, gamma, beta])
            y, _, _ = mg.nn.batch_norm_train(self.mx, gamma, beta, axis=self.axis, epsilon=EPSILON)
        return tape.gradient(y, [self.mx, gamma, beta], output_gradients=self.mdy)

    def composite_train(self):
        gamma, beta = self.mg_params[:2]
        with mg.GradientTape() as tape:
            tape.watch([self.mx, gamma, beta])
            y = composite_batch_norm(self.mx, gamma, beta, self.axis)
        return tape.gradient(y, [self.mx, gamma, beta], output_gradients=self.mdy)

    def fused_infer(self):
        return mg.nn.batch_norm_infer(self.mx, *self.mg_params, axis=self.axis, epsilon=EPSILON)

    def layer_train(self):
        layer = self.layer
        with mg.GradientTape() as tape:
            tape.watch(self.mx)
            y = layer(self.mx, training=True)
        return tape.gradient(y, [self.mx, layer.gamma, layer.beta], output_gradients=self.mdy)

    def layer_infer(self):
        return self.layer(self.mx, training=False)

    # -- torch steps
    def torch_train(self):
        self.tx.grad = self.tw.grad = self.tb.grad = None
        y = self.torch.nn.functional.batch_norm(self.tx, None, None, self.tw, self.tb, training=True,
                                                eps=EPSILON)
        y.backward(self.tdy)
        return self.tx.grad

    def torch_layer_train(self):
        self.tx.grad = self.tw.grad = self.tb.grad = None
        y = self.torch.nn.functional.batch_norm(self.tx, *self.t_running, self.tw, self.tb, training=True,
                                                momentum=0.01, eps=EPSILON)
        y.backward(self.tdy)
        return self.tx.grad

    def torch_infer(self):
        with self.torch.no_grad():
            return self.torch.nn.functional.batch_norm(self.tx, self.tm, self.tv, self.tw, self.tb,
                                                       training=False, eps=EPSILON)

    # -- accuracy and memory
    def dx_errors(self):
        ref = reference_dx(self.x, self.dy, self.gamma, self.axis)
        ours = np.abs(self.fused_train()[0].numpy() - ref).max()
        theirs = None
        if self.torch is not None:
            tdx = self.torch_train()
            if self.x.ndim == 4 and self.axis % 4 == 3:
                tdx = tdx.permute(0, 2, 3, 1)
            theirs = np.abs(tdx.numpy() - ref).max()
        return ours, theirs

    def peak_memory_ratio(self):
        self.fused_train()  # warm-up: allocates the reusable scratch buffers
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            result = self.fused_train()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        del result
        return (peak - before) / self.x.nbytes


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse instead of returning it to the kernel.

    Each training step allocates fresh outputs (y, dx: 16 MiB each for the large shapes).
    With glibc's default, adaptive thresholds, whether those come back as already-mapped
    memory or as new pages (a page fault, and the kernel zeroing 4 KiB, per page: about
    1 ms per 4 MiB here) depends on the history of allocations in the process, so either
    library can pay it on one shape and not on the next. Fixing the thresholds takes
    that noise out of both sides alike. ``--default-malloc`` skips this.

    Returns:
        True if the setting was applied (Linux with glibc).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 1 << 30)) and bool(libc.mallopt(m_trim_threshold, 1 << 30))


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main(repeats: int = 15) -> None:
    if "--default-malloc" not in sys.argv:
        applied = keep_freed_memory()
        print(f"glibc keeps freed memory for reuse: {applied} (run with --default-malloc to skip)")
    torch = load_torch()
    if torch is None:
        print("torch is not installed (pip install torch==2.13.0): showing minigrad times only.")
    warm_up_blas()
    rows, quality = [], []
    ratios = {"fused train": [], "fused infer": [], "layer train": [], "layer infer": []}
    for name, shape, axis in SHAPES:
        case = Case(torch, shape, axis)
        t_train, t_layer, t_infer = ((case.torch_train, case.torch_layer_train, case.torch_infer)
                                     if torch is not None else (None, None, None))
        timed = {
            "fused train": paired(case.fused_train, t_train, repeats=repeats),
            "composite train": paired(case.composite_train, t_train, repeats=max(5, repeats // 3)),
            "fused infer": paired(case.fused_infer, t_infer, repeats=repeats, inner=5),
            "layer train": paired(case.layer_train, t_layer, repeats=repeats),
            "layer infer": paired(case.layer_infer, t_infer, repeats=repeats, inner=5),
        }
        rows += [(f"{name} {kind}", result) for kind, result in timed.items()]
        if torch is not None:
            for kind, values in ratios.items():
                values.append(timed[kind]["ratio"])
        quality.append((name, *case.dx_errors(), case.peak_memory_ratio()))
    report(rows, "batch normalization, float32, 1 thread (ratio = minigrad / torch; train = fwd + bwd)")
    if ratios["fused train"]:
        print()
        for kind, values in ratios.items():
            print(f"geomean {kind} ratio {geomean(values):.2f} (max {max(values):.2f})")
    print(f"\n{'case':<36} {'dx err minigrad':>16} {'dx err torch':>13} {'peak mem / x':>13}")
    for name, ours, theirs, memory in quality:
        theirs = "-" if theirs is None else f"{theirs:13.2e}"
        print(f"{name:<36} {ours:16.2e} {theirs:>13} {memory:13.2f}")


if __name__ == "__main__":
    main()
