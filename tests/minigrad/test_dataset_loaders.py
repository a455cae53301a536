"""The real-dataset loaders (mnist, fashion_mnist, cifar10) against a local HTTP server, and digits().

Every download here comes from a ``ThreadingHTTPServer`` on 127.0.0.1 that serves small
files generated in the real formats (an .npz of uint8 arrays, gzipped IDX files, a tar.gz
of CIFAR binary records); the cache folder is a temporary ``$MINIGRAD_HOME``. No test
touches the internet: the "no network" case is a closed port on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import sys
import tarfile
import threading
import types
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.datasets import cifar10, fashion_mnist, mnist
from minigrad.errors import (
    ArgumentTypeError,
    DatasetDownloadError,
    DatasetFileError,
    InvalidArgumentError,
    OptionalDependencyError,
)

# ----------------------------------------------------------------------------- the local server


class Server:
    """Serves ``files`` (URL path -> bytes) and records every requested path.

    ``short[path] = k`` announces ``k`` more bytes in Content-Length than it sends, then
    closes the connection: a download cut off midway.
    """

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.short: dict[str, int] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body) + server.short.get(self.path, 0)))
                self.end_headers()
                self.wfile.write(body)  # HTTP/1.0: the connection closes after this

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """``$MINIGRAD_HOME`` in a temporary folder; returns the dataset cache folder."""
    monkeypatch.setenv("MINIGRAD_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "datasets"


def closed_port_url(name: str) -> str:
    """A URL on 127.0.0.1 where nothing listens: the connection is refused, as without a network."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_listing(folder: Path) -> list[str]:
    """Every file below ``folder``, hidden ones (partial downloads) included."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------- files in the real formats


def mnist_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
            "y_train": np.array([5, 0, 4, 1, 9], np.uint8),
            "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
            "y_test": np.array([7, 2, 1], np.uint8)}


def npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def idx_gz(array: np.ndarray) -> bytes:
    """A gzipped IDX file: 00 00 08 <ndim>, big-endian uint32 sizes, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def cifar_records(images: np.ndarray, labels) -> bytes:
    """CIFAR binary records: a label byte, then 1024 red, 1024 green, 1024 blue bytes."""
    return b"".join(bytes([int(k)]) + img.transpose(2, 0, 1).tobytes() for img, k in zip(images, labels))


def tar_gz(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


def cifar_dataset(seed: int = 0):
    """Five training batches of 2 images, a test batch of 3, and the archive holding them."""
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (10, 32, 32, 3), dtype=np.uint8)
    y_train = np.array([6, 9, 9, 4, 1, 1, 2, 7, 8, 3], np.uint8)
    x_test = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    y_test = np.array([3, 8, 0], np.uint8)
    members = {f"cifar-10-batches-bin/data_batch_{i}.bin": cifar_records(x_train[2 * i - 2:2 * i],
                                                                        y_train[2 * i - 2:2 * i])
               for i in range(1, 6)}
    members["cifar-10-batches-bin/test_batch.bin"] = cifar_records(x_test, y_test)
    members["cifar-10-batches-bin/batches.meta.txt"] = "\n".join(cifar10.CLASS_NAMES).encode()
    return (x_train, y_train, x_test, y_test), members


# ----------------------------------------------------------------------------- mnist


def test_mnist_downloads_once_then_reads_the_cache(server, home, capsys):
    arrays = mnist_arrays()
    data = npz_bytes(arrays)
    server.files["/mnist.npz"] = data
    url = server.url + "/mnist.npz"
    (x_train, y_train), (x_test, y_test) = mnist.load_data(origin=url, file_hash=sha256(data))
    for name, got in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)):
        assert got.dtype == np.uint8 and got.shape == arrays[name].shape
        np.testing.assert_array_equal(got, arrays[name])
    assert (home / "mnist.npz").read_bytes() == data
    assert cache_listing(home) == ["mnist.npz"]  # no partial file left beside it
    assert f"Downloading data from {url}" in capsys.readouterr().out

    again = mnist.load_data(origin=url, file_hash=sha256(data))
    assert server.requests == ["/mnist.npz"]  # the second call read the cache
    np.testing.assert_array_equal(again[0][0], arrays["x_train"])


