"""Sample–sub-centroid contrast and distance losses for DNC heads.

ProtoSeg: Zhou, Wang, Konukoglu, Van Gool, "Rethinking Semantic
Segmentation: A Prototype View", CVPR 2022, https://arxiv.org/abs/2203.15102
(code: https://github.com/tfzhou/ProtoSeg). Beyond the DNC paper, which
trains with the class-score cross-entropy only; see
:mod:`dnc_mm.core.subcentroid_contrast`.
"""
from typing import Dict, Optional

import torch.nn as nn
from mmpretrain.registry import MODELS
from torch import Tensor

from ...core.subcentroid_contrast import subcentroid_contrast_losses

__all__ = ['SubCentroidContrastLoss']


@MODELS.register_module()
class SubCentroidContrastLoss(nn.Module):
    """Contrast (PPC) and distance (PPD) of samples to their sub-centroid.

    Not a ``loss`` entry (that one sees the class scores): the
    ``loss_contrast`` of :class:`~dnc_mm.models.heads.SubCentroidClsHead`,
    which calls it with the ``(N, C, K)`` sub-centroid similarities of the
    batch, the labels and each sample's sub-centroid from the balanced
    transport of the batch.

    Args:
        contrast_weight: Weight of the contrast over all sub-centroids
            (ProtoSeg's code: 0.01).
        distance_weight: Weight of ``(1 - <x, p>)^2`` (ProtoSeg's code:
            0.001).
        temperature: ``tau`` of the contrast, > 0.
    """

    def __init__(self,
                 contrast_weight: float = 0.01,
                 distance_weight: float = 0.001,
                 temperature: float = 0.1) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        if contrast_weight < 0 or distance_weight < 0:
            raise ValueError('contrast_weight and distance_weight must be '
                             f'>= 0, got {contrast_weight}, '
                             f'{distance_weight}')
        self.contrast_weight = float(contrast_weight)
        self.distance_weight = float(distance_weight)
        self.temperature = float(temperature)

    def forward(self,
                sims: Tensor,
                labels: Tensor,
                targets: Tensor,
                active_mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """``{'loss_ppc': ..., 'loss_ppd': ...}``, weighted.

        Args:
            sims: ``(N, C, K)`` similarities with gradient.
            labels: ``(N,)`` classes.
            targets: ``(N,)`` own-class sub-centroid of each sample, -1 for
                none.
            active_mask: ``(C, K)`` bool active sub-centroids.
        """
        contrast, distance = subcentroid_contrast_losses(
            sims, labels, targets, active_mask, self.temperature)
        return dict(
            loss_ppc=self.contrast_weight * contrast,
            loss_ppd=self.distance_weight * distance)

    def extra_repr(self) -> str:
        return (f'contrast_weight={self.contrast_weight}, '
                f'distance_weight={self.distance_weight}, '
                f'temperature={self.temperature}')
