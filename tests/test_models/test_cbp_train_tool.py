"""CBP + OCCL through the project's train/test tools on the bundled data:
the frozen prototypes never change (also across --resume), OCCL and CS are
logged, the checkpoint tests."""
import os.path as osp
import re

import pytest
import torch
from tool_runner import loader_options, run_tool

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

CONFIG = 'configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py'
KEY = 'decode_head.conv_seg.prototypes'


@pytest.mark.slow
def test_cbp_occl_train_resume_test(tmp_path, repo_root, python_exe,
                                    seg_benchmark, subprocess_env):
    work = str(tmp_path / 'work')
    data_root = osp.join(seg_benchmark, 'fashion_scenes')
    opts = [
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=5',
        'train_dataloader.batch_size=2', 'val_dataloader.dataset.indices=4',
        'test_dataloader.dataset.indices=4', 'train_cfg.val_interval=3'
    ] + loader_options(data_root)
    train = [python_exe, 'tools/train.py', CONFIG, '--work-dir', work]
    log = run_tool(train + ['--cfg-options', 'train_cfg.max_iters=3'] + opts,
                   repo_root, subprocess_env)
    occl = [float(v) for v in re.findall(r'decode\.loss_occl: ([0-9.]+)', log)]
    assert len(occl) == 3 and all(v > 0 for v in occl), log[-3000:]
    assert re.search(r'class_separability: -?0\.0000', log), log[-3000:]
    assert re.search(r'mF1: [0-9.]+', log), log[-3000:]
    log = run_tool(
        train + ['--resume', '--cfg-options', 'train_cfg.max_iters=4'] + opts,
        repo_root, subprocess_env)
    assert 'resumed' in log.lower() or 'Load checkpoint' in log, log[-2000:]
    ckpts = [
        load_checkpoint_file(
            osp.join(work, f'iter_{i}.pth'), map_location='cpu')['state_dict']
        for i in (1, 3, 4)
    ]
    for sd in ckpts[1:]:
        assert torch.equal(sd[KEY], ckpts[0][KEY])
    w = ckpts[0][KEY].double()
    gram = w @ w.t()
    assert torch.allclose(
        gram, 4 * torch.eye(11, dtype=torch.float64), atol=1e-4)
    conv = [
        k for k in ckpts[0]
        if k.startswith('backbone.') and k.endswith('conv1.weight')
    ][0]
    assert not torch.equal(ckpts[0][conv], ckpts[2][conv])  # it trained
    log = run_tool([
        python_exe, 'tools/test.py', CONFIG,
        osp.join(work, 'iter_4.pth'), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options'
    ] + loader_options(data_root,
                       ('test', )) + ['test_dataloader.dataset.indices=4'],
                   repo_root, subprocess_env)
    assert re.search(r'mIoU: [0-9.]+', log) and 'class_separability' in log
