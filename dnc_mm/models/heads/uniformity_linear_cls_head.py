"""HPL's baselines for mmpretrain: PSC, PSC* and a cosine softmax.

HPL: Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024, https://arxiv.org/abs/2403.16937.
:class:`UniformityLinearClsHead` is the PSC baseline (linear softmax
classifier, optionally after a ``d``-dimensional projection), with the
optional ``λ·L_uni`` regulariser on its class weights (PSC*, Table 8), or,
with ``cosine_scale``, a cosine softmax (learnable class weights on the
hypersphere: separates the effect of the hypersphere from that of fixed
prototypes), with a fixed or a learned scale.
"""
from typing import List, Optional, Tuple

import torch.nn.functional as F
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from dnc_mm.core.hyperspherical_prototypes import uniformity_loss
from dnc_mm.models.layers import LearnedScale


@MODELS.register_module()
class UniformityLinearClsHead(LinearClsHead):
    """Linear softmax classifier (PSC), optionally ``+ λ·L_uni`` (PSC*).

    With ``embed_dims`` the pooled feature first goes through a learnable
    linear projection to ``d`` dimensions (the metric-space dimension of
    Tables 1 and 8); with ``uniformity_weight > 0`` the loss gains
    ``λ · L_uni`` of the l2-normalised class weights (Eq. 5 on all pairs,
    Table 8's ``CE + 10^-2 L_uni``).

    With ``cosine_scale = s`` the scores are ``s · cos(z, w_y)`` (the
    embedding and the class weights l2-normalised, no bias; a cosine
    softmax as in NormFace, Wang et al., ACM MM 2017,
    https://arxiv.org/abs/1704.06369, without margin): the learned
    classifier lives on the same hypersphere as HPL's fixed prototypes, so
    that a comparison against it isolates the effect of fixing (and
    re-assigning) the prototypes. The best fixed ``s`` depends on ``d``
    (measured on long-tailed Fashion-MNIST, docs/methods/hpl.md: 2 at
    ``d = 10``, 8 at ``d = 64``, of 1 – 32); ``learn_cosine_scale`` learns
    it instead, ``s = exp(log s)`` from ``cosine_scale``, as NormFace does
    (it collapsed in that recipe, see the argument).

    Args:
        num_classes: ``C``.
        in_channels: Channels of the pooled backbone feature.
        embed_dims: Optional projection dimension ``d``.
        uniformity_weight: ``λ`` (0: plain PSC).
        uniformity_t: ``t`` of the Gaussian potential.
        cosine_scale: ``s`` of the cosine softmax (``None``: the plain
            linear classifier).
        learn_cosine_scale: Learn ``s`` (one scalar, initialised to
            ``cosine_scale``) instead of fixing it. Measured to collapse
            (``s`` to 0.03, accuracy to chance) with Mixup,
            class-balanced cross-entropy and learning rate 0.1 on
            long-tailed Fashion-MNIST: prefer a fixed ``s`` there.
        **kwargs: The rest of :class:`LinearClsHead`'s arguments.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 embed_dims: Optional[int] = None,
                 uniformity_weight: float = 0.0,
                 uniformity_t: float = 2.0,
                 cosine_scale: Optional[float] = None,
                 learn_cosine_scale: bool = False,
                 **kwargs):
        dims = in_channels if embed_dims is None else embed_dims
        super().__init__(num_classes=num_classes, in_channels=dims, **kwargs)
        if uniformity_weight < 0:
            raise ValueError(f'uniformity_weight must be >= 0, got '
                             f'{uniformity_weight}')
        if cosine_scale is not None and not cosine_scale > 0:
            raise ValueError(f'cosine_scale must be > 0 (or None for the '
                             f'linear classifier), got {cosine_scale}')
        if learn_cosine_scale and cosine_scale is None:
            raise ValueError('learn_cosine_scale=True needs the initial '
                             'scale: set cosine_scale (e.g. 16.0)')
        self.cosine_scale = cosine_scale
        self.scale = (
            LearnedScale(cosine_scale) if learn_cosine_scale else None)
        if cosine_scale is not None:  # no bias: nothing left unused in DDP
            self.fc = nn.Linear(dims, num_classes, bias=False)
        self.feat_channels = in_channels
        self.projection = (
            nn.Identity() if dims == in_channels else nn.Linear(
                in_channels, dims))
        self.uniformity_weight = uniformity_weight
        self.uniformity_t = uniformity_t

    def pre_logits(self, feats: Tuple[Tensor]) -> Tensor:
        x = feats[-1]
        if x.dim() != 2 or x.shape[1] != self.feat_channels:
            raise ValueError(f'expected pooled (N, {self.feat_channels}) '
                             f'features, got {tuple(x.shape)}')
        return self.projection(x)

    def forward(self, feats: Tuple[Tensor]) -> Tensor:
        """Class scores ``(N, C)``: linear, or ``s · cos`` with
        ``cosine_scale`` (computed in fp32, also under autocast; ``s``
        learned with ``learn_cosine_scale``)."""
        x = self.pre_logits(feats)
        if self.cosine_scale is None:
            return self.fc(x)
        z = F.normalize(x.float(), dim=1)
        w = F.normalize(self.fc.weight.float(), dim=1)
        if self.scale is not None:
            return self.scale(z @ w.t())
        return self.cosine_scale * (z @ w.t())

    def loss(self, feats: Tuple[Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        losses = super().loss(feats, data_samples, **kwargs)
        if self.uniformity_weight > 0:
            w = F.normalize(self.fc.weight, dim=1)
            losses['loss_uniformity'] = self.uniformity_weight * \
                uniformity_loss(w, t=self.uniformity_t)
        return losses
