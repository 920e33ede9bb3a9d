"""Split/merge of sub-centroids: buffers stay consistent, K stays in range."""
import pytest
import torch
import torch.nn.functional as F

from dnc_mm.core.num_subcentroids import active_subcentroid_mask
from dnc_mm.core.split_merge import split_merge_step, two_means
from dnc_mm.models.layers import SubCentroidClassifier


def _blobs(centres, n, noise, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.cat(
        [c + noise * torch.randn(n, c.numel(), generator=g) for c in centres])
    return F.normalize(x, dim=1)


def _check(active, k_max):
    k = active.sum(1)
    assert ((k >= 1) & (k <= k_max)).all()
    assert torch.equal(active, active_subcentroid_mask(k, k_max))


def test_two_means_separates_two_blobs():
    d = 8
    a, b = torch.eye(d)[0], torch.eye(d)[1]
    x = _blobs([a, b], 50, 0.05)
    member = two_means(x)
    assert member[:50].all() != member[50:].all()
    assert member[:50].float().std() == 0 and member[50:].float().std() == 0


def test_split_finds_hidden_subclasses_and_respects_k_max():
    d, k_max = 16, 4
    # class 0: three well separated sub-classes; class 1: one blob
    c0 = _blobs([torch.eye(d)[i] for i in range(3)], 100, 0.05)
    c1 = _blobs([torch.eye(d)[5]], 300, 0.05, seed=1)
    feats = torch.cat([c0, c1])
    labels = torch.cat([torch.zeros(300), torch.ones(300)]).long()
    protos = F.normalize(torch.randn(2, k_max, d), dim=-1)
    active = active_subcentroid_mask(torch.tensor([1, 1]), k_max)
    ks = []
    for r in range(6):
        out = split_merge_step(protos, active, feats, labels,
                               'split' if r % 2 == 0 else 'merge')
        _check(out.active, k_max)
        assert out.subcentroids.shape == protos.shape
        act = out.subcentroids[out.active]
        torch.testing.assert_close(act.norm(dim=1), torch.ones(len(act)))
        protos, active = out.subcentroids, out.active
        ks.append(active.sum(1).tolist())
    assert ks[-1] == [3, 1], ks


def test_merge_removes_duplicates_and_empty_slots_and_keeps_inputs():
    # d=32: halving one isotropic blob off its main axis scores a
    # bimodality ratio below 1, under merge_ratio=1.1
    d, k_max = 32, 5
    x = _blobs([torch.eye(d)[0], torch.eye(d)[1]], 100, 0.05)
    labels = torch.zeros(200, dtype=torch.long)
    protos = torch.zeros(1, k_max, d)
    protos[0, 0] = torch.eye(d)[0]
    protos[0, 1] = F.normalize(torch.eye(d)[0] + 0.01 * torch.eye(d)[2], dim=0)
    protos[0, 2] = torch.eye(d)[1]
    protos[0, 3] = -torch.eye(d)[3]  # never nearest: empty
    protos[0, 4] = torch.eye(d)[4]  # inactive
    active = active_subcentroid_mask(torch.tensor([4]), k_max)
    before = (protos.clone(), active.clone())
    out = split_merge_step(protos, active, x, labels, 'merge')
    assert torch.equal(protos, before[0]) and torch.equal(active, before[1])
    _check(out.active, k_max)
    # the duplicate of blob 0 and the empty slot are gone: 2 remain
    assert out.active.sum().item() == 2
    kept = out.subcentroids[0, :2]
    assert (kept @ torch.eye(d)[0]).max() > 0.99
    assert (kept @ torch.eye(d)[1]).max() > 0.99
    # never below one sub-centroid
    one = split_merge_step(protos,
                           active_subcentroid_mask(torch.tensor([1]), k_max),
                           x, labels, 'merge')
    assert one.active.sum().item() == 1


def test_bad_arguments():
    protos = F.normalize(torch.randn(2, 3, 4), dim=-1)
    active = active_subcentroid_mask(torch.tensor([1, 2]), 3)
    x, y = torch.randn(5, 4), torch.zeros(5, dtype=torch.long)
    with pytest.raises(ValueError, match='mode'):
        split_merge_step(protos, active, x, y, 'grow')
    with pytest.raises(ValueError, match='merge_ratio < split'):
        split_merge_step(
            protos, active, x, y, 'split', split_ratio=0.1, merge_ratio=0.2)
    holes = torch.tensor([[True, False, True], [True, True, False]])
    with pytest.raises(ValueError, match='prefix'):
        split_merge_step(protos, holes, x, y, 'split')


def test_classifier_adapter_in_place_and_refuses_anchored():
    clf = SubCentroidClassifier(2, 8, num_subcentroids=4)
    clf.set_num_subcentroids(torch.tensor([1, 1]))
    buf_s, buf_a = clf.subcentroids, clf.active
    x = _blobs([torch.eye(8)[0], torch.eye(8)[1]], 60, 0.05)
    y = torch.zeros(120, dtype=torch.long)
    splits, merges, gain = clf.split_merge(x, y, 'split')
    assert gain[0] > 1.2 and torch.isnan(gain[1])
    assert splits.tolist() == [1, 0] and merges.tolist() == [0, 0]
    assert clf.subcentroids is buf_s and clf.active is buf_a
    assert clf.num_subcentroids.tolist() == [2, 1]
    idx = torch.tensor([[0, 1, -1, -1], [2, -1, -1, -1]])
    clf.set_anchors(idx, clf.subcentroids.clone())
    with pytest.raises(RuntimeError, match='anchored'):
        clf.split_merge(x, y, 'merge')


def test_balanced_assignment_keeps_a_sub_centroid_nearest_pruning_drops():
    # One class, two sub-classes of 100 samples at e0 and e1. Sub-centroid
    # 0 lies between them (nearest for every sample), sub-centroid 1 off
    # to the side of e1: the nearest assignment leaves it empty and the
    # merge round drops it; the balanced assignment gives it the e1
    # sub-class, and the two are not merged (bimodal).
    d = 16
    e0, e1, e2 = torch.eye(d)[0], torch.eye(d)[1], torch.eye(d)[2]
    x = _blobs([e0, e1], 100, 0.05)
    labels = torch.zeros(200, dtype=torch.long)
    protos = torch.zeros(1, 3, d)
    protos[0, 0] = F.normalize(e0 + e1, dim=0)
    protos[0, 1] = F.normalize(e1 + 1.5 * e2, dim=0)
    active = active_subcentroid_mask(torch.tensor([2]), 3)
    sims = x @ protos[0, :2].t()
    assert (sims.argmax(1) == 0).all()  # the premise: 1 is never nearest
    nearest = split_merge_step(protos, active, x, labels, 'merge')
    assert nearest.active.sum().item() == 1
    balanced = split_merge_step(
        protos, active, x, labels, 'merge', assignment='balanced')
    assert balanced.active.sum().item() == 2
    assert balanced.num_merges.tolist() == [0]
    with pytest.raises(ValueError, match='assignment'):
        split_merge_step(
            protos, active, x, labels, 'merge', assignment='greedy')
