"""The DNC sub-centroid classifier shared by classification and segmentation.

One ``nn.Module`` holds the state of DNC's non-parametric classifier and
calls the algorithms of :mod:`dnc_mm.core`; it is registered in mmengine's
``MODELS`` (the parent of mmpretrain's and mmseg's registries), so both
kinds of head build it from their ``classifier`` config:

* ``subcentroids`` ``(C, K_max, D)``: l2-normalised sub-centroids, a buffer
  (saved in checkpoints, never seen by the optimizer);
* ``active`` ``(C, K_max)``: which of the padded slots are used (per-class K,
  Table 23);
* ``anchor_indices`` ``(C, K_max)``: the training-set index each
  sub-centroid is anchored to (§4.3), -1 while not anchored;
* ``initialized`` ``(C,)``: which classes have left their initial state
  (always true with random initialisation; with ``init=dict(type='data')``
  a class becomes initialised, once, when an update first sees at least
  ``K_c`` of its samples);
* ``num_updates`` ``()``: the number of estimation steps made, which drives
  the momentum warm-up;
* ``usage`` ``(C, K_max)``: a moving average (decay 0.9 per update) of how
  many samples each sub-centroid was assigned, for the health statistics
  (:meth:`health`).

All of it is identical on every rank and restored on resume, so a resumed
run never re-initialises and continues the momentum schedule where it was.

:meth:`forward` gives the logits ``s_c(x) = max_k <x, p_k^c>`` (Eq. 7);
:meth:`update` runs one estimation step of Algorithm 1 (clustering + momentum,
Eqs. 5, 6, 8) on detached features. The mmpretrain head and the mmseg decode
heads are thin adapters around it.
"""
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.registry import MODELS
from torch import Tensor, nn

from dnc_mm.core import (MASK_ORDERS, SubcentroidClustering,
                         active_subcentroid_mask, apply_momentum_update,
                         assign_subcentroids, kmeanspp_subcentroids,
                         num_subcentroids_per_class, scheduled_momentum,
                         subcentroid_logits, update_subcentroids)
from dnc_mm.core._utils import check_choice, typed_options
from dnc_mm.core.health import subcentroid_health
from dnc_mm.core.split_merge import split_merge_step
from ..utils.dist import all_reduce_fn, broadcast_fn

__all__ = [
    'SubCentroidClassifier', 'INIT_MODES', 'MOVED_HEAD_OPTIONS',
    'build_subcentroid_classifier'
]

# the options each initialisation reads, besides its type
_INIT_OPTIONS = {'random': (), 'data': ('num_iters', )}
#: ``'random'``: random unit vectors (the paper); ``'data'``: each class is
#: seeded by k-means++ on the first features seen of it (beyond the paper).
INIT_MODES = tuple(_INIT_OPTIONS)
_USAGE_DECAY = 0.9


def _init_from_config(init: Any) -> Tuple[str, int]:
    """``(type, Lloyd iterations)`` of an ``init`` config, checked."""
    kind, options = typed_options('init', init, _INIT_OPTIONS,
                                  "dict(type='data', num_iters=3)")
    num_iters = options.get('num_iters', 3)
    if int(num_iters) != num_iters or num_iters < 0:
        raise ValueError(
            f'init num_iters must be an integer >= 0, got {num_iters}')
    return kind, int(num_iters)


