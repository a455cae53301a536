"""Train a small CNN with batch normalization on procedurally drawn shapes.

    python examples/train_cnn.py            # under ten seconds on two idle CPU cores
    python examples/train_cnn.py --quick    # a smoke run
    python examples/train_cnn.py --device cuda   # on an NVIDIA GPU (the `gpu` extra: CuPy)

The images (``minigrad.datasets.shapes``) are 28x28 grey pictures of six shapes: horizontal
bars, vertical bars, a ring, a cross, a diagonal line and a filled square, at random
positions and sizes, with pixel noise. Linear models reach about 0.5 accuracy on them; a
three-block CNN, each block ``Conv2D -> BatchNormalization -> ReLU``, gets close to 1.

On rank-4 inputs BatchNormalization normalizes each channel over the batch and both image
axes, and uses the fused kernel (``minigrad.nn.batch_norm_train``). The convolutions
have no bias: BN's ``beta`` plays that role. With only a few hundred training steps the
BN layers use ``momentum=0.9`` instead of Keras's 0.99, so that their moving statistics
(used by ``evaluate``) catch up with the batches' within the first epoch: after ``k``
steps a moving average still holds ``momentum**k`` of its initial value (0.9**57 = 0.002,
0.99**57 = 0.56).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _threads import add_threads_option, apply_threads_option

import layers
import minigrad as mg


def conv_block(filters: int, **kwargs) -> list:
    """Conv2D (no bias: BN's beta replaces it) -> BatchNormalization -> ReLU."""
    return [layers.Conv2D(filters, 3, padding="same", use_bias=False, **kwargs),
            layers.BatchNormalization(momentum=0.9),
            layers.Activation("relu")]


def build_model(image_size: int, n_classes: int) -> layers.Sequential:
    return layers.Sequential(
        conv_block(8, input_shape=(image_size, image_size, 1)) + [layers.MaxPooling2D(2)]
        + conv_block(16) + [layers.MaxPooling2D(2)]
        + conv_block(32) + [layers.GlobalAveragePooling2D(),
                            layers.Dense(n_classes, activation="softmax")])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train (5; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer images and epochs: a smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the batches")
    parser.add_argument("--device", default="cpu",
                        help='where the weights live and the model trains: "cpu" or "cuda"')
    add_threads_option(parser)
    args = parser.parse_args(argv)
    apply_threads_option(parser, args)
    start = time.perf_counter()
    try:
        device = mg.backend.check_device(args.device)
    except (ValueError, mg.errors.DeviceUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    n_images, epochs = (1200, 3) if args.quick else (2400, 5)
    epochs = args.epochs or epochs
    mg.random.seed(args.seed)
    x, y = mg.datasets.shapes(n_images, seed=args.seed)
    x_train, x_val, y_train, y_val = mg.datasets.train_test_split(x, y, test_size=0.25, seed=args.seed)
    classes = mg.datasets.SHAPE_CLASSES
    print(f"shapes: {len(x_train)} training and {len(x_val)} validation images of "
          f"{x.shape[1]}x{x.shape[2]}, classes {', '.join(classes)}")

    with mg.device(device):  # the weights are made on the device; fit sends each batch there
        model = build_model(x.shape[1], len(classes))
    print(f"device: {device}")
    model.compile(optimizer=mg.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    print(f"model: {model.count_params()} parameters")
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=2)

    loss, acc = model.evaluate(x_val, y_val, batch_size=256, verbose=0)
    predicted = model.predict(x_val, batch_size=256).argmax(axis=1)
    per_class = "  ".join(f"{name} {np.mean(predicted[y_val == k] == k):.2f}"
                          for k, name in enumerate(classes))
    print(f"validation accuracy per class: {per_class}")
    print(f"validation loss: {loss:.4f}")
    print(f"validation accuracy: {acc:.3f}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
