"""Coarse (super-class) groupings of fine classes, for induction accuracy.

Two groupings live here:

* :data:`FASHION_MNIST_COARSE` — **our own** grouping of Fashion-MNIST's 10
  classes into 3 coarse classes (Fashion-MNIST has no official hierarchy).
  It is chosen so that every coarse class holds several fine classes that
  look alike at 28x28 (upper-body garments; footwear; the rest), which makes
  the coarse-to-fine transfer non-trivial:

  ==========================  =======================================
  coarse class                fine classes (Fashion-MNIST index)
  ==========================  =======================================
  0 ``tops``                  T-shirt/top (0), Pullover (2), Coat (4),
                              Shirt (6)
  1 ``footwear``              Sandal (5), Sneaker (7), Ankle boot (9)
  2 ``bottoms-dresses-bags``  Trouser (1), Dress (3), Bag (8)
  ==========================  =======================================

* :data:`CIFAR100_COARSE_CLASSES` — the **official** 20 CIFAR-100
  super-classes, in the order of ``coarse_label_names`` of the
  ``cifar-100-python/meta`` pickle (the ``coarse_labels`` stored in the
  train/test pickles index this list).
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np
from mmpretrain.datasets import FashionMNIST

#: Fashion-MNIST's 10 class names in label order, as mmpretrain's
#: ``FashionMNIST`` dataset names them (the one place this project reads
#: them from).
FASHION_MNIST_FINE_CLASSES: Tuple[str, ...] = tuple(
    FashionMNIST.METAINFO['classes'])

FASHION_MNIST_COARSE: Dict[str, Tuple[int, ...]] = {
    'tops': (0, 2, 4, 6),
    'footwear': (5, 7, 9),
    'bottoms-dresses-bags': (1, 3, 8),
}

CIFAR100_COARSE_CLASSES: Tuple[str, ...] = (
    'aquatic_mammals', 'fish', 'flowers', 'food_containers',
    'fruit_and_vegetables', 'household_electrical_devices',
    'household_furniture', 'insects', 'large_carnivores',
    'large_man-made_outdoor_things', 'large_natural_outdoor_scenes',
    'large_omnivores_and_herbivores', 'medium_mammals',
    'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
    'vehicles_1', 'vehicles_2')


def fine_to_coarse_map(groups: Dict[str, Sequence[int]],
                       num_fine: int) -> np.ndarray:
    """``(num_fine,)`` array: the coarse index of every fine class.

    Args:
        groups: Coarse class name -> its fine class indices (ordered; the
            coarse index is the position in ``groups``).
        num_fine: Number of fine classes; each must appear exactly once.

    Raises:
        ValueError: a fine class is missing, repeated or out of range.
    """
    mapping = np.full(num_fine, -1, dtype=np.int64)
    for coarse, fines in enumerate(groups.values()):
        for f in fines:
            if not 0 <= f < num_fine:
                raise ValueError(f'fine class {f} outside [0, {num_fine})')
            if mapping[f] >= 0:
                raise ValueError(f'fine class {f} is in two coarse classes')
            mapping[f] = coarse
    missing = np.flatnonzero(mapping < 0).tolist()
    if missing:
        raise ValueError(f'fine classes {missing} belong to no coarse class')
    return mapping


def fine_classes_per_coarse(fine_to_coarse: Sequence[int]) -> List[int]:
    """How many fine classes each coarse class holds."""
    arr = np.asarray(fine_to_coarse)
    return np.bincount(arr, minlength=int(arr.max()) + 1).tolist()