@MODELS.register_module()
class SubCentroidClassifier(nn.Module):
    """Nearest-sub-centroid classifier with online Sinkhorn estimation.

    The DNC heads build it from their ``classifier`` config, e.g.
    ``classifier=dict(type='SubCentroidClassifier', num_subcentroids=4,
    momentum=0.999, clustering=dict(type='sinkhorn', epsilon=0.05,
    num_iters=3))``; the head fills in ``num_classes``, ``embed_dims`` and
    ``distributed_mode``. Every option of DNC's estimation is documented and
    validated here, once.

    Args:
        num_classes: ``C``, at least 1 (set by the head).
        embed_dims: ``D``, the dimension of the (l2-normalised) features
            (set by the head).
        num_subcentroids: ``K`` for every class (int), or one int per class
            (paper: 4 for classification, 10 for segmentation). With
            ``class_counts`` an int is ``K_max`` of the count rule.
        class_counts: Optional ``C`` training-sample counts for the
            count-based per-class K of Table 23.
        momentum: ``mu`` of Eq. 8 (paper: 0.999).
        clustering: Config of the clustering step (Eq. 5): ``dict(type=
            'sinkhorn', epsilon=0.05, num_iters=3)`` (the paper; ``eps`` of
            Eq. 6 and the Sinkhorn–Knopp rounds), ``dict(type='kmeans',
            num_iters=3)`` (Lloyd iterations, Table 17) or
            ``dict(type='nearest')`` (argmax, no equipartition); see
            :class:`~dnc_mm.core.SubcentroidClustering`.
        update_correct_only: Cluster only correctly classified samples
            (Algorithm 1). ``False`` for DeepNCM-style class means.
        mask_order: ``'after'`` (Algorithm 1): all samples of a class take
            part in the transport and only the correctly classified ones
            move the sub-centroids; ``'before'``: misclassified samples are
            dropped before the transport.
        init: ``dict(type='random')`` (the paper: random unit vectors) or
            ``dict(type='data', num_iters=3)`` (beyond the paper: k-means++
            per class on the first update that sees ``K_c`` samples of it,
            all samples counted, then ``num_iters`` Lloyd iterations).
        momentum_warmup_iters: Updates over which ``mu`` rises linearly from
            ``momentum_warmup_start`` to ``momentum`` (0: constant ``mu``,
            the paper).
        momentum_warmup_start: ``mu`` at the first update of the warm-up.
        distributed_mode: How ranks stay identical (set by the head):
            ``'reduce'`` all-reduces Sinkhorn marginals and per-sub-centroid
            sums and counts (each rank passes its own samples; a data
            initialisation is computed on rank 0 and broadcast); ``'none'``:
            the caller passes the same (gathered) samples on every rank.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int,
                 num_subcentroids: Union[int, Sequence[int]],
                 class_counts: Optional[Sequence[int]] = None,
                 momentum: float = 0.999,
                 clustering: Union[dict, SubcentroidClustering] = dict(
                     type='sinkhorn', epsilon=0.05, num_iters=3),
                 update_correct_only: bool = True,
                 mask_order: str = 'after',
                 init: dict = dict(type='random'),
                 momentum_warmup_iters: int = 0,
                 momentum_warmup_start: float = 0.9,
                 distributed_mode: str = 'reduce') -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        if embed_dims < 1:
            raise ValueError(f'embed_dims must be >= 1, got {embed_dims}')
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f'momentum must be in [0, 1], got {momentum}')
        self.clustering = SubcentroidClustering.from_config(clustering)
        if distributed_mode not in ('reduce', 'none'):
            raise ValueError("distributed_mode must be 'reduce' or 'none', "
                             f'got {distributed_mode!r}')
        check_choice('mask_order', mask_order, MASK_ORDERS)
        self.init, self.init_iters = _init_from_config(init)
        if momentum_warmup_iters < 0:
            raise ValueError('momentum_warmup_iters must be >= 0, got '
                             f'{momentum_warmup_iters}')
        if momentum_warmup_iters > 0 and not (0.0 <= momentum_warmup_start <=
                                              momentum):
            raise ValueError(
                'momentum_warmup_start must be in [0, momentum] = '
                f'[0, {momentum}], got {momentum_warmup_start}')
        per_class = num_subcentroids_per_class(num_classes, num_subcentroids,
                                               class_counts)
        self.num_classes = num_classes
        self.embed_dims = embed_dims
        self.momentum = momentum
        self.update_correct_only = update_correct_only
        self.distributed_mode = distributed_mode
        self.mask_order = mask_order
        self.momentum_warmup_iters = int(momentum_warmup_iters)
        self.momentum_warmup_start = momentum_warmup_start
        k_max = int(per_class.max())
        start = F.normalize(
            torch.randn(num_classes, k_max, embed_dims), dim=-1)
        self.register_buffer('subcentroids', start)
        self.register_buffer('active', active_subcentroid_mask(per_class))
        self.register_buffer(
            'anchor_indices',
            torch.full((num_classes, k_max), -1, dtype=torch.long))
        self.register_buffer(
            'initialized', torch.full((num_classes, ), self.init == 'random'))
        self.register_buffer('num_updates', torch.zeros((), dtype=torch.long))
        self.register_buffer('usage', torch.zeros(num_classes, k_max))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # checkpoints written before these buffers existed hold trained
        # sub-centroids: they count as initialised, the schedule as done
        if prefix + 'subcentroids' in state_dict:
            state_dict.setdefault(prefix + 'initialized',
                                  torch.ones_like(self.initialized))
            state_dict.setdefault(
                prefix + 'num_updates',
                torch.tensor(self.momentum_warmup_iters, dtype=torch.long))
            state_dict.setdefault(prefix + 'usage',
                                  torch.zeros_like(self.usage))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @property
    def current_momentum(self) -> float:
        """``mu`` the next update uses (after the warm-up: ``momentum``)."""
        return scheduled_momentum(self.momentum, int(self.num_updates),
                                  self.momentum_warmup_iters,
                                  self.momentum_warmup_start)

    @property
    def num_subcentroids(self) -> Tensor:
        """``(C,)`` number of active sub-centroids per class."""
        return self.active.sum(dim=1)

    @property
    def anchored(self) -> bool:
        """Whether the sub-centroids are anchored to training images."""
        return bool((self.anchor_indices[self.active] >= 0).all())

    def forward(self,
                features: Tensor,
                channel_dim: int = -1) -> Tuple[Tensor, Tensor]:
        """Class logits and all sub-centroid similarities (Eq. 7).

        Args:
            features: l2-normalised features with ``D`` channels at
                ``channel_dim``: ``(N, D)`` or ``(B, D, H, W)`` with
                ``channel_dim=1``.
            channel_dim: Where ``D`` is.

        Returns:
            ``(logits, sims)``: logits ``(N, C)`` / ``(B, C, H, W)`` and
            similarities ``(N, C, K)`` / ``(B, C, K, H, W)``.
        """
        protos = self.subcentroids
        if torch.is_grad_enabled() and features.requires_grad:
            # the update writes the buffer in place before this step's
            # backward pass, which needs the values used here
            protos = protos.clone()
        return subcentroid_logits(features, protos, self.active, channel_dim)

    @torch.no_grad()
    def set_num_subcentroids(self, num_per_class: Tensor) -> None:
        """Change how many of the ``K_max`` slots each class uses.

        Args:
            num_per_class: ``(C,)`` values in ``[1, K_max]``.

        Raises:
            ValueError: a value is outside ``[1, K_max]`` or the sub-centroids
                are already anchored.
        """
        k_max = self.subcentroids.shape[1]
        num = torch.as_tensor(num_per_class, dtype=torch.long).flatten()
        if num.numel() != self.num_classes or (num
                                               < 1).any() or (num
                                                              > k_max).any():
            raise ValueError(f'need {self.num_classes} values in [1, '
                             f'{k_max}], got {num.tolist()[:8]}...')
        if self.anchored:
            raise ValueError('cannot change K of anchored sub-centroids')
        self.active.copy_(
            active_subcentroid_mask(num, k_max, self.active.device))

    @torch.no_grad()
    def update(self,
               features: Tensor,
               labels: Tensor,
               correct: Optional[Tensor] = None,
               similarities: Optional[Tensor] = None) -> Tensor:
        """One estimation step of Algorithm 1.

        Args:
            features: ``(N, D)`` l2-normalised features (detached inside).
            labels: ``(N,)`` classes; values outside ``[0, C)`` (e.g. the
                ignore index) never take part.
            correct: ``(N,)`` bool, correctly classified. Used when
                ``update_correct_only``; ``None`` means all.
            similarities: Optional ``(N, K_max)`` float32 own-class
                similarities ``<x_n, p_k^{y_n}>`` of these features to the
                current sub-centroids (e.g. taken from this step's forward
                pass), which the clustering then does not recompute. Ignored
                when this step seeds a class (``init='data'``): the seeded
                sub-centroids are not the ones they were computed with.

        Returns:
            ``(C, K)`` number of samples behind each sub-centroid's update
            (summed over ranks in ``'reduce'`` mode).
        """
        if self.anchored:
            raise RuntimeError(
                'sub-centroids are anchored to training images; they are '
                'updated from their anchors (see SubCentroidAnchorHook), not '
                'by clustering')
        selected = correct if self.update_correct_only else None
        reduce_fn = (
            all_reduce_fn() if self.distributed_mode == 'reduce' else None)
        features = features.detach()
        if not bool(self.initialized.all()):
            self._initialize_from_data(features, labels)
            similarities = None  # may be stale now
        result = update_subcentroids(
            self.subcentroids,
            features,
            labels,
            selected=selected,
            # classes still waiting for their data initialisation stay put
            active_mask=self.active & self.initialized.unsqueeze(1),
            momentum=self.current_momentum,
            clustering=self.clustering,
            mask_order=self.mask_order,
            similarities=similarities,
            reduce_fn=reduce_fn,
            inplace=True)  # the buffer keeps its identity (DDP, hooks)
        self.num_updates.add_(1)
        self.usage.mul_(_USAGE_DECAY).add_(result.counts.to(self.usage))
        return result.counts

    @torch.no_grad()
    def assign(self, features: Tensor, labels: Tensor) -> Tensor:
        """The own-class sub-centroid of every sample of this batch.

        The clustering of :meth:`update` on the given samples only, all of
        them (correct or not), without memory, without moving anything;
        e.g. the targets of
        :func:`~dnc_mm.core.subcentroid_contrast.subcentroid_contrast_losses`.
        Local to the rank (no reduction).

        Args:
            features: ``(N, D)`` l2-normalised features (detached inside).
            labels: ``(N,)`` classes; values outside ``[0, C)`` get -1.

        Returns:
            ``(N,)`` int64 sub-centroid index in ``[0, K)``, -1 where none.
        """
        return assign_subcentroids(
            features.detach(),
            labels,
            self.subcentroids,
            active_mask=self.active,
            clustering=self.clustering)

    @torch.no_grad()
    def health(self) -> Dict[str, Tensor]:
        """Per-class collapse and usage statistics, see
        :func:`dnc_mm.core.health.subcentroid_health`."""
        return subcentroid_health(self.subcentroids, self.active, self.usage)

    @torch.no_grad()
    def _initialize_from_data(self, features: Tensor, labels: Tensor) -> None:
        """Seed every not yet initialised class that has ``K_c`` samples.

        All samples with a valid label count (early in training few are
        correctly classified). In ``'reduce'`` mode rank 0's result is
        broadcast, so every rank holds the same sub-centroids.
        """
        result = kmeanspp_subcentroids(
            features,
            labels,
            self.num_classes,
            self.active,
            self.init_iters,
            seed=int(self.num_updates))
        new = result.ready & ~self.initialized
        centres = result.subcentroids.to(self.subcentroids)
        broadcast = (
            broadcast_fn() if self.distributed_mode == 'reduce' else None)
        if broadcast is not None:
            flag = new.to(torch.uint8)
            broadcast(centres)
            broadcast(flag)
            new = flag.bool()
        seeded = (new.unsqueeze(1) & self.active).unsqueeze(-1)
        self.subcentroids.copy_(
            torch.where(seeded, centres, self.subcentroids))
        self.initialized.logical_or_(new)

    @torch.no_grad()
    def set_anchors(self, indices: Tensor, features: Tensor) -> None:
        """Anchor every active sub-centroid to one training sample (§4.3).

        Args:
            indices: ``(C, K)`` dataset indices (-1 for inactive slots).
            features: ``(C, K, D)`` current l2-normalised features of those
                samples; they become the sub-centroids.
        """
        if indices.shape != self.anchor_indices.shape:
            raise ValueError(f'anchor indices must be '
                             f'{tuple(self.anchor_indices.shape)}, got '
                             f'{tuple(indices.shape)}')
        if (indices[self.active] < 0).any():
            raise ValueError('every active sub-centroid needs an anchor')
        self.anchor_indices.copy_(indices)
        self.set_anchor_features(features)

    @torch.no_grad()
    def update_anchored(self, features: Tensor,
                        sample_indices: Tensor) -> Tensor:
        """Momentum-update anchored sub-centroids from their anchors only.

        After anchoring (§4.3), a sub-centroid follows the current feature
        of its anchor image: whenever the anchor is in the batch, Eq. 8 is
        applied with ``x_bar`` = that image's feature. Other samples never
        move a sub-centroid.

        Args:
            features: ``(N, D)`` l2-normalised features.
            sample_indices: ``(N,)`` dataset indices of the samples.

        Returns:
            ``(C, K)`` number of samples behind each update.
        """
        c, k, d = self.subcentroids.shape
        anchors = self.anchor_indices.masked_fill(~self.active, -2).view(-1)
        match = (anchors.unsqueeze(1) == sample_indices.view(1, -1)).float()
        sums = (match @ features.detach().float()).view(c, k, d)
        counts = match.sum(dim=1).view(c, k)
        apply_momentum_update(
            self.subcentroids,
            sums,
            counts,
            self.current_momentum,
            inplace=True)
        self.num_updates.add_(1)
        return counts

    @torch.no_grad()
    def set_anchor_features(self, features: Tensor) -> None:
        """Replace anchored sub-centroids by their anchors' features.

        Args:
            features: ``(C, K, D)``; only active slots are used.
        """
        new = F.normalize(features.float(), dim=-1).to(self.subcentroids)
        self.subcentroids.copy_(
            torch.where(self.active.unsqueeze(-1), new, self.subcentroids))

    @torch.no_grad()
    def split_merge(self, features: Tensor, labels: Tensor, mode: str,
                    **kwargs) -> Tuple[Tensor, Tensor, Tensor]:
        """One split or merge round of the per-class K (in place).

        See :func:`dnc_mm.core.split_merge.split_merge_step`; ``kwargs`` are
        its thresholds. The buffers keep their shapes (``K_max`` slots).

        Returns:
            ``(num_splits, num_merges, best_gain)``, each ``(C,)``.
        """
        if self.anchored:
            raise RuntimeError('anchored sub-centroids cannot be split or '
                               'merged; anchor after the automatic K phase')
        result = split_merge_step(self.subcentroids, self.active, features,
                                  labels, mode, **kwargs)
        self.subcentroids.copy_(result.subcentroids)
        self.active.copy_(result.active)
        return result.num_splits, result.num_merges, result.best_gain

    def extra_repr(self) -> str:
        k = self.num_subcentroids
        k_text = (
            str(int(k[0])) if bool(
                (k == k[0]).all()) else f'{int(k.min())}..{int(k.max())}')
        return (f'num_classes={self.num_classes}, K={k_text}, '
                f'embed_dims={self.embed_dims}, momentum={self.momentum}, '
                f'clustering={self.clustering}, '
                f'update_correct_only={self.update_correct_only}, '
                f'mask_order={self.mask_order!r}, init={self.init!r}, '
                f'momentum_warmup_iters={self.momentum_warmup_iters}')


#: Where the classifier options that the DNC heads took directly (before
#: they took a ``classifier`` config) are now.
MOVED_HEAD_OPTIONS = {
    'num_subcentroids': 'classifier.num_subcentroids',
    'class_counts': 'classifier.class_counts',
    'momentum': 'classifier.momentum',
    'clustering': "classifier.clustering=dict(type='...')",
    'sinkhorn_epsilon': 'classifier.clustering.epsilon',
    'sinkhorn_iters': 'classifier.clustering.num_iters',
    'kmeans_iters': "classifier.clustering.num_iters (type='kmeans') or "
    "classifier.init.num_iters (type='data')",
    'update_correct_only': 'classifier.update_correct_only',
    'mask_order': 'classifier.mask_order',
    'init': "classifier.init=dict(type='...')",
    'momentum_warmup_iters': 'classifier.momentum_warmup_iters',
    'momentum_warmup_start': 'classifier.momentum_warmup_start',
}


def build_subcentroid_classifier(cfg: Mapping, head: str, num_classes: int,
                                 embed_dims: int, distributed_mode: str,
                                 unexpected: Mapping) -> SubCentroidClassifier:
    """Build a DNC head's classifier from its ``classifier`` config.

    Args:
        cfg: The head's ``classifier`` config; ``type`` defaults to
            ``'SubCentroidClassifier'``.
        head: The head's class name, for the messages.
        num_classes, embed_dims, distributed_mode: Set by the head; the
            config may repeat them only with the same value.
        unexpected: Keyword arguments the head did not take: a former
            classifier option of the head (:data:`MOVED_HEAD_OPTIONS`)
            gets a one-line error that names its new place.

    Raises:
        ValueError: a former head option, or a head-owned option in ``cfg``
            with another value.
        TypeError: another unexpected keyword, or a ``type`` that is not a
            :class:`SubCentroidClassifier`.
    """
    moved = [k for k in unexpected if k in MOVED_HEAD_OPTIONS]
    if moved:
        where = '; '.join(f'{k} -> {MOVED_HEAD_OPTIONS[k]}' for k in moved)
        what = ('is now an option' if len(moved) == 1 else 'are now options')
        raise ValueError(
            f'{head}: {", ".join(moved)} {what} of the head\'s '
            f"classifier=dict(type='SubCentroidClassifier', ...) ({where}; "
            'see docs/methods/dnc.md)')
    if unexpected:
        raise TypeError(f'{head}.__init__() got unexpected keyword '
                        f'arguments {sorted(unexpected)}')
    if not isinstance(cfg, Mapping):
        raise TypeError(f"{head}: classifier must be a config dict such as "
                        "dict(type='SubCentroidClassifier', "
                        f'num_subcentroids=4), got {cfg!r}')
    cfg = dict(cfg)
    cfg.setdefault('type', 'SubCentroidClassifier')
    for key, value in (('num_classes', num_classes),
                       ('embed_dims', embed_dims), ('distributed_mode',
                                                    distributed_mode)):
        if key in cfg and cfg[key] != value:
            raise ValueError(
                f'{head}: classifier.{key} is set by the head ({value!r}); '
                f'remove it from the classifier config (got {cfg[key]!r})')
        cfg[key] = value
    classifier = MODELS.build(cfg)
    if not isinstance(classifier, SubCentroidClassifier):
        raise TypeError(f'{head}: classifier type {cfg["type"]!r} is not a '
                        'SubCentroidClassifier')
    return classifier
