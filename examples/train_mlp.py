"""Train a small MLP with batch normalization on the spirals, and plot what BN does meanwhile.

    pip install -e ".[notebooks]"
    python examples/train_mlp.py                      # a few seconds; writes out/train_mlp.png
    python examples/train_mlp.py --quick --out /tmp/mlp.png
    python examples/train_mlp.py --out docs/train_mlp.png   # redraw the README's figure

The figure goes to ``--out``; by default to ``out/train_mlp.png`` below the current
directory (``out/`` is git-ignored), so a run never rewrites the README's figure unless
you ask for it.

A BatchNormalization layer computes two different functions:

    training mode:   y = gamma * (x - mu_B) / sqrt(sigma2_B + eps) + beta      (this batch's statistics)
    inference mode:  y = gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta

and after every training step it moves the moving statistics towards the batch's:
``moving <- momentum * moving + (1 - momentum) * batch`` (momentum 0.99 by default). So
the network that ``fit`` trains (training mode) is not quite the network ``predict`` uses
(inference mode). At the end of every epoch a callback measures both on the same held-out
points with the same weights, and records the moving statistics of the first BN layer:

- left panel: inference-mode accuracy lags behind at first, while the moving averages
  still remember their starting values (mean 0, variance 1) and chase activations that
  change as the weights learn; once they catch up, inference mode is as good or better,
  because it no longer depends on which 32 points happened to share a batch;
- right panels: the moving mean and variance of three channels (lines), and the mean and
  variance of the same channels over the whole training set (circles): the values they
  chase. Inference-mode accuracy recovers when the moving variance reaches its target.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _threads import add_threads_option, apply_threads_option
from tqdm import tqdm

import layers
import minigrad as mg

DEFAULT_OUT = Path("out") / "train_mlp.png"  # relative to the current directory; git-ignored
CHANNELS = (0, 1, 2)  # channels of the first BN layer shown in the right panel


def build_model(n_classes: int) -> layers.Sequential:
    """Dense -> BN -> ReLU, twice, then a softmax classifier."""
    return layers.Sequential([
        layers.Dense(64, input_shape=(2,), name="dense_1"),
        layers.BatchNormalization(name="bn_1"),
        layers.Activation("relu"),
        layers.Dense(64, name="dense_2"),
        layers.BatchNormalization(name="bn_2"),
        layers.Activation("relu"),
        layers.Dense(n_classes, activation="softmax", name="classifier"),
    ])


def accuracy(probabilities, labels: np.ndarray) -> float:
    return float((np.asarray(probabilities).argmax(axis=1) == labels).mean())


class TrainVsInference(layers.callbacks.Callback):
    """After each epoch: accuracy in training and in inference mode, and BN statistics.

    Args:
        x_eval, y_eval: held-out points on which both modes are measured.
        x_train: the training points (for the statistics the moving averages chase).
        batch_size: batch size of the training-mode evaluation (that of ``fit``).
        bar: a tqdm bar over the epochs, updated at each epoch's end.
    """

    def __init__(self, x_eval, y_eval, x_train, batch_size: int, bar):
        super().__init__()
        self.x_eval, self.y_eval, self.x_train = x_eval, y_eval, x_train
        self.batch_size, self.bar = batch_size, bar
        self.history: dict[str, list] = {key: [] for key in (
            "epoch", "train_mode", "inference_mode", "moving_mean", "moving_variance",
            "data_mean", "data_variance")}

    def training_mode_accuracy(self) -> float:
        """Accuracy with batch statistics, batch by batch as in ``fit``.

        A training-mode call also moves the moving statistics (V2 semantics), so they are
        saved before and put back after: measuring must not change the model.
        """
        saved = self.model.get_weights()
        outputs = [self.model(self.x_eval[i:i + self.batch_size], training=True).numpy()
                   for i in range(0, len(self.x_eval), self.batch_size)]
        self.model.set_weights(saved)
        return accuracy(np.concatenate(outputs), self.y_eval)

    def on_train_begin(self, logs=None) -> None:
        self.record(0)  # the starting point: moving mean 0, moving variance 1

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.record(epoch + 1)
        h = self.history
        self.bar.set_postfix_str(f"loss {logs['loss']:.3f}  training mode {h['train_mode'][-1]:.3f}  "
                                 f"inference mode {h['inference_mode'][-1]:.3f}", refresh=False)
        self.bar.update(1)

    def record(self, epoch: int) -> None:
        """Append both accuracies and the statistics of the channels in CHANNELS."""
        h = self.history
        h["epoch"].append(epoch)
        h["train_mode"].append(self.training_mode_accuracy())
        h["inference_mode"].append(accuracy(self.model.predict(self.x_eval, batch_size=256),
                                            self.y_eval))
        bn = self.model.get_layer("bn_1")
        h["moving_mean"].append(bn.moving_mean.numpy()[list(CHANNELS)])
        h["moving_variance"].append(bn.moving_variance.numpy()[list(CHANNELS)])
        bn_input = self.model.get_layer("dense_1")(self.x_train).numpy()[:, list(CHANNELS)]
        h["data_mean"].append(bn_input.mean(axis=0))
        h["data_variance"].append(bn_input.var(axis=0))


def plot(history: dict, out: Path, momentum: float, steps_per_epoch: int) -> None:
    """Accuracy in both modes (left); the first BN layer's moving mean and variance (right)."""
    import matplotlib  # imported here: a script picks the file backend before pyplot loads
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    epochs = history["epoch"]
    fig = plt.figure(figsize=(13, 5.6), constrained_layout=True)
    grid = fig.add_gridspec(2, 2)
    left = fig.add_subplot(grid[:, 0])
    top = fig.add_subplot(grid[0, 1])
    bottom = fig.add_subplot(grid[1, 1], sharex=top)

    left.plot(epochs, history["train_mode"], "o-", color="tab:orange", ms=3,
              label="training mode (batch statistics)")
    left.plot(epochs, history["inference_mode"], "s-", color="tab:blue", ms=3,
              label="inference mode (moving statistics)")
    left.axhline(1 / 3, color="gray", ls=":", lw=1, label="chance (3 classes)")
    worst = int(np.argmin(history["inference_mode"][1:])) + 1  # after the first epoch
    left.annotate("inference lags while the\nmoving statistics catch up",
                  xy=(epochs[worst], history["inference_mode"][worst]),
                  xytext=(epochs[-1] * 0.3, 0.2), arrowprops={"arrowstyle": "->", "color": "tab:blue"},
                  color="tab:blue")
    left.set(xlabel="epoch (0 = before training)", ylabel="accuracy on held-out points", ylim=(0, 1.02),
             title="Same weights, two modes: accuracy after each epoch")
    left.legend(loc="lower right")
    left.grid(alpha=0.3)

    colors = ("tab:red", "tab:green", "tab:purple")
    for ax, moving, data in ((top, "moving_mean", "data_mean"), (bottom, "moving_variance", "data_variance")):
        for j in range(len(CHANNELS)):
            ax.plot(epochs, [m[j] for m in history[moving]], "-", color=colors[j], lw=2)
            ax.plot(epochs, [m[j] for m in history[data]], "o", color=colors[j], ms=3.5, mfc="none")
        ax.grid(alpha=0.3)
    top.axhline(0, color="gray", lw=0.8)
    top.set(ylabel="moving_mean",
            title=f"First BN layer, 3 channels: moving statistics (momentum {momentum})")
    top.tick_params(labelbottom=False)
    bottom.set(yscale="log", xlabel=f"epoch ({steps_per_epoch} training steps each)",
               ylabel="moving_variance (log scale)")
    handles = [Line2D([], [], color=colors[j], lw=2, label=f"channel {ch}") for j, ch in enumerate(CHANNELS)]
    handles.append(Line2D([], [], color="black", marker="o", mfc="none", ls="", ms=4,
                          label="the same statistic over\nthe whole training set"))
    bottom.legend(handles=handles, loc="upper right", fontsize=9)
    fig.suptitle("BatchNormalization on the spirals: an MLP 2-64-64-3 trained with model.fit",
                 fontsize=13)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train (40; 20 with --quick)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"the PNG to write (default: {DEFAULT_OUT}, below the current directory)")
    parser.add_argument("--quick", action="store_true", help="half the epochs: a smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the weights")
    add_threads_option(parser)
    args = parser.parse_args(argv)
    apply_threads_option(parser, args)
    start = time.perf_counter()

    epochs = args.epochs or (20 if args.quick else 40)
    batch_size = 32
    mg.random.seed(args.seed)
    x, y = mg.datasets.spirals(1200, n_classes=3, noise=0.2, seed=args.seed)
    x_train, x_test, y_train, y_test = mg.datasets.train_test_split(x, y, test_size=0.25, seed=args.seed)
    model = build_model(n_classes=3)
    model.compile(optimizer=mg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    steps_per_epoch = -(-len(x_train) // batch_size)
    print(f"spirals: {len(x_train)} training points, {len(x_test)} held out; "
          f"{epochs} epochs of {steps_per_epoch} steps")

    with tqdm(total=epochs, desc="training", unit="epoch") as bar:
        monitor = TrainVsInference(x_test, y_test, x_train, batch_size, bar)
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0,
                            callbacks=[monitor])

    train_acc = accuracy(model.predict(x_train, batch_size=256), y_train)
    print(f"final training loss: {history.history['loss'][-1]:.4f}")
    print(f"train accuracy (training set, inference mode): {train_acc:.3f}")
    print(f"training-mode accuracy (held-out, batch statistics): {monitor.history['train_mode'][-1]:.3f}")
    print(f"inference accuracy (held-out, moving statistics): {monitor.history['inference_mode'][-1]:.3f}")
    plot(monitor.history, args.out, model.get_layer("bn_1").momentum, steps_per_epoch)
    print(f"wrote {args.out}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
