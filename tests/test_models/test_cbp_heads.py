"""CBP heads for mmseg: any decode head by a config change, frozen buffers,
the Table 4 alternatives, OCCL alongside CrossEntropyLoss."""
import copy
import io

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.optim import build_optim_wrapper
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.models.decode_heads import (CATEGORY_BASIS_HEADS,
                                        category_basis_head_class)
from dnc_mm.models.layers import CategoryBasisClassifier
from dnc_mm.models.utils import labels_at

pytestmark = pytest.mark.usefixtures('mmseg_scope')

NUM_CLASSES = 5
OCCL = dict(
    type='OnlineCentroidContrastiveLoss',
    centroid_weight=1.0,
    category_weight=0.1)
NORM = dict(type='BN', requires_grad=True)
RESNET = dict(
    type='ResNetV1c',
    depth=18,
    stem_channels=8,
    base_channels=8,
    num_stages=4,
    out_indices=(0, 1, 2, 3),
    dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1),
    norm_cfg=NORM,
    contract_dilation=True)
MIT = dict(
    type='MixVisionTransformer',
    in_channels=3,
    embed_dims=8,
    num_stages=4,
    num_layers=[1, 1, 1, 1],
    num_heads=[1, 2, 4, 8],
    patch_sizes=[7, 3, 3, 3],
    sr_ratios=[8, 4, 2, 1],
    out_indices=(0, 1, 2, 3),
    mlp_ratio=2)
HEADS = {
    'FCNHead':
    (RESNET, dict(in_channels=64, in_index=3, channels=16, num_convs=1)),
    'ASPPHead':
    (RESNET, dict(in_channels=64, in_index=3, channels=16, dilations=(1, 2))),
    'UPerHead': (RESNET,
                 dict(
                     in_channels=[8, 16, 32, 64],
                     in_index=[0, 1, 2, 3],
                     channels=16,
                     pool_scales=(1, 2))),
    'SegformerHead':
    (MIT,
     dict(in_channels=[8, 16, 32, 64], in_index=[0, 1, 2, 3], channels=16)),
}


def segmentor(head_type,
              classifier=dict(type='CategoryBasisClassifier'),
              feature_losses=(OCCL, ),
              **head_kwargs):
    backbone, head = copy.deepcopy(HEADS[head_type])
    head.update(
        type=f'CategoryBasis{head_type}',
        num_classes=NUM_CLASSES,
        dropout_ratio=0.1,
        norm_cfg=NORM,
        align_corners=False,
        classifier=classifier,
        feature_losses=list(feature_losses),
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0))
    head.update(head_kwargs)
    cfg = dict(
        type='EncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor', size=(32, 32), seg_pad_val=255),
        backbone=copy.deepcopy(backbone),
        decode_head=head,
        train_cfg=dict(),
        test_cfg=ConfigDict(mode='whole'))
    model = MODELS.build(cfg)
    model.init_weights()
    return model.train()


def batch(seed=0, b=2, size=32):
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(b):
        inputs.append(
            torch.randint(
                0, 255, (3, size, size), generator=g, dtype=torch.uint8))
        lab = torch.randint(
            0, NUM_CLASSES, (size // 8, size // 8), generator=g)
        lab = lab.repeat_interleave(8, 0).repeat_interleave(8, 1)
        lab[:4] = 255  # ignore pixels
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=lab[None])
        s.set_metainfo(
            dict(
                img_shape=(size, size),
                ori_shape=(size, size),
                pad_shape=(size, size)))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def optim(model):
    return build_optim_wrapper(
        model,
        dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.05, momentum=0.9)))


