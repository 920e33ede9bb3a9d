"""Datasets registered by dnc_mm (mmseg ``DATASETS`` registry) and the
``ToGrayscale`` transform (mmpretrain ``TRANSFORMS``)."""
from .cifar100_coarse import CIFAR100Coarse
from .fashion_mnist_coarse import FashionMNISTCoarse
from .fashion_scenes import FashionScenesDataset
from .long_tailed import LongTailedDataset, long_tailed_counts
from .nuclei import NucleiDataset
from .prepared_fashion_mnist import PreparedFashionMNIST
from .seg_benchmark import SegBenchmarkDataset
from .transforms import ToGrayscale

__all__ = [
    'LongTailedDataset', 'long_tailed_counts', 'CIFAR100Coarse',
    'FashionMNISTCoarse', 'FashionScenesDataset', 'NucleiDataset',
    'PreparedFashionMNIST', 'SegBenchmarkDataset', 'ToGrayscale'
]
