"""Shared pieces of the one-training-step tests of classification configs.

Used by ``tests/test_configs/test_dnc_paper_configs_step.py`` (configs/dnc)
and ``tests/test_configs/test_hpl_configs_step.py`` (configs/hpl): the
random batch, the reduced image size and backbone shrinking, and the model
+ real optimizer built from a config the way mmengine's Runner does.
"""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

BATCH = 2
IMAGENET_TEST_SIZE = 32  # instead of 224
CIFAR_TEST_SIZE = 16  # instead of 32 (ResNet_CIFAR keeps full resolution)
SWIN_TEST_WINDOW = 2  # instead of 7, so that 32-pixel maps need no padding


@pytest.fixture(autouse=True)
def one_thread():
    """Run on one intra-op thread.

    The models are tiny at these image sizes; with two OpenMP threads on a
    2-core machine that is busy with anything else, a ResNet-101 step was
    seen to take ~10 s instead of ~1 s (threads spinning on a contended
    core). One thread keeps the file's runtime predictable.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def train_pipeline(cfg: Config) -> list:
    """The training pipeline, also inside a dataset wrapper."""
    dataset = cfg.train_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    return dataset.get('pipeline', [])


def image_shape(cfg: Config):
    """``(C, H, W)`` of the test batch.

    ImageNet (224-pixel crops): 32x32. CIFAR (32-pixel crops): 16x16.
    Smaller crops (28-pixel Fashion-MNIST) are kept.
    """
    channels = cfg.model.backbone.get('in_channels', 3)
    size = IMAGENET_TEST_SIZE
    for step in train_pipeline(cfg):
        if step['type'] == 'RandomCrop':
            crop = step['crop_size']
            crop = crop if isinstance(crop, int) else crop[0]
            size = CIFAR_TEST_SIZE if crop >= 32 else crop
    return channels, size, size


def shrink_backbone(cfg: Config, size: int) -> None:
    backbone = cfg.model.backbone
    if backbone.type == 'SwinTransformer':
        # at 32 pixels the four Swin stages see 8x8, 4x4, 2x2 and 1x1 token
        # maps: 2x2 windows tile them (7x7 windows would pad the 2x2 map of
        # the deep third stage to 7x7, ~10x the compute); the 1x1 map of the
        # last stage is padded. Only the relative-position tables shrink.
        backbone.img_size = size
        backbone.window_size = SWIN_TEST_WINDOW
        backbone.pad_small_map = True


def build_model_and_optim(cfg: Config):
    """Model (with the top-level preprocessor) and its real optim wrapper."""
    from mmpretrain.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    # as mmengine's Runner does: the top-level preprocessor goes in the model
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    model.train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def hook_cfgs(cfg: Config, hook_type: str):
    return [
        h for h in cfg.get('custom_hooks', []) or [] if h['type'] == hook_type
    ]


def random_batch(shape, labels, generator, sample_idx=None):
    """Random uint8 images with the given labels and dataset indices."""
    from mmpretrain.structures import DataSample
    inputs = [
        torch.randint(0, 256, shape, dtype=torch.uint8, generator=generator)
        for _ in range(BATCH)
    ]
    if sample_idx is None:
        sample_idx = list(range(BATCH))
    samples = []
    for label, idx in zip(labels.tolist(), sample_idx):
        sample = DataSample(metainfo=dict(sample_idx=int(idx)))
        samples.append(sample.set_gt_label(label))
    return dict(inputs=inputs, data_samples=samples)
