"""Clustering metrics and the cosine k-NN match scikit-learn / scipy."""
import itertools

import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.neighbors import KNeighborsClassifier

from dnc_mm.evaluation import (clustering_accuracy, clustering_scores,
                               knn_accuracy, knn_predict,
                               per_class_clustering_scores)


def test_clustering_accuracy_known_cases():
    # a relabelled perfect clustering
    assert clustering_accuracy([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9]) == 1.0
    # best matching: cluster 0 -> label 0 (2 right), cluster 1 -> label 1
    # (2 right), sample 3 wrong: 4/5
    assert clustering_accuracy([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]) == 0.8
    # more clusters than labels: the extra cluster counts as wrong
    assert clustering_accuracy([0, 0, 1, 1], [0, 1, 2, 2]) == 0.75
    # fewer clusters than labels
    assert clustering_accuracy([0, 1, 2, 2], [0, 0, 0, 0]) == 0.5
    with pytest.raises(ValueError, match='labels but'):
        clustering_accuracy([0, 1], [0])


def test_scores_are_sklearns():
    rng = np.random.default_rng(0)
    true = rng.integers(0, 4, 200)
    pred = np.where(rng.random(200) < 0.7, true, rng.integers(0, 5, 200))
    s = clustering_scores(true, pred)
    assert s['nmi'] == pytest.approx(normalized_mutual_info_score(true, pred))
    assert s['ari'] == pytest.approx(adjusted_rand_score(true, pred))
    # brute force over every one-to-one map of the 4 labels to 5 clusters
    best = max(
        np.mean(
            np.isin(
                np.arange(200), np.flatnonzero(np.array(perm)[true] == pred)))
        for perm in itertools.permutations(range(5), 4))
    assert s['acc'] == pytest.approx(best)


def test_per_class_scores():
    coarse = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    fine = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    assign = np.array([1, 1, 0, 0, 0, 1, 0, 1])
    out = per_class_clustering_scores(coarse, fine, assign)
    assert out['per_class'][0]['acc'] == 1.0
    assert out['per_class'][0]['nmi'] == pytest.approx(1.0)
    assert out['per_class'][1]['acc'] == 0.5
    assert out['per_class'][1]['num_fine'] == 2
    assert out['mean']['acc'] == 0.75


@pytest.mark.parametrize('k', [1, 3])
def test_knn_matches_sklearn_cosine(k):
    g = torch.Generator().manual_seed(0)
    train = torch.randn(300, 16, generator=g)
    labels = (train[:, 0] > 0).long()  # 2 classes: no vote ties for odd k
    test = torch.randn(100, 16, generator=g)
    ours = knn_predict(train, labels, test, k=k, chunk=37)
    ref = KNeighborsClassifier(
        n_neighbors=k, metric='cosine',
        algorithm='brute').fit(train.numpy(), labels.numpy())
    np.testing.assert_array_equal(ours.numpy(), ref.predict(test.numpy()))
    acc = knn_accuracy(train, labels, test, (test[:, 0] > 0).long(), k=k)
    assert acc == pytest.approx(100 * float((torch.as_tensor(
        ref.predict(test.numpy())) == (test[:, 0] > 0)).float().mean()))


def test_knn_tie_goes_to_nearest_and_bad_k():
    train = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    labels = torch.tensor([1, 0])
    # k=2: one vote each; the nearer neighbour (label 0) wins
    assert knn_predict(
        train, labels, torch.tensor([[0.1, 1.0]]), k=2).tolist() == [0]
    with pytest.raises(ValueError, match='gallery size'):
        knn_predict(train, labels, train, k=3)
