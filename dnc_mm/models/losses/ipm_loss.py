"""HPL's input-to-prototype mapping loss as an mmpretrain loss (Eq. 6)."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS
from torch import Tensor

from dnc_mm.core._utils import autocast_disabled
from dnc_mm.core.class_means import class_weights_matrix

__all__ = ['IPMLoss']


@MODELS.register_module()
class IPMLoss(nn.Module):
    """``L_IPM = ½ (zᵀ w_{A(y)} − 1)²`` on l2-normalised features (Eq. 6).

    Takes the head's class scores ``s_{iy} = z_iᵀ w_{A(y)}`` (cosines,
    ``(N, C)``) and regresses the score of the sample's class to 1; other
    classes get no gradient (no push, unlike cross-entropy).

    * Hard labels ``(N,)``: ``½ (s_{i,y_i} − 1)²``.
    * Soft labels ``(N, C)`` (Mixup / CutMix ``gt_score``):
      ``½ Σ_y t_{iy} (s_{iy} − 1)²``, i.e. the mix of the two samples'
      losses with the mixing weights (what mixup does to any loss that is
      linear in the one-hot target).
    * ``class_weight`` (e.g. inverse class frequency, set by
      ``ClassBalancedLossHook``): each ``(i, y)`` term is multiplied by
      ``class_weight[y]``.

    Computed in fp32 (also under autocast).

    Args:
        loss_weight: Factor on the loss.
        class_weight: Optional ``C`` per-class weights.
        reduction: ``'mean'`` (over ``avg_factor`` or N), ``'sum'`` or
            ``'none'``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 class_weight: Optional[Sequence[float]] = None,
                 reduction: str = 'mean') -> None:
        super().__init__()
        if reduction not in ('mean', 'sum', 'none'):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', "
                             f'got {reduction!r}')
        self.loss_weight = loss_weight
        self.class_weight = class_weight
        self.reduction = reduction

    def forward(self,
                cls_score: Tensor,
                label: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                **kwargs) -> Tensor:
        """Loss of ``(N, C)`` cosine scores against labels or soft labels."""
        reduction = reduction_override or self.reduction
        num_classes = cls_score.shape[1]
        with autocast_disabled(cls_score.device):
            targets = class_weights_matrix(
                label.to(cls_score.device), num_classes)
            if self.class_weight is not None:
                cw = torch.as_tensor(
                    self.class_weight,
                    dtype=torch.float32,
                    device=cls_score.device)
                if cw.numel() != num_classes:
                    raise ValueError(
                        f'class_weight has {cw.numel()} entries for '
                        f'{num_classes} classes')
                targets = targets * cw
            per_sample = 0.5 * (targets *
                                (cls_score.float() - 1).pow(2)).sum(1)
            if weight is not None:
                per_sample = per_sample * weight.float()
            if reduction == 'none':
                loss = per_sample
            elif reduction == 'sum':
                loss = per_sample.sum()
            else:
                denom = (
                    avg_factor
                    if avg_factor is not None else per_sample.numel())
                loss = per_sample.sum() / max(float(denom), 1e-12)
        return self.loss_weight * loss
