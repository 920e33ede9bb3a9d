"""Do the hidden fine classes form modes? Known answers on synthetic blobs."""
import pytest
import torch
import torch.nn.functional as F

from dnc_mm.core.split_merge import partition_bimodality_ratio
from dnc_mm.evaluation.fine_class_modes import (fine_pair_ratios,
                                                silhouette_num_subcentroids,
                                                split_merge_num_subcentroids)


def _features(seed=0):
    """Coarse 0: fine 0 and 1 are two far-apart blobs; coarse 1: one blob
    whose samples carry fine labels 2 and 3 at random."""
    g = torch.Generator().manual_seed(seed)
    d, n = 8, 100
    eye = torch.eye(d)
    blob = lambda c: c + 0.05 * torch.randn(n, d, generator=g)  # noqa: E731
    x = F.normalize(
        torch.cat([blob(eye[0]), blob(eye[1]),
                   blob(eye[2])]), dim=1)
    coarse = torch.tensor([0] * 2 * n + [1] * n)
    fine = torch.cat([
        torch.zeros(n, dtype=torch.long),
        torch.ones(n, dtype=torch.long),
        2 + (torch.rand(n, generator=g) < 0.5).long()
    ])
    return x, coarse, fine


def test_pair_ratio_high_for_separate_modes_low_for_random_labels():
    x, coarse, fine = _features()
    out = fine_pair_ratios(x, coarse, fine)
    assert [c['fine'] for c in out] == [[0, 1], [2, 3]]
    (a, b, separate), = out[0]['pairs']
    (_, _, mixed), = out[1]['pairs']
    assert (a, b) == (0, 1)
    assert 1.4 < separate <= torch.pi / 2 + 1e-6  # far-apart modes: pi / 2
    assert mixed < 0.1
    # with two fine classes the only bipartition is the pair itself
    assert out[0]['best_bipartition']['ratio'] == pytest.approx(separate)
    assert out[0]['best_bipartition']['part'] == [1]
    # the pair ratio is the split test's score of the labels' partition
    assert separate == pytest.approx(
        partition_bimodality_ratio(x[:200], fine[:200] == 1))


def test_split_merge_finds_the_modes_only():
    x, coarse, _ = _features()
    history = split_merge_num_subcentroids(x, coarse, 4, num_rounds=5)
    assert len(history) == 5
    assert history[-1] == [2, 1]
    with pytest.raises(ValueError, match='odd'):
        split_merge_num_subcentroids(x, coarse, 4, num_rounds=4)


def test_silhouette_prefers_two_for_two_blobs():
    x, coarse, _ = _features()
    out = silhouette_num_subcentroids(x, coarse, ks=(2, 3, 4))
    assert out[0]['k'] == 2
    assert set(out[0]['scores']) == {2, 3, 4}
    with pytest.raises(ValueError, match='>= 2'):
        silhouette_num_subcentroids(x, coarse, ks=(1, 2))
