"""Pure-PyTorch core of Deep Nearest Centroids (DNC, seed 000).

No OpenMMLab imports: the mmpretrain classification head and the mmseg
decode heads build on these functions.

* :mod:`.similarity` — logits ``max_k <x, p_k^c>`` (Eq. 7) and own-class
  similarities.
* :mod:`.sinkhorn` — log-domain, fp32, class-batched Sinkhorn–Knopp (Eq. 6).
* :mod:`.assignment` — hard assignment for all classes at once
  (``'sinkhorn'`` / ``'kmeans'`` / ``'nearest'``; Eq. 5, Table 17).
* :mod:`.momentum` — per-sub-centroid sums/counts and the momentum update
  (Eq. 8).
* :mod:`.update` — the whole estimation step of Algorithm 1.
* :mod:`.num_subcentroids` — per-class ``K`` (Table 23) and active masks.
* :mod:`.distributed` — the ``reduce_fn`` hook over ``torch.distributed``.
"""
from ._utils import ReduceFn, autocast_disabled
from .assignment import (ASSIGNMENT_METHODS, assign_subcentroids,
                         kmeans_subcentroids)
from .distributed import all_reduce_fn
from .momentum import apply_momentum_update, subcentroid_sums
from .num_subcentroids import (active_subcentroid_mask,
                               num_subcentroids_from_counts,
                               num_subcentroids_per_class)
from .similarity import (class_similarities, gather_class_similarities,
                         subcentroid_logits)
from .sinkhorn import (segment_logsumexp, sinkhorn_knopp,
                       sinkhorn_knopp_segments)
from .update import SubcentroidUpdate, update_subcentroids

__all__ = [
    'ReduceFn', 'autocast_disabled', 'ASSIGNMENT_METHODS',
    'assign_subcentroids', 'kmeans_subcentroids', 'all_reduce_fn',
    'apply_momentum_update', 'subcentroid_sums', 'active_subcentroid_mask',
    'num_subcentroids_from_counts', 'num_subcentroids_per_class',
    'class_similarities', 'gather_class_similarities', 'subcentroid_logits',
    'segment_logsumexp', 'sinkhorn_knopp', 'sinkhorn_knopp_segments',
    'SubcentroidUpdate', 'update_subcentroids'
]
