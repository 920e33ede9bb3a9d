"""LongTailedDataset: exact exponential per-class counts over real data."""
import math

import numpy as np
import pytest
from mmpretrain.registry import DATASETS

import dnc_mm  # noqa: F401
from dnc_mm.datasets import LongTailedDataset, long_tailed_counts

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def source(root):
    return dict(
        type='PreparedFashionMNIST',
        data_root=root,
        split='train',
        pipeline=[dict(type='PackInputs')])


def test_profile_matches_the_formula():
    counts = long_tailed_counts(10, 500, 0.01)
    assert counts[0] == 500 and counts[-1] == 5
    for i, n in enumerate(counts):
        assert n == math.floor(500 * 0.01**(i / 9) + 1e-9)
    assert counts == sorted(counts, reverse=True)
    # paper's CIFAR-100 settings: 500 -> 2 / 5 / 10 images
    assert [long_tailed_counts(100, 500, f)[-1]
            for f in (0.005, 0.01, 0.02)] == [2, 5, 10]
    with pytest.raises(ValueError, match='imbalance_factor'):
        long_tailed_counts(10, 100, 0.0)


@pytest.mark.parametrize('factor', [0.005, 0.01, 0.02])
def test_exact_counts_seeded_and_items_from_the_source(fashion_mnist_small,
                                                       factor):
    ds = DATASETS.build(
        dict(
            type='LongTailedDataset',
            dataset=source(fashion_mnist_small),
            imbalance_factor=factor,
            seed=0))
    expected = long_tailed_counts(10, 200, factor)  # 200 images per class
    labels = ds.get_gt_labels()
    assert np.bincount(labels, minlength=10).tolist() == expected
    assert len(ds) == sum(expected)
    assert ds.class_counts == expected
    again = LongTailedDataset(source(fashion_mnist_small), factor, seed=0)
    assert np.array_equal(again.indices, ds.indices)
    other = LongTailedDataset(source(fashion_mnist_small), factor, seed=1)
    assert not np.array_equal(other.indices, ds.indices)
    # items and labels come from the source at the kept indices
    item = ds[3]
    assert int(item['data_samples'].gt_label) == int(labels[3])
    assert ds.metainfo['classes'][0] == 'T-shirt/top'


def test_class_order_and_too_large_counts(fashion_mnist_small):
    order = list(range(9, -1, -1))
    ds = LongTailedDataset(source(fashion_mnist_small), 0.1, class_order=order)
    counts = np.bincount(ds.get_gt_labels(), minlength=10)
    assert counts[9] == 200 and counts[0] == 20
    with pytest.raises(ValueError, match='lower max_per_class'):
        LongTailedDataset(source(fashion_mnist_small), 0.1, max_per_class=300)
