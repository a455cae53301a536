"""CIFAR-10: 32x32 colour images in 10 classes, as ``keras.datasets.cifar10`` returns them.

    from minigrad.datasets import cifar10
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()

Keras downloads the "python version" of the dataset, whose batches are pickle files, and
unpickles them; unpickling a downloaded file can run any code. minigrad downloads the
"binary version" from the same page instead (``cifar-10-binary.tar.gz``, 162 MiB), whose
batches are plain fixed-size records: 1 label byte, then 3072 pixel bytes (1024 red, 1024
green, 1024 blue, each a 32x32 image row by row). It holds the same images and labels in
the same order. The archive is read in place: nothing is extracted.
"""

from __future__ import annotations

import tarfile
import zlib

import numpy as np

from minigrad.datasets._download import get_file, resolve_source
from minigrad.errors import DatasetFileError
from minigrad.validation import check_str

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"

FILE_HASH = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
"""sha256 of ``cifar-10-binary.tar.gz`` (170,052,171 bytes). The CIFAR page publishes only an
md5, ``OFFICIAL_MD5``; this sha256 is the one that several independent projects (dataset
loaders in Ruby and Go among them) record for the archive of that size and md5. Should it ever
be refused, pass ``file_hash=OFFICIAL_MD5`` to check the page's md5 instead."""

OFFICIAL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
"""md5 of ``cifar-10-binary.tar.gz`` as https://www.cs.toronto.edu/~kriz/cifar.html lists it."""

FOLDER = "cifar-10-batches-bin"
TRAIN_FILES = tuple(f"{FOLDER}/data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = f"{FOLDER}/test_batch.bin"
RECORD_BYTES = 1 + 3 * 32 * 32
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data(path: str = "cifar-10-binary.tar.gz", origin: str | None = None, file_hash: str | None = None):
    """Loads CIFAR-10: 50,000 32x32 colour training images in 10 classes, and 10,000 test images.

    Keras's ``load_data()`` takes no arguments; these are ``mnist.load_data``'s.

    Args:
        path: where to keep the archive, relative to the dataset cache (``$MINIGRAD_HOME/datasets``
            or ``~/.minigrad/datasets``), or an absolute path.
        origin: the URL of a ``cifar-10-binary.tar.gz`` to download instead (None: the CIFAR
            page's, checked against ``FILE_HASH``).
        file_hash: the sha256 (or md5) the archive must have; with a given ``origin`` and no
            ``file_hash`` the file is not checked, and a ``UserWarning`` says so.

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` as Keras returns them (channels last):
        ``x`` uint8 of shape ``(n, 32, 32, 3)``, RGB pixels 0-255, and ``y`` uint8 of shape
        ``(n, 1)`` with labels 0-9 (``CLASS_NAMES``); ``n`` is 50,000 for training (the five
        batches in order) and 10,000 for testing.

    Raises:
        DatasetDownloadError: when the archive is not cached and cannot be downloaded, or does
            not match its hash; the message says where to put the file by hand.
        DatasetFileError: when the archive is not a tar.gz holding the six batch files of
            whole records with labels 0-9.
        ArgumentTypeError, InvalidArgumentError: for a bad ``path``, ``origin`` or ``file_hash``.
    """
    path = check_str("path", path, where="cifar10.load_data")
    origin, file_hash = resolve_source(origin, file_hash, ORIGIN, FILE_HASH, where="cifar10.load_data")
    return read_binary_archive(get_file(path, origin, file_hash))


def read_binary_archive(path: str):
    """``(x_train, y_train), (x_test, y_test)`` from ``cifar-10-binary.tar.gz``, without extracting it."""
    wanted = {*TRAIN_FILES, TEST_FILE}
    found = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:  # one pass: a gzip stream reads forwards
                if member.name in wanted:
                    found[member.name] = _read_member(archive, member, path)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DatasetFileError(
            f"{path} is not a readable tar.gz archive ({type(exc).__name__}: {exc}). Delete it and call "
            "load_data again to download it afresh.") from exc
    missing = sorted(wanted - set(found))
    if missing:
        raise DatasetFileError(
            f"{path} lacks {missing}: it is not the CIFAR-10 binary version. Delete it and call load_data "
            "again to download it afresh.")
    train = [found[name] for name in TRAIN_FILES]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    x_test, y_test = found[TEST_FILE]
    return (x_train, y_train), (x_test, y_test)


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo, path: str):
    """Images ``(n, 32, 32, 3)`` and labels ``(n, 1)`` from one batch file of the archive."""
    if not member.isfile() or member.size == 0 or member.size % RECORD_BYTES:
        raise DatasetFileError(
            f"{path}: {member.name} is not a file of whole {RECORD_BYTES}-byte records (a label byte and "
            f"3072 pixel bytes); it has {member.size} bytes. Delete the archive and call load_data again.")
    records = np.frombuffer(archive.extractfile(member).read(), np.uint8).reshape(-1, RECORD_BYTES)
    labels = records[:, :1].copy()
    if labels.max() >= len(CLASS_NAMES):
        raise DatasetFileError(
            f"{path}: {member.name} holds label {labels.max()}, but CIFAR-10 labels are 0-9: it is not "
            "the CIFAR-10 binary version (CIFAR-100's has two label bytes). Delete it and call load_data "
            "again with the right file.")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # channels first -> last
    return np.ascontiguousarray(images), labels
