"""A run killed with SIGKILL and resumed with ``--resume`` ends with exactly
the weights, sub-centroids, feature memory and optimizer state of the same
run done in one go (tools/train.py, the main DNC config with its memory, on
real data, CPU)."""
import os
import os.path as osp
import signal
import subprocess
import time

import pytest
import torch
from tool_runner import loader_options, run_tool

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

CONFIG = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'


def _tensors(tree, prefix=''):
    """Every tensor of a nested checkpoint, by path."""
    if isinstance(tree, torch.Tensor):
        return {prefix: tree}
    out = {}
    items = (
        tree.items() if isinstance(tree, dict) else
        enumerate(tree) if isinstance(tree, (list, tuple)) else ())
    for key, value in items:
        out.update(_tensors(value, f'{prefix}/{key}'))
    return out


@pytest.mark.slow
def test_killed_and_resumed_run_equals_uninterrupted(tmp_path, repo_root,
                                                     python_exe,
                                                     fashion_mnist_small,
                                                     subprocess_env):
    opts = ['--cfg-options'] + loader_options(fashion_mnist_small) + [
        'train_cfg.max_epochs=2', 'default_hooks.logger.interval=4'
    ]

    def train(work, *extra):
        return [
            python_exe, 'tools/train.py', CONFIG, '--work-dir', work, *extra
        ] + opts

    straight = str(tmp_path / 'straight')
    run_tool(train(straight), repo_root, subprocess_env)

    killed = str(tmp_path / 'killed')
    proc = subprocess.Popen(
        train(killed),
        cwd=repo_root,
        env=subprocess_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    marker = osp.join(killed, 'last_checkpoint')
    deadline = time.time() + 300
    while not osp.isfile(marker) and proc.poll() is None:
        assert time.time() < deadline, 'no epoch-1 checkpoint after 300 s'
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)  # in epoch 2, or writing its files
    proc.wait()
    assert not osp.isfile(osp.join(killed, 'epoch_2.pth')), \
        'the run finished before it was killed: the test proves nothing'
    log = run_tool(train(killed, '--resume'), repo_root, subprocess_env)
    assert 'resumed epoch: 1' in log, log[-2000:]

    a = load_checkpoint_file(
        osp.join(straight, 'epoch_2.pth'), map_location='cpu')
    b = load_checkpoint_file(
        osp.join(killed, 'epoch_2.pth'), map_location='cpu')
    ta = _tensors({k: a[k] for k in ('state_dict', 'optimizer')})
    tb = _tensors({k: b[k] for k in ('state_dict', 'optimizer')})
    assert ta.keys() == tb.keys()
    assert any('memory' in k for k in ta) and any('subcentroids' in k
                                                  for k in ta)
    differ = [k for k in ta if not torch.equal(ta[k], tb[k])]
    assert not differ, f'{len(differ)} of {len(ta)} tensors differ: ' \
        f'{differ[:5]}'
