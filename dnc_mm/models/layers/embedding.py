"""Small building blocks around the sub-centroid classifier (pure PyTorch).

* the feature projection before l2 normalisation (the DNC reference uses a
  LayerNorm over the feature channels);
* the scaling of cosine scores before the cross-entropy (Eq. 7 is a
  cross-entropy over ``s_c(x)``; cosines in [-1, 1] need a scale: a
  LayerNorm over classes, as in the reference, or a temperature).
"""
import torch
from torch import Tensor, nn

PROJECTIONS = ('layernorm', 'linear', 'none')
LOGIT_NORMALIZATIONS = ('layernorm', 'temperature')

__all__ = [
    'PROJECTIONS', 'LOGIT_NORMALIZATIONS', 'build_projection',
    'build_logit_normalization', 'ChannelLayerNorm', 'Temperature'
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


def build_projection(kind: str, in_channels: int, embed_dims: int,
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
    layer = (nn.Conv2d(in_channels, embed_dims, 1) if pixelwise else
             nn.Linear(in_channels, embed_dims))
    return nn.Sequential(layer, ChannelLayerNorm(embed_dims))


def build_logit_normalization(kind: str, num_classes: int,
                              temperature: float = 0.1) -> nn.Module:
    """Scaling of cosine scores before the loss; keeps the class ranking.

    Args:
        kind: ``'layernorm'`` (LayerNorm over classes, no affine parameters,
            so the arg-max is unchanged) or ``'temperature'``.
        num_classes: ``C``.
        temperature: ``tau`` for ``'temperature'``.
    """
    if kind not in LOGIT_NORMALIZATIONS:
        raise ValueError(f'logit_normalization must be one of '
                         f'{LOGIT_NORMALIZATIONS}, got {kind!r}')
    if kind == 'temperature':
        return Temperature(temperature)
    if num_classes < 2:
        raise ValueError("logit_normalization='layernorm' needs at least 2 "
                         "classes; use 'temperature'")
    return ChannelLayerNorm(num_classes, elementwise_affine=False)
