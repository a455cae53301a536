"""Download a dataset file once into a cache folder, check its hash, and keep it there.

    path = get_file("mnist.npz", origin="https://.../mnist.npz", file_hash="731c5a...")

The cache folder is ``$MINIGRAD_HOME/datasets`` when the environment variable
``MINIGRAD_HOME`` is set, else ``~/.minigrad/datasets`` (Keras: ``~/.keras/datasets``).
A download streams into a temporary file beside its target while a progress bar runs
(tqdm when it is installed, else a line per tenth), is checked (its length against the
server's ``Content-Length``, its hash against ``file_hash``), and only then moved into
place with ``os.replace``, an atomic rename: an interrupted, truncated or corrupted
download never leaves a file that a later call would read.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

from minigrad.errors import ArgumentTypeError, DatasetDownloadError, InvalidArgumentError
from minigrad.validation import check_str

TIMEOUT_S = 60.0
"""Seconds a download may wait for the server (to connect, or for the next bytes) before it fails."""

CHUNK_BYTES = 1 << 16
SCHEMES = ("http", "https", "file")
_HASH_LENGTHS = {64: "sha256", 32: "md5"}  # Keras's get_file tells the algorithm by the length


def cache_dir() -> Path:
    """The folder where downloaded datasets are kept (it may not exist yet).

    Returns:
        ``$MINIGRAD_HOME/datasets`` when ``MINIGRAD_HOME`` is set (and not empty),
        else ``~/.minigrad/datasets``.
    """
    home = os.environ.get("MINIGRAD_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".minigrad"
    return base / "datasets"


def get_file(fname: str, origin: str, file_hash: str | None = None,
             cache_subdir: str | None = None) -> str:
    """The path of a file in the dataset cache, downloaded from ``origin`` first if needed.

    A file already in the cache is used as it is when ``file_hash`` is None, or when its
    hash matches; a cached file whose hash does not match is downloaded again (as Keras's
    ``get_file`` does).

    Args:
        fname: the file's name in the cache folder (``cache_dir()``, or its subfolder
            ``cache_subdir``); an absolute path puts the file exactly there.
        origin: the URL to download from (``http://``, ``https://`` or ``file://``).
        file_hash: the expected hash, sha256 (64 hex digits) or md5 (32), as Keras's
            ``get_file`` takes it; None checks nothing.
        cache_subdir: a subfolder of the cache for files that belong together
            (``"fashion-mnist"``), or None.

    Returns:
        The path of the file, as a string.

    Raises:
        ArgumentTypeError: for arguments that are not strings.
        InvalidArgumentError: for an empty name, a URL of another scheme, or a hash that is
            neither 64 nor 32 hex digits.
        DatasetDownloadError: when the download fails (no network, server error, timeout),
            arrives shorter than announced, or does not match ``file_hash``; its message says
            where to put the file by hand.
    """
    fname = check_str("fname", fname, where="get_file")
    if not fname:
        raise InvalidArgumentError("get_file: `fname` is empty. Pass the file's name, e.g. "
                                   "fname='mnist.npz'.")
    origin = check_origin(origin, where="get_file")
    file_hash, algorithm = check_file_hash("file_hash", file_hash, where="get_file")
    cache_subdir = check_str("cache_subdir", cache_subdir, allow_none=True, where="get_file")
    folder = cache_dir() / cache_subdir if cache_subdir else cache_dir()
    target = folder / fname
    if target.is_file():
        if file_hash is None:
            return str(target)
        found = hash_file(target, algorithm)
        if found == file_hash:
            return str(target)
        print(f"The cached file {target} has {algorithm} {found}, not the expected {file_hash} "
              "(an incomplete or outdated copy): downloading it again.")
    _download(origin, target, file_hash, algorithm)
    return str(target)


def resolve_source(origin, file_hash, default_origin: str, default_hash: str | None, *,
                   where: str) -> tuple[str, str | None]:
    """A loader's ``(origin, file_hash)``: its defaults, or the caller's with a warning if unchecked.

    ``origin=None`` downloads from ``default_origin`` and checks ``default_hash`` (or the
    caller's ``file_hash`` when given). A given ``origin`` replaces the URL: its file is checked
    against ``file_hash`` when given, and not at all (with a ``UserWarning``) when it is None.
    """
    file_hash, _ = check_file_hash("file_hash", file_hash, where=where)
    if origin is None:
        return default_origin, default_hash if file_hash is None else file_hash
    origin = check_origin(origin, where=where)
    if file_hash is None:
        warnings.warn(
            f"{where}: origin={origin!r} was given without file_hash, so the file is used without "
            "checking its hash. Pass file_hash='<its sha256>' (from `sha256sum FILE`) to check it.",
            UserWarning, stacklevel=3)
    return origin, file_hash


def check_origin(origin, *, where: str) -> str:
    """``origin`` if it is a URL minigrad can download from."""
    origin = check_str("origin", origin, where=where)
    scheme = urllib.parse.urlsplit(origin).scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidArgumentError(
            f"{where}: `origin` must be a URL starting with http://, https:// or file://, got "
            f"{origin!r}. For a file on this machine, pass origin='file:///full/path/to/the/file'."
        )
    return origin


def check_file_hash(name: str, file_hash, *, where: str) -> tuple[str | None, str | None]:
    """``(hash in lower case, "sha256" or "md5")`` from a hex digest, or ``(None, None)``."""
    if file_hash is None:
        return None, None
    if not isinstance(file_hash, str):
        raise ArgumentTypeError(
            f"{where}: `{name}` must be a sha256 or md5 hex digest (a string) or None, got "
            f"{file_hash!r} of type {type(file_hash).__name__}. Compute one with `sha256sum FILE`."
        )
    digest = file_hash.strip().lower()
    if len(digest) not in _HASH_LENGTHS or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidArgumentError(
            f"{where}: `{name}` must be a sha256 (64 hex digits) or md5 (32 hex digits) hash, got "
            f"{file_hash!r} ({len(file_hash)} characters). Compute it with `sha256sum FILE`, or pass "
            f"{name}=None to skip the check."
        )
    return digest, _HASH_LENGTHS[len(digest)]


def hash_file(path, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes (``algorithm``: ``"sha256"`` or ``"md5"``)."""
    hasher = _hasher(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _hasher(algorithm: str | None):
    if algorithm == "md5":
        return hashlib.md5(usedforsecurity=False)
    return hashlib.sha256()


def _by_hand(origin: str, target: Path, file_hash: str | None, algorithm: str | None) -> str:
    """The paragraph that says how to place a file in the cache without minigrad's download."""
    check = f", check that its {algorithm} is {file_hash}," if file_hash else ","
    return (f"To place the file by hand: download {origin} on a machine with a network{check} and "
            f"copy it to {target} (the cache is $MINIGRAD_HOME/datasets, or ~/.minigrad/datasets "
            "when MINIGRAD_HOME is not set). The next call reads it from there without downloading.")


def _download(origin: str, target: Path, file_hash: str | None, algorithm: str | None) -> None:
    """Stream ``origin`` into a temporary file beside ``target``, check it, then rename it into place."""
    print(f"Downloading data from {origin}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise DatasetDownloadError(
            f"cannot write into the dataset cache {target.parent} ({exc}). Set the environment "
            "variable MINIGRAD_HOME to a folder you can write to (the cache is $MINIGRAD_HOME/datasets), "
            "or pass an absolute path where the file should go."
        ) from exc
    hasher = _hasher(algorithm)
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                received, announced = _stream(origin, out, hasher, target.name)
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts and refusals are OSErrors
            raise DatasetDownloadError(
                f"could not download {target.name} from {origin} ({_reason(exc)}). "
                + _by_hand(origin, target, file_hash, algorithm)
            ) from exc
        if announced is not None and received != announced:
            raise DatasetDownloadError(
                f"the download of {target.name} from {origin} stopped after {received} of {announced} "
                "bytes (the connection closed early); nothing was kept. Call again to retry. "
                + _by_hand(origin, target, file_hash, algorithm)
            )
        found = hasher.hexdigest()
        if file_hash is not None and found != file_hash:
            raise DatasetDownloadError(
                f"the file downloaded from {origin} has {algorithm} {found}, but {file_hash} was "
                f"expected: it is damaged or is not the file asked for, so it was deleted. Call again to "
                "retry; if the file at that URL changed on purpose and you trust it, pass its hash as "
                "file_hash. " + _by_hand(origin, target, file_hash, algorithm)
            )
        os.replace(part, target)  # atomic: readers see the old state or the whole checked file
    finally:
        if os.path.exists(part):
            os.unlink(part)


def _stream(origin: str, out, hasher, label: str) -> tuple[int, int | None]:
    """Copy ``origin`` into ``out``; returns (bytes received, bytes announced or None)."""
    request = urllib.request.Request(origin, headers={"User-Agent": "minigrad"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        length = response.headers.get("Content-Length")
        announced = int(length) if length and length.strip().isdigit() else None
        received = 0
        bar = _progress_bar(announced, label)
        try:
            # read(n) returns b"" when the server closes early, without an error: the caller
            # compares ``received`` with ``announced``
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                out.write(chunk)
                hasher.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        finally:
            bar.close()
    return received, announced


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"{type(exc.reason).__name__}: {exc.reason}" if isinstance(exc.reason, BaseException) \
            else str(exc.reason)
    return f"{type(exc).__name__}: {exc}"


def _progress_bar(total: int | None, label: str):
    """A tqdm bar in bytes when tqdm is installed, else ``_PlainProgress``."""
    try:
        from tqdm import tqdm  # noqa: PLC0415  (optional: the test and notebooks extras)
    except ImportError:
        return _PlainProgress(total, label)
    return tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr)


class _PlainProgress:
    """A progress report without tqdm: one line on stderr at every tenth (or every 10 MiB)."""

    def __init__(self, total: int | None, label: str):
        self.total, self.label, self.done, self.shown = total, label, 0, 0

    def update(self, n: int) -> None:
        self.done += n
        step = self.done * 10 // self.total if self.total else self.done // (10 << 20)
        if step > self.shown:
            self.shown = step
            self._show()

    def close(self) -> None:
        if not self.total or self.done < self.total:
            self._show()

    def _show(self) -> None:
        mib, total_mib = self.done / (1 << 20), (self.total or 0) / (1 << 20)
        if self.total:
            print(f"{self.label}: {100 * self.done // self.total}% ({mib:.1f} of {total_mib:.1f} MiB)",
                  file=sys.stderr)
        else:
            print(f"{self.label}: {mib:.1f} MiB", file=sys.stderr)
