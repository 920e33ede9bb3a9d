"""Datasets registered by dnc_mm (mmseg ``DATASETS`` registry)."""
from .fashion_scenes import FashionScenesDataset
from .nuclei import NucleiDataset
from .prepared_fashion_mnist import PreparedFashionMNIST
from .seg_benchmark import SegBenchmarkDataset

__all__ = ['FashionScenesDataset', 'NucleiDataset', 'PreparedFashionMNIST', 'SegBenchmarkDataset']
