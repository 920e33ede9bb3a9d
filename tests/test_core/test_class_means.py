"""The class-mean moving average with repeated labels (HPL: Saadabadi et
al., CVPR 2024, §3.2.3)."""
import pytest
import torch

from dnc_mm.core.class_means import (class_sums, ema_class_means,
                                     update_class_means)


def test_repeated_labels_hand_computed():
    # class 0 appears twice, class 1 once, class 2 never
    means = torch.tensor([[1., 0.], [0., 1.], [0.5, 0.5]])
    seen = torch.zeros(3)
    feats = torch.tensor([[0., 1.], [0., -1.], [1., 0.]])
    labels = torch.tensor([0, 0, 1])
    alpha = 0.9
    update_class_means(means, seen, feats, labels, alpha)
    # class 0: alpha^2 * [1, 0] + (1 - alpha^2) * mean([0,1],[0,-1]) = [.81, 0]
    # class 1: 0.9 * [0, 1] + 0.1 * [1, 0] = [0.1, 0.9]; class 2 unchanged
    assert torch.allclose(means,
                          torch.tensor([[0.81, 0.], [0.1, 0.9], [0.5, 0.5]]))
    assert seen.tolist() == [2., 1., 0.]
    # the official code's `q += 0.9 q + 0.1 x` with one write per class
    # would give class 0 = [1.9, 0] + 0.1 * x: not a mean any more
    assert means.norm(dim=1).max() <= 1.0


def test_equal_samples_equal_the_per_sample_recursion():
    means = torch.tensor([[0.3, -0.2, 0.1]])
    z = torch.tensor([[0.6, 0.0, 0.8]])
    alpha = 0.7
    expected = means.clone()
    for _ in range(4):  # four identical samples, one at a time
        expected = alpha * expected + (1 - alpha) * z
    got = means.clone()
    update_class_means(got, torch.zeros(1), z.repeat(4, 1),
                       torch.zeros(4, dtype=torch.long), alpha)
    assert torch.allclose(got, expected, atol=1e-6)


def test_order_of_the_batch_does_not_matter():
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(20, 4, generator=gen)
    labels = torch.randint(0, 3, (20, ), generator=gen)
    a = torch.randn(3, 4, generator=gen)
    b = a.clone()
    update_class_means(a, torch.zeros(3), feats, labels, 0.9)
    perm = torch.randperm(20, generator=gen)
    update_class_means(b, torch.zeros(3), feats[perm], labels[perm], 0.9)
    assert torch.allclose(a, b, atol=1e-6)


def test_soft_labels_count_fractionally():
    means = torch.zeros(2, 2)
    seen = torch.zeros(2)
    feats = torch.tensor([[1., 0.], [0., 1.]])
    soft = torch.tensor([[0.75, 0.25], [0., 1.]])
    update_class_means(means, seen, feats, soft, 0.5)
    assert seen.tolist() == [0.75, 1.25]
    # class 0: n = 0.75, mean = [1, 0]; keep = 0.5 ** 0.75
    keep0 = 0.5**0.75
    assert torch.allclose(means[0], torch.tensor([1 - keep0, 0.]))
    # class 1: n = 1.25, mean = (0.25 [1,0] + [0,1]) / 1.25
    keep1 = 0.5**1.25
    assert torch.allclose(means[1], (1 - keep1) * torch.tensor([0.2, 0.8]))


def test_split_batch_with_all_reduce_equals_whole_batch(run_ranks):
    gen = torch.Generator().manual_seed(1)
    feats = torch.randn(12, 5, generator=gen)
    labels = torch.randint(0, 4, (12, ), generator=gen)
    start = torch.randn(4, 5, generator=gen)
    whole = start.clone()
    update_class_means(whole, torch.zeros(4), feats, labels, 0.8)

    def worker(rank, reduce_fn):
        mine = start.clone()
        part = slice(rank * 6, (rank + 1) * 6)
        update_class_means(mine, torch.zeros(4), feats[part], labels[part],
                           0.8, reduce_fn)
        return mine

    for result in run_ranks(2, worker):
        assert torch.allclose(result, whole, atol=1e-6)


