"""The bad-input catalogue of ``docs/bad_inputs.md``: each configuration
mistake gives one ``ValueError`` line that names the setting and the fix,
before anything is trained or written. (Rows about data, checkpoints and
label maps are tested next to their code; the page names those tests.)"""
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

import dnc_mm  # noqa: F401
from dnc_mm.engine.hooks import (PrototypeAssignmentHook,
                                 SubCentroidMemoryHook,
                                 SubCentroidSplitMergeHook)
from dnc_mm.models.decode_heads import SubCentroidFCNHead
from dnc_mm.models.heads import (HypersphericalPrototypeClsHead,
                                 SubCentroidClsHead)


def _dnc_cls(**kwargs):
    cfg = dict(num_classes=5, in_channels=8)
    cfg.update(kwargs)
    return SubCentroidClsHead(**cfg)


def _dnc_cls_classifier(**options):
    """A DNC classification head whose classifier takes ``options``."""
    options.setdefault('num_subcentroids', 4)
    return _dnc_cls(classifier=dict(type='SubCentroidClassifier', **options))


def _dnc_seg(**kwargs):
    cfg = dict(
        in_channels=8,
        channels=8,
        num_convs=0,
        concat_input=False,
        num_classes=4)
    cfg.update(kwargs)
    return SubCentroidFCNHead(**cfg)


def _dnc_seg_classifier(**options):
    """A DNC decode head whose classifier takes ``options``."""
    options.setdefault('num_subcentroids', 10)
    return _dnc_seg(classifier=dict(type='SubCentroidClassifier', **options))


def _hpl(**kwargs):
    return HypersphericalPrototypeClsHead(
        num_classes=4, in_channels=6, **kwargs)


def _build(scope, cfg):
    from mmengine.registry import MODELS
    return MODELS.build(cfg, default_args=dict(_scope_=scope))


def _labels_beyond_classes():
    head = _dnc_cls().train()
    head.loss((torch.randn(2, 8), ),
              [DataSample().set_gt_label(y) for y in (1, 7)])


