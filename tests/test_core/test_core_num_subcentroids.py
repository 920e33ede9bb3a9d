"""Per-class number of sub-centroids (appendix §J, Table 23)."""
import pytest
import torch

from dnc_mm.core.num_subcentroids import (active_subcentroid_mask,
                                          num_subcentroids_from_counts,
                                          num_subcentroids_per_class)


def test_paper_imagenet_ranges():
    """732–874 -> 1, 875–1016 -> 2, 1017–1158 -> 3, 1159–1300 -> 4."""
    counts = torch.arange(732, 1301)
    k = num_subcentroids_from_counts(counts, max_subcentroids=4)
    expected = torch.empty_like(counts)
    expected[counts <= 874] = 1
    expected[(counts >= 875) & (counts <= 1016)] = 2
    expected[(counts >= 1017) & (counts <= 1158)] = 3
    expected[counts >= 1159] = 4
    assert torch.equal(k, expected)


def test_balanced_counts_get_kmax():
    k = num_subcentroids_from_counts([5000] * 10, max_subcentroids=4)
    assert k.tolist() == [4] * 10


def test_min_subcentroids_and_bounds():
    k = num_subcentroids_from_counts([0, 10, 50, 100], 6, min_subcentroids=2)
    assert k.min() == 2 and k.max() == 6
    assert (k[1:] >= k[:-1]).all()
    with pytest.raises(ValueError):
        num_subcentroids_from_counts([1, 2], 2, min_subcentroids=3)
    with pytest.raises(ValueError):
        num_subcentroids_from_counts([-1, 2], 2)


def test_per_class_specs_and_mask():
    assert num_subcentroids_per_class(3, 4).tolist() == [4, 4, 4]
    assert num_subcentroids_per_class(3, [1, 3, 2]).tolist() == [1, 3, 2]
    k = num_subcentroids_per_class(3, 4, class_counts=[10, 20, 30])
    assert k.tolist() == [1, 2, 4]
    with pytest.raises(ValueError):
        num_subcentroids_per_class(3, [1, 2])
    with pytest.raises(ValueError):
        num_subcentroids_per_class(2, [0, 2])
    with pytest.raises(ValueError):
        num_subcentroids_per_class(2, [1, 2], class_counts=[3, 4])
    mask = active_subcentroid_mask([1, 3, 2])
    assert mask.tolist() == [[True, False, False], [True, True, True],
                             [True, True, False]]
    assert active_subcentroid_mask([1, 2], max_subcentroids=4).shape == (2, 4)
    with pytest.raises(ValueError):
        active_subcentroid_mask([5], max_subcentroids=4)
