"""Small building blocks around the sub-centroid classifier (pure PyTorch).

* the feature projection before l2 normalisation (the official DNC code,
  https://github.com/ChengHan111/DNC, uses a LayerNorm over the feature
  channels);
* the scaling of cosine scores before the cross-entropy (Eq. 7 of Wang,
  Han, Zhou, Liu, "Visual Recognition with Deep Nearest Centroids", ICLR
  2023, https://arxiv.org/abs/2209.07383, is a cross-entropy over
  ``s_c(x)``; cosines in [-1, 1] need a scale). The paper does not say which;
  the official code and its segmentation ancestor ProtoSeg
  (https://github.com/tfzhou/ProtoSeg) use a LayerNorm over the classes
  *with* learnable scale and bias.
"""
import math

import torch
from torch import Tensor, nn

PROJECTIONS = ('layernorm', 'linear', 'none')
#: ``'layernorm'``: LayerNorm over classes without affine parameters;
#: ``'layernorm_affine'``: with a learnable scale and bias per class (the
#: official code's ``nn.LayerNorm(num_classes)``); ``'learned_scale'``: one
#: learnable scale shared by all classes; ``'temperature'``: a fixed ``1/tau``.
LOGIT_NORMALIZATIONS = ('layernorm', 'layernorm_affine', 'learned_scale',
                        'temperature')
#: Normalisations that keep the order of the classes, so the prediction is
#: the class of the nearest sub-centroid (Eq. 4).
RANK_PRESERVING = ('layernorm', 'learned_scale', 'temperature')

__all__ = [
    'PROJECTIONS', 'LOGIT_NORMALIZATIONS', 'RANK_PRESERVING',
    'build_projection', 'build_logit_normalization', 'ChannelLayerNorm',
    'Temperature', 'LearnedScale'
]


class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over dim 1 of ``(N, C, *)`` tensors (pixels or vectors)."""

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 2:
            return super().forward(x)
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)


class Temperature(nn.Module):
    """Divide scores by a fixed temperature ``tau``."""

    def __init__(self, temperature: float) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature

    def forward(self, x: Tensor) -> Tensor:
        return x / self.temperature

    def extra_repr(self) -> str:
        return f'temperature={self.temperature}'


class LearnedScale(nn.Module):
    """Multiply scores by one learnable positive scale ``exp(log_scale)``.

    Shared by all classes, so the class ranking (the nearest-centroid
    decision) is unchanged while the loss can sharpen the soft-max.

    Args:
        init_scale: Scale at initialisation (``1 / temperature``).
    """

    def __init__(self, init_scale: float) -> None:
        super().__init__()
        if init_scale <= 0:
            raise ValueError(f'init_scale must be > 0, got {init_scale}')
        self.log_scale = nn.Parameter(torch.tensor(math.log(init_scale)))

    def forward(self, x: Tensor) -> Tensor:
        return x * self.log_scale.exp()

    def extra_repr(self) -> str:
        return f'scale={float(self.log_scale.detach().exp()):.4g}'


def build_projection(kind: str,
                     in_channels: int,
                     embed_dims: int,
                     pixelwise: bool = False) -> nn.Module:
    """The projection applied before l2 normalisation.

    Args:
        kind: ``'layernorm'`` (needs ``embed_dims == in_channels``),
            ``'linear'`` (Linear / 1x1 conv + LayerNorm) or ``'none'``.
        in_channels: Input channels.
        embed_dims: Output channels ``D``.
        pixelwise: Inputs are ``(B, C, H, W)`` maps instead of vectors.
    """
    if kind not in PROJECTIONS:
        raise ValueError(f'projection must be one of {PROJECTIONS}, got '
                         f'{kind!r}')
    if kind != 'linear' and embed_dims != in_channels:
        raise ValueError(
            f"projection={kind!r} keeps the {in_channels} input channels, but "
            f"embed_dims={embed_dims}: use projection='linear' to change the "
            'output dimension')
    if kind == 'none':
        return nn.Identity()
    if kind == 'layernorm':
        return ChannelLayerNorm(in_channels)
    layer = (
        nn.Conv2d(in_channels, embed_dims, 1) if pixelwise else nn.Linear(
            in_channels, embed_dims))
    return nn.Sequential(layer, ChannelLayerNorm(embed_dims))


def build_logit_normalization(kind: str,
                              num_classes: int,
                              temperature: float = 0.1) -> nn.Module:
    """Scaling of cosine scores before the loss; keeps the class ranking.

    Args:
        kind: One of :data:`LOGIT_NORMALIZATIONS`: ``'layernorm'``
            (LayerNorm over classes, no affine parameters, so the arg-max is
            unchanged), ``'layernorm_affine'`` (learnable per-class scale
            and bias, as the official code; the arg-max may then differ from
            the nearest sub-centroid), ``'learned_scale'`` (one learnable
            scale, initialised to ``1 / temperature``) or ``'temperature'``.
        num_classes: ``C``.
        temperature: ``tau`` for ``'temperature'`` and the initial scale
            ``1 / tau`` of ``'learned_scale'``.
    """
    if kind not in LOGIT_NORMALIZATIONS:
        raise ValueError(f'logit_normalization must be one of '
                         f'{LOGIT_NORMALIZATIONS}, got {kind!r}')
    if kind == 'temperature':
        return Temperature(temperature)
    if kind == 'learned_scale':
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        return LearnedScale(1.0 / temperature)
    if num_classes < 2:
        raise ValueError(f'logit_normalization={kind!r} needs at least 2 '
                         "classes; use 'temperature' or 'learned_scale'")
    return ChannelLayerNorm(
        num_classes, elementwise_affine=kind == 'layernorm_affine')
