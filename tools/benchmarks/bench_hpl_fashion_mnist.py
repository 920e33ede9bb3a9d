"""HPL vs fixed assignment vs PSC (and controls) on Fashion-MNIST.

Every run is a real mmengine ``Runner`` built from one of the shipped
configs ``configs/hpl/{hpl,fixed-proto,psc}_resnet8-w16-*``, with only the
metric dimension ``d``, the seed, the work dir (and, for the controls, the
head options below) overridden; runs go one after the other in this
process (no interpreter start-up per run). Same data, schedule, backbone
and seed for every method of a cell.

Suites:

* ``small`` — 6 epochs on the 2,000-image balanced subset and on the
  long-tailed (0.01) subset of the 10,000 images, tested on 1,000 images
  (the first, far from converged benchmark).
* ``converged`` — 40 epochs by default (``--epochs`` for longer budgets:
  PSC was still rising at 40 and 80 epochs on the long-tailed sets, see
  docs/methods/hpl.md) on the 10,000-image balanced subset (batch 128)
  and on its long-tailed versions (imbalance 0.01 and 0.02, batch 64,
  class-balanced loss and Mixup for every method), tested on the full
  10,000-image test split.

Methods (``--methods``): ``hpl``, ``fixed-proto`` (no re-assignment),
``psc`` (linear softmax), ``psc-uni`` (PSC + 0.01·L_uni, the paper's Table
8), ``cos-softmax`` (learnable class weights on the hypersphere, scale 16:
separates the hypersphere from the fixed prototypes),
``cos-softmax-learned`` (the same with the scale learned from 16),
``cos-softmax-s<S>`` (the same with the fixed scale ``S``), and the HPL
class-mean sources under Mixup ``hpl-unmixed``, ``hpl-dominant``,
``hpl-eval-pass`` (``hpl`` itself uses the running means of all mixed
samples, the paper's behaviour, also where the config ships another
source: the long-tailed converged configs ship ``eval_pass``).

Schedules (``--schedule``): ``cosine`` (the configs' own: Nesterov SGD,
weight decay 5e-4, a 50-iteration warm-up, then cosine decay over the
budget) and ``paper-step``, the optimisation of the paper's long-tailed
runs (Saadabadi et al., CVPR 2024, https://arxiv.org/abs/2403.16937,
supplementary §7.2: SGD with momentum 0.9, weight decay 2e-4, the learning
rate divided by 10 at epochs 160 and 180 of 200), scaled to the budget:
the drops at 80 % and 90 % of the epochs, no warm-up, the configs' learning
rate kept.

Every finished run is appended to ``--out`` at once (a JSON with one
record per run: ``method``, ``setting``, ``dims``, ``seed``, ``budget``
(epochs), ``schedule``, ``accuracy/top1``, the validation ``curve``,
labels moved at the last re-assignment, CPU and wall seconds over its
attempts, and the epochs it was ``resumed_from``); runs already in
``--out`` are skipped and a run cut in the middle resumes from its last
validation (``--val-interval``), so a cut benchmark is continued by
starting the same command again.
``--markdown`` and ``--plot`` write the table (mean ± std per cell, with
HPL's per-seed lead over fixed assignment and PSC) and a PNG (accuracy
against d per method, one panel per setting, and the validation curves);
for the cells run at several ``--epochs`` the page also has a table
across budgets (with each method's gain over its previous budget) and
``--budget-plot`` draws accuracy against the budget: whether a method
has stopped improving.

Example (docs/benchmarks/hpl_fashion_mnist_converged.md)::

    OMP_NUM_THREADS=1 python tools/benchmarks/bench_hpl_fashion_mnist.py \\
        --suite converged --settings balanced --dims 2 3 5 \\
        --methods hpl fixed-proto psc cos-softmax --val-interval 8 \\
        --out docs/benchmarks/hpl_fashion_mnist_converged.json \\
        --markdown docs/benchmarks/hpl_fashion_mnist_converged.md \\
        --plot docs/benchmarks/hpl_fashion_mnist_converged.png \\
        --budget-plot docs/benchmarks/hpl_fashion_mnist_converged_budget.png
"""
import argparse
import json
import logging
import math
import os
import os.path as osp
import re
import statistics
import sys
import time
from typing import Callable, Dict, List, Optional

