"""Clustering quality of sub-centroid assignments against hidden sub-classes.

Accuracy uses the Hungarian matching of :func:`scipy.optimize.
linear_sum_assignment`; NMI and ARI are scikit-learn's
``normalized_mutual_info_score`` and ``adjusted_rand_score``.
"""
from typing import Dict, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (adjusted_rand_score, confusion_matrix,
                             normalized_mutual_info_score)


def clustering_accuracy(true: Sequence[int], pred: Sequence[int]) -> float:
    """Best one-to-one matching accuracy of cluster ids to labels.

    Clusters and labels may differ in number; unmatched clusters count as
    wrong. Returns a fraction in ``[0, 1]``.
    """
    true = np.asarray(true).ravel()
    pred = np.asarray(pred).ravel()
    if true.shape != pred.shape:
        raise ValueError(f'{true.size} labels but {pred.size} assignments')
    if true.size == 0:
        raise ValueError('clustering_accuracy needs at least one sample')
    _, t = np.unique(true, return_inverse=True)
    _, p = np.unique(pred, return_inverse=True)
    counts = confusion_matrix(t, p)  # square: max(#labels, #clusters)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / true.size)


def clustering_scores(true: Sequence[int],
                      pred: Sequence[int]) -> Dict[str, float]:
    """``acc``, ``nmi`` and ``ari`` (fractions) of ``pred`` vs ``true``."""
    return dict(
        acc=clustering_accuracy(true, pred),
        nmi=float(normalized_mutual_info_score(true, pred)),
        ari=float(adjusted_rand_score(true, pred)))


def per_class_clustering_scores(
        coarse: Sequence[int], fine: Sequence[int],
        assignment: Sequence[int]) -> Dict[str, object]:
    """Scores of the sub-cluster ``assignment`` within every coarse class.

    Args:
        coarse: ``(N,)`` coarse (training) labels.
        fine: ``(N,)`` fine labels (the hidden sub-classes).
        assignment: ``(N,)`` sub-centroid index inside the sample's coarse
            class.

    Returns:
        ``per_class``: ``{coarse: {acc, nmi, ari, n, num_fine,
        num_clusters}}`` and ``mean``: the unweighted mean of acc/nmi/ari
        over coarse classes.
    """
    coarse = np.asarray(coarse).ravel()
    fine = np.asarray(fine).ravel()
    assignment = np.asarray(assignment).ravel()
    per_class = {}
    for c in np.unique(coarse):
        sel = coarse == c
        scores = clustering_scores(fine[sel], assignment[sel])
        scores.update(
            n=int(sel.sum()),
            num_fine=int(np.unique(fine[sel]).size),
            num_clusters=int(np.unique(assignment[sel]).size))
        per_class[int(c)] = scores
    mean = {
        k: float(np.mean([s[k] for s in per_class.values()]))
        for k in ('acc', 'nmi', 'ari')
    }
    return dict(per_class=per_class, mean=mean)
