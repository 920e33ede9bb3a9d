"""Long-tailed subsets of any mmpretrain dataset (HPL §4.3, §7.2)."""
import copy
from typing import List, Optional, Union

import numpy as np
from mmpretrain.registry import DATASETS


def long_tailed_counts(num_classes: int, max_per_class: int,
                       imbalance_factor: float) -> List[int]:
    """Exponential profile ``n_i = ⌊n_max · f^{i/(C−1)}⌋``, at least 1.

    ``f = n_min / n_max`` is the imbalance factor of the paper (0.005, 0.01,
    0.02): class 0 keeps ``n_max`` images, the last class ``f · n_max``.

    Args:
        num_classes: ``C >= 2``.
        max_per_class: ``n_max``.
        imbalance_factor: ``f`` in ``(0, 1]``.

    Returns:
        ``C`` per-class counts.
    """
    if num_classes < 2:
        raise ValueError(f'num_classes must be >= 2, got {num_classes}')
    if not 0 < imbalance_factor <= 1:
        raise ValueError(f'imbalance_factor must be in (0, 1] (n_min/n_max),'
                         f' got {imbalance_factor}')
    exps = np.arange(num_classes) / (num_classes - 1)
    counts = np.floor(max_per_class * imbalance_factor**exps + 1e-9)
    return [max(1, int(n)) for n in counts]


@DATASETS.register_module()
class LongTailedDataset:
    """Keep a seeded, exponentially decaying number of images per class.

    Class ``i`` keeps exactly ``long_tailed_counts(C, n_max, f)[i]``
    images, drawn without replacement with ``seed`` from the class's images
    of the wrapped dataset (``n_max`` defaults to the smallest class size of
    the source, so every class can supply its count). Works over any
    mmpretrain dataset with ``get_gt_labels()`` (CIFAR10/100, ImageNet,
    CustomDataset, PreparedFashionMNIST, ...); the test split stays
    balanced, as in the paper.

    Args:
        dataset: The source dataset or its config.
        imbalance_factor: ``n_min / n_max`` (paper: 0.005, 0.01, 0.02).
        max_per_class: ``n_max`` (None: smallest class of the source).
        seed: Seed of the draw.
        class_order: Optional permutation of the classes: ``class_order[r]``
            gets the ``r``-th largest count (default: class ``i`` gets
            rank ``i``).
    """

    def __init__(self,
                 dataset: Union[dict, object],
                 imbalance_factor: float,
                 max_per_class: Optional[int] = None,
                 seed: int = 0,
                 class_order: Optional[List[int]] = None,
                 lazy_init: bool = False) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset
        self.imbalance_factor = imbalance_factor
        self.max_per_class = max_per_class
        self.seed = seed
        self.class_order = class_order
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    @property
    def CLASSES(self):
        return self.dataset.CLASSES

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        labels = np.asarray(self.dataset.get_gt_labels(), dtype=np.int64)
        num_classes = len(self.dataset.CLASSES) if getattr(
            self.dataset, 'CLASSES', None) else int(labels.max()) + 1
        available = np.bincount(labels, minlength=num_classes)
        n_max = (
            int(available.min())
            if self.max_per_class is None else self.max_per_class)
        counts = long_tailed_counts(num_classes, n_max, self.imbalance_factor)
        order = (
            list(range(num_classes))
            if self.class_order is None else list(self.class_order))
        if sorted(order) != list(range(num_classes)):
            raise ValueError(f'class_order must be a permutation of '
                             f'0..{num_classes - 1}')
        rng = np.random.default_rng(self.seed)
        keep = []
        self.class_counts = [0] * num_classes
        for rank, cls in enumerate(order):
            pool = np.flatnonzero(labels == cls)
            want = counts[rank]
            if want > len(pool):
                raise ValueError(
                    f'class {cls} has {len(pool)} images but the long-tailed '
                    f'profile asks for {want}: lower max_per_class (now '
                    f'{n_max})')
            keep.append(rng.choice(pool, size=want, replace=False))
            self.class_counts[cls] = want
        self.indices = np.sort(np.concatenate(keep)).astype(np.int64)
        self._labels = labels[self.indices]
        self._fully_initialized = True

    def get_gt_labels(self) -> np.ndarray:
        self.full_init()
        return self._labels.copy()

    def get_cat_ids(self, idx: int) -> List[int]:
        return [int(self._labels[idx])]

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(int(self.indices[idx]))

    def __len__(self) -> int:
        self.full_init()
        return len(self.indices)

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        return self.dataset[int(self.indices[idx])]
