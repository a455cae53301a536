"""NumPy oracles for the exercise tests: each expected value computed here, independently of minigrad.

Every function takes and returns NumPy arrays (float64 unless said otherwise). Where a
student is known to get a convention wrong, the oracle takes the convention as an argument,
so that ``course.diagnose`` can run it under each wrong convention and name the one a wrong
output matches. Nothing here stores an answer: hidden test variants call these at grading
time on inputs drawn from the grading seed.
"""

from __future__ import annotations

import numpy as np


# -- derivatives by central differences ------------------------------------------------------------------
def numeric_gradient(f, inputs: list, upstream, eps: float = 1e-6) -> list:
    """``d/dx_i sum(f(*inputs) * upstream)`` for every input, entry by entry (central differences).

    ``f`` maps NumPy arrays to one NumPy array; everything runs in float64.
    """
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    upstream = np.asarray(upstream, dtype=np.float64)
    grads = []
    for x in inputs:
        grad = np.zeros_like(x)
        for index in np.ndindex(*x.shape):
            saved = x[index]
            x[index] = saved + eps
            plus = np.sum(f(*inputs) * upstream)
            x[index] = saved - eps
            minus = np.sum(f(*inputs) * upstream)
            x[index] = saved
            grad[index] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


# -- ex02 / ex03: shapes --------------------------------------------------------------------------------
def unbroadcast(g, shape: tuple, convention: str = "correct"):
    """``g`` summed back to ``shape`` (the input's shape before broadcasting).

    Conventions: "correct"; "leading_axes_only" (the added leading axes summed, a size-1 axis
    that was broadcast left as it is); "singleton_dropped" (summed, but the size-1 axis lost).
    """
    g = np.asarray(g, dtype=np.float64)
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    if convention == "leading_axes_only":
        return g
    axes = tuple(k for k, s in enumerate(shape) if s == 1 and g.shape[k] != 1)
    if convention == "singleton_dropped":
        return g.sum(axis=axes)
    return g.sum(axis=axes, keepdims=True)


def reduction_input_gradient(g, x_shape: tuple, axes: tuple, keepdims: bool, convention: str = "correct"):
    """The gradient of ``sum(x, axes, keepdims)`` for output gradient ``g``: ``g`` back over ``axes``.

    "lost_keepdims": ``g`` broadcast as it is, without putting the reduced axes back as size 1
    (it lines up with the trailing axes instead; only possible where the sizes happen to fit).
    """
    g = np.asarray(g, dtype=np.float64)
    if convention == "lost_keepdims":
        return np.broadcast_to(g, x_shape).copy()
    kept = tuple(1 if i in axes else s for i, s in enumerate(x_shape))
    return np.broadcast_to(g.reshape(kept), x_shape).copy()


def matmul_gradients(a, b, g, convention: str = "correct"):
    """``(dL/da, dL/db)`` of ``y = a @ b`` (2-D) for output gradient ``g``.

    "transposed": each gradient's transpose (``b g^T`` and ``g^T a``); "untransposed_operand":
    the other operand not transposed (``g b`` and ``a g``). Both only fit square shapes.
    """
    a, b, g = (np.asarray(t, dtype=np.float64) for t in (a, b, g))
    if convention == "transposed":
        return (g @ b.T).T, (a.T @ g).T
    if convention == "untransposed_operand":
        return g @ b, a @ g
    return g @ b.T, a.T @ g


# -- ex07: batch normalization forward ----------------------------------------------------------------
def bn_axes(ndim: int, channel_axes) -> tuple:
    """The reduction axes of batch normalization: every axis but the channel axes."""
    channel_axes = [a % ndim for a in np.atleast_1d(channel_axes)]
    return tuple(i for i in range(ndim) if i not in channel_axes)


def bn_moments(x, channel_axes, weights=None, convention: str = "correct"):
    """Per-channel ``(mean, variance)``, kept as size-1 axes, of batch normalization.

    Conventions: "correct" (biased variance over every axis but the channel axes; a mask
    weights the average); "n_minus_1" (the unbiased variance, Bessel's correction);
    "batch_axis_only" (reduced over axis 0 only); "channel_axis" (reduced over the channel
    axis: layer normalization's axes).
    """
    x = np.asarray(x, dtype=np.float64)
    axes = bn_axes(x.ndim, channel_axes)
    if convention == "batch_axis_only":
        axes = (0,)
    elif convention == "channel_axis":
        axes = tuple(a % x.ndim for a in np.atleast_1d(channel_axes))
    w = np.ones_like(x) if weights is None else np.broadcast_to(np.asarray(weights, np.float64), x.shape)
    count = w.sum(axis=axes, keepdims=True)
    safe = np.where(count > 0, count, 1.0)
    mean = (w * x).sum(axis=axes, keepdims=True) / safe
    squares = (w * (x - mean) ** 2).sum(axis=axes, keepdims=True)
    if convention == "n_minus_1":
        return mean, squares / np.maximum(count - 1, 1)
    return mean, squares / safe


def bn_normalize(x, mean, variance, gamma, beta, epsilon: float, convention: str = "correct"):
    """``gamma (x - mean) / sqrt(variance + epsilon) + beta``; gamma/beta None: 1/0.

    "eps_outside_sqrt": ``(x - mean) / (sqrt(variance) + epsilon)``.
    """
    x = np.asarray(x, dtype=np.float64)
    if convention == "eps_outside_sqrt":
        y = (x - mean) / (np.sqrt(variance) + epsilon)
    else:
        y = (x - mean) / np.sqrt(variance + epsilon)
    if gamma is not None:
        y = y * gamma
    return y if beta is None else y + beta


