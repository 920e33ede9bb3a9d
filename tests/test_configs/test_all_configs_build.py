"""Every shipped config builds its model, and its datasets where data exist."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import dnc_mm  # noqa: F401
from dnc_mm.apis import task_of


REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p.split(osp.sep))


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


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_builds(path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    cfg = Config.fromfile(path)
    assert cfg.custom_imports['imports'] == ['dnc_mm'], \
        'every config must load the plugin through custom_imports'
    task = task_of(cfg)
    init_default_scope(cfg.default_scope)
    models, datasets = _registries(task)
    model = models.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(split)
        if loader and _data_present(loader.dataset):
            dataset = datasets.build(loader.dataset)
            assert len(dataset) > 0
