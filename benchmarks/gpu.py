"""minigrad on the GPU (CuPy) against PyTorch CUDA, side by side.

    python -m benchmarks.gpu                   # needs an NVIDIA GPU, CuPy and a CUDA build of torch
    python -m benchmarks.gpu --device cpu --small   # the same code paths on the CPU, tiny sizes

Two parts, float32:

1. Batch normalization, for NHWC (256, 56, 56, 64) with axis -1 (torch gets the same
   memory as an NCHW tensor in channels_last format) and NCHW (256, 64, 56, 56) with
   axis 1:

   - fwd+bwd: ``minigrad.nn.batch_norm_train`` on "cuda" tensors inside a GradientTape,
     then the gradients with respect to x, gamma and beta for an upstream gradient dy,
     against ``torch.nn.functional.batch_norm(training=True)`` and ``y.backward(dy)``;
   - infer: ``minigrad.nn.batch_norm_infer`` against ``F.batch_norm(training=False)``
     (no autograd).

   Then the goal line (fwd+bwd <= 1.5x torch) and the largest differences between the
   two libraries' dx, dgamma, dbeta and inference output.

2. One SGD training step of the CNN of ``benchmarks.train_step`` (with and without
   BatchNormalization), on the device, at the CPU benchmark's batch size (64) and at 256.
   Both sides start from the same weights and their first losses must agree, as on the CPU.

Timing (``benchmarks.common.paired``): the two sides interleaved, medians and the
median of the paired ratios minigrad / torch. On a GPU, work is queued and runs later,
so every timing waits for the device before starting and again before stopping the
clock (CuPy's stream synchronize and ``torch.cuda.synchronize``); the warm-up calls
also let CuPy compile its kernels, which it does on first use. A time is therefore the
wall time of a step: the Python that launches the kernels and the kernels themselves.

To compare the same arithmetic, torch's TF32 shortcuts for convolutions and matrix
products are turned off (cuDNN allows TF32 convolutions by default; CuPy computes in
plain float32 unless ``CUPY_TF32=1``).

Without a GPU, the script prints one line saying what is missing (CuPy, a GPU, or a
CUDA build of torch) and exits with status 2.
"""

from __future__ import annotations

from benchmarks.common import load_torch, paired, report

import argparse
import platform
import sys
from dataclasses import dataclass

import numpy as np

import minigrad as mg
from benchmarks.batchnorm import EPSILON, make_data
from benchmarks.train_step import (
    cnn,
    copy_weights,
    first_losses,
    minigrad_sgd_step,
    torch_cnn,
    torch_sgd_step,
)
from minigrad import backend
from minigrad.errors import DeviceUnavailableError

GOAL_RATIO = 1.5  # fwd+bwd of the fused batch normalization: at most this times torch's time
MISSING_STATUS = 2  # exit status when the GPU benchmark cannot run here


@dataclass(frozen=True)
class Sizes:
    """What to measure: batch-norm cases (name, shape, axis), CNN batch sizes, timing repeats."""

    batch_norm: tuple
    cnn_batches: tuple
    repeats: int
    warmup: int


FULL = Sizes(
    batch_norm=(("NHWC (256, 56, 56, 64) axis -1", (256, 56, 56, 64), -1),
                ("NCHW (256, 64, 56, 56) axis 1", (256, 64, 56, 56), 1)),
    cnn_batches=(64, 256), repeats=15, warmup=3)
SMALL = Sizes(
    batch_norm=(("NHWC (8, 6, 6, 4) axis -1", (8, 6, 6, 4), -1),
                ("NCHW (8, 4, 6, 6) axis 1", (8, 4, 6, 6), 1)),
    cnn_batches=(4, 8), repeats=3, warmup=1)


def missing_for_cuda(torch) -> list[str]:
    """What this machine lacks for the GPU benchmark, in words (empty when nothing).

    Args:
        torch: the torch module, or None when it is not installed.

    Returns:
        A list naming each missing piece (CuPy, a GPU, torch, torch CUDA) with its fix.
    """
    missing = []
    try:
        backend.cupy_module()
    except DeviceUnavailableError as exc:
        cause = exc.__cause__
        if isinstance(cause, ImportError):
            missing.append("CuPy (not importable; install it with `pip install -e \".[gpu]\"`)")
        else:
            missing.append(f"a GPU (CuPy is installed but cannot use one: {type(cause).__name__}: {cause})")
    if torch is None:
        missing.append("torch (not installed; install a CUDA build of torch)")
    elif not torch.cuda.is_available():
        missing.append(f"torch CUDA (torch {torch.__version__} sees no GPU; install a CUDA build)")
    return missing


