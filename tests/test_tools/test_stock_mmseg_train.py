"""A config that only adds custom_imports trains with mmseg's own train.py."""
import os.path as osp
import re

import mmseg
import pytest
from tool_runner import loader_options, run_tool

CONFIG = 'configs/fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py'


@pytest.mark.slow
def test_stock_mmseg_train_fcn_on_benchmark(tmp_path, repo_root, python_exe,
                                            seg_benchmark, subprocess_env):
    stock_train = osp.join(
        osp.dirname(mmseg.__file__), '.mim', 'tools', 'train.py')
    assert osp.isfile(stock_train), 'mmseg ships tools/ in .mim'
    work = str(tmp_path / 'work')
    data_root = osp.join(seg_benchmark, 'fashion_scenes')
    log = run_tool([
        python_exe, stock_train, CONFIG, '--work-dir', work, '--cfg-options',
        'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'val_dataloader.dataset.indices=4'
    ] + loader_options(data_root, ('train', 'val')), repo_root, subprocess_env)
    losses = [float(v) for v in re.findall(r'\bloss: ([0-9.]+)', log)]
    assert len(losses) == 4 and all(v > 0 for v in losses), log[-3000:]
    assert re.search(r'mIoU: [0-9.]+', log), log[-3000:]
    assert osp.isfile(osp.join(work, 'iter_4.pth'))
