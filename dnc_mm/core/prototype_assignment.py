"""Label-to-prototype assignment by the Hungarian algorithm (HPL, Eq. 9).

Given the class means ``z̄_j`` and the fixed prototypes ``w_k``, HPL picks
the bijection ``A`` that maximises ``Σ_j z̄_jᵀ w_{A(j)}`` (Eq. 9, the
tractable form of Eq. 8), i.e. a linear assignment on the cost
``−z̄ Wᵀ``, solved with :func:`scipy.optimize.linear_sum_assignment`
(no OpenMMLab imports; scipy works on float64 numpy arrays on the CPU).
"""
from typing import Tuple

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor


def hungarian_assignment(means: Tensor, prototypes: Tensor) -> Tensor:
    """Optimal bijection from classes to prototypes (Eq. 9).

    Args:
        means: ``(C, D)`` class means ``z̄``.
        prototypes: ``(P, D)`` prototypes, ``P >= C``.

    Returns:
        ``(C,)`` long tensor on ``means.device``: ``A[j]`` is the prototype
        of class ``j``; all entries distinct.
    """
    if means.dim() != 2 or prototypes.dim() != 2:
        raise ValueError('means and prototypes must be 2-D')
    if means.shape[1] != prototypes.shape[1]:
        raise ValueError(f'means have dimension {means.shape[1]} but '
                         f'prototypes {prototypes.shape[1]}')
    if prototypes.shape[0] < means.shape[0]:
        raise ValueError(f'{means.shape[0]} classes need at least as many '
                         f'prototypes, got {prototypes.shape[0]}')
    cost = -(means.detach().double() @ prototypes.detach().double().t())
    rows, cols = linear_sum_assignment(cost.cpu().numpy())
    assignment = np.empty(means.shape[0], dtype=np.int64)
    assignment[rows] = cols
    return torch.from_numpy(assignment).to(means.device)


def assignment_changes(old: Tensor, new: Tensor) -> int:
    """Number of classes whose prototype differs between two assignments."""
    if old.shape != new.shape:
        raise ValueError(f'assignments of different sizes: {tuple(old.shape)}'
                         f' vs {tuple(new.shape)}')
    return int((old != new).sum())


def assignment_objective(means: Tensor, prototypes: Tensor,
                         assignment: Tensor) -> Tuple[float, float]:
    """``Σ_j z̄_jᵀ w_{A(j)}`` and its mean over classes (for logging)."""
    score = (means.float() * prototypes.float()[assignment]).sum(1)
    return float(score.sum()), float(score.mean())
