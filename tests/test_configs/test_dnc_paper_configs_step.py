"""Every classification config under ``configs/dnc/`` trains one step.

For each config (the DNC paper configs, their linear twins and the
Fashion-MNIST pair) the model is built from the config exactly as written
(same head: classes, K, D, projection, momentum, clustering, loss, Mixup /
CutMix ...), with its real optimizer built by mmengine's
``build_optim_wrapper``, and one ``train_step`` (data preprocessor, forward,
loss, backward, optimizer step, sub-centroid update) runs on a random batch
of 2 images, from PyTorch's default initialisation. Only the image size is
reduced: ImageNet models get 32x32 (Swin with ``img_size=32``, 2x2 windows
and ``pad_small_map=True``, see ``_shrink_backbone``), CIFAR models 16x16;
Fashion-MNIST keeps its 28x28.

Configured hooks take part the way the runner would run them:
``SubCentroidMemoryHook`` sizes the head's memory from the batch of 2 (so
1,000 batches = 2,000 rows), which is partly pre-filled so that clustering
also sees memory rows; for ``SubCentroidAnchorHook`` the sub-centroids are
anchored to (fake) training-set indices first, so the step exercises the
anchored update of §4.3.

``tests/test_configs/test_all_configs_build.py`` only builds the models;
this file checks that they train.
"""
import copy
import logging
import os.path as osp

import pytest
import torch
from cls_config_step import one_thread  # noqa: F401  (autouse fixture)
from cls_config_step import (BATCH, build_model_and_optim, hook_cfgs,
                             image_shape, random_batch, shrink_backbone)
from config_cache import REPO_ROOT, load_config, shipped_configs
from mmengine.registry import init_default_scope

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.models.heads import SubCentroidClsHead

CONFIGS = shipped_configs(('dnc', ))

MEMORY_PREFILL = 8  # rows pushed into the memory before the step

# Configs whose step takes more than ~10 s on a 2-core CPU get
# ``@pytest.mark.slow`` (they still run by default). With the reduced sizes
# and one thread none does today: the slowest, Swin-B, takes ~2 s (the whole
# file ~40 s on a loaded 2-core machine). Add a file name here if a new
# config exceeds it.
SLOW = frozenset()


def _params():
    for path in CONFIGS:
        name = osp.basename(path)
        marks = [pytest.mark.slow] if name in SLOW else []
        yield pytest.param(path, id=name, marks=marks)


class _FakeLoader:
    batch_size = BATCH


class _FakeRunner:
    """What SubCentroidMemoryHook.before_train reads from a runner."""

    def __init__(self, model):
        self.model = model
        self.train_dataloader = _FakeLoader()
        self.logger = logging.getLogger('test_dnc_paper_configs_step')


@pytest.mark.parametrize('path', list(_params()))
def test_config_train_step(path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    cfg = load_config(path)
    assert cfg.custom_imports['imports'] == ['dnc_mm']
    init_default_scope(cfg.default_scope)
    from mmpretrain.registry import HOOKS

    shape = image_shape(cfg)
    shrink_backbone(cfg, shape[1])
    model, optim_wrapper = build_model_and_optim(cfg)

    head_cfg = cfg.model.head
    num_classes = head_cfg.num_classes
    head = model.head
    is_dnc = head_cfg.type == 'SubCentroidClsHead'
    assert isinstance(head, SubCentroidClsHead) == is_dnc

    mem_hooks = hook_cfgs(cfg, 'SubCentroidMemoryHook')
    anchor_hooks = hook_cfgs(cfg, 'SubCentroidAnchorHook')
    assert not (mem_hooks or anchor_hooks) or is_dnc, \
        'DNC hooks configured on a model without SubCentroidClsHead'

    sample_idx = None
    mem_labels = None
    if is_dnc:
        k_cfg = head_cfg.get('classifier', {}).get('num_subcentroids', 4)
        k_max = k_cfg if isinstance(k_cfg, int) else max(k_cfg)
        dims = head_cfg.get('embed_dims') or head_cfg.in_channels
        assert tuple(head.classifier.subcentroids.shape) == (num_classes,
                                                             k_max, dims)
        # sub-centroids are buffers, never optimised
        optimised = {
            id(p)
            for g in optim_wrapper.optimizer.param_groups
            for p in g['params']
        }
        assert id(head.classifier.subcentroids) not in optimised

        for hook_cfg in mem_hooks:
            hook = HOOKS.build(copy.deepcopy(hook_cfg))
            hook.before_train(_FakeRunner(model))
            # earlier batches + room for the current one
            assert head.memory.capacity == (hook_cfg.size_in_batches +
                                            1) * BATCH
            # earlier, correctly classified samples: they take part in the
            # clustering of this step whatever the random model predicts
            feats = torch.nn.functional.normalize(
                torch.randn(MEMORY_PREFILL, dims, generator=gen), dim=1)
            mem_labels = torch.randint(
                0, num_classes, (MEMORY_PREFILL, ), generator=gen)
            head.memory.push(feats, mem_labels,
                             torch.ones(MEMORY_PREFILL, dtype=torch.bool))

        for hook_cfg in anchor_hooks:
            hook = HOOKS.build(copy.deepcopy(hook_cfg))
            assert hook.anchor_epoch < cfg.train_cfg.max_epochs
            # what the hook does at epoch `anchor_epoch`: every active slot
            # gets a training image (here: fake dataset indices and features)
            active = head.classifier.active
            fake_idx = torch.arange(active.numel()).view_as(active)
            fake_idx = fake_idx.masked_fill(~active, -1)
            head.classifier.set_anchors(
                fake_idx, torch.randn(num_classes, k_max, dims, generator=gen))
            assert head.classifier.anchored

    labels = torch.randint(0, num_classes, (BATCH, ), generator=gen)
    if anchor_hooks:
        # the batch holds the anchor image of the first slot of its class
        sample_idx = head.classifier.anchor_indices[labels, 0].tolist()
    data = random_batch(shape, labels, gen, sample_idx)
    before_param = next(model.backbone.parameters()).detach().clone()
    before_protos = (head.classifier.subcentroids.clone() if is_dnc else None)
    filled = head.memory.num_filled.item() if is_dnc else 0

    log_vars = model.train_step(data, optim_wrapper)

    loss = log_vars['loss']
    assert torch.isfinite(torch.as_tensor(loss)), f'loss is {loss}'
    after_param = next(model.backbone.parameters()).detach()
    assert not torch.equal(before_param, after_param), \
        'the optimizer step did not change the backbone'
    if is_dnc:
        protos = head.classifier.subcentroids
        assert torch.isfinite(protos).all()
        norms = protos[head.classifier.active].norm(dim=-1)
        assert torch.allclose(norms, torch.ones_like(norms), atol=1e-4)
        if mem_hooks:
            assert head.memory.num_filled.item() == min(
                filled + BATCH, head.memory.capacity)
        if mem_labels is not None and not anchor_hooks:
            # the memory rows were clustered: their classes' sub-centroids
            # took a momentum step (Eq. 8)
            assert not torch.allclose(protos[mem_labels],
                                      before_protos[mem_labels])
        moves_all = (
            anchor_hooks or not head_cfg.get('classifier', {}).get(
                'update_correct_only', True))
        if moves_all and head.classifier.momentum < 1:
            # anchored update / DeepNCM-style means: every sample counts, so
            # the sub-centroids of the batch's classes must have moved
            first = protos[labels, 0]
            assert not torch.allclose(first, before_protos[labels, 0])
