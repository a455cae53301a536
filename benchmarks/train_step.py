"""One SGD training step of an MLP and of a small CNN, minigrad vs PyTorch, one thread each.

    python -m benchmarks.train_step

- MLP 784-256-256-10, ReLU, batch 128.
- CNN on 28x28x1 inputs, batch 64: 3x3 conv 32 ("same") + ReLU, 3x3 conv 64 stride 2
  ("same") + ReLU, global average pooling, Dense 10.

(BatchNormalization after each hidden layer joins these models once it exists.)
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


def mlp():
    return layers.Sequential([
        layers.Dense(256, activation="relu", input_shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(10),
    ])


def cnn():
    return layers.Sequential([
        layers.Conv2D(32, 3, padding="same", activation="relu", input_shape=(28, 28, 1)),
        layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(10),
    ])


def torch_mlp(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def torch_cnn(torch):
    nn = torch.nn
    # TF's "same" with stride 2 on 28 pixels pads 0 before and 1 after (torch's padding=1
    # would pad 1 on both sides and shift every window), so pad explicitly.
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
                         nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(32, 64, 3, stride=2), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def copy_weights(model, torch_model, torch) -> None:
    """Give the torch model minigrad's weights (kernels transposed to torch's layouts)."""
    params = [p for p in torch_model.parameters()]
    with torch.no_grad():
        for p, w in zip(params, model.get_weights()):
            if w.ndim == 2:  # Dense kernel (in, out) -> Linear weight (out, in)
                w = w.T
            elif w.ndim == 4:  # Conv2D kernel (kh, kw, in, out) -> (out, in, kh, kw)
                w = w.transpose(3, 2, 0, 1)
            p.copy_(torch.from_numpy(np.ascontiguousarray(w)))


def step_pair(model, torch_model, x, y, torch, channels_first_for_torch: bool):
    opt = mg.optimizers.SGD(learning_rate=0.01)
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)
    mx, my = mg.tensor(x), mg.tensor(y)

    def ours():
        with mg.GradientTape() as tape:
            loss = loss_fn(my, model(mx, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        opt.apply_gradients(zip(grads, model.trainable_weights))
        return loss

    theirs = None
    if torch is not None:
        copy_weights(model, torch_model, torch)
        tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy() if channels_first_for_torch else x)
        ty = torch.from_numpy(y)
        topt = torch.optim.SGD(torch_model.parameters(), lr=0.01)
        tloss = torch.nn.CrossEntropyLoss()

        def theirs():
            topt.zero_grad()
            loss = tloss(torch_model(tx), ty)
            loss.backward()
            topt.step()
            return loss

        first_ours, first_theirs = float(ours().item()), float(theirs().item())
        assert abs(first_ours - first_theirs) < 1e-4 * max(1.0, abs(first_theirs)), (
            f"the two models disagree: loss {first_ours} vs {first_theirs}")
    return paired(ours, theirs, repeats=15)


def main() -> None:
    torch = load_torch()
    if torch is None:
        print("torch is not installed (pip install torch==2.13.0): timing minigrad alone.")
    warm_up_blas()
    rng = np.random.default_rng(0)
    mg.random.seed(0)
    rows = []
    x = rng.standard_normal((128, 784), dtype=np.float32)
    y = rng.integers(0, 10, 128)
    rows.append(("MLP 784-256-256-10 SGD step, batch 128",
                 step_pair(mlp(), torch and torch_mlp(torch), x, y, torch, False)))
    x = rng.standard_normal((64, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    rows.append(("CNN conv32-conv64/2-GAP-Dense10 SGD step, batch 64",
                 step_pair(cnn(), torch and torch_cnn(torch), x, y, torch, True)))
    report(rows, "training step, float32, 1 thread (ratio = minigrad / torch)")


if __name__ == "__main__":
    main()
