"""PrototypeAssignmentHook through the real tools: logging and --resume."""
import os.path as osp
import re

import pytest
import torch
from tool_runner import loader_options, run_tool

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file

CONFIG = 'configs/hpl/hpl_resnet8-w16-d3_6e_fashion-mnist-2k.py'


def head_state(path):
    state = load_checkpoint_file(path, map_location='cpu')
    return {
        k[len('head.'):]: v
        for k, v in state['state_dict'].items() if k.startswith('head.')
    }


@pytest.mark.slow
def test_assignment_logged_saved_and_restored_on_resume(
        tmp_path, repo_root, python_exe, fashion_mnist_small, subprocess_env):
    work = str(tmp_path / 'work')
    protos = str(tmp_path / 'protos' / 'hpl_d3_c10_seed0.pt')
    train = [python_exe, 'tools/train.py', CONFIG, '--work-dir', work]
    opts = loader_options(fashion_mnist_small) + [
        f'model.head.prototype_file={protos}'
    ]
    log = run_tool(
        train + ['--cfg-options'] + opts + ['train_cfg.max_epochs=2'],
        repo_root, subprocess_env)
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
    log = run_tool(
        train + ['--resume', '--cfg-options'] + opts +
        ['train_cfg.max_epochs=3', 'custom_hooks.0.interval=100'], repo_root,
        subprocess_env)
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
    log = run_tool([
        'bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work,
        '--cfg-options', 'train_cfg.max_epochs=1',
        f'model.head.prototype_file={protos}'
    ] + loader_options(fashion_mnist_small), repo_root, env)
    assert 'labels changed prototype' in log, log[-3000:]
    head = head_state(osp.join(work, 'epoch_1.pth'))
    # both ranks' samples reached the means: one epoch of the 2,000 images
    assert float(head['class_counts'].sum()) == pytest.approx(2000)
    assert sorted(head['assignment'].tolist()) == list(range(10))


class _Runner:
    """What the hook reads of a runner: loop counters, model, log."""

    def __init__(self, model, max_epochs, iters_per_epoch):
        from mmengine.logging import MessageHub, MMLogger
        self.model = model
        self.max_epochs = max_epochs
        self.max_iters = max_epochs * iters_per_epoch
        self.epoch = self.iter = 0
        self.logger = MMLogger.get_instance('hpl_hook_test')
        self.message_hub = MessageHub.get_instance('hpl_hook_test')


def _run(hook, runner, iters_per_epoch):
    """Drive the hook through the loop; the (epoch, iter) of each
    re-assignment (1-based)."""
    from dnc_mm.models.heads import HypersphericalPrototypeClsHead
    calls = []
    head = runner.model
    assert isinstance(head, HypersphericalPrototypeClsHead)
    head.reassign = lambda means=None: calls.append(
        (runner.epoch + 1, runner.iter + 1)) or 0
    hook.before_train(runner)
    for runner.epoch in range(runner.max_epochs):
        for i in range(iters_per_epoch):
            runner.iter = runner.epoch * iters_per_epoch + i
            hook.after_train_iter(runner, i)
        hook.after_train_epoch(runner)
    return calls


def test_no_reassignment_in_the_last_epochs_or_iterations(mmpretrain_scope):
    from dnc_mm.engine.hooks import PrototypeAssignmentHook
    from dnc_mm.models.heads import HypersphericalPrototypeClsHead

    def head():
        return HypersphericalPrototypeClsHead(
            num_classes=3, in_channels=4, estimate_cfg=dict(iters=5))

    # 5 epochs of 4 iterations; by epoch: the paper's schedule re-assigns
    # after every epoch, the last one included
    every = _run(PrototypeAssignmentHook(), _Runner(head(), 5, 4), 4)
    assert [e for e, _ in every] == [1, 2, 3, 4, 5]
    # stop_last_epochs=2: the last re-assignment closes epoch 3, so epochs
    # 4 and 5 train on the final assignment
    stop2 = _run(
        PrototypeAssignmentHook(stop_last_epochs=2), _Runner(head(), 5, 4), 4)
    assert [e for e, _ in stop2] == [1, 2, 3]
    # by iteration (every 3 iterations of 20), none in the last 6
    by_iter = _run(
        PrototypeAssignmentHook(interval=3, by_epoch=False, stop_last_iters=6),
        _Runner(head(), 5, 4), 4)
    assert [i for _, i in by_iter] == [3, 6, 9, 12]
    by_iter_ep = _run(
        PrototypeAssignmentHook(
            interval=3, by_epoch=False, stop_last_epochs=1),
        _Runner(head(), 5, 4), 4)
    assert [i for _, i in by_iter_ep] == [3, 6, 9, 12, 15]
    for bad in (-1, 1.5, True):
        with pytest.raises(
                ValueError, match='stop_last_epochs must be an '
                'integer >= 0'):
            PrototypeAssignmentHook(stop_last_epochs=bad)


