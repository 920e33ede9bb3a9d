"""Hyperspherical prototypes spread by a Gaussian-potential uniformity loss.

HPL (Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024,
https://arxiv.org/abs/2403.16937, §3.2.1) fixes the ``c`` class prototypes
before training: ``c`` unit vectors in ``R^d`` spread as uniformly as
possible on the sphere by minimising Eq. 5,

    L_uni = log( (1/ĉ) Σ_{i∈subset} Σ_{j=1..c} exp(-t ‖w_i − w_j‖²) ),

with SGD (lr 0.1, 1000 iterations, §4.1), a random subset of ``ĉ``
prototypes per step and an l2 re-normalisation after every step. The result
depends on ``(d, c)`` (and the seed) only. This module also holds the
statistics of Table 7 (max / min pairwise cosine), the distance to a simplex
equiangular tight frame (ETF; reachable when ``d >= c - 1``) and the
simplex ETF itself (the fixed-ETF baseline of Tables 2, 4-6).

Pure PyTorch; every ``exp`` is taken in fp32 and in the log domain.
"""
import math
from typing import Callable, Dict, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from ._utils import autocast_disabled


def uniformity_loss(prototypes: Tensor,
                    subset: Optional[Tensor] = None,
                    t: float = 2.0) -> Tensor:
    """Gaussian-potential uniformity loss of Eq. 5 (log domain, fp32).

    ``log( (1/ĉ) Σ_{i∈subset} Σ_{j≠i} exp(-t ‖w_i − w_j‖²) )``. The
    self-pairs ``j = i`` that Eq. 5 also sums are left out: each adds the
    constant ``exp(0) = 1``, which only damps the gradient (Wang & Isola's
    uniformity, which Eq. 4 follows, uses distinct pairs).

    Args:
        prototypes: ``(c, d)`` all prototypes, ``c >= 2``.
        subset: ``(ĉ,)`` long indices of the prototypes of this step
            (``None``: all of them).
        t: Kernel sharpness ``t > 0`` of Eq. 3 (Wang & Isola use 2).

    Returns:
        Scalar loss (gradients flow to ``prototypes``).
    """
    if t <= 0:
        raise ValueError(f't must be > 0, got {t}')
    c = prototypes.shape[0]
    if c < 2:
        raise ValueError(f'need at least 2 prototypes, got {c}')
    if subset is None:
        subset = torch.arange(c, device=prototypes.device)
    with autocast_disabled(prototypes.device):
        w = prototypes.float()
        sq = torch.cdist(w[subset], w).pow(2)  # (ĉ, c)
        logits = -t * sq
        rows = torch.arange(subset.numel(), device=w.device)
        logits[rows, subset] = float('-inf')  # drop the self-pairs
        return torch.logsumexp(
            logits.flatten(), dim=0) - math.log(subset.numel())


def estimate_prototypes(
        num_classes: int,
        dims: int,
        iters: int = 1000,
        lr: float = 0.1,
        t: float = 2.0,
        subset_size: Optional[int] = None,
        seed: int = 0,
        momentum: float = 0.0,
        callback: Optional[Callable[[int, float], None]] = None) -> Tensor:
    """Spread ``num_classes`` unit prototypes in ``R^dims`` (Alg. 1, l.2-6).

    Plain SGD on ``ĉ · L_uni`` (Eq. 5 times the subset size, see the comment
    in the loop) from a seeded Gaussian start, re-normalising every
    prototype to unit length after each step. Runs on the CPU in fp32 with
    a private generator, so the result depends only on the arguments.

    Args:
        num_classes: ``c >= 2``.
        dims: ``d >= 2``.
        iters: SGD steps (paper 1000).
        lr: Learning rate (paper 0.1, constant).
        t: Kernel sharpness of Eq. 3.
        subset_size: ``ĉ``, prototypes drawn per step; ``None`` uses all
            ``c`` (§4.1: "batch size equal to the number of classes") up
            to 1,000, beyond that 1,000 (bounded memory for 10k classes).
        seed: Seed of the start and of the subset draws.
        momentum: SGD momentum (paper: plain SGD, 0).
        callback: Called as ``callback(step, loss)`` after each step
            (progress bars).

    Returns:
        ``(c, d)`` float32 unit-norm prototypes.
    """
    if num_classes < 2:
        raise ValueError(f'num_classes must be >= 2, got {num_classes}')
    if dims < 2:
        raise ValueError(f'dims must be >= 2 (one dimension has only two '
                         f'directions), got {dims}')
    if iters < 0:
        raise ValueError(f'iters must be >= 0, got {iters}')
    if subset_size is None:
        subset_size = min(num_classes, 1000)
    if not 1 <= subset_size <= num_classes:
        raise ValueError(f'subset_size must be in [1, {num_classes}], got '
                         f'{subset_size}')
    gen = torch.Generator().manual_seed(seed)
    with torch.enable_grad():
        w = torch.randn(num_classes, dims, generator=gen)
        w = F.normalize(w, dim=1).requires_grad_(True)
        opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
        for step in range(iters):
            idx = torch.randperm(num_classes, generator=gen)[:subset_size]
            loss = uniformity_loss(w, idx, t)
            opt.zero_grad()
            # Eq. 5 averages over the ĉ rows, so each prototype's gradient
            # shrinks as 1/ĉ: with lr 0.1 and 1000 steps, 100 prototypes in
            # R^100 stay far from the ETF (max cos 0.18, min -0.30 measured).
            # Scaling by ĉ (a per-prototype step size independent of ĉ)
            # reproduces Table 7 with the paper's lr and iterations.
            (loss * idx.numel()).backward()
            opt.step()
            with torch.no_grad():
                w.copy_(F.normalize(w, dim=1))
            if callback is not None:
                callback(step, loss.item())
    return w.detach().contiguous()


