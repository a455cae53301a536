"""Batch normalization's GPU kernels: those of ``batchnorm_cpu.py`` for CuPy arrays.

``batchnorm_cpu.py`` calls these functions, with the same arguments and results, in place
of its chunked NumPy loops when the arrays are CuPy's. Each pass over the data is one
CuPy kernel (``ElementwiseKernel`` or ``ReductionKernel``) that reads x (and g) once, so
the cost is memory bandwidth:

    pass                     kernel                                   per channel, float64
    train_forward   1        S1 = Σ (x - K)     K: a sample, see below  μ = K̄ + S1 / n
                    2        S2 = Σ (x - m)²    m = μ rounded to the     σ² = S2 / n - (μ - m)²
                                                compute dtype
                    3        y = (x - m) k + b  k = γ / s,  b = β - (μ - m) k
    train_backward  1        Σ g
                    2        Σ g (x - m)                                 Σ g (x - μ) = that - (μ - m) Σ g
                    3        dx = g a + (x - m) b' + c'   (a, b, c of batchnorm_cpu.train_backward,
                                                           b' = b, c' = c - b (μ - m))
    affine          1        y = (x - center) k + b       (inference; center = 0 when None)

Numerics. The statistics are exactly two-pass: σ² is a sum of squares around the mean
itself, never the cancelling ``E[x²] - E[x]²``, so data far from zero (float32 with
mean 1e4 and std 1) keeps its variance. The first pass sums ``x - K`` rather than ``x``:
``K`` is the first element of the run each partial sum covers (below), so the partial
sums add numbers of the size of the spread of x, not of its mean, and ``μ`` is accurate
to a small fraction of σ although the GPU's partial sums are plain sequential float32
additions. The elementwise kernels take ``x - m`` in the compute dtype directly (exact
when x is near m) and fold the rest of the mean, ``μ - m``, into the float64
per-channel offsets, which is what the NumPy path's split ``μ = hi + lo`` does for
``|μ| >> σ``; on the GPU the subtraction costs nothing, so it is always done. Sums run in
the compute dtype within a partial and in float64 across partials. float16 inputs
compute in float32: the kernels read every x and g through an explicit ``(float)x``
(CuPy's ``float16`` class converts to float), and only ``y`` and ``dx`` are stored as
float16, by assignment (CuPy's ``float16`` is assignable from float).

Parallel sums. x is seen as ``(P, C, Q)`` (the axes before the channel, the channel,
the axes after). A CuPy ReductionKernel gives one block of threads to each output (or
to 32 neighbouring outputs when they are neighbours in memory), so reducing x straight
to its C channels would keep only C blocks busy. The sums are therefore taken in two
stages: with ``P = P1 P2`` and ``Q = Q1 Q2``, x is viewed as ``(P1, P2 C Q1, Q2)`` and
reduced over axes (0, 2) to ``M = P2 C Q1`` partial sums, about one block's worth
(``BLOCK_ELEMENTS``) of data each, which a small float64 sum then folds to (C,). The cuts
are divisors of P and Q: where those have none of a useful size (a large prime P), the
partial sums are fewer and longer, still correct but slower.
"""

from __future__ import annotations

import functools
import math

BLOCK_ELEMENTS = 16384  # elements one block of a first-stage reduction sums (512 threads x 32)
RUN = 32  # CuPy's reductions coalesce 32 neighbouring outputs, or rows of >= RUN elements

_kernel_cache: dict[int, tuple[object, dict]] = {}  # id(module) -> (module, {dtype name: kernels})


