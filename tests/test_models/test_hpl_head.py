"""HypersphericalPrototypeClsHead, IPMLoss and the PSC / PSC* head (HPL)."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import dnc_mm  # noqa: F401
from dnc_mm.core.hyperspherical_prototypes import prototype_statistics
from dnc_mm.models.heads import (HypersphericalPrototypeClsHead,
                                 UniformityLinearClsHead)
from dnc_mm.models.heads.hyperspherical_prototype_cls_head import \
    save_prototypes
from dnc_mm.models.losses import IPMLoss

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')
FAST = dict(iters=50)


def make_head(**kwargs) -> HypersphericalPrototypeClsHead:
    cfg = dict(num_classes=4, in_channels=6, embed_dims=3, estimate_cfg=FAST)
    cfg.update(kwargs)
    return HypersphericalPrototypeClsHead(**cfg)


def samples(labels):
    return [DataSample().set_gt_label(int(y)) for y in labels]


def test_ipm_loss_by_hand_hard_soft_and_weighted():
    scores = torch.tensor([[0.5, -0.2], [0.9, 0.1]])
    loss = IPMLoss()
    # 0.5 * (0.5 - 1)^2 = 0.125 ; 0.5 * (0.1 - 1)^2 = 0.405 ; mean
    assert loss(scores, torch.tensor([0, 1])).item() == pytest.approx(0.265)
    soft = torch.tensor([[0.5, 0.5], [0., 1.]])
    expected = (0.5 * 0.125 + 0.5 * 0.5 * 1.2**2 + 0.405) / 2
    assert loss(scores, soft).item() == pytest.approx(expected)
    weighted = IPMLoss(class_weight=[2.0, 1.0])
    assert weighted(scores, torch.tensor([0, 1])).item() == pytest.approx(
        (0.25 + 0.405) / 2)
    with pytest.raises(ValueError, match='num_classes=2'):
        loss(scores, torch.tensor([0, 2]))


def test_buffers_not_parameters_and_prototypes_created_once():
    head = make_head()
    state = head.state_dict()
    for key in ('prototypes', 'assignment', 'class_means', 'class_counts',
                'prototypes_ready'):
        assert key in state
    assert not any('prototypes' in n for n, _ in head.named_parameters())
    assert not bool(head.prototypes_ready)
    head.init_weights()
    assert bool(head.prototypes_ready)
    protos = head.prototypes.clone()
    assert torch.allclose(protos.norm(dim=1), torch.ones(4), atol=1e-5)
    head.init_weights()  # a second call (e.g. before resume) keeps them
    assert torch.equal(head.prototypes, protos)
    # same seed, same prototypes in another head
    other = make_head()
    other.init_prototypes()
    assert torch.equal(other.prototypes, protos)


def test_loss_trains_towards_assigned_prototypes_and_updates_means():
    torch.manual_seed(0)
    head = make_head().train()
    head.assignment.copy_(torch.tensor([2, 0, 3, 1]))
    feats = torch.randn(8, 6)
    labels = torch.tensor([0, 0, 1, 2, 3, 3, 3, 1])
    losses = head.loss((feats, ), samples(labels))
    z = F.normalize(head.projection(feats), dim=1)
    w = head.prototypes[head.assignment[labels]]
    expected = 0.5 * ((z * w).sum(1) - 1).pow(2).mean()
    assert losses['loss'].item() == pytest.approx(expected.item(), rel=1e-5)
    assert head.class_counts.tolist() == [2., 2., 1., 3.]
    assert (head.class_means.norm(dim=1) > 0).all()
    # eval mode: no update
    head.eval()
    before = head.class_means.clone()
    head.loss((feats, ), samples(labels))
    assert torch.equal(head.class_means, before)


def test_predicts_the_nearest_prototype_under_the_assignment():
    head = make_head(in_channels=3, embed_dims=None).eval()
    head.init_prototypes()
    head.assignment.copy_(torch.tensor([3, 2, 1, 0]))
    # a feature equal to prototype 1 belongs to the class assigned to it: 2
    out = head.predict((head.prototypes[1:2] * 5, ))
    assert out[0].pred_label.item() == 2


def test_reassign_recovers_the_permutation_of_the_class_means():
    head = make_head()
    head.init_prototypes()
    perm = torch.tensor([1, 3, 0, 2])
    head.class_means.copy_(0.9 * head.prototypes[perm])
    assert head.reassign() == 4  # identity -> perm: every label moved
    assert torch.equal(head.assignment, perm)
    assert head.reassign() == 0


def test_mixup_targets_update_means_fractionally():
    head = make_head().train()
    soft = torch.tensor([[0.7, 0.3, 0., 0.], [0., 0., 1., 0.]])
    data = [DataSample().set_gt_score(s) for s in soft]
    head.loss((torch.randn(2, 6), ), data)
    assert torch.allclose(head.class_counts, torch.tensor([0.7, 0.3, 1., 0.]))


def test_class_mean_source_dominant_ignores_the_mixed_in_partner():
    feats = torch.randn(2, 6)
    soft = torch.tensor([[0.7, 0.3, 0., 0.], [0., 0., 1., 0.]])
    data = [DataSample().set_gt_score(s) for s in soft]
    heads = {}
    for source in ('mixed', 'dominant', 'unmixed'):
        torch.manual_seed(0)  # the same projection in every head
        head = heads[source] = make_head(class_mean_source=source).train()
        head.loss((feats, ), data)
    assert torch.allclose(heads['dominant'].class_counts,
                          torch.tensor([0.7, 0., 1., 0.]))
    assert torch.allclose(heads['unmixed'].class_counts,
                          torch.tensor([0., 0., 1., 0.]))
    # class 1 (only the mixed-in partner of sample 0) keeps its mean
    assert torch.equal(heads['dominant'].class_means[1], torch.zeros(3))
    assert not torch.equal(heads['mixed'].class_means[1], torch.zeros(3))
    # the one-hot sample updates class 2 alike in every mode
    for source in ('dominant', 'unmixed'):
        assert torch.allclose(heads[source].class_means[2],
                              heads['mixed'].class_means[2])


def test_prototype_file_is_loaded_written_and_checked(tmp_path):
    path = str(tmp_path / 'p.pt')
    head = make_head(prototype_file=path)
    head.init_prototypes()  # missing: estimated and written
    data = torch.load(path, weights_only=True)
    assert torch.equal(data['prototypes'], head.prototypes)
    assert data['num_classes'] == 4 and data['dims'] == 3
    # a file with other prototypes is used as is
    custom = F.normalize(torch.randn(4, 3), dim=1)
    save_prototypes(path, custom)
    head2 = make_head(prototype_file=path)
    head2.init_prototypes()
    assert torch.allclose(head2.prototypes, custom)
    # wrong shape: refused with the fix
    save_prototypes(path, F.normalize(torch.randn(5, 3), dim=1))
    with pytest.raises(ValueError, match='num_classes=4.*estimate_prototypes'):
        make_head(prototype_file=path).init_prototypes()
    save_prototypes(path, torch.randn(4, 3) * 3)
    with pytest.raises(ValueError, match='not unit vectors'):
        make_head(prototype_file=path).init_prototypes()


def test_etf_prototypes_and_argument_checks():
    head = make_head(prototype_type='etf', embed_dims=3)
    head.init_prototypes()
    assert prototype_statistics(head.prototypes)['etf_max_abs_dev'] < 1e-5
    with pytest.raises(ValueError, match='embed_dims >= 3'):
        make_head(prototype_type='etf', embed_dims=2)
    with pytest.raises(ValueError, match='logit_scale'):
        make_head(logit_scale=10.0)
    with pytest.raises(ValueError, match='unknown estimate_cfg'):
        make_head(estimate_cfg=dict(steps=3))
    with pytest.raises(ValueError, match='in_channels=6'):
        make_head()((torch.randn(2, 5), ))


def test_cross_entropy_variant_and_optimizer_excludes_buffers():
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='CifarResNet', depth=8, in_channels=1),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='HypersphericalPrototypeClsHead',
                num_classes=4,
                in_channels=64,
                embed_dims=5,
                estimate_cfg=FAST,
                logit_scale=16.0,
                loss=dict(type='CrossEntropyLoss'))))
    wrapper = build_optim_wrapper(model,
                                  dict(optimizer=dict(type='SGD', lr=0.1)))
    in_opt = {
        id(p)
        for g in wrapper.optimizer.param_groups
        for p in g['params']
    }
    assert id(model.head.prototypes) not in in_opt
    data = dict(
        inputs=torch.randn(3, 1, 12, 12), data_samples=samples([0, 1, 3]))
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss'])


def test_psc_and_psc_star_heads():
    head = UniformityLinearClsHead(
        num_classes=5, in_channels=8, embed_dims=3, uniformity_weight=0.01)
    feats = (torch.randn(4, 8), )
    losses = head.loss(feats, samples([0, 1, 2, 4]))
    assert set(losses) == {'loss', 'loss_uniformity'}
    assert head.fc.in_features == 3
    assert head(feats).shape == (4, 5)
    plain = UniformityLinearClsHead(num_classes=5, in_channels=8)
    assert set(plain.loss(feats, samples([0, 1, 2, 4]))) == {'loss'}


def test_cosine_softmax_head():
    """``cosine_scale``: scores are s · cos(projected feature, class
    weight), by hand; no bias parameter; a bad scale is refused."""
    torch.manual_seed(0)
    head = UniformityLinearClsHead(
        num_classes=4, in_channels=6, embed_dims=3, cosine_scale=16.0)
    assert head.fc.bias is None
    x = torch.randn(5, 6)
    z = head.projection(x)
    expected = torch.empty(5, 4)
    for i in range(5):
        for j in range(4):
            w = head.fc.weight[j]
            expected[i, j] = 16.0 * torch.dot(z[i], w) / (
                z[i].norm() * w.norm())
    torch.testing.assert_close(head((x, )), expected)
    losses = head.loss((x, ), samples([0, 1, 2, 3, 0]))
    losses['loss'].backward()
    assert head.fc.weight.grad is not None
    with pytest.raises(ValueError, match='cosine_scale must be > 0'):
        UniformityLinearClsHead(num_classes=4, in_channels=6, cosine_scale=0.0)


def test_cosine_softmax_head_learns_its_scale():
    """``learn_cosine_scale``: scores are exp(log s) · cos with s starting
    at ``cosine_scale``; the loss's gradient reaches log s, and by hand it
    is the gradient of the loss through the scores' dependence on s."""
    torch.manual_seed(0)
    fixed = UniformityLinearClsHead(
        num_classes=4, in_channels=6, embed_dims=3, cosine_scale=8.0)
    learned = UniformityLinearClsHead(
        num_classes=4,
        in_channels=6,
        embed_dims=3,
        cosine_scale=8.0,
        learn_cosine_scale=True)
    learned.load_state_dict(fixed.state_dict(), strict=False)
    x = torch.randn(5, 6)
    torch.testing.assert_close(learned((x, )), fixed((x, )))
    labels = [0, 1, 2, 3, 0]
    learned.loss((x, ), samples(labels))['loss'].backward()
    # d loss / d log s = s · Σ (d loss / d score) · cos = s · ⟨g, scores / s⟩
    scores = fixed((x, )).detach().requires_grad_()
    F.cross_entropy(scores, torch.tensor(labels)).backward()
    expected = (scores.grad * scores.detach()).sum()
    torch.testing.assert_close(learned.scale.log_scale.grad, expected)
    with pytest.raises(ValueError, match='needs the initial scale'):
        UniformityLinearClsHead(
            num_classes=4, in_channels=6, learn_cosine_scale=True)