def test_mnist_default_origin_is_keras_and_checked_without_a_warning(server, home, monkeypatch):
    assert mnist.ORIGIN == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert mnist.FILE_HASH == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    monkeypatch.setattr(mnist, "ORIGIN", server.url + "/mnist.npz")
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (_, y_train), _ = mnist.load_data()
    np.testing.assert_array_equal(y_train, [5, 0, 4, 1, 9])
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(b"another file"))
    (home / "mnist.npz").unlink()
    with pytest.raises(DatasetDownloadError, match="sha256"):  # the default hash is checked
        mnist.load_data()


def test_a_given_origin_without_file_hash_warns_and_skips_the_check(server, home):
    server.files["/copy.npz"] = npz_bytes(mnist_arrays())
    with pytest.warns(UserWarning, match=r"mnist.load_data: origin=.* without file_hash.*sha256"):
        (x_train, _), _ = mnist.load_data(origin=server.url + "/copy.npz")
    np.testing.assert_array_equal(x_train, mnist_arrays()["x_train"])


def test_a_bad_checksum_raises_and_leaves_nothing_in_the_cache(server, home):
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    wrong = sha256(b"not the file")
    with pytest.raises(DatasetDownloadError, match=rf"has sha256 {sha256(data)}, but {wrong} was expected"):
        mnist.load_data(origin=server.url + "/mnist.npz", file_hash=wrong)
    assert cache_listing(home) == []


def test_an_md5_file_hash_is_checked_as_md5(server, home):
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    mnist.load_data(origin=server.url + "/mnist.npz", file_hash=hashlib.md5(data).hexdigest().upper())
    (home / "mnist.npz").unlink()
    with pytest.raises(DatasetDownloadError, match=r"has md5 [0-9a-f]{32}, but 0{32} was expected"):
        mnist.load_data(origin=server.url + "/mnist.npz", file_hash="0" * 32)


def test_a_truncated_download_raises_and_leaves_no_partial_file(server, home):
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    server.short["/mnist.npz"] = 1000  # Content-Length says 1000 bytes more than arrive
    with pytest.raises(DatasetDownloadError,
                       match=rf"stopped after {len(data)} of {len(data) + 1000} bytes.*Call again to retry"):
        mnist.load_data(origin=server.url + "/mnist.npz", file_hash=sha256(data))
    assert cache_listing(home) == []


def test_no_network_says_how_to_place_the_file_by_hand(home, monkeypatch):
    url = closed_port_url("mnist.npz")
    monkeypatch.setattr(mnist, "ORIGIN", url)
    with pytest.raises(DatasetDownloadError) as caught:
        mnist.load_data()
    message = str(caught.value)
    assert isinstance(caught.value, OSError)
    assert f"could not download mnist.npz from {url} (ConnectionRefusedError" in message
    assert f"To place the file by hand: download {url}" in message
    assert f"check that its sha256 is {mnist.FILE_HASH}" in message
    assert f"copy it to {home / 'mnist.npz'} " in message
    assert cache_listing(home) == []


def test_a_file_placed_by_hand_is_read_without_a_network(home, monkeypatch):
    data = npz_bytes(mnist_arrays())
    home.mkdir(parents=True)
    (home / "mnist.npz").write_bytes(data)
    monkeypatch.setattr(mnist, "ORIGIN", closed_port_url("mnist.npz"))
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(data))
    (_, _), (_, y_test) = mnist.load_data()
    np.testing.assert_array_equal(y_test, [7, 2, 1])


def test_a_cached_file_with_the_wrong_hash_is_downloaded_again(server, home, capsys):
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    home.mkdir(parents=True)
    (home / "mnist.npz").write_bytes(data[:100])  # an old, incomplete copy
    mnist.load_data(origin=server.url + "/mnist.npz", file_hash=sha256(data))
    assert server.requests == ["/mnist.npz"]
    assert (home / "mnist.npz").read_bytes() == data
    assert "downloading it again" in capsys.readouterr().out


