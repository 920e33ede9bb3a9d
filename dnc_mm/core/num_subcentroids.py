"""Number of sub-centroids per class and the active-sub-centroid mask.

DNC uses the same ``K`` for every class by default (4 for classification, 10
for segmentation). Appendix §J / Table 23 of the paper also varies ``K`` with
the number of training samples of a class: on ImageNet (732–1300 images per
class) ``K = 1`` for 732–874 images, 2 for 875–1016, 3 for 1017–1158 and 4
for 1159–1300. Those are ``K_max - K_min + 1`` equal-width bins over
``[n_min, n_max]`` anchored at ``n_min``:

    K(n) = K_min + floor((n - n_min) * B / (n_max - n_min + 1)),
    B = K_max - K_min + 1,

which reproduces the paper's four ranges exactly (bin width 569 / 4 =
142.25). When every class has the same count (balanced data) there is no
variation to exploit and every class gets ``K_max`` (the "unique value"
row of Table 23).

Sub-centroid tensors are stored padded to ``(C, K_max, D)``; the boolean
mask ``(C, K_max)`` marks the first ``K_c`` slots of class ``c`` as active.
"""
from typing import Optional, Sequence, Union

import torch
from torch import Tensor

__all__ = [
    'num_subcentroids_from_counts', 'num_subcentroids_per_class',
    'active_subcentroid_mask'
]

IntsLike = Union[int, Sequence[int], Tensor]


def num_subcentroids_from_counts(class_counts: Union[Sequence[int], Tensor],
                                 max_subcentroids: int,
                                 min_subcentroids: int = 1) -> Tensor:
    """Per-class ``K`` from class sample counts (DNC appendix §J, Table 23).

    Args:
        class_counts: ``(C,)`` number of training samples of every class.
        max_subcentroids: ``K_max`` (paper: 4), given to the largest classes.
        min_subcentroids: ``K_min`` (paper: 1), given to the smallest classes.

    Returns:
        ``(C,)`` int64 tensor with values in ``[K_min, K_max]``.
    """
    if not 1 <= min_subcentroids <= max_subcentroids:
        raise ValueError('need 1 <= min_subcentroids <= max_subcentroids, '
                         f'got {min_subcentroids}, {max_subcentroids}')
    counts = torch.as_tensor(class_counts, dtype=torch.long).flatten()
    if counts.numel() == 0:
        raise ValueError('class_counts is empty')
    if (counts < 0).any():
        raise ValueError('class_counts must be non-negative')
    n_min, n_max = counts.min(), counts.max()
    if n_min == n_max:
        return torch.full_like(counts, max_subcentroids)
    bins = max_subcentroids - min_subcentroids + 1
    k = min_subcentroids + (counts - n_min) * bins // (n_max - n_min + 1)
    return k.clamp_(min_subcentroids, max_subcentroids)


def num_subcentroids_per_class(num_classes: int,
                               num_subcentroids: IntsLike,
                               class_counts: Optional[Union[Sequence[int],
                                                            Tensor]] = None,
                               min_subcentroids: int = 1) -> Tensor:
    """Resolve a ``K`` specification to one value per class.

    Args:
        num_classes: ``C``.
        num_subcentroids: An int (the same ``K`` for all classes, or
            ``K_max`` when ``class_counts`` is given) or ``C`` ints (explicit
            per-class values).
        class_counts: Optional ``(C,)`` training-sample counts; with an int
            ``num_subcentroids`` selects the count-based rule of
            :func:`num_subcentroids_from_counts`.
        min_subcentroids: ``K_min`` for the count-based rule.

    Returns:
        ``(C,)`` int64 tensor of per-class ``K_c >= 1``.
    """
    if isinstance(num_subcentroids,
                  int) or (isinstance(num_subcentroids, Tensor)
                           and num_subcentroids.dim() == 0):
        k_max = int(num_subcentroids)
        if k_max < 1:
            raise ValueError(f'num_subcentroids must be >= 1, got {k_max}')
        if class_counts is None:
            return torch.full((num_classes, ), k_max, dtype=torch.long)
        per_class = num_subcentroids_from_counts(class_counts, k_max,
                                                 min_subcentroids)
    else:
        if class_counts is not None:
            raise ValueError('give either explicit per-class K or '
                             'class_counts, not both')
        per_class = torch.as_tensor(
            num_subcentroids, dtype=torch.long).flatten()
    if per_class.numel() != num_classes:
        raise ValueError(f'expected {num_classes} per-class values, got '
                         f'{per_class.numel()}')
    if (per_class < 1).any():
        raise ValueError('every class needs at least one sub-centroid')
    return per_class


def active_subcentroid_mask(num_per_class: Union[Sequence[int], Tensor],
                            max_subcentroids: Optional[int] = None,
                            device: Optional[torch.device] = None) -> Tensor:
    """Boolean ``(C, K_max)`` mask of the active sub-centroid slots.

    Args:
        num_per_class: ``(C,)`` per-class ``K_c``.
        max_subcentroids: ``K_max`` (padded size); ``None``:
            ``max_c K_c``.
        device: Device of the returned mask.

    Returns:
        ``(C, K_max)`` bool, ``mask[c, k] = k < K_c``.
    """
    k = torch.as_tensor(
        num_per_class, dtype=torch.long, device=device).flatten()
    k_max = int(k.max()) if max_subcentroids is None else max_subcentroids
    if (k > k_max).any():
        raise ValueError(f'a class has more than {k_max} sub-centroids')
    return torch.arange(k_max, device=k.device).unsqueeze(0) < k.unsqueeze(1)
