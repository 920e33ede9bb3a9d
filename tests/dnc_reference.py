"""A float64 per-class loop reference of DNC's clustering step, for tests.

What the official code does (a Python loop over classes), written out
literally per class in float64, so the batched core can be compared with it.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from dnc_mm.core._utils import (ReduceFn, autocast_disabled, finite_or_zero,
                                maybe_reduce)


def reference_assign(features,
                     labels,
                     subcentroids,
                     active,
                     selected,
                     method,
                     eps=0.05,
                     iters=3,
                     kmeans_iters=3):
    """Straightforward loop over classes (what the official code does), in
    float64, implementing Algorithm 1 literally per class."""
    n = features.shape[0]
    c = subcentroids.shape[0]
    out = torch.full((n, ), -1, dtype=torch.long)
    x64 = features.double()
    for ci in range(c):
        idx = ((labels == ci) & selected).nonzero().squeeze(1)
        kc = int(active[ci].sum())
        if idx.numel() == 0:
            continue
        x = x64[idx]
        p = subcentroids[ci, :kc].double()
        sims = p @ x.t()  # (K_c, N_c)
        if method == 'nearest':
            out[idx] = sims.argmax(0)
        elif method == 'sinkhorn':
            if idx.numel() == 1:
                out[idx] = sims.argmax(0)
                continue
            q = torch.exp(sims / eps)
            q /= q.sum()
            for _ in range(iters):
                q /= q.sum(1, keepdim=True)
                q /= kc
                q /= q.sum(0, keepdim=True)
                q /= idx.numel()
            out[idx] = q.argmax(0)
        else:  # k-means (cosine Lloyd), empty clusters keep their centre
            for _ in range(kmeans_iters):
                a = (p @ x.t()).argmax(0)
                for kk in range(kc):
                    members = x[a == kk]
                    if len(members):
                        p[kk] = F.normalize(members.sum(0), dim=0)
            out[idx] = (p @ x.t()).argmax(0)
    return out


def padded_sinkhorn_knopp(
        similarities: Tensor,
        sample_mask: Optional[Tensor] = None,
        centroid_mask: Optional[Tensor] = None,
        epsilon: float = 0.05,
        num_iters: int = 3,
        reduce_fn: Optional[ReduceFn] = None) -> Tuple[Tensor, Tensor]:
    """Log-domain Sinkhorn–Knopp on padded ``(C, K, N)`` similarities.

    An independent implementation of the product's segment-layout solver
    (:func:`dnc_mm.core.sinkhorn.sinkhorn_knopp_segments`): dense per-class
    blocks with masks instead of segment operations.

    Implements Eq. 6 of DNC (Algorithm 1, ``online_clustering``) for ``C``
    classes at once. For class ``c`` with ``K_c`` active sub-centroids and
    ``N_c`` valid samples, starting from ``log Q = S / epsilon`` it repeats
    ``num_iters`` times: rows (sub-centroids) to sum ``1/K_c``, then columns
    (samples) to sum ``1/N_c``.

    Args:
        similarities: ``(C, K, N)`` similarities ``<p_k^c, x_n>`` (cosine) of
            the padded samples of each class with that class's sub-centroids.
            Any float dtype; computed in float32.
        sample_mask: ``(C, N)`` bool, ``True`` for real (non-padded) samples.
            ``None``: all valid.
        centroid_mask: ``(C, K)`` bool, ``True`` for active sub-centroids
            (per-class ``K_c <= K``). ``None``: all active.
        epsilon: Entropic regularisation ``eps`` of Eq. 6 (paper: 0.05).
        num_iters: Number of row+column normalisation rounds (paper: 3).
        reduce_fn: Optional ``reduce_fn(tensor, op)`` for SwAV-style
            distributed Sinkhorn (row normalisers and ``N_c`` are reduced over
            ranks, columns stay local). Every rank must call this function
            with the same ``C`` and ``K``.

    Returns:
        A tuple ``(plan, assignment)``:

        * ``plan``: ``(C, K, N)`` float32 transport plan; columns of valid
          samples sum to ``1/N_c`` (``N_c`` global under ``reduce_fn``), rows
          of active sub-centroids approximately to ``1/K_c``; 0 at masked
          entries.
        * ``assignment``: ``(C, N)`` int64 hard assignment
          ``argmax_k plan[c, k, n]`` (nearest active sub-centroid for classes
          with a single sample); ``-1`` for masked samples.
    """
    _check_eps_iters(epsilon, num_iters)
    if similarities.dim() != 3:
        raise ValueError('similarities must be (C, K, N), got shape '
                         f'{tuple(similarities.shape)}')
    c, k, n = similarities.shape
    device = similarities.device
    with autocast_disabled(device), torch.no_grad():
        sims = similarities.detach().float()
        if sample_mask is None:
            sample_mask = torch.ones((c, n), dtype=torch.bool, device=device)
        if centroid_mask is None:
            centroid_mask = torch.ones((c, k), dtype=torch.bool, device=device)
        sample_mask = sample_mask.to(device=device, dtype=torch.bool)
        centroid_mask = centroid_mask.to(device=device, dtype=torch.bool)
        valid = centroid_mask.unsqueeze(2) & sample_mask.unsqueeze(1)

        log_q = torch.where(valid, sims / epsilon,
                            sims.new_full((), float('-inf')))
        num_samples = maybe_reduce(
            sample_mask.sum(1).float(), 'sum', reduce_fn)
        log_n = torch.log(num_samples.clamp(min=1.0)).view(c, 1, 1)
        log_k = torch.log(centroid_mask.sum(1).float().clamp(min=1.0))
        log_k = log_k.view(c, 1, 1)

        for _ in range(num_iters):
            # rows (sub-centroids): sum_n Q[c, k, n] = 1 / K_c
            row = finite_or_zero(_reduced_logsumexp(log_q, 2, reduce_fn))
            log_q = log_q - row.unsqueeze(2) - log_k
            # columns (samples): sum_k Q[c, k, n] = 1 / N_c
            col = finite_or_zero(torch.logsumexp(log_q, dim=1, keepdim=True))
            log_q = log_q - col - log_n

        plan = torch.exp(log_q)
        assignment = log_q.argmax(dim=1)
        nearest = sims.masked_fill(~centroid_mask.unsqueeze(2),
                                   float('-inf')).argmax(dim=1)
        single = (num_samples == 1).view(c, 1)
        assignment = torch.where(single, nearest, assignment)
        has_centroid = centroid_mask.any(dim=1, keepdim=True)
        assignment = assignment.masked_fill(~(sample_mask & has_centroid), -1)
    return plan, assignment


def _check_eps_iters(epsilon: float, num_iters: int) -> None:
    if not epsilon > 0:
        raise ValueError(f'epsilon must be > 0, got {epsilon}')
    if num_iters < 1:
        raise ValueError(f'num_iters must be >= 1, got {num_iters}')


def _reduced_logsumexp(x: Tensor, dim: int,
                       reduce_fn: Optional[ReduceFn]) -> Tensor:
    """Log-sum-exp over ``dim``, also over ranks when ``reduce_fn`` is set."""
    if reduce_fn is None:
        return torch.logsumexp(x, dim=dim)
    m = maybe_reduce(x.amax(dim=dim).contiguous(), 'max', reduce_fn)
    m_safe = finite_or_zero(m)
    s = torch.exp(x - m_safe.unsqueeze(dim)).sum(dim=dim)
    s = maybe_reduce(s.contiguous(), 'sum', reduce_fn)
    return m_safe + torch.log(s)
