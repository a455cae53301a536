"""Batch normalization's CPU kernels: chunked NumPy passes for ``ops/normalization.py``.

The batch_norm ops' forwards call ``train_forward``, ``train_backward`` (with
``moments`` when no statistics are saved) and ``affine`` with ``infer_coefficients``;
CuPy arrays are handed over to ``batchnorm_gpu`` (same arguments, same results).

Numerics. The statistics are shifted two-pass sums: ``μ = K + E[x - K]`` and
``σ² = E[(x - K)²] - E[x - K]²`` for a per-channel shift ``K`` within one standard
deviation of ``μ`` (checked, and the sums retaken around ``K = μ`` if not; ``K = 0``
for data centred near zero), never the cancelling ``E[x²] - E[x]²`` of data far
from zero (see ``moments``); sums are in the compute dtype
within a chunk and float64 across chunks. Where ``|μ| > CENTER_ABOVE σ`` the mean is
split into ``μ_hi + μ_lo`` (``μ_hi`` in the compute dtype, so ``x - μ_hi`` is exact)
and ``μ_lo`` folds into the per-channel offset: float32 data with mean 1e4 and std 1
normalizes to about 1e-7. float16 inputs compute in float32 with float32 statistics
and parameters; only ``y`` and ``dx`` are rounded to float16.

Speed. x is seen as ``(P, C, Q)`` (``P``: the axes before the channel, ``Q``:
those after) and processed in chunks of ``CHUNK_BYTES`` that stay in the L2 cache, so
a pass reads memory once however many NumPy calls it makes on a chunk. Channel sums
are BLAS products with a vector of ones (sums of products: ``np.vecdot`` along long
rows, ``einsum`` down the columns of big channels-last pieces). NumPy's elementwise
loops are slow when a broadcast operand's contiguous run is short, so per-channel
coefficients are expanded once per call into a periodic vector of at least ``PERIOD``
elements matching the chunks' memory layout (for x of 4 periods or more). Scratch
buffers and chunk plans are kept per thread and reused. Training is four passes over
the data (statistics, output; the backward's sums, dx), inference one. A smaller
channels-last batch (an MLP's) runs the same arithmetic without the plan, whose
bookkeeping costs about a third of such a call.
"""

from __future__ import annotations

import math
import threading

from minigrad.kernels import CPU_MODULE, batchnorm_gpu
from minigrad.kernels.batchnorm_gpu import compute_dtype  # one rule for both paths

CHUNK_BYTES = 512 * 1024  # one chunk of x: with the scratch and the other operands it stays in L2
FAST_RUN = 8192  # NumPy's binary loops run at full speed on contiguous runs this long
PERIOD = 2 * FAST_RUN  # elements in one period of an expanded coefficient
DOT_BY_EINSUM = 1 << 16  # channels-last pieces this big sum products by einsum (~20% faster there)
CENTER_ABOVE = 8.0  # subtract the mean explicitly when |μ| > CENTER_ABOVE standard deviations
_WORKSPACE_KEPT = 8 * 1024 * 1024  # at most this many bytes of scratch are kept per thread

_local = threading.local()
_CPU = CPU_MODULE  # NumPy: the chunked path below; CuPy arrays go to batchnorm_gpu


# -- scratch memory --------------------------------------------------------------------------------
def _workspace(xp, dtype, size: int):
    """A flat scratch array of ``size`` elements, reused between calls."""
    cache = _local.__dict__.setdefault("workspace", {})
    buf = cache.get(dtype)
    if buf is None or buf.size < size:
        buf = xp.empty(size, dtype)
        if size * buf.itemsize <= _WORKSPACE_KEPT:
            cache[dtype] = buf
    return buf[:size]


def _ones(xp, dtype, size: int):
    """A vector of ones (the right operand of a BLAS row or column sum), kept if small."""
    if size * dtype.itemsize > _WORKSPACE_KEPT:
        return xp.ones(size, dtype)
    cache = _local.__dict__.setdefault("ones", {})
    key = (dtype, size)
    vec = cache.get(key)
    if vec is None:
        if len(cache) >= 64:
            cache.clear()
        vec = cache[key] = xp.ones(size, dtype)
    return vec


