"""``ToGrayscale``: greyscale models read colour and grey images alike,
and the datasets' own images pass through unchanged."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import DATASETS, TRANSFORMS

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.datasets import ToGrayscale

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')
CONFIG = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'


def test_grey_images_are_left_alone() -> None:
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for x in (img, img[..., None]):
        out = ToGrayscale()(dict(img=x))
        assert out['img'] is x


def test_colour_images_become_one_channel() -> None:
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (5, 6), dtype=np.uint8)
    # a grey image stored in three equal channels: exactly its values
    three = np.repeat(grey[..., None], 3, axis=2)
    assert np.array_equal(ToGrayscale()(dict(img=three))['img'], grey)
    bgr = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    want = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    assert np.array_equal(ToGrayscale()(dict(img=bgr))['img'], want)
    rgb = bgr[..., ::-1].copy()
    out = ToGrayscale(color_order='rgb', keepdim=True)(dict(img=rgb))['img']
    assert out.shape == (5, 6, 1) and np.array_equal(out[..., 0], want)
    bgra = np.concatenate([bgr, np.full((5, 6, 1), 7, np.uint8)], axis=2)
    assert np.array_equal(ToGrayscale()(dict(img=bgra))['img'], want)
    # a dtype OpenCV does not convert: the same weights in numpy
    out = ToGrayscale()(dict(img=bgr.astype(np.float64)))['img']
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, want, atol=0.51)


def test_bad_shapes_and_options_are_refused() -> None:
    with pytest.raises(ValueError, match='HxW, HxWx1, HxWx3 or HxWx4'):
        ToGrayscale()(dict(img=np.zeros((4, 4, 2), np.uint8)))
    with pytest.raises(ValueError, match="'bgr' or 'rgb'"):
        ToGrayscale(color_order='hsv')
    assert isinstance(TRANSFORMS.build(dict(type='ToGrayscale')), ToGrayscale)


def test_test_pipeline_gives_the_dataset_the_same_inputs(
        repo_root: str, fashion_mnist_small: str) -> None:
    """The Fashion-MNIST test pipeline (now ``ToGrayscale``, then
    ``PackInputs``) packs every dataset image exactly as ``PackInputs``
    alone did, so evaluation results cannot change."""
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.data_root = fashion_mnist_small
    assert [t['type']
            for t in ds_cfg.pipeline] == ['ToGrayscale', 'PackInputs']
    new = DATASETS.build(ds_cfg)
    old = DATASETS.build({**ds_cfg, 'pipeline': [dict(type='PackInputs')]})
    for i in range(0, len(new), 37):
        a, b = new[i], old[i]
        assert a['inputs'].dtype == b['inputs'].dtype
        assert torch.equal(a['inputs'], b['inputs'])
        assert a['data_samples'].gt_label == b['data_samples'].gt_label
