"""Every shipped config builds its model, and its datasets where data exist.

The one-step tests (``test_dnc_paper_configs_step.py``,
``test_hpl_configs_step.py``, ``test_seg_configs_step.py``) build the model
of every config too; where they build it exactly as written, it is not built
a second time here (that was ~40% of this file's time). Here it is built for
the configs whose step test changes the model: Swin classification backbones
(smaller windows), segmentation backbones with an ``img_size`` (reduced
crop) and HPL heads (fewer prototype-estimation steps).
"""
import os.path as osp

import pytest
from config_cache import (CLS_DIRS, REPO_ROOT, SEG_DIRS, config_dir,
                          crop_in_name, load_config, shipped_configs)
from mmengine.registry import init_default_scope

import dnc_mm  # noqa: F401
from dnc_mm.apis import task_of

CONFIGS = shipped_configs()


def _registries(task: str):
    if task == 'cls':
        from mmpretrain.registry import DATASETS, MODELS
    else:
        from mmseg.registry import DATASETS, MODELS
    return MODELS, DATASETS


def _data_present(dataset_cfg) -> bool:
    root = dataset_cfg.get('data_root', '')
    return bool(root) and osp.isdir(osp.join(REPO_ROOT, root))


def test_configs_exist():
    assert CONFIGS, 'no config found under configs/'


def _check_layout(path, cfg) -> str:
    """What the tests read from a config's path without parsing it: its
    task from the folder, a segmentation config's crop from its name."""
    folder = config_dir(path)
    assert folder in CLS_DIRS + SEG_DIRS, f'{path}: unknown folder'
    task = 'seg' if folder in SEG_DIRS else 'cls'
    assert task_of(cfg) == task, \
        f'{path}: a {task_of(cfg)} config in configs/{folder}'
    if task == 'seg':
        crop = cfg.get('crop_size') or cfg.model.data_preprocessor.size
        assert tuple(crop) == crop_in_name(path), \
            f'{path}: crop {crop} but the name says {crop_in_name(path)}'
    return task


def _step_test_builds_it_as_written(path, cfg) -> bool:
    folder = config_dir(path)
    if folder == 'dnc':
        return cfg.model.backbone.type != 'SwinTransformer'
    if folder in SEG_DIRS:
        return 'img_size' not in cfg.model.backbone
    return False


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_builds(path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    cfg = load_config(path)
    assert cfg.custom_imports['imports'] == ['dnc_mm'], \
        'every config must load the plugin through custom_imports'
    task = _check_layout(path, cfg)
    init_default_scope(cfg.default_scope)
    models, datasets = _registries(task)
    if not _step_test_builds_it_as_written(path, cfg):
        model = models.build(cfg.model)
        assert sum(p.numel() for p in model.parameters()) > 0
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(split)
        if loader and _data_present(loader.dataset):
            dataset = datasets.build(loader.dataset)
            assert len(dataset) > 0
