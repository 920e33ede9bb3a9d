"""DNC pixel classifier for any mmseg decode head (the OpenMMLab adapter).

:class:`SubCentroidHeadMixin` replaces only the pixel classifier of an mmseg
decoder: the 1x1 ``conv_seg`` is removed (DNC §4.2: "the only architectural
modification is the removal of the segmentation head") and ``cls_seg``
compares l2-normalised pixel embeddings with ``C x K`` sub-centroids held by
:class:`~dnc_mm.models.layers.SubCentroidClassifier`. Everything else of the
decoder (its convolutions, ASPP, PPM/FPN, dropout, ``loss_decode``, sampler,
``predict_by_feat``) is mmseg's own code. Adding DNC to another decoder whose
``forward`` ends with ``self.cls_seg(feat)`` is::

    @MODELS.register_module()
    class SubCentroidPSPHead(SubCentroidHeadMixin, PSPHead):
        pass

How the embedding reaches the update: :meth:`loss` wraps the decoder's own
``loss`` (``forward`` -> ``loss_by_feat``) in a short "capture" window;
``cls_seg`` called inside it stores the *detached* embedding, scores and
(when float32) sub-centroid similarities of that forward pass on the
module, and :meth:`loss_by_feat` consumes (and clears) them for the
sub-centroid update after mmseg's losses are computed.
Outside :meth:`loss` (prediction, ``tensor`` mode, flop counting) nothing is
stored.
"""
import copy
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from ..layers import (MOVED_HEAD_OPTIONS, build_logit_normalization,
                      build_projection, build_subcentroid_classifier)
from ..utils import ClsSegCaptureMixin, finite_on_all_ranks, labels_at

__all__ = ['SubCentroidHeadMixin', 'sample_per_class']


def sample_per_class(labels: Tensor,
                     max_per_class: Optional[int],
                     num_classes: int,
                     generator: Optional[torch.Generator] = None) -> Tensor:
    """Indices of at most ``max_per_class`` random samples of every class.

    Batched (no loop over classes): the samples are shuffled, stably sorted
    by class, and the first ``max_per_class`` of each class run are kept, so
    each class keeps a uniformly random subset of ``min(N_c, max)`` samples.

    Args:
        labels: ``(N,)`` int64 classes; samples outside ``[0, C)`` are
            dropped.
        max_per_class: Cap per class; ``None`` keeps every valid sample.
        num_classes: ``C``.
        generator: Optional random generator (default: the global one).

    Returns:
        ``(M,)`` int64 indices into ``labels`` (sorted by class when
        sub-sampled).
    """
    valid = (labels >= 0) & (labels < num_classes)
    idx = valid.nonzero().squeeze(1)
    if max_per_class is None or idx.numel() == 0:
        return idx
    if max_per_class < 1:
        raise ValueError(f'max_per_class must be >= 1 or None, got '
                         f'{max_per_class}')
    perm = torch.randperm(
        idx.numel(), generator=generator, device='cpu').to(labels.device)
    idx = idx[perm]
    sorted_labels, order = torch.sort(labels[idx], stable=True)
    idx = idx[order]
    counts = torch.bincount(sorted_labels, minlength=num_classes)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(idx.numel(), device=labels.device) - \
        starts[sorted_labels]
    return idx[rank < max_per_class]


def _drop_conv_seg_override(init_cfg):
    """``init_cfg`` without overrides that initialise ``conv_seg``.

    mmseg's default ``init_cfg`` of ``BaseDecodeHead`` is
    ``Normal(std=0.01, override=conv_seg)``; with ``conv_seg`` removed,
    mmengine would fail in ``init_weights``. Config entries that only served
    ``conv_seg`` disappear, everything else is kept.
    """
    if init_cfg is None:
        return None
    if isinstance(init_cfg, (list, tuple)):
        cfgs = [_drop_conv_seg_override(c) for c in init_cfg]
        cfgs = [c for c in cfgs if c is not None]
        return cfgs or None
    cfg = copy.deepcopy(dict(init_cfg))
    if 'override' not in cfg:
        return cfg
    overrides = cfg.pop('override')
    overrides = [overrides] if isinstance(overrides, dict) else overrides
    overrides = [o for o in overrides if o.get('name') != 'conv_seg']
    if overrides:
        cfg['override'] = overrides
    elif cfg.get('layer') is None and cfg.get('type') != 'Pretrained':
        return None  # it only initialised conv_seg
    return cfg


