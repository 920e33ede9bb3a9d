"""Initialise sub-centroids from data: batched k-means++ inside every class.

DNC (Wang, Han, Zhou, Liu, "Visual Recognition with Deep Nearest
Centroids", ICLR 2023, https://arxiv.org/abs/2209.07383, §3) starts its
sub-centroids at random unit vectors and lets the momentum update (Eq. 8,
``mu = 0.999``) pull them to the data over tens of thousands of iterations.
For short schedules and fine-tuning that start is a handicap: after ``n``
updates a sub-centroid is still ``mu ** n`` of its random start. This module
seeds them instead from the first features seen of each class, with
k-means++ (Arthur and Vassilvitskii, "k-means++: the advantages of careful
seeding", SODA 2007) followed by a few spherical Lloyd iterations. This goes
beyond the paper; it is off in the paper configs.

All classes are seeded at once: the per-class weighted draw of k-means++ is
a Gumbel-max over the class's segment of samples (``scatter_reduce``), so the
cost is ``K_max`` passes over the ``N`` samples, with no loop over classes.
The random draws come from a seeded CPU generator, so the same input gives
the same centres on every device and rank.
"""
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from ._utils import autocast_disabled
from .momentum import subcentroid_sums
from .subcentroid_assignment import kmeans_subcentroids

__all__ = ['DataInit', 'kmeanspp_subcentroids']


class DataInit(NamedTuple):
    """Result of :func:`kmeanspp_subcentroids`.

    Attributes:
        subcentroids: ``(C, K, D)`` float32 l2-normalised centres; rows of
            classes that are not ``ready`` and inactive slots are zero.
        ready: ``(C,)`` bool, classes with at least as many samples as active
            sub-centroids (only those were seeded).
    """
    subcentroids: Tensor
    ready: Tensor


def _gumbel(n: int, generator: torch.Generator, device) -> Tensor:
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    return (
        -torch.log(-torch.log(u.clamp(1e-12, 1 - 1e-12)))).float().to(device)


def kmeanspp_subcentroids(features: Tensor,
                          labels: Tensor,
                          num_classes: int,
                          active_mask: Tensor,
                          kmeans_iters: int = 3,
                          seed: int = 0) -> DataInit:
    """k-means++ seeding plus spherical Lloyd iterations, per class.

    For every class ``c`` with at least ``K_c`` (active) samples: the first
    centre is a uniformly drawn sample of the class, each next one a sample
    drawn with probability proportional to its squared distance
    ``2 - 2 cos`` to the nearest centre already chosen; then
    ``kmeans_iters`` Lloyd iterations with cosine similarity
    (:func:`~dnc_mm.core.subcentroid_assignment.kmeans_subcentroids`) and
    the centres become the l2-normalised means of their clusters (a centre
    whose cluster is empty keeps its seed). Runs in float32, autocast off,
    no gradient.

    Args:
        features: ``(N, D)`` l2-normalised features.
        labels: ``(N,)`` int classes; values outside ``[0, C)`` are ignored.
        num_classes: ``C``.
        active_mask: ``(C, K)`` bool active sub-centroid slots.
        kmeans_iters: Lloyd iterations after the seeding (>= 0).
        seed: Seed of the CPU generator of the random draws.

    Returns:
        :class:`DataInit` ``(subcentroids, ready)``.
    """
    n, d = features.shape
    c = num_classes
    k = active_mask.shape[1]
    device = features.device
    with autocast_disabled(device), torch.no_grad():
        x = F.normalize(features.detach().float(), dim=-1)
        labels = labels.to(device=device, dtype=torch.long).view(n)
        valid = (labels >= 0) & (labels < c)
        y = labels.clamp(0, c - 1)
        active = active_mask.to(device=device, dtype=torch.bool)
        counts = torch.bincount(labels[valid], minlength=c)
        ready = counts >= active.sum(dim=1)
        ready &= active.any(dim=1)
        centres = x.new_zeros((c, k, d))
        generator = torch.Generator().manual_seed(int(seed))
        # squared distance to the nearest chosen centre; -1 marks samples
        # that can never be drawn (ignored label or class not ready)
        eligible = valid & ready[y]
        min_dist = torch.where(eligible, torch.full_like(x[:, 0], 4.0),
                               torch.full_like(x[:, 0], -1.0))
        positions = torch.arange(n, device=device)
        for j in range(k):
            slot = active[:, j] & ready  # (C,) classes seeding slot j
            # a sample already chosen (distance 0) keeps a tiny weight, so
            # a class with fewer distinct samples than K still fills K slots
            log_w = torch.where(min_dist >= 0,
                                min_dist.clamp_min(1e-30).log(),
                                torch.full_like(min_dist, float('-inf')))
            if j == 0:  # uniform first draw
                log_w = torch.where(min_dist >= 0, torch.zeros_like(log_w),
                                    log_w)
            score = log_w + _gumbel(n, generator, device)
            score = score.masked_fill(~(eligible & slot[y]), float('-inf'))
            best = score.new_full(
                (c, ), float('-inf')).scatter_reduce(0, y, score, 'amax')
            hit = (score == best[y]) & torch.isfinite(score)
            first = torch.full(
                (c, ), n, dtype=torch.long,
                device=device).scatter_reduce(0, y[hit], positions[hit],
                                              'amin')
            chosen = slot & (first < n)
            rows = first.clamp_max(n - 1)
            centres[:, j] = torch.where(
                chosen.unsqueeze(1), x[rows], centres[:, j])
            dist = 2.0 - 2.0 * (x * centres[y, j]).sum(dim=1)
            update = eligible & chosen[y]
            min_dist = torch.where(update,
                                   torch.minimum(min_dist, dist.clamp_min(0)),
                                   min_dist)
        if kmeans_iters > 0:
            seeded = active & ready.unsqueeze(1)
            keep = eligible
            xs, ys = x[keep], labels[keep]
            assign = kmeans_subcentroids(xs, ys, centres, seeded, kmeans_iters)
            sums, num = subcentroid_sums(xs, ys, assign, c, k)
            centres = torch.where((num > 0).unsqueeze(-1),
                                  F.normalize(sums, dim=-1), centres)
        centres = centres * (active & ready.unsqueeze(1)).unsqueeze(-1)
    return DataInit(centres, ready)
