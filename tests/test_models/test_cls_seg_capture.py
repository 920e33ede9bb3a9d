"""The one capture mechanism of the decode heads (DNC and CBP alike).

``loss()`` opens a window in which ``cls_seg`` keeps what the head's
``loss_by_feat`` needs (DNC: the pixel embedding and scores; CBP: the
classifier input); a second ``cls_seg`` in the window, or a training
``loss_by_feat`` without a captured value, is an error that names the fix;
nothing is kept after the step, also when it fails.
"""
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import dnc_mm.models  # noqa: F401  (registration)
from dnc_mm.models.decode_heads import (CategoryBasisHeadMixin,
                                        SubCentroidFCNHead,
                                        SubCentroidHeadMixin)
from dnc_mm.models.utils import ClsSegCaptureMixin

pytestmark = pytest.mark.usefixtures('mmseg_scope')

C, D = 3, 8

#: an FCN head without convs: the input feature goes straight to cls_seg
FCN = dict(
    in_channels=D,
    channels=D,
    num_convs=0,
    concat_input=False,
    num_classes=C,
    dropout_ratio=0.0)


def _dnc():
    return SubCentroidFCNHead(
        classifier=dict(num_subcentroids=2), **FCN).train()


def _cbp(feature_losses=dict(type='OnlineCentroidContrastiveLoss')):
    from mmseg.registry import MODELS
    return MODELS.build(
        dict(
            type='CategoryBasisFCNHead', feature_losses=feature_losses,
            **FCN)).train()


HEADS = {'dnc': _dnc, 'cbp': _cbp}


def _batch():
    g = torch.Generator().manual_seed(0)
    feat = torch.randn(2, D, 4, 4, generator=g)
    samples = []
    for _ in range(2):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(
            data=torch.randint(0, C, (1, 4, 4), generator=g))
        samples.append(s)
    return feat, samples


def test_both_head_families_use_the_one_mixin():
    assert issubclass(SubCentroidHeadMixin, ClsSegCaptureMixin)
    assert issubclass(CategoryBasisHeadMixin, ClsSegCaptureMixin)
    for cls in (SubCentroidHeadMixin, CategoryBasisHeadMixin):
        # neither re-implements the window
        assert 'loss' not in vars(cls)


@pytest.mark.parametrize('kind', list(HEADS))
def test_one_step_captures_once_and_keeps_nothing(kind):
    head = HEADS[kind]()
    feat, samples = _batch()
    losses = head.loss([feat], samples, None)
    assert all(torch.isfinite(v).all() for v in losses.values())
    assert head._captured is None and not head._capturing


@pytest.mark.parametrize('kind', list(HEADS))
def test_cls_seg_twice_in_one_forward_is_refused(kind):
    head = HEADS[kind]()
    feat, samples = _batch()
    forward = head.forward

    def twice(inputs):
        forward(inputs)
        return forward(inputs)

    head.forward = twice
    with pytest.raises(RuntimeError, match='cls_seg ran twice'):
        head.loss([feat], samples, None)
    assert head._captured is None and not head._capturing


@pytest.mark.parametrize('kind', list(HEADS))
def test_loss_by_feat_without_loss_names_the_fix(kind):
    head = HEADS[kind]()
    feat, samples = _batch()
    logits = head.forward([feat])  # outside loss(): nothing captured
    with pytest.raises(RuntimeError, match=r'call head\.loss\(inputs'):
        head.loss_by_feat(logits, samples)


def test_capture_is_off_when_the_step_needs_nothing():
    # CBP without feature losses or an updating classifier captures nothing
    head = _cbp(feature_losses=None)
    assert not head._wants_capture()
    feat, samples = _batch()
    assert 'loss_ce' in head.loss([feat], samples, None)
