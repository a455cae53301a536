"""minigrad next to the engines a teacher might pick instead: PyTorch, MyGrad, DeZero.

    pip install -e ".[peers]"          # torch, mygrad and dezero at the versions timed here
    python -m benchmarks.peers [--only chain|mlp] [--json PATH]

Two workloads, each library on one thread, all libraries interleaved (the order rotates
every round), each time divided by torch's time in the same round, medians over rounds:

- chain: the 100-op chain of ``benchmarks.tape_overhead`` on (4, 4) float32, forward under
  the library's tape + the gradient for ``w``: what each engine costs per op. A minimal
  first-order tape (``MinimalTape`` below, about 30 lines: lambdas for the backward, no
  un-broadcasting, no checks, no higher orders) is the floor.
- mlp: one SGD step (lr 0.01, softmax cross-entropy) of an MLP 784-256-256-10, ReLU,
  batch 128, and the same with batch normalization after each hidden Dense, for the
  libraries that have one (MyGrad's ``nnet.batchnorm`` is the normalization alone: no
  moving statistics; DeZero's ``BatchNorm`` keeps them, with its own epsilon 2e-5).

Every library starts from the same numbers (weights copied from minigrad's), and the
chain's gradient and the MLP's first loss (without BN) are compared before timing. A
library that is not installed is skipped with a message.
"""

# benchmarks.common sets one BLAS thread, so it must be imported before numpy.
from __future__ import annotations  # noqa: I001

from benchmarks.common import load_torch, report, warm_up_blas

import importlib
import statistics
import sys
import time

import numpy as np

import minigrad as mg
from benchmarks import tape_overhead, train_step

LR = 0.01
BATCH = 128


# -- the floor: a minimal first-order tape ------------------------------------------------
class MinimalTape:
    """A ~30-line first-order tape: each op appends its output with one backward lambda per
    parent; ``gradient`` walks the list backwards. Enough for the chain and nothing more."""

    def __init__(self):
        self.nodes = []

    def node(self, data, parents=(), grad_fns=()):
        out = _Node(self, data, parents, grad_fns)
        if parents:
            self.nodes.append(out)
        return out

    def gradient(self, loss, source):
        grads = {id(loss): np.ones_like(loss.data)}
        for node in reversed(self.nodes):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            for parent, grad_fn in zip(node.parents, node.grad_fns):
                key = id(parent)
                grads[key] = grads[key] + grad_fn(g) if key in grads else grad_fn(g)
        self.nodes.clear()
        return grads[id(source)]


class _Node:
    __slots__ = ("tape", "data", "parents", "grad_fns")

    def __init__(self, tape, data, parents, grad_fns):
        self.tape, self.data, self.parents, self.grad_fns = tape, data, parents, grad_fns

    def _binary(self, other, fn, grad_a, grad_b):
        if not isinstance(other, _Node):
            other = self.tape.node(np.asarray(other, self.data.dtype))
        a, b = self.data, other.data
        return self.tape.node(fn(a, b), (self, other), (lambda g: grad_a(g, a, b), lambda g: grad_b(g, a, b)))

    def __mul__(self, o):
        return self._binary(o, np.multiply, lambda g, a, b: g * b, lambda g, a, b: g * a)

    def __add__(self, o):
        return self._binary(o, np.add, lambda g, a, b: g, lambda g, a, b: g)

    def __sub__(self, o):
        return self._binary(o, np.subtract, lambda g, a, b: g, lambda g, a, b: -g)

    def __rsub__(self, o):
        return self.tape.node(np.asarray(o, self.data.dtype)) - self

    def __truediv__(self, o):
        return self._binary(o, np.divide, lambda g, a, b: g / b, lambda g, a, b: -g * a / (b * b))

    def sum(self):
        return self.tape.node(self.data.sum(), (self,), (lambda g: g * np.ones_like(self.data),))

    def unary(self, y, grad_fn):
        return self.tape.node(y, (self,), (grad_fn,))


def _tanh(x):
    y = np.tanh(x.data)
    return x.unary(y, lambda g: g * (1 - y * y))


def _sigmoid(x):
    y = 1 / (1 + np.exp(-x.data))
    return x.unary(y, lambda g: g * y * (1 - y))


