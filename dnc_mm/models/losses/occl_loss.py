"""OCCL as an mmseg loss (CBP paper §3.3, Eq. 6).

CBP paper: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmseg.registry import MODELS
from torch import Tensor

from ...core import online_centroid_contrastive_loss

__all__ = ['OnlineCentroidContrastiveLoss']


@MODELS.register_module()
class OnlineCentroidContrastiveLoss(nn.Module):
    """Online centroid contrastive loss ``L_occ`` on pixel features.

    Not a ``loss_decode`` entry (those only see logits): list it in the
    ``feature_losses`` of a CBP head
    (:mod:`dnc_mm.models.decode_heads.category_basis_head_mixin`), which
    calls it with the classifier's input features, the labels at
    feature resolution and the classifier's ``(N, C)`` class weights. See
    :mod:`dnc_mm.core.centroid_contrast` for the views and the exact losses.

    Args:
        centroid_weight: ``lambda`` (weight of the centroid loss, Eq. 4).
        category_weight: ``phi`` (weight of the category loss, Eq. 5).
        temperature: ``tau`` (paper: 0.07).
        normalize: l2-normalise the view and category centroids before the
            inner products (default; ``False`` is the paper's literal
            formula, which diverged here, see
            :mod:`dnc_mm.core.centroid_contrast`).
        loss_weight: Extra factor on ``L_occ`` (1 in the paper).
        loss_name: Key of the loss in the logs (must start with ``loss``
            to be added to the total).
    """

    def __init__(self,
                 centroid_weight: float = 1.0,
                 category_weight: float = 0.1,
                 temperature: float = 0.07,
                 normalize: bool = True,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_occl') -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.centroid_weight = float(centroid_weight)
        self.category_weight = float(category_weight)
        self.temperature = float(temperature)
        self.normalize = bool(normalize)
        self.loss_weight = float(loss_weight)
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        return self._loss_name

    def forward(self,
                feats: Tensor,
                labels: Tensor,
                class_weights: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """``L_occ`` of a batch.

        Args:
            feats: ``(B, C, H, W)`` classifier input features.
            labels: ``(B, H, W)`` int64 labels at feature resolution,
                negative = ignored.
            class_weights: ``(N, C)`` classifier prototypes.

        Returns:
            Scalar loss (fp32).
        """
        if class_weights is None or kwargs or labels.dim() != 3 \
                or not isinstance(class_weights, torch.Tensor) \
                or class_weights.dim() != 2:
            raise TypeError(
                'OnlineCentroidContrastiveLoss needs (features, labels, '
                'class_weights): list it in a CBP head\'s `feature_losses` '
                '(e.g. type=\'CategoryBasisFCNHead\'), not in `loss_decode`, '
                'which only passes logits')
        out = online_centroid_contrastive_loss(
            feats,
            labels,
            class_weights,
            centroid_weight=self.centroid_weight,
            category_weight=self.category_weight,
            temperature=self.temperature,
            normalize=self.normalize)
        return self.loss_weight * out['loss']

    def extra_repr(self) -> str:
        return (f'centroid_weight={self.centroid_weight}, category_weight='
                f'{self.category_weight}, temperature={self.temperature}, '
                f'normalize={self.normalize}, '
                f'loss_name={self.loss_name}')
