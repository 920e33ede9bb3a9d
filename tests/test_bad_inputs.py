"""The bad-input catalogue of ``docs/bad_inputs.md``: each configuration
mistake gives one ``ValueError`` line that names the setting and the fix,
before anything is trained or written. (Rows about data, checkpoints and
label maps are tested next to their code; the page names those tests.)"""
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

import dnc_mm  # noqa: F401
from dnc_mm.engine.hooks import SubCentroidMemoryHook
from dnc_mm.models.decode_heads import SubCentroidFCNHead
from dnc_mm.models.heads import HypersphericalPrototypeHead, SubCentroidClsHead


def _dnc_cls(**kwargs):
    cfg = dict(num_classes=5, in_channels=8)
    cfg.update(kwargs)
    return SubCentroidClsHead(**cfg)


def _dnc_seg(**kwargs):
    cfg = dict(in_channels=8, channels=8, num_convs=0, concat_input=False,
               num_classes=4)
    cfg.update(kwargs)
    return SubCentroidFCNHead(**cfg)


def _hpl(**kwargs):
    return HypersphericalPrototypeHead(num_classes=4, in_channels=6,
                                       **kwargs)


def _labels_beyond_classes():
    head = _dnc_cls().train()
    head.loss((torch.randn(2, 8), ),
              [DataSample().set_gt_label(y) for y in (1, 7)])


CATALOGUE = {
    'K < 1': (lambda: _dnc_cls(num_subcentroids=0),
              'num_subcentroids must be >= 1'),
    'per-class K of the wrong length':
    (lambda: _dnc_cls(num_subcentroids=[2, 3]), 'expected 5 per-class'),
    'epsilon <= 0': (lambda: _dnc_cls(sinkhorn_epsilon=0.0),
                     'sinkhorn_epsilon must be > 0'),
    'Sinkhorn iterations < 1': (lambda: _dnc_cls(sinkhorn_iters=0),
                                'sinkhorn_iters and kmeans_iters'),
    'mu > 1': (lambda: _dnc_cls(momentum=1.5), r'momentum must be in \[0, 1\]'),
    'mu < 0': (lambda: _dnc_cls(momentum=-0.1),
               r'momentum must be in \[0, 1\]'),
    'memory size < 1': (lambda: SubCentroidMemoryHook(size_in_batches=0),
                        'size_in_batches must be >= 1.*remove'),
    'labels beyond num_classes': (_labels_beyond_classes,
                                  'set model.head.num_classes'),
    'segmentation K < 1': (lambda: _dnc_seg(num_subcentroids=0),
                           'num_subcentroids must be >= 1'),
    'HPL d < 2': (lambda: _hpl(embed_dims=1), 'embed_dims must be >= 2'),
}


@pytest.mark.parametrize('row', list(CATALOGUE))
def test_catalogue_row(row, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make, message = CATALOGUE[row]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(ValueError, match=message) as info:
            make()
    assert '\n' not in str(info.value)
    assert list(tmp_path.iterdir()) == [], 'a refused input wrote a file'
