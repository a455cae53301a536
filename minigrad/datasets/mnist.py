"""MNIST handwritten digits, as ``keras.datasets.mnist`` loads them.

    from minigrad.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()

The first call downloads ``mnist.npz`` (11 MiB) from the address Keras uses into the
dataset cache (``$MINIGRAD_HOME/datasets`` or ``~/.minigrad/datasets``) and checks its
sha256; later calls read the cached file.
"""

from __future__ import annotations

import zipfile

import numpy as np

from minigrad.datasets._download import get_file, resolve_source
from minigrad.errors import DatasetFileError
from minigrad.validation import check_str

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
"""sha256 of ``mnist.npz``, the value in Keras's ``keras/src/datasets/mnist.py``."""

ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str = "mnist.npz", origin: str | None = None, file_hash: str | None = None):
    """Loads the MNIST dataset: 60,000 28x28 grey images of the digits 0-9, and 10,000 test images.

    Args:
        path: where to keep the file, relative to the dataset cache (``$MINIGRAD_HOME/datasets``
            or ``~/.minigrad/datasets``), or an absolute path.
        origin: the URL to download from instead of Keras's (None: Keras's, checked against
            its known sha256 ``FILE_HASH``).
        file_hash: the sha256 (or md5) the file must have; with a given ``origin`` and no
            ``file_hash`` the file is not checked, and a ``UserWarning`` says so.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, NumPy arrays as stored in the file: for
        MNIST, ``x`` uint8 of shape ``(n, 28, 28)`` with pixels 0-255 and ``y`` uint8 of shape
        ``(n,)`` with the digits, ``n`` 60,000 for training and 10,000 for testing.

    Raises:
        DatasetDownloadError: when the file is not cached and cannot be downloaded, or does
            not match its hash; the message says where to put the file by hand.
        DatasetFileError: when the file is not an ``.npz`` archive of the four arrays.
        ArgumentTypeError, InvalidArgumentError: for a bad ``path``, ``origin`` or ``file_hash``.
    """
    path = check_str("path", path, where="mnist.load_data")
    origin, file_hash = resolve_source(origin, file_hash, ORIGIN, FILE_HASH, where="mnist.load_data")
    return read_npz(get_file(path, origin, file_hash))


def read_npz(path: str):
    """``(x_train, y_train), (x_test, y_test)`` from an ``.npz`` file (Keras's mnist.npz format).

    Pickled (object) arrays are refused: an ``.npz`` from the internet must not run code.
    """
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [name for name in ARRAYS if name not in f.files]
            if missing:
                raise DatasetFileError(
                    f"{path} holds the arrays {sorted(f.files)}, but an MNIST-style .npz needs "
                    f"{list(ARRAYS)} "
                    f"({missing} missing). Delete the file and call load_data again to download it afresh.")
            x_train, y_train, x_test, y_test = (f[name] for name in ARRAYS)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, DatasetFileError):
            raise
        raise DatasetFileError(
            f"{path} is not a readable .npz archive of plain arrays ({type(exc).__name__}: {exc}). "
            "Delete it and call load_data again to download it afresh."
        ) from exc
    for x, y, part in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise DatasetFileError(
                f"{path}: x_{part} has shape {x.shape} and y_{part} {y.shape}, but images of shape "
                "(n, height, width) and n labels of shape (n,) were expected. Delete the file and call "
                "load_data again to download it afresh.")
    return (x_train, y_train), (x_test, y_test)
