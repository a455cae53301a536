"""Activation functions on raw arrays: sigmoid without overflow, relu by a NumPy fast path and
its one-pass gradient, and erf (which NumPy lacks).
"""

from __future__ import annotations

import math

from minigrad.kernels import CPU_MODULE


def sigmoid(xp, x):
    """``1 / (1 + e ** -x)``, never overflowing: ``e ** x / (1 + e ** x)`` for x < 0."""
    e = xp.exp(-xp.abs(x))
    r = 1 / (1 + e)
    return xp.where(x >= 0, r, e * r).astype(x.dtype, copy=False)


#: Row length for ``relu``'s comparison against a row of zeros.
_RELU_ROW = 8192


def relu(xp, x):
    """``max(x, 0)``, the same numbers as ``xp.maximum(x, 0)``, faster on NumPy.

    NumPy's ``maximum`` of two arrays runs a SIMD loop about three times faster
    than its loop for an array against a scalar. So a large contiguous ``x`` is
    viewed as rows of ``_RELU_ROW`` elements and compared with one row of zeros
    (broadcast down the rows); the few elements after the last full row use
    the scalar.
    """
    if xp is not CPU_MODULE or x.size < 4 * _RELU_ROW or not x.flags.c_contiguous:
        return xp.maximum(x, 0)
    out = xp.empty_like(x)
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    full = x.size - x.size % _RELU_ROW
    xp.maximum(flat_x[:full].reshape(-1, _RELU_ROW), xp.zeros(_RELU_ROW, dtype=x.dtype),
               out=flat_out[:full].reshape(-1, _RELU_ROW))
    xp.maximum(flat_x[full:], 0, out=flat_out[full:])
    return out


def relu_grad(xp, x, g):
    """``g * [x > 0]`` as one new array: the mask is written as 0.0 / 1.0 straight into it."""
    out = xp.empty(g.shape, dtype=g.dtype)
    xp.greater(x, 0, out=out)
    out *= g
    return out


TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def erf(xp, x):
    """The error function, accurate to a few units in the last place of float64.

    NumPy has no erf (SciPy does, but ops import no library beyond the array module), so
    this is the method of CPython's former ``math.erf``, run on whole arrays: the Taylor
    series ``erf x = 2/sqrt(pi) e**-x**2 sum_k (2x**2)**k x / (1*3*...*(2k+1))`` (25 terms)
    for ``|x| < 1.5``, and the continued fraction of ``erfc`` (50 terms) for ``|x| >= 1.5``,
    where ``erfc |x| < 1e-390`` past 30 rounds to 0. Both run in float64, each on its own
    elements only (6x faster than both on all: 5 ms instead of 32 for 65536 normal draws);
    the result has ``x``'s dtype.
    """
    x64 = x.astype("float64")
    ax = xp.abs(x64)
    magnitude = xp.empty_like(ax)
    small = ax < 1.5
    s = ax[small]  # the series, in place
    s2 = s * s
    acc = xp.zeros_like(s)
    fk = 25.5
    for _ in range(25):
        acc *= s2
        acc /= fk
        acc += 2.0
        fk -= 1.0
    magnitude[small] = acc * s * xp.exp(-s2) / math.sqrt(math.pi)
    large = ~small  # the continued fraction (NaN goes here and stays NaN)
    c = xp.minimum(ax[large], 30.0)
    c2 = c * c
    a, da = 0.0, 0.5
    p, p_last = xp.ones_like(c), xp.zeros_like(c)
    q, q_last = da + c2, xp.ones_like(c)
    for _ in range(50):
        a += da
        da += 2.0
        b = da + c2
        p, p_last = b * p - a * p_last, p
        q, q_last = b * q - a * q_last, q
    magnitude[large] = 1.0 - p / q * c * xp.exp(-c2) / math.sqrt(math.pi)
    return (xp.sign(x64) * magnitude).astype(x.dtype, copy=False)
