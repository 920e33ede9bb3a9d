"""Every segmentation (mmseg) config in ``configs/`` trains one step.

For each config whose ``default_scope`` is ``mmseg`` (DNC heads, their
parametric twins, CBP/OCCL, the paper configs and the small configs on the
bundled benchmark) the model is built exactly as written (backbone depth and
widths, decode and auxiliary heads, ``num_classes``, ``K``, ``mu``,
projection, losses ...) with its real optimizer from
``build_optim_wrapper`` (paramwise settings included), and one
``train_step`` (data preprocessor, forward, losses, backward, optimizer step,
the heads' training-time updates) runs on a random batch of 2 images with
random labels, 5% of them ``ignore_index``.

What is reduced, and only where the real size would make the test slow on a
2-core CPU: crops larger than 128x128 (ADE20K, Cityscapes, COCO-Stuff) run at
64x64, with the data preprocessor's padding size set to match. Pretrained
backbone weights are not loaded (``init_weights`` is not called): the step
starts from PyTorch's default initialisation. ``SyncBN`` is reverted to
``BN`` as the CPU runner does (``dnc_mm/engine/cpu_distributed.py``).
"""
import copy
import os.path as osp

import pytest
import torch
from config_cache import (REPO_ROOT, SEG_DIRS, crop_in_name, load_config,
                          shipped_configs)
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import dnc_mm  # noqa: F401  (registration)

BATCH = 2
MAX_TEST_CROP = 128  # crops up to this size run as configured
REDUCED_CROP = 64  # larger crops (paper data sets) run at this size
IGNORE_FRACTION = 0.05


def _params():
    """Paper-scale models (full-width ResNet-101 / Swin-B ..., reduced crop)
    take 2-15 s each on a 2-core CPU: marked ``slow`` (they still run by
    default; ``-m "not slow"`` leaves them out)."""
    for path in shipped_configs(SEG_DIRS):
        rel = osp.relpath(path, osp.join(REPO_ROOT, 'configs'))
        reduced = max(crop_in_name(path)) > MAX_TEST_CROP
        marks = [pytest.mark.slow] if reduced else []
        yield pytest.param(path, id=rel, marks=marks)


@pytest.fixture(autouse=True)
def _one_thread():
    """One intra-op thread: predictable on a shared 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _crop_size(cfg: Config):
    crop = cfg.get('crop_size')
    if crop is None:
        crop = cfg.model.data_preprocessor.get('size') or (REDUCED_CROP, ) * 2
    crop = tuple(crop) if not isinstance(crop, int) else (crop, crop)
    if max(crop) > MAX_TEST_CROP:
        return (REDUCED_CROP, REDUCED_CROP), True
    return crop, False


def _batch(crop, num_classes, ignore_index, generator):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    h, w = crop
    inputs, samples = [], []
    for _ in range(BATCH):
        inputs.append(
            torch.randint(
                0, 256, (3, h, w), dtype=torch.uint8, generator=generator))
        label = torch.randint(0, num_classes, (1, h, w), generator=generator)
        ignore = torch.rand((1, h, w), generator=generator) < IGNORE_FRACTION
        label[ignore] = ignore_index
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _decode_heads(model):
    head = model.decode_head
    return list(head) if isinstance(head, torch.nn.ModuleList) else [head]


def _buffers(module):
    return {k: v.clone() for k, v in module.named_buffers()}


@pytest.mark.parametrize('path', list(_params()))
def test_seg_config_train_step(path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    cfg = load_config(path)
    assert cfg.custom_imports['imports'] == ['dnc_mm']
    init_default_scope('mmseg')
    from mmseg.registry import MODELS

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    crop, reduced = _crop_size(cfg)
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model_cfg.data_preprocessor.size = crop
    backbone = model_cfg.backbone
    if reduced and 'img_size' in backbone:  # ViT-style position tables
        backbone.img_size = crop
    model = revert_sync_batchnorm(MODELS.build(model_cfg)).train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)

    heads = _decode_heads(model)
    num_classes = heads[-1].num_classes
    ignore_index = heads[-1].ignore_index
    optimised = {
        id(p)
        for g in optim_wrapper.optimizer.param_groups
        for p in g['params']
    }
    for head in heads:
        # classifier state (sub-centroids, frozen prototypes) is never
        # optimised
        for name, buf in head.named_buffers():
            assert id(buf) not in optimised, name
    before = {i: _buffers(h) for i, h in enumerate(heads)}

    data = _batch(crop, num_classes, ignore_index, gen)
    log_vars = model.train_step(data, optim_wrapper)
    assert log_vars, 'train_step returned no losses'
    for name, value in log_vars.items():
        assert torch.isfinite(torch.as_tensor(value)).all(), (name, value)
    assert 'loss' in log_vars
    for i, head in enumerate(heads):
        for name, buf in head.named_buffers():
            if buf.is_floating_point():
                assert torch.isfinite(buf).all(), name
        assert before[i].keys() == _buffers(head).keys()
