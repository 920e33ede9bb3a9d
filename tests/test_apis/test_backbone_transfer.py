"""Classification -> segmentation backbone transfer (DNC Table 3).

Unit tests of :mod:`dnc_mm.apis.backbone_transfer` on small mmpretrain and
mmseg backbones, and (slow) the whole path through the tools: train a DNC
classifier, convert it with ``tools/model_converters/cls_to_seg_backbone.py``,
initialise a DNC-FCN from the file and train it on the bundled benchmark.
"""
import os.path as osp

import pytest
import torch
from mmpretrain.registry import MODELS as CLS_MODELS
from mmseg.registry import MODELS as SEG_MODELS
from tool_runner import loader_options, run_tool

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.apis.backbone_transfer import (BackboneTransferError,
                                           transfer_backbone)
from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

V1C = dict(type='ResNetV1c', depth=18, stem_channels=8, base_channels=8)
SWIN_CLS = dict(
    type='SwinTransformer',
    img_size=32,
    arch=dict(embed_dims=16, depths=[1, 1, 2, 1], num_heads=[1, 1, 2, 2]),
    window_size=2)
SWIN_SEG = dict(
    type='SwinTransformer',
    pretrain_img_size=32,
    embed_dims=16,
    depths=[1, 1, 2, 1],
    num_heads=[1, 1, 2, 2],
    window_size=2)


def classifier_state_dict(backbone_cfg, seed=0):
    """State dict of an mmpretrain classifier (backbone, neck, DNC head)
    with random (non-default) values everywhere."""
    torch.manual_seed(seed)
    backbone = CLS_MODELS.build(backbone_cfg)
    sd = {
        f'backbone.{k}': (torch.randn_like(v) if v.is_floating_point() else v)
        for k, v in backbone.state_dict().items()
    }
    sd['head.classifier.subcentroids'] = torch.randn(10, 4, 8)
    sd['head.projection.weight'] = torch.randn(8)
    return sd


