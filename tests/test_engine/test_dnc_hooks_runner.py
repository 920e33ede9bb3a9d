"""DNC's hooks, one method at a time, in a real in-process runner.

Built on mmengine's :class:`~mmengine.testing.RunnerTestCase` (a fresh work
dir and clean logger/visualiser/message-hub instances per test): the runner
is the project's main config (thin ResNet-18 + ``SubCentroidClsHead``) on
the 2,000-image Fashion-MNIST subset, iteration-based with a handful of
iterations, no validation. Each test calls the hook's own method on that
runner, or trains a few iterations, and reads the state it must leave;
the end-to-end runs through ``tools/train.py`` (``test_subcentroid_hooks``)
stay next to these.
"""
import math
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import HOOKS
from mmengine.testing import RunnerTestCase

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.core import num_subcentroids_from_counts
from dnc_mm.core.memory import FeatureMemory
from dnc_mm.engine.hooks.utils import find_modules
from dnc_mm.models.heads import SubCentroidClsHead

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'dnc',
                  'dnc_resnet18-w16_5e_fashion-mnist-10k.py')
DATA = osp.join(ROOT, 'data', 'fashion_mnist_2000_1000')
BATCH = 8


class TestDNCHooksInRunner(RunnerTestCase):

    def setUp(self) -> None:
        super().setUp()
        torch.set_num_threads(1)
        cfg = Config.fromfile(CONFIG)
        cfg.work_dir = self.temp_dir.name
        loader = cfg.train_dataloader
        loader.dataset.data_root = DATA
        loader.update(
            batch_size=BATCH, num_workers=0, persistent_workers=False)
        cfg.train_cfg = dict(by_epoch=False, max_iters=4)
        cfg.param_scheduler = []
        for key in ('val_dataloader', 'val_cfg', 'val_evaluator',
                    'test_dataloader', 'test_cfg', 'test_evaluator'):
            cfg[key] = None
        cfg.default_hooks.checkpoint = dict(
            type='CheckpointHook', by_epoch=False, interval=4)
        cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
        cfg.log_level = 'WARNING'
        cfg.custom_hooks = [
            dict(type='SubCentroidMemoryHook', size_in_batches=3),
            dict(type='SubCentroidHealthHook', interval=2),
        ]
        self.cfg = cfg

    def _head(self, runner) -> SubCentroidClsHead:
        (head, ) = find_modules(runner.model, SubCentroidClsHead)
        return head

    def test_memory_hook_sizes_the_memory_before_training(self):
        runner = self.build_runner(self.cfg)
        head = self._head(runner)
        assert head.memory.capacity == 0  # unsized until the hook runs
        hook = HOOKS.build(
            dict(type='SubCentroidMemoryHook', size_in_batches=3))
        hook.before_train(runner)
        assert head.memory.capacity == FeatureMemory.capacity_for(3, BATCH)
        assert head.memory.capacity == 4 * BATCH
        assert head.memory.features.shape[1] == head.embed_dims

    def test_training_fills_the_memory_and_logs_health(self):
        runner = self.build_runner(self.cfg)
        before = self._head(runner).classifier.subcentroids.clone()
        runner.train()
        head = self._head(runner)
        # 4 iterations of BATCH rows into a capacity of 4 * BATCH: full
        assert int(head.memory.num_filled) == 4 * BATCH
        assert int(head.memory.clock) == 4
        assert not torch.equal(head.classifier.subcentroids, before)
        hub = runner.message_hub
        for key in ('mean_cos', 'max_cos', 'usage_entropy'):
            value = hub.get_scalar(f'train/subcentroid_{key}').current()
            assert math.isfinite(value), key
        assert -1.0 <= hub.get_scalar(
            'train/subcentroid_mean_cos').current() <= 1.0

    def test_resume_restores_memory_and_subcentroids_exactly(self):
        runner = self.build_runner(self.cfg)
        runner.train()
        head = self._head(runner)
        saved = {
            k: v.clone()
            for k, v in head.state_dict().items()
            if k.startswith(('memory.', 'classifier.'))
        }
        ckpt = osp.join(self.temp_dir.name, 'iter_4.pth')
        assert osp.isfile(ckpt)

        cfg = self.cfg.copy()
        cfg.train_cfg = dict(by_epoch=False, max_iters=4)  # nothing to run
        cfg.resume = True
        cfg.load_from = ckpt
        resumed = self.build_runner(cfg)
        resumed.train()  # loads the checkpoint, then the hooks' before_train
        got = self._head(resumed).state_dict()
        for key, value in saved.items():
            assert torch.equal(got[key], value), key

    def test_class_counts_hook_sets_k_from_the_training_labels(self):
        runner = self.build_runner(self.cfg)
        head = self._head(runner)
        dataset = runner.train_dataloader.dataset
        labels = [
            int(dataset.get_data_info(i)['gt_label'])
            for i in range(len(dataset))
        ]
        counts = torch.bincount(
            torch.as_tensor(labels), minlength=head.num_classes)
        hook = HOOKS.build(
            dict(type='SubCentroidClassCountsHook', min_subcentroids=2))
        hook.before_train(runner)
        expected = num_subcentroids_from_counts(counts.numpy(), 4, 2)
        assert torch.equal(head.classifier.num_subcentroids.cpu(),
                           torch.as_tensor(expected))
        assert int(head.classifier.num_subcentroids.min()) >= 2

    def test_split_merge_round_changes_k_by_its_splits_and_merges(self):
        runner = self.build_runner(self.cfg)
        runner.train()  # fills the memory (4 * BATCH rows)
        head = self._head(runner)
        hook = HOOKS.build(
            dict(
                type='SubCentroidSplitMergeHook',
                init_num_subcentroids=1,
                min_samples=2,
                min_accuracy=0.0,
                split_ratio=1.0,
                merge_ratio=0.5))
        head.classifier.set_num_subcentroids(
            torch.ones(head.num_classes, dtype=torch.long))
        memory = {
            k: v.clone()
            for k, v in head.state_dict().items() if k.startswith('memory.')
        }
        k_before = head.classifier.num_subcentroids.clone()
        splits, merges, _ = hook.run_round(head, 'split')
        k_after = head.classifier.num_subcentroids
        assert torch.equal(k_after,
                           k_before + splits.to(k_after) - merges.to(k_after))
        assert int(splits.sum()) > 0  # split_ratio 1: any gain splits
        # the round reads the memory and never writes it
        for key, value in memory.items():
            assert torch.equal(head.state_dict()[key], value), key
        # the new slots are unit vectors of their class
        norms = head.classifier.subcentroids[head.classifier.active].norm(
            dim=-1)
        torch.testing.assert_close(norms, torch.ones_like(norms))

    def test_anchor_hook_anchors_every_slot_to_an_image_of_its_class(self):
        cfg = self.cfg.copy()
        # the anchor pass uses the evaluation pipeline
        main = Config.fromfile(CONFIG)
        for key in ('test_dataloader', 'test_cfg', 'test_evaluator'):
            cfg[key] = main[key]
        cfg.test_dataloader.dataset.data_root = DATA
        runner = self.build_runner(cfg)
        head = self._head(runner)
        hook = HOOKS.build(
            dict(
                type='SubCentroidAnchorHook',
                anchor_epoch=0,
                batch_size=250,
                num_workers=0))
        hook.anchor(runner, head)
        clf = head.classifier
        assert clf.anchored
        dataset = runner.train_dataloader.dataset
        for c in range(head.num_classes):
            for k in range(int(clf.num_subcentroids[c])):
                idx = int(clf.anchor_indices[c, k])
                info = dataset.get_data_info(idx)
                assert int(info['gt_label']) == c, (c, k, idx)
        # a class's anchors are distinct images
        for c in range(head.num_classes):
            row = clf.anchor_indices[c, :int(clf.num_subcentroids[c])]
            assert row.unique().numel() == row.numel()
