"""Label maps at the resolution of a decode head's features.

Shared by the DNC decode heads (sub-centroid update) and the CBP heads
(OCCL): both compare per-pixel features with per-pixel labels at the
feature resolution.
"""
from typing import Optional, Sequence

import torch.nn.functional as F
from torch import Tensor

__all__ = ['labels_at']


def labels_at(seg_label: Tensor, size: Sequence[int], num_classes: int,
              ignore_index: Optional[int]) -> Tensor:
    """Labels resized to ``size`` with nearest interpolation, invalid = -1.

    Args:
        seg_label: ``(B, 1, H', W')`` or ``(B, H', W')`` label map.
        size: Target ``(H, W)``.
        num_classes: Labels outside ``[0, num_classes)`` become -1.
        ignore_index: This label becomes -1 too (``None``: no such label).

    Returns:
        ``(B, H, W)`` int64 labels.
    """
    if seg_label.dim() == 3:
        seg_label = seg_label.unsqueeze(1)
    if tuple(seg_label.shape[-2:]) != tuple(size):
        seg_label = F.interpolate(
            seg_label.float(), size=tuple(size), mode='nearest')
    labels = seg_label[:, 0].long()
    invalid = (labels < 0) | (labels >= num_classes)
    if ignore_index is not None:
        invalid |= labels == ignore_index
    return labels.masked_fill(invalid, -1)