def test_resnet_v1c_stem_renamed_and_values_kept():
    sd = classifier_state_dict(V1C)
    target = SEG_MODELS.build(
        dict(V1C, dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1)))
    report = transfer_backbone(sd, target)
    # mmpretrain stem.{i}.conv / .bn -> mmseg stem.{3i} / stem.{3i+1}
    assert torch.equal(report.state_dict['stem.3.weight'],
                       sd['backbone.stem.1.conv.weight'])
    assert torch.equal(report.state_dict['stem.7.running_var'],
                       sd['backbone.stem.2.bn.running_var'])
    assert torch.equal(report.state_dict['layer4.1.conv2.weight'],
                       sd['backbone.layer4.1.conv2.weight'])
    # every target tensor provided: nothing left at its initialisation
    assert report.missing == []
    assert set(report.state_dict) == set(target.state_dict())
    assert sorted(report.dropped) == [
        'head.classifier.subcentroids', 'head.projection.weight'
    ]
    result = target.load_state_dict(report.state_dict, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    text = report.summary()
    assert 'renamed stem.0.conv.weight -> stem.0.weight' in text
    assert 'head.classifier.subcentroids' in text


def test_swin_extra_output_norms_reported_as_missing():
    sd = classifier_state_dict(SWIN_CLS)
    target = SEG_MODELS.build(SWIN_SEG)
    report = transfer_backbone(sd, target)
    assert {k.split('.')[0]
            for k in report.missing} == {'norm0', 'norm1', 'norm2'}
    for name, value in report.state_dict.items():
        assert torch.equal(value, sd[f'backbone.{name}']), name


def test_other_depth_is_refused_with_names():
    sd = classifier_state_dict(V1C)
    deeper = SEG_MODELS.build(dict(V1C, depth=34))
    with pytest.raises(
            BackboneTransferError,
            match=r'not in the checkpoint:\n  layer1\.2'):
        transfer_backbone(sd, deeper)
    wider = SEG_MODELS.build(dict(V1C, base_channels=16))
    with pytest.raises(BackboneTransferError, match='other shapes'):
        transfer_backbone(sd, wider)


def test_not_a_classifier_checkpoint():
    with pytest.raises(BackboneTransferError, match='no tensor named'):
        transfer_backbone({'conv.weight': torch.zeros(1)},
                          SEG_MODELS.build(V1C))


def test_in_channels_need_the_flag_and_adapt_faithfully():
    sd = classifier_state_dict(dict(V1C, in_channels=1))
    target = SEG_MODELS.build(V1C)  # RGB
    with pytest.raises(BackboneTransferError, match='--adapt-in-channels'):
        transfer_backbone(sd, target)
    report = transfer_backbone(sd, target, adapt_in_channels=True)
    assert report.adapted == ['stem.0.weight']
    # a grey RGB image gives the grey model's response
    grey = torch.randn(1, 1, 6, 6)
    src_w = sd['backbone.stem.0.conv.weight']
    out_src = torch.nn.functional.conv2d(grey, src_w)
    out_dst = torch.nn.functional.conv2d(
        grey.repeat(1, 3, 1, 1), report.state_dict['stem.0.weight'])
    torch.testing.assert_close(out_dst, out_src)


# ----------------------------------------------------------- through tools
CLS_CONFIG = 'configs/dnc/dnc_resnetv1c18-w16_5e_fashion-mnist-10k.py'
SEG_CONFIG = ('configs/dnc_seg/'
              'dnc-fcn_r18-w16-d8-fmnist-dnc-pre_1k_fashion-scenes-128x128.py')


@pytest.mark.slow
def test_dnc_classifier_initialises_dnc_fcn(tmp_path, repo_root, python_exe,
                                            fashion_mnist_small, seg_benchmark,
                                            subprocess_env):
    # 1. a DNC classifier trained here (one epoch on 2,000 images)
    cls_work = str(tmp_path / 'cls')
    run_tool([
        python_exe, 'tools/train.py', CLS_CONFIG, '--work-dir', cls_work,
        '--no-validate', '--cfg-options'
    ] + loader_options(fashion_mnist_small,
                       ('train', )) + ['train_cfg.max_epochs=1'], repo_root,
             subprocess_env)
    cls_ckpt = osp.join(cls_work, 'epoch_1.pth')

    # 2. converted; a mismatching target is refused first
    out = str(tmp_path / 'backbone.pth')
    convert = [
        python_exe, 'tools/model_converters/cls_to_seg_backbone.py', cls_ckpt,
        SEG_CONFIG, out
    ]
    import subprocess
    refused = subprocess.run(
        convert,
        cwd=repo_root,
        env=subprocess_env,
        capture_output=True,
        text=True)
    assert refused.returncode == 1 and '--adapt-in-channels' in \
        refused.stderr, refused.stderr[-2000:]
    assert not osp.exists(out)
    log = run_tool(convert + ['--adapt-in-channels'], repo_root,
                   subprocess_env)
    assert 'adapted input channels of stem.0.weight' in log
    # the DNC head's classifier state (sub-centroids, active slots, anchors,
    # initialised classes, update count, usage), projection and memory:
    # reported dropped
    assert 'head.classifier.* (6 tensors)' in log, log

    # 3. the segmentation model built from the config loads exactly these
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import DefaultScope
    cls_sd = load_checkpoint_file(cls_ckpt, map_location='cpu')['state_dict']
    cfg = Config.fromfile(osp.join(repo_root, SEG_CONFIG))
    cfg.model.backbone.init_cfg.checkpoint = out
    with DefaultScope.overwrite_default_scope('mmseg'):
        seg = revert_sync_batchnorm(SEG_MODELS.build(cfg.model))
        seg.init_weights()
    seg_sd = seg.backbone.state_dict()
    torch.testing.assert_close(seg_sd['layer3.1.conv2.weight'],
                               cls_sd['backbone.layer3.1.conv2.weight'])
    torch.testing.assert_close(seg_sd['stem.4.running_mean'],
                               cls_sd['backbone.stem.1.bn.running_mean'])
    torch.testing.assert_close(
        seg_sd['stem.0.weight'],
        cls_sd['backbone.stem.0.conv.weight'].repeat(1, 3, 1, 1) / 3)

    # 4. and the DNC-FCN trains from it through tools/train.py
    seg_work = str(tmp_path / 'seg')
    log = run_tool([
        python_exe, 'tools/train.py', SEG_CONFIG, '--work-dir', seg_work,
        '--no-validate', '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={out}', 'train_cfg.max_iters=2',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_dataloader.dataset.data_root='
        f'{seg_benchmark}/fashion_scenes'
    ], repo_root, subprocess_env)
    assert f'load model from: {out}' in log
    assert osp.isfile(osp.join(seg_work, 'iter_2.pth'))


def test_train_refuses_missing_backbone_file(repo_root, python_exe,
                                             subprocess_env, tmp_path):
    import subprocess
    proc = subprocess.run([
        python_exe, 'tools/train.py', SEG_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options',
        'model.backbone.init_cfg.checkpoint=checkpoints/nope.pth'
    ],
                          cwd=repo_root,
                          env=subprocess_env,
                          capture_output=True,
                          text=True)
    assert proc.returncode != 0
    assert 'checkpoints/nope.pth' in proc.stderr
    assert 'cls_to_seg_backbone.py' in proc.stderr
