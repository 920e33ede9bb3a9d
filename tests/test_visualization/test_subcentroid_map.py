"""Per-pixel sub-centroid maps of DNC decode heads."""
import numpy as np
import pytest
import torch
from mmseg.registry import MODELS

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.visualization import (draw_subcentroid_map, pixel_subcentroids,
                                  subcentroid_shades, subcentroid_usage)

pytestmark = pytest.mark.usefixtures('mmseg_scope')


def dnc_segmentor(num_classes=4, k=3):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='EncoderDecoder',
            data_preprocessor=dict(type='SegDataPreProcessor', size=(32, 32)),
            backbone=dict(
                type='ResNetV1c',
                depth=18,
                stem_channels=8,
                base_channels=8,
                out_indices=(3, ),
                dilations=(1, 1, 2, 4),
                strides=(1, 2, 1, 1),
                norm_cfg=dict(type='BN')),
            decode_head=dict(
                type='SubCentroidFCNHead',
                in_channels=64,
                in_index=0,
                channels=16,
                num_convs=1,
                num_classes=num_classes,
                classifier=dict(num_subcentroids=k),
                align_corners=False)))
    # spread the sub-centroids so that several of them win somewhere
    buf = model.decode_head.classifier.subcentroids
    buf.copy_(torch.nn.functional.normalize(torch.randn_like(buf), dim=-1))
    return model.eval()


def test_map_agrees_with_the_model_prediction():
    model = dnc_segmentor()
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        feats = model.extract_feat(images)
        classes, sub = pixel_subcentroids(model.decode_head, feats, (32, 32))
        # the segmentor's own prediction (whole-image inference)
        logits = model.encode_decode(images, [dict(img_shape=(32, 32))] * 2)
    assert torch.equal(classes, logits.argmax(dim=1))
    # the sub-centroid is the arg-max of the predicted class's similarities
    head = model.decode_head
    _, sims = head.pixel_similarities(head._forward_feature(feats))
    up = torch.nn.functional.interpolate(
        sims.flatten(1, 2),
        size=(32, 32),
        mode='bilinear',
        align_corners=False).view(2, head.num_classes, -1, 32, 32)
    picked = up.gather(
        1, classes[:, None, None].expand(-1, 1, up.shape[2], -1,
                                         -1)).squeeze(1)
    assert torch.equal(sub, picked.argmax(dim=1))
    assert int(sub.max()) < 3 and int(sub.min()) >= 0


def test_non_dnc_head_is_refused():
    head = MODELS.build(
        dict(type='FCNHead', in_channels=4, channels=4, num_classes=2))
    with pytest.raises(TypeError, match='not a DNC decode head'):
        pixel_subcentroids(head, [torch.zeros(1, 4, 2, 2)], (4, 4))


def test_shades_are_distinct_and_ordered():
    shades = subcentroid_shades([[200, 40, 40], [0, 0, 255]], 4)
    assert shades.shape == (2, 4, 3)
    for c in range(2):
        brightness = shades[c].astype(int).sum(axis=1)
        assert (np.diff(brightness) > 0).all()
    np.testing.assert_array_equal(
        subcentroid_shades([[9, 8, 7]], 1)[0, 0], [9, 8, 7])


def test_panel_and_usage():
    classes = np.array([[0, 0, 1], [1, 1, 1]])
    sub = np.array([[0, 1, 2], [2, 0, 2]])
    image = np.zeros((2, 3, 3), dtype=np.uint8)
    panel = draw_subcentroid_map(image, classes, sub,
                                 [[10, 10, 10], [250, 0, 0]], 3)
    assert panel.shape == (2, 3 * 3 + 8, 3)
    assert subcentroid_usage(classes, sub, 3, 3) == {
        0: [1, 1, 0],
        1: [1, 0, 3]
    }