def _exp(x):
    y = np.exp(x.data)
    return x.unary(y, lambda g: g * y)


# -- the chain in each library --------------------------------------------------------------
def chain_minimal(x0, w0, b0, c0):
    tape = MinimalTape()
    x, w, b, c = (tape.node(a) for a in (x0, w0, b0, c0))

    def forward_backward():
        return tape.gradient(tape_overhead.chain(x, w, b, c, _tanh, _sigmoid, _exp), w)
    return forward_backward


def chain_mygrad(mygrad, x0, w0, b0, c0):
    w = mygrad.tensor(w0)
    x, b, c = (mygrad.tensor(a, constant=True) for a in (x0, b0, c0))
    sigmoid = mygrad.nnet.activations.sigmoid

    def forward_backward():
        loss = tape_overhead.chain(x, w, b, c, mygrad.tanh, sigmoid, mygrad.exp)
        loss.backward()
        return w.grad
    return forward_backward


def chain_dezero(dezero, x0, w0, b0, c0):
    functions = importlib.import_module("dezero.functions")
    w = dezero.Variable(w0.copy())
    x, b, c = (dezero.Variable(a) for a in (x0, b0, c0))

    def forward_backward():
        w.cleargrad()
        loss = tape_overhead.chain(x, w, b, c, functions.tanh, functions.sigmoid, functions.exp)
        loss.backward()
        return w.grad.data
    return forward_backward


def chain_cases(peers: dict) -> dict:
    """name -> forward+backward callable returning w's gradient as a NumPy array."""
    data = tape_overhead.make_data()
    minigrad_fb, _ = tape_overhead.minigrad_cases(*data)
    cases = {"minigrad": lambda: minigrad_fb().numpy(), "minimal tape": chain_minimal(*data)}
    if peers.get("torch"):
        torch_fb, _ = tape_overhead.torch_cases(peers["torch"], *data)
        cases["torch"] = lambda: torch_fb().numpy()
    if peers.get("mygrad"):
        cases["mygrad"] = chain_mygrad(peers["mygrad"], *data)
    if peers.get("dezero"):
        cases["dezero"] = chain_dezero(peers["dezero"], *data)
    reference = cases["minigrad"]()
    for name, fb in cases.items():
        np.testing.assert_allclose(fb(), reference, rtol=1e-4, atol=1e-6, err_msg=name)
    return cases


# -- the MLP step in each library ----------------------------------------------------------
def mlp_weights(bn: bool):
    """A minigrad MLP and its weights as NumPy arrays: [(kernel, bias), ...] of the Dense layers."""
    model = train_step.mlp(bn)
    model(mg.tensor(np.zeros((1, 784), np.float32)))
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    return model, [(d.kernel.numpy(), d.bias.numpy()) for d in dense]


def mlp_mygrad(mygrad, weights, bn: bool, x, y):
    params = [mygrad.tensor(a.copy()) for pair in weights for a in pair]
    norms = [mygrad.tensor(np.ones(256, np.float32)) for _ in range(2)] if bn else []
    shifts = [mygrad.tensor(np.zeros(256, np.float32)) for _ in range(2)] if bn else []
    nnet = mygrad.nnet

    def step():
        h = x
        for k in range(2):
            h = h @ params[2 * k] + params[2 * k + 1]
            if bn:
                h = nnet.batchnorm(h, gamma=norms[k], beta=shifts[k], eps=1e-3)
            h = nnet.relu(h)
        loss = nnet.softmax_crossentropy(h @ params[4] + params[5], y)
        loss.backward()
        for p in params + norms + shifts:
            p.data -= LR * p.grad
        return float(loss.item())
    return step


def mlp_dezero(dezero, weights, bn: bool, x, y):
    functions = importlib.import_module("dezero.functions")
    layers = importlib.import_module("dezero.layers")
    optimizers = importlib.import_module("dezero.optimizers")
    model = dezero.Model()
    for k, (kernel, bias) in enumerate(weights):
        linear = layers.Linear(kernel.shape[1], in_size=kernel.shape[0])
        linear.W.data, linear.b.data = kernel.copy(), bias.copy()
        setattr(model, f"dense{k}", linear)
        if bn and k < 2:
            setattr(model, f"norm{k}", layers.BatchNorm())
    optimizer = optimizers.SGD(lr=LR).setup(model)

    def step():
        h = x
        for k in range(2):
            h = getattr(model, f"dense{k}")(h)
            h = functions.relu(getattr(model, f"norm{k}")(h) if bn else h)
        loss = functions.softmax_cross_entropy(model.dense2(h), y)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        return float(loss.data)
    return step


