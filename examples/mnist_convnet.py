"""
Title: Simple MNIST convnet
Author: [fchollet](https://twitter.com/fchollet)
Date created: 2015/06/19
Last modified: 2020/04/21
Description: A simple convnet that achieves ~99% test accuracy on MNIST.

The Keras example (keras-io, examples/vision/mnist_convnet.py), ported to minigrad:

    python examples/mnist_convnet.py              # downloads MNIST once (11 MiB), 15 epochs
    python examples/mnist_convnet.py --threads 1  # on a busy or shared machine: much faster
    python examples/mnist_convnet.py --quick      # a smoke run on generated images: no download

Every line that differs from the Keras original, and why:

1. `import layers` and `import minigrad as mg` replace `from tensorflow import keras` and
   `from tensorflow.keras import layers`: minigrad's Keras-style layers are the package
   `layers`; its datasets, losses and optimizers live in `minigrad`.
2. `import argparse` and the block under "## Options" are new: `--threads` (`mg.set_num_threads`, see the
   README's "Data and threads"), `--epochs`, and `--quick` with its generated data.
3. `mg.datasets.mnist.load_data()` replaces `keras.datasets.mnist.load_data()`; with
   `--quick`, `generated_mnist()` stands in for it (a few hundred 28x28 uint8 images of
   `mg.datasets.shapes`, in MNIST's format, and a fixed seed).
4. `layers.utils.to_categorical(y_train, num_classes)` (and `y_test`) replaces
   `keras.utils.to_categorical(y_train, num_classes)`: the same function, in `layers.utils`.
5. `layers.Sequential` and `layers.Input` replace `keras.Sequential` and `keras.Input`.
6. `epochs = args.epochs or (2 if args.quick else 15)` replaces `epochs = 15`, so that
   `--quick` and `--epochs` can shorten the run.

Everything else (the model, its 34,826 parameters, compile, fit with validation_split,
evaluate and the printed lines) is the original's.
"""

"""
## Setup
"""

import argparse

import numpy as np

import layers
import minigrad as mg

"""
## Options
"""

parser = argparse.ArgumentParser(description="The Keras 'Simple MNIST convnet' example on minigrad.")
parser.add_argument("--quick", action="store_true",
                    help="a smoke run: generated images (no download) and 2 epochs")
parser.add_argument("--epochs", type=int, default=None, help="epochs to train (15; 2 with --quick)")
parser.add_argument("--threads", type=int, default=None,
                    help="CPU threads for BLAS (default: one per core); 1 on a busy machine")
args = parser.parse_args()
if args.threads is not None:
    try:
        mg.set_num_threads(args.threads)
    except mg.errors.MinigradError as exc:
        parser.error(str(exc))


def generated_mnist(n_train=1000, n_test=200, seed=0):
    """MNIST's format, generated: uint8 images (n, 28, 28) with pixels 0-255, uint8 labels (n,)."""
    mg.random.seed(seed)  # the weights and the batches, so that a smoke run repeats itself
    images, labels = mg.datasets.shapes(n_train + n_test, image_size=28, seed=seed)
    images = np.round(images[..., 0] * 255).astype(np.uint8)
    labels = labels.astype(np.uint8)
    return (images[:n_train], labels[:n_train]), (images[n_train:], labels[n_train:])


"""
## Prepare the data
"""

# Model / data parameters
num_classes = 10
input_shape = (28, 28, 1)

# Load the data and split it between train and test sets
(x_train, y_train), (x_test, y_test) = generated_mnist() if args.quick else mg.datasets.mnist.load_data()

# Scale images to the [0, 1] range
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
# Make sure images have shape (28, 28, 1)
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")


# convert class vectors to binary class matrices
y_train = layers.utils.to_categorical(y_train, num_classes)
y_test = layers.utils.to_categorical(y_test, num_classes)

"""
## Build the model
"""

model = layers.Sequential(
    [
        layers.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)

model.summary()

"""
## Train the model
"""

batch_size = 128
epochs = args.epochs or (2 if args.quick else 15)

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)

"""
## Evaluate the trained model
"""

score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
