"""The category-basis pixel classifier that replaces a decode head's
``conv_seg`` (CBP paper §3.2; ablations of Tables 4 and 5).

CBP paper: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.
"""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from ...core import (category_basis_prototypes, ema_update_prototypes,
                     equalize_norms, orthogonality_penalty)
from ..utils import all_reduce_fn, finite_on_all_ranks

__all__ = ['CategoryBasisClassifier']

_MODES = ('frozen', 'learnable', 'penalty', 'ema')


@MODELS.register_module()
class CategoryBasisClassifier(nn.Module):
    """Pixel logits ``f^T W`` with category-basis prototypes ``W``.

    A drop-in replacement of a decode head's ``conv_seg`` (a 1x1 conv):
    ``forward`` maps ``(B, C, H, W)`` features to ``(B, N, H, W)`` logits
    without bias. The ``(N, C)`` prototypes are drawn once in ``__init__``
    (Algorithm 1: Kaiming, Gram–Schmidt, equal norm ``length``) with torch's
    global generator, i.e. from mmengine's ``randomness.seed``.

    ``mode`` selects how they evolve (Table 4):

    * ``'frozen'`` (CBP, the paper's method): a buffer ``prototypes`` — in
      the checkpoint, never in the optimizer, never changed;
    * ``'learnable'`` ("Gradient"): an ``nn.Parameter`` trained by the loss;
    * ``'penalty'``: learnable, re-equalised to norm ``length`` in every
      forward, plus the loss ``loss_ortho = penalty_weight * mean_{i!=j}
      cos(w_i, w_j)^2`` (paper: weight 0.01);
    * ``'ema'`` ("EMA"): a buffer moved after every training step towards
      the batch's category centroids (mean feature of each class's pixels,
      summed over ranks), ``w <- m w + (1 - m) c``, and re-equalised.

    ``orthogonalize=False`` / ``equalize=False`` are the initialisations of
    Table 5.

    Args:
        in_channels: ``C``, the decoder's ``channels``.
        num_classes: ``N``.
        length: Common l2 norm of the prototypes (paper default 2).
        mode: One of ``'frozen'``, ``'learnable'``, ``'penalty'``, ``'ema'``.
        orthogonalize: Gram–Schmidt at initialisation (needs ``C >= N``).
        equalize: Equal norms at initialisation.
        penalty_weight: Weight of ``loss_ortho`` (``mode='penalty'``).
        ema_momentum: ``m`` of the EMA update (``mode='ema'``).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 length: float = 2.0,
                 mode: str = 'frozen',
                 orthogonalize: bool = True,
                 equalize: bool = True,
                 penalty_weight: float = 0.01,
                 ema_momentum: float = 0.999) -> None:
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f'CategoryBasisClassifier: mode must be one of '
                             f'{_MODES}, got {mode!r}')
        if not length > 0:
            raise ValueError(f'length must be > 0, got {length}')
        if not 0.0 <= ema_momentum <= 1.0:
            raise ValueError(f'ema_momentum must be in [0, 1], got '
                             f'{ema_momentum}')
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.length = float(length)
        self.mode = mode
        self.orthogonalize = orthogonalize
        self.equalize = equalize
        self.penalty_weight = float(penalty_weight)
        self.ema_momentum = float(ema_momentum)
        init = category_basis_prototypes(
            num_classes,
            in_channels,
            length,
            orthogonalize=orthogonalize,
            equalize=equalize)
        if mode in ('learnable', 'penalty'):
            self.prototypes = nn.Parameter(init)
        else:
            self.register_buffer('prototypes', init)

    @property
    def out_channels(self) -> int:
        return self.num_classes

    @property
    def updates_from_features(self) -> bool:
        """Whether :meth:`update` needs the training features (EMA)."""
        return self.mode == 'ema'

    def class_weights(self) -> Tensor:
        """``(N, C)`` prototypes as used by ``forward``."""
        if self.mode == 'penalty':
            return equalize_norms(self.prototypes, self.length)
        return self.prototypes

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C, H, W)`` features -> ``(B, N, H, W)`` logits."""
        if x.shape[1] != self.in_channels:
            raise ValueError(f'CategoryBasisClassifier expects '
                             f'{self.in_channels} channels, got {x.shape[1]}')
        w = self.class_weights().to(x.dtype)
        return F.conv2d(x, w[:, :, None, None])

    def extra_losses(self) -> Dict[str, Tensor]:
        """``{'loss_ortho': ...}`` for ``mode='penalty'``, else ``{}``."""
        if self.mode != 'penalty':
            return {}
        return dict(loss_ortho=self.penalty_weight *
                    orthogonality_penalty(self.prototypes))

    @torch.no_grad()
    def update(self, feats: Tensor, labels: Tensor) -> None:
        """EMA step (``mode='ema'``; no-op otherwise).

        Every rank must call it once per training step (it all-reduces).

        Args:
            feats: ``(B, C, H, W)`` features.
            labels: ``(B, H, W)`` int64 labels at feature resolution,
                negative = ignored.
        """
        if self.mode != 'ema' or not finite_on_all_ranks(
                feats.detach(), what='CBP EMA prototypes'):
            return
        c = feats.shape[1]
        lab = labels.reshape(-1)
        idx = ((lab >= 0) & (lab < self.num_classes)).nonzero().squeeze(1)
        x = feats.detach().permute(0, 2, 3, 1).reshape(-1, c)
        x = x.index_select(0, idx).float()
        sums = x.new_zeros(self.num_classes, c).index_add(0, lab[idx], x)
        counts = torch.bincount(lab[idx], minlength=self.num_classes).float()
        reduce_fn = all_reduce_fn()
        if reduce_fn is not None:
            reduce_fn(sums, 'sum')
            reduce_fn(counts, 'sum')
        # out of place: this step's logits still need the old prototypes
        # for the backward pass
        self.prototypes = ema_update_prototypes(
            self.prototypes.clone(), sums, counts, self.ema_momentum,
            self.length if self.equalize else None)

    def extra_repr(self) -> str:
        return (f'in_channels={self.in_channels}, num_classes='
                f'{self.num_classes}, length={self.length}, mode={self.mode}, '
                f'orthogonalize={self.orthogonalize}, '
                f'equalize={self.equalize}')