class SubCentroidHeadMixin(ClsSegCaptureMixin):
    """Nearest-sub-centroid pixel classifier for an mmseg decode head (DNC).

    Mix in *before* an mmseg ``BaseDecodeHead`` subclass. Per pixel of the
    decoder's last feature map (``channels`` channels, typically 1/8 or 1/4
    of the input resolution):

    1. dropout (mmseg's ``dropout_ratio``), ``projection`` and l2
       normalisation give the embedding ``x`` (``embed_dims`` channels);
    2. the class score is ``s_c(x) = max_k <x, p_k^c>`` over the class's
       ``K`` sub-centroids (Eq. 7), scaled by ``logit_normalization``;
       ``cls_seg`` returns these ``(B, C, H, W)`` scores, so mmseg's
       ``loss_decode`` (e.g. ``CrossEntropyLoss`` with ``ignore_index``),
       the pixel sampler, ``acc_seg`` and ``predict_by_feat`` (bilinear
       upsampling) work unchanged;
    3. in training, after the losses, the sub-centroids are re-estimated
       without gradient from the batch's pixel embeddings at feature
       resolution (Algorithm 1): labels are resized to the embedding with
       nearest interpolation; pixels labelled ``ignore_index`` or outside
       ``[0, C)`` never take part; only correctly classified pixels (arg-max
       of the scores == label) are used (``update_correct_only``);
       optionally at most ``max_pixels_per_class`` random pixels per class;
       then class-wise Sinkhorn clustering of all classes at once and the
       momentum update (Eqs. 5, 6, 8). A class absent from the batch keeps
       its sub-centroids bit for bit.

    The sub-centroids are buffers of ``self.classifier`` (in the
    ``state_dict``, never in the optimizer). Distributed: each rank clusters
    its own pixels; the Sinkhorn marginals and the per-sub-centroid sums and
    counts are all-reduced, so every rank holds identical sub-centroids after
    every update (``distributed_mode='reduce'``).

    Args:
        classifier: Config of the sub-centroid classifier: its ``K``
            (paper, segmentation: 10), momentum (paper: 0.999), clustering,
            ``update_correct_only``, masking order, initialisation and
            momentum warm-up, all documented in
            :class:`~dnc_mm.models.layers.SubCentroidClassifier`. The head
            sets ``num_classes``, ``embed_dims`` and
            ``distributed_mode='reduce'``. With ``init=dict(type='data')``
            each rank sees its own pixels: rank 0 seeds and broadcasts.
        embed_dims: Embedding dimension ``D``; ``None`` keeps the decoder's
            ``channels``. Another value needs ``projection='linear'``.
        projection: ``'layernorm'`` (LayerNorm over channels, as the
            official DNC code, https://github.com/ChengHan111/DNC),
            ``'linear'`` (1x1 conv + LayerNorm) or ``'none'``.
        logit_normalization: ``'layernorm'`` (LayerNorm over classes without
            affine parameters; keeps the ranking), ``'layernorm_affine'``
            (learnable per-class scale and bias, as the official code),
            ``'learned_scale'`` (one learnable scale) or ``'temperature'``.
        temperature: ``tau`` of ``'temperature'``; ``1 / tau`` is the
            initial scale of ``'learned_scale'``.
        max_pixels_per_class: At most this many (random) pixels per class
            and rank enter the update; ``None`` (default) uses every
            eligible pixel, as the paper does (65,536 pixels per batch of
            16 at 1/8 resolution, no memory, appendix §K). The clustering
            costs ``O(N K)`` memory (own-class similarities only, read from
            the forward pass or gathered in bounded chunks), so
            sub-sampling is a speed/variance knob, not a memory
            requirement.
        **kwargs: Arguments of the mmseg decode head. A former classifier
            option of this head (e.g. ``num_subcentroids``) gets an error
            that names its place in ``classifier``.
    """

    def __init__(self,
                 *args,
                 classifier: dict = dict(
                     type='SubCentroidClassifier', num_subcentroids=10),
                 embed_dims: Optional[int] = None,
                 projection: str = 'layernorm',
                 logit_normalization: str = 'layernorm',
                 temperature: float = 0.1,
                 max_pixels_per_class: Optional[int] = None,
                 **kwargs) -> None:
        moved = {
            k: kwargs.pop(k)
            for k in list(kwargs) if k in MOVED_HEAD_OPTIONS
        }
        # BaseDecodeHead's default init_cfg initialises conv_seg; the mixin
        # passes its own (None unless given) and strips conv_seg overrides
        kwargs['init_cfg'] = kwargs.get('init_cfg', None)
        super().__init__(*args, **kwargs)
        self.init_cfg = _drop_conv_seg_override(self.init_cfg)
        if self.out_channels != self.num_classes:
            raise ValueError(
                f'{type(self).__name__} scores every class with its own '
                f'sub-centroids: out_channels must equal num_classes '
                f'({self.num_classes}), got out_channels={self.out_channels} '
                '(binary sigmoid segmentation is not supported; use '
                'num_classes=2 with the softmax loss)')
        if max_pixels_per_class is not None and max_pixels_per_class < 1:
            raise ValueError('max_pixels_per_class must be >= 1 or None, '
                             f'got {max_pixels_per_class}')
        # DNC removes the 1x1 pixel classifier (as mmseg's PointHead does)
        del self.conv_seg
        embed_dims = self.channels if embed_dims is None else embed_dims
        self.embed_dims = embed_dims
        self.max_pixels_per_class = max_pixels_per_class
        self.projection = build_projection(
            projection, self.channels, embed_dims, pixelwise=True)
        self.classifier = build_subcentroid_classifier(
            classifier,
            type(self).__name__,
            self.num_classes,
            embed_dims,
            # each rank clusters its own pixels; marginals, sums and counts
            # are all-reduced (65k pixels x D are not worth all-gathering)
            distributed_mode='reduce',
            unexpected=moved)
        self.logit_norm = build_logit_normalization(logit_normalization,
                                                    self.num_classes,
                                                    temperature)
        self._init_capture()

    def extra_repr(self) -> str:
        return (f'{super().extra_repr()}, embed_dims={self.embed_dims}, '
                f'max_pixels_per_class={self.max_pixels_per_class}')

    # ------------------------------------------------------------ forward
    def embed(self, feat: Tensor) -> Tensor:
        """l2-normalised pixel embedding ``(B, D, H, W)`` of ``feat``."""
        return F.normalize(self.projection(feat), dim=1)

    def pixel_similarities(self, feat: Tensor) -> Tuple[Tensor, Tensor]:
        """Embedding ``(B, D, H, W)`` and similarities ``(B, C, K, H, W)``.

        For analysis and explanation tools (no dropout: call in eval mode);
        the class score is the max over ``K`` of the active similarities.
        """
        x = self.embed(feat)
        _, sims = self.classifier(x, channel_dim=1)
        return x, sims

    def cls_seg(self, feat: Tensor) -> Tensor:
        """Normalised DNC scores ``(B, C, H, W)`` of every pixel."""
        if self.dropout is not None:
            feat = self.dropout(feat)
        x = self.embed(feat)
        logits, sims = self.classifier(x, channel_dim=1)
        scores = self.logit_norm(logits)
        # "correct" is judged on what the model predicts (the scores); the
        # update reuses the similarities when they are float32 (under AMP
        # the clustering recomputes them in float32 instead)
        self._capture((x.detach(), scores.detach(),
                       sims.detach() if sims.dtype == torch.float32 else None))
        return scores

    # --------------------------------------------------------------- loss
    def loss_by_feat(self, seg_logits: Tensor, batch_data_samples) -> dict:
        """mmseg's losses on the scores, then (training) the DNC update."""
        self._end_capture()
        losses = super().loss_by_feat(seg_logits, batch_data_samples)
        if self.training:
            embedding, logits, sims = self._take_captured(
                'the pixel embedding')
            seg_label = self._stack_batch_gt(batch_data_samples)
            self.update_subcentroids(embedding, logits, seg_label, sims)
        return losses

    # ------------------------------------------------------------- update
    @torch.no_grad()
    def update_subcentroids(self,
                            embedding: Tensor,
                            logits: Tensor,
                            seg_label: Tensor,
                            similarities: Optional[Tensor] = None) -> Tensor:
        """One DNC estimation step on a batch of pixel embeddings.

        Every rank must call this once per training step (also with no
        valid pixel): it takes part in all-reduces.

        Args:
            embedding: ``(B, D, H, W)`` l2-normalised embeddings.
            logits: ``(B, C, H, W)`` scores of those embeddings (any
                ranking-preserving normalisation); ``correct`` is their
                arg-max == label.
            seg_label: ``(B, 1, H', W')`` or ``(B, H', W')`` label map at
                any resolution; resized here with nearest interpolation.
            similarities: Optional float32 ``(B, C, K, H, W)`` similarities
                of ``embedding`` to the current sub-centroids (the forward
                pass's); the selected pixels' own-class rows are read from
                them instead of being recomputed. ``None``: computed in the
                clustering.

        Returns:
            ``(C, K)`` number of pixels behind each sub-centroid's update
            (summed over ranks).
        """
        if not finite_on_all_ranks(embedding, what='DNC sub-centroids'):
            return embedding.new_zeros(self.classifier.active.shape)
        b, d, h, w = embedding.shape
        labels = labels_at(
            seg_label.to(embedding.device), (h, w), self.num_classes,
            self.ignore_index).reshape(-1)
        correct = None
        eligible = labels
        if self.classifier.update_correct_only:
            correct = logits.argmax(dim=1).reshape(-1) == labels
            if self.classifier.mask_order == 'before':
                # sub-sample among the correct pixels only
                eligible = labels.masked_fill(~correct, -1)
        idx = sample_per_class(eligible, self.max_pixels_per_class,
                               self.num_classes)
        # rows of the selected pixels only, without an (N, D) copy of all
        pixels = embedding.flatten(2).transpose(1, 2)  # (B, HW, D) view
        img, pos = idx // (h * w), idx % (h * w)
        feats = pixels[img, pos]  # (M, D)
        sel_labels = labels.index_select(0, idx)
        own = None
        if similarities is not None:
            # (B, HW, C, K) view; one K-vector per selected pixel
            per_pixel = similarities.flatten(3).permute(0, 3, 1, 2)
            own = per_pixel[img, pos, sel_labels].float()  # (M, K)
        return self.classifier.update(
            feats, sel_labels,
            None if correct is None else correct.index_select(0, idx), own)