CATALOGUE = {
    'K < 1': (lambda: _dnc_cls_classifier(num_subcentroids=0),
              'num_subcentroids must be >= 1'),
    'per-class K of the wrong length':
    (lambda: _dnc_cls_classifier(num_subcentroids=[2, 3]),
     'expected 5 per-class'),
    'epsilon <= 0':
    (lambda: _dnc_cls_classifier(clustering=dict(type='sinkhorn', epsilon=0)),
     'clustering epsilon must be > 0'),
    'Sinkhorn iterations < 1':
    (lambda: _dnc_cls_classifier(
        clustering=dict(type='sinkhorn', num_iters=0)),
     'clustering num_iters must be an integer >= 1'),
    'clustering given as a string':
    (lambda: _dnc_cls_classifier(clustering='kmeans'),
     "clustering must be a dict with a 'type'"),
    'clustering option its type does not read':
    (lambda: _dnc_cls_classifier(
        clustering=dict(type='kmeans', epsilon=0.05, num_iters=3)),
     r"clustering type 'kmeans' takes num_iters, got \['epsilon'\] "
     r'\(a config that changes the type .* needs _delete_=True'),
    'former head option of the classifier':
    (lambda: _dnc_cls(momentum=0.9),
     r"SubCentroidClsHead: momentum is now an option of the head's "
     r"classifier=dict\(type='SubCentroidClassifier', \.\.\.\) "
     r'\(momentum -> classifier.momentum'),
    'former decode head option of the classifier':
    (lambda: _dnc_seg(num_subcentroids=10, sinkhorn_epsilon=0.1),
     r'SubCentroidFCNHead: num_subcentroids, sinkhorn_epsilon are now '
     r"options of .*sinkhorn_epsilon -> classifier.clustering.epsilon"),
    'classifier option the head sets':
    (lambda: _dnc_cls_classifier(num_classes=3),
     'classifier.num_classes is set by the head'),
    'mu > 1': (lambda: _dnc_cls_classifier(momentum=1.5),
               r'momentum must be in \[0, 1\]'),
    'mu < 0': (lambda: _dnc_cls_classifier(momentum=-0.1),
               r'momentum must be in \[0, 1\]'),
    'memory size < 1': (lambda: SubCentroidMemoryHook(size_in_batches=0),
                        'size_in_batches must be >= 1.*remove'),
    'labels beyond num_classes': (_labels_beyond_classes,
                                  'set model.head.num_classes'),
    'segmentation K < 1': (lambda: _dnc_seg_classifier(num_subcentroids=0),
                           'num_subcentroids must be >= 1'),
    'HPL d < 2': (lambda: _hpl(embed_dims=1), 'embed_dims must be >= 2'),
    'HPL unknown class-mean source':
    (lambda: _hpl(class_mean_source='clean'),
     r"class_mean_source must be one of \('mixed', 'unmixed', "
     r"'dominant'\), got 'clean'"),
    'HPL unknown assignment solver':
    (lambda: _hpl(assignment_solver='greedy'),
     r"assignment_solver must be one of \('auto', 'sparse', 'dense'\)"),
    'HPL re-assignment stop < 0':
    (lambda: PrototypeAssignmentHook(stop_last_epochs=-1),
     'stop_last_epochs must be an integer >= 0, got -1'),
    'unknown mask order': (lambda: _dnc_cls_classifier(mask_order='later'),
                           'mask_order must be one of'),
    'unknown initialisation':
    (lambda: _dnc_seg_classifier(init=dict(type='zeros')),
     'init type must be one of'),
    'warm-up start above mu': (lambda: _dnc_cls_classifier(
        momentum=0.9, momentum_warmup_iters=10, momentum_warmup_start=0.95
    ), r'momentum_warmup_start must be in \[0, momentum\]'),
    'unknown split/merge assignment':
    (lambda: SubCentroidSplitMergeHook(assignment='greedy'),
     'assignment must be one of'),
    'unknown final split/merge round':
    (lambda: SubCentroidSplitMergeHook(final_round='merge'),
     'final_round must be one of'),
    'split/merge accuracy gate outside [0, 1]':
    (lambda: SubCentroidSplitMergeHook(min_accuracy=1.5),
     r'min_accuracy must be in \[0, 1\]'),
    'former CBP head name': (lambda: _build('mmseg', dict(type='CBPFCNHead')),
                             'CBPFCNHead was renamed CategoryBasisFCNHead '
                             ".*type='CategoryBasisFCNHead'"),
    'former HPL head name':
    (lambda: _build('mmpretrain', dict(type='HypersphericalPrototypeHead')),
     'HypersphericalPrototypeHead was renamed HypersphericalPrototypeClsHead'),
    'memory age < 0':
    (lambda: SubCentroidMemoryHook(size_in_batches=1, max_age_iters=-1),
     'max_age_iters must be >= 0 or None'),
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


def test_load_from_of_another_architecture(tmp_path):
    """``load_from`` with a checkpoint of another model is refused in one
    line (mmengine would skip the tensors and train from scratch); a
    checkpoint of the same model, or one lacking only the head, loads."""
    from mmpretrain.registry import MODELS

    from dnc_mm.apis.cli import CheckpointMismatchError, check_load_from

    def classifier(depth, head_channels):
        return MODELS.build(
            dict(
                type='ImageClassifier',
                backbone=dict(
                    type='ResNet_CIFAR',
                    depth=depth,
                    base_channels=8,
                    in_channels=1),
                neck=dict(type='GlobalAveragePooling'),
                head=dict(
                    type='SubCentroidClsHead',
                    num_classes=3,
                    in_channels=head_channels)))

    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = classifier(18, 64)
        other_width = classifier(18, 64)
        other_width.backbone.conv1 = torch.nn.Conv2d(1, 16, 3)
        for name, state in (('same', model.state_dict()), ('no_head', {
                k: v
                for k, v in model.state_dict().items()
                if not k.startswith('head.')
        }), ('shape', other_width.state_dict()), ('foreign', {
                'encoder.w': torch.ones(3)
        })):
            torch.save({'state_dict': state}, tmp_path / f'{name}.pth')
        check_load_from(model, str(tmp_path / 'same.pth'))
        check_load_from(model, str(tmp_path / 'no_head.pth'))
        with pytest.raises(
                CheckpointMismatchError, match='backbone.conv1.weight'):
            check_load_from(model, str(tmp_path / 'shape.pth'))
        with pytest.raises(CheckpointMismatchError, match='none of the'):
            check_load_from(model, str(tmp_path / 'foreign.pth'))
