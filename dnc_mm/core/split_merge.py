"""Split / merge of sub-centroids: a per-class K found during training.

DNC fixes ``K`` per class (or derives it from class counts, Table 23) and
names an automatic ``K`` as future work (§O). This module grows or shrinks
each class's number of sub-centroids within ``[1, K_max]`` in the spirit of
DeepDPM (Ronen, Finder, Freifeld, "DeepDPM: Deep Clustering With an
Unknown Number of Clusters", CVPR 2022, https://arxiv.org/abs/2203.15502):
proposals alternate between *split* rounds (every sub-centroid proposes to
split into two sub-clusters; splits are independent and run in parallel)
and *merge* rounds (pairs of sub-centroids of one class propose to merge),
and a proposal is accepted when the data support it.

The acceptance test differs from DeepDPM's Hastings ratio of Gaussian
(NIW) marginal likelihoods, whose value grows with the number of samples
and with the dimension and so accepts nearly every split of real, non-
Gaussian deep features. Here a proposal is judged by a scale-free
*bimodality ratio*: the dispersion that the 2-cluster solution removes,
divided by what splitting a single Gaussian with the same covariance would
remove at best, ``(2 / pi) * n * lambda_1`` (``lambda_1``: the largest
eigenvalue of the covariance, ``n``: the number of samples). A unimodal
(Gaussian) cluster scores at most about 1, two equal Gaussians whose means
are ``2m`` apart score 1.07 (``m = sigma``), 1.28 (``m = 2 sigma``), up to
``pi / 2`` for far-apart modes:

* split sub-cluster ``k`` (its assigned samples, 2-means into ``a, b``)
  when ``(W_k - W_a - W_b) / ((2/pi) n_k lambda_1(k)) >= split_ratio``
  and both halves hold ``>= min_samples`` samples
  (``W = sum_i ||x_i - mean||^2``);
* merge ``i, j`` when ``(W_{i+j} - W_i - W_j) / ((2/pi) n_{i+j}
  lambda_1(i+j)) < merge_ratio`` (disjoint pairs per round, cheapest
  first); a sub-centroid with fewer than ``min_samples`` samples is dropped
  (its samples go to their next-nearest one).

The merge score of two halves just split is their split score, so with
``merge_ratio < split_ratio`` an accepted split is not undone by the next
merge round on the same data.

Which samples belong to which sub-centroid (``assignment``): ``'nearest'``
(each sample to its most similar sub-centroid) or ``'balanced'`` (the
class's samples spread equally over its sub-centroids by the same
entropic transport DNC trains with,
:func:`.sinkhorn.sinkhorn_knopp_segments`, then the argmax of the plan).
The nearest assignment is unbalanced as soon as one sub-centroid lies
nearer to the bulk of the class than the others: the others then hold few
samples and a merge round drops them as "empty" even where the class is
multi-modal, which keeps ``K`` from growing. Under the
balanced assignment every sub-centroid holds about ``n / K_c`` samples, so
a sub-centroid goes only through the merge test.

Buffers keep a fixed size: ``subcentroids (C, K_max, D)`` and an ``active
(C, K_max)`` mask whose active slots always form a prefix of each row (the
layout of :func:`.num_subcentroids.active_subcentroid_mask`), so checkpoints
and distributed training need nothing new. The step is deterministic (no
random initialisation), so ranks that see the same features decide the
same.
"""
import math
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from ._utils import check_choice
from .sinkhorn import sinkhorn_knopp_segments

__all__ = [
    'SPLIT_MERGE_ASSIGNMENTS', 'SplitMergeResult', 'bimodality_ratio',
    'dispersion_stats', 'partition_bimodality_ratio', 'two_means',
    'split_merge_step'
]

#: How the samples of a class are given to its sub-centroids in a round.
SPLIT_MERGE_ASSIGNMENTS = ('nearest', 'balanced')


@dataclass
class SplitMergeResult:
    """Outcome of one :func:`split_merge_step`.

    Attributes:
        subcentroids: ``(C, K_max, D)`` new sub-centroids (l2-normalised on
            active slots; inactive slots keep their old values).
        active: ``(C, K_max)`` new mask (a prefix per class).
        num_splits: ``(C,)`` accepted splits per class.
        num_merges: ``(C,)`` accepted merges per class.
        best_gain: ``(C,)`` largest split ratio proposed (split rounds) or
            smallest merge ratio (merge rounds); NaN when none was computed.
    """
    subcentroids: Tensor
    active: Tensor
    num_splits: Tensor
    num_merges: Tensor
    best_gain: Tensor


def dispersion_stats(x: Tensor) -> Tuple[int, Tensor, Tensor]:
    """``(n, sum (D,), scatter sum x x^T (D, D))`` of rows ``x (N, D)``."""
    x = x.double()
    return x.shape[0], x.sum(dim=0), x.t() @ x


