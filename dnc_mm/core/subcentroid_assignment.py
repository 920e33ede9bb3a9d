"""Hard sub-centroid assignment of samples, all classes at once.

The class-wise clustering step of DNC (Eq. 5, Algorithm 1): every selected
sample (by default: correctly classified, Algorithm 1) of class ``c`` is
assigned to one of the ``K_c`` active sub-centroids of ``c``. Three methods:

* ``'sinkhorn'`` (default, the paper's): equipartition by log-domain
  Sinkhorn–Knopp (Eq. 6), see :mod:`dnc_mm.core.sinkhorn`.
* ``'kmeans'``: a few batched Lloyd iterations with cosine similarity,
  initialised from the current sub-centroids (appendix §H, Table 17); empty
  clusters keep their previous centre.
* ``'nearest'``: the most similar active sub-centroid (no equipartition).

Each sample only needs its own class's ``K`` similarities. The samples
taking part are sorted by class (their rows are never copied as a whole);
on the CPU a class with many samples gets one matrix product per block of
its rows and the small classes share batched products by size
(:func:`dnc_mm.core.similarity.grouped_class_similarities`); elsewhere a
chunked gather of ``P[labels]`` (no host synchronisation per class). The
transport's per-class normalisations are segment operations over the
labels, with no loop over classes. Memory is ``O(N K)`` plus one block,
never ``O(N C K)`` or ``O(C K max N_c)``.
"""
from dataclasses import dataclass
from typing import Any, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from ._utils import ReduceFn, autocast_disabled, check_choice, typed_options
from .momentum import subcentroid_sums
from .similarity import class_similarities, grouped_class_similarities
from .sinkhorn import sinkhorn_knopp_segments

__all__ = [
    'ASSIGNMENT_METHODS', 'SubcentroidClustering', 'assign_subcentroids',
    'kmeans_subcentroids'
]

ASSIGNMENT_METHODS = ('sinkhorn', 'kmeans', 'nearest')
# the options each method reads, besides its type
_METHOD_OPTIONS = {
    'sinkhorn': ('epsilon', 'num_iters'),
    'kmeans': ('num_iters', ),
    'nearest': (),
}


@dataclass(frozen=True)
class SubcentroidClustering:
    """How the samples of a class are split among its sub-centroids.

    The clustering step of Algorithm 1 (Eq. 5), one small immutable object
    that the classifier builds once from its config and the core reads.

    Attributes:
        type: ``'sinkhorn'`` (the paper: Eq. 5 relaxed, solved by the
            log-domain Sinkhorn–Knopp of Eq. 6), ``'kmeans'`` (batched
            spherical Lloyd iterations started from the current
            sub-centroids, appendix §H, Table 17) or ``'nearest'`` (each
            sample to its most similar sub-centroid, no equipartition).
        epsilon: ``eps`` of Eq. 6 (paper: 0.05); ``'sinkhorn'`` only.
        num_iters: Sinkhorn–Knopp rounds (paper: 3) for ``'sinkhorn'``,
            Lloyd iterations for ``'kmeans'``.
    """
    type: str = 'sinkhorn'
    epsilon: float = 0.05
    num_iters: int = 3

    def __post_init__(self) -> None:
        check_choice('clustering type', self.type, ASSIGNMENT_METHODS)
        if not self.epsilon > 0:
            raise ValueError('clustering epsilon must be > 0 (paper: 0.05), '
                             f'got {self.epsilon}')
        if int(self.num_iters) != self.num_iters or self.num_iters < 1:
            raise ValueError('clustering num_iters must be an integer >= 1, '
                             f'got {self.num_iters}')

    @classmethod
    def from_config(cls, cfg: Any) -> 'SubcentroidClustering':
        """Build from a config dict such as ``dict(type='sinkhorn',
        epsilon=0.05, num_iters=3)`` (omitted options keep their defaults).

        Raises:
            ValueError: ``cfg`` is not such a dict, or it has an option its
                type does not read (e.g. an ``epsilon`` inherited from a
                Sinkhorn base config by a k-means config without
                ``_delete_=True``).
        """
        if isinstance(cfg, cls):
            return cfg
        method, options = typed_options(
            'clustering', cfg, _METHOD_OPTIONS,
            "dict(type='sinkhorn', epsilon=0.05, num_iters=3)")
        return cls(method, **options)