# -- the kernels -------------------------------------------------------------------------------------
class _Kernels:
    """The CuPy kernels for one compute dtype (float32 or float64), made from module ``xp``.

    ``T``, ``G``: the dtype of x and g (float16, float32 or float64, bound per call);
    the per-channel and per-partial coefficients and the partial sums are in the compute
    dtype, whose C type is ``ctype``.
    """

    def __init__(self, xp, dtype_name: str):
        ctype = "float" if dtype_name == "float32" else "double"
        t = dtype_name

        def reduction(in_params: str, map_expr: str, name: str):
            return xp.ReductionKernel(in_params, f"{t} s", map_expr, "a + b", "s = a", "0",
                                      name=f"minigrad_bn_{name}_{t}", reduce_type=ctype)

        def elementwise(in_params: str, out_params: str, operation: str, name: str):
            return xp.ElementwiseKernel(in_params, out_params, operation, name=f"minigrad_bn_{name}_{t}")

        xc = f"(({ctype})x - m)"  # x - m in the compute dtype
        # Σ (x - K): K is a view of x, one element per partial sum
        self.shifted_sum = reduction("T x, T k", f"({ctype})x - ({ctype})k", "shifted_sum")
        # Σ (x - m)²
        self.centered_squares = reduction(f"T x, {t} m", f"{xc} * {xc}", "centered_squares")
        # Σ g
        self.total = reduction("G g", f"({ctype})g", "total")
        # Σ g (x - m)
        self.centered_dot = reduction(f"G g, T x, {t} m", f"({ctype})g * {xc}", "centered_dot")
        # y = (x - m) k + b
        self.affine = elementwise(f"T x, {t} m, {t} k, {t} b", "T y", f"y = {xc} * k + b;", "affine")
        # dx = g a + (x - m) b + c
        self.input_grad = elementwise(f"G g, T x, {t} m, {t} a, {t} b, {t} c", "T dx",
                                      f"dx = ({ctype})g * a + {xc} * b + c;", "input_grad")


def _kernels(xp, dtype) -> _Kernels:
    """The kernels of module ``xp`` for compute ``dtype``, made on first use and kept per module."""
    entry = _kernel_cache.get(id(xp))
    if entry is None or entry[0] is not xp:  # a new module (a test's stand-in), or an id reused
        entry = _kernel_cache[id(xp)] = (xp, {})
    by_dtype = entry[1]
    name = xp.dtype(dtype).name
    kernels = by_dtype.get(name)
    if kernels is None:
        kernels = by_dtype[name] = _Kernels(xp, name)
    return kernels


def compute_dtype(xp, dtype):
    """The dtype the arithmetic runs in: float32 for float16 inputs, else the input's
    (the same on the CPU path, which imports it from here)."""
    return xp.dtype(xp.float32) if dtype == xp.float16 else xp.dtype(dtype)


# -- the layout of x and of the partial sums -----------------------------------------------------------
class _Layout:
    """x of ``shape`` with channel ``axis`` seen as ``(P, C, Q)``, and its partial sums.

    The first-stage reductions see x as ``(P1, M, Q2)`` with ``M = P2 C Q1`` partial sums
    (``P = P1 P2``, ``Q = Q1 Q2``), each over ``R = P1 Q2`` elements; ``n = P Q`` elements
    per channel. ``block_elements``: about how many elements one block of a first-stage
    reduction should sum (see ``_partition``).
    """

    def __init__(self, shape: tuple, axis: int, block_elements: int):
        self.P, self.C, self.Q = math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1 :])
        self.n = self.P * self.Q
        self.P2, self.Q1 = _partition(self.P, self.C, self.Q, block_elements)
        self.P1, self.Q2 = self.P // self.P2, self.Q // self.Q1
        self.M = self.P2 * self.C * self.Q1
        self.parts = self.P2 * self.Q1  # partial sums per channel

    def channels(self, a):
        """``a`` (of x's size, C-contiguous) as ``(P, C, Q)``."""
        return a.reshape(self.P, self.C, self.Q)

    def partials(self, a3):
        """``a3`` (``(P, C, Q)``) as the first stage's ``(P1, M, Q2)``."""
        return a3.reshape(self.P1, self.M, self.Q2)

    def per_channel(self, values):
        """A (C,) vector shaped ``(1, C, 1)``, to broadcast against ``(P, C, Q)``."""
        return values.reshape(1, self.C, 1)

    def per_partial(self, xp, values):
        """A (C,) vector repeated for each partial, shaped ``(1, M, 1)`` against ``(P1, M, Q2)``."""
        if self.parts == 1:
            return values.reshape(1, self.C, 1)
        wide = xp.broadcast_to(values.reshape(1, self.C, 1), (self.P2, self.C, self.Q1))
        return xp.ascontiguousarray(wide).reshape(1, self.M, 1)

    def totals(self, xp, partial):
        """Per-channel float64 sums (C,) of the ``M`` partial sums (the second stage)."""
        return xp.sum(partial.reshape(self.P2, self.C, self.Q1), axis=(0, 2), dtype=xp.float64)


