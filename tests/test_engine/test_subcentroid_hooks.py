"""Memory and anchoring hooks in a real mmengine run, and resume."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

import dnc_mm  # noqa: F401
from dnc_mm.compat.checkpoint_loading import load_checkpoint_file
from dnc_mm.engine.hooks import SubCentroidAnchorHook, SubCentroidMemoryHook

CONFIG = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'


class SnapshotHook(Hook):
    """Copies the head's state when training (re)starts."""
    priority = 'LOWEST'

    def before_train(self, runner):
        self.state = copy.deepcopy(runner.model.head.state_dict())


def small_cfg(repo_root, data_root, work_dir, epochs):
    cfg = Config.fromfile(f'{repo_root}/{CONFIG}')
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = data_root
        loader.num_workers = 0
        loader.persistent_workers = False
    cfg.train_dataloader.batch_size = 100
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.max_epochs = epochs
    cfg.work_dir = work_dir
    cfg.default_hooks.logger.interval = 5
    cfg.custom_hooks = [
        dict(type='SubCentroidMemoryHook', size_in_batches=3),
        dict(
            type='SubCentroidAnchorHook',
            anchor_epoch=1,
            batch_size=500,
            num_workers=0),
    ]
    return cfg


@pytest.mark.slow
def test_memory_anchors_and_resume(tmp_path, repo_root, fashion_mnist_small,
                                   monkeypatch):
    monkeypatch.chdir(repo_root)
    work = str(tmp_path / 'work')
    runner = Runner.from_cfg(
        small_cfg(repo_root, fashion_mnist_small, work, epochs=2))
    runner.train()
    head = runner.model.head
    # 3 earlier batches + room for the current one
    assert head.memory.capacity == (3 + 1) * 100
    assert int(head.memory.num_filled) == 400

    # anchors: valid, distinct within a class, of the right class, and the
    # sub-centroids follow their anchors (here: every anchor was seen once
    # in epoch 2 with momentum 0.999, so they stay close to the features)
    anchors = head.classifier.anchor_indices
    dataset = runner.train_dataloader.dataset
    assert head.classifier.anchored
    for cls in range(10):
        row = anchors[cls].tolist()
        assert len(set(row)) == len(row)
        assert all(0 <= i < len(dataset) for i in row)
        assert all(int(dataset.get_gt_labels()[i]) == cls for i in row)

    # resume: state restored exactly, memory kept by the memory hook
    ckpt = load_checkpoint_file(f'{work}/epoch_2.pth')
    cfg = small_cfg(repo_root, fashion_mnist_small, work, epochs=3)
    cfg.resume = True
    resumed = Runner.from_cfg(cfg)
    snapshot = SnapshotHook()
    resumed.register_hook(snapshot)
    resumed.train()
    assert resumed.epoch == 3
    for key, value in snapshot.state.items():
        saved = ckpt['state_dict'][f'head.{key}']
        assert torch.equal(value.cpu(), saved), key


def test_hook_arguments_are_checked():
    with pytest.raises(ValueError, match='size_in_batches must be >= 1'):
        SubCentroidMemoryHook(size_in_batches=0)
    with pytest.raises(ValueError, match='dtype'):
        SubCentroidMemoryHook(size_in_batches=2, dtype='int8')
    with pytest.raises(ValueError, match='anchor_epoch'):
        SubCentroidAnchorHook(anchor_epoch=-1)


def test_class_counts_hook_sets_k_per_class():
    from types import SimpleNamespace

    import numpy as np
    from mmengine.logging import MMLogger

    from dnc_mm.engine.hooks import SubCentroidClassCountsHook
    from dnc_mm.models.heads import SubCentroidClsHead

    head = SubCentroidClsHead(
        num_classes=4, in_channels=8, classifier=dict(num_subcentroids=4))
    # the paper's ImageNet range: 732..1300 images per class
    counts = [732, 900, 1100, 1300]
    labels = np.repeat(np.arange(4), counts)
    runner = SimpleNamespace(
        model=head,
        logger=MMLogger.get_instance('test_counts'),
        train_dataloader=SimpleNamespace(
            dataset=SimpleNamespace(get_gt_labels=lambda: labels)))
    SubCentroidClassCountsHook().before_train(runner)
    assert head.classifier.num_subcentroids.tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match='min_subcentroids'):
        SubCentroidClassCountsHook(min_subcentroids=0)
