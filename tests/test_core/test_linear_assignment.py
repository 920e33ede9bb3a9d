"""The certified sparse assignment solver equals linear_sum_assignment."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

from dnc_mm.core.linear_assignment import dense_assignment, solve_assignment
from dnc_mm.core.prototype_assignment import (assignment_cost,
                                              hungarian_assignment)


def reference(cost):
    rows, cols = linear_sum_assignment(np.asarray(cost, dtype=np.float64))
    out = np.empty(len(rows), dtype=np.int64)
    out[rows] = cols
    return out


def total(cost, cols):
    cost = np.asarray(cost, dtype=np.float64)
    return float(cost[np.arange(len(cols)), cols].sum())


def hpl_cost(c, d, seed, noise=0.3):
    gen = torch.Generator().manual_seed(seed)
    protos = F.normalize(torch.randn(c, d, generator=gen), dim=1)
    perm = torch.randperm(c, generator=gen)
    means = 0.6 * protos[perm] + noise * F.normalize(
        torch.randn(c, d, generator=gen), dim=1)
    return means, protos, assignment_cost(means, protos)


@pytest.mark.parametrize('seed', range(4))
@pytest.mark.parametrize('shape', [(60, 60), (200, 200), (40, 90)])
def test_random_matrices_equal_the_dense_solver(seed, shape):
    rng = np.random.default_rng(seed)
    cost = rng.standard_normal(shape).astype(np.float32)
    got, info = solve_assignment(cost, solver='sparse', k=4)
    assert np.array_equal(got, reference(cost)), info
    assert info['solver'] == 'sparse', info  # certified, no fallback


@pytest.mark.parametrize('d', [2, 3, 64])
def test_hpl_costs_equal_the_dense_solver_with_and_without_warm_start(d):
    means, protos, cost = hpl_cost(400, d, seed=d)
    ref = reference(cost.numpy())
    first, _ = solve_assignment(cost, solver='sparse')
    assert np.array_equal(first, ref)
    # means move a little: the previous assignment is the warm start
    moved = means + 0.02 * torch.randn(
        means.shape, generator=torch.Generator().manual_seed(1))
    cost2 = assignment_cost(moved, protos)
    again, info = solve_assignment(cost2, solver='sparse', warm_start=first)
    assert np.array_equal(again, reference(cost2.numpy())), info
    # and through the head's entry point, every solver alike
    for solver in ('auto', 'sparse', 'dense'):
        got = hungarian_assignment(
            moved, protos, solver=solver, previous=torch.from_numpy(first))
        assert got.tolist() == reference(cost2.numpy()).tolist()


ADVERSARIAL = {
    # integer costs in a small range: a mass of exact ties
    'integer ties':
    lambda rng: rng.integers(0, 3, (80, 80)),
    'all equal':
    lambda rng: np.zeros((50, 50)),
    'constant rows':
    lambda rng: np.repeat(rng.standard_normal((60, 1)), 60, axis=1),
    'constant rows among random ones':
    lambda rng: np.where(
        (np.arange(70) % 3 == 0)[:, None], 1.0, rng.standard_normal((70, 70))),
    'duplicated rows':
    lambda rng: np.repeat(rng.standard_normal((30, 60)), 2, axis=0),
    # near-degenerate: a rank-one cost plus noise at float32's resolution
    'near-degenerate':
    lambda rng: (np.outer(rng.standard_normal(80), rng.standard_normal(80)) +
                 1e-7 * rng.standard_normal((80, 80))),
    'large integers':
    lambda rng: rng.integers(-10**6, 10**6, (60, 60)),
    'rectangular ties':
    lambda rng: rng.integers(0, 2, (30, 70)),
}


@pytest.mark.parametrize('case', list(ADVERSARIAL))
def test_adversarial_matrices_equal_the_dense_solver(case):
    rng = np.random.default_rng(7)
    cost = np.asarray(ADVERSARIAL[case](rng), dtype=np.float32)
    got, info = solve_assignment(cost, solver='sparse', k=3)
    assert np.array_equal(got, reference(cost)), info
    # 'any' keeps a certified optimum: the same optimal cost
    anyone, info_any = solve_assignment(cost, solver='sparse', k=3, ties='any')
    assert len(set(anyone.tolist())) == cost.shape[0]
    assert total(cost, anyone) == pytest.approx(total(cost, got), abs=1e-6)


def test_ties_fall_back_to_the_dense_solver():
    cost = np.zeros((40, 40), dtype=np.float32)  # a mass of ties
    got, info = solve_assignment(cost, solver='sparse')
    assert info['solver'] == 'dense' and 'ties' in info['reason']
    assert np.array_equal(got, reference(cost))
    # one tie: rows 0 and 1 may swap their columns at the same cost
    cost = np.random.default_rng(0).random((40, 40)).astype(np.float32)
    cost[:2, :2] = -1.0
    got, info = solve_assignment(cost, solver='sparse')
    assert info['solver'] == 'dense' and 'another optimal' in info['reason']
    assert info['tie'] is True  # a plain bool (the info is JSON-able)
    assert np.array_equal(got, reference(cost))


def test_other_fallbacks_and_the_dense_option():
    rng = np.random.default_rng(3)
    cost = rng.standard_normal((100, 100)).astype(np.float32)
    ref = reference(cost)
    # one round and one candidate per row: cannot be certified
    got, info = solve_assignment(cost, solver='sparse', k=1, max_rounds=1)
    assert info['solver'] == 'dense' and info['reason'], info
    assert np.array_equal(got, ref)
    got, info = solve_assignment(cost, solver='dense')
    assert info['solver'] == 'dense' and np.array_equal(got, ref)
    got, info = solve_assignment(cost)  # 'auto': small -> dense
    assert info['reason'] == 'small' and np.array_equal(got, ref)
    bad = cost.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match='invalid numeric entries'):
        solve_assignment(bad, solver='sparse')  # scipy's own message
    assert np.array_equal(dense_assignment(cost), ref)
    with pytest.raises(ValueError, match='solver must be one of'):
        solve_assignment(cost, solver='greedy')
    with pytest.raises(ValueError, match='at least as many columns'):
        solve_assignment(cost[:, :50], solver='sparse')


def test_a_bad_warm_start_is_ignored():
    rng = np.random.default_rng(4)
    cost = rng.standard_normal((50, 50)).astype(np.float32)
    for warm in (np.zeros(50, dtype=np.int64), np.arange(49)):
        got, _ = solve_assignment(cost, solver='sparse', warm_start=warm)
        assert np.array_equal(got, reference(cost))


def test_scipy_gets_a_known_matching_first_in_every_row(monkeypatch):
    """scipy's feasibility check (Hopcroft–Karp) can take exponential time
    on the layered candidate graphs of low-dimensional costs
    (scipy/scipy#26147; c = 1,000, d = 2 ran for minutes): every graph the
    solver hands to scipy lists a full matching first in each row (the warm
    start, then the previous round's matching), so that check ends after
    its first, greedy phase."""
    import dnc_mm.core.linear_assignment as sparse
    means, protos, cost = hpl_cost(1000, 2, seed=0)
    first = reference(cost.numpy())
    moved = means + 0.02 * torch.randn(
        means.shape, generator=torch.Generator().manual_seed(1))
    cost2 = assignment_cost(moved, protos)
    graphs = []
    real = sparse.min_weight_full_bipartite_matching

    def spy(graph):  # checked before scipy runs: a regression fails fast
        head = graph.indices[graph.indptr[:-1]]
        assert np.unique(head).size == head.size == 1000
        graphs.append(graph.copy())
        return real(graph)

    monkeypatch.setattr(sparse, 'min_weight_full_bipartite_matching', spy)
    got, info = solve_assignment(cost2, solver='sparse', warm_start=first)
    assert np.array_equal(got, reference(cost2.numpy())), info
    assert len(graphs) == info['rounds'] >= 2
    assert np.array_equal(graphs[0].indices[graphs[0].indptr[:-1]], first)
    for before, graph in zip(graphs, graphs[1:]):  # the previous round's
        matched = real(before)[1]
        assert np.array_equal(graph.indices[graph.indptr[:-1]], matched)


def test_a_cold_start_gets_a_greedy_full_matching(monkeypatch):
    """Every row's cheapest columns are the same 8: without a warm start
    the candidates hold no full matching until the greedy one joins
    them; the result is still the dense solver's."""
    import dnc_mm.core.linear_assignment as sparse
    rng = np.random.default_rng(5)
    cost = (np.arange(60)[None, :] + 0.1 * rng.random(
        (60, 60))).astype(np.float32)
    heads = []
    real = sparse.min_weight_full_bipartite_matching

    def spy(graph):
        heads.append(graph.indices[graph.indptr[:-1]].copy())
        return real(graph)

    monkeypatch.setattr(sparse, 'min_weight_full_bipartite_matching', spy)
    got, info = solve_assignment(cost, solver='sparse')
    assert np.array_equal(got, reference(cost)), info
    assert heads and np.unique(heads[0]).size == 60
