"""torchrun launches through tools/dist_train.sh on the CPU (gloo): one node
with 2 processes, and 2 nodes (two launches on 127.0.0.1, NODE_RANK 0 and 1)
with one process each, which must end in exactly the same state."""
import os.path as osp
import socket
import subprocess

import pytest
import torch
from tool_runner import loader_options, run_tool

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

# DNC with its memory: all-gathered features, identical state on all ranks
CONFIG = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_one_node_and_two_nodes_train_the_same(tmp_path, repo_root, python_exe,
                                               fashion_mnist_small,
                                               subprocess_env):
    opts = ['--cfg-options', 'train_cfg.max_epochs=1'
            ] + loader_options(fashion_mnist_small)

    one = str(tmp_path / 'one_node')
    env = dict(subprocess_env, PYTHON=python_exe, PORT=str(_free_port()))
    log = run_tool(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', one] + opts,
        repo_root, env)
    assert 'world_size: 2' in log or 'Distributed training: True' in log, \
        log[-3000:]

    two = str(tmp_path / 'two_nodes')
    port = str(_free_port())
    nodes = []
    for node_rank in (0, 1):
        node_env = dict(
            subprocess_env,
            PYTHON=python_exe,
            PORT=port,
            NNODES='2',
            NODE_RANK=str(node_rank),
            MASTER_ADDR='127.0.0.1')
        nodes.append(
            subprocess.Popen(
                [
                    'bash', 'tools/dist_train.sh', CONFIG, '1', '--work-dir',
                    two
                ] + opts,
                cwd=repo_root,
                env=node_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True))
    outputs = [node.communicate(timeout=600)[0] for node in nodes]
    for node, out in zip(nodes, outputs):
        assert node.returncode == 0, out[-3000:]

    a, b = (
        load_checkpoint_file(
            osp.join(work, 'epoch_1.pth'), map_location='cpu')['state_dict']
        for work in (one, two))
    assert a.keys() == b.keys() and any('memory' in k for k in a)
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, f'{len(differ)} of {len(a)} tensors differ: ' \
        f'{differ[:5]}'
