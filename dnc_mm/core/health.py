"""Health of the sub-centroids of every class: collapse and usage.

Users of DNC's segmentation ancestor ProtoSeg (https://github.com/tfzhou/
ProtoSeg, issues #9 and #15) report that the ``K`` prototypes of a class
collapse onto each other, which turns DNC (Wang, Han, Zhou, Liu, "Visual
Recognition with Deep Nearest Centroids", ICLR 2023,
https://arxiv.org/abs/2209.07383) back into one centroid per class. Two
signs, per class:

* the mean and the max cosine between the class's active sub-centroids
  (1 = collapsed);
* the entropy of how often each sub-centroid is assigned samples,
  normalised by ``log K_c`` (1 = equal use, 0 = one sub-centroid takes all).
"""
from typing import Dict

import torch
from torch import Tensor

__all__ = ['subcentroid_health']


@torch.no_grad()
def subcentroid_health(subcentroids: Tensor, active: Tensor,
                       usage: Tensor) -> Dict[str, Tensor]:
    """Per-class collapse and usage statistics.

    Args:
        subcentroids: ``(C, K, D)`` l2-normalised sub-centroids.
        active: ``(C, K)`` bool active slots.
        usage: ``(C, K)`` non-negative assignment counts (any scale).

    Returns:
        ``dict`` of ``(C,)`` float32 tensors: ``mean_cos`` and ``max_cos``
        over the pairs of distinct active sub-centroids (NaN for a class
        with fewer than two), and ``usage_entropy`` normalised to ``[0, 1]``
        (NaN for a class with one active sub-centroid or no usage).
    """
    p = subcentroids.detach().float()
    act = active.to(p.device, torch.bool)
    c, k, _ = p.shape
    cos = torch.einsum('ckd,cjd->ckj', p, p)
    pair = act.unsqueeze(2) & act.unsqueeze(1) & ~torch.eye(
        k, dtype=torch.bool, device=p.device)
    num_pairs = pair.sum(dim=(1, 2)).float()
    mean_cos = (cos * pair).sum(dim=(1, 2)) / num_pairs
    max_cos = cos.masked_fill(~pair, float('-inf')).amax(dim=(1, 2))
    max_cos = max_cos.masked_fill(num_pairs == 0, float('nan'))
    u = usage.detach().float().to(p.device) * act
    total = u.sum(dim=1, keepdim=True)
    prob = u / total.clamp_min(1e-12)
    ent = -(prob * prob.clamp_min(1e-12).log()).sum(dim=1)
    k_c = act.sum(dim=1).float()
    norm_ent = ent / k_c.clamp_min(2).log()
    norm_ent = norm_ent.masked_fill((k_c < 2) | (total.squeeze(1) == 0),
                                    float('nan'))
    return dict(mean_cos=mean_cos, max_cos=max_cos, usage_entropy=norm_ent)
