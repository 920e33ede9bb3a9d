"""Exponential moving average of each class's normalised feature (HPL).

HPL (Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024,
https://arxiv.org/abs/2403.16937, §3.2.3) keeps one representative per
class, ``z̄_y ← α z̄_y + (1 − α) z_i`` for every training sample
``(z_i, y_i)``, and re-assigns labels to prototypes from these means
(Eq. 9).

The official code (https://github.com/msed-Ebrahimi/DL2PA_CVPR24) gets
this wrong: it writes ``q += 0.9 q + 0.1 x`` (not an average), keeps one
write per class when a batch holds several samples of it, and never
synchronises across GPUs. Here a class
that receives ``n_y`` samples in a step (all ranks together) takes ``n_y``
moving-average steps towards the mean ``m_y`` of those samples:

    z̄_y ← α^{n_y} z̄_y + (1 − α^{n_y}) m_y.

This is exactly the per-sample recursion when the samples are equal, it
counts every sample, does not depend on their order inside the batch (the
per-sample recursion would), and needs only per-class sums and counts,
which are all-reduced so that every rank ends with the same means. Soft
labels (Mixup / CutMix) count fractionally: a sample mixed ``λ : 1 − λ``
between classes ``a`` and ``b`` adds ``λ`` to ``n_a`` and ``1 − λ`` to
``n_b`` with the same weights in the sums (``source='mixed'``). Because a
mixed feature lies between the two classes, that pulls the mean of a
rarely drawn (tail) class towards the frequent classes it is mixed with;
:func:`mean_weights` offers two cleaner sources: ``'unmixed'`` (only the
samples whose target is one class, e.g. Mixup partners of the same class)
and ``'dominant'`` (each sample counts for its dominant label only, with
its mixing weight; the mixed-in partner is ignored).

Pure PyTorch, fp32.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from ._utils import ReduceFn, autocast_disabled, check_choice, maybe_reduce


def class_weights_matrix(targets: Tensor, num_classes: int) -> Tensor:
    """``(N, C)`` per-sample class weights from hard or soft targets.

    Args:
        targets: ``(N,)`` integer labels, or ``(N, C)`` soft labels (rows
            summing to 1, e.g. Mixup's ``gt_score``).
        num_classes: ``C``.

    Returns:
        ``(N, C)`` float32 weights (one-hot rows for hard labels).
    """
    if targets.dim() == 1:
        if targets.numel() and (int(targets.min()) < 0
                                or int(targets.max()) >= num_classes):
            raise ValueError(
                f'labels span [{int(targets.min())}, {int(targets.max())}] '
                f'but num_classes={num_classes}: set the head\'s '
                'num_classes to the number of classes of the data')
        weights = torch.zeros(
            targets.numel(), num_classes, device=targets.device)
        weights[torch.arange(targets.numel(), device=targets.device),
                targets.long()] = 1.0
        return weights
    if targets.dim() != 2 or targets.shape[1] != num_classes:
        raise ValueError(f'soft targets must be (N, {num_classes}), got '
                         f'{tuple(targets.shape)}')
    return targets.float()


#: ``source`` values of :func:`mean_weights`.
MEAN_SOURCES = ('mixed', 'unmixed', 'dominant')


def mean_weights(targets: Tensor,
                 num_classes: int,
                 source: str = 'mixed') -> Tensor:
    """``(N, C)`` weights with which each sample enters each class mean.

    Args:
        targets: ``(N,)`` integer labels, or ``(N, C)`` soft labels.
        num_classes: ``C``.
        source: ``'mixed'``: the soft label itself (a sample mixed
            ``λ : 1 − λ`` counts ``λ`` for one class and ``1 − λ`` for
            the other); ``'unmixed'``: one-hot rows only (a row whose
            largest weight is below ``1 − 1e-6`` is left out); ``'dominant'``:
            the row's largest weight on its argmax class (the lower class
            index on an exact tie), 0 elsewhere. Hard labels give one-hot
            rows in every mode.

    Returns:
        ``(N, C)`` float32 weights.
    """
    check_choice('source', source, MEAN_SOURCES)
    weights = class_weights_matrix(targets, num_classes)
    if source == 'mixed' or targets.dim() == 1 or weights.numel() == 0:
        return weights
    top, label = weights.max(dim=1)
    if source == 'unmixed':
        top = (top >= 1 - 1e-6).float()
    out = torch.zeros_like(weights)
    out[torch.arange(weights.shape[0], device=weights.device), label] = top
    return out


def class_sums(feats: Tensor,
               targets: Tensor,
               num_classes: int,
               reduce_fn: Optional[ReduceFn] = None) -> Tuple[Tensor, Tensor]:
    """Per-class weighted feature sums and sample counts of a batch.

    Args:
        feats: ``(N, D)`` features (l2-normalised by the caller).
        targets: ``(N,)`` labels or ``(N, C)`` soft labels.
        num_classes: ``C``.
        reduce_fn: Optional all-reduce over ranks (sums are added).

    Returns:
        ``sums (C, D)`` and ``counts (C,)``, float32, summed over ranks.
    """
    with autocast_disabled(feats.device):
        if targets.dim() == 1:
            class_weights_matrix(targets, num_classes)  # validates labels
            labels = targets.long()
            sums = torch.zeros(
                num_classes, feats.shape[1], device=feats.device)
            sums.index_add_(0, labels, feats.float())
            counts = torch.bincount(labels, minlength=num_classes).float()
        else:
            weights = class_weights_matrix(targets, num_classes)
            sums = weights.t() @ feats.float()
            counts = weights.sum(0)
        # one all-reduce for both
        packed = torch.cat([sums, counts[:, None]], dim=1)
        packed = maybe_reduce(packed, 'sum', reduce_fn)
        return packed[:, :-1], packed[:, -1]


def ema_class_means(means: Tensor, sums: Tensor, counts: Tensor,
                    momentum: float) -> Tensor:
    """New class means ``α^{n} z̄ + (1 − α^{n}) (sums / n)``.

    Args:
        means: ``(C, D)`` current means ``z̄``.
        sums: ``(C, D)`` per-class feature sums of the step.
        counts: ``(C,)`` per-class (possibly fractional) sample counts
            ``n``; classes with ``n = 0`` keep their mean.
        momentum: ``α`` in ``[0, 1)``.

    Returns:
        ``(C, D)`` updated means (a new tensor, same dtype as ``means``).
    """
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f'momentum must be in [0, 1), got {momentum}')
    counts = counts.float()
    keep = torch.pow(torch.full_like(counts, momentum), counts)  # α^n
    batch_mean = sums.float() / counts.clamp_min(1e-12)[:, None]
    new = keep[:, None] * means.float() + (1 - keep)[:, None] * batch_mean
    new = torch.where((counts > 0)[:, None], new, means.float())
    return new.to(means.dtype)


@torch.no_grad()
def update_class_means(means: Tensor,
                       counts_seen: Tensor,
                       feats: Tensor,
                       targets: Tensor,
                       momentum: float,
                       reduce_fn: Optional[ReduceFn] = None) -> None:
    """In-place EMA step of the class means for one (global) batch.

    Args:
        means: ``(C, D)`` buffer ``z̄``, updated in place.
        counts_seen: ``(C,)`` float buffer of samples seen per class, updated
            in place (for logging and for telling unseen classes).
        feats: ``(N, D)`` l2-normalised features of this rank's batch.
        targets: ``(N,)`` labels or ``(N, C)`` soft labels.
        momentum: ``α``.
        reduce_fn: All-reduce over ranks, so every rank applies the same
            global-batch update.
    """
    if feats.dim() != 2 or feats.shape[1] != means.shape[1]:
        raise ValueError(f'features must be (N, {means.shape[1]}), got '
                         f'{tuple(feats.shape)}')
    if targets.shape[0] != feats.shape[0]:
        raise ValueError(f'{feats.shape[0]} features but {targets.shape[0]} '
                         'targets')
    sums, counts = class_sums(feats.detach(), targets, means.shape[0],
                              reduce_fn)
    means.copy_(ema_class_means(means, sums, counts, momentum))
    counts_seen.add_(counts.to(counts_seen.dtype))


def batch_class_means(sums: Tensor, counts: Tensor,
                      fallback: Tensor) -> Tensor:
    """Plain per-class means ``sums / n`` of a pass over data.

    Args:
        sums: ``(C, D)`` per-class feature sums (:func:`class_sums`,
            accumulated over any number of batches).
        counts: ``(C,)`` per-class sample counts.
        fallback: ``(C, D)`` means used for classes with ``n = 0`` (e.g.
            the running means ``z̄``).

    Returns:
        ``(C, D)`` float32 means.
    """
    if sums.shape != fallback.shape or counts.shape != sums.shape[:1]:
        raise ValueError(f'sums {tuple(sums.shape)}, counts '
                         f'{tuple(counts.shape)} and fallback '
                         f'{tuple(fallback.shape)} do not match')
    means = sums.float() / counts.float().clamp_min(1e-12)[:, None]
    return torch.where((counts > 0)[:, None], means, fallback.float())
