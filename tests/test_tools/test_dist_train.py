"""A 2-process torchrun launch through tools/dist_train.sh on the CPU."""
import os.path as osp
import socket

import pytest

from tool_runner import CONFIG, loader_options, run_tool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dist_train_two_processes(tmp_path, repo_root, python_exe,
                                  fashion_mnist_small, subprocess_env):
    env = dict(subprocess_env, PYTHON=python_exe, PORT=str(_free_port()))
    work = str(tmp_path / 'work')
    log = run_tool(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
                    work, '--cfg-options', 'train_cfg.max_epochs=1'] +
                   loader_options(fashion_mnist_small), repo_root, env)
    assert 'Distributed launcher: pytorch' in log or 'world_size: 2' in log \
        or 'Distributed training: True' in log, log[-3000:]
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