import torch
from mmengine.hooks import Hook

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import errorbar_mean_std  # noqa: E402
from bench_utils import log2_axis  # noqa: E402
from bench_utils import machine_info  # noqa: E402
from bench_utils import mean_curve  # noqa: E402
from bench_utils import paired_difference  # noqa: E402
from bench_utils import save_figure  # noqa: E402
from bench_utils import write_results  # noqa: E402

METRIC = 'accuracy/top1'
#: suite -> setting -> config name after ``{method}_resnet8-w16-``.
SUITES: Dict[str, Dict[str, str]] = {
    'small': {
        'balanced': 'd3_6e_fashion-mnist-2k',
        'lt0.01': 'd3_6e_fashion-mnist-lt0.01',
    },
    'converged': {
        'balanced': 'd3_40e_fashion-mnist-10k',
        'lt0.01': 'd64_40e_fashion-mnist-10k-lt0.01',
        'lt0.02': 'd64_40e_fashion-mnist-10k-lt0.02',
    },
}


def _head(**options) -> Callable:

    def apply(cfg) -> None:
        cfg.model.head.update(options)

    return apply


def _assignment_hook(**options) -> Callable:

    def apply(cfg) -> None:
        for hook in cfg.custom_hooks:
            if hook['type'] == 'PrototypeAssignmentHook':
                hook.update(options)

    return apply


def _both(*changes: Callable) -> Callable:

    def apply(cfg) -> None:
        for change in changes:
            change(cfg)

    return apply


_RUNNING = _assignment_hook(means_from='running')
#: method -> (config family, change applied to the loaded config). The HPL
#: methods set the class-mean source whatever the config ships: ``hpl`` is
#: the paper's (running means of the training features, mixed ones under
#: Mixup).
METHODS: Dict[str, tuple] = {
    'hpl': ('hpl', _both(_RUNNING, _head(class_mean_source='mixed'))),
    'fixed-proto': ('fixed-proto', None),
    'psc': ('psc', None),
    'psc-uni': ('psc', _head(uniformity_weight=0.01)),
    'cos-softmax': ('psc', _head(cosine_scale=16.0)),
    'cos-softmax-learned':
    ('psc', _head(cosine_scale=16.0, learn_cosine_scale=True)),
    'hpl-unmixed': ('hpl', _both(_RUNNING,
                                 _head(class_mean_source='unmixed'))),
    'hpl-dominant': ('hpl', _both(_RUNNING,
                                  _head(class_mean_source='dominant'))),
    'hpl-eval-pass': ('hpl', _assignment_hook(means_from='eval_pass')),
}
#: ``cos-softmax-s<S>``: the cosine softmax with the fixed scale ``S`` (a
#: sweep of the control's scale); every other method is in ``METHODS``.
SCALED_COSINE = re.compile(r'cos-softmax-s(\d+(?:\.\d+)?)')


def method_spec(method: str) -> tuple:
    """``(config family, change)`` of a method: :data:`METHODS`, or a
    ``cos-softmax-s<S>``."""
    if method in METHODS:
        return METHODS[method]
    match = SCALED_COSINE.fullmatch(method)
    if match is None:
        raise ValueError(
            f'unknown method {method!r}: choose from '
            f'{list(METHODS)} or cos-softmax-s<S> (the cosine '
            'softmax with the fixed scale S, e.g. cos-softmax-s4)')
    return 'psc', _head(cosine_scale=float(match.group(1)))


def _method_arg(method: str) -> str:
    try:
        method_spec(method)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))
    return method


