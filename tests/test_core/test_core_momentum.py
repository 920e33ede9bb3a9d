"""Momentum update (Eq. 8), sums/counts and the full estimation step."""
import pytest
import torch
import torch.nn.functional as F

from dnc_mm.core.momentum import (apply_momentum_update, subcentroid_sums,
                                  touched_subcentroid_sums)
from dnc_mm.core.subcentroid_assignment import SubcentroidClustering
from dnc_mm.core.update import update_subcentroids


def _setup(seed=0, n=60, c=5, k=3, d=8):
    g = torch.Generator().manual_seed(seed)
    feats = F.normalize(torch.randn(n, d, generator=g), dim=1)
    labels = torch.randint(0, c, (n, ), generator=g)
    subs = F.normalize(torch.randn(c, k, d, generator=g), dim=-1)
    return feats, labels, subs


def test_sums_and_counts_match_loop():
    feats, labels, _ = _setup()
    g = torch.Generator().manual_seed(1)
    assign = torch.randint(-1, 3, (60, ), generator=g)
    labels = labels.clone()
    labels[:3] = 255
    sums, counts = subcentroid_sums(feats, labels, assign, 5, 3)
    for c in range(5):
        for k in range(3):
            m = (labels == c) & (assign == k)
            torch.testing.assert_close(sums[c, k], feats[m].sum(0))
            assert counts[c, k] == m.sum()


def test_eq8_formula():
    feats, labels, subs = _setup()
    g = torch.Generator().manual_seed(2)
    assign = torch.randint(0, 3, (60, ), generator=g)
    sums, counts = subcentroid_sums(feats, labels, assign, 5, 3)
    mu = 0.9
    new = apply_momentum_update(subs, sums, counts, mu)
    for c in range(5):
        for k in range(3):
            m = (labels == c) & (assign == k)
            if m.any():
                xbar = F.normalize(feats[m].mean(0), dim=0)
                ref = F.normalize(mu * subs[c, k] + (1 - mu) * xbar, dim=0)
                torch.testing.assert_close(new[c, k], ref)
            else:
                assert torch.equal(new[c, k], subs[c, k])
    torch.testing.assert_close(new.norm(dim=-1), torch.ones(5, 3))


def test_incorrect_samples_never_move_a_subcentroid():
    feats, labels, subs = _setup(n=80, c=4)
    correct = torch.zeros(80, dtype=torch.bool)
    correct[labels == 2] = True  # only class 2 is "correct"
    res = update_subcentroids(
        subs, feats, labels, selected=correct, momentum=0.5)
    for c in (0, 1, 3):
        assert torch.equal(res.subcentroids[c], subs[c])
    assert not torch.equal(res.subcentroids[2], subs[2])
    assert (res.assignment[~correct] == -1).all()
    # moving the incorrect samples anywhere changes nothing
    feats2 = feats.clone()
    feats2[~correct] = F.normalize(
        torch.randn(int((~correct).sum()), 8), dim=1)
    res2 = update_subcentroids(
        subs, feats2, labels, selected=correct, momentum=0.5)
    assert torch.equal(res.subcentroids, res2.subcentroids)


@pytest.mark.parametrize('method', ['sinkhorn', 'kmeans', 'nearest'])
def test_empty_and_absent_untouched_bitwise(method):
    feats, labels, subs = _setup(n=30, c=6, k=4)
    labels = labels % 3  # classes 3..5 absent
    active = torch.ones(6, 4, dtype=torch.bool)
    active[0, 2:] = False  # class 0 has K=2
    res = update_subcentroids(
        subs,
        feats,
        labels,
        active_mask=active,
        clustering=SubcentroidClustering(method))
    assert torch.equal(res.subcentroids[3:], subs[3:])
    assert torch.equal(res.subcentroids[0, 2:], subs[0, 2:])
    assert (res.counts[0, 2:] == 0).all()
    empty = res.counts == 0
    assert torch.equal(res.subcentroids[empty], subs[empty])
    assert (res.counts[~empty] > 0).all()
    assert not torch.equal(res.subcentroids[~empty], subs[~empty])


