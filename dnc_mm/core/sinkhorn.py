"""Sinkhorn–Knopp equipartition for class-wise sub-centroid assignment.

Implements the relaxed transport problem of DNC (Wang, Han, Zhou, Liu,
"Visual Recognition with Deep Nearest Centroids", ICLR 2023,
https://arxiv.org/abs/2209.07383; Eq. 5 relaxed to the transportation
polytope, solved in the form of Eq. 6 and Algorithm 1's
``online_clustering``), batched over classes:

    Q^c = diag(alpha) exp(P^c^T X^c / eps) diag(beta),

where ``alpha`` (rows = sub-centroids) and ``beta`` (columns = samples) are
found by alternately scaling the rows to sum to ``1/K_c`` and the columns to
sum to ``1/N_c`` (SwAV's convention; the plan's total mass is 1 and
``N_c * Q^c`` has columns that sum to 1, i.e. soft assignments). The hard
assignment of a sample is the sub-centroid with the largest plan entry
(an argmax over the plan, never over a cost).

Numerics: everything runs in float32 and in the log domain
(``log Q = S / eps`` then log-sum-exp normalisations), with autocast switched
off, so ``exp(1/0.05)`` never overflows fp16 and ``|S|/eps = 1e4`` is fine.
Empty rows/columns (padding, classes without samples, inactive
sub-centroids) stay at probability 0 without producing NaN.

Algorithm 1 first divides ``Q`` by its total; in the log domain this is a
constant shift per class that the first row normalisation removes exactly, so
it is skipped (and with it SwAV's all-reduce of the total).

Layout (:func:`sinkhorn_knopp_segments`): "ragged" ``(N, K)`` similarities
where every sample carries only its own class's ``K`` similarities and the
class is given by ``labels``; the per-class normalisations are segment
operations. Memory is ``O(N K)`` instead of the ``O(C K max_c N_c)`` of a
padded ``(C, K, N)`` layout, which is what segmentation (65k pixels, very
unbalanced classes) needs; one class is the special case ``labels = 0``.
The tests check it against an independent padded implementation.

Distributed (SwAV-style): with ``reduce_fn`` the row normalisers are reduced
over ranks (a ``'max'`` then a ``'sum'`` reduction, the stable way to
all-reduce a log-sum-exp) and so are the per-class sample counts ``N_c``
(the global batch size); the column normalisations stay local.

Degenerate case: a class with exactly one sample has a uniform plan (the
single sample is split evenly over the sub-centroids), so the plan's argmax
carries no information. Such a sample is assigned to its nearest active
sub-centroid instead (ties elsewhere go to the lowest index).
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from ._utils import ReduceFn, autocast_disabled, finite_or_zero, maybe_reduce

__all__ = ['sinkhorn_knopp_segments', 'segment_logsumexp']


def _check_eps_iters(epsilon: float, num_iters: int) -> None:
    if not epsilon > 0:
        raise ValueError(f'epsilon must be > 0, got {epsilon}')
    if num_iters < 1:
        raise ValueError(f'num_iters must be >= 1, got {num_iters}')


def segment_logsumexp(values: Tensor,
                      segments: Tensor,
                      num_segments: int,
                      reduce_fn: Optional[ReduceFn] = None) -> Tensor:
    """Log-sum-exp of the rows of ``values`` grouped by segment id.

    ``out[s, k] = log sum_{n : segments[n] = s} exp(values[n, k])``, computed
    stably with a per-segment maximum (``scatter_reduce`` ``'amax'``) and an
    ``index_add_`` of the shifted exponentials. With ``reduce_fn`` the maxima
    and the sums are reduced over ranks as well.

    Args:
        values: ``(N, K)`` float32 log-values (``-inf`` allowed).
        segments: ``(N,)`` int64 segment ids in ``[0, num_segments)``.
        num_segments: Number of segments ``S``.
        reduce_fn: Optional distributed hook.

    Returns:
        ``(S, K)`` float32; ``-inf`` for empty segments.
    """
    n, k = values.shape
    idx = segments.view(n, 1).expand(n, k)
    m = values.new_full((num_segments, k), float('-inf'))
    m.scatter_reduce_(0, idx, values, reduce='amax', include_self=True)
    m = maybe_reduce(m, 'max', reduce_fn)
    m_safe = finite_or_zero(m)
    s = values.new_zeros((num_segments, k))
    s.index_add_(0, segments,
                 torch.exp(values - m_safe.index_select(0, segments)))
    s = maybe_reduce(s, 'sum', reduce_fn)
    return m_safe + torch.log(s)


def sinkhorn_knopp_segments(
        similarities: Tensor,
        labels: Tensor,
        num_classes: int,
        centroid_mask: Optional[Tensor] = None,
        epsilon: float = 0.05,
        num_iters: int = 3,
        reduce_fn: Optional[ReduceFn] = None) -> Tuple[Tensor, Tensor]:
    """Log-domain Sinkhorn–Knopp for all classes at once, segment layout.

    Implements Eq. 6 of DNC (Algorithm 1, ``online_clustering``) for all
    classes at once. For class ``c`` with ``K_c`` active sub-centroids and
    ``N_c`` samples, starting from ``log Q = S / epsilon`` it repeats
    ``num_iters`` times: rows (sub-centroids) to sum ``1/K_c``, then columns
    (samples) to sum ``1/N_c``. Each sample ``n`` only stores the
    similarities to the ``K`` sub-centroids of its own class ``labels[n]``.
    Row normalisers are per-(class, sub-centroid) segment log-sum-exps over
    the samples of that class; column normalisers are plain log-sum-exps
    over ``K``. Cost per iteration is ``O(N K)`` whatever the class balance.

    Args:
        similarities: ``(N, K)`` similarities ``<p_k^{y_n}, x_n>``.
            Any float dtype; computed in float32.
        labels: ``(N,)`` class of every sample, in ``[0, num_classes)``
            (filter ignored samples out before calling).
        num_classes: Number of classes ``C``.
        centroid_mask: ``(C, K)`` bool, active sub-centroids; ``None``: all.
        epsilon: ``eps`` of Eq. 6 (paper: 0.05).
        num_iters: Number of row+column rounds (paper: 3).
        reduce_fn: Optional ``reduce_fn(tensor, op)`` for SwAV-style
            distributed Sinkhorn (row normalisers and ``N_c`` are reduced
            over ranks, columns stay local). Every rank must call this with
            the same ``num_classes`` and ``K``; it is called the same number
            of times whatever ``N`` is (also 0), so ranks stay in step.

    Returns:
        A tuple ``(plan, assignment)``:

        * ``plan``: ``(N, K)`` float32; sample ``n``'s column sums to
          ``1/N_{y_n}``; the rows of class ``c`` (summed over its samples)
          approximately to ``1/K_c``; 0 for inactive sub-centroids.
        * ``assignment``: ``(N,)`` int64 in ``[0, K)``, the argmax of the plan
          (nearest active sub-centroid for a class with a single sample);
          ``-1`` if the sample's class has no active sub-centroid.
    """
    _check_eps_iters(epsilon, num_iters)
    if similarities.dim() != 2:
        raise ValueError('similarities must be (N, K), got shape '
                         f'{tuple(similarities.shape)}')
    n, k = similarities.shape
    device = similarities.device
    with autocast_disabled(device), torch.no_grad():
        sims = similarities.detach().float()
        labels = labels.to(device=device, dtype=torch.long).view(n)
        if centroid_mask is None:
            centroid_mask = torch.ones((num_classes, k),
                                       dtype=torch.bool,
                                       device=device)
        centroid_mask = centroid_mask.to(device=device, dtype=torch.bool)
        active = centroid_mask.index_select(0, labels)  # (N, K)
        # On the CPU a host check is free and skips whole (N, K) passes;
        # elsewhere the masks are always applied (no synchronisation).
        on_cpu = device.type == 'cpu'
        masked = not on_cpu or not bool(centroid_mask.all())

        log_q = sims.div(epsilon)
        if masked:
            log_q.masked_fill_(~active, float('-inf'))
        counts = sims.new_zeros(num_classes).index_add_(
            0, labels, sims.new_ones(n))
        counts = maybe_reduce(counts, 'sum', reduce_fn)
        # (C, 1): per-class constants, gathered once per use as (N, 1)
        log_n = torch.log(counts.clamp(min=1.0)).unsqueeze(1)
        log_k = torch.log(centroid_mask.sum(1).float().clamp(min=1.0))

        for _ in range(num_iters):
            # rows: sum over the samples of class c of Q[n, k] = 1 / K_c
            row = finite_or_zero(
                segment_logsumexp(log_q, labels, num_classes, reduce_fn))
            log_q = log_q - (row + log_k.unsqueeze(1)).index_select(0, labels)
            # columns: sum_k Q[n, k] = 1 / N_c
            col = finite_or_zero(torch.logsumexp(log_q, dim=1, keepdim=True))
            log_q.sub_(col).sub_(log_n.index_select(0, labels))

        plan = torch.exp(log_q)
        assignment = log_q.argmax(dim=1)
        single = counts.index_select(0, labels) == 1
        if not on_cpu or bool(single.any()):
            nearest = sims.masked_fill(~active, float('-inf')).argmax(dim=1)
            assignment = torch.where(single, nearest, assignment)
        if masked:
            assignment = assignment.masked_fill(~active.any(dim=1), -1)
    return plan, assignment
