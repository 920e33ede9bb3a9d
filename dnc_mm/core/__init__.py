"""Pure-PyTorch core of the prototype classifiers of dnc_mm.

DNC: Wang, Han, Zhou, Liu, "Visual Recognition with Deep Nearest
Centroids", ICLR 2023, https://arxiv.org/abs/2209.07383 (code:
https://github.com/ChengHan111/DNC).

No OpenMMLab imports: the mmpretrain classification head and the mmseg
decode heads build on these functions.

* :mod:`.similarity` — logits ``max_k <x, p_k^c>`` (Eq. 7) and own-class
  similarities.
* :mod:`.sinkhorn` — log-domain, fp32, class-batched Sinkhorn–Knopp (Eq. 6).
* :mod:`.subcentroid_assignment` — hard sub-centroid assignment for all
  classes at once (``'sinkhorn'`` / ``'kmeans'`` / ``'nearest'``; Eq. 5,
  Table 17).
* :mod:`.momentum` — per-sub-centroid sums/counts and the momentum update
  (Eq. 8).
* :mod:`.update` — the whole estimation step of Algorithm 1.
* :mod:`.health` — collapse and usage of every class's sub-centroids.
* :mod:`.data_init` — sub-centroids seeded from data (batched k-means++),
  beyond the paper.
* :mod:`.num_subcentroids` — per-class ``K`` (Table 23) and active masks.

CBP + OCCL (Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern Recognition
2024):

* :mod:`.category_basis` — frozen orthogonal equal-norm prototypes
  (Algorithm 1) and the Table 4/5 ablations.
* :mod:`.centroid_contrast` — the two views and the OCCL (Eqs. 3–6).
* :mod:`.separability` — class separability CS (Eq. 8).

HPL (Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024,
https://github.com/msed-Ebrahimi/DL2PA_CVPR24):

* :mod:`.hyperspherical_prototypes` — Gaussian-potential uniformity loss,
  prototype estimation (Eq. 5), Table 7 statistics, simplex ETF.
* :mod:`.class_means` — class-mean moving average counting every sample,
  all-reduced over ranks.
* :mod:`.prototype_assignment` — Hungarian label-to-prototype assignment
  (Eq. 9), solved by :mod:`.linear_assignment` (a certified sparse solver
  with a dense fallback).
"""
from ._utils import ReduceFn, autocast_disabled
from .category_basis import (category_basis_prototypes, check_basis_size,
                             ema_update_prototypes, equalize_norms,
                             gram_schmidt, orthogonality_penalty)
from .centroid_contrast import (category_loss, centroid_loss,
                                online_centroid_contrastive_loss, split_views,
                                view_centroids)
from .class_means import class_sums, ema_class_means, update_class_means
from .data_init import DataInit, kmeanspp_subcentroids
from .health import subcentroid_health
from .hyperspherical_prototypes import (estimate_prototypes,
                                        prototype_statistics, simplex_etf,
                                        uniformity_loss)
from .momentum import (apply_momentum_update, momentum_update_rows,
                       scheduled_momentum, subcentroid_sums,
                       touched_subcentroid_sums)
from .num_subcentroids import (active_subcentroid_mask,
                               num_subcentroids_from_counts,
                               num_subcentroids_per_class)
from .prototype_assignment import assignment_changes, hungarian_assignment
from .separability import class_separability
from .similarity import (class_similarities, gather_class_similarities,
                         grouped_class_similarities, subcentroid_logits)
from .sinkhorn import segment_logsumexp, sinkhorn_knopp_segments
from .subcentroid_assignment import (ASSIGNMENT_METHODS, SubcentroidClustering,
                                     assign_subcentroids, kmeans_subcentroids)
from .update import MASK_ORDERS, SubcentroidUpdate, update_subcentroids

__all__ = [
    'ReduceFn', 'autocast_disabled', 'ASSIGNMENT_METHODS',
    'SubcentroidClustering', 'assign_subcentroids', 'kmeans_subcentroids',
    'DataInit', 'kmeanspp_subcentroids', 'subcentroid_health',
    'apply_momentum_update', 'scheduled_momentum', 'subcentroid_sums',
    'touched_subcentroid_sums', 'momentum_update_rows',
    'active_subcentroid_mask', 'num_subcentroids_from_counts',
    'num_subcentroids_per_class', 'class_similarities',
    'gather_class_similarities', 'grouped_class_similarities',
    'subcentroid_logits', 'segment_logsumexp', 'sinkhorn_knopp_segments',
    'MASK_ORDERS', 'SubcentroidUpdate', 'update_subcentroids',
    'category_basis_prototypes', 'check_basis_size', 'ema_update_prototypes',
    'equalize_norms', 'gram_schmidt', 'orthogonality_penalty', 'category_loss',
    'centroid_loss', 'online_centroid_contrastive_loss', 'split_views',
    'view_centroids', 'class_separability', 'class_sums', 'ema_class_means',
    'update_class_means', 'estimate_prototypes', 'prototype_statistics',
    'simplex_etf', 'uniformity_loss', 'assignment_changes',
    'hungarian_assignment'
]