def test_classes_with_zero_and_one_sample():
    feats, _, subs = _setup(n=1, c=3, k=4)
    res = update_subcentroids(subs, feats, torch.tensor([1]), momentum=0.0)
    nearest = int((subs[1] @ feats[0]).argmax())
    assert res.assignment.tolist() == [nearest]
    torch.testing.assert_close(res.subcentroids[1, nearest], feats[0])
    assert torch.isfinite(res.subcentroids).all()
    # no sample at all
    res = update_subcentroids(subs, feats[:0], torch.zeros(0).long())
    assert torch.equal(res.subcentroids, subs)
    assert res.assignment.shape == (0, )


def test_k1_is_normalised_class_mean():
    """K = 1, mu = 0: DeepNCM's batch class mean (Tables 18–19)."""
    feats, labels, subs = _setup(n=50, c=4, k=1)
    labels[labels == 3] = 0  # class 3 absent
    for method in ('sinkhorn', 'kmeans', 'nearest'):
        res = update_subcentroids(
            subs,
            feats,
            labels,
            momentum=0.0,
            clustering=SubcentroidClustering(method))
        for c in range(3):
            ref = F.normalize(feats[labels == c].mean(0), dim=0)
            torch.testing.assert_close(res.subcentroids[c, 0], ref)
        assert torch.equal(res.subcentroids[3], subs[3])


def test_inplace_and_dtype():
    feats, labels, subs = _setup()
    buf = subs.clone()
    res = update_subcentroids(buf, feats, labels, inplace=True)
    assert res.subcentroids is buf
    assert not torch.equal(buf, subs)
    half = subs.half()
    res = update_subcentroids(half, feats.half(), labels)
    assert res.subcentroids.dtype == torch.float16
    assert torch.isfinite(res.subcentroids).all()
    with pytest.raises(ValueError):
        apply_momentum_update(
            subs, torch.zeros_like(subs), torch.zeros(5, 3), momentum=1.5)


def test_momentum_one_and_cancelling_mean():
    feats, _, subs = _setup(n=2, c=1, k=1)
    feats = torch.stack([feats[0], -feats[0]])  # mean is exactly zero
    res = update_subcentroids(subs, feats, torch.zeros(2).long(), momentum=0.5)
    torch.testing.assert_close(res.subcentroids, subs)
    assert torch.isfinite(res.subcentroids).all()


def test_touched_sums_are_the_dense_sums_of_touched_rows():
    feats, labels, _ = _setup()
    g = torch.Generator().manual_seed(3)
    assign = torch.randint(-1, 3, (60, ), generator=g)
    labels = labels.clone()
    labels[:4] = 255
    sums, counts = subcentroid_sums(feats, labels, assign, 5, 3)
    rows, row_sums, row_counts = touched_subcentroid_sums(
        feats, labels, assign, 5, 3)
    assert torch.equal(rows, counts.flatten().nonzero().squeeze(1))
    torch.testing.assert_close(row_sums, sums.view(15, -1)[rows])
    assert torch.equal(row_counts, counts.flatten()[rows])


@pytest.mark.parametrize('method', ['sinkhorn', 'kmeans', 'nearest'])
def test_single_process_update_equals_the_reduced_one(method):
    # reduce_fn takes the dense (C, K, D) path; without it only the touched
    # sub-centroids are summed: same sub-centroids, assignment and counts
    feats, labels, subs = _setup(n=200)
    labels = labels.clone()
    labels[:5] = 255
    sel = torch.arange(200) % 3 > 0
    a = update_subcentroids(
        subs,
        feats,
        labels,
        sel,
        momentum=0.7,
        clustering=SubcentroidClustering(method))
    b = update_subcentroids(
        subs,
        feats,
        labels,
        sel,
        momentum=0.7,
        clustering=SubcentroidClustering(method),
        reduce_fn=lambda t, op: t)
    torch.testing.assert_close(a.subcentroids, b.subcentroids)
    assert torch.equal(a.assignment, b.assignment)
    assert torch.equal(a.counts, b.counts)
    untouched = b.counts == 0
    assert torch.equal(a.subcentroids[untouched], subs[untouched])