# -- the chunk plan ----------------------------------------------------------------------------------
class _Piece:
    """A contiguous run of the flattened x: ``slabs`` whole (C, Q) slabs, or channels [c0, c1)."""

    __slots__ = ("start", "stop", "size", "slabs", "c0", "c1")

    def __init__(self, start, size, slabs, c0, c1):
        self.start, self.stop, self.size = start, start + size, size
        self.slabs, self.c0, self.c1 = slabs, c0, c1


class _Plan:
    """How x of ``shape`` (channel axis ``axis``) is cut into pieces and broadcast against.

    x is seen as ``(P, C, Q)``; a slab is one ``(C, Q)`` block. Pieces hold whole slabs
    when a slab fits in a chunk (whole periods of ``m`` slabs, then a shorter rest),
    else runs of channels of one slab. Per-channel coefficients are either expanded to
    one period, ``m`` slabs of at least ``PERIOD`` elements, that a piece seen as
    ``(rows, period)`` broadcasts against row by row, or kept as ``(C, 1)`` / ``(C,)``
    where the contiguous runs are long anyway (``Q >= FAST_RUN``, one piece) or x is
    smaller than 4 periods.
    """

    def __init__(self, xp, shape, axis: int, dtype):
        self.xp, self.dtype = xp, dtype
        self.P, self.C, self.Q = math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1 :])
        self.S = S = self.C * self.Q
        self.n = self.P * self.Q  # elements per channel
        chunk = max(CHUNK_BYTES // dtype.itemsize, 1)
        self.pieces = []
        if S <= chunk:
            # m slabs make one period (>= FAST_RUN elements) of an expanded coefficient; below
            # 4 periods of data, writing the periods costs more than the short runs (MLP batches)
            self.expand = self.Q < FAST_RUN and self.P > 1 and self.P * S >= 4 * PERIOD
            self.m = min(self.P, -(-PERIOD // S)) if self.expand else 1
            per = max(1, chunk // (self.m * S)) * self.m
            p = 0
            while p < self.P:
                s = min(per, self.P - p)
                if s > self.m and s % self.m:
                    s -= s % self.m  # whole periods, then a shorter piece
                self.pieces.append(_Piece(p * S, s * S, s, 0, self.C))
                p += s
        else:
            self.expand, self.m = False, 1
            block = max(1, chunk // self.Q)
            self.pieces = [_Piece((p * self.C + c0) * self.Q, (min(c0 + block, self.C) - c0) * self.Q, 0,
                                  c0, min(c0 + block, self.C))
                           for p in range(self.P) for c0 in range(0, self.C, block)]
        self.period = self.m * S if self.expand else 0
        self.largest = max(piece.size for piece in self.pieces)
        self.vecdot = getattr(xp, "vecdot", None) if self.Q >= 64 else None

    def coefficient(self, values, out):
        """Per-channel ``values`` (C,) in the form ``coef`` slices: see the class docstring."""
        if self.expand:
            self.xp.copyto(out.reshape(self.m, self.C, self.Q), values.reshape(1, self.C, 1))
            return out
        values = values.astype(self.dtype)
        return values.reshape(self.C, 1) if self.Q > 1 else values

    def view(self, flat, piece):
        """``flat`` (one piece's elements) shaped to meet ``coef(.., piece)``."""
        if self.expand:
            return flat.reshape(-1, self.period) if piece.slabs >= self.m else flat
        if piece.slabs:
            return flat.reshape(piece.slabs, self.C, self.Q) if self.Q > 1 else flat.reshape(-1, self.C)
        return flat.reshape(piece.c1 - piece.c0, self.Q) if self.Q > 1 else flat

    def coef(self, coefficient, piece):
        """The part of a ``coefficient`` that broadcasts against ``view(.., piece)``."""
        if self.expand:
            return coefficient if piece.slabs >= self.m else coefficient[: piece.size]
        return coefficient if piece.slabs else coefficient[piece.c0 : piece.c1]

    def _fold(self, per_row, piece, acc) -> None:
        """``acc[c] +=`` the per-(slab, channel) row results of a piece."""
        if piece.slabs > 1:
            ones = _ones(self.xp, self.dtype, piece.slabs)
            acc += self.xp.matmul(ones, per_row.reshape(piece.slabs, self.C))
        else:
            acc[piece.c0 : piece.c1] += per_row

    def add_sums(self, flat, piece, acc) -> None:
        """``acc[c] += Σ`` of the piece's channel-c elements (BLAS products with ones)."""
        xp = self.xp
        if self.Q > 1:
            self._fold(xp.matmul(flat.reshape(-1, self.Q), _ones(xp, self.dtype, self.Q)), piece, acc)
        elif piece.slabs:
            acc += xp.matmul(_ones(xp, self.dtype, piece.slabs), flat.reshape(-1, self.C))
        else:
            acc[piece.c0 : piece.c1] += flat

    def add_dots(self, a, b, piece, acc, scratch) -> None:
        """``acc[c] += Σ a b`` over the piece's channel-c elements (``scratch`` may be ``a``)."""
        if self.vecdot is not None:
            self._fold(self.vecdot(a.reshape(-1, self.Q), b.reshape(-1, self.Q)), piece, acc)
            return
        if self.Q == 1 and piece.slabs and piece.size >= DOT_BY_EINSUM:  # one read, no product stored
            acc += self.xp.einsum("ij,ij->j", a.reshape(-1, self.C), b.reshape(-1, self.C))
            return
        prod = scratch[: piece.size]
        self.xp.multiply(a, b, out=prod)
        self.add_sums(prod, piece, acc)

    def scratch(self, n_coefficients: int):
        """Workspace: ``n_coefficients`` coefficient slots and two piece-sized buffers."""
        width = self.period
        size = n_coefficients * width + 2 * self.largest
        ws = _workspace(self.xp, self.dtype, size)
        slots = [ws[i * width : (i + 1) * width] for i in range(n_coefficients)]
        base = n_coefficients * width
        return slots, ws[base : base + self.largest], ws[base + self.largest :]


def _plan(xp, shape, axis: int, dtype) -> _Plan:
    """A plan for these arguments, reused across calls (kept per thread)."""
    cache = _local.__dict__.setdefault("plans", {})
    key = (id(xp), shape, axis, dtype, CHUNK_BYTES, PERIOD)
    plan = cache.get(key)
    if plan is None:
        if len(cache) >= 32:
            cache.clear()
        plan = cache[key] = _Plan(xp, shape, axis, dtype)
    return plan


def _flat(xp, a):
    """``a`` as a flat C-ordered array (a view when it is contiguous already)."""
    return xp.ascontiguousarray(a).reshape(-1)


def _load(xp, src, buf):
    """``src`` in the compute dtype: itself, or cast into ``buf`` (float16 inputs)."""
    if src.dtype == buf.dtype:
        return src
    out = buf[: src.size]
    xp.copyto(out, src)
    return out


# -- the kernels on raw arrays ------------------------------------------------------------------------
def _shifted_sums(plan, xf, shift, pieces, s1, s2, buf) -> None:
    """``s1 += Σ (x - K)`` and ``s2 += Σ (x - K)²`` per channel over ``pieces`` (K = ``shift``).

    ``shift`` is None for K = 0 (one op fewer per piece).
    """
    xp = plan.xp
    for piece in pieces:
        d = _load(xp, xf[piece.start : piece.stop], buf)
        if shift is not None:
            out = buf[: piece.size]
            xp.subtract(plan.view(d, piece), plan.coef(shift, piece), out=plan.view(out, piece))
            d = out
        plan.add_sums(d, piece, s1)
        plan.add_dots(d, d, piece, s2, buf)


def moments(xp, x, axis: int):
    """Mean and biased variance per channel, in float64.

    The shifted two-pass algorithm: for a per-channel shift ``K``,
    ``μ = K + E[x - K]`` and ``σ² = E[(x - K)²] - E[x - K]²``, where the subtraction
    loses at most a factor 2 of precision while ``|μ - K| <= σ``. ``K`` comes from the
    first slab (or the first sample): 0 when that slab's mean lies within 3/4 of its
    standard deviation of zero (one op per chunk fewer), else its mean. When the
    result shows ``|μ - K| > σ`` (a first slab unlike the rest), the sums are taken
    again around ``K = μ``, which is then accurate to a small fraction of σ. Sums run
    in the compute dtype within a chunk and in float64 across chunks.
    """
    if xp is not _CPU:
        return batchnorm_gpu.moments(xp, x, axis)
    plan = _plan(xp, x.shape, axis, compute_dtype(xp, x.dtype))
    (slot,), buf, _ = plan.scratch(1)
    xf, f64 = _flat(xp, x), xp.float64
    first = []  # the pieces of the first slab (or of the first sample)
    for piece in plan.pieces:
        if first and piece.c0 == 0:
            break
        first.append(piece)
    s1, s2 = xp.zeros(plan.C, f64), xp.zeros(plan.C, f64)
    _shifted_sums(plan, xf, None, first, s1, s2, buf)
    count = (first[0].slabs or 1) * plan.Q
    m0 = s1 / count
    if bool((16.0 * m0 * m0 <= 9.0 * (s2 / count - m0 * m0)).all()):  # |m0| <= 3/4 of its std
        shift = xp.zeros(plan.C, plan.dtype)  # K = 0: the first slab's sums count, add the rest
        _shifted_sums(plan, xf, None, plan.pieces[len(first) :], s1, s2, buf)
    else:
        shift = m0.astype(plan.dtype)
        s1, s2 = _sums_around(plan, xf, shift, slot, buf)
    m1 = s1 / plan.n
    var = s2 / plan.n - m1 * m1
    if not bool((m1 * m1 <= var).all()):  # the shift was more than a standard deviation off
        shift = (shift.astype(f64) + m1).astype(plan.dtype)
        s1, s2 = _sums_around(plan, xf, shift, slot, buf)
        m1 = s1 / plan.n
        var = s2 / plan.n - m1 * m1
    return shift.astype(f64) + m1, xp.maximum(var, 0.0)


def _sums_around(plan, xf, shift, slot, buf):
    """``Σ (x - K)`` and ``Σ (x - K)²`` over all of x, for the shift ``K`` (C,)."""
    s1, s2 = plan.xp.zeros(plan.C, plan.xp.float64), plan.xp.zeros(plan.C, plan.xp.float64)
    _shifted_sums(plan, xf, plan.coefficient(shift, slot), plan.pieces, s1, s2, buf)
    return s1, s2


def _split(xp, mu, scale, dtype):
    """``μ = hi + lo`` per channel, with ``hi`` in ``dtype`` so that ``x - hi`` is exact.

    ``hi`` is None (and ``lo = μ``) when every ``|μ| <= CENTER_ABOVE / scale``: then the
    mean folds into the per-channel offset (``x k + (β - μ k)``) at a rounding cost of
    about ``CENTER_ABOVE`` ulps, and an elementwise op is saved.
    """
    if bool((xp.abs(mu) * scale <= CENTER_ABOVE).all()):
        return None, mu
    hi = mu.astype(dtype)
    return hi, mu - hi.astype(xp.float64)


def affine(xp, x, axis: int, scale, offset, center=None):
    """``y = (x - center) * scale + offset`` per channel (float64 coefficients), in x's dtype.

    The pieces go in reverse order: the last ones read by the previous pass (``moments``)
    may still be in the cache.
    """
    if xp is not _CPU:
        return batchnorm_gpu.affine(xp, x, axis, scale, offset, center)
    if x.size == 0:
        return xp.empty_like(x)
    if center is None and _one_chunk_channels_last(x, axis):  # an MLP's batch: no plan needed
        y = xp.empty(x.shape, x.dtype)
        xp.multiply(x, scale.astype(x.dtype), out=y)
        return xp.add(y, offset.astype(x.dtype), out=y)
    plan = _plan(xp, x.shape, axis, compute_dtype(xp, x.dtype))
    slots, buf, _ = plan.scratch(3)
    k = plan.coefficient(scale, slots[0])
    b = plan.coefficient(offset, slots[1])
    c = None if center is None else plan.coefficient(center, slots[2])
    xf, y = _flat(xp, x), xp.empty(x.shape, x.dtype)
    yf = y.reshape(-1)
    direct = x.dtype == plan.dtype
    for piece in reversed(plan.pieces):
        src = plan.view(_load(xp, xf[piece.start : piece.stop], buf), piece)
        out = plan.view(yf[piece.start : piece.stop] if direct else buf[: piece.size], piece)
        if c is not None:
            xp.subtract(src, plan.coef(c, piece), out=out)
            src = out
        xp.multiply(src, plan.coef(k, piece), out=out)
        xp.add(out, plan.coef(b, piece), out=out)
        if not direct:
            xp.copyto(yf[piece.start : piece.stop], buf[: piece.size])
    return y


def train_forward(xp, x, gamma, beta, axis: int, epsilon: float):
    """``y, μ, σ², 1/s`` (statistics float64) of training-mode batch normalization."""
    if xp is not _CPU:
        return batchnorm_gpu.train_forward(xp, x, gamma, beta, axis, epsilon)
    x = xp.ascontiguousarray(x)  # one copy for a strided x, not one per pass
    small = _small_train_forward(xp, x, gamma, beta, axis, epsilon)
    if small is not None:
        return small
    mu, var = moments(xp, x, axis)
    rstd = 1.0 / xp.sqrt(var + epsilon)
    k = gamma.astype(xp.float64) * rstd
    hi, lo = _split(xp, mu, rstd, compute_dtype(xp, x.dtype))
    y = affine(xp, x, axis, k, beta.astype(xp.float64) - lo * k, center=hi)
    return y, mu, var, rstd


def _small_train_forward(xp, x, gamma, beta, axis: int, epsilon: float):
    """``train_forward`` of a channels-last x of one chunk (an MLP's batch), or None.

    The arithmetic of the chunked path when it takes ``K = 0`` (the mean within 3/4 of a
    standard deviation of zero, so no centering either), without its plan: about 30% of
    a (128, 256) call. None for other inputs: they take the chunked path.
    """
    if not _one_chunk_channels_last(x, axis):
        return None
    f64, rows = xp.float64, x.size // x.shape[-1]
    x2 = x.reshape(rows, -1)
    ones = _ones(xp, x.dtype, rows)
    s1 = xp.matmul(ones, x2).astype(f64)
    s2 = xp.matmul(ones, xp.multiply(x2, x2, out=_workspace(xp, x.dtype, x.size).reshape(x2.shape)))
    mu = s1 / rows
    var = s2.astype(f64) / rows - mu * mu
    if not bool((16.0 * mu * mu <= 9.0 * var).all()):
        return None
    var = xp.maximum(var, 0.0)
    rstd = 1.0 / xp.sqrt(var + epsilon)
    k = gamma.astype(f64) * rstd
    y = xp.multiply(x2, k.astype(x.dtype))
    xp.add(y, (beta.astype(f64) - mu * k).astype(x.dtype), out=y)
    return y.reshape(x.shape), mu, var, rstd


def train_backward(xp, x, g, gamma, gmean, gvar, mu, rstd, axis: int):
    """dx, dγ, dβ of training-mode batch normalization (see the module docstring).

    Two passes: the sums ``Σ g`` and ``Σ g (x - μ)``, then ``dx = a g + b (x - μ) + c``
    with per-channel ``a = γ/s``, ``b = -γ Σ g (x - μ) / (n s³) + 2 gσ²/n`` and
    ``c = -γ Σ g / (n s) + gμ/n`` (the second pass in reverse order, for the cache).
    """
    if xp is not _CPU:
        return batchnorm_gpu.train_backward(xp, x, g, gamma, gmean, gvar, mu, rstd, axis)
    plan = _plan(xp, x.shape, axis, compute_dtype(xp, x.dtype))
    f64 = xp.float64
    hi, lo = _split(xp, mu, rstd, plan.dtype)
    xf, gf = _flat(xp, x), _flat(xp, g)
    if hi is None and not plan.expand and _one_chunk_channels_last(x, axis):  # an MLP's batch
        x2, g2 = xf.reshape(plan.P, plan.C), gf.reshape(plan.P, plan.C)
        ones = _ones(xp, x.dtype, plan.P)
        sum_g = xp.matmul(ones, g2).astype(f64)
        sum_gd = xp.matmul(ones, xp.multiply(x2, g2, out=_workspace(xp, x.dtype, x.size).reshape(x2.shape)))
        sum_gd, center, slots = sum_gd.astype(f64), None, (None,) * 4  # (C,) coefficients: no slots
        buf, buf2 = plan.scratch(0)[1:]
    else:
        slots, buf, buf2 = plan.scratch(4)
        center = None if hi is None else plan.coefficient(hi, slots[0])
        sum_g, sum_gd = _chunked_sums(plan, xf, gf, center, buf, buf2)
    n = float(plan.n)
    ### BEGIN SOLUTION ex09
    sum_gd -= lo * sum_g  # now Σ g (x - μ)
    a = gamma.astype(f64) * rstd
    b = -a * rstd * rstd * sum_gd / n + 2.0 * gvar.astype(f64) / n
    c = -a * sum_g / n + gmean.astype(f64) / n - b * lo
    dgamma, dbeta = (rstd * sum_gd).astype(gamma.dtype), sum_g.astype(gamma.dtype)
    ### END SOLUTION
    factor = bool(((a != 0) & (xp.abs(b) <= 1e30 * xp.abs(a))).all())  # q = b / a fits the dtype
    if factor and center is None and x.dtype == plan.dtype:  # dx = (x q + g) a + c, q = b / a
        names, values = ("q", "a", "c"), (b / a, a, c)
    else:  # dx = (x - hi) b + c + g a
        names, values = ("b", "a", "c"), (b, a, c)
    coefficients = dict(zip(names, (plan.coefficient(v, slot) for v, slot in zip(values, slots[1:]))))
    del a, b, c, values, sum_g, sum_gd  # small, but alive next to y and dx otherwise
    dx = xp.empty(x.shape, x.dtype)
    if "q" in coefficients:
        _dx_factored(plan, xf, gf, dx.reshape(-1), **coefficients)
    else:
        _dx_general(plan, xf, gf, dx.reshape(-1), center, buf, buf2, **coefficients)
    return dx, dgamma, dbeta


def _one_chunk_channels_last(x, axis: int) -> bool:
    """x is float32/float64 with its channels last, fits in one chunk and is too small to
    expand coefficients for (an MLP's batch): the (C,) coefficients broadcast along its rows."""
    return (axis == x.ndim - 1 and x.dtype.char in "fd" and 0 < x.nbytes <= CHUNK_BYTES
            and x.size < 4 * PERIOD)


def _chunked_sums(plan, xf, gf, center, buf, buf2):
    """``Σ g`` and ``Σ g (x - hi)`` per channel (float64), chunk by chunk (``center``: hi, or None)."""
    xp = plan.xp
    sum_g, sum_gd = xp.zeros(plan.C, xp.float64), xp.zeros(plan.C, xp.float64)
    for piece in plan.pieces:
        gs = _load(xp, gf[piece.start : piece.stop], buf2)
        plan.add_sums(gs, piece, sum_g)
        xs = _load(xp, xf[piece.start : piece.stop], buf)
        if center is not None:
            d = buf[: piece.size]
            xp.subtract(plan.view(xs, piece), plan.coef(center, piece), out=plan.view(d, piece))
            xs = d
        plan.add_dots(xs, gs, piece, sum_gd, buf)
    return sum_g, sum_gd


def _dx_factored(plan, xf, gf, dxf, q, a, c) -> None:
    """``dx = (x q + g) a + c`` with ``q = b / a``: four ops a piece, no scratch."""
    xp = plan.xp
    for piece in reversed(plan.pieces):
        out = plan.view(dxf[piece.start : piece.stop], piece)
        xp.multiply(plan.view(xf[piece.start : piece.stop], piece), plan.coef(q, piece), out=out)
        xp.add(out, plan.view(gf[piece.start : piece.stop], piece), out=out)
        xp.multiply(out, plan.coef(a, piece), out=out)
        xp.add(out, plan.coef(c, piece), out=out)


def _dx_general(plan, xf, gf, dxf, center, buf, buf2, b, a, c) -> None:
    """``dx = (x - hi) b + c + g a`` (any γ, a centered mean, float16 inputs)."""
    xp = plan.xp
    direct = xf.dtype == plan.dtype
    for piece in reversed(plan.pieces):
        out = plan.view(dxf[piece.start : piece.stop] if direct else buf[: piece.size], piece)
        xs = plan.view(_load(xp, xf[piece.start : piece.stop], buf), piece)
        if center is not None:
            xp.subtract(xs, plan.coef(center, piece), out=out)
            xs = out
        xp.multiply(xs, plan.coef(b, piece), out=out)
        xp.add(out, plan.coef(c, piece), out=out)
        ga = plan.view(_load(xp, gf[piece.start : piece.stop], buf2), piece)
        scaled = plan.view(buf2[: piece.size], piece)
        xp.multiply(ga, plan.coef(a, piece), out=scaled)
        xp.add(out, scaled, out=out)
        if not direct:
            xp.copyto(dxf[piece.start : piece.stop], buf[: piece.size])


def infer_coefficients(xp, x_dtype, gamma, beta, mean, variance, epsilon: float):
    """``(k, offset, m_hi)`` of inference, ``y = (x - m_hi) k + offset`` (float64; ``m_hi``
    in the compute dtype of ``x_dtype``, or None).

    ``y = x k + (β - m k)`` with ``k = γ / sqrt(v + ε)``, as Keras; for
    ``|m| > CENTER_ABOVE sqrt(v + ε)`` the two terms would cancel, so ``m_hi`` comes off x
    first and ``offset = β - m_lo k``.
    """
    f64 = xp.float64
    rstd = 1.0 / xp.sqrt(variance.astype(f64) + epsilon)
    k = gamma.astype(f64) * rstd
    hi, lo = _split(xp, mean.astype(f64), rstd, compute_dtype(xp, x_dtype))
    return k, beta.astype(f64) - lo * k, hi




def infer(xp, x, gamma, beta, mean, variance, axis: int, epsilon: float, coefficients=None):
    """``y`` of inference, ``y = (x - m_hi) k + offset``: one multiply-add per element with
    the ``coefficients`` of ``infer_coefficients`` (made here when None)."""
    if coefficients is None:
        coefficients = infer_coefficients(xp, x.dtype, gamma, beta, mean, variance, epsilon)
    k, offset, hi = coefficients
    return affine(xp, x, axis, k, offset, center=hi)


def train_gradients(xp, x, g, gamma, gmean, gvar, axis: int, epsilon: float, stats=None):
    """``train_backward``'s dx, dγ, dβ, with ``stats`` = the forward's ``(μ, 1/s)`` or None
    (then they are taken again from x: one more pass)."""
    if stats is None:
        mu, var = moments(xp, x, axis)
        stats = mu, 1.0 / xp.sqrt(var + epsilon)
    return train_backward(xp, x, g, gamma, gmean, gvar, *stats, axis)
