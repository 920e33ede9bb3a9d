"""He et al.'s CIFAR ResNets (ResNet-20/32/44/56/110; 6n+2 layers).

mmpretrain's ``ResNet_CIFAR`` is the ImageNet ResNet-18/34/50 with a 3x3
stem; HPL (Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024,
https://arxiv.org/abs/2403.16937) and its baselines (HPN, ETF) use the
original CIFAR ResNet-32 of He et al. (§4.2 of "Deep Residual Learning"):
a 3x3 stem with 16 channels, three stages of ``n`` basic blocks with 16,
32 and 64 channels (stride 1, 2, 2), ``depth = 6n + 2`` (ResNet-32: n = 5,
0.46M parameters).
Shortcuts that change shape are a strided 1x1 convolution + BN (option B);
``shortcut='A'`` gives the parameter-free zero-padding shortcut of the
original paper.
"""
from typing import Sequence, Tuple

import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import Tensor, nn


class _BasicBlock(nn.Module):
    """Two 3x3 convolutions with BN and a shortcut."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, shortcut: str,
                 norm_cfg: dict):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = build_norm_layer(norm_cfg, out_ch)[1]
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_ch)[1]
        self.shortcut_type = shortcut
        self.stride = stride
        self.pad = out_ch - in_ch
        self.downsample = None
        if (stride != 1 or in_ch != out_ch) and shortcut == 'B':
            self.downsample = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride, bias=False),
                build_norm_layer(norm_cfg, out_ch)[1])

    def _identity(self, x: Tensor) -> Tensor:
        if self.downsample is not None:
            return self.downsample(x)
        if self.stride != 1 or self.pad:
            x = x[:, :, ::self.stride, ::self.stride]
            x = F.pad(x, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return x

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self._identity(x))


@MODELS.register_module()
class CifarResNet(BaseBackbone):
    """CIFAR ResNet of depth ``6n + 2`` (He et al. 2016, §4.2).

    Args:
        depth: ``6n + 2`` (20, 32, 44, 56, 110, ...; 8 for a tiny n=1 net).
        in_channels: Input channels (3 for RGB, 1 for greyscale).
        base_channels: Width of the first stage (16); stages are
            ``base, 2*base, 4*base``.
        shortcut: ``'B'`` (1x1 conv projection) or ``'A'`` (zero padding).
        out_indices: Stages whose outputs are returned (0-2).
        norm_cfg: Normalisation layer config.
        init_cfg: Initialisation config.

    Shapes:
        Input ``(N, in_channels, H, W)``; stage ``i`` outputs
        ``(N, base * 2^i, H / 2^i, W / 2^i)``.
    """

    def __init__(self,
                 depth: int = 32,
                 in_channels: int = 3,
                 base_channels: int = 16,
                 shortcut: str = 'B',
                 out_indices: Sequence[int] = (2, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=[
                     dict(type='Kaiming', layer=['Conv2d']),
                     dict(type='Constant', val=1, layer=['_BatchNorm'])
                 ]):
        super().__init__(init_cfg=init_cfg)
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f'CifarResNet depth must be 6n+2 with n >= 1 '
                             f'(8, 20, 32, 44, 56, 110), got {depth}')
        if shortcut not in ('A', 'B'):
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")
        for i in out_indices:
            if not 0 <= i <= 2:
                raise ValueError(f'out_indices must be in 0-2, got {i}')
        n = (depth - 2) // 6
        self.out_indices = tuple(out_indices)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, base_channels, 3, 1, 1, bias=False),
            build_norm_layer(norm_cfg, base_channels)[1], nn.ReLU())
        self.stages = nn.ModuleList()
        in_ch = base_channels
        for i in range(3):
            out_ch = base_channels * 2**i
            blocks = [
                _BasicBlock(in_ch if j == 0 else out_ch, out_ch,
                            (1 if i == 0 else 2) if j == 0 else 1, shortcut,
                            norm_cfg) for j in range(n)
            ]
            self.stages.append(nn.Sequential(*blocks))
            in_ch = out_ch

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        x = self.stem(x)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
