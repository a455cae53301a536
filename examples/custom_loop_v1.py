"""A TF1-style custom training loop with ``layers.v1.BatchNormalization`` and explicit update ops.

    python examples/custom_loop_v1.py                    # runs the update ops: inference works
    python examples/custom_loop_v1.py --forget-updates   # never runs them: inference breaks
    python examples/custom_loop_v1.py --quick            # a smoke run

The V1 layer (as in TensorFlow 1 / ``tf.compat.v1``) does not change its moving
statistics when it is called in training mode. It hands out *pending updates* instead,

    moving_mean     <- moving_mean     - (moving_mean     - mu_B)     * (1 - momentum)
    moving_variance <- moving_variance - (moving_variance - sigma2_B) * (1 - momentum)

and the training loop must run them after each step, as TF1 code ran the ``UPDATE_OPS``
collection next to the train op:

    update_ops = model.get_updates_for(None) + model.get_updates_for(features)
    for op in update_ops:
        op()

``fit`` does this for you; a hand-written loop must not forget it. If it does, the
moving statistics stay at their initial values (mean 0, variance 1), the loss still goes
down (training mode uses the batch's statistics), and the model is wrong only in
inference, where it normalizes with those stale values: ``--forget-updates`` shows it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _threads import add_threads_option, apply_threads_option

import layers
import minigrad as mg

CHANNELS = [0, 1, 2]  # channels of the first BN layer that are printed


def build_model(n_classes: int) -> layers.Sequential:
    """Dense -> V1 BN -> ReLU, twice, then a linear layer giving logits."""
    return layers.Sequential([
        layers.Dense(64, input_shape=(2,), name="dense_1"),
        layers.v1.BatchNormalization(name="bn_1"),
        layers.Activation("relu"),
        layers.Dense(64, name="dense_2"),
        layers.v1.BatchNormalization(name="bn_2"),
        layers.Activation("relu"),
        layers.Dense(n_classes, name="logits"),
    ])


def accuracy(model, x: np.ndarray, y: np.ndarray, training: bool, batch_size: int = 32) -> float:
    """Accuracy of the model's logits; training=True normalizes each batch with its own statistics.

    A training-mode call of a V1 layer only *records* pending updates: nothing changes
    unless they are run, so measuring in training mode leaves the model as it was.
    """
    logits = np.concatenate([model(x[i:i + batch_size], training=training).numpy()
                             for i in range(0, len(x), batch_size)])
    return float((logits.argmax(axis=1) == y).mean())


def train_step(model, loss_fn, optimizer, features, labels, run_updates: bool = True):
    """One training step of the custom loop: gradients, the optimizer's step, then the update ops.

    Returns:
        ``(loss, update_ops)``: the batch's loss and the update ops of this step (run unless
        ``run_updates`` is False).
    """
    with mg.GradientTape() as tape:
        logits = model(features, training=True)
        loss = loss_fn(labels, logits)
    # The update ops of this step: unconditional ones (none here) and those that
    # depend on this batch (each V1 BN layer's moving mean and moving variance). They hold
    # the batch's statistics from the forward pass, so they may run before the gradient step.
    update_ops = model.get_updates_for(None) + model.get_updates_for(features)
    ### BEGIN SOLUTION ex10
    if run_updates:
        for op in {id(op): op for op in update_ops}.values():  # each one once
            op()
    ### END SOLUTION
    weights = model.trainable_weights
    optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
    return loss, update_ops


def fmt(values) -> str:
    return "[" + ", ".join(f"{v:7.4f}" for v in values) + "]"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forget-updates", action="store_true",
                        help="never run the update ops, to see what goes wrong")
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train (30; 15 with --quick)")
    parser.add_argument("--quick", action="store_true", help="half the epochs: a smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the batches")
    add_threads_option(parser)
    args = parser.parse_args(argv)
    apply_threads_option(parser, args)
    start = time.perf_counter()

    epochs = args.epochs or (15 if args.quick else 30)
    batch_size = 32
    mg.random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x, y = mg.datasets.spirals(1200, n_classes=3, noise=0.2, seed=args.seed)
    x_train, x_test, y_train, y_test = mg.datasets.train_test_split(x, y, test_size=0.25, seed=args.seed)
    model = build_model(n_classes=3)
    loss_fn = mg.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = mg.optimizers.Adam(0.01)
    bn = model.get_layer("bn_1")
    mode = ("NOT running the update ops (--forget-updates)" if args.forget_updates
            else "running the update ops")
    print(f"custom loop, layers.v1.BatchNormalization, {mode}: {len(x_train)} training points, "
          f"{epochs} epochs of batch {batch_size}")
    print(f"first BN layer, channels {CHANNELS}: moving_mean / moving_variance, and the true values "
          f"over the training set")

    steps = 0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        losses = []
        for i in range(0, len(order), batch_size):
            batch = order[i:i + batch_size]
            features, labels = mg.tensor(x_train[batch]), mg.tensor(y_train[batch])
            loss, update_ops = train_step(model, loss_fn, optimizer, features, labels,
                                          run_updates=not args.forget_updates)
            losses.append(float(loss.numpy()))
            if steps == 0:
                print(f"step 1: {len(update_ops)} update ops: {[op.name for op in update_ops]}")
            steps += 1
        if epoch == 1 or epoch % 5 == 0 or epoch == epochs:
            bn_input = model.get_layer("dense_1")(x_train).numpy()[:, CHANNELS]
            print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}\n"
                  f"    moving_mean     {fmt(bn.moving_mean.numpy()[CHANNELS])}   "
                  f"true {fmt(bn_input.mean(0))}\n"
                  f"    moving_variance {fmt(bn.moving_variance.numpy()[CHANNELS])}   "
                  f"true {fmt(bn_input.var(0))}")

    train_mode = accuracy(model, x_test, y_test, training=True)
    inference = accuracy(model, x_test, y_test, training=False)
    print(f"training-mode accuracy (held-out, batch statistics): {train_mode:.3f}")
    print(f"inference accuracy (held-out, moving statistics): {inference:.3f}")
    untouched = (np.allclose(bn.moving_mean.numpy(), 0.0) and np.allclose(bn.moving_variance.numpy(), 1.0))
    if untouched:
        print("The moving statistics never moved from mean 0 / variance 1: the update ops were not run.\n"
              "Training looked fine (the same losses as with the updates), because training mode\n"
              "normalizes with each batch's own statistics;\n"
              "inference normalizes with the stale 0 / 1 instead, so every layer after the first BN\n"
              "sees inputs on the wrong scale. Run model.get_updates_for(None) + "
              "model.get_updates_for(features)\nafter every step (model.fit does it for you).")
    else:
        print("The moving statistics followed the batches' statistics, "
              "so inference works as well as training.")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