def method_order(methods) -> List[str]:
    """The methods present, in :data:`METHODS` order, then the
    ``cos-softmax-s<S>`` by scale (then any other name, by name)."""
    present = set(methods)

    def scale(m: str) -> tuple:
        match = SCALED_COSINE.fullmatch(m)
        return (float(match.group(1)) if match else math.inf, m)

    return [m for m in METHODS if m in present] + sorted(
        (m for m in present if m not in METHODS), key=scale)


#: ``--schedule`` choices; the first is the configs' own.
SCHEDULES = ('cosine', 'paper-step')
#: what the per-seed comparisons of the table measure HPL against.
REFERENCES = ('fixed-proto', 'psc')


def config_path(suite: str, method: str, setting: str) -> str:
    family = method_spec(method)[0]
    return osp.join(ROOT, 'configs', 'hpl',
                    f'{family}_resnet8-w16-{SUITES[suite][setting]}.py')


class ValidationCurveHook(Hook):
    """Collects ``[epoch, accuracy]`` after every validation of a run and,
    when given ``resume_file``, saves the run there after each validation
    of the training: model and buffers (prototypes, assignment, class
    means), optimizer, schedule, message hub, and in the meta the curve so
    far, the seconds spent and the epochs resumed from, so that a cut run
    continues from its last validation without losing a point of its curve.
    """

    priority = 'LOWEST'

    def __init__(self, resume_file: Optional[str] = None) -> None:
        self.points: List[list] = []
        self.resume_file = resume_file
        self.resumed_from: List[int] = []
        self.spent = dict(wall_s=0., cpu_s=0.)
        self._start = dict(wall_s=time.time(), cpu_s=time.process_time())

    def seconds(self) -> Dict[str, float]:
        """Wall and CPU seconds of the run over all its attempts."""
        now = dict(wall_s=time.time(), cpu_s=time.process_time())
        return {
            k: round(self.spent[k] + now[k] - self._start[k], 1)
            for k in now
        }

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint['meta']
        self.points = [list(p) for p in meta.get('bench_curve', [])]
        self.spent = dict(meta.get('bench_seconds', self.spent))
        self.resumed_from = list(meta.get('bench_resumed_from', []))
        self.resumed_from.append(int(meta['epoch']))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['meta'].update(
            bench_curve=self.points,
            bench_seconds=self.seconds(),
            bench_resumed_from=self.resumed_from)

    def after_val_epoch(self, runner, metrics=None) -> None:
        if metrics and METRIC in metrics:
            self.points.append(
                [runner.epoch, round(float(metrics[METRIC]), 4)])
        if self.resume_file is None:
            return
        # after the epoch's validation the loop's epoch counter has moved
        # on: it is the epoch to resume after (mmengine's default, for a
        # save inside the epoch, would add one)
        tmp = self.resume_file + '.tmp'
        runner.save_checkpoint(
            osp.dirname(tmp),
            osp.basename(tmp),
            meta=dict(epoch=runner.epoch, iter=runner.iter))
        os.replace(tmp, self.resume_file)


def use_paper_step_schedule(cfg, epochs: int) -> None:
    """Replace a config's optimisation by the paper's long-tailed one
    (supplementary §7.2) scaled to ``epochs``: SGD with momentum 0.9 (no
    Nesterov), weight decay 2e-4, the learning rate divided by 10 after
    80 % and 90 % of the epochs (160 and 180 of 200), no warm-up; the
    config's learning rate is kept."""
    cfg.optim_wrapper.optimizer.update(
        momentum=0.9, nesterov=False, weight_decay=2e-4)
    cfg.param_scheduler = [
        dict(
            type='MultiStepLR',
            by_epoch=True,
            milestones=[round(0.8 * epochs),
                        round(0.9 * epochs)],
            gamma=0.1)
    ]


