"""Algorithm 1's masking order, data initialisation, momentum warm-up and
memory staleness (the schedule-aware sub-centroid estimation)."""
import pytest
import torch
import torch.nn.functional as F
from dnc_reference import reference_assign

from dnc_mm.core import (kmeanspp_subcentroids, scheduled_momentum,
                         update_subcentroids)
from dnc_mm.core.memory import FeatureMemory
from dnc_mm.core.momentum import apply_momentum_update, subcentroid_sums


def _problem(seed, n=60, c=4, k=3, d=8):
    g = torch.Generator().manual_seed(seed)
    feats = F.normalize(torch.randn(n, d, generator=g), dim=1)
    labels = torch.randint(0, c, (n, ), generator=g)
    labels[torch.rand(n, generator=g) < 0.1] = 255  # ignore_index
    subs = F.normalize(torch.randn(c, k, d, generator=g), dim=-1)
    correct = torch.rand(n, generator=g) < 0.6
    return feats, labels, subs, correct


@pytest.mark.parametrize('seed', range(6))
def test_mask_after_transport_matches_float64_reference(seed):
    feats, labels, subs, correct = _problem(seed)
    c, k, _ = subs.shape
    active = torch.ones(c, k, dtype=torch.bool)
    got = update_subcentroids(
        subs,
        feats,
        labels,
        selected=correct,
        momentum=0.5,
        mask_order='after')
    # Algorithm 1: transport over *all* samples of the class, then only the
    # correctly classified ones move a sub-centroid
    assign = reference_assign(feats, labels, subs, active, labels < c,
                              'sinkhorn')
    assign[~correct] = -1
    assert torch.equal(got.assignment, assign)
    ref = subs.double().clone()
    for ci in range(c):
        for kk in range(k):
            members = feats[(labels == ci) & (assign == kk)].double()
            if len(members):
                mean = F.normalize(members.sum(0), dim=0)
                ref[ci, kk] = F.normalize(
                    0.5 * ref[ci, kk] + 0.5 * mean, dim=0)
    torch.testing.assert_close(
        got.subcentroids.double(), ref, atol=1e-6, rtol=0)


def test_mask_before_is_the_old_order_and_orders_differ():
    differ = False
    for seed in range(6):
        feats, labels, subs, correct = _problem(seed)
        c, k, _ = subs.shape
        active = torch.ones(c, k, dtype=torch.bool)
        before = update_subcentroids(
            subs, feats, labels, selected=correct, mask_order='before')
        ref = reference_assign(feats, labels, subs, active,
                               correct & (labels < c), 'sinkhorn')
        assert torch.equal(before.assignment, ref)
        after = update_subcentroids(subs, feats, labels, selected=correct)
        differ |= not torch.equal(after.assignment, before.assignment)
    assert differ  # the choice matters on these problems


def test_bad_mask_order():
    feats, labels, subs, correct = _problem(0)
    with pytest.raises(ValueError, match='mask_order'):
        update_subcentroids(subs, feats, labels, mask_order='sometimes')


def test_momentum_schedule_values():
    assert scheduled_momentum(0.999, 0, 0) == 0.999
    assert scheduled_momentum(0.999, 0, 100, 0.9) == pytest.approx(0.9)
    assert scheduled_momentum(0.999, 50, 100, 0.9) == pytest.approx(0.9495)
    assert scheduled_momentum(0.999, 100, 100, 0.9) == 0.999
    assert scheduled_momentum(0.999, 10**6, 100, 0.9) == 0.999
    assert scheduled_momentum(0.0, 3, 0) == 0.0  # mu = 0 ablation
    with pytest.raises(ValueError, match='momentum_warmup_start'):
        scheduled_momentum(0.5, 0, 10, 0.9)
    with pytest.raises(ValueError, match='warmup_iters'):
        scheduled_momentum(0.9, 0, -1)


def test_kmeanspp_finds_separated_subclasses_of_every_class():
    torch.manual_seed(0)
    c, k, d = 5, 4, 32
    means = F.normalize(torch.randn(c, k, d), dim=-1)
    labels = torch.arange(c).repeat_interleave(120)
    sub = torch.randint(0, k, (labels.numel(), ))
    feats = F.normalize(
        means[labels, sub] + 0.05 * torch.randn(labels.numel(), d), dim=-1)
    out = kmeanspp_subcentroids(feats, labels, c,
                                torch.ones(c, k, dtype=torch.bool))
    assert out.ready.all()
    # every true sub-class mean has a centre within cos 0.99
    best = torch.einsum('ckd,cjd->ckj', means, out.subcentroids).amax(-1)
    assert (best > 0.99).all()
    torch.testing.assert_close(out.subcentroids.norm(dim=-1), torch.ones(c, k))