def _dispersion(n: int, s: Tensor, sq: Tensor) -> float:
    """Within-cluster sum of squared distances to the mean."""
    if n == 0:
        return 0.0
    return float(sq.trace() - (s * s).sum() / n)


def _top_eigenvalue(n: int, s: Tensor, sq: Tensor) -> float:
    """Largest eigenvalue of the (population) covariance."""
    mean = s / n
    cov = sq / n - torch.outer(mean, mean)
    return float(torch.linalg.eigvalsh(cov)[-1])


def bimodality_ratio(n: int, s: Tensor, sq: Tensor, removed: float) -> float:
    """Dispersion ``removed`` by a 2-way split over the best split of a
    Gaussian with the same covariance, ``(2/pi) n lambda_1``."""
    lam = _top_eigenvalue(n, s, sq)
    if n == 0 or lam <= 0:
        return 0.0
    return removed / (2.0 / math.pi * n * lam)


def partition_bimodality_ratio(x: Tensor, member: Tensor) -> float:
    """Bimodality ratio of the 2-way partition ``member`` of ``x``.

    Args:
        x: ``(N, D)`` samples.
        member: ``(N,)`` bool, membership of the second part.

    Returns:
        float: The dispersion the partition removes over ``(2/pi) N
        lambda_1`` (:func:`bimodality_ratio`): the split test's score of
        this partition, whether 2-means found it or labels give it.
    """
    stats = dispersion_stats(x)
    parts = (
        _dispersion(*dispersion_stats(x[~member])) +
        _dispersion(*dispersion_stats(x[member])))
    return bimodality_ratio(*stats, _dispersion(*stats) - parts)


def two_means(x: Tensor, iters: int = 10) -> Tensor:
    """Deterministic 2-means of ``x (N, D)``, ``N >= 2``.

    Initialised with the point farthest from the mean and the point
    farthest from that one. Returns ``(N,)`` bool: membership of the
    second cluster.
    """
    if x.shape[0] < 2:
        raise ValueError(f'two_means needs >= 2 points, got {x.shape[0]}')
    mean = x.mean(dim=0)
    a = x[((x - mean)**2).sum(1).argmax()]
    b = x[((x - a)**2).sum(1).argmax()]
    member = torch.zeros(x.shape[0], dtype=torch.bool, device=x.device)
    for _ in range(iters):
        new = ((x - b)**2).sum(1) < ((x - a)**2).sum(1)
        if new.all() or not new.any():
            break
        a, b = x[~new].mean(0), x[new].mean(0)
        if torch.equal(new, member):
            break
        member = new
    return member


def _compact(protos: Tensor, keep: Tensor) -> Tuple[Tensor, Tensor]:
    """Move the kept slots of one class ``(K, D)`` to the front."""
    k_max = protos.shape[0]
    order = torch.cat(
        [torch.nonzero(keep).flatten(),
         torch.nonzero(~keep).flatten()])
    n = int(keep.sum())
    active = torch.arange(k_max, device=protos.device) < n
    return protos[order], active


@torch.no_grad()
def split_merge_step(subcentroids: Tensor,
                     active: Tensor,
                     features: Tensor,
                     labels: Tensor,
                     mode: str,
                     split_ratio: float = 1.2,
                     merge_ratio: float = 1.1,
                     min_samples: int = 20,
                     assignment: str = 'nearest',
                     epsilon: float = 0.05,
                     num_iters: int = 3) -> SplitMergeResult:
    """One split round or one merge round for every class.

    Args:
        subcentroids: ``(C, K_max, D)`` l2-normalised.
        active: ``(C, K_max)`` bool, a prefix per class.
        features: ``(N, D)`` l2-normalised features (e.g. the DNC memory).
        labels: ``(N,)`` classes; rows outside ``[0, C)`` are ignored.
        mode: ``'split'`` or ``'merge'``.
        split_ratio: Minimum bimodality ratio of an accepted split.
        merge_ratio: A pair merges below this ratio; must be below
            ``split_ratio``.
        min_samples: Minimum samples per sub-cluster.
        assignment: ``'nearest'`` or ``'balanced'`` (module docstring).
        epsilon: Entropic regularisation of the balanced assignment.
        num_iters: Sinkhorn rounds of the balanced assignment.

    Returns:
        A :class:`SplitMergeResult`; the inputs are not modified.
    """
    if mode not in ('split', 'merge'):
        raise ValueError(f"mode must be 'split' or 'merge', got {mode!r}")
    if not 0 <= merge_ratio < split_ratio:
        raise ValueError('need 0 <= merge_ratio < split_ratio, got '
                         f'{merge_ratio}, {split_ratio}')
    if min_samples < 1:
        raise ValueError(f'min_samples must be >= 1, got {min_samples}')
    check_choice('assignment', assignment, SPLIT_MERGE_ASSIGNMENTS)
    c_num, k_max, d = subcentroids.shape
    if active.shape != (c_num, k_max) or features.shape[-1] != d:
        raise ValueError(f'shapes do not match: sub-centroids '
                         f'{tuple(subcentroids.shape)}, active '
                         f'{tuple(active.shape)}, features '
                         f'{tuple(features.shape)}')
    prefix = torch.arange(
        k_max, device=active.device) < active.sum(
            1, keepdim=True)
    if not torch.equal(prefix, active.bool()) or (active.sum(1) < 1).any():
        raise ValueError('active must be a non-empty prefix in every class')
    protos = subcentroids.detach().float().clone()
    new_active = active.bool().clone()
    splits = torch.zeros(c_num, dtype=torch.long)
    merges = torch.zeros(c_num, dtype=torch.long)
    best = torch.full((c_num, ), float('nan'))
    feats = features.detach().float()
    for c in range(c_num):
        x = feats[labels == c]
        k_c = int(new_active[c].sum())
        if x.shape[0] == 0:
            continue
        assign = _assign(x, protos[c, :k_c], assignment, epsilon, num_iters)
        if mode == 'split':
            protos[c], new_active[c], splits[c], best[c] = _split_class(
                protos[c], k_c, x, assign, split_ratio, min_samples)
        else:
            protos[c], new_active[c], merges[c], best[c] = _merge_class(
                protos[c], k_c, x, assign, merge_ratio, min_samples)
    out = subcentroids.clone()
    out.copy_(protos.to(out.dtype))
    return SplitMergeResult(out, new_active, splits, merges, best)


