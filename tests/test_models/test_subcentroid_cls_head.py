"""SubCentroidClsHead: DNC for mmpretrain."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import dnc_mm  # noqa: F401
from dnc_mm.models.heads import SubCentroidClsHead

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def make_head(classifier=None, **kwargs) -> SubCentroidClsHead:
    """Head with C=5, 8 channels, K=3; ``classifier`` adds options."""
    cfg = dict(num_classes=5, in_channels=8)
    cfg.update(kwargs)
    options = dict(num_subcentroids=3)
    options.update(classifier or {})
    return SubCentroidClsHead(classifier=options, **cfg)


def samples(labels):
    return [DataSample().set_gt_label(int(y)) for y in labels]


def test_subcentroids_are_normalised_buffers_not_parameters():
    head = make_head()
    names = dict(head.named_parameters())
    assert not any('subcentroids' in n for n in names)
    assert 'classifier.subcentroids' in head.state_dict()
    norms = head.classifier.subcentroids.norm(dim=-1)
    assert torch.allclose(norms, torch.ones_like(norms))
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='LeNet5', num_classes=-1),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='SubCentroidClsHead', num_classes=5, in_channels=120)))
    wrapper = build_optim_wrapper(model,
                                  dict(optimizer=dict(type='SGD', lr=0.1)))
    in_optimizer = {
        id(p)
        for g in wrapper.optimizer.param_groups
        for p in g['params']
    }
    assert id(model.head.classifier.subcentroids) not in in_optimizer


def test_logits_are_max_over_subcentroids():
    head = make_head(logit_normalization='temperature', temperature=1.0)
    x = torch.randn(4, 8)
    emb = F.normalize(head.projection(x), dim=1)
    expected = torch.einsum('nd,ckd->nck', emb,
                            head.classifier.subcentroids).amax(-1)
    assert torch.allclose(head((x, )), expected, atol=1e-6)


def test_loss_updates_only_in_training_mode():
    head = make_head()
    x, y = torch.randn(20, 8), torch.arange(20) % 5
    before = head.classifier.subcentroids.clone()
    head.eval()
    head.loss((x, ), samples(y))
    assert torch.equal(head.classifier.subcentroids, before)
    head.train()
    head.classifier.update_correct_only = False  # random init: few correct
    losses = head.loss((x, ), samples(y))
    losses['loss'].backward()  # the update must not break autograd
    assert not torch.equal(head.classifier.subcentroids, before)


def test_only_correct_samples_move_subcentroids():
    head = make_head(
        num_classes=3, classifier=dict(num_subcentroids=1, momentum=0.5))
    head.train()
    x = torch.randn(6, 8)
    # make every sample wrong: label = the class the head does NOT predict
    logits = head((x, ))
    wrong = (logits.argmax(1) + 1) % 3
    before = head.classifier.subcentroids.clone()
    head.loss((x, ), samples(wrong))
    assert torch.equal(head.classifier.subcentroids, before)


def test_memory_lets_absent_classes_update():
    # momentum 0.5: the second update moves class 2 further towards the
    # mean of its (remembered) samples
    head = make_head(
        num_classes=3,
        classifier=dict(
            num_subcentroids=1, momentum=0.5, update_correct_only=False))
    head.memory.allocate(16, 8)
    head.train()
    head.loss((torch.randn(4, 8), ), samples([2, 2, 2, 2]))
    before = head.classifier.subcentroids[2].clone()
    head.loss((torch.randn(4, 8), ), samples([0, 0, 1, 1]))
    # class 2 is not in the second batch but is in the memory
    assert not torch.equal(head.classifier.subcentroids[2], before)
    assert int(head.memory.num_filled) == 8


@pytest.mark.parametrize('kwargs,match', [
    (dict(classifier=dict(num_subcentroids=0)),
     'num_subcentroids must be >= 1'),
    (dict(num_classes=0), 'num_classes must be >= 1'),
    (dict(embed_dims=4), "projection='linear'"),
    (dict(projection='mlp'), 'projection must be one of'),
    (dict(classifier=dict(clustering=dict(type='spectral'))),
     'clustering type must be one of'),
    (dict(classifier=dict(momentum=1.5)), 'momentum must be in'),
    (dict(momentum=0.9), 'classifier.momentum'),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_head(**kwargs)


def test_labels_beyond_num_classes_are_refused():
    head = make_head()
    head.train()
    with pytest.raises(ValueError, match='num_classes=5'):
        head.loss((torch.randn(2, 8), ), samples([1, 7]))


def test_wrong_feature_width_is_refused():
    with pytest.raises(ValueError, match='in_channels=8'):
        make_head()((torch.randn(2, 6), ))


def test_linear_projection_changes_output_dim():
    head = make_head(embed_dims=4, projection='linear')
    assert head.classifier.subcentroids.shape == (5, 3, 4)
    assert head((torch.randn(2, 8), )).shape == (2, 5)


def test_predict_is_nearest_subcentroid():
    head = make_head()
    head.eval()
    x = torch.randn(7, 8)
    _, sims = head.similarities((x, ))
    preds = head.predict((x, ))
    nearest = sims.flatten(1).argmax(1) // 3
    assert [int(p.pred_label) for p in preds] == nearest.tolist()
    assert all(
        torch.isclose(p.pred_score.sum(), torch.tensor(1.0)) for p in preds)


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_autocast_extreme_features_stay_finite(dtype):
    head = make_head(
        classifier=dict(clustering=dict(type='sinkhorn', epsilon=0.01)))
    head.classifier.update_correct_only = False
    head.train()
    x = torch.randn(32, 8) * 1e4
    with torch.autocast('cpu', dtype=dtype):
        losses = head.loss((x, ), samples(torch.arange(32) % 5))
    assert torch.isfinite(losses['loss'])
    assert torch.isfinite(head.classifier.subcentroids).all()


def test_state_survives_a_state_dict_round_trip():
    src = make_head()
    src.memory.allocate(12, 8, torch.float16)
    src.train()
    src.classifier.update_correct_only = False
    for _ in range(3):
        src.loss((torch.randn(5, 8), ), samples(torch.arange(5)))
    dst = make_head()  # fresh: random sub-centroids, empty memory
    dst.load_state_dict(src.state_dict())
    for key, value in src.state_dict().items():
        assert torch.equal(value, dst.state_dict()[key]), key


def test_contrast_loss_is_added_and_leaves_the_estimation_alone():
    torch.manual_seed(0)
    x, y = torch.randn(20, 8, requires_grad=True), torch.arange(20) % 5
    plain, ppc = make_head(), make_head(
        loss_contrast=dict(
            type='SubCentroidContrastLoss',
            contrast_weight=0.5,
            distance_weight=0.1))
    ppc.load_state_dict(plain.state_dict())
    plain_losses = plain.loss((x, ), samples(y))
    losses = ppc.loss((x, ), samples(y))
    assert set(plain_losses) == {'loss'}
    assert set(losses) == {'loss', 'loss_ppc', 'loss_ppd'}
    # the cross-entropy and the sub-centroid update are as without it
    assert torch.allclose(losses['loss'], plain_losses['loss'])
    assert torch.equal(ppc.classifier.subcentroids,
                       plain.classifier.subcentroids)
    grad, = torch.autograd.grad(losses['loss_ppc'], x)
    assert grad.abs().sum() > 0
    with pytest.raises(ValueError, match='temperature'):
        make_head(
            loss_contrast=dict(type='SubCentroidContrastLoss', temperature=0))