def test_kmeanspp_ready_rule_inactive_slots_and_determinism():
    feats = F.normalize(torch.randn(10, 6), dim=1)
    labels = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2, 255])
    active = torch.tensor([[1, 1, 1], [1, 1, 1], [1, 1, 0]], dtype=torch.bool)
    out = kmeanspp_subcentroids(feats, labels, 3, active, seed=3)
    # class 1 has 2 samples for 3 slots: not ready, left at zero
    assert out.ready.tolist() == [True, False, True]
    assert (out.subcentroids[1] == 0).all()
    assert (out.subcentroids[2, 2] == 0).all()  # inactive slot
    again = kmeanspp_subcentroids(feats, labels, 3, active, seed=3)
    assert torch.equal(out.subcentroids, again.subcentroids)
    # centres of a class with exactly K distinct samples are those samples
    seeds = out.subcentroids[0]
    assert torch.allclose((seeds @ feats[:3].t()).amax(1), torch.ones(3))


def test_kmeanspp_duplicate_samples_fill_all_slots():
    x = F.normalize(torch.randn(1, 4), dim=1).repeat(5, 1)
    out = kmeanspp_subcentroids(x, torch.zeros(5, dtype=torch.long), 1,
                                torch.ones(1, 3, dtype=torch.bool))
    assert out.ready.all()
    torch.testing.assert_close(out.subcentroids[0], x[:3])


def test_memory_staleness_drops_exactly_the_rows_older_than_the_limit():
    mem = FeatureMemory(max_age=2)
    mem.allocate(capacity=12, dim=3)
    for step in range(5):  # 2 rows per push, labels = push number
        mem.push(
            torch.randn(2, 3), torch.full((2, ), step),
            torch.ones(2, dtype=torch.bool))
    _, labels, _ = mem.rows()
    kept = sorted(labels[labels >= 0].tolist())
    # newest push is 4: ages 0, 1, 2 are kept, 3 and 4 pushes ago dropped
    assert kept == [2, 2, 3, 3, 4, 4]
    assert int((labels == -1).sum()) == 4
    mem.set_max_age(0)
    _, labels, _ = mem.rows()
    assert sorted(labels[labels >= 0].tolist()) == [4, 4]
    mem.set_max_age(None)
    _, labels, _ = mem.rows()
    assert sorted(labels.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(ValueError, match='max_age'):
        mem.set_max_age(-1)


def test_memory_staleness_survives_state_dict_round_trip_and_old_format():
    mem = FeatureMemory(max_age=1)
    mem.allocate(capacity=4, dim=2)
    for step in range(3):
        mem.push(
            torch.randn(1, 2), torch.tensor([step]),
            torch.ones(1, dtype=torch.bool))
    state = mem.state_dict()
    fresh = FeatureMemory(max_age=1)
    fresh.load_state_dict(state)
    assert torch.equal(fresh.rows()[1], mem.rows()[1])
    assert int(fresh.clock) == 3
    # a checkpoint from before the clock existed still loads
    old = {k: v for k, v in state.items() if k not in ('stamps', 'clock')}
    legacy = FeatureMemory()
    legacy.load_state_dict(old)
    assert torch.equal(legacy.labels, mem.labels)


def test_stale_rows_never_move_a_subcentroid():
    mem = FeatureMemory(max_age=0)
    mem.allocate(capacity=8, dim=4)
    old = F.normalize(torch.randn(4, 4), dim=1)
    new = F.normalize(torch.randn(4, 4), dim=1)
    ones = torch.ones(4, dtype=torch.bool)
    mem.push(old, torch.zeros(4, dtype=torch.long), ones)
    mem.push(new, torch.zeros(4, dtype=torch.long), ones)
    feats, labels, correct = mem.rows()
    subs = F.normalize(torch.randn(1, 1, 4), dim=-1)
    got = update_subcentroids(subs, feats, labels, correct, momentum=0.0)
    sums, counts = subcentroid_sums(new, torch.zeros(4, dtype=torch.long),
                                    torch.zeros(4, dtype=torch.long), 1, 1)
    want = apply_momentum_update(subs, sums, counts, momentum=0.0)
    torch.testing.assert_close(got.subcentroids, want)
