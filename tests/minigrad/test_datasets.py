"""minigrad.datasets: shapes, dtypes, balance, seeds, exact geometry without noise, learnability."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad import datasets

# ----------------------------------------------------------------------------- helpers


def _nearest_mean_accuracy(x_train, y_train, x_test, y_test) -> float:
    """Accuracy of the classifier that picks the class whose training mean is closest."""
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    means = np.stack([x_train[y_train == k].mean(0) for k in range(y_train.max() + 1)])
    distances = ((x_test[:, None, :] - means[None]) ** 2).sum(-1)
    return float((distances.argmin(1) == y_test).mean())


def _one_nn_accuracy(x_train, y_train, x_test, y_test) -> float:
    """Accuracy of the 1-nearest-neighbour classifier."""
    distances = ((x_test[:, None, :] - x_train[None]) ** 2).sum(-1)
    return float((y_train[distances.argmin(1)] == y_test).mean())


def _ink_moments(images):
    """Ink-weighted centroid (rows, cols) and row/col correlation of each (n, H, W) image."""
    n, h, w = images.shape
    rows = np.arange(h)[None, :, None] + 0.5
    cols = np.arange(w)[None, None, :] + 0.5
    mass = images.sum((1, 2))
    cy = (images * rows).sum((1, 2)) / mass
    cx = (images * cols).sum((1, 2)) / mass
    dy, dx = rows - cy[:, None, None], cols - cx[:, None, None]
    var_y = (images * dy**2).sum((1, 2)) / mass
    var_x = (images * dx**2).sum((1, 2)) / mass
    cov = (images * dy * dx).sum((1, 2)) / mass
    return cy, cx, cov / np.sqrt(var_y * var_x)


def _clean_images(name: str, n: int = 60, image_size: int = 28):
    """``n`` noise-free images of one class, shape (n, H, W)."""
    x, y = datasets.shapes(n, image_size=image_size, noise=0.0, seed=3, classes=(name,))
    assert (y == 0).all()
    return x[..., 0]


# ----------------------------------------------------------------------------- spirals


class TestSpirals:
    def test_shapes_dtypes_and_balance(self):
        x, y = datasets.spirals(n_samples=301, n_classes=3)
        assert x.shape == (301, 2) and x.dtype == np.float32
        assert y.shape == (301,) and y.dtype == np.int64
        np.testing.assert_array_equal(np.bincount(y), [101, 100, 100])

    def test_seed_repeats_and_differs(self):
        a, b = datasets.spirals(seed=7), datasets.spirals(seed=7)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
        c = datasets.spirals(seed=8)
        assert a[0].tobytes() != c[0].tobytes()

    def test_noise_free_radius_grows_with_angle(self):
        k_classes, m = 4, 50
        x, y = datasets.spirals(n_samples=k_classes * m, n_classes=k_classes, noise=0.0, shuffle=False)
        for k in range(k_classes):
            arm = x[y == k].astype(np.float64)
            r = np.hypot(arm[:, 0], arm[:, 1])
            np.testing.assert_allclose(r, np.linspace(0, 1, m), atol=1e-6)
            # angle t = 2*pi*k/K + 4 r, so the point is r * (cos t, sin t)
            t = 2 * np.pi * k / k_classes + 4 * r
            np.testing.assert_allclose(arm, np.stack([r * np.cos(t), r * np.sin(t)], 1), atol=1e-6)

    def test_noise_free_data_does_not_depend_on_the_seed(self):
        a = datasets.spirals(noise=0.0, seed=1, shuffle=False)
        b = datasets.spirals(noise=0.0, seed=2, shuffle=False)
        np.testing.assert_array_equal(a[0], b[0])

    def test_shuffle_permutes_the_same_points(self):
        x, y = datasets.spirals(noise=0.0, shuffle=True)
        x0, y0 = datasets.spirals(noise=0.0, shuffle=False)
        assert not np.array_equal(y, y0)
        order, order0 = np.lexsort((x[:, 0], x[:, 1], y)), np.lexsort((x0[:, 0], x0[:, 1], y0))
        np.testing.assert_array_equal(x[order], x0[order0])

    def test_noise_blurs_the_angle(self):
        x0, _ = datasets.spirals(noise=0.0, shuffle=False)
        x1, _ = datasets.spirals(noise=0.2, shuffle=False)
        # the radius is exact, only the angle moves
        np.testing.assert_allclose(np.hypot(*x1.T), np.hypot(*x0.T), atol=1e-6)
        assert np.abs(x1 - x0).max() > 0.1

    def test_not_linearly_easy_but_learnable(self):
        x, y = datasets.spirals(n_samples=600, noise=0.2, seed=0)
        x_tr, x_te, y_tr, y_te = datasets.train_test_split(x, y, test_size=0.25, seed=0)
        assert _nearest_mean_accuracy(x_tr, y_tr, x_te, y_te) < 0.7
        assert _one_nn_accuracy(x_tr, y_tr, x_te, y_te) > 0.9


# ----------------------------------------------------------------------------- moons


class TestMoons:
    def test_shapes_dtypes_and_balance(self):
        x, y = datasets.moons(n_samples=201)
        assert x.shape == (201, 2) and x.dtype == np.float32
        assert y.dtype == np.int64
        np.testing.assert_array_equal(np.bincount(y), [101, 100])

    def test_seed_repeats_and_differs(self):
        a, b, c = datasets.moons(seed=3), datasets.moons(seed=3), datasets.moons(seed=4)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
        assert a[0].tobytes() != c[0].tobytes()

    def test_noise_free_points_lie_on_the_unit_circles(self):
        x, y = datasets.moons(n_samples=100, noise=0.0)
        upper, lower = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)
        np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
        np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
        assert (upper[:, 1] >= -1e-6).all() and (lower[:, 1] <= 0.5 + 1e-6).all()
        # the end points of each half circle
        for point in ([1, 0], [-1, 0], [0, 0.5], [2, 0.5]):
            assert np.abs(x - np.asarray(point)).sum(1).min() < 1e-6

    def test_noise_has_the_asked_standard_deviation(self):
        clean, _ = datasets.moons(n_samples=4000, noise=0.0, shuffle=False)
        noisy, _ = datasets.moons(n_samples=4000, noise=0.3, shuffle=False)
        assert abs((noisy - clean).std() - 0.3) < 0.01

    def test_not_linearly_separable_but_learnable(self):
        x, y = datasets.moons(n_samples=400, noise=0.1, seed=0)
        x_tr, x_te, y_tr, y_te = datasets.train_test_split(x, y, seed=1)
        assert _nearest_mean_accuracy(x_tr, y_tr, x_te, y_te) < 0.9
        assert _one_nn_accuracy(x_tr, y_tr, x_te, y_te) > 0.97


# ----------------------------------------------------------------------------- blobs


class TestBlobs:
    def test_shapes_dtypes_and_balance(self):
        x, y = datasets.blobs(n_samples=100, centers=3, n_features=5)
        assert x.shape == (100, 5) and x.dtype == np.float32
        assert y.dtype == np.int64
        np.testing.assert_array_equal(np.bincount(y), [34, 33, 33])

    def test_seed_repeats_and_differs(self):
        a, b, c = datasets.blobs(seed=5), datasets.blobs(seed=5), datasets.blobs(seed=6)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
        assert a[0].tobytes() != c[0].tobytes()

    def test_given_centers_are_recovered_by_class_means(self):
        centers = np.array([[0.0, 0.0, 0.0], [5.0, -2.0, 1.0], [-4.0, 3.0, 8.0]])
        x, y = datasets.blobs(n_samples=3000, centers=centers, cluster_std=[0.5, 1.0, 2.0])
        assert x.shape == (3000, 3)  # n_features comes from the centers
        for k, (center, std) in enumerate(zip(centers, [0.5, 1.0, 2.0])):
            cls = x[y == k].astype(np.float64)
            # standard error of a mean of 1000 samples is std / 31.6
            np.testing.assert_allclose(cls.mean(0), center, atol=5 * std / np.sqrt(1000))
            np.testing.assert_allclose(cls.std(0), std, rtol=0.1)

    def test_random_centers_lie_in_the_box_and_are_returned(self):
        x, y, centers = datasets.blobs(n_samples=2000, centers=4, n_features=3, cluster_std=0.1,
                                       center_box=(2.0, 5.0), return_centers=True)
        assert centers.shape == (4, 3) and centers.dtype == np.float32
        assert (centers >= 2.0).all() and (centers < 5.0).all()
        means = np.stack([x[y == k].mean(0) for k in range(4)])
        np.testing.assert_allclose(means, centers, atol=0.05)

    def test_zero_std_puts_every_point_on_its_center(self):
        centers = np.array([[1.0, 2.0], [3.0, 4.0]])
        x, y = datasets.blobs(n_samples=10, centers=centers, cluster_std=0.0)
        np.testing.assert_array_equal(x, centers[y].astype(np.float32))

    def test_separated_blobs_are_easy_for_nearest_mean(self):
        x, y = datasets.blobs(n_samples=600, centers=[[-5, -5], [5, -5], [0, 5]], seed=0)
        x_tr, x_te, y_tr, y_te = datasets.train_test_split(x, y, seed=0)
        assert _nearest_mean_accuracy(x_tr, y_tr, x_te, y_te) > 0.99


# ----------------------------------------------------------------------------- shapes


class TestShapes:
    def test_shapes_dtypes_range_and_balance(self):
        x, y = datasets.shapes(n_samples=602)
        assert x.shape == (602, 28, 28, 1) and x.dtype == np.float32
        assert y.shape == (602,) and y.dtype == np.int64
        assert x.min() >= 0.0 and x.max() <= 1.0
        counts = np.bincount(y, minlength=len(datasets.SHAPE_CLASSES))
        assert counts.max() - counts.min() <= 1 and counts.sum() == 602

    def test_channels_first_holds_the_same_images(self):
        last, y_last = datasets.shapes(50, image_size=20, seed=2)
        first, y_first = datasets.shapes(50, image_size=20, seed=2, data_format="channels_first")
        assert first.shape == (50, 1, 20, 20)
        np.testing.assert_array_equal(first[:, 0], last[..., 0])
        np.testing.assert_array_equal(y_first, y_last)

    def test_seed_repeats_and_differs(self):
        a, b, c = datasets.shapes(100, seed=1), datasets.shapes(100, seed=1), datasets.shapes(100, seed=2)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
        assert a[0].tobytes() != c[0].tobytes()

    @pytest.mark.parametrize("image_size", [8, 16, 28, 64])
    def test_other_image_sizes(self, image_size):
        x, _ = datasets.shapes(60, image_size=image_size, noise=0.0)
        assert x.shape == (60, image_size, image_size, 1)
        assert x.min() == 0.0 and x.max() <= 1.0
        # strokes are at least one pixel wide, so some pixel is at least half covered,
        # times a brightness of at least 0.6
        assert (x.reshape(60, -1).max(1) >= 0.3).all()

    @pytest.mark.parametrize("image_size", [28, 64])
    def test_noise_free_images_are_shape_on_black(self, image_size):
        x, _ = datasets.shapes(600, image_size=image_size, noise=0.0)
        x = x[..., 0]
        assert (x[:, 0, :] == 0).all() and (x[:, -1, :] == 0).all()  # shapes stay off the border
        assert (x[:, :, 0] == 0).all() and (x[:, :, -1] == 0).all()
        fraction_ink = (x > 0).mean((1, 2))
        assert (fraction_ink > 0.02).all() and (fraction_ink < 0.4).all()

    def test_noise_is_additive_and_clipped(self):
        clean, _ = datasets.shapes(200, noise=0.0, seed=4)
        noisy, _ = datasets.shapes(200, noise=0.2, seed=4)
        # the same shapes, then clip(clean + 0.2 N(0,1), 0, 1): in the mid-grey pixels nothing clips
        mid = (clean > 0.3) & (clean < 0.7)
        assert mid.sum() > 1000
        assert abs((noisy - clean)[mid].std() - 0.2) < 0.02
        assert noisy.min() == 0.0 and noisy.max() == 1.0

    def test_bars_h_vary_along_rows_bars_v_along_columns(self):
        for name, axis_of_bars in (("bars_h", 2), ("bars_v", 1)):
            x = _clean_images(name)
            # Bars of total length A covering T rows (A >= 12 > T <= 9 pixels here) give a
            # profile of sums along the bars of A on T rows, across them of T on A columns:
            # over S positions their variances differ by A*T*(A - T)/S > 0.
            along, across = x.sum(axis_of_bars), x.sum(3 - axis_of_bars)
            assert (along.var(1) > across.var(1)).all(), name

    def test_bars_v_are_transposed_bars_h(self):
        h = _clean_images("bars_h")
        v = _clean_images("bars_v")
        np.testing.assert_array_equal(v, h.transpose(0, 2, 1))

    def test_ring_is_hollow_square_is_filled(self):
        for name, hollow in (("ring", True), ("square", False), ("cross", False)):
            x = _clean_images(name)
            cy, cx, _ = _ink_moments(x)
            at_centroid = x[np.arange(len(x)), cy.astype(int), cx.astype(int)]
            if hollow:
                assert (at_centroid == 0).all(), name
            else:
                assert (at_centroid >= 0.6 - 1e-6).all(), name

    def test_diagonal_is_the_only_tilted_class(self):
        for name in datasets.SHAPE_CLASSES:
            _, _, corr = _ink_moments(_clean_images(name))
            if name == "diagonal":
                assert (np.abs(corr) > 0.8).all()
                assert (corr > 0).any() and (corr < 0).any()  # both "/" and "\"
            else:
                assert (np.abs(corr) < 0.15).all(), name

    def test_class_mean_images_differ(self):
        # ||mean_j - mean_k||^2 against what sampling noise alone would give,
        # sum over pixels of var_j / n_j + var_k / n_k (a ratio near 1 if the means were equal)
        x, y = datasets.shapes(3000, noise=0.1, seed=0)
        x = x.reshape(3000, -1).astype(np.float64)
        means = np.stack([x[y == k].mean(0) for k in range(6)])
        noise = np.stack([x[y == k].var(0, ddof=1) / (y == k).sum() for k in range(6)])
        ratio = ((means[:, None] - means[None]) ** 2).sum(-1) / (noise[:, None] + noise[None]).sum(-1)
        assert ratio[~np.eye(6, dtype=bool)].min() > 2.5

    def test_class_subset_sets_the_labels(self):
        x, y = datasets.shapes(40, noise=0.0, classes=("square", "ring"))
        np.testing.assert_array_equal(np.bincount(y), [20, 20])
        cy, cx, _ = _ink_moments(x[..., 0])
        at_centroid = x[np.arange(40), cy.astype(int), cx.astype(int), 0]
        np.testing.assert_array_equal(at_centroid == 0, y == 1)  # rings are hollow

    def test_nearest_mean_beats_chance_but_is_far_from_perfect(self):
        x, y = datasets.shapes(1500, noise=0.3, seed=0)
        x_tr, x_te, y_tr, y_te = datasets.train_test_split(x, y, test_size=0.3, seed=0)
        accuracy = _nearest_mean_accuracy(x_tr, y_tr, x_te, y_te)
        assert 0.3 < accuracy < 0.75


# ----------------------------------------------------------------------------- train_test_split


class TestTrainTestSplit:
    def test_fraction_is_rounded_up(self):
        x, y = np.arange(10), np.arange(10) * 10
        x_tr, x_te, y_tr, y_te = datasets.train_test_split(x, y, test_size=0.25)
        assert len(x_te) == 3 and len(x_tr) == 7

    def test_a_partition_that_keeps_pairs_together(self):
        x = np.arange(100, dtype=np.float32).reshape(50, 2)
        y = np.arange(50)
        x_tr, x_te, y_tr, y_te = datasets.train_test_split(x, y, test_size=10, seed=3)
        assert x_tr.shape == (40, 2) and x_te.shape == (10, 2) and x_tr.dtype == np.float32
        np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_te])), y)
        np.testing.assert_array_equal(x_tr[:, 0], 2 * y_tr)
        np.testing.assert_array_equal(x_te[:, 0], 2 * y_te)
        assert not np.array_equal(y_tr, np.arange(40))  # shuffled

    def test_seed_repeats_and_differs(self):
        x = np.arange(30)
        a = datasets.train_test_split(x, x, seed=0)
        b = datasets.train_test_split(x, x, seed=0)
        c = datasets.train_test_split(x, x, seed=1)
        np.testing.assert_array_equal(a[1], b[1])
        assert not np.array_equal(a[1], c[1])

    def test_without_shuffle_the_tail_is_the_test_part(self):
        x = np.arange(10)
        x_tr, x_te, _, _ = datasets.train_test_split(x, x, test_size=0.2, shuffle=False)
        np.testing.assert_array_equal(x_tr, np.arange(8))
        np.testing.assert_array_equal(x_te, [8, 9])


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("call, message", [
    (lambda: datasets.spirals(n_samples=0), "n_samples must be >= 3"),
    (lambda: datasets.spirals(n_samples=2, n_classes=3), "n_samples must be >= 3"),
    (lambda: datasets.spirals(n_classes=1), "n_classes must be >= 2"),
    (lambda: datasets.spirals(n_classes=2.0), "n_classes must be an int"),
    (lambda: datasets.spirals(noise=-0.1), "noise must be a finite number >= 0"),
    (lambda: datasets.spirals(noise=float("nan")), "noise must be a finite number >= 0"),
    (lambda: datasets.spirals(seed=-1), "seed must be an int >= 0 or None"),
    (lambda: datasets.spirals(seed=1.5), "seed must be an int >= 0 or None"),
    (lambda: datasets.moons(n_samples=1), "n_samples must be >= 2"),
    (lambda: datasets.moons(noise=-1), "noise must be"),
    (lambda: datasets.moons(noise="0.1"), "noise must be a number"),
    (lambda: datasets.blobs(centers=0), "centers must be >= 1"),
    (lambda: datasets.blobs(n_samples=2, centers=3), "n_samples must be >= 3"),
    (lambda: datasets.blobs(centers=[1.0, 2.0]), r"shape \(n_classes, n_features\)"),
    (lambda: datasets.blobs(n_features=0), "n_features must be >= 1"),
    (lambda: datasets.blobs(cluster_std=-1.0), "cluster_std must be finite and >= 0"),
    (lambda: datasets.blobs(centers=3, cluster_std=[1.0, 2.0]), "one per center"),
    (lambda: datasets.blobs(center_box=(1, 1)), "low < high"),
    (lambda: datasets.blobs(center_box=5), "pair"),
    (lambda: datasets.shapes(n_samples=0), "n_samples must be >= 6"),
    (lambda: datasets.shapes(noise=-0.5), "noise must be"),
    (lambda: datasets.shapes(image_size=4), "image_size must be >= 8"),
    (lambda: datasets.shapes(classes=("ring", "triangle")), r"unknown shape class.*triangle"),
    (lambda: datasets.shapes(classes=("ring", "ring")), "repeats"),
    (lambda: datasets.shapes(classes=()), "classes is empty"),
    (lambda: datasets.shapes(classes="ring"), r"write classes=\('ring',\)"),
    (lambda: datasets.shapes(data_format="NHWC"), "data_format must be one of"),
    (lambda: datasets.train_test_split(np.zeros(5), np.zeros(4)), "x has 5 samples but y has 4"),
    (lambda: datasets.train_test_split(np.zeros(1), np.zeros(1)), "pass at least 2"),
    (lambda: datasets.train_test_split(np.zeros(5), np.zeros(5), test_size=1.5), "fraction in"),
    (lambda: datasets.train_test_split(np.zeros(5), np.zeros(5), test_size=5), "both parts"),
    (lambda: datasets.train_test_split(np.zeros(5), np.zeros(5), test_size=0), "both parts"),
    (lambda: datasets.train_test_split(3.0, 4.0), "got a scalar"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
