"""The course's capstone: an MLP with batch normalization that classifies the spirals.

    python examples/spirals_capstone.py            # trains, then prints the held-out accuracy
    python examples/spirals_capstone.py --seed 3   # other data, other weights

``train_spirals_classifier`` gets the training points of ``minigrad.datasets.spirals`` (three
interleaved arms, no straight line separates two of them) and returns a trained model that
uses ``BatchNormalization``. What counts is the model in **inference mode** on points it never
saw: ``model(x_test, training=False)`` normalizes with the moving statistics, so they must
have followed the batches while it trained (course/exercises/ex12.md says more).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import layers
import minigrad as mg


def train_spirals_classifier(x_train: np.ndarray, y_train: np.ndarray, seed: int = 0):
    """Build and train a classifier of the spirals with batch normalization.

    Args:
        x_train: float32 points, shape (n, 2).
        y_train: int64 labels 0, 1, 2, shape (n,).
        seed: seeds the weights and the batches, so a run reproduces.

    Returns:
        A trained ``layers.Model`` (e.g. a ``Sequential``) holding at least one
        ``BatchNormalization`` layer, whose output's argmax over the last axis is the class.
    """
    mg.random.seed(seed)  # the weights; fit's shuffling draws from the same generator
    blocks = [[layers.Dense(width), layers.BatchNormalization(), layers.Activation("relu")]
              for width in (64, 64)]  # two hidden layers: Dense -> BN -> ReLU
    classifier = layers.Sequential([layers.InputLayer(input_shape=(2,)), *blocks[0], *blocks[1],
                                    layers.Dense(3, name="class_logits")])
    classifier.compile(optimizer=mg.optimizers.Adam(learning_rate=0.01),
                       loss=mg.losses.SparseCategoricalCrossentropy(from_logits=True))
    classifier.fit(x_train, y_train, epochs=20, batch_size=32, shuffle=True, verbose=0)
    return classifier


def held_out_accuracy(model, x_test: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy of ``model`` in inference mode (moving statistics) on ``x_test``."""
    logits = model(mg.tensor(x_test), training=False).numpy()
    return float((logits.argmax(axis=-1) == y_test).mean())


def spirals_split(seed: int = 0):
    """The capstone's data: 1200 points of 3 arms (noise 0.2), 900 to train and 300 held out."""
    x, y = mg.datasets.spirals(1200, n_classes=3, noise=0.2, seed=seed)
    return mg.datasets.train_test_split(x, y, test_size=0.25, seed=seed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the batches")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    x_train, x_test, y_train, y_test = spirals_split(args.seed)
    model = train_spirals_classifier(x_train, y_train, seed=args.seed)
    print(f"held-out inference accuracy: {held_out_accuracy(model, x_test, y_test):.3f} "
          f"({len(x_train)} training points, {len(x_test)} held out; {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
