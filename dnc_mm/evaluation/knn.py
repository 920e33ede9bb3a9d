"""Cosine k-nearest-neighbour classification (induction accuracy, §E)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def knn_predict(train_feats: Tensor,
                train_labels: Tensor,
                test_feats: Tensor,
                k: int = 1,
                chunk: int = 1024,
                num_classes: Optional[int] = None) -> Tensor:
    """Majority vote of the ``k`` most cosine-similar training samples.

    Ties in the vote go to the label of the nearest neighbour among the tied
    labels (for ``k = 1``, the DNC paper's protocol, it is plain 1-NN).

    Args:
        train_feats: ``(N, D)`` gallery features (any scale; normalised here).
        train_labels: ``(N,)`` integer labels.
        test_feats: ``(M, D)`` query features.
        k: Neighbours, ``1 <= k <= N``.
        chunk: Queries per matrix product.
        num_classes: Number of labels (default ``max + 1``).

    Returns:
        ``(M,)`` predicted labels.
    """
    n = train_feats.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f'k must be in [1, {n}] (the gallery size), got {k}')
    if train_labels.shape[0] != n:
        raise ValueError(f'{n} gallery features but '
                         f'{train_labels.shape[0]} labels')
    gallery = F.normalize(train_feats.float(), dim=1)
    labels = train_labels.long()
    num_classes = num_classes or int(labels.max()) + 1
    preds = []
    for start in range(0, test_feats.shape[0], chunk):
        q = F.normalize(test_feats[start:start + chunk].float(), dim=1)
        sims = q @ gallery.t()
        top_sims, top_idx = sims.topk(k, dim=1)  # sorted, nearest first
        top_labels = labels[top_idx]
        votes = F.one_hot(top_labels, num_classes).sum(dim=1).float()
        # tie-break towards the nearer neighbour: tiny bonus by rank
        rank_bonus = torch.zeros_like(votes).scatter_reduce(
            1,
            top_labels,
            (k - torch.arange(k, dtype=torch.float)).expand(q.shape[0], -1) /
            (k * (k + 1)),
            reduce='amax')
        preds.append((votes + rank_bonus).argmax(dim=1))
    return torch.cat(preds)


def knn_accuracy(train_feats: Tensor,
                 train_labels: Tensor,
                 test_feats: Tensor,
                 test_labels: Tensor,
                 k: int = 1) -> float:
    """Top-1 accuracy (%) of :func:`knn_predict` on ``test_labels``."""
    pred = knn_predict(train_feats, train_labels, test_feats, k=k)
    return float((pred == test_labels.long()).float().mean() * 100)