def test_an_http_error_is_named(server, home):
    with pytest.raises(DatasetDownloadError, match="the server answered HTTP 404 Not Found"):
        mnist.load_data(origin=server.url + "/missing.npz", file_hash=sha256(b""))


def test_an_absolute_path_and_the_default_cache_folder(server, tmp_path, monkeypatch):
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    monkeypatch.delenv("MINIGRAD_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert mg.datasets.cache_dir() == tmp_path / "user" / ".minigrad" / "datasets"
    target = tmp_path / "elsewhere" / "digits.npz"
    mnist.load_data(path=str(target), origin=server.url + "/mnist.npz", file_hash=sha256(data))
    assert target.read_bytes() == data
    assert not (tmp_path / "user").exists()


def test_a_pickled_npz_is_refused_not_unpickled(server, home):
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.array([{"a": 1}], dtype=object), y_train=np.zeros(1), x_test=np.zeros(1),
             y_test=np.zeros(1))
    server.files["/mnist.npz"] = buffer.getvalue()
    with pytest.raises(DatasetFileError, match=r"not a readable \.npz archive of plain arrays.*allow_pickle"):
        mnist.load_data(origin=server.url + "/mnist.npz", file_hash=sha256(buffer.getvalue()))


def test_an_npz_without_the_four_arrays_is_refused(server, home):
    data = npz_bytes({"x_train": np.zeros((2, 28, 28), np.uint8)})
    server.files["/mnist.npz"] = data
    with pytest.raises(DatasetFileError, match=r"\['y_train', 'x_test', 'y_test'\] missing"):
        mnist.load_data(origin=server.url + "/mnist.npz", file_hash=sha256(data))


