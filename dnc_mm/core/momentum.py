"""Momentum update of the sub-centroids (DNC Eq. 8).

For every sub-centroid ``(c, k)`` with at least one assigned sample,

    x_bar = normalize(mean of the assigned features)
    p_k^c <- normalize(mu * p_k^c + (1 - mu) * x_bar)      (Eq. 8)

and a sub-centroid with no assigned sample keeps its value bit for bit.
The per-sub-centroid sums and counts are computed separately
(:func:`subcentroid_sums`) so that distributed code can all-reduce them
before applying the update (:func:`apply_momentum_update`); then every rank
computes the same new sub-centroids.

With ``K = 1`` and all samples assigned to sub-centroid 0 this is the
"DeepNCM" batch class mean (DNC appendix §I, Tables 18–19): ``mu = 0`` gives
the l2-normalised class mean of the batch.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from ._utils import ReduceFn, autocast_disabled, maybe_reduce

__all__ = [
    'subcentroid_sums', 'touched_subcentroid_sums', 'apply_momentum_update',
    'momentum_update_rows', 'scheduled_momentum'
]

_EPS = 1e-12  # as F.normalize

#: Rows upcast to float32 at once when summing (4096 x 2048 x 4 B = 32 MiB).
_SUM_CHUNK = 4096


def _flat_segments(labels: Tensor, assignment: Tensor, c: int, k: int,
                   device: torch.device) -> Tensor:
    """``(N,)`` flat sub-centroid ``c * K + k`` of every sample; ``C * K``
    (a dump segment) for skipped ones (assignment -1, label outside
    ``[0, C)``)."""
    n = labels.numel()
    labels = labels.to(device=device, dtype=torch.long).view(n)
    assignment = assignment.to(device=device, dtype=torch.long).view(n)
    keep = (assignment >= 0) & (assignment < k) & (labels >= 0) & (labels < c)
    return torch.where(keep, labels * k + assignment,
                       torch.full_like(labels, c * k))


def _add_rows(sums: Tensor, seg: Tensor, features: Tensor) -> Tensor:
    """``sums[seg[n]] += features[n]`` in float32, upcast chunk by chunk (a
    float16 memory is never copied whole)."""
    n = features.shape[0]
    for start in range(0, n, _SUM_CHUNK):
        end = min(n, start + _SUM_CHUNK)
        sums.index_add_(0, seg[start:end],
                        features[start:end].detach().float())
    return sums


def subcentroid_sums(
        features: Tensor,
        labels: Tensor,
        assignment: Tensor,
        num_classes: int,
        num_subcentroids: int,
        reduce_fn: Optional[ReduceFn] = None) -> Tuple[Tensor, Tensor]:
    """Per-sub-centroid feature sums and counts via one ``index_add_``.

    Samples are grouped into ``C * K`` segments ``labels * K + assignment``;
    samples with ``assignment < 0`` or a label outside ``[0, C)`` (e.g.
    incorrectly classified, ignored or padded samples) are skipped.
    Accumulates in float32 with autocast off. No gradient.

    Args:
        features: ``(N, D)`` features (any float dtype).
        labels: ``(N,)`` int64 classes.
        assignment: ``(N,)`` int64 sub-centroid index in ``[0, K)`` or -1.
        num_classes: ``C``.
        num_subcentroids: ``K`` (``K_max`` when K varies per class).
        reduce_fn: Optional distributed hook; sums and counts are
            ``'sum'``-reduced over ranks.

    Returns:
        A tuple ``(sums, counts)``: ``(C, K, D)`` float32 feature sums and
        ``(C, K)`` float32 sample counts.
    """
    n, d = features.shape
    c, k = num_classes, num_subcentroids
    device = features.device
    with autocast_disabled(device), torch.no_grad():
        # no data-dependent shapes, no host sync
        seg = _flat_segments(labels, assignment, c, k, device)
        sums = _add_rows(
            features.new_zeros((c * k + 1, d), dtype=torch.float32), seg,
            features)
        counts = sums.new_zeros(c * k + 1).index_add_(0, seg, sums.new_ones(n))
        sums = sums[:c * k].view(c, k, d).contiguous()
        counts = counts[:c * k].view(c, k).contiguous()
        sums = maybe_reduce(sums, 'sum', reduce_fn)
        counts = maybe_reduce(counts, 'sum', reduce_fn)
    return sums, counts


def touched_subcentroid_sums(
        features: Tensor, labels: Tensor, assignment: Tensor, num_classes: int,
        num_subcentroids: int) -> Tuple[Tensor, Tensor, Tensor]:
    """:func:`subcentroid_sums` for the sub-centroids that have samples only.

    A single process does not need the dense ``(C, K, D)`` sums (32 MiB at
    ImageNet width, mostly zeros): this returns the flat indices
    ``c * K + k`` of the sub-centroids with at least one sample, their sums
    and counts, for :func:`momentum_update_rows`. Features are read once,
    in their own order, with skipped samples routed to a dump row. Not for
    distributed updates (ranks touch different sub-centroids: reduce the
    dense sums of :func:`subcentroid_sums` instead). No gradient.

    Args:
        features: ``(N, D)`` features (any float dtype).
        labels: ``(N,)`` int64 classes.
        assignment: ``(N,)`` int64 sub-centroid in ``[0, K)`` or -1.
        num_classes: ``C``.
        num_subcentroids: ``K``.

    Returns:
        A tuple ``(rows, sums, counts)``: ``(U,)`` int64 flat indices in
        increasing order, ``(U, D)`` float32 sums and ``(U,)`` float32
        counts.
    """
    d = features.shape[1]
    c, k = num_classes, num_subcentroids
    device = features.device
    with autocast_disabled(device), torch.no_grad():
        seg = _flat_segments(labels, assignment, c, k, device)
        counts = torch.bincount(seg, minlength=c * k + 1)[:c * k]
        rows = counts.nonzero().squeeze(1)
        # flat index -> compact row (the dump row U for everything else)
        compact = torch.full((c * k + 1, ),
                             rows.numel(),
                             dtype=torch.long,
                             device=device)
        compact[rows] = torch.arange(rows.numel(), device=device)
        seg = compact.index_select(0, seg)
        sums = _add_rows(
            features.new_zeros((rows.numel() + 1, d), dtype=torch.float32),
            seg, features)
    return rows, sums[:-1], counts.index_select(0, rows).float()


def apply_momentum_update(subcentroids: Tensor,
                          sums: Tensor,
                          counts: Tensor,
                          momentum: float = 0.999,
                          inplace: bool = False) -> Tensor:
    """Eq. 8: ``p <- normalize(mu p + (1 - mu) normalize(sum / count))``.

    Only sub-centroids with ``counts > 0`` change; the others are returned
    bit-for-bit unchanged. Computed in float32, result cast back to
    ``subcentroids.dtype``. No gradient.

    Args:
        subcentroids: ``(C, K, D)`` current l2-normalised sub-centroids.
        sums: ``(C, K, D)`` feature sums from :func:`subcentroid_sums`
            (already reduced over ranks if distributed).
        counts: ``(C, K)`` sample counts.
        momentum: ``mu`` in ``[0, 1]`` (paper: 0.999; 0 = batch means only).
        inplace: Write the result into ``subcentroids`` (e.g. a registered
            buffer) instead of returning a new tensor. Note that this bumps
            the tensor's version counter: if logits computed from the same
            tensor are still waiting for ``backward()``, autograd will refuse
            (update after the backward pass, or use ``inplace=False`` and
            rebind the buffer).

    Returns:
        ``(C, K, D)`` updated sub-centroids (``subcentroids`` itself when
        ``inplace``).
    """
    c, k, d = subcentroids.shape
    rows = (counts.to(subcentroids.device).reshape(c * k)
            > 0).nonzero().squeeze(1)
    row_sums = sums.to(subcentroids.device).reshape(c * k,
                                                    d).index_select(0, rows)
    return momentum_update_rows(subcentroids, rows, row_sums, momentum,
                                inplace)


def momentum_update_rows(subcentroids: Tensor,
                         rows: Tensor,
                         sums: Tensor,
                         momentum: float = 0.999,
                         inplace: bool = False) -> Tensor:
    """Eq. 8 for the sub-centroids at flat indices ``rows`` only.

    The rest is returned bit-for-bit unchanged (cheap when few
    sub-centroids have samples). Computed in float32, result cast back to
    ``subcentroids.dtype``. No gradient.

    Args:
        subcentroids: ``(C, K, D)`` current l2-normalised sub-centroids.
        rows: ``(U,)`` int64 flat indices ``c * K + k`` (no repeats).
        sums: ``(U, D)`` feature sums of those sub-centroids (non-zero).
        momentum: ``mu`` in ``[0, 1]``.
        inplace: Write into ``subcentroids`` (see
            :func:`apply_momentum_update`).

    Returns:
        ``(C, K, D)`` updated sub-centroids (``subcentroids`` itself when
        ``inplace``).
    """
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f'momentum must be in [0, 1], got {momentum}')
    c, k, d = subcentroids.shape
    with autocast_disabled(subcentroids.device), torch.no_grad():
        rows = rows.to(subcentroids.device)
        out = subcentroids if inplace else subcentroids.detach().clone()
        flat = out.view(c * k, d)
        p = flat.index_select(0, rows).float()
        s = sums.to(device=subcentroids.device, dtype=torch.float32)
        # normalize(sum / count) == normalize(sum) for count > 0, so the
        # division by the count is skipped: x_bar = sum / ||sum||.
        scale = (1.0 - momentum) / torch.linalg.vector_norm(
            s, dim=-1, keepdim=True).clamp_min_(_EPS)
        new = p.mul_(momentum).addcmul_(s, scale)  # p is a copy
        new.div_(
            torch.linalg.vector_norm(new, dim=-1,
                                     keepdim=True).clamp_min_(_EPS))
        flat.index_copy_(0, rows, new.to(out.dtype))
    return out


def scheduled_momentum(target: float,
                       step: int,
                       warmup_iters: int = 0,
                       start: float = 0.9) -> float:
    """Momentum ``mu`` of Eq. 8 at update ``step`` under a linear warm-up.

    ``mu`` rises linearly from ``start`` (step 0) to ``target`` (step
    ``warmup_iters``) and stays there; ``warmup_iters = 0`` is the paper's
    constant ``mu``. A low early ``mu`` lets sub-centroids follow the
    features while they still change fast, in the spirit of the momentum
    schedules of mmengine's EMA models; the paper (Wang et al., ICLR 2023,
    Eq. 8) keeps ``mu`` constant.

    Args:
        target: ``mu`` after the warm-up, in ``[0, 1]``.
        step: Number of updates made before this one (>= 0).
        warmup_iters: Length of the warm-up in updates (>= 0).
        start: ``mu`` at step 0, in ``[0, target]``.

    Returns:
        The momentum to use for this update.
    """
    if warmup_iters < 0:
        raise ValueError(f'warmup_iters must be >= 0, got {warmup_iters}')
    if warmup_iters == 0 or step >= warmup_iters:
        return target
    if not 0.0 <= start <= target <= 1.0:
        raise ValueError('need 0 <= momentum_warmup_start <= momentum <= 1, '
                         f'got start={start}, momentum={target}')
    return start + (target - start) * step / warmup_iters
