"""The side-by-side benchmark's variants name real options of real configs,
and its table is computed from the per-run records."""
import argparse
import importlib.util
import json
import math
import os
import os.path as osp

import pytest
import torch
from config_cache import REPO_ROOT
from mmengine.config import Config, DictAction
from mmengine.logging import HistoryBuffer

SPEC = importlib.util.spec_from_file_location(
    'bench_dnc_ablation',
    osp.join(REPO_ROOT, 'tools', 'benchmarks', 'bench_dnc_ablation.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

CASES = [(name, variant, budget)
         for name, budget in (('cls', 20), ('seg', 4000), ('transfer', 1000))
         for variant in bench.SUITES[name]['variants']]
#: the option the transfer suite adds to point a run at its backbone file
BACKBONE = ['model.backbone.init_cfg.checkpoint=work/seg-backbone.pth']


def _exists(cfg, key):
    """The option's parent exists (a typo would add a key nothing reads);
    setting the ``type`` of a sub-config (``classifier.init.type``) creates
    that sub-config, so there the grandparent must exist."""
    node = cfg
    parts = key.split('.')
    for part in parts[:-2 if parts[-1] == 'type' else -1]:
        node = node[int(part)] if part.isdigit() else node.get(part)
        if node is None:
            return False
    return True


@pytest.mark.parametrize(
    'suite,variant,budget', CASES, ids=[f'{s}-{v}' for s, v, _ in CASES])
def test_variant_options_apply_to_existing_keys(suite, variant, budget):
    method, config, options = bench.SUITES[suite]['variants'][variant]
    assert variant.startswith(method)
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    opts = (
        options + bench.SUITES[suite]['budget'](budget) +
        bench.SUITES[suite]['checkpoints'](budget, 1000))
    if suite == 'transfer':
        opts += BACKBONE
    for opt in opts:
        key = opt.split('=')[0]
        assert _exists(cfg, key), f'{config} has no parent of {key}'
    parser = argparse.ArgumentParser()  # as tools/train.py parses them
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(
        parser.parse_args(['--cfg-options'] + opts).cfg_options)
    loop = cfg.train_cfg
    assert loop.get('max_epochs', loop.get('max_iters')) == budget


def test_table_means_and_delta_to_the_baseline():
    suite = bench.SUITES['cls']
    runs = [
        dict(variant=v, budget=5, seed=s, **{'accuracy/top1': a})
        for v, accs in (('linear', (80, 82)), ('dnc', (83, 85)))
        for s, a in enumerate(accs)
    ]
    text = bench.table(runs, suite)
    assert '| dnc | 5 | 2 | 84.00 ± 1.41 | +3.00 |' in text
    assert '| linear | 5 | 2 | 81.00 ± 1.41 | +0.00 |' in text


def test_table_compares_a_row_with_the_baseline_on_the_same_seeds():
    # the baseline has seeds 0 and 1 (80, 90), the method seed 0 only
    # (83): +3 on the seed they share, not 83 - 85 = -2
    runs = [
        dict(variant='fcn', budget=100, seed=0, mIoU=80.),
        dict(variant='fcn', budget=100, seed=1, mIoU=90.),
        dict(variant='dnc-fcn', budget=100, seed=0, mIoU=83.),
        dict(variant='cbp', budget=100, seed=2, mIoU=70.),
    ]
    text = bench.table(runs, bench.SUITES['seg'])
    assert '| dnc-fcn | 100 | 1 | 83.00 | +3.00 (seed 0) |' in text
    assert '| fcn | 100 | 2 | 85.00 ± 7.07 | +0.00 |' in text
    assert '| cbp | 100 | 1 | 70.00 |  |' in text  # no seed in common


def test_table_rows_go_by_budget_with_the_baseline_first():
    # records in the order a resumed, extended benchmark leaves them
    runs = [
        dict(variant='dnc-fcn', budget=200, seed=0, mIoU=1.),
        dict(variant='fcn', budget=100, seed=0, mIoU=2.),
        dict(variant='cbp', budget=100, seed=0, mIoU=3.),
        dict(variant='fcn', budget=200, seed=0, mIoU=4.),
        dict(variant='dnc-fcn', budget=100, seed=0, mIoU=5.),
    ]
    rows = [
        line.split(' | ')[:2]
        for line in bench.table(runs, bench.SUITES['seg']).splitlines()[2:]
    ]
    assert rows == [['| fcn', '100'], ['| cbp', '100'], ['| dnc-fcn', '100'],
                    ['| fcn', '200'], ['| dnc-fcn', '200']]


def _fake_run(tmp_path, state_dict):
    """A work dir as tools/train.py leaves it: a scalar log with two
    validations and a last checkpoint."""
    logs = tmp_path / '20261202_000000' / 'vis_data'
    logs.mkdir(parents=True)
    lines = [
        '{"loss": 1.0, "step": 10}', '{"accuracy/top1": 70.0, "step": 1}',
        '{"loss": 0.5, "step": 20}', '{"accuracy/top1": 80.0, "step": 2}'
    ]
    (logs / 'scalars.json').write_text('\n'.join(lines) + '\n')
    ckpt = tmp_path / 'epoch_2.pth'
    # as mmengine saves it: the message hub's HistoryBuffer objects too
    hub = dict(log_scalars={'train/loss': HistoryBuffer([1.0], [1])})
    torch.save(dict(state_dict=state_dict, message_hub=hub), ckpt)
    (tmp_path / 'last_checkpoint').write_text(str(ckpt))
    return str(tmp_path)


def test_curve_and_health_are_read_from_the_run(tmp_path):
    # class 0: two orthogonal sub-centroids used equally; class 1: two
    # identical ones (collapsed), one of them never used
    p = torch.tensor([[[1., 0.], [0., 1.]], [[1., 0.], [1., 0.]]])
    state = {
        'head.classifier.subcentroids': p,
        'head.classifier.active': torch.ones(2, 2, dtype=torch.bool),
        'head.classifier.usage': torch.tensor([[5., 5.], [4., 0.]])
    }
    work = _fake_run(tmp_path, state)
    assert bench.validation_curve(work, 'accuracy/top1') == [[1, 70.0],
                                                             [2, 80.0]]
    health = bench.final_health(work)
    assert health == dict(mean_cos=0.5, max_cos=0.5, usage_entropy=0.5)
    suite = bench.SUITES['cls']
    assert bench.finished_run(work, 2, suite)  # trained to the budget
    assert not bench.finished_run(work, 3, suite)  # stopped before it
    assert not bench.finished_run(str(tmp_path / 'none'), 2, suite)


def test_health_is_none_without_a_dnc_classifier(tmp_path):
    work = _fake_run(tmp_path, {'head.fc.weight': torch.zeros(2, 2)})
    assert bench.final_health(work) is None


def test_plot_writes_a_png(tmp_path):
    runs = [
        dict(
            variant=v,
            budget=b,
            seed=s,
            curve=[[1, a - 5], [2, a]],
            **{'accuracy/top1': a + s}) for v in ('dnc', 'linear')
        for b, a in ((5, 80.), (20, 85.)) for s in (0, 1)
    ]
    out = tmp_path / 'curve.png'
    bench.plot(runs, bench.SUITES['cls'], str(out))
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def _log(work, stamp, lines):
    logs = work / stamp / 'vis_data'
    logs.mkdir(parents=True)
    (logs / 'scalars.json').write_text('\n'.join(lines) + '\n')


def test_the_curve_of_a_resumed_run_joins_its_attempts(tmp_path):
    # the first attempt validated at 1000 and 2000 and was cut; the second
    # resumed from 2000 and validated at 3000 and 4000
    _log(tmp_path, '20261206_000000',
         ['{"mIoU": 10.0, "step": 1000}', '{"mIoU": 20.0, "step": 2000}'])
    _log(tmp_path, '20261206_010000', [
        '{"loss": 0.5, "step": 2500}', '{"mIoU": 30.0, "step": 3000}',
        '{"mIoU": 40.0, "step": 4000}'
    ])
    assert bench.validation_curve(str(tmp_path), 'mIoU') == [[1000, 10.0],
                                                             [2000, 20.0],
                                                             [3000, 30.0],
                                                             [4000, 40.0]]


def _checkpoint(work, name):
    (work / 'last_checkpoint').write_text(str(work / name))


def test_run_or_resume_resumes_a_cut_run_and_records_its_attempts(
        tmp_path, monkeypatch):
    suite = bench.SUITES['seg']
    calls = []

    def fake_train(config, seed, work_dir, extra):
        calls.append(extra)
        return 12.5

    monkeypatch.setattr(bench, 'train', fake_train)
    work = str(tmp_path / 'run')
    bench.run_or_resume('c.py', 0, work, ['--cfg-options', 'a=1'], 4000,
                        suite)  # fresh: no --resume
    _checkpoint(tmp_path / 'run', 'iter_2000.pth')  # then cut at 2,000
    bench.run_or_resume('c.py', 0, work, ['--cfg-options', 'a=1'], 4000, suite)
    # --resume goes before the options (they take every value after them)
    assert calls == [['--cfg-options', 'a=1'],
                     ['--resume', '--cfg-options', 'a=1']]
    attempts = bench.read_attempts(work)
    assert attempts == [{
        'from': 0,
        'wall_s': 12.5
    }, {
        'from': 2000,
        'wall_s': 12.5
    }]
    assert bench.total_wall(attempts) == 25.0
    # an attempt that was cut has no time: the run's total is unknown
    assert math.isnan(
        bench.total_wall(attempts + [{
            'from': 3000,
            'wall_s': None
        }]))


def test_a_run_cut_in_its_last_validation_is_not_silently_retrained(
        tmp_path, monkeypatch):
    monkeypatch.setattr(bench, 'train', lambda *args: pytest.fail('trained'))
    _checkpoint(tmp_path, 'iter_4000.pth')
    with pytest.raises(RuntimeError, match='cut during its last validation'):
        bench.run_or_resume('c.py', 0, str(tmp_path), [], 4000,
                            bench.SUITES['seg'])


def test_last_checkpoint_step_reads_the_suites_names(tmp_path):
    assert bench.last_checkpoint_step(str(tmp_path), bench.SUITES['seg']) \
        is None
    _checkpoint(tmp_path, 'epoch_7.pth')
    assert bench.last_checkpoint_step(str(tmp_path), bench.SUITES['cls']) == 7
    with pytest.raises(RuntimeError, match='not a checkpoint of'):
        bench.last_checkpoint_step(str(tmp_path), bench.SUITES['seg'])


def test_seg_runs_checkpoint_at_every_validation():
    assert bench.seg_checkpoints(16000, 1000) == [
        'default_hooks.checkpoint.interval=1000',
        'default_hooks.checkpoint.max_keep_ckpts=1'
    ]
    assert bench.seg_checkpoints(16000, None)[0].endswith('=16000')


def test_transfer_variants_pair_each_head_with_each_classifier():
    suite = bench.SUITES['transfer']
    pairs = {(suite['variants'][v][0], bench.TRANSFER_PRETRAIN[v])
             for v in suite['variants']}
    assert pairs == {(head, pre)
                     for head in ('fcn', 'dnc-fcn')
                     for pre in ('linear', 'dnc')}
    for variant, (_, config, _) in suite['variants'].items():
        # the backbone the run starts from is the one the suite trains
        cfg = Config.fromfile(osp.join(REPO_ROOT, config))
        assert cfg.model.backbone.init_cfg.type == 'Pretrained', variant
    for config in bench.PRETRAIN_CONFIGS.values():
        assert osp.isfile(osp.join(REPO_ROOT, config))


def _fake_trainer(calls):
    """Stands in for tools/train.py: a classifier run leaves a checkpoint
    holding the real (untrained) weights of its config, which the real
    converter then turns into a segmentation backbone; a segmentation run
    leaves a log and a checkpoint; both validate at the end."""
    from mmengine.registry import init_default_scope

    def fake_train(config, seed, work_dir, extra):
        calls.append((osp.relpath(config, REPO_ROOT), seed, extra))
        cfg = Config.fromfile(config)
        options = dict(o.split('=', 1) for o in extra[1:])
        if cfg.default_scope == 'mmpretrain':
            from mmpretrain.registry import MODELS
            init_default_scope('mmpretrain')
            step, name = int(options['train_cfg.max_epochs']), 'epoch'
            state = MODELS.build(cfg.model).state_dict()
            metric = {'accuracy/top1': 80.0 + seed}
        else:
            step, name = int(options['train_cfg.max_iters']), 'iter'
            state = {}
            metric = {'mIoU': 20.0 + seed}
        logs = osp.join(work_dir, f'2026120{seed}_000000', 'vis_data')
        os.makedirs(logs)
        with open(osp.join(logs, 'scalars.json'), 'w') as f:
            f.write(json.dumps(dict(metric, step=step)) + '\n')
        ckpt = osp.join(work_dir, f'{name}_{step}.pth')
        torch.save(dict(state_dict=state, meta={}), ckpt)
        with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
            f.write(ckpt)
        return 1.0

    return fake_train


@pytest.mark.slow
def test_transfer_fine_tunes_each_seed_from_its_own_classifiers(
        tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(bench, 'train', _fake_trainer(calls))
    out = str(tmp_path / 'transfer.json')
    args = [
        '--suite', 'transfer', '--budgets', '100', '--seeds', '0', '1',
        '--pretrain-epochs', '2', '--work-dir',
        str(tmp_path / 'work'), '--out', out
    ]
    assert bench.main(args) == 0
    runs = json.load(open(out))['runs']
    assert len(runs) == 8  # 4 variants x 2 seeds
    # each classifier (head, seed) is trained once and shared by FCN and
    # DNC-FCN; every fine-tuning run starts from its own seed's classifier
    pretrain_calls = [c for c in calls if c[0].startswith('configs/dnc/')]
    assert sorted((c[0], c[1]) for c in pretrain_calls) == sorted(
        (config, seed) for config in bench.PRETRAIN_CONFIGS.values()
        for seed in (0, 1))
    for run in runs:
        pre = run['pretrain']
        assert (pre['head'], pre['seed'],
                pre['epochs']) == (bench.TRANSFER_PRETRAIN[run['variant']],
                                   run['seed'], 2)
        assert pre['accuracy/top1'] == 80.0 + run['seed']
        assert run['mIoU'] == 20.0 + run['seed']
        fine_tune = next(extra for config, seed, extra in calls
                         if config == run['config'] and seed == run['seed'])
        assert ('model.backbone.init_cfg.checkpoint=' + pre['backbone']
                in fine_tune)
        # the converted file is a backbone that loads into the config
        backbone = torch.load(pre['backbone'], weights_only=True)
        assert backbone['meta']['adapted_in_channels']
        assert not any(
            k.startswith('backbone.') for k in backbone['state_dict'])
    # a rerun finds every record, trains nothing and still writes the
    # table; another pretraining budget needs another --out (its runs
    # would mix with these)
    calls.clear()
    md = tmp_path / 'transfer.md'
    assert bench.main(args + ['--markdown', str(md)]) == 0 and not calls
    assert '| dnc-fcn-dnc-pre | 100 | 2 | 20.50 ± 0.71 | +0.00 |' in (
        md.read_text())
    with pytest.raises(SystemExit):
        bench.main(args[:6] + ['--pretrain-epochs', '3'] + args[8:])
