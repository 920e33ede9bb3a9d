"""One full DNC sub-centroid estimation step (Algorithm 1, lower half).

Wang, Han, Zhou, Liu, "Visual Recognition with Deep Nearest Centroids",
ICLR 2023, https://arxiv.org/abs/2209.07383, Algorithm 1: class-wise
clustering of the selected samples of every class (Eq. 5/6, or k-means /
nearest), per-sub-centroid means, momentum update (Eq. 8). This is the
function the classification and segmentation heads call once per training
iteration on the detached features (batch, plus memory for
classification).
"""
from typing import NamedTuple, Optional

import torch
from torch import Tensor

from ._utils import ReduceFn
from .momentum import (apply_momentum_update, momentum_update_rows,
                       subcentroid_sums, touched_subcentroid_sums)
from .subcentroid_assignment import SubcentroidClustering, assign_subcentroids

__all__ = ['MASK_ORDERS', 'SubcentroidUpdate', 'update_subcentroids']

#: When the misclassified samples are dropped: ``'after'`` the transport
#: (Algorithm 1 of DNC: cluster all samples of the class, then only the
#: correctly classified ones move a sub-centroid) or ``'before'`` it (the
#: equipartition is then among the correct samples only).
MASK_ORDERS = ('after', 'before')


class SubcentroidUpdate(NamedTuple):
    """Result of :func:`update_subcentroids`.

    Attributes:
        subcentroids: ``(C, K, D)`` updated sub-centroids.
        assignment: ``(N,)`` int64 sub-centroid of every sample, -1 for
            samples that took no part.
        counts: ``(C, K)`` float32 number of samples behind every updated
            sub-centroid (summed over ranks under ``reduce_fn``); 0 means
            "unchanged".
    """
    subcentroids: Tensor
    assignment: Tensor
    counts: Tensor


def update_subcentroids(
        subcentroids: Tensor,
        features: Tensor,
        labels: Tensor,
        selected: Optional[Tensor] = None,
        active_mask: Optional[Tensor] = None,
        momentum: float = 0.999,
        clustering: SubcentroidClustering = SubcentroidClustering(),
        mask_order: str = 'after',
        similarities: Optional[Tensor] = None,
        chunk_size: Optional[int] = None,
        reduce_fn: Optional[ReduceFn] = None,
        inplace: bool = False) -> SubcentroidUpdate:
    """Cluster the selected samples per class and momentum-update ``P``.

    Algorithm 1 of DNC: assignment (Eq. 5, solved by Sinkhorn Eq. 6 by
    default), then ``p_k^c <- normalize(mu p_k^c + (1 - mu) x_bar_k^c)``
    (Eq. 8) with ``x_bar`` the l2-normalised mean of the samples assigned to
    ``(c, k)``. Sub-centroids without samples, and classes without selected
    samples, are left bit-for-bit unchanged.

    Distributed: with ``reduce_fn`` the assignment is computed SwAV-style and
    the per-sub-centroid sums and counts are summed over ranks before the
    update, so every rank ends with identical sub-centroids (given identical
    sub-centroids before). Alternatively all-gather the features and call
    this without ``reduce_fn`` on every rank.

    Args:
        subcentroids: ``(C, K, D)`` l2-normalised sub-centroids (a buffer).
        features: ``(N, D)`` l2-normalised features (detached inside).
        labels: ``(N,)`` classes; values outside ``[0, C)`` are ignored.
        selected: ``(N,)`` bool; Algorithm 1 uses the correctly classified
            samples. ``None``: all.
        active_mask: ``(C, K)`` bool active sub-centroids; ``None``: all.
        momentum: ``mu`` of Eq. 8 (paper 0.999).
        clustering: The clustering method and its options (Eqs. 5, 6).
        mask_order: ``'after'`` (Algorithm 1): every sample with a valid
            label takes part in the transport and ``selected`` only decides
            which assigned samples enter the means; ``'before'``: unselected
            samples are dropped before the transport.
        similarities: Optional precomputed ``(N, K)`` own-class similarities.
        chunk_size: Gather chunk size for computing similarities.
        reduce_fn: Optional distributed hook ``reduce_fn(tensor, op)``.
        inplace: Write the new values into ``subcentroids``.

    Returns:
        :class:`SubcentroidUpdate` ``(subcentroids, assignment, counts)``.
    """
    if mask_order not in MASK_ORDERS:
        raise ValueError(f'mask_order must be one of {MASK_ORDERS}, got '
                         f'{mask_order!r}')
    c, k, _ = subcentroids.shape
    before = selected if mask_order == 'before' else None
    assignment = assign_subcentroids(features, labels, subcentroids,
                                     active_mask, before, clustering,
                                     similarities, chunk_size, reduce_fn)
    if selected is not None and mask_order == 'after':
        assignment = assignment.masked_fill(
            ~selected.to(assignment.device, torch.bool).view(-1), -1)
    if reduce_fn is None:
        # one process: sums of the touched sub-centroids only
        rows, sums, row_counts = touched_subcentroid_sums(
            features, labels, assignment, c, k)
        new = momentum_update_rows(subcentroids, rows, sums, momentum, inplace)
        counts = row_counts.new_zeros(c * k).index_copy_(0, rows, row_counts)
        return SubcentroidUpdate(new, assignment, counts.view(c, k))
    sums, counts = subcentroid_sums(features, labels, assignment, c, k,
                                    reduce_fn)
    new = apply_momentum_update(subcentroids, sums, counts, momentum, inplace)
    return SubcentroidUpdate(new, assignment, counts)
