"""Label-to-prototype assignment by the Hungarian algorithm (HPL, Eq. 9).

Given the class means ``z̄_j`` and the fixed prototypes ``w_k``, HPL picks
the bijection ``A`` that maximises ``Σ_j z̄_jᵀ w_{A(j)}`` (Eq. 9, the
tractable form of Eq. 8), i.e. a linear assignment on the cost
``−z̄ Wᵀ``. The cost is computed once in float32
(:func:`assignment_cost`) and solved by
:func:`dnc_mm.core.linear_assignment.solve_assignment`: a certified sparse
solver for many classes, :func:`scipy.optimize.linear_sum_assignment` for
few (or on request); both return the same assignment on the same cost
matrix. No OpenMMLab imports.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from ._utils import autocast_disabled
from .linear_assignment import solve_assignment


@torch.no_grad()
def assignment_cost(means: Tensor, prototypes: Tensor) -> Tensor:
    """The cost ``−z̄ Wᵀ`` of Eq. 9 as a float32 CPU matrix.

    Args:
        means: ``(C, D)`` class means ``z̄``.
        prototypes: ``(P, D)`` prototypes.

    Returns:
        ``(C, P)`` float32 CPU tensor (one matmul on ``means.device``,
        autocast off): every solver reads exactly these values.
    """
    with autocast_disabled(means.device):
        cost = means.detach().float() @ prototypes.detach().float().to(
            means.device).t()
    return cost.neg_().cpu()


def hungarian_assignment(means: Tensor,
                         prototypes: Tensor,
                         solver: str = 'auto',
                         previous: Optional[Tensor] = None) -> Tensor:
    """Optimal bijection from classes to prototypes (Eq. 9).

    Args:
        means: ``(C, D)`` class means ``z̄``.
        prototypes: ``(P, D)`` prototypes, ``P >= C``.
        solver: ``'auto'`` (the certified sparse solver from 2,000
            classes and ``D >= 3``, dense otherwise: at ``D = 2`` the
            near-tight entries are too many to certify and the sparse
            path falls back to dense after extra work),
            ``'sparse'`` or ``'dense'``
            (:func:`scipy.optimize.linear_sum_assignment` only); see
            :func:`dnc_mm.core.linear_assignment.solve_assignment`. All
            return the same assignment.
        previous: ``(C,)`` current assignment, a warm start for the sparse
            solver (optional; does not change the result).

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
    if solver == 'auto' and means.shape[1] < 3:
        solver = 'dense'  # see the docstring (docs/methods/hpl.md)
    cost = assignment_cost(means, prototypes)
    warm = None if previous is None else previous.detach().cpu().numpy()
    assignment, _ = solve_assignment(cost, solver=solver, warm_start=warm)
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
