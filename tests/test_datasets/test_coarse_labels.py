"""Coarse-label datasets: our Fashion-MNIST grouping and CIFAR-100's 20."""
import os.path as osp
import pickle

import numpy as np
import pytest

from dnc_mm.datasets import CIFAR100Coarse, FashionMNISTCoarse
from dnc_mm.datasets.coarse_labels import (CIFAR100_COARSE_CLASSES,
                                           FASHION_MNIST_COARSE,
                                           fine_classes_per_coarse,
                                           fine_to_coarse_map)
from dnc_mm.datasets.prepared_fashion_mnist import PreparedFashionMNIST

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def test_fine_to_coarse_map_covers_every_class_once():
    mapping = fine_to_coarse_map(FASHION_MNIST_COARSE, 10)
    assert mapping.tolist() == [0, 2, 0, 2, 0, 1, 0, 1, 2, 1]
    assert fine_classes_per_coarse(mapping) == [4, 3, 3]
    with pytest.raises(ValueError, match='belong to no coarse'):
        fine_to_coarse_map({'a': (0, 1)}, 3)
    with pytest.raises(ValueError, match='two coarse'):
        fine_to_coarse_map({'a': (0, 1), 'b': (1, 2)}, 3)
    with pytest.raises(ValueError, match='outside'):
        fine_to_coarse_map({'a': (0, 5)}, 3)


@pytest.mark.parametrize('split', ['train', 'test'])
def test_fashion_mnist_coarse_keeps_fine_labels(fashion_mnist_small, split):
    fine_ds = PreparedFashionMNIST(
        data_root=fashion_mnist_small, split=split, pipeline=[])
    ds = FashionMNISTCoarse(
        data_root=fashion_mnist_small, split=split, pipeline=[])
    assert len(ds) == len(fine_ds)
    assert ds.metainfo['classes'] == ('tops', 'footwear',
                                      'bottoms-dresses-bags')
    mapping = fine_to_coarse_map(FASHION_MNIST_COARSE, 10)
    fine = np.array(
        [fine_ds.get_data_info(i)['gt_label'] for i in range(len(ds))])
    got_fine = np.array(
        [ds.get_data_info(i)['fine_label'] for i in range(len(ds))])
    got_coarse = np.array(
        [ds.get_data_info(i)['gt_label'] for i in range(len(ds))])
    np.testing.assert_array_equal(got_fine, fine)
    np.testing.assert_array_equal(got_coarse, mapping[fine])
    # every coarse class holds several fine classes
    for c, n in enumerate([4, 3, 3]):
        assert np.unique(fine[got_coarse == c]).size == n


def _write_cifar100(root, n=12, seed=0):
    rng = np.random.default_rng(seed)
    folder = osp.join(root, 'cifar-100-python')
    import os
    os.makedirs(folder)
    truth = {}
    for name in ('train', 'test'):
        fine = rng.integers(0, 100, n).tolist()
        coarse = rng.integers(0, 20, n).tolist()
        data = rng.integers(0, 255, (n, 3072), dtype=np.uint8)
        with open(osp.join(folder, name), 'wb') as f:
            pickle.dump(
                {
                    'data': data,
                    'fine_labels': fine,
                    'coarse_labels': coarse
                }, f)
        truth[name] = (fine, coarse)
    return truth


class _UncheckedCIFAR100Coarse(CIFAR100Coarse):
    """Same loading code; the md5 sums of the real files are not checked."""
    train_list = [['train', None]]
    test_list = [['test', None]]


@pytest.mark.parametrize('split', ['train', 'test'])
def test_cifar100_coarse_reads_coarse_labels(tmp_path, split):
    truth = _write_cifar100(str(tmp_path))
    ds = _UncheckedCIFAR100Coarse(
        data_root=str(tmp_path), split=split, pipeline=[], download=False)
    fine, coarse = truth[split]
    assert [ds.get_data_info(i)['gt_label'] for i in range(len(ds))] == coarse
    assert [ds.get_data_info(i)['fine_label'] for i in range(len(ds))] == fine
    assert ds.metainfo['classes'] == CIFAR100_COARSE_CLASSES
    assert len(CIFAR100_COARSE_CLASSES) == 20
