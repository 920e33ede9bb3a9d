"""End-to-end DNC-FCN on the bundled benchmark: tools/train.py, --resume,
tools/test.py and the sub-centroid map tool."""
import glob
import json
import os.path as osp

import pytest
from tool_runner import loader_options, run_tool

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

CONFIG = 'configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py'


def subcentroids(path):
    sd = load_checkpoint_file(path, map_location='cpu')
    return sd['state_dict']['decode_head.classifier.subcentroids']


@pytest.mark.slow
def test_dnc_fcn_train_resume_test_show(tmp_path, repo_root, python_exe,
                                        seg_benchmark, subprocess_env):
    root = osp.join(seg_benchmark, 'fashion_scenes')
    work = str(tmp_path / 'work')
    train = [
        python_exe, 'tools/train.py', CONFIG, '--work-dir', work,
        '--no-validate', '--cfg-options', 'train_dataloader.batch_size=2',
        'default_hooks.checkpoint.interval=2'
    ] + loader_options(root, ('train', ))
    run_tool(train + ['train_cfg.max_iters=2'], repo_root, subprocess_env)
    first = subcentroids(osp.join(work, 'iter_2.pth'))

    log = run_tool(train + ['train_cfg.max_iters=4', '--resume'], repo_root,
                   subprocess_env)
    assert 'resumed' in log and 'iter: 2' in log, log[-2000:]
    assert 'Iter(train) [1/4]' not in log
    resumed = subcentroids(osp.join(work, 'iter_4.pth'))
    # the run went on from the saved sub-centroids: with mu = 0.999 two more
    # updates move each unit vector by at most a few thousandths, while
    # fresh random ones would be nearly orthogonal to the saved ones
    cos = (first * resumed).sum(-1)
    assert cos.min() > 0.99, cos.min()

    out = str(tmp_path / 'pred')
    log = run_tool([
        python_exe, 'tools/test.py', CONFIG,
        osp.join(work, 'iter_4.pth'), '--work-dir',
        str(tmp_path / 'test'), '--out', out, '--cfg-options'
    ] + loader_options(root, ('test', )), repo_root, subprocess_env)
    assert 'mIoU' in log
    assert len(glob.glob(osp.join(out, '*.png'))) == 100

    maps = str(tmp_path / 'maps')
    run_tool([
        python_exe, 'tools/analysis_tools/show_subcentroids.py', CONFIG,
        osp.join(work, 'iter_4.pth'), '--out-dir', maps, '--num-images', '2',
        '--cfg-options'
    ] + loader_options(root, ('test', )), repo_root, subprocess_env)
    assert len(glob.glob(osp.join(maps, '*_subcentroids.png'))) == 2
    with open(osp.join(maps, 'usage.json')) as f:
        usage = json.load(f)
    assert sum(sum(v) for v in usage.values()) == 2 * 128 * 128
