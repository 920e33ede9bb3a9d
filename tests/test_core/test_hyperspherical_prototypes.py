"""Uniformity loss, prototype estimation and the simplex ETF (HPL §3.2.1)."""
import math

import pytest
import torch
import torch.nn.functional as F

from dnc_mm.core.hyperspherical_prototypes import (estimate_prototypes,
                                                   pairwise_cosines,
                                                   prototype_statistics,
                                                   simplex_etf,
                                                   uniformity_loss)


def test_uniformity_loss_matches_eq5_by_hand():
    w = F.normalize(torch.tensor([[1., 0.], [0., 1.], [-1., 0.]]), dim=1)
    t = 2.0
    sq = torch.cdist(w, w).pow(2)
    # subset {0, 2}: rows 0 and 2, all j != i
    total = sum(
        math.exp(-t * float(sq[i, j])) for i in (0, 2) for j in range(3)
        if j != i)
    expected = math.log(total / 2)
    got = uniformity_loss(w, torch.tensor([0, 2]), t)
    assert got.item() == pytest.approx(expected, rel=1e-6)


def test_uniformity_loss_is_lower_for_spread_points():
    gen = torch.Generator().manual_seed(0)
    clustered = F.normalize(
        torch.ones(6, 3) + 0.1 * torch.randn(6, 3, generator=gen), dim=1)
    spread = simplex_etf(6, 5)
    assert uniformity_loss(
        spread[:, :5]).item() < uniformity_loss(clustered).item()


def test_estimation_decreases_the_loss_and_is_reproducible():
    losses = []
    w = estimate_prototypes(
        12,
        4,
        iters=200,
        seed=3,
        callback=lambda step, loss: losses.append(loss))
    assert len(losses) == 200
    # the loss of the whole set at the start vs at the end
    start = F.normalize(
        torch.randn(12, 4, generator=torch.Generator().manual_seed(3)), dim=1)
    assert uniformity_loss(w).item() < uniformity_loss(start).item() - 0.1
    assert sum(losses[-20:]) / 20 < sum(losses[:20]) / 20
    assert torch.allclose(w.norm(dim=1), torch.ones(12), atol=1e-5)
    assert torch.equal(w, estimate_prototypes(12, 4, iters=200, seed=3))
    assert not torch.equal(w, estimate_prototypes(12, 4, iters=200, seed=4))


@pytest.mark.parametrize('c,d', [(10, 9), (10, 16), (30, 29)])
def test_estimate_approaches_the_simplex_etf_when_d_at_least_c_minus_1(c, d):
    w = estimate_prototypes(c, d)  # paper settings: SGD lr 0.1, 1000 steps
    stats = prototype_statistics(w)
    assert stats['etf_max_abs_dev'] < 1e-2, stats
    assert stats['etf_rel_gram_error'] < 1e-2, stats
    assert stats['max_cos'] == pytest.approx(-1 / (c - 1), abs=1e-2)


def test_table7_d50_c100_statistics():
    # Table 7 of the paper, 100 prototypes in R^50: max 0.01, min -1.0
    stats = prototype_statistics(estimate_prototypes(100, 50))
    assert stats['max_cos'] < 0.05
    assert stats['min_cos'] < -0.99
    assert 'etf_cos' not in stats  # d < c - 1: no ETF comparison


def test_two_dimensions_split_the_circle_evenly():
    w = estimate_prototypes(8, 2)
    # neighbours 45 degrees apart: the largest cosine is cos(45°)
    assert pairwise_cosines(w).max().item() == pytest.approx(
        math.cos(math.pi / 4), abs=1e-3)


def test_simplex_etf_is_exact_and_checks_dims():
    w = simplex_etf(7, 6, seed=1)
    stats = prototype_statistics(w)
    assert stats['etf_max_abs_dev'] < 1e-6
    assert w.shape == (7, 6)
    with pytest.raises(ValueError, match='needs dims >= 6'):
        simplex_etf(7, 5)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='dims must be >= 2'):
        estimate_prototypes(5, 1)
    with pytest.raises(ValueError, match='subset_size'):
        estimate_prototypes(5, 3, subset_size=6)
    with pytest.raises(ValueError, match='t must be > 0'):
        uniformity_loss(torch.eye(3), t=0)