def mlp_cases(peers: dict, bn: bool) -> dict:
    """name -> one SGD step returning the loss as a float."""
    rng = np.random.default_rng(0)
    mg.random.seed(0)
    x = rng.standard_normal((BATCH, 784), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    model, weights = mlp_weights(bn)
    minigrad_step = train_step.minigrad_sgd_step(model, mg.tensor(x), mg.tensor(y))
    cases = {"minigrad": lambda: float(minigrad_step().item())}
    if peers.get("torch"):
        torch = peers["torch"]
        torch_model = train_step.torch_mlp(torch, bn)
        train_step.copy_weights(model, torch_model, torch)
        torch_step = train_step.torch_sgd_step(torch, torch_model, torch.from_numpy(x), torch.from_numpy(y))
        cases["torch"] = lambda: float(torch_step().item())
    if peers.get("mygrad"):
        cases["mygrad"] = mlp_mygrad(peers["mygrad"], weights, bn, x, y)
    if peers.get("dezero"):
        cases["dezero"] = mlp_dezero(peers["dezero"], weights, bn, x, y)
    if not bn:  # with BN the epsilons differ (DeZero's is fixed at 2e-5)
        first = {name: step() for name, step in cases.items()}
        for name, loss in first.items():
            assert abs(loss - first["minigrad"]) < 1e-4 * max(1.0, abs(loss)), (name, first)
    return cases


# -- timing ---------------------------------------------------------------------------------
def interleaved(cases: dict, repeats: int, inner: int, warmup: int = 2) -> list:
    """Time every case once per round, rotating the order; report rows with ratios to torch.

    Returns:
        ``[(name, {"ours": median seconds, "theirs": torch's median, "ratio": median of the
        per-round ratios to torch})]``; ratio None when torch is missing.
    """
    names = list(cases)
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    times = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            fn = cases[name]
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - start) / inner)
    torch_times = times.get("torch")
    rows = []
    for name in names:
        ratios = [a / b for a, b in zip(times[name], torch_times)] if torch_times else None
        rows.append((name, {"ours": statistics.median(times[name]),
                            "theirs": statistics.median(torch_times) if torch_times else None,
                            "ratio": statistics.median(ratios) if ratios else None}))
    return rows


def load_peers() -> dict:
    """The peers that import here (one thread each); a missing one is named and skipped."""
    peers = {"torch": load_torch()}
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0" and not hasattr(np, "int"):
        np.int = int  # DeZero 0.0.13 uses np.int, which NumPy 2 removed
    for name in ("mygrad", "dezero"):
        try:
            peers[name] = importlib.import_module(name)
        except ImportError:
            peers[name] = None
    for name, module in peers.items():
        if module is None:
            print(f"{name} is not installed (pip install -e '.[peers]'): skipped.")
    return peers


def main() -> None:
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    peers = load_peers()
    warm_up_blas()
    if only in (None, "chain"):
        chain_rows = interleaved(chain_cases(peers), repeats=21, inner=20)
        report([(f"chain/{n}", r) for n, r in chain_rows],
               "peers: 100-op chain on (4, 4) float32, fwd under a tape + bwd (ratio = library / torch)")
        floor = dict(chain_rows)["minimal tape"]["ours"]
        print(f"minigrad / minimal tape: {dict(chain_rows)['minigrad']['ours'] / floor:.2f}")
    if only in (None, "mlp"):
        for bn in (False, True):
            tag = "+BN" if bn else ""
            mlp_rows = interleaved(mlp_cases(peers, bn), repeats=15, inner=1)
            report([(f"mlp{tag}/{n}", r) for n, r in mlp_rows],
                   f"peers: MLP 784-256-256-10{' + BN' if bn else ''}, batch {BATCH}, SGD step")


if __name__ == "__main__":
    main()