def test_bad_input_is_refused_and_leaves_state_unchanged():
    means = torch.zeros(3, 2)
    with pytest.raises(ValueError, match='num_classes=3'):
        update_class_means(means, torch.zeros(3), torch.ones(2, 2),
                           torch.tensor([0, 3]), 0.9)
    assert torch.equal(means, torch.zeros(3, 2))
    with pytest.raises(ValueError, match='momentum'):
        ema_class_means(means, means, torch.ones(3), 1.0)
    with pytest.raises(ValueError, match='features must be'):
        update_class_means(means, torch.zeros(3), torch.ones(2, 3),
                           torch.tensor([0, 1]), 0.9)
    sums, counts = class_sums(torch.ones(2, 2), torch.tensor([1, 1]), 3)
    assert counts.tolist() == [0., 2., 0.]


def test_mixup_sources_ignore_the_mixed_in_partner_by_hand():
    """A batch: sample 0 mixed 0.75 (class 0) : 0.25 (class 1), sample 1 a
    same-class Mixup pair of class 2 (one-hot), sample 2 mixed 0.5 : 0.5
    between classes 1 and 2."""
    from dnc_mm.core.class_means import mean_weights
    soft = torch.tensor([[0.75, 0.25, 0.], [0., 0., 1.], [0., 0.5, 0.5]])
    feats = torch.tensor([[1., 0.], [0., 1.], [0.6, 0.8]])
    assert torch.equal(mean_weights(soft, 3, 'mixed'), soft)
    # 'dominant': each sample for its argmax class with its weight only;
    # the 0.5 : 0.5 tie goes to the lower index (class 1)
    assert torch.equal(
        mean_weights(soft, 3, 'dominant'),
        torch.tensor([[0.75, 0., 0.], [0., 0., 1.], [0., 0.5, 0.]]))
    # 'unmixed': only the one-hot sample
    assert torch.equal(
        mean_weights(soft, 3, 'unmixed'),
        torch.tensor([[0., 0., 0.], [0., 0., 1.], [0., 0., 0.]]))
    alpha = 0.5
    means, seen = torch.zeros(3, 2), torch.zeros(3)
    update_class_means(means, seen, feats, mean_weights(soft, 3, 'dominant'),
                       alpha)
    # class 0: n = 0.75, mean [1, 0]; class 1: n = 0.5, mean [0.6, 0.8]
    # (sample 0's 0.25 share is not counted); class 2: n = 1, [0, 1]
    assert seen.tolist() == [0.75, 0.5, 1.0]
    assert torch.allclose(means[0], (1 - alpha**0.75) * torch.tensor([1., 0.]))
    assert torch.allclose(means[1],
                          (1 - alpha**0.5) * torch.tensor([0.6, 0.8]))
    assert torch.allclose(means[2], torch.tensor([0., 0.5]))
    means, seen = torch.zeros(3, 2), torch.zeros(3)
    update_class_means(means, seen, feats, mean_weights(soft, 3, 'unmixed'),
                       alpha)
    assert seen.tolist() == [0., 0., 1.]
    assert torch.equal(means[:2], torch.zeros(2, 2))  # untouched
    assert torch.allclose(means[2], torch.tensor([0., 0.5]))
    # hard labels: one-hot in every mode
    hard = torch.tensor([2, 0])
    for source in ('mixed', 'unmixed', 'dominant'):
        assert torch.equal(
            mean_weights(hard, 3, source),
            torch.tensor([[0., 0., 1.], [1., 0., 0.]]))
    with pytest.raises(ValueError, match='source must be one of'):
        mean_weights(soft, 3, 'clean')


def test_batch_class_means_by_hand_and_unseen_classes_keep_the_fallback():
    from dnc_mm.core.class_means import batch_class_means
    feats = torch.tensor([[1., 0.], [0., 1.], [3., 3.]])
    sums, counts = class_sums(feats, torch.tensor([0, 0, 2]), 3)
    fallback = torch.tensor([[9., 9.], [5., 6.], [9., 9.]])
    means = batch_class_means(sums, counts, fallback)
    # class 0: mean of two rows; class 1: no sample, fallback; class 2: one
    assert torch.equal(means, torch.tensor([[.5, .5], [5., 6.], [3., 3.]]))
    with pytest.raises(ValueError, match='do not match'):
        batch_class_means(sums, counts, fallback[:2])
