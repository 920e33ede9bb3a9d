"""CBP and OCCL for any mmseg decode head (the OpenMMLab adapter).

CBP: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.

Every mmseg decode head ends its ``forward`` with ``self.cls_seg(feat)``,
which applies ``self.dropout`` and then the 1x1 ``self.conv_seg``.
:class:`CategoryBasisHeadMixin` changes exactly two things of a head:

1. ``conv_seg`` is replaced by the module built from ``classifier`` (by
   default :class:`CategoryBasisClassifier`; ``classifier=None`` keeps
   mmseg's learned 1x1 conv, for "OCCL only"). The checkpoint key of the
   frozen prototypes is ``decode_head.conv_seg.prototypes``.
2. During :meth:`loss` the classifier's input features (after dropout, with
   gradient) are captured (:class:`~dnc_mm.models.utils.ClsSegCaptureMixin`,
   shared with the DNC decode heads); :meth:`loss_by_feat` first runs
   mmseg's own ``loss_decode`` on the logits (``CrossEntropyLoss`` etc.
   unchanged), then every loss of ``feature_losses`` (e.g.
   :class:`~dnc_mm.models.losses.OnlineCentroidContrastiveLoss`) on
   ``(features, labels at feature resolution, class weights)``, plus the
   classifier's own extra losses (orthogonality penalty) and update (EMA).
   Labels are resized to the features with nearest interpolation; pixels
   labelled ``ignore_index`` or outside ``[0, N)`` are ``-1``.

Prediction, ``predict_by_feat``, samplers and ``loss_decode`` are mmseg's.
A ``CategoryBasis`` variant of each mmseg head listed in
:data:`~.category_basis_heads.CATEGORY_BASIS_BASE_HEADS` is registered at
import (``CategoryBasisFCNHead``, ``CategoryBasisASPPHead``,
``CategoryBasisUPerHead``, ``CategoryBasisSegformerHead``, ...; named, like
the DNC decode heads, after the classifier they put in the head), so
switching a config to CBP is::

    decode_head=dict(type='CategoryBasisFCNHead', ...,   # was 'FCNHead'
                     classifier=dict(type='CategoryBasisClassifier',
                                     length=2.0),
                     feature_losses=[dict(type='OnlineCentroidContrastiveLoss',
                                          centroid_weight=1.0,
                                          category_weight=0.1)])

For a head from another package use :func:`category_basis_head_class`.
"""
from typing import Dict, Optional, Sequence, Union

import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from torch import Tensor

from ..utils import ClsSegCaptureMixin, labels_at

__all__ = ['CategoryBasisHeadMixin', 'category_basis_head_class']

ConfigLike = Union[dict, Sequence[dict], None]


class CategoryBasisHeadMixin(ClsSegCaptureMixin):
    """Category-basis classifier and feature losses for an mmseg head.

    Mix in *before* an mmseg ``BaseDecodeHead`` subclass (see the module
    docstring). ``out_channels`` must equal ``num_classes`` (softmax
    segmentation).

    Args:
        classifier: Config of the module that replaces ``conv_seg``; it is
            given ``in_channels=channels`` and ``num_classes``. ``None``
            keeps mmseg's 1x1 conv.
        feature_losses: Config or list of configs of losses called as
            ``loss(features (B,C,H,W), labels (B,H,W), class_weights (N,C))``
            in training; each result is logged under the loss's
            ``loss_name``.
        **kwargs: Arguments of the mmseg decode head.
    """

    def __init__(self,
                 *args,
                 classifier: Optional[dict] = dict(
                     type='CategoryBasisClassifier'),
                 feature_losses: ConfigLike = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.out_channels != self.num_classes:
            raise ValueError(
                f'{type(self).__name__}: out_channels must equal num_classes '
                f'({self.num_classes}), got {self.out_channels} (binary '
                'sigmoid segmentation has no per-class prototypes; use '
                'num_classes=2 with the softmax loss)')
        if classifier is not None:
            cfg = dict(classifier)
            cfg.setdefault('in_channels', self.channels)
            cfg.setdefault('num_classes', self.num_classes)
            self.conv_seg = MODELS.build(cfg)
        if feature_losses is None:
            feature_losses = []
        elif isinstance(feature_losses, dict):
            feature_losses = [feature_losses]
        self.feature_losses = nn.ModuleList(
            MODELS.build(cfg) for cfg in feature_losses)
        self._init_capture()

    def class_weights(self) -> Tensor:
        """``(N, C)`` class weights of the pixel classifier."""
        if hasattr(self.conv_seg, 'class_weights'):
            return self.conv_seg.class_weights()
        return self.conv_seg.weight.flatten(1)

    def cls_seg(self, feat: Tensor) -> Tensor:
        """Dropout, then the classifier (captures its input in training)."""
        if self.dropout is not None:
            feat = self.dropout(feat)
        self._capture(feat)
        return self.conv_seg(feat)

    def _updates_classifier(self) -> bool:
        return bool(getattr(self.conv_seg, 'updates_from_features', False))

    def _wants_capture(self) -> bool:
        return len(self.feature_losses) > 0 or self._updates_classifier()

    def loss_by_feat(self, seg_logits: Tensor,
                     batch_data_samples) -> Dict[str, Tensor]:
        """mmseg's ``loss_decode`` losses, then the feature losses."""
        self._end_capture()
        losses = super().loss_by_feat(seg_logits, batch_data_samples)
        if hasattr(self.conv_seg, 'extra_losses'):
            losses.update(self.conv_seg.extra_losses())
        if not (self.training and self._wants_capture()):
            return losses
        feats = self._take_captured('the classifier input')
        labels = labels_at(
            self._stack_batch_gt(batch_data_samples).to(feats.device),
            feats.shape[-2:], self.num_classes, self.ignore_index)
        weights = self.class_weights()
        for loss_fn in self.feature_losses:
            name = loss_fn.loss_name
            if name in losses:
                raise KeyError(f'two losses are named {name!r}; give each '
                               'feature loss its own loss_name')
            losses[name] = loss_fn(feats, labels, weights)
        if self._updates_classifier():
            self.conv_seg.update(feats.detach(), labels)
        return losses


def category_basis_head_class(base: type) -> type:
    """The CBP variant ``CategoryBasis<base>`` of an mmseg decode head."""
    if not (isinstance(base, type) and issubclass(base, BaseDecodeHead)):
        raise TypeError('category_basis_head_class needs a BaseDecodeHead '
                        f'subclass, '
                        f'got {base!r}')
    return type(
        f'CategoryBasis{base.__name__}', (CategoryBasisHeadMixin, base), {
            '__module__':
            __name__,
            '__doc__': (f':class:`{base.__module__}.{base.__name__}` with '
                        'the category-basis classifier and feature losses '
                        '(:class:`CategoryBasisHeadMixin`).'),
        })