def _masked_argmax(sims: Tensor, active: Tensor) -> Tensor:
    """Argmax over active columns; -1 where a row has none. ``(N,)``."""
    idx = sims.masked_fill(~active, float('-inf')).argmax(dim=1)
    return idx.masked_fill(~active.any(dim=1), -1)


def kmeans_subcentroids(features: Tensor,
                        labels: Tensor,
                        subcentroids: Tensor,
                        active_mask: Optional[Tensor] = None,
                        num_iters: int = 3,
                        similarities: Optional[Tensor] = None,
                        chunk_size: Optional[int] = None,
                        reduce_fn: Optional[ReduceFn] = None) -> Tensor:
    """Batched spherical k-means inside every class (Table 17 alternative).

    ``num_iters`` Lloyd iterations (assign every sample to the most similar
    active centre of its class, then move each centre to the l2-normalised
    mean of its samples; a centre without samples stays), starting from the
    current sub-centroids, followed by a final assignment to the final
    centres, which is returned. Centres are local to this call: the
    sub-centroids are updated afterwards by the momentum rule (Eq. 8) from
    the returned assignment, as for Sinkhorn.

    Args:
        features: ``(N, D)`` l2-normalised features of selected samples.
        labels: ``(N,)`` int64 classes in ``[0, C)``.
        subcentroids: ``(C, K, D)`` initial centres.
        active_mask: ``(C, K)`` bool active sub-centroids; ``None``: all.
        num_iters: Lloyd iterations (>= 0; 0 is ``'nearest'``).
        similarities: Optional precomputed ``(N, K)`` own-class similarities
            to ``subcentroids`` (saves the first gather).
        chunk_size: Gather chunk size, see
            :func:`~dnc_mm.core.similarity.class_similarities`.
        reduce_fn: Optional distributed hook: cluster sums and counts are
            summed over ranks every iteration (identical centres everywhere).

    Returns:
        ``(N,)`` int64 assignment in ``[0, K)`` (-1 if the class has no
        active sub-centroid).
    """
    n = features.shape[0]
    c, k, _ = subcentroids.shape
    if num_iters < 0:
        raise ValueError(f'num_iters must be >= 0, got {num_iters}')
    with autocast_disabled(features.device), torch.no_grad():
        if active_mask is None:
            active_mask = torch.ones((c, k),
                                     dtype=torch.bool,
                                     device=features.device)
        active = active_mask.to(features.device, torch.bool)[labels]
        centres = subcentroids.detach().float()
        sims = similarities
        for _ in range(num_iters):
            if sims is None:
                sims = class_similarities(features, labels, centres,
                                          chunk_size)
            assign = _masked_argmax(sims.float(), active)
            sums, counts = subcentroid_sums(features, labels, assign, c, k,
                                            reduce_fn)
            centres = torch.where((counts > 0).unsqueeze(-1),
                                  F.normalize(sums, dim=-1), centres)
            sims = None
        if sims is None:
            sims = class_similarities(features, labels, centres, chunk_size)
        assign = _masked_argmax(sims.float(), active)
    return assign.view(n)


