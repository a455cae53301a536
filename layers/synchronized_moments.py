"""Synchronized batch statistics: per-part moments combined with Chan's formula.

``BatchNormalization(synchronized=True)`` takes its statistics here: across the ranks of
``minigrad.distributed`` when it runs on several, else across pieces of this process's batch
(so the combination always runs and is tested). Every term is centred, so the result is the
two-pass one (``normalization_shared.two_pass_moments``) up to rounding at any offset.
"""

from __future__ import annotations

import functools

import minigrad as mg
from layers.normalization_shared import _nonzero, _shape_inference
from minigrad import distributed  # imports mpi4py only in distributed.init()


def _synchronized_moments(x, reduction_axes: tuple, weights=None, parts: int = 2):
    """Mean, variance and ``x - mean`` from per-part moments combined with Chan's formula:
    across the ranks of ``minigrad.distributed`` when it runs on more than one, else across
    ``parts`` pieces of this process's batch.

    Each part gives ``(count, shift, offset, m2)`` (``_part_moments``), small numbers that
    ``_chan_combine`` merges. Unlike the sums ``S1 = sum(x)``, ``S2 = sum(x**2)``
    (``sigma2 = S2 / n - mu**2`` cancels catastrophically: at mean 1e4 in float32 outputs
    were off by up to 144), every term here is centred, so the result is the two-pass one up
    to rounding at any offset. In one process the batch is cut into ``parts`` pieces along
    the first reduction axis (one process plays ``parts`` replicas, so the combination always
    runs and is tested); across ranks see ``_all_ranks_moments``.
    """
    if _across_ranks():
        count, shift, offset, m2 = _all_ranks_moments(x, reduction_axes, weights)
        return shift + offset, m2 / _nonzero(count), (x - shift) - offset
    axis = reduction_axes[0] if reduction_axes else 0
    length = x.shape[axis] if reduction_axes else 1  # nothing reduced: one part, each value its own
    parts = max(1, min(parts, length))
    points = [length * k // parts for k in range(1, parts)]
    pieces = mg.split(x, points, axis=axis) if points else [x]
    piece_weights = ([None] * len(pieces) if weights is None else
                     mg.split(weights, points, axis=axis) if points else [weights])
    moments = [_part_moments(p, reduction_axes, w) for p, w in zip(pieces, piece_weights)]
    count, shift, offset, m2 = functools.reduce(_chan_combine, moments)
    return shift + offset, m2 / _nonzero(count), (x - shift) - offset


def _across_ranks() -> bool:
    """True when ``minigrad.distributed`` runs on several ranks (and this is not a symbolic
    call, which only infers shapes and must not wait for the other ranks)."""
    return distributed.is_initialized() and distributed.world_size() > 1 and not _shape_inference()


def _all_ranks_moments(x, reduction_axes: tuple, weights=None):
    """Every rank's part moments combined: ``(count, shift, offset, m2)`` of the global batch.

    This rank's ``(count, shift, offset, m2)`` are stacked, all-gathered (one collective of
    ``4 x channels`` numbers) and merged with ``_chan_combine`` in rank order, so every rank
    gets bit-identical statistics (and moving averages). ``all_gather`` is differentiable:
    its backward all-reduces (sums) the gradient of the gathered moments, which is how the
    backward shares the per-channel sums ``sum(dy)`` and ``sum(dy (x - mu))`` across ranks;
    each rank's ``dgamma``/``dbeta`` stay its local contribution (the strategy's gradient
    all-reduce adds them up). Every rank must make the same training calls, with the same
    statistic shape (the normalized axes); the batch sizes may differ.
    """
    local = mg.stack(list(_part_moments(x, reduction_axes, weights)))
    gathered = distributed.all_gather(local)  # (world_size, 4, *statistic shape)
    moments = [tuple(gathered[rank, i] for i in range(4)) for rank in range(gathered.shape[0])]
    return functools.reduce(_chan_combine, moments)


def _part_moments(x, reduction_axes: tuple, weights=None):
    """One part's ``(count, shift, offset, m2)``: its (weighted) count ``n``, a shift ``K``
    (its mean, a constant for the gradient), ``mean - K`` and the centred sum of squares
    ``m2 = sum(w (x - mean)**2)``, from two passes over ``x - K`` as in ``two_pass_moments``."""
    def total(t):
        return mg.sum(t, axis=reduction_axes, keepdims=True)

    if weights is None:
        n = 1
        for a in reduction_axes:
            n *= x.shape[a]
        shift = mg.stop_gradient(total(x) / float(n))
        deviation = x - shift
        offset = total(deviation) / float(n)
        count = mg.zeros_like(shift) + float(n)
        return count, shift, offset, total(mg.square(deviation - offset))
    count = total(weights)
    nonzero = _nonzero(count)
    shift = mg.stop_gradient(total(weights * x) / nonzero)
    deviation = x - shift
    offset = total(weights * deviation) / nonzero
    return count, shift, offset, total(weights * mg.square(deviation - offset))


def _chan_combine(a, b):
    """Chan, Golub and LeVeque's combination of two parts' moments (see ``_part_moments``).

    With ``delta = mean_b - mean_a``, taken as ``(K_b - K_a) + (offset_b - offset_a)`` so
    that no mean near a large offset is formed and subtracted:
    ``n = n_a + n_b``, ``mean = mean_a + delta n_b / n``,
    ``m2 = m2_a + m2_b + delta**2 n_a n_b / n``. The result keeps ``a``'s shift, or
    ``b``'s moments as they are where ``a`` has no weight (its shift, 0, is no mean).
    """
    count_a, shift_a, offset_a, m2_a = a
    count_b, shift_b, offset_b, m2_b = b
    count = count_a + count_b
    share_b = count_b / _nonzero(count)
    delta = (shift_b - shift_a) + (offset_b - offset_a)
    m2 = m2_a + m2_b + mg.square(delta) * count_a * share_b
    has_a = count_a > 0
    return (count, mg.where(has_a, shift_a, shift_b),
            mg.where(has_a, offset_a + delta * share_b, offset_b), m2)
