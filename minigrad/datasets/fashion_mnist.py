"""Fashion-MNIST: 28x28 grey images of ten kinds of clothing, as ``keras.datasets.fashion_mnist``.

    from minigrad.datasets import fashion_mnist
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()

The first call downloads the four gzipped IDX files (30 MiB together) from the address
Keras uses into ``fashion-mnist/`` in the dataset cache (``$MINIGRAD_HOME/datasets`` or
``~/.minigrad/datasets``), checking each file's sha256; later calls read the cached files.
Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot (``CLASS_NAMES``).
"""

from __future__ import annotations

import gzip
import warnings
import zlib

import numpy as np

from minigrad.datasets._download import check_file_hash, check_origin, get_file
from minigrad.errors import ArgumentTypeError, DatasetFileError, InvalidArgumentError
from minigrad.validation import check_str

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
"""The folder URL the four file names are appended to (Keras's)."""

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")

FILE_HASHES = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
"""sha256 of each file, the values in Keras's ``keras/src/datasets/fashion_mnist.py``."""

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot")

_IDX_UBYTE = 0x08  # the IDX type code of unsigned bytes, the only one these files use
_WHERE = "fashion_mnist.load_data"


def load_data(path: str = "fashion-mnist", origin: str | None = None, file_hash: dict | None = None):
    """Loads Fashion-MNIST: 60,000 28x28 grey images of clothing in 10 classes, and 10,000 test images.

    Keras's ``load_data()`` takes no arguments; these follow ``mnist.load_data``'s, for a
    dataset of four files.

    Args:
        path: the folder that holds the four files, relative to the dataset cache
            (``$MINIGRAD_HOME/datasets`` or ``~/.minigrad/datasets``), or an absolute path.
        origin: the URL of a folder to download the four files (``FILES``) from instead of
            Keras's; each file's URL is ``origin`` + its name (None: Keras's, each file checked
            against its known sha256 in ``FILE_HASHES``).
        file_hash: a dict from each of the four file names to its sha256 (or md5), or None;
            with a given ``origin`` and no ``file_hash`` the files are not checked, and a
            ``UserWarning`` says so.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 of shape ``(n, 28, 28)`` with
        pixels 0-255, ``y`` uint8 of shape ``(n,)`` with labels 0-9 (``CLASS_NAMES``); ``n`` is
        60,000 for training and 10,000 for testing.

    Raises:
        DatasetDownloadError: when a file is not cached and cannot be downloaded, or does not
            match its hash; the message says where to put the file by hand.
        DatasetFileError: when a file is not a gzipped IDX file of unsigned bytes, or the
            images and labels do not fit together.
        ArgumentTypeError, InvalidArgumentError: for a bad ``path``, ``origin`` or ``file_hash``.
    """
    path = check_str("path", path, where=_WHERE)
    hashes = _check_hashes(file_hash)
    if origin is None:
        origin, hashes = ORIGIN, hashes or dict(FILE_HASHES)
    else:
        origin = check_origin(origin, where=_WHERE)
        origin = origin if origin.endswith("/") else origin + "/"
        if hashes is None:
            warnings.warn(
                f"{_WHERE}: origin={origin!r} was given without file_hash, so the files are used "
                "without checking their hashes. Pass file_hash={name: sha256} for the four files "
                f"{list(FILES)} to check them.", UserWarning, stacklevel=2)
    files = [get_file(name, origin + name, (hashes or {}).get(name), cache_subdir=path) for name in FILES]
    y_train, x_train, y_test, x_test = (read_idx(f) for f in files)
    for x, y, part in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise DatasetFileError(
                f"the {part} files hold images of shape {x.shape} and labels of shape {y.shape}, but "
                f"n images (n, 28, 28) and n labels (n,) were expected. Delete {path} in the dataset "
                "cache and call load_data again to download the files afresh.")
    return (x_train, y_train), (x_test, y_test)


def read_idx(path: str) -> np.ndarray:
    """The array in a gzipped IDX file of unsigned bytes (the MNIST file format).

    The header is two zero bytes, the type code ``0x08`` (unsigned byte), the number of
    dimensions ``d``, then ``d`` big-endian uint32 sizes; the data follow, row-major.
    """
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetFileError(
            f"{path} is not a readable gzip file ({type(exc).__name__}: {exc}). Delete it and call "
            "load_data again to download it afresh.") from exc
    ndim = data[3] if len(data) >= 4 else 0
    header = 4 + 4 * ndim
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != _IDX_UBYTE or ndim == 0 or len(data) < header:
        raise DatasetFileError(
            f"{path} does not start with an IDX header of unsigned bytes (00 00 08 <ndim>), got "
            f"{data[:4].hex(' ')}. Delete it and call load_data again to download it afresh.")
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise DatasetFileError(
            f"{path}: its IDX header announces shape {shape} ({expected} bytes), but {len(data) - header} "
            "bytes follow. Delete it and call load_data again to download it afresh.")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _check_hashes(file_hash) -> dict | None:
    if file_hash is None:
        return None
    if not isinstance(file_hash, dict):
        raise ArgumentTypeError(
            f"{_WHERE}: `file_hash` must be a dict from each of the four file names to its sha256, or "
            f"None, got {file_hash!r} of type {type(file_hash).__name__}. Pass e.g. "
            f"file_hash={{{FILES[0]!r}: '<sha256>', ...}} for {list(FILES)}.")
    if set(file_hash) != set(FILES):
        raise InvalidArgumentError(
            f"{_WHERE}: `file_hash` must have one entry for each of {list(FILES)}, got the keys "
            f"{sorted(map(str, file_hash))}. Give the hash of all four files, or None.")
    return {name: check_file_hash(f"file_hash[{name!r}]", digest, where=_WHERE)[0]
            for name, digest in file_hash.items()}
