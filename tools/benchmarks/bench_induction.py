"""Induction accuracy, sub-centroid clustering quality and automatic K.

Trains each config on the coarse labels with ``tools/train.py`` (the real
runner; configs interleaved per seed, same data, schedule and seed), then
loads the last checkpoint and measures on the test split:

* ``coarse_top1``: accuracy on the coarse labels the model was trained on;
* ``induction_1nn``: the DNC paper's induction accuracy (§E): 1-nearest-
  neighbour (cosine) classification of the *fine* labels, training images
  (test pipeline) as the gallery, in the pooled backbone feature (the same
  layer for both heads); for DNC heads also in the head's embedding
  (``induction_1nn_embed``);
* DNC heads: ACC (Hungarian) / NMI / ARI of the assignment of each test
  image to its nearest active sub-centroid of its coarse class, against its
  fine label, per coarse class (``dnc_mm.evaluation.clustering``), and the
  number of active sub-centroids per class; with the split/merge hook also
  the K per class over training (``auto_k.jsonl``), plotted for the
  lowest seed of every budget next to ``--out``
  (``<out>_auto_k_<budget>e.png``);
* DNC heads: the sub-centroid ``health`` of the last checkpoint (the mean
  and largest cosine between a class's sub-centroids and the normalised
  entropy of their usage, averaged over classes): have they collapsed?

Every record carries ``method`` (``linear``, ``dnc``, ``dnc-autok``: the
config name's method, ``-autok`` where the split/merge hook is on),
``budget`` (training epochs, after ``--epochs`` / ``--cfg-options``),
``seed`` and the ``curve`` of its coarse top-1 at every validation
(``[epoch, top-1]`` pairs, from the run's scalar logs). The JSON
(``--out``) is rewritten after every run; a run whose (config, budget,
seed) is already in it is not trained again, and a run cut during
training resumes from its last epoch checkpoint, so a cut benchmark
resumes by starting the same command again. ``--markdown``
writes the table (mean ± std per method and budget, and the induction
gain over ``linear`` on the same seeds), ``--plot`` a PNG of the
induction accuracy against the budget beside the coarse validation
curves; ``--report-only`` rewrites these and the K plots from ``--out``
without training.

Example (the figures in docs/benchmarks/induction_fashion_mnist.md)::

    python tools/benchmarks/bench_induction.py --seeds 0 1 2 \
        --data-root data/fashion_mnist_2000_1000 \
        --cfg-options custom_hooks.1.start_iter=8 custom_hooks.1.interval=8 \
        --out docs/benchmarks/induction_fashion_mnist.json

    # 20 epochs (cosine over all of them), linear and DNC:
    python tools/benchmarks/bench_induction.py --epochs 20 --seeds 0 1 2 \
        --configs \
        configs/dnc/linear_resnet18-w16_5e_fashion-mnist-coarse-10k.py \
        configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-coarse-10k.py \
        --out docs/benchmarks/induction_fashion_mnist_10k.json \
        --markdown docs/benchmarks/induction_fashion_mnist_10k.md
"""
import argparse
import glob
import json
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import budget_and_curve_plot  # noqa: E402
from bench_utils import final_health  # noqa: E402
from bench_utils import last_checkpoint  # noqa: E402
from bench_utils import mean_std  # noqa: E402
from bench_utils import paired_difference  # noqa: E402
from bench_utils import validation_curve  # noqa: E402
from bench_utils import write_results  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CONFIGS = [
    'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-coarse-10k.py',
    'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-coarse-10k.py',
    'configs/dnc/dnc_resnet18-w16_autok-5e_fashion-mnist-coarse-10k.py',
]
#: the method the induction gain is measured against
BASELINE = 'linear'
#: the sub-centroid health of a DNC run's final checkpoint, as the table
#: shows it (:func:`bench_utils.class_mean_health`)
HEALTH = ('mean_cos', 'max_cos', 'usage_entropy')
#: clustering scores of a record: the sub-centroids', k-means with k = the
#: number of fine classes, k-means with k = the head's K (DNC heads)
CLUSTERINGS = ('clustering', 'clustering_kmeans', 'clustering_kmeans_same_k')


def epoch_options(epochs: int) -> List[str]:
    """Options that train ``epochs`` epochs with the cosine decay over all
    of them (the configs' warm-up is ``param_scheduler.0``)."""
    return [
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.T_max={epochs}'
    ]


