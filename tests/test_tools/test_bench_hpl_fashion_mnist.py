"""The HPL benchmark's methods are real options of the shipped configs, and
its table is computed from the per-run records."""
import copy
import importlib.util
import os.path as osp

import pytest
from config_cache import REPO_ROOT
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import HOOKS, MODELS

import dnc_mm  # noqa: F401  (registers the heads and hooks)
from dnc_mm.compat import load_checkpoint_file

SPEC = importlib.util.spec_from_file_location(
    'bench_hpl_fashion_mnist',
    osp.join(REPO_ROOT, 'tools', 'benchmarks', 'bench_hpl_fashion_mnist.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

CASES = [(suite, setting, method) for suite in bench.SUITES
         for setting in bench.SUITES[suite] for method in bench.METHODS]


@pytest.mark.parametrize('suite', list(bench.SUITES))
def test_every_method_builds_from_its_config(suite):
    """Each method's change lands on a key the built head or hook reads."""
    for setting in bench.SUITES[suite]:
        for method in bench.METHODS:
            cfg = Config.fromfile(bench.config_path(suite, method, setting))
            init_default_scope(cfg.default_scope)
            change = bench.METHODS[method][1]
            if change is not None:
                change(cfg)
            head = MODELS.build(copy.deepcopy(cfg.model.head))
            hooks = {
                h['type']: HOOKS.build(copy.deepcopy(h))
                for h in cfg.get('custom_hooks', [])
            }
            where = f'{suite}/{setting}/{method}'
            if method.startswith('cos-softmax'):
                assert head.cosine_scale == 16.0 and head.fc.bias is None
                learned = head.scale is not None
                assert learned == method.endswith('-learned'), where
            elif method.startswith('psc'):
                assert head.cosine_scale is None, where
                assert head.uniformity_weight == (0.01 if method == 'psc-uni'
                                                  else 0.0), where
            elif method in ('hpl-unmixed', 'hpl-dominant'):
                assert head.class_mean_source == method[4:], where
                assign = hooks['PrototypeAssignmentHook']
                assert assign.means_from == 'running', where
            elif method == 'hpl-eval-pass':
                assign = hooks['PrototypeAssignmentHook']
                assert assign.means_from == 'eval_pass', where
            elif method == 'hpl':  # the paper's, whatever the config ships
                assert head.class_mean_source == 'mixed', where
                assign = hooks['PrototypeAssignmentHook']
                assert assign.means_from == 'running', where
            else:  # fixed-proto: the same head, never re-assigned
                assert type(head).__name__ == 'HypersphericalPrototypeClsHead'
                assert 'PrototypeAssignmentHook' not in hooks, where


def test_table_means_and_per_seed_leads():
    records = [
        dict(
            setting='lt0.01',
            budget=40,
            dims=64,
            method=m,
            seed=s,
            **{bench.METRIC: a})
        for m, accs in (('hpl', (70., 72., 74.)),
                        ('fixed-proto', (71., 70., 73.)), ('psc', (60., 62.)))
        for s, a in enumerate(accs)
    ] + [
        dict(
            setting='lt0.01',
            budget=40,
            dims=10,
            method='hpl',
            seed=0,
            **{bench.METRIC: 55.})
    ]
    text = bench.table(records)
    assert text.startswith(bench.TITLE + '\n')
    assert '## lt0.01, 40 epochs' in text
    # HPL − fixed: -1, +2, +1 -> +0.67, ahead on 2 of 3; HPL − PSC on the
    # two shared seeds: +10, +10
    assert ('| 64 | 72.00 ± 2.00 (3) | 71.33 ± 1.53 (3) | 61.00 ± 1.41 (2) '
            '| +0.67 (2/3 ahead) | +10.00 (2/2 ahead) |') in text
    # a single run has no std; no reference run, no lead
    assert '| 10 | 55.00 (1) |  |  |  |  |' in text


def test_a_fixed_scale_of_the_cosine_softmax_is_a_method():
    """``cos-softmax-s<S>`` runs the control with the scale ``S`` and is
    tabled after the named methods, by scale; other names are refused
    with the choices."""
    cfg = Config.fromfile(
        bench.config_path('converged', 'cos-softmax-s2.5', 'lt0.01'))
    bench.method_spec('cos-softmax-s2.5')[1](cfg)
    assert cfg.model.head.cosine_scale == 2.5
    assert 'psc_' in bench.config_path('converged', 'cos-softmax-s4', 'lt0.01')
    with pytest.raises(ValueError, match='cos-softmax-s<S>'):
        bench.method_spec('cos-softmax-big')
    assert bench.method_order(
        ['cos-softmax-s16', 'psc', 'cos-softmax-s2',
         'hpl']) == ['hpl', 'psc', 'cos-softmax-s2', 'cos-softmax-s16']
    records = [
        dict(
            setting='lt0.01',
            budget=40,
            dims=10,
            method=m,
            seed=0,
            **{bench.METRIC: a})
        for m, a in (('cos-softmax-s8', 49.0), ('psc', 74.0))
    ]
    assert '| d | psc | cos-softmax-s8 |' in bench.table(records)


def test_each_table_has_the_columns_of_its_own_runs():
    records = [
        dict(
            setting='lt0.01',
            budget=budget,
            dims=64,
            method=m,
            seed=0,
            **{bench.METRIC: 70.0})
        for budget, m in ((40, 'hpl'), (40, 'cos-softmax-s8'), (80, 'hpl'),
                          (80, 'psc'))
    ]
    text = bench.table(records)
    assert '| d | hpl | cos-softmax-s8 |\n' in text  # no psc column at 40
    assert '| d | hpl | psc | HPL − psc |\n' in text


def test_budget_table_pairs_each_method_with_its_previous_budget(tmp_path):
    """Methods run at several budgets get a row per method across budgets
    and the per-seed gain of their largest budget over the one before;
    methods run at one budget only are left out of it."""
    accs = {
        ('psc', 40): (70., 71., 72.),
        ('psc', 80): (74., 76., 75.),
        ('psc', 160): (75., 76.),  # seed 2 not run yet
        ('hpl', 40): (73., 72., 74.),
        ('hpl', 80): (75., 75., 76.),
        ('cos-softmax', 40): (60., 61., 62.),
    }
    records = [
        dict(
            setting='lt0.01',
            budget=budget,
            dims=32,
            method=m,
            seed=s,
            **{bench.METRIC: a}) for (m, budget), row in accs.items()
        for s, a in enumerate(row)
    ]
    text = bench.table(records)
    part = text[text.index('## lt0.01, d = 32, across budgets\n'):]
    # psc 80 -> 160 on seeds 0, 1: +1, 0; hpl 40 -> 80: +2, +3, +2
    assert ('| psc | 71.00 ± 1.00 (3) | 75.00 ± 1.00 (3) | 75.50 ± 0.71 (2) '
            '| +0.50 (80 → 160 epochs, seeds 0, 1) |') in part
    assert ('| hpl | 73.00 ± 1.00 (3) | 75.33 ± 0.58 (3) |  '
            '| +2.33 (40 → 80 epochs, seeds 0, 1, 2) |') in part
    assert 'cos-softmax' not in part
    path = tmp_path / 'budget.png'
    bench.budget_plot(records, str(path))
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


class _Cut(Exception):
    """Stands for the end of a session killing the benchmark."""


def _cut_before_third_epoch(self, runner) -> None:
    if runner.epoch == 2:
        raise _Cut


def test_a_cut_run_resumes_from_its_last_validation(tmp_path, monkeypatch,
                                                    fashion_mnist_small):
    """The first attempt is cut after its second validation; the second
    attempt resumes there (not from scratch) and the record holds the
    curve of both attempts."""
    monkeypatch.chdir(REPO_ROOT)  # the configs' data roots are relative
    work = str(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(bench.ValidationCurveHook, 'before_train_epoch',
                      _cut_before_third_epoch)
        with pytest.raises(_Cut):
            bench.run_one('small', 'psc', 'balanced', 3, 0, 3, 1, work)
    resume = osp.join(work, 'small', 'balanced', 'psc', 'd3_s0_e3_v1',
                      'resume.pth')
    meta = load_checkpoint_file(resume, map_location='cpu')['meta']
    assert meta['epoch'] == 2 and [p[0] for p in meta['bench_curve']] == [1, 2]

    record = bench.run_one('small', 'psc', 'balanced', 3, 0, 3, 1, work)
    assert [p[0] for p in record['curve']] == [1, 2, 3]
    assert record['curve'][:2] == meta['bench_curve']
    assert record['resumed_from'] == [2]
    assert record[bench.METRIC] == record['curve'][-1][1]
    assert record['wall_s'] > meta['bench_seconds']['wall_s']


def test_paper_step_schedule_drops_the_lr_at_80_and_90_percent():
    """``--schedule paper-step``: the paper's §7.2 optimiser (momentum 0.9,
    no Nesterov, weight decay 2e-4) and lr / 10 after epochs 128 and 144 of
    160 (160 and 180 of 200), the config's lr kept, no warm-up."""
    import torch
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import PARAM_SCHEDULERS
    cfg = Config.fromfile(bench.config_path('converged', 'psc', 'lt0.01'))
    lr = cfg.optim_wrapper.optimizer.lr
    bench.use_paper_step_schedule(cfg, 160)
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.momentum, optimizer.nesterov,
            optimizer.weight_decay) == (0.9, False, 2e-4)
    wrapper = build_optim_wrapper(torch.nn.Linear(2, 2), cfg.optim_wrapper)
    schedulers = [
        PARAM_SCHEDULERS.build(dict(s, optimizer=wrapper.optimizer))
        for s in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(160):
        lrs.append(wrapper.optimizer.param_groups[0]['lr'])
        for s in schedulers:
            s.step()
    assert lrs[0] == lrs[127] == pytest.approx(lr)
    assert lrs[128] == lrs[143] == pytest.approx(lr / 10)
    assert lrs[144] == lrs[159] == pytest.approx(lr / 100)


def test_schedules_are_tabled_apart():
    """Runs of the same cell under another schedule get a table of their
    own; records without ``schedule`` are the configs' cosine runs."""
    records = [
        dict(
            setting='lt0.01',
            budget=160,
            dims=64,
            method=m,
            seed=0,
            **schedule,
            **{bench.METRIC: a})
        for schedule, accs in (({}, (80., 83.)), (dict(schedule='paper-step'),
                                                  (82., 81.)))
        for m, a in zip(('hpl', 'psc'), accs)
    ]
    text = bench.table(records)
    cosine = text.index('## lt0.01, 160 epochs\n')
    step = text.index('## lt0.01, 160 epochs, paper-step\n')
    assert '| 64 | 80.00 (1) | 83.00 (1) | -3.00 (0/1 ahead) |' in text[
        cosine:step]
    assert '| 64 | 82.00 (1) | 81.00 (1) | +1.00 (1/1 ahead) |' in text[step:]


def test_assignment_history_survives_a_resume():
    """Every re-assignment's count is in the record, also those of the
    attempt before a cut (restored with the message hub)."""
    from mmengine.logging import MessageHub
    first = MessageHub.get_instance('assignment_history_first')
    assert bench.assignment_history(first) is None  # PSC, fixed prototypes
    for changed in (4, 2):
        first.update_scalar('train/hpl_assignment_changes', changed)
    resumed = MessageHub.get_instance('assignment_history_resumed')
    resumed.load_state_dict(first.state_dict())
    resumed.update_scalar('train/hpl_assignment_changes', 0)
    assert bench.assignment_history(resumed) == [4, 2, 0]
