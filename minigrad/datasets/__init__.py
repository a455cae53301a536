"""Small datasets made in code, with seeds: toy problems for lessons and tests.

    from minigrad import datasets
    x, y = datasets.spirals(n_samples=300, n_classes=3, seed=0)   # x (300, 2), y (300,)
    images, labels = datasets.shapes(n_samples=1000, seed=0)     # (1000, 28, 28, 1)
    x_train, x_test, y_train, y_test = datasets.train_test_split(images, labels)

Every function returns NumPy arrays: float32 features and int64 labels. All randomness
comes from one ``numpy.random.default_rng(seed)`` generator made by ``minigrad.backend``,
so the same arguments give the same bytes on every run, independent of
``minigrad.random.seed``. Classes are balanced: their sizes differ by at most one.

Real datasets, as ``keras.datasets`` loads them (downloaded once into ``cache_dir()``,
``$MINIGRAD_HOME/datasets`` or ``~/.minigrad/datasets``, and checked by sha256; see
``get_file``), in the submodules ``mnist``, ``fashion_mnist`` and ``cifar10``:

    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()

and ``digits()``, scikit-learn's 8x8 digits, offline (the ``datasets`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from minigrad import backend
from minigrad.datasets import cifar10, fashion_mnist, mnist  # noqa: F401  (real datasets, downloaded)
from minigrad.datasets._digits import digits  # noqa: F401
from minigrad.datasets._download import cache_dir, get_file  # noqa: F401
from minigrad.errors import InvalidArgumentError
from minigrad.validation import check_bool

SHAPE_CLASSES = ("bars_h", "bars_v", "ring", "cross", "diagonal", "square")
"""The classes ``shapes`` can draw, in the order of its default labels."""

DATA_FORMATS = ("channels_last", "channels_first")


# ----------------------------------------------------------------------------- points in 2-D


def spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int | None = 0,
            shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms in the plane, one arm per class (the CS231n toy problem).

    Arm ``k`` of ``K`` holds ``m`` points. Point ``i`` of it has radius and angle

        r_i = i / (m - 1)                       (0 at the centre, 1 at the tip)
        t_i = 2*pi*k/K + 4*r_i + noise * N(0, 1)
        x_i = (r_i * cos(t_i), r_i * sin(t_i))

    so each arm turns through 4 radians while it grows, the arms start evenly spaced
    around the circle, and ``noise`` blurs the angle (more at the tip than at the
    centre). No straight line separates two arms. Measured on ``spirals(600)`` split
    450/150: nearest class mean scores 0.49 test accuracy, 1-nearest-neighbour 0.99.

    Args:
        n_samples: total number of points, at least ``n_classes``.
        n_classes: number of arms (classes), at least 2.
        noise: standard deviation of the Gaussian noise added to each angle, in radians
            (0 draws the exact spirals).
        seed: seed of the random generator (None: fresh entropy, runs differ).
        shuffle: if True, the points come in random order; if False, arm by arm,
            each from the centre outwards.

    Returns:
        ``(x, y)``: ``x`` float32 of shape ``(n_samples, 2)``, ``y`` int64 of shape
        ``(n_samples,)`` with values ``0 .. n_classes - 1``.

    Raises:
        InvalidArgumentError: if ``n_samples < n_classes``, ``n_classes < 2`` or ``noise < 0``.
    """
    n_classes = _check_int("n_classes", n_classes, 2, "a spiral dataset needs at least 2 arms")
    n_samples = _check_n_samples(n_samples, n_classes)
    noise = _check_noise(noise)
    rng = _generator(seed)
    xs, ys = [], []
    for k, m in enumerate(_class_sizes(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, m)
        t = 2.0 * np.pi * k / n_classes + 4.0 * r + noise * rng.standard_normal(m)
        xs.append(np.stack([r * np.cos(t), r * np.sin(t)], axis=1))
        ys.append(np.full(m, k))
    return _finish(np.concatenate(xs), np.concatenate(ys), rng, shuffle)


def moons(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0,
          shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the "moons" toy problem).

    Class 0 is the upper half of the unit circle around ``(0, 0)``; class 1 is the
    lower half of the unit circle around ``(1, 0.5)``, so each moon reaches into the
    other's hollow. With ``m`` points on a moon, point ``i`` has angle
    ``t_i = pi * i / (m - 1)`` and sits at

        class 0: (cos t_i, sin t_i)
        class 1: (1 - cos t_i, 0.5 - sin t_i)

    before Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Args:
        n_samples: total number of points, at least 2 (class 0 gets the odd one).
        noise: standard deviation of the Gaussian noise added to each coordinate
            (0 puts every point exactly on its circle).
        seed: seed of the random generator (None: fresh entropy, runs differ).
        shuffle: if True, the points come in random order; if False, class 0 first.

    Returns:
        ``(x, y)``: ``x`` float32 of shape ``(n_samples, 2)``, ``y`` int64 of shape
        ``(n_samples,)`` with values 0 and 1.

    Raises:
        InvalidArgumentError: if ``n_samples < 2`` or ``noise < 0``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = _check_noise(noise)
    rng = _generator(seed)
    m0, m1 = _class_sizes(n_samples, 2)
    t0, t1 = np.linspace(0.0, np.pi, m0), np.linspace(0.0, np.pi, m1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    x = np.concatenate([upper, lower]) + noise * rng.standard_normal((n_samples, 2))
    y = np.concatenate([np.zeros(m0, np.int64), np.ones(m1, np.int64)])
    return _finish(x, y, rng, shuffle)


def blobs(n_samples: int = 300, centers=3, n_features: int = 2, cluster_std=1.0,
          center_box: tuple[float, float] = (-10.0, 10.0), seed: int | None = 0,
          shuffle: bool = True, return_centers: bool = False):
    """Isotropic Gaussian blobs, one per class.

    Sample ``i`` of class ``k`` is ``centers[k] + cluster_std[k] * N(0, I)``. When
    ``centers`` is a number, that many centers are first drawn uniformly from the box
    ``center_box`` in every coordinate, from the same generator.

    Args:
        n_samples: total number of points, at least the number of centers.
        centers: the number of classes (an int >= 1), or an array of shape
            ``(n_classes, n_features)`` holding the centers themselves.
        n_features: dimension of each point when ``centers`` is an int; when
            ``centers`` is an array its second dimension is used instead.
        cluster_std: standard deviation of every blob (a float), or one per center.
        center_box: ``(low, high)`` bounds of the random centers.
        seed: seed of the random generator (None: fresh entropy, runs differ).
        shuffle: if True, the points come in random order; if False, class by class.
        return_centers: if True, also return the centers (float32, ``(n_classes, n_features)``).

    Returns:
        ``(x, y)``, or ``(x, y, centers)`` if ``return_centers``: ``x`` float32 of
        shape ``(n_samples, n_features)``, ``y`` int64 of shape ``(n_samples,)``.

    Raises:
        InvalidArgumentError: for ``n_samples`` smaller than the number of centers, a centers
            array that is not 2-D, ``n_features < 1``, a negative ``cluster_std``, a
            ``cluster_std`` of the wrong length, or ``center_box`` with ``low >= high``.
    """
    rng = _generator(seed)
    return_centers = check_bool("return_centers", return_centers, where="blobs")
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        n_centers = _check_int("centers", centers, 1, "blobs needs at least one center")
        n_features = _check_int("n_features", n_features, 1, "points need at least one coordinate")
        low, high = _check_box(center_box)
        center_array = rng.uniform(low, high, size=(n_centers, n_features))
    else:
        try:
            center_array = np.asarray(centers, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"centers must be an int or an array of shape (n_classes, n_features), got "
                f"{centers!r:.40}. Pass e.g. centers=3 or centers=[[0, 0], [5, 5]]."
            ) from exc
        if center_array.ndim != 2 or center_array.shape[0] < 1 or center_array.shape[1] < 1:
            raise InvalidArgumentError(
                f"centers must be an int or an array of shape (n_classes, n_features), got "
                f"shape {center_array.shape}. For a single 2-D center write [[x, y]]."
            )
        n_centers, n_features = center_array.shape
    n_samples = _check_n_samples(n_samples, n_centers)
    stds = _check_cluster_std(cluster_std, n_centers)
    sizes = _class_sizes(n_samples, n_centers)
    y = np.repeat(np.arange(n_centers), sizes)
    x = center_array[y] + stds[y, None] * rng.standard_normal((n_samples, n_features))
    x, y = _finish(x, y, rng, shuffle)
    if return_centers:
        return x, y, center_array.astype(np.float32)
    return x, y


# ----------------------------------------------------------------------------- images


def shapes(n_samples: int = 1000, image_size: int = 28, noise: float = 0.1, seed: int | None = 0,
           data_format: str = "channels_last",
           classes: Sequence[str] = SHAPE_CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """Single-channel images of procedurally drawn shapes, one shape per class.

    The classes (label ``k`` is ``classes[k]``):

    - ``"bars_h"``: one or two horizontal bars;
    - ``"bars_v"``: one or two vertical bars (the same bars, transposed);
    - ``"ring"``: a circle outline;
    - ``"cross"``: a plus sign, one horizontal and one vertical stroke;
    - ``"diagonal"``: one line about 45 degrees off the axes, either way (``/`` or ``\\``);
    - ``"square"``: a filled square.

    Every image draws its shape at a random position, size, stroke thickness and
    brightness (0.6 to 1), with anti-aliased edges, on a black background. Sizes are
    fractions of ``image_size``, so the classes look alike at any resolution. Then
    ``pixel = clip(shape + noise * N(0, 1), 0, 1)`` independently for every pixel.
    Drawing is vectorised over all images of a class: 1000 images of 28x28 took about
    20 ms on one CPU core.

    Linear models find this hard. Measured with plain NumPy on ``shapes(3000, seed=0)``
    (first 2000 images to fit, last 1000 to test, all six classes, chance 1/6): nearest
    class mean scores 0.52 test accuracy at noise 0.1 and 0.46 at noise 0.5; softmax
    regression on standardised pixels (300 full-batch gradient steps) 0.54 and 0.38,
    while fitting its training images (almost) perfectly.

    Args:
        n_samples: number of images, at least ``len(classes)``.
        image_size: height and width in pixels, at least 8.
        noise: standard deviation of the additive Gaussian pixel noise (0: clean images).
        seed: seed of the random generator (None: fresh entropy, runs differ).
        data_format: ``"channels_last"`` for shape ``(n, H, W, 1)`` or
            ``"channels_first"`` for ``(n, 1, H, W)``.
        classes: which shapes to draw, by name from ``SHAPE_CLASSES``, in label order.

    Returns:
        ``(images, labels)``: ``images`` float32 in ``[0, 1]``, ``labels`` int64 of
        shape ``(n_samples,)`` with values ``0 .. len(classes) - 1``, balanced and in
        random order.

    Raises:
        InvalidArgumentError: for ``n_samples < len(classes)``, ``image_size < 8``, ``noise < 0``,
            an unknown or repeated class name, or an unknown ``data_format``.
    """
    classes = _check_classes(classes)
    n_samples = _check_n_samples(n_samples, len(classes))
    image_size = _check_int("image_size", image_size, 8, "smaller images cannot show the shapes")
    noise = _check_noise(noise)
    if data_format not in DATA_FORMATS:
        raise InvalidArgumentError(f"data_format must be one of {DATA_FORMATS}, got {data_format!r}.")
    rng = _generator(seed)
    labels = rng.permutation(np.arange(n_samples) % len(classes))
    images = np.empty((n_samples, image_size, image_size), dtype=np.float32)
    grid = _Grid(image_size)
    for k, name in enumerate(classes):
        where = np.flatnonzero(labels == k)
        drawn = _DRAWERS[name](rng, grid, where.size)
        brightness = rng.uniform(0.6, 1.0, size=(where.size, 1, 1)).astype(np.float32)
        images[where] = drawn * brightness
    if noise > 0:
        images += (noise * rng.standard_normal(images.shape)).astype(np.float32)
        np.clip(images, 0.0, 1.0, out=images)
    axis = 3 if data_format == "channels_last" else 1
    return np.expand_dims(images, axis), labels.astype(np.int64)


class _Grid:
    """Pixel-centre coordinates of a ``size x size`` image, shaped to broadcast against (m, 1, 1)."""

    def __init__(self, size: int):
        self.size = size
        coords = np.arange(size, dtype=np.float32) + 0.5
        self.rows = coords[None, :, None]  # (1, H, 1)
        self.cols = coords[None, None, :]  # (1, 1, W)


def _uniform(rng, low: float, high: float, m: int, size: int) -> np.ndarray:
    """``m`` draws from U[low*size, high*size), shaped (m, 1, 1) for broadcasting."""
    return rng.uniform(low * size, high * size, size=(m, 1, 1)).astype(np.float32)


def _half_thickness(rng, low: float, high: float, m: int, size: int) -> np.ndarray:
    """Half the width of a stroke, as ``_uniform``, but at least half a pixel.

    A stroke at least one pixel wide always lights some pixel fully, even on small images.
    """
    return np.maximum(_uniform(rng, low, high, m, size), np.float32(0.5))


def _box(grid: _Grid, cy, cx, half_h, half_w) -> np.ndarray:
    """Filled axis-aligned rectangles with anti-aliased edges: 1 inside, 0 outside.

    A pixel's value is ``clip(0.5 + min(half_h - |row - cy|, half_w - |col - cx|), 0, 1)``,
    its signed distance to the nearest edge turned into a one-pixel ramp.
    """
    inside = np.minimum(half_h - np.abs(grid.rows - cy), half_w - np.abs(grid.cols - cx))
    return np.clip(inside + 0.5, 0.0, 1.0)


def _stroke(distance, half_width) -> np.ndarray:
    """A line of ``half_width`` around a centre line, from each pixel's distance to it."""
    return np.clip(half_width + 0.5 - distance, 0.0, 1.0)


def _draw_bars_h(rng, grid: _Grid, m: int) -> np.ndarray:
    """One or two horizontal bars per image."""
    s = grid.size
    two = rng.random((m, 1, 1)) < 0.5
    single_row = _uniform(rng, 0.2, 0.8, m, s)
    middle = _uniform(rng, 0.32, 0.68, m, s)
    gap = _uniform(rng, 0.24, 0.34, m, s)
    half_t = _half_thickness(rng, 0.04, 0.08, m, s)
    cx = _uniform(rng, 0.4, 0.6, m, s)
    half_len = _uniform(rng, 0.22, 0.34, m, s)
    first = _box(grid, np.where(two, middle - gap / 2, single_row), cx, half_t, half_len)
    second = _box(grid, middle + gap / 2, cx, half_t, half_len) * two
    return np.maximum(first, second)


def _draw_bars_v(rng, grid: _Grid, m: int) -> np.ndarray:
    """Vertical bars: horizontal bars drawn with the same recipe, then transposed."""
    return _draw_bars_h(rng, grid, m).transpose(0, 2, 1)


def _draw_ring(rng, grid: _Grid, m: int) -> np.ndarray:
    """A circle outline: pixels whose distance to the centre is close to the radius."""
    s = grid.size
    cy, cx = _uniform(rng, 0.4, 0.6, m, s), _uniform(rng, 0.4, 0.6, m, s)
    radius = _uniform(rng, 0.16, 0.28, m, s)
    half_t = _half_thickness(rng, 0.03, 0.06, m, s)
    distance = np.sqrt((grid.rows - cy) ** 2 + (grid.cols - cx) ** 2)
    return _stroke(np.abs(distance - radius), half_t)


def _draw_cross(rng, grid: _Grid, m: int) -> np.ndarray:
    """A plus sign: a horizontal and a vertical stroke through one centre."""
    s = grid.size
    cy, cx = _uniform(rng, 0.35, 0.65, m, s), _uniform(rng, 0.35, 0.65, m, s)
    half_len = _uniform(rng, 0.18, 0.28, m, s)
    half_t = _half_thickness(rng, 0.04, 0.07, m, s)
    return np.maximum(_box(grid, cy, cx, half_t, half_len), _box(grid, cy, cx, half_len, half_t))


def _draw_diagonal(rng, grid: _Grid, m: int) -> np.ndarray:
    """A line segment at 45 degrees (+-12), rising or falling.

    With unit direction ``u`` and centre ``c``, a pixel ``p`` is at distance
    ``|p - c - s u|`` from the segment, where ``s = clip((p - c) . u, -L, L)``.
    """
    s = grid.size
    cy, cx = _uniform(rng, 0.4, 0.6, m, s), _uniform(rng, 0.4, 0.6, m, s)
    half_len = _uniform(rng, 0.22, 0.32, m, s)
    half_t = _half_thickness(rng, 0.04, 0.07, m, s)
    sign = np.where(rng.random((m, 1, 1)) < 0.5, -1.0, 1.0).astype(np.float32)
    angle = sign * np.deg2rad(45.0 + rng.uniform(-12.0, 12.0, size=(m, 1, 1))).astype(np.float32)
    uy, ux = np.sin(angle), np.cos(angle)
    dy, dx = grid.rows - cy, grid.cols - cx
    along = np.clip(dy * uy + dx * ux, -half_len, half_len)
    distance = np.sqrt((dy - along * uy) ** 2 + (dx - along * ux) ** 2)
    return _stroke(distance, half_t)


def _draw_square(rng, grid: _Grid, m: int) -> np.ndarray:
    """A filled square."""
    s = grid.size
    cy, cx = _uniform(rng, 0.32, 0.68, m, s), _uniform(rng, 0.32, 0.68, m, s)
    half_side = _uniform(rng, 0.12, 0.2, m, s)
    return _box(grid, cy, cx, half_side, half_side)


_DRAWERS = {
    "bars_h": _draw_bars_h,
    "bars_v": _draw_bars_v,
    "ring": _draw_ring,
    "cross": _draw_cross,
    "diagonal": _draw_diagonal,
    "square": _draw_square,
}


# ----------------------------------------------------------------------------- splitting


def train_test_split(x, y, test_size: float | int = 0.2, seed: int | None = 0, shuffle: bool = True):
    """Split features and labels into a training part and a test part.

    Args:
        x: array of samples along its first axis.
        y: array with as many entries along its first axis as ``x``.
        test_size: a fraction in (0, 1) of the samples (rounded up), or a count in
            ``1 .. len(x) - 1``.
        seed: seed of the generator that shuffles (None: fresh entropy, runs differ).
        shuffle: if True, samples are assigned at random; if False, the last
            ``test_size`` samples become the test part, in order.

    Returns:
        ``(x_train, x_test, y_train, y_test)``, NumPy arrays with the input dtypes.

    Raises:
        InvalidArgumentError: if ``x`` and ``y`` differ in length, hold fewer than 2 samples, or
            ``test_size`` leaves either part empty.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise InvalidArgumentError("x and y must be arrays with samples along the first axis, got a scalar.")
    n = x.shape[0]
    if y.shape[0] != n:
        raise InvalidArgumentError(f"x has {n} samples but y has {y.shape[0]}: pass labels for every sample.")
    if n < 2:
        raise InvalidArgumentError(
            f"cannot split {n} sample(s) into a training and a test part: pass at least 2."
        )
    n_test = _check_test_size(test_size, n)
    shuffle = check_bool("shuffle", shuffle, where="train_test_split")
    order = _generator(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - n_test], order[n - n_test:]
    return x[train], x[test], y[train], y[test]


# ----------------------------------------------------------------------------- helpers


def _generator(seed):
    """A fresh NumPy generator for ``seed`` (an int >= 0, or None for fresh entropy)."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise InvalidArgumentError(f"seed must be an int >= 0 or None, got {seed!r}.")
    return backend.new_generator(seed, "cpu")


def _check_int(name: str, value, minimum: int, why: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidArgumentError(f"{name} must be an int, got {value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum}, got {value}: {why}.")
    return int(value)


def _check_n_samples(n_samples, n_classes: int) -> int:
    return _check_int("n_samples", n_samples, n_classes,
                      f"every one of the {n_classes} classes needs at least one sample")


def _check_noise(noise) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"noise must be a number, got {noise!r}.")
    if not np.isfinite(noise) or noise < 0:
        raise InvalidArgumentError(f"noise must be a finite number >= 0 (a standard deviation), got {noise}.")
    return float(noise)


def _check_cluster_std(cluster_std, n_centers: int) -> np.ndarray:
    """One finite standard deviation >= 0 per center, from a number or a sequence."""
    stds = np.asarray(cluster_std, dtype=np.float64)
    if stds.ndim == 0:
        stds = np.full(n_centers, float(stds))
    if stds.shape != (n_centers,):
        raise InvalidArgumentError(f"cluster_std must be one number or one per center ({n_centers}), "
                                   f"got {stds.size} values.")
    if np.any(stds < 0) or not np.all(np.isfinite(stds)):
        raise InvalidArgumentError(f"cluster_std must be finite and >= 0, got {cluster_std!r}.")
    return stds


def _check_box(center_box) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in center_box)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"center_box must be a pair (low, high) of numbers, got {center_box!r}."
        ) from exc
    if not low < high:
        raise InvalidArgumentError(f"center_box must have low < high, got {center_box!r}.")
    return low, high


def _check_classes(classes) -> tuple[str, ...]:
    if isinstance(classes, str):
        raise InvalidArgumentError(f"classes must be a sequence of names, got the string {classes!r}: "
                                   f"write classes=({classes!r},).")
    classes = tuple(classes)
    if not classes:
        raise InvalidArgumentError(f"classes is empty: pick names from {SHAPE_CLASSES}.")
    unknown = [c for c in classes if c not in _DRAWERS]
    if unknown:
        raise InvalidArgumentError(f"unknown shape class(es) {unknown}: pick names from {SHAPE_CLASSES}.")
    if len(set(classes)) != len(classes):
        raise InvalidArgumentError(f"classes {classes} repeats a name: list each shape once.")
    return classes


def _check_test_size(test_size, n: int) -> int:
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = int(np.ceil(test_size * n))
    else:
        raise InvalidArgumentError(
            f"test_size must be a fraction in (0, 1) or a count of samples, got {test_size!r}."
        )
    if not 1 <= n_test <= n - 1:
        raise InvalidArgumentError(f"test_size={test_size!r} gives {n_test} test samples out of {n}: "
                                   "both parts need at least one sample.")
    return n_test


def _class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """Balanced class sizes: ``n_samples // n_classes``, the first ones one larger for the rest."""
    base, extra = divmod(n_samples, n_classes)
    return [base + (k < extra) for k in range(n_classes)]


def _finish(x, y, rng, shuffle: bool) -> tuple[np.ndarray, np.ndarray]:
    """Cast to float32 / int64 and, if asked, shuffle samples and labels together."""
    x, y = x.astype(np.float32), y.astype(np.int64)
    if check_bool("shuffle", shuffle):
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
    return x, y