@pytest.mark.parametrize('head_type', list(HEADS))
def test_any_head_trains_with_frozen_prototypes(head_type):
    torch.manual_seed(0)
    model = segmentor(head_type)
    head = model.decode_head
    assert isinstance(head.conv_seg, CategoryBasisClassifier)
    assert 'prototypes' in dict(head.conv_seg.named_buffers())
    assert not any('prototypes' in n for n, _ in model.named_parameters())
    protos = head.conv_seg.prototypes.clone()
    ow = optim(model)
    first = copy.deepcopy(model.backbone.state_dict())
    for step in range(3):
        log = model.train_step(batch(step), ow)
        assert {'decode.loss_ce', 'decode.loss_occl'} <= set(log)
        assert all(torch.isfinite(torch.as_tensor(v)) for v in log.values())
    assert torch.equal(head.conv_seg.prototypes, protos)
    changed = any(not torch.equal(first[k], v)
                  for k, v in model.backbone.state_dict().items())
    assert changed  # the network did train
    # prediction path untouched
    model.eval()
    with torch.no_grad():
        out = model.test_step(batch(9))
    assert out[0].pred_sem_seg.data.shape == (1, 32, 32)
    assert out[0].seg_logits.data.shape[0] == NUM_CLASSES


def test_state_dict_round_trip_keeps_prototypes():
    torch.manual_seed(0)
    a = segmentor('FCNHead')
    sd = a.state_dict()
    assert 'decode_head.conv_seg.prototypes' in sd
    assert 'decode_head.conv_seg.weight' not in sd
    buf = io.BytesIO()
    torch.save(sd, buf)
    buf.seek(0)
    torch.manual_seed(1)
    b = segmentor('FCNHead')
    assert not torch.equal(b.decode_head.conv_seg.prototypes,
                           a.decode_head.conv_seg.prototypes)
    b.load_state_dict(torch.load(buf))
    assert torch.equal(b.decode_head.conv_seg.prototypes,
                       a.decode_head.conv_seg.prototypes)


def test_init_weights_does_not_touch_prototypes():
    torch.manual_seed(0)
    model = segmentor('FCNHead')
    p = model.decode_head.conv_seg.prototypes.clone()
    model.init_weights()
    assert torch.equal(model.decode_head.conv_seg.prototypes, p)
    w = p.double()
    assert torch.allclose(
        w.norm(dim=1), torch.full((NUM_CLASSES, ), 2.0, dtype=torch.float64))


def test_refuses_channels_below_classes():
    with pytest.raises(ValueError, match=r'5 classes .* 4 channels'):
        segmentor('FCNHead', channels=4)


def test_logits_are_inner_products():
    torch.manual_seed(0)
    clf = CategoryBasisClassifier(6, 3, length=1.5)
    x = torch.randn(2, 6, 4, 5)
    ref = torch.einsum('bchw,nc->bnhw', x, clf.prototypes)
    assert torch.allclose(clf(x), ref, atol=1e-6)
    with pytest.raises(ValueError, match='expects 6 channels'):
        clf(torch.randn(1, 5, 2, 2))
    with pytest.raises(ValueError, match='mode must be one of'):
        CategoryBasisClassifier(6, 3, mode='sgd')


def test_learnable_and_penalty_modes():
    torch.manual_seed(0)
    model = segmentor(
        'FCNHead',
        classifier=dict(type='CategoryBasisClassifier', mode='learnable'))
    p = model.decode_head.conv_seg.prototypes
    assert isinstance(p, torch.nn.Parameter)
    before = p.detach().clone()
    ow = optim(model)
    model.train_step(batch(0), ow)
    assert not torch.equal(p.detach(), before)

    model = segmentor(
        'FCNHead',
        classifier=dict(
            type='CategoryBasisClassifier',
            mode='penalty',
            length=2.0,
            penalty_weight=0.01))
    ow = optim(model)
    log = model.train_step(batch(0), ow)
    assert 'decode.loss_ortho' in log
    w = model.decode_head.class_weights().detach()
    assert torch.allclose(
        w.norm(dim=1), torch.full((NUM_CLASSES, ), 2.0), atol=1e-5)


