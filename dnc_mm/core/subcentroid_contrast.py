"""Sample–sub-centroid contrast and distance losses (beyond the DNC paper).

ProtoSeg: Zhou, Wang, Konukoglu, Van Gool, "Rethinking Semantic
Segmentation: A Prototype View", CVPR 2022, https://arxiv.org/abs/2203.15102
(code: https://github.com/tfzhou/ProtoSeg), §3 (the pixel-prototype
contrast and distance losses) — the segmentation ancestor of DNC (Wang et
al., "Visual Recognition with Deep Nearest Centroids", ICLR 2023,
https://arxiv.org/abs/2209.07383). The DNC paper trains with the
cross-entropy over the class scores only; ProtoSeg's code adds these two
terms with weights 0.01 and 0.001.

Every sample ``x`` of class ``y`` is assigned to one sub-centroid ``k`` of
its own class by the balanced transport of the current batch (Eq. 6 of DNC,
all samples of the class, correct or not, as in ProtoSeg). Then

* contrast (PPC): cross-entropy of ``<x, p_j^c> / tau`` over **all**
  active sub-centroids of all classes with target ``p_k^y``. Unlike the
  class-score cross-entropy, the other sub-centroids of the sample's own
  class are negatives: it pulls the features of a sub-cluster away from its
  siblings, against the collapse of a class's sub-centroids onto one
  direction (ProtoSeg's issues #9 and #15);
* distance (PPD): ``(1 - <x, p_k^y>)^2``, a compactness term.

Both are averaged over the samples with a valid label. The paper's
contrast divides the similarities by a temperature, ProtoSeg's code by none
(``tau = 1``); the heads default to ``tau = 0.1``.
Similarities and the soft-max run in float32 (also under autocast).
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from ._utils import autocast_disabled


def subcentroid_contrast_losses(
        sims: Tensor,
        labels: Tensor,
        targets: Tensor,
        active_mask: Optional[Tensor] = None,
        temperature: float = 0.1) -> Tuple[Tensor, Tensor]:
    """The contrast (PPC) and distance (PPD) losses of a batch.

    Args:
        sims: ``(N, C, K)`` similarities ``<x_n, p_k^c>`` of l2-normalised
            features and sub-centroids (with gradient to the features).
        labels: ``(N,)`` classes; values outside ``[0, C)`` are ignored.
        targets: ``(N,)`` the sub-centroid in ``[0, K)`` of its own class
            each sample is assigned to; -1 is ignored (e.g. from
            :func:`~dnc_mm.core.subcentroid_assignment.assign_subcentroids`).
        active_mask: ``(C, K)`` bool active sub-centroids; ``None``: all.
        temperature: ``tau`` of the contrast, > 0.

    Returns:
        ``(contrast, distance)``: two scalars, 0 (with a gradient path) when
        no sample takes part.
    """
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    n, c, k = sims.shape
    labels = labels.to(device=sims.device, dtype=torch.long).view(n)
    targets = targets.to(device=sims.device, dtype=torch.long).view(n)
    valid = (labels >= 0) & (labels < c) & (targets >= 0) & (targets < k)
    if not bool(valid.any()):
        zero = sims.sum() * 0
        return zero, zero
    with autocast_disabled(sims.device):
        flat = sims[valid].float().flatten(1)  # (M, C * K)
        index = labels[valid] * k + targets[valid]  # (M,)
        positive = flat.gather(1, index.unsqueeze(1)).squeeze(1)
        logits = flat / temperature
        if active_mask is not None:
            inactive = ~active_mask.to(
                device=sims.device, dtype=torch.bool).flatten()
            logits = logits.masked_fill(inactive, float('-inf'))
        contrast = F.cross_entropy(logits, index)
        distance = (1 - positive).pow(2).mean()
    return contrast, distance