def bn_train_forward(x, gamma, beta, channel_axes, epsilon, weights=None, convention="correct"):
    """Training-mode output and the batch statistics ``(y, mean, variance)`` under a convention
    (a moments convention of ``bn_moments`` or "eps_outside_sqrt")."""
    mean, variance = bn_moments(x, channel_axes, weights,
                                "correct" if convention == "eps_outside_sqrt" else convention)
    return bn_normalize(x, mean, variance, gamma, beta, epsilon, convention), mean, variance


# -- ex08: the moving statistics ------------------------------------------------------------------------
def moving_average(moving, value, momentum: float, convention: str = "correct"):
    """One step of the moving average.

    "correct" (Keras): ``moving * momentum + value * (1 - momentum)``;
    "momentum_weights_new" and "pytorch" (PyTorch's ``momentum``, 0.1 for Keras's 0.9):
    ``moving * (1 - momentum) + value * momentum``.
    """
    moving, value = np.asarray(moving, np.float64), np.asarray(value, np.float64)
    if convention in ("momentum_weights_new", "pytorch"):
        return moving * (1 - momentum) + value * momentum
    return moving * momentum + value * (1 - momentum)


def moving_variance_step(moving, batch_variance, n: int, momentum: float, convention: str = "correct"):
    """The moving variance after one step: PyTorch's convention also takes the unbiased batch
    variance ``sigma2 n / (n - 1)``; "unbiased" takes it with Keras's weighting."""
    value = np.asarray(batch_variance, np.float64)
    if convention in ("pytorch", "unbiased") and n > 1:
        value = value * n / (n - 1)
    return moving_average(moving, value, momentum, "pytorch" if convention == "pytorch" else
                          "correct" if convention == "unbiased" else convention)


# -- ex09: the closed-form backward ---------------------------------------------------------------------
def bn_train_backward(x, gamma, g, gmean, gvar, channel_axis: int, epsilon: float):
    """``(dx, dgamma, dbeta)`` of ``(y, mu, sigma2) = batch_norm_train(x, gamma, beta)`` for upstream
    gradients ``g`` (of y), ``gmean`` (of mu) and ``gvar`` (of sigma2), written from the textbook
    closed form (Ioffe and Szegedy 2015), with ``x_hat = (x - mu) / s``, ``s = sqrt(sigma2 + eps)``:

        dbeta = sum g,   dgamma = sum g x_hat,
        dx = gamma / (n s) (n g - dbeta - x_hat dgamma) + gmean / n + 2 gvar (x - mu) / n
    """
    x, g = np.asarray(x, np.float64), np.asarray(g, np.float64)
    axes = bn_axes(x.ndim, channel_axis)
    shape = tuple(x.shape[i] if i not in axes else 1 for i in range(x.ndim))
    n = np.prod([x.shape[i] for i in axes])
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    s = np.sqrt(var + epsilon)
    x_hat = (x - mu) / s
    dbeta = g.sum(axis=axes, keepdims=True)
    dgamma = (g * x_hat).sum(axis=axes, keepdims=True)
    gam = np.asarray(gamma, np.float64).reshape(shape)
    dx = gam / (n * s) * (n * g - dbeta - x_hat * dgamma)
    dx = dx + np.asarray(gmean, np.float64).reshape(shape) / n
    dx = dx + 2 * np.asarray(gvar, np.float64).reshape(shape) * (x - mu) / n
    return dx, dgamma.reshape(-1), dbeta.reshape(-1)


# -- ex11: ghost batches --------------------------------------------------------------------------------
def ghost_groups(batch: int, virtual_batch_size: int, convention: str = "correct") -> list:
    """The sample indices of each ghost batch.

    "correct" (Keras): ``B / vbs`` ghost batches of ``vbs`` samples, ghost ``j`` holding the
    samples ``i`` with ``i mod (B / vbs) == j`` (strided); "contiguous": ghost ``j`` holds
    samples ``j vbs .. (j + 1) vbs - 1``.
    """
    groups = batch // virtual_batch_size
    if convention == "contiguous":
        return [np.arange(j * virtual_batch_size, (j + 1) * virtual_batch_size) for j in range(groups)]
    return [np.arange(j, batch, groups) for j in range(groups)]


def ghost_train(x, gamma, beta, virtual_batch_size: int, epsilon: float, convention: str = "correct"):
    """Ghost batch normalization of a (B, C) or (B, ..., C) batch (channels last):
    ``(y, mean for the moving average, variance for the moving average)``.

    The moving statistics take the mean over the ghost batches of their means and variances;
    "full_batch_variance" takes the whole batch's variance instead (and its mean, the same
    number); "contiguous" groups the samples contiguously.
    """
    x = np.asarray(x, np.float64)
    y = np.empty_like(x)
    means, variances = [], []
    for rows in ghost_groups(x.shape[0], virtual_batch_size,
                             "contiguous" if convention == "contiguous" else "correct"):
        part, mean, variance = bn_train_forward(x[rows], gamma, beta, -1, epsilon)
        y[rows] = part
        means.append(mean.reshape(-1))
        variances.append(variance.reshape(-1))
    if convention == "full_batch_variance":
        _, mean, variance = bn_train_forward(x, gamma, beta, -1, epsilon)
        return y, mean.reshape(-1), variance.reshape(-1)
    return y, np.mean(means, axis=0), np.mean(variances, axis=0)
