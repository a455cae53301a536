"""One SGD training step of an MLP and of a small CNN, minigrad vs PyTorch, one thread each.

    python -m benchmarks.train_step

- MLP 784-256-256-10, ReLU, batch 128.
- CNN on 28x28x1 inputs, batch 64: 3x3 conv 32 ("same") + ReLU, 3x3 conv 64 stride 2
  ("same") + ReLU, global average pooling, Dense 10.

Each model is timed twice: as above, and with BatchNormalization between each hidden
Dense/Conv2D and its ReLU (Keras defaults: momentum 0.99, epsilon 1e-3; the same in torch
as momentum=0.01, eps=1e-3). BatchNormalization resolves fused=None as Keras does: the
composite path on the MLP's rank-2 activations, the fused op on the CNN's NHWC ones.
A step is: forward in training mode under a GradientTape, sparse categorical
cross-entropy from logits, gradients of the trainable weights, and an SGD update
(learning rate 0.01). Both libraries start from the same weights, and the first
step's loss is compared, so the two sides compute the same thing.
"""

from __future__ import annotations

from benchmarks.common import load_torch, paired, report, warm_up_blas

import numpy as np

import layers
import minigrad as mg


def hidden(layer, bn: bool) -> list:
    """A hidden layer, then (with bn) BatchNormalization, then ReLU."""
    if not bn:
        layer.activation = layers.activations.get("relu")
        return [layer]
    return [layer, layers.BatchNormalization(), layers.Activation("relu")]


def mlp(bn: bool = False):
    return layers.Sequential(
        hidden(layers.Dense(256, input_shape=(784,)), bn) + hidden(layers.Dense(256), bn)
        + [layers.Dense(10)]
    )


def cnn(bn: bool = False):
    return layers.Sequential(
        hidden(layers.Conv2D(32, 3, padding="same", input_shape=(28, 28, 1)), bn)
        + hidden(layers.Conv2D(64, 3, strides=2, padding="same"), bn)
        + [layers.GlobalAveragePooling2D(), layers.Dense(10)]
    )


def torch_hidden(torch, layer, channels: int, bn: bool, dims: int) -> list:
    nn = torch.nn
    if not bn:
        return [layer, nn.ReLU()]
    norm = nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d
    return [layer, norm(channels, eps=1e-3, momentum=0.01), nn.ReLU()]


def torch_mlp(torch, bn: bool = False):
    nn = torch.nn
    return nn.Sequential(*torch_hidden(torch, nn.Linear(784, 256), 256, bn, 1),
                         *torch_hidden(torch, nn.Linear(256, 256), 256, bn, 1),
                         nn.Linear(256, 10))


def torch_cnn(torch, bn: bool = False):
    nn = torch.nn
    # TF's "same" with stride 2 on 28 pixels pads 0 before and 1 after (torch's padding=1
    # would pad 1 on both sides and shift every window), so pad explicitly.
    return nn.Sequential(*torch_hidden(torch, nn.Conv2d(1, 32, 3, padding=1), 32, bn, 2),
                         nn.ZeroPad2d((0, 1, 0, 1)),
                         *torch_hidden(torch, nn.Conv2d(32, 64, 3, stride=2), 64, bn, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def copy_weights(model, torch_model, torch) -> None:
    """Give the torch model minigrad's weights (kernels transposed to torch's layouts)."""
    params = [p for p in torch_model.parameters()]
    with torch.no_grad():
        for p, w in zip(params, [v.numpy() for v in model.trainable_weights]):
            if w.ndim == 2:  # Dense kernel (in, out) -> Linear weight (out, in)
                w = w.T
            elif w.ndim == 4:  # Conv2D kernel (kh, kw, in, out) -> (out, in, kh, kw)
                w = w.transpose(3, 2, 0, 1)
            p.copy_(torch.from_numpy(np.ascontiguousarray(w)))


LOSS_RTOL = 1e-4  # the two libraries' first training losses agree to this


def minigrad_sgd_step(model, x, y):
    """One SGD step (lr 0.01, cross-entropy from logits) of ``model`` on tensors ``x``, ``y``."""
    opt = mg.optimizers.SGD(learning_rate=0.01)
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)

    def ours():
        with mg.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        opt.apply_gradients(zip(grads, model.trainable_weights))
        return loss
    return ours


def torch_sgd_step(torch, torch_model, tx, ty):
    """The same step in PyTorch, on torch tensors ``tx``, ``ty``."""
    topt = torch.optim.SGD(torch_model.parameters(), lr=0.01)
    tloss = torch.nn.CrossEntropyLoss()

    def theirs():
        topt.zero_grad()
        loss = tloss(torch_model(tx), ty)
        loss.backward()
        topt.step()
        return loss
    return theirs


def first_losses(ours, theirs, where: str = "") -> tuple:
    """Run one step of each and check that the two models start from the same loss.

    Raises:
        AssertionError: if the first losses differ by more than LOSS_RTOL.
    """
    first_ours, first_theirs = float(ours().item()), float(theirs().item())
    assert abs(first_ours - first_theirs) < LOSS_RTOL * max(1.0, abs(first_theirs)), (
        f"the two models disagree{where}: loss {first_ours} vs {first_theirs}")
    return first_ours, first_theirs


def step_pair(model, torch_model, x, y, torch, channels_first_for_torch: bool):
    ours = minigrad_sgd_step(model, mg.tensor(x), mg.tensor(y))
    theirs = None
    if torch is not None:
        copy_weights(model, torch_model, torch)
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy() if channels_first_for_torch else x)
        theirs = torch_sgd_step(torch, torch_model, tx, torch.from_numpy(y))
        first_losses(ours, theirs)
    return paired(ours, theirs, repeats=15)


def main() -> None:
    torch = load_torch()
    if torch is None:
        print("torch is not installed (pip install torch==2.13.0): timing minigrad alone.")
    warm_up_blas()
    rng = np.random.default_rng(0)
    mg.random.seed(0)
    rows = []
    x_mlp = rng.standard_normal((128, 784), dtype=np.float32)
    y_mlp = rng.integers(0, 10, 128)
    x_cnn = rng.standard_normal((64, 28, 28, 1), dtype=np.float32)
    y_cnn = rng.integers(0, 10, 64)
    for bn in (False, True):
        tag = " + BN" if bn else ""
        rows.append((f"MLP 784-256-256-10{tag} SGD step, batch 128",
                     step_pair(mlp(bn), torch and torch_mlp(torch, bn), x_mlp, y_mlp, torch, False)))
        rows.append((f"CNN conv32-conv64/2-GAP-Dense10{tag}, batch 64",
                     step_pair(cnn(bn), torch and torch_cnn(torch, bn), x_cnn, y_cnn, torch, True)))
    report(rows, "training step, float32, 1 thread (ratio = minigrad / torch)")


if __name__ == "__main__":
    main()
