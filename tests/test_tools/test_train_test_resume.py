"""End-to-end: tools/train.py, --resume and tools/test.py on real data."""
import os.path as osp
import pickle
import re

import pytest
from tool_runner import CONFIG, loader_options, run_tool


@pytest.mark.slow
def test_train_resume_test(tmp_path, repo_root, python_exe,
                           fashion_mnist_small, subprocess_env):
    work = str(tmp_path / 'work')
    train = [python_exe, 'tools/train.py', CONFIG, '--work-dir', work]
    train_opts = loader_options(fashion_mnist_small)
    run_tool(
        train + ['--cfg-options'] + train_opts + ['train_cfg.max_epochs=2'],
        repo_root, subprocess_env)
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))

    # resume the same run with a longer schedule: it must go on at epoch 3
    log = run_tool(
        train + ['--resume', '--cfg-options'] + train_opts +
        ['train_cfg.max_epochs=3'], repo_root, subprocess_env)
    assert 'resumed epoch: 2' in log, log[-2000:]
    assert 'Epoch(train)   [1]' not in log
    assert osp.isfile(osp.join(work, 'epoch_3.pth'))

    out = str(tmp_path / 'pred.pkl')
    log = run_tool([
        python_exe, 'tools/test.py', CONFIG,
        osp.join(work, 'epoch_3.pth'), '--work-dir',
        str(tmp_path / 'test'), '--out', out, '--cfg-options'
    ] + loader_options(fashion_mnist_small, ('test', )), repo_root,
                   subprocess_env)
    acc = float(re.search(r'accuracy/top1: ([0-9.]+)', log).group(1))
    # 10 balanced classes: chance is 10%. 3 epochs (48 iterations, still at
    # a high learning rate) on 2k images reach about 41% here
    assert acc > 25.0, log[-2000:]
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 1000
