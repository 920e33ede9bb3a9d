"""Are the hidden fine classes of a coarse class separate modes of the
learned features?

Automatic K (:class:`~dnc_mm.engine.hooks.SubCentroidSplitMergeHook`) can
only find a sub-class that is a mode of the features: its split test
accepts a 2-way partition whose bimodality ratio
(:func:`dnc_mm.core.split_merge.partition_bimodality_ratio`) reaches
``split_ratio``. These functions ask the features of a trained model, per
coarse class:

* :func:`fine_pair_ratios` — the ratio of the partition that the *true*
  fine labels give, for every pair of fine classes and for the best
  bipartition of all of them. Below ``split_ratio`` the split test does
  not accept the labels' own partition, whatever the schedule: a split
  it accepts there cuts the class somewhere else;
* :func:`split_merge_num_subcentroids` — the K that split/merge rounds
  reach on these (frozen) features from one sub-centroid per class, the
  hook's decision without the noise of training;
* :func:`silhouette_num_subcentroids` — the K (2 or more) that k-means with
  the best silhouette score (scikit-learn) picks: a standard criterion,
  independent of ours, on the same features.

Pure PyTorch and scikit-learn; features are l2-normalised here, as the DNC
head's memory is.
"""
import itertools
from typing import Dict, List, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from dnc_mm.core.split_merge import (partition_bimodality_ratio,
                                     split_merge_step)

__all__ = [
    'fine_pair_ratios', 'split_merge_num_subcentroids',
    'silhouette_num_subcentroids'
]


def fine_pair_ratios(features: Tensor, coarse: Tensor,
                     fine: Tensor) -> List[Dict]:
    """Bimodality ratio of the partitions the fine labels give.

    Args:
        features: ``(N, D)`` features (l2-normalised here).
        coarse: ``(N,)`` coarse labels ``0 .. C - 1``.
        fine: ``(N,)`` fine labels.

    Returns:
        list[dict]: One dict per coarse class: ``fine`` (its fine labels),
        ``pairs`` (``[a, b, ratio]`` for every pair of its fine classes, on
        the samples of the two) and ``best_bipartition`` (``{'part':
        fine labels of one side, 'ratio': ...}``, the highest ratio over
        all 2-way groupings of its fine classes, on all its samples).
    """
    x = F.normalize(features.float(), dim=1)
    out = []
    for c in range(int(coarse.max()) + 1):
        xc, fc = x[coarse == c], fine[coarse == c]
        fines = sorted(set(fc.tolist()))
        pairs = []
        for a, b in itertools.combinations(fines, 2):
            keep = (fc == a) | (fc == b)
            pairs.append(
                [a, b,
                 partition_bimodality_ratio(xc[keep], fc[keep] == b)])
        best = dict(part=[], ratio=float('nan'))
        # groupings containing fines[0] on one side cover every bipartition
        for r in range(1, len(fines)):
            for part in itertools.combinations(fines[1:], r):
                ratio = partition_bimodality_ratio(
                    xc, torch.isin(fc, torch.tensor(part)))
                if not best['ratio'] >= ratio:
                    best = dict(part=list(part), ratio=ratio)
        out.append(dict(fine=fines, pairs=pairs, best_bipartition=best))
    return out


def split_merge_num_subcentroids(features: Tensor,
                                 coarse: Tensor,
                                 max_subcentroids: int,
                                 num_rounds: int = 15,
                                 **step_kwargs) -> List[List[int]]:
    """K per class after split/merge rounds on frozen features.

    Starts from one sub-centroid per class (the class mean) and alternates
    split and merge rounds of :func:`~dnc_mm.core.split_merge.
    split_merge_step`, starting and ending on a split (``num_rounds`` must
    be odd), as the hook's schedule with ``final_round='split'`` does.

    Args:
        features: ``(N, D)`` features (l2-normalised here).
        coarse: ``(N,)`` class labels ``0 .. C - 1``.
        max_subcentroids: ``K_max``.
        num_rounds: Rounds in all (odd).
        **step_kwargs: ``split_ratio``, ``merge_ratio``, ``min_samples``,
            ``assignment``, ... of ``split_merge_step``.

    Returns:
        list[list[int]]: K per class after every round.
    """
    if num_rounds < 1 or num_rounds % 2 == 0:
        raise ValueError(f'num_rounds must be odd (the schedule starts and '
                         f'ends on a split), got {num_rounds}')
    x = F.normalize(features.float(), dim=1)
    num_classes = int(coarse.max()) + 1
    protos = torch.zeros(num_classes, max_subcentroids, x.shape[1])
    for c in range(num_classes):
        protos[c, 0] = F.normalize(x[coarse == c].mean(0), dim=0)
    active = torch.zeros(num_classes, max_subcentroids, dtype=torch.bool)
    active[:, 0] = True
    history = []
    for r in range(num_rounds):
        step = split_merge_step(protos, active, x, coarse,
                                'split' if r % 2 == 0 else 'merge',
                                **step_kwargs)
        protos, active = step.subcentroids, step.active
        history.append(active.sum(1).tolist())
    return history


def silhouette_num_subcentroids(features: Tensor,
                                coarse: Tensor,
                                ks: Sequence[int] = (2, 3, 4, 5, 6),
                                sample_size: int = 2000,
                                seed: int = 0) -> List[Dict]:
    """K with the best silhouette score of k-means, per class.

    Args:
        features: ``(N, D)`` features (l2-normalised here).
        coarse: ``(N,)`` class labels ``0 .. C - 1``.
        ks: Candidate K (each >= 2: the silhouette is undefined for 1).
        sample_size: Samples the silhouette is computed on.
        seed: Seed of k-means and of the sample.

    Returns:
        list[dict]: Per class, ``k`` (the best K) and ``scores``
        (``{K: silhouette}``).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    if min(ks) < 2:
        raise ValueError(f'every K must be >= 2, got {list(ks)}')
    x = F.normalize(features.float(), dim=1).numpy()
    labels = coarse.numpy()
    out = []
    for c in range(int(coarse.max()) + 1):
        xc = x[labels == c]
        scores = {}
        for k in ks:
            assign = KMeans(k, n_init=5, random_state=seed).fit_predict(xc)
            scores[k] = float(
                silhouette_score(
                    xc,
                    assign,
                    sample_size=min(sample_size, len(xc)),
                    random_state=seed))
        out.append(dict(k=max(scores, key=scores.get), scores=scores))
    return out