def pairwise_cosines(prototypes: Tensor) -> Tensor:
    """Off-diagonal cosines ``(c*(c-1),)`` of the rows of ``(c, d)``."""
    w = F.normalize(prototypes.float(), dim=1)
    cos = w @ w.t()
    c = cos.shape[0]
    return cos[~torch.eye(c, dtype=torch.bool, device=cos.device)]


def prototype_statistics(prototypes: Tensor) -> Dict[str, float]:
    """Table 7 statistics and the distance to a simplex ETF.

    Args:
        prototypes: ``(c, d)`` prototypes (normalised here).

    Returns:
        ``max_cos``, ``min_cos``, ``mean_cos`` of distinct pairs; when
        ``d >= c - 1`` also ``etf_cos`` (``-1/(c-1)``), ``etf_max_abs_dev``
        (largest ``|cos_ij + 1/(c-1)|``) and ``etf_rel_gram_error``
        (``‖G − G_etf‖_F / ‖G_etf‖_F`` of the Gram matrices).
    """
    c, d = prototypes.shape
    cos = pairwise_cosines(prototypes)
    stats = dict(
        max_cos=float(cos.max()),
        min_cos=float(cos.min()),
        mean_cos=float(cos.mean()))
    if d >= c - 1:
        target = -1.0 / (c - 1)
        w = F.normalize(prototypes.float(), dim=1)
        gram = w @ w.t()
        etf = torch.full_like(gram, target)
        etf.fill_diagonal_(1.0)
        stats.update(
            etf_cos=target,
            etf_max_abs_dev=float((cos - target).abs().max()),
            etf_rel_gram_error=float((gram - etf).norm() / etf.norm()))
    return stats


def simplex_etf(num_classes: int, dims: int, seed: int = 0) -> Tensor:
    """A simplex ETF: ``c`` unit vectors with all cosines ``-1/(c-1)``.

    The centred basis vectors ``e_i − 1/c`` span a ``(c-1)``-dimensional
    space; their coordinates in an orthonormal basis of it are rotated into
    ``R^d`` by a seeded random orthonormal map (the fixed classifier of
    Yang et al., the ETF baseline of Tables 2, 4-6).

    Args:
        num_classes: ``c >= 2``.
        dims: ``d``; must be at least ``c - 1``.
        seed: Seed of the random rotation.

    Returns:
        ``(c, d)`` float32 unit-norm prototypes.
    """
    if num_classes < 2:
        raise ValueError(f'num_classes must be >= 2, got {num_classes}')
    if dims < num_classes - 1:
        raise ValueError(
            f'a simplex ETF of {num_classes} classes needs dims >= '
            f'{num_classes - 1}, got {dims}: use the uniformity prototypes '
            "(prototype_type='uniform') for d < c - 1")
    c = num_classes
    centred = torch.eye(c, dtype=torch.float64) - 1.0 / c
    # orthonormal basis of the centred space: the c-1 leading eigenvectors
    _, vecs = torch.linalg.eigh(centred)
    basis = vecs[:, 1:]  # eigenvalue 0 comes first (direction of ones)
    coords = centred @ basis  # (c, c-1)
    gen = torch.Generator().manual_seed(seed)
    rot, _ = torch.linalg.qr(
        torch.randn(dims, c - 1, generator=gen, dtype=torch.float64))
    w = coords @ rot.t()  # (c, d)
    return F.normalize(w, dim=1).float().contiguous()