def _assign(x: Tensor, protos: Tensor, assignment: str, epsilon: float,
            num_iters: int) -> Tensor:
    """``(N,)`` sub-centroid of each of a class's samples ``x (N, D)``
    among its ``(K_c, D)`` active sub-centroids."""
    sims = x @ protos.t()
    if assignment == 'nearest' or protos.shape[0] == 1 or x.shape[0] < 2:
        return sims.argmax(dim=1)
    one_class = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
    _, assign = sinkhorn_knopp_segments(
        sims, one_class, 1, epsilon=epsilon, num_iters=num_iters)
    return assign


def _split_class(protos: Tensor, k_c: int, x: Tensor, assign: Tensor,
                 threshold: float, min_samples: int):
    k_max = protos.shape[0]
    proposals = []
    best = float('nan')
    for k in range(k_c):
        xk = x[assign == k]
        if xk.shape[0] < 2 * min_samples:
            continue
        member = two_means(xk)
        n_b = int(member.sum())
        if min(n_b, xk.shape[0] - n_b) < min_samples:
            continue
        gain = partition_bimodality_ratio(xk, member)
        best = gain if not best >= gain else best
        if gain >= threshold:
            proposals.append(
                (gain, k, xk[~member].mean(0), xk[member].mean(0)))
    proposals.sort(key=lambda p: -p[0])  # best first, while slots are free
    n = 0
    for _, k, mean_a, mean_b in proposals[:k_max - k_c]:
        protos[k] = F.normalize(mean_a, dim=0)
        protos[k_c + n] = F.normalize(mean_b, dim=0)
        n += 1
    active = torch.arange(k_max, device=protos.device) < k_c + n
    return protos, active, n, best


def _merge_class(protos: Tensor, k_c: int, x: Tensor, assign: Tensor,
                 threshold: float, min_samples: int):
    stats = [dispersion_stats(x[assign == k]) for k in range(k_c)]
    w = [_dispersion(*s) for s in stats]
    keep = torch.zeros(protos.shape[0], dtype=torch.bool, device=protos.device)
    keep[:k_c] = True
    # (nearly) empty sub-centroids are dropped first; their few samples go
    # to their next-nearest sub-centroid at the next update
    sizes = torch.tensor([s[0] for s in stats])
    small = [k for k in range(k_c) if stats[k][0] < min_samples]
    if len(small) == k_c:  # keep the largest one
        small.remove(int(sizes.argmax()))
    keep[small] = False
    n_merged = len(small)
    big = [k for k in range(k_c) if k not in small]
    pairs = []
    for a, i in enumerate(big):
        for j in big[a + 1:]:
            n = stats[i][0] + stats[j][0]
            s_ij, sq_ij = stats[i][1] + stats[j][1], stats[i][2] + stats[j][2]
            removed = _dispersion(n, s_ij, sq_ij) - w[i] - w[j]
            pairs.append((bimodality_ratio(n, s_ij, sq_ij, removed), i, j))
    pairs.sort(key=lambda p: (p[0], p[1], p[2]))
    best = pairs[0][0] if pairs else float('nan')
    used = set()
    for cost, i, j in pairs:  # disjoint pairs, cheapest first
        if cost >= threshold:
            break
        if i in used or j in used:
            continue
        n = stats[i][0] + stats[j][0]
        protos[i] = F.normalize((stats[i][1] + stats[j][1]).float() / n, dim=0)
        keep[j] = False
        used.update((i, j))
        n_merged += 1
    protos, active = _compact(protos, keep)
    return protos, active, n_merged, best
