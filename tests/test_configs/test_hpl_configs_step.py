"""Every config under ``configs/hpl/`` trains one step, hooks included.

For each HPL config (HPL, its PSC / PSC* / ETF / fixed-prototype twins, the
paper tables and the Fashion-MNIST set) the model is built from the config
as written (head, loss, projection, Mixup, class weights ...) with its real
optimizer, and one ``train_step`` runs on a random batch of 2 at a reduced
image size (see ``tests/cls_config_step.py``). Two settings are changed so
that 1,000-class heads build in seconds: the prototype estimation runs 5
SGD steps instead of 1,000 and writes no cache file (``prototype_file`` is
dropped). The configured hooks run as the runner would call them:
``ClassBalancedLossHook.before_train`` on fake long-tailed labels (its
weights must reach the loss) and ``PrototypeAssignmentHook`` at the end of
the "epoch" (it must log and leave a permutation).
"""
import copy
import logging
import os.path as osp

import numpy as np
import pytest
import torch
from cls_config_step import one_thread  # noqa: F401  (autouse fixture)
from cls_config_step import (BATCH, build_model_and_optim, hook_cfgs,
                             image_shape, random_batch, shrink_backbone)
from config_cache import REPO_ROOT, load_config, shipped_configs
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.core.hyperspherical_prototypes import prototype_statistics
from dnc_mm.models.heads import HypersphericalPrototypeClsHead

CONFIGS = shipped_configs(('hpl', ))


class _Dataset:

    def __init__(self, labels):
        self.labels = labels

    def get_gt_labels(self):
        return self.labels


class _Loader:
    batch_size = BATCH

    def __init__(self, labels):
        self.dataset = _Dataset(labels)
        self.batches = []  # what an evaluation pass reads

    def __iter__(self):
        return iter(self.batches)


class _FakeRunner:
    """What the HPL hooks read from a runner."""

    def __init__(self, model, labels, max_epochs):
        self.model = model
        self.max_epochs = max_epochs  # read by stop_last_epochs
        self.train_dataloader = _Loader(labels)
        self.logger = logging.getLogger('test_hpl_configs_step')
        self.message_hub = MessageHub.get_instance('test_hpl_configs_step')
        self.epoch = 0
        self.iter = 0


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_train_step(path, monkeypatch, caplog):
    monkeypatch.chdir(REPO_ROOT)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    cfg = load_config(path)
    assert cfg.custom_imports['imports'] == ['dnc_mm']
    init_default_scope(cfg.default_scope)
    from mmpretrain.registry import HOOKS

    head_cfg = cfg.model.head
    is_hpl = head_cfg.type == 'HypersphericalPrototypeClsHead'
    if is_hpl:
        head_cfg.estimate_cfg = dict(iters=5)
        head_cfg.prototype_file = None
    shape = image_shape(cfg)
    shrink_backbone(cfg, shape[1])
    model, optim_wrapper = build_model_and_optim(cfg)
    model.init_weights()  # as the runner does before training
    head = model.head
    num_classes = head_cfg.num_classes
    assert isinstance(head, HypersphericalPrototypeClsHead) == is_hpl

    assign_hooks = hook_cfgs(cfg, 'PrototypeAssignmentHook')
    balance_hooks = hook_cfgs(cfg, 'ClassBalancedLossHook')
    assert not assign_hooks or is_hpl
    # fake long-tailed training labels: class y has num_classes - y images
    labels_all = np.repeat(
        np.arange(num_classes), np.arange(num_classes, 0, -1))
    runner = _FakeRunner(model, labels_all, cfg.train_cfg.get('max_epochs', 1))
    hooks = [
        HOOKS.build(copy.deepcopy(h)) for h in cfg.get('custom_hooks', [])
    ]
    for hook in hooks:
        hook.before_train(runner)
    if balance_hooks:
        weights = np.asarray(head.loss_module.class_weight)
        # inverse frequency: the rarest class weighs num_classes times more
        assert weights[-1] / weights[0] == pytest.approx(num_classes)

    if is_hpl:
        assert bool(head.prototypes_ready)
        assert head.prototypes.shape == (num_classes, head.embed_dims)
        optimised = {
            id(p)
            for g in optim_wrapper.optimizer.param_groups
            for p in g['params']
        }
        assert id(head.prototypes) not in optimised
        if head.prototype_type == 'etf':
            stats = prototype_statistics(head.prototypes)
            assert stats['etf_max_abs_dev'] < 1e-4

    labels = torch.randint(0, num_classes, (BATCH, ), generator=gen)
    data = random_batch(shape, labels, gen)
    runner.train_dataloader.batches = [data]
    before = next(model.backbone.parameters()).detach().clone()
    log_vars = model.train_step(data, optim_wrapper)
    assert torch.isfinite(torch.as_tensor(log_vars['loss']))
    assert not torch.equal(before, next(model.backbone.parameters()))
    if head_cfg.get('uniformity_weight', 0) > 0:
        assert 'loss_uniformity' in log_vars
    if is_hpl:
        # every sample of the batch reached the class means (Mixup splits a
        # sample's weight between two classes, the total stays BATCH)
        assert float(head.class_counts.sum()) == pytest.approx(BATCH)
        with caplog.at_level(logging.INFO, logger='test_hpl_configs_step'):
            for hook in hooks:
                hook.after_train_epoch(runner)
        if assign_hooks:
            assert 'labels changed prototype' in caplog.text
            if assign_hooks[0].get('means_from') == 'eval_pass':
                assert (f'evaluation pass over {BATCH} training images'
                        in caplog.text)
        assert sorted(head.assignment.tolist()) == list(range(num_classes))
