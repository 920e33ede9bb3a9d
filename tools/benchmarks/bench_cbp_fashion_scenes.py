"""Baseline / CBP / OCCL / CBP + OCCL side by side on the bundled benchmark.

Trains the four configs of ``configs/cbp/`` on fashion_scenes (11 classes,
128x128) once per seed with ``tools/train.py`` (real runner, real data; the
configs are interleaved per seed), reads each run's final validation
metrics (mIoU, mAcc, class separability CS of Eq. 8, per-class F1 grouped by
training-pixel frequency) and prints mean ± std per variant and the paired
difference to the baseline. Optionally writes JSON, a markdown table and a
Fig. 5-style PNG (mean F1 per frequency group and variant).

Example (what docs/methods/cbp_occl.md reports)::

    OMP_NUM_THREADS=1 nice -n 10 python \\
        tools/benchmarks/bench_cbp_fashion_scenes.py --seeds 0 1 2 \\
        --iters 500 --out docs/benchmarks/cbp_fashion_scenes.json \\
        --plot docs/benchmarks/cbp_fashion_scenes_f1_groups.png
"""
import argparse
import os
import os.path as osp
import statistics
import sys
from typing import Dict, List

from bench_accuracy import ROOT, final_metrics, train
from bench_utils import mean_std, write_results

VARIANTS = {
    'baseline':
    'configs/cbp/baseline_fcn_r18-w16-d8_1k_fashion-scenes-'
    '128x128.py',
    'CBP':
    'configs/cbp/cbp_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py',
    'OCCL':
    'configs/cbp/occl_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py',
    'CBP+OCCL':
    'configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-'
    '128x128.py',
}
METRICS = ['mIoU', 'mAcc', 'mF1', 'class_separability']


def schedule_options(iters: int) -> List[str]:
    """``--cfg-options`` that shorten the 1k schedule to ``iters``."""
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'param_scheduler.0.end={iters}',
        f'default_hooks.checkpoint.interval={iters}'
    ]


def plot_groups(rows: Dict[str, Dict], path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = list(rows)
    groups = sorted(k for k in rows[names[0]]['values']
                    if k.startswith('F1_g'))
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for i, name in enumerate(names):
        means = [statistics.mean(rows[name]['values'][g]) for g in groups]
        ax.bar([k + i * width for k in range(len(groups))],
               means,
               width,
               label=name)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(groups))])
    ax.set_xticklabels([g.replace('F1_g', 'group ') for g in groups])
    ax.set_xlabel('classes grouped by training pixels (group 1 = rarest)')
    ax.set_ylabel('mean F1 (%)')
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--iters',
        type=int,
        default=1000,
        help='training iterations (the configs: 1000)')
    parser.add_argument('--work-dir', default='work_dirs/bench_cbp')
    parser.add_argument('--out', help='JSON results')
    parser.add_argument('--plot', help='PNG of F1 per frequency group')
    args = parser.parse_args(argv)
    extra = ['--cfg-options'] + schedule_options(args.iters)

    runs: Dict[str, Dict[str, List[float]]] = {v: {} for v in VARIANTS}
    seconds: Dict[str, List[float]] = {v: [] for v in VARIANTS}
    for seed in args.seeds:
        for name, config in VARIANTS.items():
            work = osp.join(args.work_dir,
                            f'{name.replace("+", "-")}_seed{seed}')
            seconds[name].append(
                train(osp.join(ROOT, config), seed, work, extra))
            metrics = final_metrics(work)
            for key, value in metrics.items():
                if key in METRICS or key.startswith('F1_g'):
                    runs[name].setdefault(key, []).append(float(value))
            print(
                f'seed {seed} {name:9s} ' +
                '  '.join(f'{k} {metrics[k]:.2f}'
                          for k in METRICS if k in metrics) +
                f'  ({seconds[name][-1]:.0f} s)',
                flush=True)

    base = runs['baseline']
    rows = {}
    print(f'\nfashion_scenes, {args.iters} iterations, seeds {args.seeds} '
          '(mean ± std; Δ = paired difference to the baseline)')
    print(f'{"variant":10s} {"mIoU":>14s} {"ΔmIoU":>7s} {"mAcc":>14s} '
          f'{"ΔmAcc":>7s} {"mF1":>14s} {"CS":>8s}')
    for name in VARIANTS:
        vals = runs[name]
        row = dict(
            config=VARIANTS[name],
            values=vals,
            seconds_mean=statistics.mean(seconds[name]))
        for key in METRICS:
            row[key] = mean_std(vals[key])
        for key in ('mIoU', 'mAcc'):
            row[f'delta_{key}'] = mean_std(
                [a - b for a, b in zip(vals[key], base[key])])
        rows[name] = row
        print(f'{name:10s} {row["mIoU"]["mean"]:6.2f} ± '
              f'{row["mIoU"]["std"]:5.2f} {row["delta_mIoU"]["mean"]:+7.2f} '
              f'{row["mAcc"]["mean"]:6.2f} ± {row["mAcc"]["std"]:5.2f} '
              f'{row["delta_mAcc"]["mean"]:+7.2f} {row["mF1"]["mean"]:6.2f} ± '
              f'{row["mF1"]["std"]:5.2f} '
              f'{row["class_separability"]["mean"]:8.3f}')
    if args.out:
        write_results(
            args.out,
            dict(iters=args.iters, seeds=args.seeds, rows=rows),
            indent=2)
    if args.plot:
        plot_groups(rows, args.plot)
    return 0


if __name__ == '__main__':
    sys.exit(main())