class Device:
    """Where each library computes and how to wait for it.

    Args:
        name: minigrad's device, "cpu" or "cuda".
        torch: the torch module, or None to time minigrad alone.
        torch_name: torch's device ("cpu" or "cuda"); by default ``name``. The tests pair
            minigrad on a stand-in GPU with torch on the CPU.
    """

    def __init__(self, name: str, torch, torch_name: str | None = None):
        self.name = name
        self.torch = torch
        torch_name = torch_name or name
        self.torch_device = None if torch is None else torch.device(torch_name)
        waits = []  # each waits until one library's queued GPU work is done
        if name == "cuda":
            cupy = backend.cupy_module()
            waits.append(lambda: cupy.cuda.get_current_stream().synchronize())
        if torch is not None and torch_name == "cuda":
            torch.backends.cudnn.allow_tf32 = False  # the same float32 arithmetic as CuPy
            torch.backends.cuda.matmul.allow_tf32 = False
            waits.append(torch.cuda.synchronize)

        def sync() -> None:
            for wait in waits:
                wait()

        self.sync = sync if waits else None

    def to_torch(self, a: np.ndarray):
        """A torch tensor on this device holding a copy of the NumPy array ``a``."""
        return self.torch.from_numpy(np.ascontiguousarray(a)).to(self.torch_device)


def hardware_name(device: Device) -> str:
    """The GPU's name (from CuPy) on "cuda", the processor's on "cpu"."""
    if device.name != "cuda":
        return f"CPU {platform.processor() or platform.machine()}"
    cupy = backend.cupy_module()
    name = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)["name"]
    return name.decode() if isinstance(name, bytes) else name


def describe(device: Device, hardware: str) -> str:
    """One line naming the hardware and the libraries' versions."""
    torch = device.torch
    torch_text = "torch not installed" if torch is None else f"torch {torch.__version__}"
    if device.name != "cuda":
        return f"device: {hardware} ({torch_text}, 1 thread)"
    cupy = backend.cupy_module()
    return f"device: {hardware} (CuPy {cupy.__version__}, {torch_text}, TF32 off in torch)"


class BatchNormCase:
    """One shape: the same data for both libraries on one device, and the steps to time."""

    def __init__(self, device: Device, shape: tuple, axis: int):
        self.device, self.axis = device, axis
        self.nhwc = len(shape) == 4 and axis % 4 == 3
        x, dy, gamma, beta, mean, var = make_data(shape, axis)
        self.x, self.dy = mg.tensor(x, device=device.name), mg.tensor(dy, device=device.name)
        self.gamma, self.beta, self.mean, self.var = (
            mg.tensor(a, device=device.name) for a in (gamma, beta, mean, var))
        torch = device.torch
        if torch is not None:
            self.tx = self._torch_layout(device.to_torch(x)).requires_grad_(True)
            self.tdy = self._torch_layout(device.to_torch(dy))
            self.tgamma = device.to_torch(gamma).requires_grad_(True)
            self.tbeta = device.to_torch(beta).requires_grad_(True)
            self.tmean, self.tvar = device.to_torch(mean), device.to_torch(var)
            if self.nhwc:
                assert self.tx.is_contiguous(memory_format=torch.channels_last)

    def _torch_layout(self, t):
        """NHWC memory seen as an NCHW tensor (torch's channels_last); other shapes unchanged."""
        return t.permute(0, 3, 1, 2) if self.nhwc else t

    def ours_train(self) -> list:
        """minigrad fwd+bwd: [dx, dgamma, dbeta]."""
        with mg.GradientTape() as tape:
            tape.watch([self.x, self.gamma, self.beta])
            y, _, _ = mg.nn.batch_norm_train(self.x, self.gamma, self.beta, axis=self.axis,
                                             epsilon=EPSILON)
        return tape.gradient(y, [self.x, self.gamma, self.beta], output_gradients=self.dy)

    def ours_infer(self):
        """minigrad inference: y from the given mean and variance."""
        return mg.nn.batch_norm_infer(self.x, self.gamma, self.beta, self.mean, self.var,
                                      axis=self.axis, epsilon=EPSILON)

    def theirs_train(self) -> list:
        """torch fwd+bwd: [dx, dgamma, dbeta] (dx in torch's layout)."""
        self.tx.grad = self.tgamma.grad = self.tbeta.grad = None
        y = self.device.torch.nn.functional.batch_norm(self.tx, None, None, self.tgamma, self.tbeta,
                                                       training=True, eps=EPSILON)
        y.backward(self.tdy)
        return [self.tx.grad, self.tgamma.grad, self.tbeta.grad]

    def theirs_infer(self):
        """torch inference (eval mode, no autograd): y."""
        with self.device.torch.no_grad():
            return self.device.torch.nn.functional.batch_norm(
                self.tx, self.tmean, self.tvar, self.tgamma, self.tbeta, training=False, eps=EPSILON)

    def _host(self, t) -> np.ndarray:
        """A torch result as a NumPy array in minigrad's layout."""
        if self.nhwc and t.dim() == 4:
            t = t.permute(0, 2, 3, 1)
        return t.detach().cpu().numpy()

    def differences(self) -> dict:
        """Largest |minigrad - torch| of dx, dgamma, dbeta and the inference output, and max |dx|."""
        ours = [g.numpy() for g in self.ours_train()] + [self.ours_infer().numpy()]
        theirs = [self._host(t) for t in self.theirs_train() + [self.theirs_infer()]]
        names = ("dx", "dgamma", "dbeta", "y infer")
        diffs = {n: float(np.abs(a - b).max()) for n, a, b in zip(names, ours, theirs)}
        diffs["max |dx|"] = float(np.abs(theirs[0]).max())
        return diffs