def resolve(config: str, options: List[str]):
    """The config at ``config`` with ``options`` merged, checked to decay
    its learning rate over exactly its ``max_epochs``."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, config))
    if options:
        cfg.merge_from_dict(_parse(options))
    epochs = cfg.train_cfg.max_epochs
    for scheduler in cfg.param_scheduler:
        if 'T_max' in scheduler and scheduler['T_max'] != epochs:
            raise ValueError(
                f'{config}: the {scheduler["type"]} decays over '
                f'{scheduler["T_max"]} epochs but training runs {epochs}; '
                'set both with --epochs')
    return cfg


def is_auto_k(cfg) -> bool:
    """Whether ``cfg`` runs the split/merge hook (automatic K)."""
    return any(
        h.get('type') == 'SubCentroidSplitMergeHook'
        for h in cfg.get('custom_hooks') or [])


def method_of(config: str, cfg) -> str:
    """``linear``, ``dnc`` or ``dnc-autok``: the method part of the config
    name, ``-autok`` where ``cfg`` runs the split/merge hook."""
    method = osp.basename(config).split('_')[0]
    return f'{method}-autok' if is_auto_k(cfg) else method


def train(config: str, seed: int, work_dir: str, options: List[str]) -> tuple:
    """Train ``config`` with ``tools/train.py``, resuming from the last
    epoch checkpoint in ``work_dir`` when a cut attempt left one.

    Returns:
        tuple: The seconds this attempt took and whether it resumed.
    """
    cmd = [
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', work_dir,
        '--seed',
        str(seed)
    ]
    resumed = osp.exists(osp.join(work_dir, 'last_checkpoint'))
    if resumed:
        cmd.append('--resume')
    if options:
        cmd += ['--cfg-options'] + options
    start = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-4000:]}')
    return time.time() - start, resumed


def evaluate(cfg, work_dir: str) -> Dict:
    """Induction, clustering and K of the trained model in ``work_dir``."""
    from dnc_mm.evaluation.induction import evaluate_induction
    out = evaluate_induction(cfg, last_checkpoint(work_dir), k=1)
    out['induction_1nn'] = out.pop('induction_knn')
    if 'induction_knn_embed' in out:
        out['induction_1nn_embed'] = out.pop('induction_knn_embed')
    logs = sorted(glob.glob(osp.join(work_dir, '2*', 'auto_k.jsonl')))
    if logs:
        out['k_history'] = [json.loads(line) for line in open(logs[-1])]
    # the coarse top-1 of every validation: has the run stopped improving?
    out['curve'] = validation_curve(work_dir, 'accuracy/top1')
    health = final_health(work_dir)
    if health is not None:  # a DNC head: have its sub-centroids collapsed?
        out['health'] = health
    return out


def _parse(options: List[str]) -> Dict:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    return parser.parse_args(['--o'] + options).o


def _stats(vals: List[float]) -> Dict[str, float]:
    return dict(**mean_std(vals), values=vals)


def load_runs(path: str) -> Dict[str, List[Dict]]:
    """The runs recorded in ``path`` (config -> records). Records of older
    versions of this script, which had neither ``method`` nor ``budget``,
    get both from their config as shipped (they were all trained at the
    configs' own budget)."""
    with open(path) as f:
        runs = json.load(f)['runs']
    for config, records in runs.items():
        if all('method' in r and 'budget' in r for r in records):
            continue
        cfg = resolve(config, [])
        for r in records:
            r.setdefault('method', method_of(config, cfg))
            r.setdefault('budget', cfg.train_cfg.max_epochs)
    return runs


def summarize_runs(runs: Dict[str, List[Dict]]) -> List[Dict]:
    """One row per (config, budget): mean ± std over its seeds of every
    figure all its records have."""
    rows = []
    for config, records in runs.items():
        for budget in sorted({r['budget'] for r in records}):
            group = sorted((r for r in records if r['budget'] == budget),
                           key=lambda r: r['seed'])
            row = dict(
                config=config,
                method=group[0]['method'],
                budget=budget,
                seeds=[r['seed'] for r in group])
            for key in ('coarse_top1', 'induction_1nn', 'induction_1nn_embed'):
                if all(key in r for r in group):
                    row[key] = _stats([r[key] for r in group])
            for source in CLUSTERINGS:
                if all(source in r for r in group):
                    for key in ('acc', 'nmi', 'ari'):
                        row[f'{source}_{key}'] = _stats(
                            [r[source]['mean'][key] for r in group])
            if all('health' in r for r in group):
                for key in HEALTH:
                    row[f'health_{key}'] = _stats(
                        [r['health'][key] for r in group])
            if all('K' in r for r in group):
                row['K'] = [r['K'] for r in group]
            rows.append(row)
    return rows


def _cell(row: Dict, key: str, digits: int = 2) -> str:
    if key not in row:
        return '—'
    stats = row[key]
    std = f' ± {stats["std"]:.{digits}f}' if len(stats['values']) > 1 else ''
    return f'{stats["mean"]:.{digits}f}{std}'


def table(runs: Dict[str, List[Dict]]) -> str:
    """Markdown table of :func:`summarize_runs`, with the induction gain
    over :data:`BASELINE` at the same budget: the mean of the per-seed
    differences on the seeds both have."""
    by_key: Dict[tuple, Dict[int, float]] = {}
    for records in runs.values():
        for r in records:
            by_key.setdefault((r['method'], r['budget']),
                              {})[r['seed']] = r['induction_1nn']
    lines = [
        '| method | epochs | seeds | coarse top-1 | induction 1-NN (backbone) '
        f'| Δ vs {BASELINE}, same seeds | induction 1-NN (embedding) '
        '| sub-centroid clustering ACC / NMI / ARI '
        '| k-means, k = fine classes, ACC / NMI / ARI '
        '| k-means, k = the head\'s K, ACC / NMI / ARI '
        '| sub-centroid cosine mean / max, usage entropy '
        '| K per class, per seed |', '|' + ' --- |' * 12
    ]
    for row in sorted(
            summarize_runs(runs),
            key=lambda r: (r['budget'], r['method'] != BASELINE)):
        paired, diffs = paired_difference(
            by_key[(row['method'], row['budget'])],
            by_key.get((BASELINE, row['budget']), {}))
        delta = '—'
        if row['method'] != BASELINE and paired:
            delta = f'{statistics.mean(diffs):+.2f}'
        clustering = [
            ' / '.join(
                _cell(row, f'{source}_{key}', 3)
                for key in ('acc', 'nmi',
                            'ari')) if f'{source}_acc' in row else '—'
            for source in CLUSTERINGS
        ]
        health = ' / '.join(
            _cell(row, f'health_{key}', 3)
            for key in HEALTH) if f'health_{HEALTH[0]}' in row else '—'
        k = ', '.join(map(str, row['K'])) if 'K' in row else '—'
        lines.append(
            f'| {row["method"]} | {row["budget"]} | '
            f'{", ".join(map(str, row["seeds"]))} | '
            f'{_cell(row, "coarse_top1")} | {_cell(row, "induction_1nn")} | '
            f'{delta} | {_cell(row, "induction_1nn_embed")} | '
            f'{" | ".join(clustering)} | {health} | {k} |')
    return '\n'.join(lines) + '\n'


def budget_plot(runs: Dict[str, List[Dict]], path: str) -> None:
    """Induction 1-NN accuracy against the training budget (mean ± std
    over seeds, log-2 epochs, a line per method, :data:`BASELINE` first)
    beside the coarse top-1 of every validation during each method's
    largest budget (mean over the seeds whose records have the ``curve``):
    whether the heads have stopped improving."""
    by_method: Dict[str, Dict[int, List[Dict]]] = {}
    for records in runs.values():
        for r in records:
            by_method.setdefault(r['method'], {}).setdefault(r['budget'],
                                                             []).append(r)
    if not by_method:
        return
    budget_and_curve_plot(
        dict(sorted(by_method.items(), key=lambda kv: kv[0] != BASELINE)),
        'induction_1nn',
        path,
        'epochs',
        budget_labels=dict(
            xlabel='epochs (one run per budget)',
            ylabel='induction 1-NN, fine labels (%)',
            title='induction accuracy: mean ± std over seeds'),
        curve_labels=dict(
            xlabel='epoch',
            ylabel='coarse top-1 (%)',
            title='validation during the largest budget'),
        log2=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--configs', nargs='+', default=CONFIGS)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--data-root', help='prepared Fashion-MNIST folder')
    parser.add_argument(
        '--epochs',
        type=int,
        help='train this many epochs (the cosine decay over all of them) '
        'instead of the configs\' own')
    parser.add_argument(
        '--cfg-options',
        nargs='*',
        default=[],
        help='passed to every run whose config accepts them '
        '(custom_hooks.1.* only to configs whose second hook '
        'is SubCentroidSplitMergeHook)')
    parser.add_argument('--work-dir', default='work_dirs/bench_induction')
    parser.add_argument('--out', required=True, help='JSON results')
    parser.add_argument('--markdown', help='write the table here')
    parser.add_argument(
        '--plot',
        help='write induction accuracy against the budget and the coarse '
        'validation curves here (PNG)')
    parser.add_argument(
        '--report-only',
        action='store_true',
        help='rewrite --markdown, --plot and the K plots from --out; '
        'train nothing')
    parser.add_argument(
        '--eval-only',
        action='store_true',
        help='evaluate the checkpoints already in --work-dir '
        '(same command otherwise) instead of training')
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error('--epochs must be >= 1')
    if args.report_only:
        if not ((args.markdown or args.plot) and osp.exists(args.out)):
            parser.error('--report-only needs an existing --out and '
                         '--markdown or --plot')
        runs = load_runs(args.out)
        if args.markdown:
            with open(args.markdown, 'w') as f:
                f.write(table(runs))
        if args.plot:
            budget_plot(runs, args.plot)
        plot_k_histories(runs, osp.splitext(args.out)[0])
        return 0
    torch.set_num_threads(1)
    base_opts = []
    if args.data_root:
        base_opts = [
            f'{s}_dataloader.dataset.data_root={args.data_root}'
            for s in ('train', 'val', 'test')
        ]
    if args.epochs is not None:
        base_opts += epoch_options(args.epochs)
    runs: Dict[str, List[Dict]] = {c: [] for c in args.configs}
    command = ' '.join(['python'] + sys.argv)
    if osp.exists(args.out) and not args.eval_only:
        # resume: the runs already recorded are kept and not trained again
        for config, records in load_runs(args.out).items():
            runs.setdefault(config, []).extend(records)
    for seed in args.seeds:
        for config in args.configs:
            auto_k = is_auto_k(resolve(config, []))
            opts = base_opts + [
                o for o in args.cfg_options
                if not (o.startswith('custom_hooks.1.') and not auto_k)
            ]
            cfg = resolve(config, opts)
            budget = cfg.train_cfg.max_epochs
            if any(r['seed'] == seed and r['budget'] == budget
                   for r in runs[config]):
                continue
            name = osp.splitext(osp.basename(config))[0]
            work = osp.join(ROOT, args.work_dir,
                            f'{name}_{budget}e_seed{seed}')
            seconds: Optional[float] = None
            resumed = False
            if not args.eval_only:
                seconds, resumed = train(config, seed, work, opts)
            res = evaluate(cfg, work)
            res.update(
                method=method_of(config, cfg),
                budget=budget,
                seed=seed,
                train_seconds=seconds,
                command=command)
            if resumed:
                # the seconds are those of the last attempt only
                res['resumed'] = True
            runs[config].append(res)
            msg = (f'seed {seed} {name} ({budget} epochs): coarse '
                   f'{res["coarse_top1"]:.2f} 1-NN fine '
                   f'{res["induction_1nn"]:.2f}')
            if 'clustering' in res:
                m = res['clustering']['mean']
                msg += (f' (embed {res["induction_1nn_embed"]:.2f}) K '
                        f'{res["K"]} clustering acc {m["acc"]:.3f} nmi '
                        f'{m["nmi"]:.3f} ari {m["ari"]:.3f}')
            km = res['clustering_kmeans']['mean']
            msg += (f'; k-means reference acc {km["acc"]:.3f} nmi '
                    f'{km["nmi"]:.3f} ari {km["ari"]:.3f}')
            if 'clustering_kmeans_same_k' in res:
                same = res['clustering_kmeans_same_k']['mean']
                msg += f' (same K: acc {same["acc"]:.3f})'
            print(msg + (f' ({seconds:.0f} s)' if seconds else ''), flush=True)
            _write(args.out, command, runs)
            if args.markdown:
                with open(args.markdown, 'w') as f:
                    f.write(table(runs))
    _write(args.out, command, runs)
    if not args.eval_only:
        plot_k_histories(runs, osp.splitext(args.out)[0])
    if args.plot:
        budget_plot(runs, args.plot)
    print(table(runs))
    return 0


def _write(path: str, command: str, runs: Dict[str, List[Dict]]) -> None:
    """Write every run so far and the per-(config, budget) summary to
    ``path`` (atomically: a cut benchmark leaves the last complete file)."""
    seeds = sorted({r['seed'] for rs in runs.values() for r in rs})
    write_results(
        path,
        dict(seeds=seeds, summary=summarize_runs(runs), runs=runs),
        command=command,
        indent=2)


def plot_k_histories(runs: Dict[str, List[Dict]], prefix: str) -> List[str]:
    """K per class over training of the automatic-K run with the lowest
    seed, one PNG per budget: ``<prefix>_auto_k_<budget>e.png``.

    Returns:
        list[str]: The paths written.
    """
    from dnc_mm.datasets.coarse_labels import (FASHION_MNIST_COARSE,
                                               fine_classes_per_coarse,
                                               fine_to_coarse_map)
    from dnc_mm.explain.plots import plot_k_history
    truth = fine_classes_per_coarse(
        fine_to_coarse_map(FASHION_MNIST_COARSE, 10))
    first: Dict[int, Dict] = {}
    for records in runs.values():
        for r in records:
            if r.get('k_history') and (r['budget'] not in first or r['seed']
                                       < first[r['budget']]['seed']):
                first[r['budget']] = r
    paths = []
    for budget, r in sorted(first.items()):
        path = f'{prefix}_auto_k_{budget}e.png'
        hist = r['k_history']
        plot_k_history([h['iter'] for h in hist],
                       np.array([h['K'] for h in hist]),
                       list(FASHION_MNIST_COARSE), path, truth)
        paths.append(path)
    return paths


if __name__ == '__main__':
    sys.exit(main())