def _hpl_model():
    """The bundled HPL model (ResNet-8, d = 3), prototypes estimated."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(CONFIG)
    cfg.model.head.estimate_cfg = dict(iters=20)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def _batches(num_batches, batch_size=6, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(num_batches):
        imgs = torch.randint(0, 256, (batch_size, 1, 28, 28), generator=g)
        labels = torch.randint(0, 4, (batch_size, ), generator=g)
        out.append(
            dict(
                inputs=[im.to(torch.uint8) for im in imgs],
                data_samples=[
                    DataSample().set_gt_label(int(y)) for y in labels
                ]))
    return out


def test_eval_pass_means_by_hand_and_used_by_the_assignment(mmpretrain_scope):
    """means_from='eval_pass': the model in eval mode embeds the loader's
    images (no Mixup), per-class means decide the assignment, classes
    without a sample keep their running mean, the running buffer and the
    model's training mode are untouched, eval_batches caps the pass."""
    from dnc_mm.core.prototype_assignment import hungarian_assignment
    from dnc_mm.engine.hooks import PrototypeAssignmentHook
    torch.manual_seed(0)
    model = _hpl_model()
    head = model.head
    head.class_means.copy_(torch.randn(10, 3))
    running = head.class_means.clone()
    model.train()
    batches = _batches(3)
    runner = _Runner(model, 2, 3)
    runner.train_dataloader = batches

    # by hand: eval mode (BatchNorm running statistics), first two batches
    model.eval()
    with torch.no_grad():
        zs, ys = [], []
        for batch in batches[:2]:
            data = model.data_preprocessor(batch, False)
            zs.append(head.pre_logits(model.extract_feat(data['inputs'])))
            ys.append(torch.cat([s.gt_label for s in data['data_samples']]))
    model.train()
    z, y = torch.cat(zs), torch.cat(ys)
    expected = running.clone()
    for c in y.unique():
        expected[c] = z[y == c].mean(0)
    assert set(y.tolist()) < set(range(10))  # some classes unseen

    hook = PrototypeAssignmentHook(means_from='eval_pass', eval_batches=2)
    hook.before_train(runner)
    means = hook.eval_pass_means(runner)
    torch.testing.assert_close(means, expected)
    assert model.training and torch.equal(head.class_means, running)
    # the whole loader without a cap differs (a third batch)
    assert not torch.allclose(
        PrototypeAssignmentHook(
            means_from='eval_pass').eval_pass_means(runner), expected)

    hook._reassign(runner)
    assert torch.equal(head.assignment,
                       hungarian_assignment(expected, head.prototypes))
    assert not torch.equal(head.assignment,
                           hungarian_assignment(running, head.prototypes))


def test_eval_pass_bad_settings_fail_before_training(mmpretrain_scope):
    from dnc_mm.engine.hooks import PrototypeAssignmentHook
    from dnc_mm.models.heads import HypersphericalPrototypeClsHead
    with pytest.raises(ValueError, match='means_from'):
        PrototypeAssignmentHook(means_from='eval')
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match='eval_batches must be'):
            PrototypeAssignmentHook(eval_batches=bad)
    # a bare head (no ImageClassifier around it) cannot be embedded
    runner = _Runner(
        HypersphericalPrototypeClsHead(
            num_classes=3, in_channels=4, estimate_cfg=dict(iters=5)), 2, 2)
    with pytest.raises(TypeError, match="means_from='running'"):
        PrototypeAssignmentHook(means_from='eval_pass').before_train(runner)

    class _Loader(list):
        persistent_workers = True

    runner = _Runner(_hpl_model(), 2, 2)
    runner.train_dataloader = _Loader(_batches(1))
    with pytest.raises(ValueError, match='persistent_workers=False'):
        PrototypeAssignmentHook(
            means_from='eval_pass', by_epoch=False).before_train(runner)
    PrototypeAssignmentHook(means_from='eval_pass').before_train(runner)
