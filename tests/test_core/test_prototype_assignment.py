"""Hungarian label-to-prototype assignment (HPL Eq. 9)."""
import pytest
import torch
import torch.nn.functional as F

from dnc_mm.core.hyperspherical_prototypes import estimate_prototypes
from dnc_mm.core.prototype_assignment import (assignment_changes,
                                              assignment_objective,
                                              hungarian_assignment)


def test_recovers_a_known_permutation_from_noisy_means():
    gen = torch.Generator().manual_seed(0)
    protos = estimate_prototypes(20, 8, iters=300)
    perm = torch.randperm(20, generator=gen)
    # class j's features sit near prototype perm[j]
    means = F.normalize(
        protos[perm] + 0.15 * torch.randn(20, 8, generator=gen), dim=1) * 0.8
    assignment = hungarian_assignment(means, protos)
    assert torch.equal(assignment, perm)
    assert assignment_changes(torch.arange(20), assignment) == int(
        (perm != torch.arange(20)).sum())


def test_is_optimal_against_brute_force_on_a_small_problem():
    import itertools
    gen = torch.Generator().manual_seed(1)
    means = torch.randn(5, 3, generator=gen)
    protos = F.normalize(torch.randn(5, 3, generator=gen), dim=1)
    best = max(
        itertools.permutations(range(5)),
        key=lambda p: float((means * protos[list(p)]).sum()))
    got = hungarian_assignment(means, protos)
    assert got.tolist() == list(best)
    total, _ = assignment_objective(means, protos, got)
    assert total == pytest.approx(
        float((means * protos[list(best)]).sum()), rel=1e-6)


def test_more_prototypes_than_classes_and_errors():
    protos = torch.eye(4)
    means = torch.tensor([[0., 0., 1., 0.], [1., 0., 0., 0.]])
    assert hungarian_assignment(means, protos).tolist() == [2, 0]
    with pytest.raises(ValueError, match='at least as many'):
        hungarian_assignment(torch.eye(4), torch.eye(4)[:2])
    with pytest.raises(ValueError, match='dimension'):
        hungarian_assignment(torch.eye(3), torch.eye(4))
