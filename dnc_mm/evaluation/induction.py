"""Induction accuracy (DNC paper §E, Tables 13-14) and sub-centroid
clustering quality of a trained model, from its config and checkpoint.

The model was trained on coarse labels; the datasets must give every sample
a ``fine_label`` (e.g. ``FashionMNISTCoarse``, ``CIFAR100Coarse``).
"""
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.config import Config

from .clustering import per_class_clustering_scores
from .features import build_dataset, extract_features, load_model
from .knn import knn_accuracy


def evaluate_induction(config: Union[str, Config],
                       checkpoint: str,
                       k: int = 1,
                       batch_size: int = 500) -> Dict:
    """Coarse top-1, k-NN accuracy on fine labels, clustering of DNC heads.

    Returns a dict: ``coarse_top1`` (%), ``induction_knn`` (%, cosine k-NN
    on the pooled backbone feature, training images with the test pipeline
    as the gallery); for DNC heads also ``induction_knn_embed`` (in the
    head's l2-normalised embedding), ``clustering`` (per coarse class
    ACC/NMI/ARI of each test image's nearest active sub-centroid of its own
    coarse class against its fine label) and ``K`` (active sub-centroids per
    class). ``clustering_kmeans`` is a reference for every head: k-means
    (scikit-learn, ``k`` = the number of fine classes of the coarse class,
    10 restarts) on the l2-normalised test features of each coarse class
    (DNC: the embedding, otherwise the pooled feature), scored the same way:
    how well the learned space separates the hidden classes at all. For
    DNC heads ``clustering_kmeans_same_k`` is k-means with ``k`` = the
    head's active sub-centroids of the coarse class instead: the
    comparison at equal K (with more clusters than fine classes the
    Hungarian matching leaves clusters unmatched, which caps the ACC of
    the sub-centroids and of this reference alike).
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = load_model(cfg, checkpoint)
    tr = extract_features(model, build_dataset(cfg, 'train'), batch_size)
    te = extract_features(model, build_dataset(cfg, 'test'), batch_size)
    if 'fine_labels' not in tr or 'fine_labels' not in te:
        raise ValueError(
            'the datasets give no `fine_label`: use a coarse-label '
            'dataset such as FashionMNISTCoarse or CIFAR100Coarse')
    out = dict(
        coarse_top1=float(
            (te['pred_labels'] == te['labels']).float().mean() * 100),
        induction_knn=knn_accuracy(
            tr['neck'], tr['fine_labels'], te['neck'], te['fine_labels'], k=k),
        k=k)
    clf = getattr(model.head, 'classifier', None)
    if clf is not None and 'sims' in te:
        out['induction_knn_embed'] = knn_accuracy(
            tr['embed'],
            tr['fine_labels'],
            te['embed'],
            te['fine_labels'],
            k=k)
        active = clf.active.cpu()
        rows = torch.arange(len(te['labels']))
        own = te['sims'][rows,
                         te['labels']].masked_fill(~active[te['labels']],
                                                   float('-inf'))
        out['clustering'] = per_class_clustering_scores(
            te['labels'].numpy(), te['fine_labels'].numpy(),
            own.argmax(1).numpy())
        out['K'] = clf.num_subcentroids.tolist()
    space = torch.nn.functional.normalize(
        te['embed'] if 'embed' in te else te['neck'], dim=1)
    out['clustering_kmeans'] = kmeans_reference(space, te['labels'],
                                                te['fine_labels'])
    if 'K' in out:
        out['clustering_kmeans_same_k'] = kmeans_reference(
            space, te['labels'], te['fine_labels'], num_clusters=out['K'])
    return out


def kmeans_reference(features: torch.Tensor,
                     coarse: torch.Tensor,
                     fine: torch.Tensor,
                     seed: int = 0,
                     num_clusters: Optional[Sequence[int]] = None) -> Dict:
    """k-means per coarse class, scored by
    :func:`per_class_clustering_scores`.

    Args:
        features: ``(N, D)`` features.
        coarse: ``(N,)`` coarse labels.
        fine: ``(N,)`` fine labels.
        seed: k-means seed (10 restarts).
        num_clusters: ``k`` per coarse class (indexed by its label);
            default: its number of fine classes.
    """
    from sklearn.cluster import KMeans
    assign = torch.zeros_like(coarse)
    for c in coarse.unique():
        sel = coarse == c
        k = (
            int(fine[sel].unique().numel())
            if num_clusters is None else int(num_clusters[int(c)]))
        km = KMeans(n_clusters=k, n_init=10, random_state=seed)
        assign[sel] = torch.as_tensor(
            km.fit_predict(features[sel].numpy()), dtype=assign.dtype)
    return per_class_clustering_scores(coarse.numpy(), fine.numpy(),
                                       assign.numpy())