def run_one(suite: str,
            method: str,
            setting: str,
            dims: int,
            seed: int,
            epochs: Optional[int],
            val_interval: Optional[int],
            work_root: str,
            schedule: str = SCHEDULES[0]) -> dict:
    """Train one run (or resume it from the last validation of a cut
    attempt, see :class:`ValidationCurveHook`) and return its record.

    A resumed run continues the model, its buffers, the optimizer and the
    schedule; the random stream restarts from the seed, so it is the same
    experiment, not bit-identical to an uncut run (its record lists
    ``resumed_from``)."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    config = config_path(suite, method, setting)
    cfg = Config.fromfile(config)
    cfg.model.head.embed_dims = dims
    if cfg.model.head.type == 'HypersphericalPrototypeClsHead':
        cfg.model.head.prototype_file = osp.join(ROOT, 'work_dirs',
                                                 'prototypes',
                                                 f'hpl_d{dims}_c10_seed0.pt')
    change = method_spec(method)[1]
    if change is not None:
        change(cfg)
    cfg.randomness = dict(seed=seed, deterministic=False)
    if epochs is not None:
        cfg.train_cfg.max_epochs = epochs
        cfg.param_scheduler[1].T_max = epochs
    epochs = cfg.train_cfg.max_epochs
    if schedule == 'paper-step':
        use_paper_step_schedule(cfg, epochs)
    elif schedule != SCHEDULES[0]:
        raise ValueError(f'unknown schedule {schedule!r}; choose from '
                         f'{list(SCHEDULES)}')
    # the loop always validates after the last epoch
    cfg.train_cfg.val_interval = val_interval or epochs
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
    # the curve hook saves the run after each validation instead
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=-1, save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1000)
    cfg.log_level = 'WARNING'
    # one folder per budget and validation interval: a run resumes only
    # its own schedule
    run_dir = f'd{dims}_s{seed}_e{epochs}_v{val_interval or 0}'
    if schedule != SCHEDULES[0]:
        run_dir += f'_{schedule}'
    cfg.work_dir = osp.join(work_root, suite, setting, method, run_dir)
    resume_file = osp.join(cfg.work_dir, 'resume.pth')
    if osp.exists(resume_file):
        cfg.resume, cfg.load_from = True, resume_file
    curve = ValidationCurveHook(resume_file)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(curve, priority=curve.priority)
    runner.train()
    changes = assignment_history(runner.message_hub)
    record = dict(
        suite=suite,
        method=method,
        setting=setting,
        dims=dims,
        seed=seed,
        budget=epochs,
        schedule=schedule)
    record[METRIC] = curve.points[-1][1]
    record.update(
        curve=curve.points,
        config=osp.relpath(config, ROOT),
        last_assignment_changes=changes[-1] if changes else None,
        assignment_changes=changes,
        **curve.seconds(),
        resumed_from=curve.resumed_from,
        omp_num_threads=os.environ.get('OMP_NUM_THREADS'))
    return record


def assignment_history(message_hub) -> Optional[List[int]]:
    """How many labels each re-assignment of the run moved, in order
    (``None`` for a run without re-assignment). The message hub is saved in
    checkpoints, so a resumed run reports the re-assignments of its earlier
    attempts too."""
    history = message_hub.log_scalars.get('train/hpl_assignment_changes')
    return None if history is None else [int(v) for v in history.data[0]]


def _panel(record: dict) -> tuple:
    """``(setting, budget, schedule)``: the runs one table compares
    (records written before ``--schedule`` existed ran the configs' cosine
    schedule)."""
    return (record['setting'], record['budget'],
            record.get('schedule', SCHEDULES[0]))


def _panel_title(panel: tuple) -> str:
    setting, budget, schedule = panel
    title = f'{setting}, {budget} epochs'
    return title if schedule == SCHEDULES[0] else f'{title}, {schedule}'


def _cells(records: List[dict]) -> Dict[tuple, Dict[int, float]]:
    """``((setting, budget, schedule), dims, method) -> {seed:
    accuracy}``."""
    cells: Dict[tuple, Dict[int, float]] = {}
    for r in records:
        key = (_panel(r), r['dims'], r['method'])
        cells.setdefault(key, {})[r['seed']] = r[METRIC]
    return cells


def _mean_std(values: List[float]) -> str:
    """``mean ± std``; a single run is shown alone (no std)."""
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}'


#: title of the page ``--markdown`` writes (a Sphinx document of its own).
TITLE = "# HPL on Fashion-MNIST: every recorded run, by setting and budget"


def table(records: List[dict]) -> str:
    """Markdown page: a title, the commands of the runs, then one table per
    (setting, budget), a row per d, a column per method run in that
    table (mean ± std over seeds, number of seeds), then HPL's lead over
    each reference as the mean per-seed difference and on how many of the
    shared seeds HPL was ahead; last, the tables across budgets
    (:func:`_budget_tables`)."""
    cells = _cells(records)
    commands = sorted({r['command'] for r in records if r.get('command')})
    out = [
        TITLE, '',
        'Top-1 accuracy (%) on the test split, mean ± std over seeds '
        '(number of seeds in brackets), written by '
        '`tools/benchmarks/bench_hpl_fashion_mnist.py --markdown` from the '
        'JSON of its runs (`--out`, one record per run); what the figures '
        'mean is discussed in docs/methods/hpl.md.', ''
    ]
    if commands:
        out += ['Commands of the recorded runs:', '', '```bash']
        out += commands + ['```', '']
    for panel in sorted({k[0] for k in cells}):
        dims = sorted({k[1] for k in cells if k[0] == panel})
        methods = method_order(k[2] for k in cells if k[0] == panel)
        refs = [m for m in REFERENCES if m in methods]
        head = ['d'] + methods + [f'HPL − {m}' for m in refs]
        out += [
            f'## {_panel_title(panel)}', '', '| ' + ' | '.join(head) + ' |',
            '| ' + ' | '.join(['---'] * len(head)) + ' |'
        ]
        for d in dims:
            row = [str(d)]
            for m in methods:
                vals = cells.get((panel, d, m), {})
                row.append(f'{_mean_std(list(vals.values()))} '
                           f'({len(vals)})' if vals else '')
            hpl = cells.get((panel, d, 'hpl'), {})
            for m in refs:
                ref = cells.get((panel, d, m), {})
                seeds, diffs = paired_difference(hpl, ref)
                if not seeds:
                    row.append('')
                    continue
                ahead = sum(x > 0 for x in diffs)
                row.append(f'{statistics.mean(diffs):+.2f} '
                           f'({ahead}/{len(seeds)} ahead)')
            out.append('| ' + ' | '.join(row) + ' |')
        out.append('')
    return '\n'.join(out + _budget_tables(records))


def _series(records: List[dict]) -> Dict[tuple, Dict[str, Dict[int, dict]]]:
    """``(setting, dims, schedule) -> method -> budget -> {seed:
    accuracy}``, for the methods run at two budgets or more: the
    convergence check (each budget is a run of its own, with its own
    schedule)."""
    series: Dict[tuple, Dict[str, Dict[int, dict]]] = {}
    for ((setting, budget, schedule), dims,
         method), runs in _cells(records).items():
        series.setdefault((setting, dims, schedule),
                          {}).setdefault(method, {})[budget] = runs
    series = {
        key: {
            m: runs
            for m, runs in methods.items() if len(runs) > 1
        }
        for key, methods in series.items()
    }
    return {key: methods for key, methods in series.items() if methods}


def _series_title(key: tuple) -> str:
    setting, dims, schedule = key
    title = f'{setting}, d = {dims}, across budgets'
    return title if schedule == SCHEDULES[0] else f'{title}, {schedule}'


def _seed_list(seeds: List[int]) -> str:
    """``seed 0`` / ``seeds 0, 1, 2``."""
    return ('seed ' if len(seeds) == 1 else 'seeds ') + ', '.join(
        str(s) for s in seeds)


def _budget_tables(records: List[dict]) -> List[str]:
    """One table per (setting, d, schedule) run at several budgets: a row
    per method, a column per budget (mean ± std, seeds), and the gain of
    the method's largest budget over the one before it, the mean per-seed
    difference (near zero once the method has converged)."""
    out: List[str] = []
    for key, methods in sorted(_series(records).items()):
        budgets = sorted({b for runs in methods.values() for b in runs})
        head = ['method'] + [f'{b} epochs' for b in budgets
                             ] + ['gain over the previous budget']
        out += [
            f'## {_series_title(key)}', '', '| ' + ' | '.join(head) + ' |',
            '| ' + ' | '.join(['---'] * len(head)) + ' |'
        ]
        for m in method_order(methods):
            runs = methods[m]
            row = [m] + [
                f'{_mean_std(list(runs[b].values()))} ({len(runs[b])})'
                if b in runs else '' for b in budgets
            ]
            own = sorted(runs)
            seeds, diffs = paired_difference(runs[own[-1]], runs[own[-2]])
            gain = (f'{statistics.mean(diffs):+.2f} ({own[-2]} → {own[-1]} '
                    f'epochs, {_seed_list(seeds)})' if seeds else '')
            out.append('| ' + ' | '.join(row + [gain]) + ' |')
        out.append('')
    return out


def plot(records: List[dict], path: str) -> None:
    """Accuracy against d (mean ± std over seeds, a line per method, a
    panel per setting) above the validation curves of each setting's
    runs (mean over seeds, a line per method at the largest d); the
    ``cos-softmax-s<S>`` sweep is in the table only."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    cells = _cells(records)
    panels = sorted({k[0] for k in cells})
    fig, axes = plt.subplots(
        2, len(panels), figsize=(4.6 * len(panels), 7.4), squeeze=False)
    for col, panel in enumerate(panels):
        ax, ax_curve = axes[0][col], axes[1][col]
        for m in METHODS:
            dims = sorted(d for (p, d, mm) in cells if (p, mm) == (panel, m))
            if not dims:
                continue
            line = errorbar_mean_std(
                ax, {d: list(cells[(panel, d, m)].values())
                     for d in dims}, m)
            curves = [
                r['curve'] for r in records
                if (_panel(r), r['dims'],
                    r['method']) == (panel, dims[-1], m) and r.get('curve')
            ]
            if curves:
                ax_curve.plot(
                    *mean_curve(curves),
                    color=line.get_color(),
                    label=f'{m}, d = {dims[-1]}')
        ax.set_xscale('log', base=2)
        ax.set(
            xlabel='d',
            ylabel=METRIC,
            title=f'{_panel_title(panel)}: mean ± std')
        ax_curve.set(
            xlabel='epoch', ylabel=METRIC, title='validation during training')
    save_figure(fig, axes.flat, path)


