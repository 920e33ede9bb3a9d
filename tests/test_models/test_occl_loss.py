"""OnlineCentroidContrastiveLoss as a registered mmseg loss."""
import pytest
import torch
from mmseg.registry import MODELS

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.core import (category_basis_prototypes,
                         online_centroid_contrastive_loss, split_views)

pytestmark = pytest.mark.usefixtures('mmseg_scope')


def test_registered_with_its_own_name_and_weights():
    loss = MODELS.build(
        dict(
            type='OnlineCentroidContrastiveLoss',
            centroid_weight=0.4,
            category_weight=0.1,
            loss_weight=2.0,
            loss_name='loss_occl_x'))
    assert loss.loss_name == 'loss_occl_x'
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 12, 6, 6, generator=g, requires_grad=True)
    labels = torch.randint(-1, 4, (2, 6, 6), generator=g)
    protos = category_basis_prototypes(4, 12, generator=g)
    torch.manual_seed(5)
    value = loss(feats, labels, protos)
    torch.manual_seed(5)
    ref = online_centroid_contrastive_loss(feats, labels, protos, 0.4, 0.1)
    assert float(value.detach()) == pytest.approx(2 * float(ref['loss']))
    value.backward()
    assert torch.isfinite(feats.grad).all()


def test_logits_only_call_is_refused():
    loss = MODELS.build(dict(type='OnlineCentroidContrastiveLoss'))
    logits = torch.randn(2, 4, 8, 8)
    label = torch.randint(0, 4, (2, 8, 8))
    with pytest.raises(TypeError, match='feature_losses'):
        loss(logits, label, weight=None, ignore_index=255)


def test_views_are_reproducible_under_the_global_seed():
    labels = torch.randint(0, 3, (2, 10, 10))
    torch.manual_seed(1)
    a = split_views(labels)
    torch.manual_seed(1)
    b = split_views(labels)
    assert torch.equal(a, b)
