"""The two fixes of ``dnc_mm.compat.inference_apis`` (no training)."""
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from modelindex.models.Model import Model

import dnc_mm  # noqa: F401  (applies the fixes)
from dnc_mm.compat import IMAGE_CLASSIFICATION, default_metainfo

CLS_CONFIG = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'
SEG_CONFIG = ('configs/dnc_seg/'
              'dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py')


def test_config_built_classifier_has_a_task(repo_root: str) -> None:
    from mmpretrain.apis import get_model
    model = get_model(osp.join(repo_root, CLS_CONFIG))
    assert model.__dict__['_metainfo'] is None  # what get_model stored
    tasks = [r.task for r in model._metainfo.results]
    assert tasks == [IMAGE_CLASSIFICATION]
    # model-hub metadata that names a task is returned unchanged
    hub = default_metainfo('some-model')
    hub.results[0].task = 'Image Retrieval'
    model._metainfo = hub
    assert model._metainfo is hub
    model._metainfo = Model(name='no-results')
    assert model._metainfo.name == 'no-results'
    assert model._metainfo.results[0].task == IMAGE_CLASSIFICATION


def test_inference_model_on_a_config_built_classifier(repo_root: str) -> None:
    from mmpretrain.apis import get_model, inference_model
    torch.manual_seed(0)
    model = get_model(osp.join(repo_root, CLS_CONFIG))
    img = np.random.default_rng(0).integers(
        0, 256, (28, 28, 3), dtype=np.uint8)
    result = inference_model(model, img)
    assert 0 <= result['pred_label'] < 10
    assert result['pred_scores'].shape == (10, )


def test_seg_inference_model_takes_files_after_arrays(repo_root: str,
                                                      tmp_path) -> None:
    import mmcv
    from mmengine.model import revert_sync_batchnorm
    from mmseg.apis import inference_model, init_model
    cfg = Config.fromfile(osp.join(repo_root, SEG_CONFIG))
    torch.manual_seed(0)
    model = revert_sync_batchnorm(init_model(cfg, device='cpu'))
    img = np.random.default_rng(0).integers(
        0, 256, (32, 40, 3), dtype=np.uint8)
    path = str(tmp_path / 'img.png')
    mmcv.imwrite(img, path)
    from_array = inference_model(model, img).pred_sem_seg.data
    from_file = inference_model(model, path).pred_sem_seg.data
    assert from_file.shape == (1, 32, 40)
    assert torch.equal(from_array, from_file)
    assert torch.equal(
        inference_model(model, img).pred_sem_seg.data, from_array)
    assert model.cfg.test_pipeline[0]['type'] == 'LoadImageFromNDArray'
    inference_model(model, path)
    assert model.cfg.test_pipeline[0]['type'] == 'LoadImageFromFile'
