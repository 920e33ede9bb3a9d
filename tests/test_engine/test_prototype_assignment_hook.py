"""PrototypeAssignmentHook through the real tools: logging and --resume."""
import os.path as osp
import re

import pytest
import torch

from tool_runner import loader_options, run_tool

CONFIG = 'configs/hpl/hpl_resnet8-w16-d3_6e_fashion-mnist-2k.py'


def head_state(path):
    state = torch.load(path, map_location='cpu', weights_only=False)
    return {k[len('head.'):]: v for k, v in state['state_dict'].items()
            if k.startswith('head.')}


@pytest.mark.slow
def test_assignment_logged_saved_and_restored_on_resume(
        tmp_path, repo_root, python_exe, fashion_mnist_small, subprocess_env):
    work = str(tmp_path / 'work')
    protos = str(tmp_path / 'protos' / 'hpl_d3_c10_seed0.pt')
    train = [python_exe, 'tools/train.py', CONFIG, '--work-dir', work]
    opts = loader_options(fashion_mnist_small) + [
        f'model.head.prototype_file={protos}']
    log = run_tool(train + ['--cfg-options'] + opts +
                   ['train_cfg.max_epochs=2'], repo_root, subprocess_env)
    changes = re.findall(r'(\d+) of 10 labels changed prototype', log)
    assert len(changes) == 2, log[-3000:]  # once per epoch
    assert osp.isfile(protos)  # estimated at start-up and cached
    ep2 = head_state(osp.join(work, 'epoch_2.pth'))
    assert not torch.equal(ep2['assignment'], torch.arange(10)), \
        'the assignment never moved: the resume check below would be void'
    assert sorted(ep2['assignment'].tolist()) == list(range(10))
    assert float(ep2['class_counts'].sum()) == pytest.approx(2 * 2000)

    # resume for one more epoch without re-assignment (interval 100): the
    # restored assignment must be the one of epoch 2 (not the identity of a
    # fresh head) and the class means must go on from epoch 2
    log = run_tool(train + ['--resume', '--cfg-options'] + opts +
                   ['train_cfg.max_epochs=3', 'custom_hooks.0.interval=100'],
                   repo_root, subprocess_env)
    assert 'resumed epoch: 2' in log, log[-2000:]
    assert 'labels changed prototype' not in log
    ep3 = head_state(osp.join(work, 'epoch_3.pth'))
    assert torch.equal(ep3['assignment'], ep2['assignment'])
    assert torch.equal(ep3['prototypes'], ep2['prototypes'])
    assert float(ep3['class_counts'].sum()) == pytest.approx(3 * 2000)
    assert not torch.equal(ep3['class_means'], ep2['class_means'])


@pytest.mark.slow
def test_hpl_trains_with_two_processes(tmp_path, repo_root, python_exe,
                                       fashion_mnist_small, subprocess_env):
    """tools/dist_train.sh, 2 gloo ranks (DDP): all-reduced class means,
    broadcast assignment and prototypes, buffers broadcast by DDP."""
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = dict(subprocess_env, PYTHON=python_exe, PORT=str(port))
    work = str(tmp_path / 'work')
    protos = str(tmp_path / 'hpl_d3_c10_seed0.pt')
    log = run_tool(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
                    work, '--cfg-options', 'train_cfg.max_epochs=1',
                    f'model.head.prototype_file={protos}'] +
                   loader_options(fashion_mnist_small), repo_root, env)
    assert 'labels changed prototype' in log, log[-3000:]
    head = head_state(osp.join(work, 'epoch_1.pth'))
    # both ranks' samples reached the means: one epoch of the 2,000 images
    assert float(head['class_counts'].sum()) == pytest.approx(2000)
    assert sorted(head['assignment'].tolist()) == list(range(10))