def test_the_progress_bar_without_tqdm_prints_tenths(server, home, monkeypatch, capsys):
    pad = np.random.default_rng(0).integers(0, 256, 300_000, dtype=np.uint8)  # several 64 KiB chunks
    data = npz_bytes({**mnist_arrays(), "pad": pad})
    server.files["/mnist.npz"] = data
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` now fails
    mnist.load_data(origin=server.url + "/mnist.npz", file_hash=sha256(data))
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("mnist.npz: 100% (") and lines[-1].endswith(" MiB)")
    assert len(lines) >= 2 and all(line.startswith("mnist.npz: ") for line in lines)


def test_the_progress_bar_with_tqdm(server, home, capsys):
    pytest.importorskip("tqdm")
    data = npz_bytes(mnist_arrays())
    server.files["/mnist.npz"] = data
    mnist.load_data(origin=server.url + "/mnist.npz", file_hash=sha256(data))
    err = capsys.readouterr().err
    assert "mnist.npz" in err and "100%" in err


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"path": 3}, ArgumentTypeError, r"`path` must be a string"),
    ({"origin": "ftp://example.org/mnist.npz"}, InvalidArgumentError, r"`origin` must be a URL starting"),
    ({"origin": 7}, ArgumentTypeError, r"`origin` must be a string"),
    ({"file_hash": "abc"}, InvalidArgumentError, r"`file_hash` must be a sha256 \(64 hex digits\)"),
    ({"file_hash": "g" * 64}, InvalidArgumentError, r"`file_hash` must be a sha256"),
    ({"file_hash": 12}, ArgumentTypeError, r"`file_hash` must be a sha256 or md5 hex digest"),
])
@pytest.mark.parametrize("loader", [mnist, cifar10], ids=["mnist", "cifar10"])
def test_bad_arguments_raise_named_errors(loader, kwargs, error, fragment, home):
    with pytest.raises(error, match=rf"{loader.__name__.split('.')[-1]}.load_data: {fragment}"):
        loader.load_data(**kwargs)
    assert cache_listing(home) == []


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"path": None}, ArgumentTypeError, r"`path` must be a string"),
    ({"origin": "www.example.org/fashion/"}, InvalidArgumentError, r"`origin` must be a URL starting"),
    ({"origin": b"http://127.0.0.1/"}, ArgumentTypeError, r"`origin` must be a string"),
])
def test_fashion_mnist_bad_arguments_raise_named_errors(kwargs, error, fragment, home):
    with pytest.raises(error, match=rf"fashion_mnist.load_data: {fragment}"):
        fashion_mnist.load_data(**kwargs)
    assert cache_listing(home) == []


def test_get_file_checks_its_arguments(home):
    with pytest.raises(InvalidArgumentError, match=r"get_file: `fname` is empty"):
        mg.datasets.get_file("", "http://127.0.0.1/x")
    with pytest.raises(ArgumentTypeError, match=r"get_file: `cache_subdir` must be a string or None"):
        mg.datasets.get_file("x", "http://127.0.0.1/x", cache_subdir=3)


# ----------------------------------------------------------------------------- fashion_mnist


def fashion_files(seed: int = 1):
    rng = np.random.default_rng(seed)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte.gz": np.array([9, 0, 0, 3], np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte.gz": np.array([9, 2], np.uint8)}
    return arrays, {name: idx_gz(a) for name, a in arrays.items()}


def test_fashion_mnist_downloads_its_four_files_once(server, home):
    arrays, files = fashion_files()
    for name, data in files.items():
        server.files[f"/fm/{name}"] = data
    hashes = {name: sha256(data) for name, data in files.items()}
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(origin=server.url + "/fm",
                                                                   file_hash=hashes)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, [9, 0, 0, 3])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, [9, 2])
    assert x_train.dtype == y_train.dtype == np.uint8 and x_train.shape == (4, 28, 28)
    assert cache_listing(home) == sorted(f"fashion-mnist/{name}" for name in files)
    fashion_mnist.load_data(origin=server.url + "/fm/", file_hash=hashes)
    assert sorted(server.requests) == sorted(f"/fm/{name}" for name in files)  # once each


def test_fashion_mnist_default_origin_and_hashes_are_keras(server, home, monkeypatch):
    assert fashion_mnist.ORIGIN == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
    assert fashion_mnist.FILE_HASHES["train-images-idx3-ubyte.gz"] == (
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84")
    _, files = fashion_files()
    for name, data in files.items():
        server.files[f"/{name}"] = data
    monkeypatch.setattr(fashion_mnist, "ORIGIN", server.url + "/")
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", {name: sha256(d) for name, d in files.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (_, y_train), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(y_train, [9, 0, 0, 3])


def test_fashion_mnist_without_hashes_warns(server, home):
    _, files = fashion_files()
    for name, data in files.items():
        server.files[f"/{name}"] = data
    with pytest.warns(UserWarning, match="without file_hash"):
        fashion_mnist.load_data(origin=server.url)


def test_fashion_mnist_refuses_a_file_that_is_not_idx(server, home):
    _, files = fashion_files()
    files["train-labels-idx1-ubyte.gz"] = gzip.compress(b"<html>moved</html>")
    for name, data in files.items():
        server.files[f"/{name}"] = data
    with pytest.raises(DatasetFileError,
                       match=r"IDX header of unsigned bytes \(00 00 08 <ndim>\), got 3c 68 74 6d"):
        fashion_mnist.load_data(origin=server.url, file_hash={n: sha256(d) for n, d in files.items()})


def test_fashion_mnist_refuses_an_idx_file_shorter_than_its_header_says(server, home):
    _, files = fashion_files()
    files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
    for name, data in files.items():
        server.files[f"/{name}"] = data
    with pytest.raises(DatasetFileError, match=r"announces shape \(5,\) \(5 bytes\), but 2 bytes follow"):
        fashion_mnist.load_data(origin=server.url, file_hash={n: sha256(d) for n, d in files.items()})


def test_fashion_mnist_file_hash_must_name_the_four_files(home):
    with pytest.raises(InvalidArgumentError,
                       match=r"fashion_mnist.load_data: `file_hash` must have one entry"):
        fashion_mnist.load_data(file_hash={"train-images-idx3-ubyte.gz": "0" * 64})
    with pytest.raises(ArgumentTypeError, match=r"fashion_mnist.load_data: `file_hash` must be a dict"):
        fashion_mnist.load_data(file_hash="0" * 64)
    bad = {name: "0" * 64 for name in fashion_mnist.FILES}
    bad["t10k-images-idx3-ubyte.gz"] = "xyz"
    with pytest.raises(InvalidArgumentError, match=r"`file_hash\['t10k-images-idx3-ubyte.gz'\]` must be"):
        fashion_mnist.load_data(file_hash=bad)


# ----------------------------------------------------------------------------- cifar10


def test_cifar10_reads_the_binary_records_channels_last(server, home):
    (x_train, y_train, x_test, y_test), members = cifar_dataset()
    data = tar_gz(members)
    server.files["/cifar-10-binary.tar.gz"] = data
    url = server.url + "/cifar-10-binary.tar.gz"
    (xt, yt), (xs, ys) = cifar10.load_data(origin=url, file_hash=sha256(data))
    assert xt.shape == (10, 32, 32, 3) and yt.shape == (10, 1)
    assert xs.shape == (3, 32, 32, 3) and ys.shape == (3, 1)
    assert xt.dtype == yt.dtype == np.uint8 and xt.flags.c_contiguous
    np.testing.assert_array_equal(xt, x_train)  # the five batches, in order
    np.testing.assert_array_equal(yt[:, 0], y_train)
    np.testing.assert_array_equal(xs, x_test)
    np.testing.assert_array_equal(ys[:, 0], [3, 8, 0])
    # the format, by hand: record 0 of the test batch is its label, then the red, green, blue planes
    record = members["cifar-10-batches-bin/test_batch.bin"][:3073]
    assert record[0] == 3
    assert tuple(xs[0, 0, 0]) == (record[1], record[1 + 1024], record[1 + 2048])
    assert tuple(xs[0, 0, 1]) == (record[2], record[2 + 1024], record[2 + 2048])
    assert tuple(xs[0, 1, 0]) == (record[1 + 32], record[1 + 1024 + 32], record[1 + 2048 + 32])
    assert cache_listing(home) == ["cifar-10-binary.tar.gz"]  # read in place, nothing extracted
    cifar10.load_data(origin=url, file_hash=sha256(data))
    assert server.requests == ["/cifar-10-binary.tar.gz"]


def test_cifar10_default_origin_is_the_binary_version(server, home, monkeypatch):
    assert cifar10.ORIGIN == "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    assert cifar10.OFFICIAL_MD5 == "c32a1d4ab5d03f1284b67883e8d87530"
    assert len(cifar10.FILE_HASH) == 64
    _, members = cifar_dataset()
    data = tar_gz(members)
    server.files["/c.tar.gz"] = data
    monkeypatch.setattr(cifar10, "ORIGIN", server.url + "/c.tar.gz")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, (_, y_test) = cifar10.load_data()
    np.testing.assert_array_equal(y_test[:, 0], [3, 8, 0])


def test_cifar10_truncated_download_and_no_network(server, home):
    _, members = cifar_dataset()
    data = tar_gz(members)
    server.files["/c.tar.gz"] = data
    server.short["/c.tar.gz"] = 1
    with pytest.raises(DatasetDownloadError, match=rf"stopped after {len(data)} of {len(data) + 1} bytes"):
        cifar10.load_data(origin=server.url + "/c.tar.gz", file_hash=sha256(data))
    url = closed_port_url("c.tar.gz")
    with pytest.raises(DatasetDownloadError, match=rf"copy it to {home / 'cifar-10-binary.tar.gz'}"):
        cifar10.load_data(origin=url, file_hash=sha256(data))
    assert cache_listing(home) == []


@pytest.mark.parametrize("change, fragment", [
    (lambda m: m.pop("cifar-10-batches-bin/data_batch_3.bin"),
     r"lacks \['cifar-10-batches-bin/data_batch_3.bin'\]"),
    (lambda m: m.update({"cifar-10-batches-bin/test_batch.bin": bytes([10]) + bytes(3072)}),
     r"holds label 10, but CIFAR-10 labels are 0-9"),
    (lambda m: m.update({"cifar-10-batches-bin/test_batch.bin": bytes(3000)}),
     r"is not a file of whole 3073-byte records"),
])
def test_cifar10_refuses_an_archive_that_is_not_the_binary_version(server, home, change, fragment):
    _, members = cifar_dataset()
    change(members)
    data = tar_gz(members)
    server.files["/c.tar.gz"] = data
    with pytest.raises(DatasetFileError, match=fragment):
        cifar10.load_data(origin=server.url + "/c.tar.gz", file_hash=sha256(data))


def test_cifar10_does_not_follow_a_link_in_the_archive(server, home):
    _, members = cifar_dataset()
    members.pop("cifar-10-batches-bin/data_batch_1.bin")
    data = tar_gz(members, links={"cifar-10-batches-bin/data_batch_1.bin": "/etc/passwd"})
    server.files["/c.tar.gz"] = data
    with pytest.raises(DatasetFileError, match=r"data_batch_1.bin is not a file of whole 3073-byte records"):
        cifar10.load_data(origin=server.url + "/c.tar.gz", file_hash=sha256(data))


def test_cifar10_refuses_a_file_that_is_not_a_tar_gz(server, home):
    server.files["/c.tar.gz"] = b"not an archive"
    with pytest.raises(DatasetFileError, match=r"is not a readable tar.gz archive"):
        cifar10.load_data(origin=server.url + "/c.tar.gz", file_hash=sha256(b"not an archive"))


# ----------------------------------------------------------------------------- digits


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(OptionalDependencyError,
                       match=r"digits needs the package 'scikit-learn'.*\.\[datasets\]"):
        mg.datasets.digits()
    assert issubclass(OptionalDependencyError, ImportError)


def test_digits_converts_scikit_learns_arrays(monkeypatch):
    # a stand-in for sklearn.datasets: the conversion is minigrad's, the data scikit-learn's
    data = np.arange(3 * 64, dtype=np.float64).reshape(3, 64) % 17
    fake = types.ModuleType("sklearn.datasets")
    fake.load_digits = lambda: types.SimpleNamespace(data=data, target=np.array([4, 0, 9]))
    monkeypatch.setitem(sys.modules, "sklearn", types.ModuleType("sklearn"))
    monkeypatch.setitem(sys.modules, "sklearn.datasets", fake)
    x, y = mg.datasets.digits()
    assert x.dtype == np.float32 and x.shape == (3, 64) and y.dtype == np.int64
    np.testing.assert_array_equal(x, data)
    np.testing.assert_array_equal(y, [4, 0, 9])
    images, _ = mg.datasets.digits(flatten=False)
    assert images.shape == (3, 8, 8)
    np.testing.assert_array_equal(images[1, 2], data[1, 16:24])  # row 2 of image 1
    with pytest.raises(ArgumentTypeError, match=r"digits: `flatten` must be a bool"):
        mg.datasets.digits(flatten="no")


def test_digits_from_scikit_learn():
    pytest.importorskip("sklearn", reason="scikit-learn is optional: pip install -e \".[datasets]\"")
    x, y = mg.datasets.digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and y.shape == (1797,) and y.dtype == np.int64
    # the first image (a 0) of the UCI file, row 0 and row 1, as load_digits returns it
    np.testing.assert_array_equal(x[0, :16], [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0])
    np.testing.assert_array_equal(y[:10], np.arange(10))
    assert x.min() == 0 and x.max() == 16
    counts = np.bincount(y)
    assert counts.sum() == 1797 and counts.min() == 174 and counts.max() == 183
