"""DNC classification head for mmpretrain: nearest sub-centroid classifier."""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor

from dnc_mm.core.memory import FeatureMemory
from ..layers import (build_logit_normalization, build_projection,
                      build_subcentroid_classifier)
from ..utils import all_gather_rows, finite_on_all_ranks


@MODELS.register_module()
class SubCentroidClsHead(ClsHead):
    """Deep Nearest Centroids (DNC) head for image classification.

    The pooled backbone feature goes through a small projection and is
    l2-normalised; the class score is the cosine similarity to the closest
    of the class's ``K`` sub-centroids, ``s_c(x) = max_k <x, p_k^c>``
    (Eq. 7). Training minimises cross-entropy on these scores (after
    ``logit_normalization``) and, after each forward pass, re-estimates the
    sub-centroids by class-wise Sinkhorn clustering of the correctly
    classified samples of the (all-gathered) batch plus the feature memory,
    followed by the momentum update (Algorithm 1, Eqs. 5, 6, 8).
    Sub-centroids, memory and anchors are buffers: they are in the
    ``state_dict``, never in the optimizer, and change only in training mode.

    Args:
        num_classes: Number of classes ``C``.
        in_channels: Channels of the pooled backbone feature.
        classifier: Config of the sub-centroid classifier: its ``K``
            (paper: 4), momentum, clustering, masking order, initialisation
            and momentum warm-up, all documented in
            :class:`~dnc_mm.models.layers.SubCentroidClassifier`, e.g.
            ``dict(type='SubCentroidClassifier', num_subcentroids=4,
            momentum=0.999, clustering=dict(type='sinkhorn', epsilon=0.05,
            num_iters=3))``. The head sets ``num_classes``, ``embed_dims``
            and ``distributed_mode='none'`` (every rank clusters the same
            all-gathered batch and memory).
        embed_dims: Dimension ``D`` of the embedding; ``None`` keeps
            ``in_channels`` (the paper's choice; other values need a
            learnable projection, Table 21).
        projection: ``'layernorm'`` (LayerNorm, then l2, as the official
            DNC code, https://github.com/ChengHan111/DNC), ``'linear'``
            (Linear + LayerNorm) or ``'none'``.
        logit_normalization: How the cosine scores are scaled before the
            cross-entropy: ``'layernorm'`` (LayerNorm over classes without
            affine parameters; keeps the ranking), ``'layernorm_affine'``
            (with learnable per-class scale and bias, as the official
            code), ``'learned_scale'`` (one learnable scale for all
            classes; keeps the ranking; the default, measured best on the
            bundled classification benchmark) or ``'temperature'``
            (divide by ``temperature``). See ``docs/methods/dnc.md``.
        temperature: ``tau`` of ``'temperature'``; ``1 / tau`` is the
            initial scale of ``'learned_scale'``.
        loss: Classification loss config.
        loss_contrast: Optional extra losses on the sub-centroid
            similarities, e.g. ``dict(type='SubCentroidContrastLoss')``:
            ProtoSeg's contrast of each sample with every sub-centroid
            (its own class's others included) and distance to its own,
            the sample's sub-centroid taken from the balanced transport of
            the batch (beyond the paper; against the collapse of a
            class's sub-centroids). ``None`` (paper): cross-entropy only.
        topk: Top-k accuracy reported when ``cal_acc``.
        cal_acc: Report training accuracy.
        init_cfg: Initialisation config.
        **kwargs: Refused; a former classifier option of this head (e.g.
            ``momentum``) gets an error that names its place in
            ``classifier``.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 classifier: dict = dict(
                     type='SubCentroidClassifier', num_subcentroids=4),
                 embed_dims: Optional[int] = None,
                 projection: str = 'layernorm',
                 logit_normalization: str = 'learned_scale',
                 temperature: float = 0.1,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 loss_contrast: Optional[dict] = None,
                 topk: Union[int, Tuple[int]] = (1, ),
                 cal_acc: bool = False,
                 init_cfg: Optional[dict] = None,
                 **kwargs):
        super().__init__(
            loss=loss, topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        if in_channels < 1:
            raise ValueError(f'in_channels must be >= 1, got {in_channels}')
        embed_dims = in_channels if embed_dims is None else embed_dims
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.embed_dims = embed_dims
        self.projection = build_projection(projection, in_channels, embed_dims)
        self.classifier = build_subcentroid_classifier(
            classifier,
            type(self).__name__,
            num_classes,
            embed_dims,
            # every rank clusters the same all-gathered batch and memory
            distributed_mode='none',
            unexpected=kwargs)
        self.logit_norm = build_logit_normalization(logit_normalization,
                                                    num_classes, temperature)
        # sized by SubCentroidMemoryHook; capacity 0 = no memory
        self.memory = FeatureMemory()
        self.loss_contrast = (None if loss_contrast is None else
                              MODELS.build(loss_contrast))

    def pre_logits(self, feats: Tuple[Tensor]) -> Tensor:
        """l2-normalised embedding ``(N, D)`` of the last stage's feature."""
        x = feats[-1]
        if x.dim() != 2:
            raise ValueError(
                f'SubCentroidClsHead expects pooled (N, C) features, got '
                f'{tuple(x.shape)}: add a neck such as GlobalAveragePooling')
        if x.shape[1] != self.in_channels:
            raise ValueError(f'in_channels={self.in_channels} but the neck '
                             f'gives {x.shape[1]} channels')
        return F.normalize(self.projection(x), dim=1)

    def similarities(self, feats: Tuple[Tensor]) -> Tuple[Tensor, Tensor]:
        """Embeddings ``(N, D)`` and sub-centroid similarities ``(N, C, K)``.

        The explanation tools read these: the class score is the max over
        ``K`` of the similarities (inactive slots excluded).
        """
        x = self.pre_logits(feats)
        _, sims = self.classifier(x)
        return x, sims

    def forward(self, feats: Tuple[Tensor]) -> Tensor:
        """Normalised class scores ``(N, C)`` (the input of the loss)."""
        logits, _ = self.classifier(self.pre_logits(feats))
        return self.logit_norm(logits)

    def loss(self, feats: Tuple[Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """Cross-entropy on the DNC scores, then the sub-centroid update."""
        x = self.pre_logits(feats)
        labels = self._hard_labels(data_samples).to(x.device)
        logits, sims = self.classifier(x)
        scores = self.logit_norm(logits)
        losses = self._get_loss(scores, data_samples, **kwargs)
        if self.loss_contrast is not None:
            losses.update(
                self.loss_contrast(sims, labels,
                                   self.classifier.assign(x, labels),
                                   self.classifier.active))
        if self.training:
            # "correct" is judged on what the model predicts (the scores)
            self._update_state(x.detach(), scores.detach(), labels,
                               data_samples)
        return losses

    def _hard_labels(self, data_samples: List[DataSample]) -> Tensor:
        if 'gt_score' in data_samples[0]:  # mixup / cutmix: dominant class
            return torch.stack([s.gt_score for s in data_samples]).argmax(1)
        labels = torch.cat([s.gt_label for s in data_samples])
        if labels.numel() and (labels.min() < 0
                               or labels.max() >= self.num_classes):
            raise ValueError(
                f'labels span [{int(labels.min())}, {int(labels.max())}] but '
                f'the head has num_classes={self.num_classes}: set '
                'model.head.num_classes to the number of classes of the data')
        return labels

    @torch.no_grad()
    def _update_state(self, x: Tensor, logits: Tensor, labels: Tensor,
                      data_samples: List[DataSample]) -> None:
        correct = logits.argmax(dim=1) == labels
        indices = torch.as_tensor(
            [s.get('sample_idx', -1) for s in data_samples],
            dtype=torch.long,
            device=x.device)
        x, labels, correct, indices = all_gather_rows(x, labels, correct,
                                                      indices)
        if not finite_on_all_ranks(
                x, what='DNC sub-centroids and feature memory'):
            return
        # pushed before clustering: see FeatureMemory.capacity_for
        self.memory.push(x, labels, correct)
        if self.classifier.anchored:
            self.classifier.update_anchored(x, indices)
        elif self.memory.capacity > 0:
            self.classifier.update(*self.memory.rows())
        else:
            self.classifier.update(x, labels, correct)

    def predict(
        self,
        feats: Tuple[Tensor],
        data_samples: Optional[List[Optional[DataSample]]] = None
    ) -> List[DataSample]:
        """Scores (softmax of the normalised scores) and labels.

        Except with ``'layernorm_affine'``, the normalisation preserves the
        ranking of the classes, so the predicted label is the class of the
        nearest sub-centroid.
        """
        return self._get_predictions(self(feats), data_samples)
