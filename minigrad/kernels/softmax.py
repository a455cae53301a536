"""The softmax family on raw arrays, shifted by the maximum so that ``exp`` never overflows.

``minigrad/ops/softmax_family.py`` states what each computes and its derivative.
"""

from __future__ import annotations


def shifted(xp, x, axes):
    """``x - max(x)`` over ``axes``, with rows whose maximum is not finite shifted by 0."""
    m = x.max(axis=axes, keepdims=True)
    return x - xp.where(xp.isfinite(m), m, 0)


def log_softmax_along(xp, x, axis):
    """``x - m - log sum e ** (x - m)`` over ``axis`` (``m`` the maximum, 0 where not finite)."""
    z = shifted(xp, x, axis)
    z -= xp.log(xp.exp(z).sum(axis=axis, keepdims=True))
    return z


def softmax(xp, x, axes):
    """``e ** (x - m) / sum e ** (x - m)`` over ``axes`` (empty in, empty out)."""
    if x.size == 0:  # empty in, empty out (as TF and torch); NumPy's max would raise
        return x.copy()
    e = xp.exp(shifted(xp, x, axes))
    e /= e.sum(axis=axes, keepdims=True)
    return e


def log_softmax(xp, x, axes):
    """``x - m - log sum e ** (x - m)`` over ``axes`` (empty in, empty out)."""
    if x.size == 0:  # as softmax
        return x.copy()
    z = shifted(xp, x, axes)
    z -= xp.log(xp.exp(z).sum(axis=axes, keepdims=True))
    return z


def logsumexp(xp, x, axes, keepdims):
    """``m + log sum e ** (x - m)`` over ``axes``."""
    m = x.max(axis=axes, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf) in a slice: shift by 0
    out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
    if not keepdims:
        out = out.reshape(tuple(s for i, s in enumerate(out.shape) if i not in axes))
    return out


def sparse_cross_entropy(xp, x, hot, axis):
    """``(-log_softmax(x)[label], log_softmax(x))`` along ``axis``, labels as the mask ``hot``.

    The second is returned because the gradient reuses it.
    """
    log_p = log_softmax_along(xp, x, axis)
    return -xp.where(hot, log_p, 0).sum(axis=axis), log_p


def sparse_cross_entropy_grad(xp, x, hot, g, axis, log_p=None):
    """``(softmax(x) - hot) * g`` with ``g`` broadcast along ``axis``; ``log_p``: log_softmax(x)."""
    p = xp.exp(log_softmax_along(xp, x, axis) if log_p is None else log_p)
    p -= hot
    p *= xp.expand_dims(g, axis)
    return p
