"""A batch of non-finite features leaves every estimator's state exactly as
it was (sub-centroids, feature memory, class means, CBP EMA prototypes),
logs a warning with the iteration, and the next good batch updates."""
import logging

import pytest
import torch
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmpretrain.structures import DataSample
from mmseg.structures import SegDataSample

import dnc_mm  # noqa: F401
from dnc_mm.models.decode_heads import SubCentroidFCNHead
from dnc_mm.models.heads import (HypersphericalPrototypeClsHead,
                                 SubCentroidClsHead)
from dnc_mm.models.layers import CategoryBasisClassifier


def _state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _bad(x, kind):
    x = x.clone()
    x.view(-1)[3] = float('nan') if kind == 'nan' else float('inf')
    return x


@pytest.fixture
def warnings_seen():
    """The warnings the current mmengine logger emits during the test."""
    MessageHub.get_current_instance().update_info('iter', 41)
    seen = []

    class _Keep(logging.Handler):

        def emit(self, record):
            if record.levelno >= logging.WARNING:
                seen.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    handler = _Keep()
    logger.addHandler(handler)
    yield seen
    logger.removeHandler(handler)


def _cls_samples(labels):
    return [
        DataSample(metainfo=dict(sample_idx=i)).set_gt_label(int(y))
        for i, y in enumerate(labels)
    ]


@pytest.mark.parametrize('kind', ['nan', 'inf'])
def test_dnc_cls_head_subcentroids_and_memory(kind, warnings_seen):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        head = SubCentroidClsHead(
            num_classes=3,
            in_channels=8,
            classifier=dict(
                num_subcentroids=2, momentum=0.5,
                update_correct_only=False)).train()
    head.memory.allocate(24, head.classifier.embed_dims)
    x, y = torch.randn(12, 8), torch.arange(12) % 3
    head.loss((x, ), _cls_samples(y))
    before = _state(head)
    head.loss((_bad(x, kind), ), _cls_samples(y))
    assert _same(_state(head), before)
    assert any('iteration 41' in w and 'DNC sub-centroids' in w
               for w in warnings_seen), warnings_seen
    head.loss((x, ), _cls_samples(y))
    after = _state(head)
    assert not torch.equal(after['classifier.subcentroids'],
                           before['classifier.subcentroids'])
    assert int(head.memory.num_filled) == 24


def test_dnc_decode_head_subcentroids(warnings_seen):
    head = SubCentroidFCNHead(
        in_channels=8,
        channels=8,
        num_convs=0,
        concat_input=False,
        num_classes=3,
        classifier=dict(
            num_subcentroids=2, momentum=0.5, update_correct_only=False),
        dropout_ratio=0.0).train()
    feat = torch.randn(2, 8, 6, 6)
    samples = []
    for b in range(2):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(
            data=(torch.arange(36).view(1, 6, 6) + b) % 3)
        samples.append(sample)
    before = _state(head)
    head.loss([_bad(feat, 'nan')], samples, None)
    buffers = {k for k, _ in head.named_buffers()}
    assert _same({
        k: v
        for k, v in _state(head).items() if k in buffers
    }, {
        k: v
        for k, v in before.items() if k in buffers
    })
    assert any('DNC sub-centroids' in w for w in warnings_seen)
    head.loss([feat], samples, None)
    assert not torch.equal(head.classifier.subcentroids,
                           before['classifier.subcentroids'])


def test_hpl_class_means(warnings_seen):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        head = HypersphericalPrototypeClsHead(
            num_classes=4,
            in_channels=6,
            embed_dims=3,
            estimate_cfg=dict(iters=20))
    head.train()
    x, y = torch.randn(8, 6), torch.arange(8) % 4
    head.loss((x, ), _cls_samples(y))
    before = _state(head)
    head.loss((_bad(x, 'inf'), ), _cls_samples(y))
    assert _same(_state(head), before)
    assert any('HPL class means' in w for w in warnings_seen)
    head.loss((x, ), _cls_samples(y))
    assert not torch.equal(head.class_means, before['class_means'])


def test_cbp_ema_prototypes(warnings_seen):
    clf = CategoryBasisClassifier(8, 3, mode='ema', ema_momentum=0.5)
    feats = torch.randn(2, 8, 4, 4)
    labels = torch.arange(32).view(2, 4, 4) % 3
    before = clf.prototypes.clone()
    clf.update(_bad(feats, 'nan'), labels)
    assert torch.equal(clf.prototypes, before)
    assert any('CBP EMA prototypes' in w for w in warnings_seen)
    clf.update(feats, labels)
    assert not torch.equal(clf.prototypes, before)
