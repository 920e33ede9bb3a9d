"""Class separability of a classifier's weights (CBP paper, Eq. 8).

CBP paper: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.

``CS = 1/2 * sum_{i != j} cos(w_i, w_j)``: half the sum of the pairwise
cosine similarities between the class weights (each unordered pair counted
once). 0 for mutually orthogonal weights; the paper reads a larger value as
more correlated classes (its Table 8: 0 for CBP, 75.8 for a learned
classifier on ADE20K). Pure PyTorch.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['class_separability']


def class_separability(weights: Tensor) -> Tensor:
    """Eq. 8 of Chen et al. (Pattern Recognition 2024), ``(N, D)`` weights.

    Args:
        weights: ``(N, D)`` one weight vector per class (rows), or
            ``(N, K, D)`` several per class (e.g. DNC sub-centroids): each
            class is then represented by the mean of its ``K`` vectors.

    Returns:
        fp32 scalar tensor (no gradient).
    """
    w = weights.detach().float()
    if w.dim() == 3:
        w = w.mean(1)
    if w.dim() != 2:
        raise ValueError(f'class_separability expects (N, D) or (N, K, D) '
                         f'weights, got shape {tuple(weights.shape)}')
    w = F.normalize(w, dim=1)
    cos = w @ w.t()
    return (cos.sum() - torch.diagonal(cos).sum()) / 2