def batch_norm_part(device: Device, sizes: Sizes, hardware: str = "") -> None:
    """Time and check batch normalization for each shape; print the table, goal and differences."""
    rows, train_ratios, checks = [], [], []
    for name, shape, axis in sizes.batch_norm:
        case = BatchNormCase(device, shape, axis)
        has_torch = device.torch is not None
        train = paired(case.ours_train, case.theirs_train if has_torch else None,
                       repeats=sizes.repeats, warmup=sizes.warmup, sync=device.sync)
        infer = paired(case.ours_infer, case.theirs_infer if has_torch else None,
                       repeats=sizes.repeats, inner=5, warmup=sizes.warmup, sync=device.sync)
        rows += [(f"BN {name} fwd+bwd", train), (f"BN {name} infer", infer)]
        if has_torch:
            train_ratios.append(train["ratio"])
            checks.append((name, case.differences()))
        del case
    report(rows, f"batch normalization, float32, on {hardware or device.name} "
                 "(ratio = minigrad / torch; fwd+bwd = forward + gradients of x, gamma, beta)")
    if not train_ratios:
        return
    worst = max(train_ratios)
    verdict = "met" if worst <= GOAL_RATIO else "NOT met"
    print(f"\ngoal fwd+bwd <= {GOAL_RATIO}x torch: {verdict} (worst fwd+bwd ratio {worst:.2f})")
    print(f"\n{'correctness, max |minigrad - torch|':<40} {'dx':>9} {'max |dx|':>9} {'dgamma':>9} "
          f"{'dbeta':>9} {'y infer':>9}")
    for name, d in checks:
        print(f"{name:<40} {d['dx']:9.2e} {d['max |dx|']:9.2e} {d['dgamma']:9.2e} {d['dbeta']:9.2e} "
              f"{d['y infer']:9.2e}")


def cnn_step_pair(device: Device, bn: bool, batch: int, sizes: Sizes) -> dict:
    """Time one SGD step of the CNN on ``device``, minigrad vs torch, from the same weights.

    Raises:
        AssertionError: if the two libraries' first losses differ (``train_step.first_losses``).
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    mg.random.seed(0)
    with mg.device(device.name):
        model = cnn(bn)
    ours = minigrad_sgd_step(model, mg.tensor(x, device=device.name), mg.tensor(y, device=device.name))
    theirs = None
    torch = device.torch
    if torch is not None:
        torch_model = torch_cnn(torch, bn).to(device.torch_device)
        copy_weights(model, torch_model, torch)
        tx, ty = device.to_torch(x.transpose(0, 3, 1, 2)), device.to_torch(y)
        theirs = torch_sgd_step(torch, torch_model, tx, ty)
        first_ours, first_theirs = first_losses(ours, theirs, f" on {device.name}")
        print(f"CNN{' + BN' if bn else ''} batch {batch}: first loss minigrad {first_ours:.6f}, "
              f"torch {first_theirs:.6f}")
    return paired(ours, theirs, repeats=sizes.repeats, warmup=sizes.warmup, sync=device.sync)


def cnn_part(device: Device, sizes: Sizes, hardware: str = "") -> None:
    """Time the CNN training step with and without BatchNormalization at each batch size."""
    rows = []
    print()
    for bn in (False, True):
        for batch in sizes.cnn_batches:
            tag = " + BN" if bn else ""
            rows.append((f"CNN conv32-conv64/2-GAP-Dense10{tag}, batch {batch}",
                         cnn_step_pair(device, bn, batch, sizes)))
    report(rows, f"CNN SGD training step, float32, on {hardware or device.name} "
                 "(ratio = minigrad / torch)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """``--device`` ("cuda" or "cpu") and ``--small`` from ``argv`` (``sys.argv[1:]`` when None)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu", description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                        help="where both libraries compute (default cuda; cpu to smoke-test the script)")
    parser.add_argument("--small", action="store_true", help="tiny sizes and few repeats (seconds)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark.

    Args:
        argv: command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status: 0 after the report, MISSING_STATUS (2) when ``--device cuda`` cannot run.
    """
    args = parse_args(argv)
    torch = load_torch()
    if args.device == "cuda":
        missing = missing_for_cuda(torch)
        if missing:
            print(f"benchmarks.gpu cannot run on cuda: missing {'; '.join(missing)}. "
                  "To smoke-test the script on the CPU: python -m benchmarks.gpu --device cpu --small",
                  file=sys.stderr)
            return MISSING_STATUS
    elif torch is None:
        print("torch is not installed (pip install torch==2.13.0): timing minigrad alone.")
    device = Device(args.device, torch)
    sizes = SMALL if args.small else FULL
    hardware = hardware_name(device)
    print(describe(device, hardware))
    batch_norm_part(device, sizes, hardware)
    cnn_part(device, sizes, hardware)
    return 0


if __name__ == "__main__":
    sys.exit(main())