def test_ema_mode_moves_present_classes_only():
    torch.manual_seed(0)
    model = segmentor(
        'FCNHead',
        feature_losses=(),
        classifier=dict(
            type='CategoryBasisClassifier', mode='ema', ema_momentum=0.5))
    clf = model.decode_head.conv_seg
    assert 'prototypes' in dict(clf.named_buffers())
    before = clf.prototypes.clone()
    data = batch(0)
    for s in data['data_samples']:  # only classes 0 and 1 (and ignore)
        s.gt_sem_seg.data[s.gt_sem_seg.data >= 2] = 0
        s.gt_sem_seg.data[:, :4] = 255
    model.train_step(data, optim(model))
    after = clf.prototypes
    assert not torch.equal(after[:2], before[:2])
    assert torch.equal(after[2:], before[2:])
    assert torch.allclose(
        after.norm(dim=1), torch.full((NUM_CLASSES, ), 2.0), atol=1e-5)


def test_occl_only_keeps_conv_seg():
    torch.manual_seed(0)
    model = segmentor('FCNHead', classifier=None)
    head = model.decode_head
    assert isinstance(head.conv_seg, torch.nn.Conv2d)
    assert head.class_weights().shape == (NUM_CLASSES, 16)
    log = model.train_step(batch(0), optim(model))
    assert 'decode.loss_occl' in log


def test_occl_receives_features_and_nearest_labels(monkeypatch):
    torch.manual_seed(0)
    model = segmentor('FCNHead')
    head = model.decode_head
    seen = {}
    occl = head.feature_losses[0]
    orig = occl.forward

    def spy(feats, labels, weights):
        seen.update(feats=feats, labels=labels, weights=weights)
        return orig(feats, labels, weights)

    monkeypatch.setattr(occl, 'forward', spy)
    data = batch(0)
    model.train_step(data, optim(model))
    assert seen['feats'].shape == (2, 16, 4, 4) and seen['feats'].requires_grad
    gt = torch.stack([s.gt_sem_seg.data[0] for s in data['data_samples']])
    exp = labels_at(gt, (4, 4), NUM_CLASSES, 255)
    assert torch.equal(seen['labels'], exp)
    assert (seen['labels'][:, 0] == -1).all()  # 255 rows -> ignored
    assert torch.equal(seen['weights'], head.conv_seg.prototypes)


def test_occl_in_loss_decode_is_refused():
    torch.manual_seed(0)
    model = segmentor(
        'FCNHead',
        feature_losses=(),
        loss_decode=[dict(type='CrossEntropyLoss'), OCCL])
    with pytest.raises(TypeError, match="feature_losses"):
        model.train_step(batch(0), optim(model))


def test_registered_heads_and_foreign_heads():
    for name in ('CategoryBasisFCNHead', 'CategoryBasisASPPHead',
                 'CategoryBasisUPerHead', 'CategoryBasisSegformerHead',
                 'CategoryBasisPSPHead',
                 'CategoryBasisDepthwiseSeparableASPPHead'):
        assert name in CATEGORY_BASIS_HEADS and MODELS.get(name) is not None
    assert 'CategoryBasisVPDDepthHead' not in CATEGORY_BASIS_HEADS
    with pytest.raises(TypeError, match='BaseDecodeHead'):
        category_basis_head_class(torch.nn.Conv2d)


def test_config_switch_is_a_type_change(repo_root):
    """The shipped CBP config differs from the baseline only in the head."""
    base = Config.fromfile(
        f'{repo_root}/configs/cbp/'
        'baseline_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py')
    cbp = Config.fromfile(
        f'{repo_root}/configs/cbp/'
        'cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py')
    a = copy.deepcopy(base.model.decode_head)
    b = copy.deepcopy(cbp.model.decode_head)
    for key in ('type', 'classifier', 'feature_losses'):
        b.pop(key)
    a.pop('type')
    assert a == b