def budget_plot(records: List[dict], path: str) -> None:
    """Accuracy against the training budget (mean ± std over seeds, log-2
    epochs, a line per method), one panel per (setting, d, schedule) run
    at several budgets: whether each method has stopped improving."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    series = sorted(_series(records).items())
    if not series:
        return
    fig, axes = plt.subplots(
        1, len(series), figsize=(4.8 * len(series), 3.8), squeeze=False)
    for ax, (key, methods) in zip(axes[0], series):
        for m in method_order(methods):
            line = errorbar_mean_std(ax, {
                b: list(s.values())
                for b, s in methods[m].items()
            }, m)
            for b, y in zip(line.get_xdata(), line.get_ydata()):
                if len(methods[m][b]) == 1:  # a single seed: no error bar
                    ax.annotate(
                        f'seed {next(iter(methods[m][b]))}', (b, y),
                        textcoords='offset points',
                        xytext=(4, -10),
                        fontsize=7,
                        color=line.get_color())
        log2_axis(ax, {b for runs in methods.values() for b in runs})
        ax.set(
            xlabel='epochs (one run per budget)',
            ylabel=METRIC,
            title=f'{_series_title(key)}: mean ± std')
    save_figure(fig, axes[0], path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--suite', choices=list(SUITES), default='small')
    parser.add_argument('--dims', type=int, nargs='+', default=[2, 3, 5, 10])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--methods',
        nargs='+',
        type=_method_arg,
        default=['hpl', 'fixed-proto', 'psc'],
        help=f'{", ".join(METHODS)}, or cos-softmax-s<S> (the cosine '
        'softmax with the fixed scale S)')
    parser.add_argument(
        '--settings', nargs='+', help='default: every setting of the suite')
    parser.add_argument(
        '--epochs', type=int, help="default: the suite's configs' budget")
    parser.add_argument(
        '--schedule',
        choices=SCHEDULES,
        default=SCHEDULES[0],
        help="the configs' cosine schedule, or the paper's long-tailed step "
        'decay scaled to the budget (see the module docstring)')
    parser.add_argument(
        '--val-interval',
        type=int,
        help='validate every N epochs to record the curve (default: only '
        'after the last epoch); use one value for a whole table, a '
        'validation shifts the random stream of the training after it')
    parser.add_argument(
        '--work-dir', default=osp.join(ROOT, 'work_dirs', 'bench_hpl'))
    parser.add_argument(
        '--report-only',
        action='store_true',
        help='run nothing: write --markdown / --plot from the runs in --out')
    parser.add_argument('--out', required=True, help='JSON of all runs')
    parser.add_argument('--markdown', help='write the tables here')
    parser.add_argument('--plot', help='write the PNG here')
    parser.add_argument(
        '--budget-plot',
        help='write the accuracy-against-budget PNG here (cells run at '
        'several --epochs)')
    args = parser.parse_args(argv)
    settings = args.settings or list(SUITES[args.suite])
    unknown = set(settings) - set(SUITES[args.suite])
    if unknown:
        parser.error(f'unknown settings for --suite {args.suite}: '
                     f'{sorted(unknown)}; choose from '
                     f'{list(SUITES[args.suite])}')
    import dnc_mm  # noqa: F401  (registration)
    torch.set_num_threads(1)
    logging.getLogger('mmengine').setLevel(logging.WARNING)
    records: List[dict] = []
    stored_machine = None
    if osp.exists(args.out):
        with open(args.out) as f:
            stored = json.load(f)
        records, stored_machine = stored['runs'], stored.get('machine')
    done = {(_panel(r), r['method'], r['dims'], r['seed']) for r in records}
    command = ' '.join([osp.relpath(sys.argv[0], ROOT)] +
                       (argv if argv is not None else sys.argv[1:]))
    machine = machine_info(torch.device('cpu'))
    if args.report_only and stored_machine is not None:
        machine = stored_machine  # nothing ran here: keep where it ran
    # seeds outermost, methods innermost: a cut benchmark has every
    # (d, method) cell for the seeds it finished, and the methods of a
    # cell run back to back (drift of the shared machine hits all alike)
    for seed in ([] if args.report_only else args.seeds):
        for setting in settings:
            for dims in args.dims:
                for method in args.methods:
                    budget = args.epochs or _budget(args.suite, method,
                                                    setting)
                    panel = (setting, budget, args.schedule)
                    if (panel, method, dims, seed) in done:
                        continue
                    rec = run_one(args.suite, method, setting, dims, seed,
                                  args.epochs, args.val_interval,
                                  args.work_dir, args.schedule)
                    rec['command'] = command
                    rec['cpu_model'] = machine['cpu_model']
                    records.append(rec)
                    print(
                        f'{_panel_title(panel)} d={dims} {method} '
                        f'seed {seed}: '
                        f'{rec[METRIC]:.2f} ({rec["wall_s"]:.0f} s)',
                        flush=True)
                    _write(args, records, machine)
    _write(args, records, machine)
    if args.plot and records:
        plot(records, args.plot)
    if args.budget_plot and records:
        budget_plot(records, args.budget_plot)
    print(table(records))
    return 0


def _budget(suite: str, method: str, setting: str) -> int:
    from mmengine.config import Config
    return Config.fromfile(config_path(suite, method,
                                       setting)).train_cfg.max_epochs


def _write(args, records: List[dict], machine: dict) -> None:
    write_results(args.out, dict(metric=METRIC, runs=records), machine=machine)
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(table(records))


if __name__ == '__main__':
    sys.exit(main())