def assign_subcentroids(
        features: Tensor,
        labels: Tensor,
        subcentroids: Tensor,
        active_mask: Optional[Tensor] = None,
        selected: Optional[Tensor] = None,
        clustering: SubcentroidClustering = SubcentroidClustering(),
        similarities: Optional[Tensor] = None,
        chunk_size: Optional[int] = None,
        reduce_fn: Optional[ReduceFn] = None) -> Tensor:
    """Assign every selected sample to a sub-centroid of its own class.

    Implements the clustering step of Algorithm 1 (Eq. 5 relaxed and solved
    by Eq. 6 for ``'sinkhorn'``) for all classes in a few tensor operations.
    Samples that are not selected, or whose label is outside ``[0, C)``
    (e.g. ``ignore_index`` = 255 pixels), get -1 and never move a
    sub-centroid. Runs in float32 with autocast off; no gradient.

    Args:
        features: ``(N, D)`` l2-normalised features (any float dtype).
        labels: ``(N,)`` int classes.
        subcentroids: ``(C, K, D)`` current l2-normalised sub-centroids.
        active_mask: ``(C, K)`` bool active sub-centroids (per-class
            ``K_c``, see :mod:`dnc_mm.core.num_subcentroids`); ``None``: all.
        selected: ``(N,)`` bool, which samples take part (Algorithm 1: the
            correctly classified ones); ``None``: all.
        clustering: The method and its options.
        similarities: Optional ``(N, K)`` precomputed own-class similarities
            ``<x_n, p_k^{y_n}>`` (e.g. from
            :func:`~dnc_mm.core.similarity.gather_class_similarities`); rows
            of unselected samples are ignored.
        chunk_size: Rows per block (CPU) or gather chunk (elsewhere) when
            the similarities are computed here; ``None``: from the memory
            budgets of :mod:`dnc_mm.core.similarity`.
        reduce_fn: Optional distributed hook (``'sinkhorn'``: SwAV-style
            row normalisers and class counts; ``'kmeans'``: cluster sums and
            counts). Must be used by every rank, also with no selected sample.

    Returns:
        ``(N,)`` int64: the sub-centroid index in ``[0, K)`` of every
        selected sample, -1 elsewhere.
    """
    if not isinstance(clustering, SubcentroidClustering):
        raise TypeError('clustering must be a SubcentroidClustering (see '
                        'SubcentroidClustering.from_config), got '
                        f'{type(clustering).__name__}')
    method = clustering.type
    n = features.shape[0]
    c, k, _ = subcentroids.shape
    device = features.device
    with autocast_disabled(device), torch.no_grad():
        labels = labels.to(device=device, dtype=torch.long).view(n)
        keep = (labels >= 0) & (labels < c)
        if selected is not None:
            keep = keep & selected.to(device=device, dtype=torch.bool).view(n)
        if active_mask is None:
            active_mask = torch.ones((c, k), dtype=torch.bool, device=device)
        active_mask = active_mask.to(device=device, dtype=torch.bool)
        idx = keep.nonzero().squeeze(1)
        out = torch.full((n, ), -1, dtype=torch.long, device=device)

        if method == 'kmeans':  # iterates over the rows: copy them once
            x = features.detach().index_select(0, idx)
            y = labels.index_select(0, idx)
            sims = (None if similarities is None else
                    similarities.detach().index_select(0, idx))
            out[idx] = kmeans_subcentroids(x, y, subcentroids, active_mask,
                                           clustering.num_iters, sims,
                                           chunk_size, reduce_fn)
            return out
        # The samples grouped by class (the rows of features are never
        # copied as a whole): each class's rows are contiguous, which the
        # CPU similarities use for one matrix product per class.
        y, order = torch.sort(labels.index_select(0, idx), stable=True)
        idx = idx.index_select(0, order)
        if similarities is not None:
            sims = similarities.detach().index_select(0, idx)
        elif device.type == 'cpu':
            counts = torch.bincount(y, minlength=c)
            sims = grouped_class_similarities(
                features, idx, counts, subcentroids, chunk_size=chunk_size)
        else:
            sims = class_similarities(
                features, y, subcentroids, chunk_size, index=idx)
        if method == 'nearest':
            sub = _masked_argmax(sims.float(), active_mask.index_select(0, y))
        else:
            _, sub = sinkhorn_knopp_segments(sims, y, c, active_mask,
                                             clustering.epsilon,
                                             clustering.num_iters, reduce_fn)
        out[idx] = sub
    return out
