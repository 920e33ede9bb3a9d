"""SubCentroidSplitMergeHook under the real runner: rounds, K range, resume."""
import json
import os.path as osp
import sys

import pytest
import torch

from dnc_mm.core.num_subcentroids import active_subcentroid_mask
from dnc_mm.engine.hooks import SubCentroidSplitMergeHook
from tool_runner import loader_options, run_tool

CONFIG = 'configs/dnc/dnc_resnet18-w16_autok-5e_fashion-mnist-coarse-10k.py'


def test_round_schedule_alternates_and_stops():
    hook = SubCentroidSplitMergeHook(start_iter=10, interval=5, end_iter=30)
    got = {i: hook.round_type(i) for i in range(1, 40)}
    assert [i for i, m in got.items() if m] == [10, 15, 20, 25, 30]
    assert [got[i] for i in (10, 15, 20, 25, 30)] == [
        'split', 'merge', 'split', 'merge', 'split']
    with pytest.raises(ValueError, match='init_num_subcentroids'):
        SubCentroidSplitMergeHook(init_num_subcentroids=0)


def _state(path):
    state = torch.load(path, map_location='cpu', weights_only=False)
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
        'train_cfg.max_epochs=2', 'custom_hooks.1.start_iter=4',
        'custom_hooks.1.interval=4', 'custom_hooks.1.min_samples=5',
        # splits are certain to be tried with a low threshold
        'custom_hooks.1.split_ratio=0.5',
        'custom_hooks.1.merge_ratio=0.4']
    cmd = [sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
           '--cfg-options'] + opts
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
