"""SubCentroidSplitMergeHook under the real runner: rounds, K range, resume."""
import json
import os.path as osp
import sys

import pytest
import torch
from strict_json import strict_json_loads
from tool_runner import loader_options, run_tool

from dnc_mm.compat.checkpoint_loading import load_checkpoint_file
from dnc_mm.core.num_subcentroids import active_subcentroid_mask
from dnc_mm.engine.hooks import SubCentroidSplitMergeHook

CONFIG = 'configs/dnc/dnc_resnet18-w16_autok-5e_fashion-mnist-coarse-10k.py'


def test_round_schedule_alternates_and_stops():
    hook = SubCentroidSplitMergeHook(start_iter=10, interval=5, end_iter=30)
    got = {i: hook.round_type(i) for i in range(1, 40)}
    assert [i for i, m in got.items() if m] == [10, 15, 20, 25, 30]
    assert [got[i] for i in (10, 15, 20, 25, 30)
            ] == ['split', 'merge', 'split', 'merge', 'split']
    with pytest.raises(ValueError, match='init_num_subcentroids'):
        SubCentroidSplitMergeHook(init_num_subcentroids=0)


def test_schedule_ends_on_a_split():
    # rounds at 10 (split), 15 (merge), 20 (split), 25 (merge): the last
    # one is skipped unless final_round='any'
    rounds = {}
    for final in ('split', 'any'):
        hook = SubCentroidSplitMergeHook(
            start_iter=10, interval=5, end_iter=27, final_round=final)
        rounds[final] = [(i, hook.round_type(i)) for i in range(1, 40)
                         if hook.round_type(i)]
    assert rounds['any'] == [(10, 'split'), (15, 'merge'), (20, 'split'),
                             (25, 'merge')]
    assert rounds['split'] == rounds['any'][:3]
    # without end_iter the end of training is the end of the schedule
    hook = SubCentroidSplitMergeHook(start_iter=10, interval=5)
    hook.last_iter = 25  # as before_train sets it from runner.max_iters
    assert hook.round_type(25) is None and hook.round_type(20) == 'split'
    with pytest.raises(ValueError, match='final_round'):
        SubCentroidSplitMergeHook(final_round='merge')
    with pytest.raises(ValueError, match='assignment'):
        SubCentroidSplitMergeHook(assignment='greedy')
    with pytest.raises(ValueError, match='min_accuracy'):
        SubCentroidSplitMergeHook(min_accuracy=1.5)


def test_classes_on_poorly_classified_rows_sit_out_the_round():
    from dnc_mm.engine.hooks.subcentroid_split_merge_hook import \
        _drop_unready_classes

    # class 0: 3 of 4 rows correct; class 1: 1 of 4; a stale row (-1)
    labels = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1, -1])
    correct = torch.tensor([1, 1, 1, 0, 1, 0, 0, 0, 1], dtype=torch.bool)
    out = _drop_unready_classes(labels, correct, 2, 0.5)
    assert out.tolist() == [0, 0, 0, 0, -1, -1, -1, -1, -1]
    assert _drop_unready_classes(labels, correct, 2, 0.0).tolist() == \
        labels.tolist()
    assert (_drop_unready_classes(labels, correct, 2, 1.0) == -1).all()


def _state(path):
    state = load_checkpoint_file(path, map_location='cpu')
    sd = state['state_dict']
    return (sd['head.classifier.active'], sd['head.classifier.subcentroids'],
            state)


def _records(work):
    import glob
    out = []
    for log in sorted(glob.glob(osp.join(work, '2*', 'auto_k.jsonl'))):
        out.append([json.loads(line) for line in open(log)])
    return out


@pytest.mark.slow
def test_auto_k_trains_and_survives_resume(repo_root, fashion_mnist_small,
                                           tmp_path, subprocess_env):
    work = str(tmp_path / 'work')
    opts = loader_options(fashion_mnist_small) + [
        'train_cfg.max_epochs=2',
        'custom_hooks.1.start_iter=4',
        'custom_hooks.1.interval=4',
        'custom_hooks.1.min_samples=5',
        # splits are certain to be tried with a low threshold
        'custom_hooks.1.split_ratio=0.5',
        'custom_hooks.1.merge_ratio=0.4',
        # every round of the alternation runs, on every class
        'custom_hooks.1.final_round=any',
        'custom_hooks.1.min_accuracy=0'
    ]
    cmd = [
        sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
        '--cfg-options'
    ] + opts
    run_tool(cmd, repo_root, subprocess_env)
    k_max = 6
    active1, protos1, _ = _state(osp.join(work, 'epoch_1.pth'))
    active2, protos2, _ = _state(osp.join(work, 'epoch_2.pth'))
    for active, protos in ((active1, protos1), (active2, protos2)):
        k = active.sum(1)
        assert ((k >= 1) & (k <= k_max)).all()
        assert torch.equal(active, active_subcentroid_mask(k, k_max))
        torch.testing.assert_close(protos[active].norm(dim=1),
                                   torch.ones(int(k.sum())))
    (first, ) = _records(work)
    assert first[0]['mode'] == 'init' and first[0]['K'] == [1, 1, 1]
    assert [r['iter'] for r in first[1:]] == list(range(4, 33, 4))
    assert max(max(r['K']) for r in first) > 1  # it did split
    assert first[-1]['K'] == active2.sum(1).tolist()

    # resume from epoch 1: K continues from the checkpoint, not from init
    run_tool(cmd + ['--resume', osp.join(work, 'epoch_1.pth')], repo_root,
             subprocess_env)
    records = _records(work)
    resumed = records[-1]
    assert resumed[0]['mode'] == 'resume'
    assert resumed[0]['iter'] == 16
    assert resumed[0]['K'] == active1.sum(1).tolist()
    assert [r['iter'] for r in resumed[1:]] == list(range(20, 33, 4))
    active_r, _, _ = _state(osp.join(work, 'epoch_2.pth'))
    assert active_r.sum(1).tolist() == resumed[-1]['K']


def test_round_log_is_strict_json(tmp_path):
    """A class without a candidate has a NaN best ratio: the log line has
    ``null`` there (JSON has no NaN) and parses strictly."""
    from types import SimpleNamespace

    from mmengine.logging import MMLogger
    runner = SimpleNamespace(
        logger=MMLogger.get_instance('split_merge_log_test'),
        log_dir=str(tmp_path))
    head = SimpleNamespace(
        classifier=SimpleNamespace(num_subcentroids=torch.tensor([2, 1])))
    SubCentroidSplitMergeHook._log(runner, head, 40, 'split',
                                   torch.tensor([1, 0]), torch.tensor([0, 0]),
                                   torch.tensor([1.3125, float('nan')]))
    line = open(osp.join(str(tmp_path), 'auto_k.jsonl')).read()
    assert strict_json_loads(line) == dict(
        iter=40,
        mode='split',
        K=[2, 1],
        splits=[1, 0],
        merges=[0, 0],
        best=[1.3125, None])