def _layout(shape: tuple, axis: int) -> _Layout:
    """The layout of x of ``shape``, kept for the next call (keyed by ``BLOCK_ELEMENTS`` too)."""
    return _cached_layout(shape, axis, BLOCK_ELEMENTS)


@functools.lru_cache(maxsize=64)
def _cached_layout(shape: tuple, axis: int, block_elements: int) -> _Layout:
    return _Layout(shape, axis, block_elements)


def _partition(P: int, C: int, Q: int, block_elements: int) -> tuple[int, int]:
    """``(P2, Q1)``: how many parts the reduced axes are cut into for the first stage.

    Aim at ``P C Q / block_elements`` blocks. For ``Q < RUN`` (channels last: ``Q = 1``)
    every ``q`` keeps its own partial (``Q1 = Q``), so neighbouring partials are neighbours
    in memory and CuPy gives 32 of them to a block: ``32`` partials a block are wanted.
    Otherwise a block sums one partial along rows of ``Q2 >= RUN`` contiguous elements. P
    is cut first (whole rows stay whole), Q too when P has no divisor large enough.
    """
    q1 = Q if Q < RUN else 1
    blocks = max(1, P * C * Q // block_elements)
    want = -(-blocks * (RUN if q1 == Q else 1) // (C * q1))  # parts of P (and Q) per channel
    p2 = _largest_divisor(P, want)
    if q1 != Q and 2 * p2 <= want:
        q1 = _largest_divisor(Q, max(1, min(want // p2, Q // RUN)))
    return p2, q1


def _largest_divisor(n: int, limit: int) -> int:
    """The largest divisor of ``n`` that is at most ``limit`` (>= 1)."""
    if limit >= n:
        return n
    best = 1
    for d in range(1, math.isqrt(n) + 1):
        if n % d == 0:
            for e in (d, n // d):
                if best < e <= limit:
                    best = e
    return best


# -- the functions batchnorm_cpu.py calls -------------------------------------------------------------
def _statistics(xp, kern: _Kernels, lay: _Layout, x3, dtype):
    """``μ``, ``σ²`` (float64, (C,)) and ``m``: μ rounded to the compute ``dtype``."""
    xs = lay.partials(x3)
    shift = xs[0:1, :, 0:1]  # K: the first element of each partial's run, (1, M, 1)
    s1 = lay.totals(xp, kern.shifted_sum(xs, shift, axis=(0, 2)))
    mu = s1 / lay.n + lay.totals(xp, shift.astype(xp.float64)) / lay.parts  # μ = K̄ + Σ (x - K) / n
    m = mu.astype(dtype)
    s2 = lay.totals(xp, kern.centered_squares(xs, lay.per_partial(xp, m), axis=(0, 2)))
    d = mu - m.astype(xp.float64)
    return mu, xp.maximum(s2 / lay.n - d * d, 0.0), m  # E[(x - m)²] = σ² + (μ - m)²


def moments(xp, x, axis: int):
    """Mean and biased variance of x per channel, in float64.

    Args:
        xp: the CuPy module (or a stand-in) that owns ``x``.
        x: a floating-point array, not empty.
        axis: the non-negative channel axis.

    Returns:
        ``(μ, σ²)``, float64 arrays of shape ``(C,)``: two passes, ``μ`` from sums of
        ``x - K`` and ``σ²`` from sums of ``(x - m)²`` (see the module docstring).
    """
    lay, dtype = _layout(tuple(x.shape), axis), compute_dtype(xp, x.dtype)
    mu, var, _ = _statistics(xp, _kernels(xp, dtype), lay, lay.channels(xp.ascontiguousarray(x)), dtype)
    return mu, var


def affine(xp, x, axis: int, scale, offset, center=None):
    """``y = (x - center) * scale + offset`` per channel, in x's dtype: one elementwise kernel.

    Args:
        xp: the CuPy module (or a stand-in) that owns ``x``.
        x: a floating-point array.
        axis: the non-negative channel axis.
        scale, offset: float64 arrays of shape ``(C,)``, rounded to the compute dtype.
        center: None (no centering) or an array of shape ``(C,)`` in the compute dtype.

    Returns:
        ``y``, an array of x's shape and dtype.
    """
    if x.size == 0:
        return xp.empty_like(x)
    dtype = compute_dtype(xp, x.dtype)
    shape = tuple(x.shape[axis] if i == axis else 1 for i in range(x.ndim))
    m = xp.zeros(shape, dtype) if center is None else center.astype(dtype).reshape(shape)
    k, b = scale.astype(dtype).reshape(shape), offset.astype(dtype).reshape(shape)
    return _kernels(xp, dtype).affine(x, m, k, b)


def train_forward(xp, x, gamma, beta, axis: int, epsilon: float):
    """``y, μ, σ², 1/s`` of training-mode batch normalization: three passes over x.

    Args:
        xp: the CuPy module (or a stand-in) that owns the arrays.
        x: a floating-point array, not empty.
        gamma, beta: the scale and offset, shape ``(C,)``.
        axis: the non-negative channel axis.
        epsilon: added to the variance.

    Returns:
        ``(y, μ, σ², 1/s)``: ``y`` like x; ``μ``, the biased ``σ²`` and
        ``1/s = 1/sqrt(σ² + ε)`` float64 arrays of shape ``(C,)``.
    """
    dtype = compute_dtype(xp, x.dtype)
    lay, kern = _layout(tuple(x.shape), axis), _kernels(xp, dtype)
    x3 = lay.channels(xp.ascontiguousarray(x))  # one copy for a strided x, not one per pass
    mu, var, m = _statistics(xp, kern, lay, x3, dtype)
    rstd = 1.0 / xp.sqrt(var + epsilon)
    k = gamma.astype(xp.float64) * rstd
    b = beta.astype(xp.float64) - (mu - m.astype(xp.float64)) * k  # y = (x - m) k + β - (μ - m) k
    y = kern.affine(x3, *(lay.per_channel(v.astype(dtype)) for v in (m, k, b)))
    return y.reshape(x.shape), mu, var, rstd


def train_backward(xp, x, g, gamma, gmean, gvar, mu, rstd, axis: int):
    """dx, dγ, dβ of training-mode batch normalization: three passes over x and g.

    With ``n`` elements per channel, ``a = γ/s``, ``b = -γ Σ g (x - μ) / (n s³) + 2 gσ²/n``
    and ``c = -γ Σ g / (n s) + gμ/n`` (float64, per channel):
    ``dx = a g + b (x - μ) + c``, ``dγ = Σ g (x - μ) / s``, ``dβ = Σ g``.

    Args:
        xp: the CuPy module (or a stand-in) that owns the arrays.
        x: the forward's input; ``g``: the gradient arriving at ``y`` (x's shape).
        gamma: the scale, shape ``(C,)``.
        gmean, gvar: the gradients arriving at ``μ`` and ``σ²``, shape ``(C,)``.
        mu, rstd: the forward's ``μ`` and ``1/s``, float64 arrays of shape ``(C,)``.
        axis: the non-negative channel axis.

    Returns:
        ``(dx, dγ, dβ)``: ``dx`` in x's dtype and shape, ``dγ`` and ``dβ`` in γ's dtype.
    """
    dtype, f64 = compute_dtype(xp, x.dtype), xp.float64
    lay, kern = _layout(tuple(x.shape), axis), _kernels(xp, dtype)
    x3, g3 = lay.channels(xp.ascontiguousarray(x)), lay.channels(xp.ascontiguousarray(g))
    xs, gs = lay.partials(x3), lay.partials(g3)
    m = mu.astype(dtype)
    d = mu - m.astype(f64)  # μ - m
    sum_g = lay.totals(xp, kern.total(gs, axis=(0, 2)))
    sum_gd = lay.totals(xp, kern.centered_dot(gs, xs, lay.per_partial(xp, m), axis=(0, 2))) - d * sum_g
    n = float(lay.n)
    a = gamma.astype(f64) * rstd
    b = -a * rstd * rstd * sum_gd / n + 2.0 * gvar.astype(f64) / n
    c = -a * sum_g / n + gmean.astype(f64) / n - b * d  # b (x - μ) + c = b (x - m) + c - b (μ - m)
    dx = kern.input_grad(g3, x3, *(lay.per_channel(v.astype(dtype)) for v in (m, a, b, c)))
    return dx.reshape(x.shape), (rstd * sum_gd).astype(gamma.dtype), sum_g.astype(gamma.dtype)
