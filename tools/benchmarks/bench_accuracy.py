"""Side-by-side accuracy of config variants over several seeds, in one run.

Trains every config once per seed with ``tools/train.py`` (same data, schedule
and seed for all configs), reads the final validation metric of each run and
prints mean ± std per config and the difference to the first config.

Several metrics can be read from the same runs (``--metric mIoU mAcc``);
with ``--out`` the JSON is rewritten after every run (``complete: false``
until the last), so an interrupted benchmark keeps its finished seeds.

Example (DNC vs the linear head on Fashion-MNIST, 3 seeds)::

    python tools/benchmarks/bench_accuracy.py \
        configs/dnc/linear_resnet18-w16_5e_fashion-mnist-10k.py \
        configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py \
        --seeds 0 1 2 --metric accuracy/top1 \
        --out docs/benchmarks/dnc_fashion_mnist_accuracy.json

Segmentation (DNC-FCN vs FCN on the bundled benchmark)::

    python tools/benchmarks/bench_accuracy.py \
        configs/fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py \
        configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py \
        --seeds 0 1 2 --metric mIoU mAcc \
        --out docs/benchmarks/dnc_seg_fashion_scenes.json
"""
import argparse
import glob
import json
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Dict, List

from bench_utils import mean_std, write_results

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def final_metrics(work_dir: str) -> Dict[str, float]:
    """Metrics of the last validation in a work dir's scalar log."""
    logs = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise FileNotFoundError(f'no scalars.json under {work_dir}')
    last = {}
    with open(logs[-1]) as f:
        for line in f:
            record = json.loads(line)
            if 'loss' not in record:  # validation records carry no loss
                last = record
    return last


def train(config: str, seed: int, work_dir: str, extra: List[str]) -> float:
    cmd = [
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', work_dir,
        '--seed',
        str(seed)
    ] + extra
    start = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-4000:]}')
    return time.time() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'configs', nargs='+', help='configs; the first is the reference')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--metric',
        nargs='+',
        default=['accuracy/top1'],
        help='validation metric(s) to report; the first '
        'is the headline')
    parser.add_argument('--work-dir', default='work_dirs/bench_accuracy')
    parser.add_argument(
        '--cfg-options',
        nargs='*',
        default=[],
        help='passed to every training run')
    parser.add_argument('--out', help='write results as JSON here')
    args = parser.parse_args(argv)
    extra = ['--cfg-options'] + args.cfg_options if args.cfg_options else []

    metrics = args.metric
    results = {m: {c: [] for c in args.configs} for m in metrics}
    seconds: Dict[str, List[float]] = {c: [] for c in args.configs}
    done_seeds: List[int] = []
    for seed in args.seeds:  # configs interleaved per seed
        for config in args.configs:
            name = osp.splitext(osp.basename(config))[0]
            work = osp.join(args.work_dir, f'{name}_seed{seed}')
            seconds[config].append(train(config, seed, work, extra))
            final = final_metrics(work)
            for m in metrics:
                results[m][config].append(final[m])
            print(
                f'seed {seed}  {name}: ' + ', '.join(f'{m} = {final[m]:.2f}'
                                                     for m in metrics) +
                f'  ({seconds[config][-1]:.0f} s)',
                flush=True)
        done_seeds.append(seed)
        if args.out:
            _write_results(
                args,
                metrics,
                results,
                seconds,
                done_seeds,
                complete=seed == args.seeds[-1])
    for m in metrics:
        print(f'\n{m} over seeds {done_seeds} (mean ± std)')
        for row in summary_rows(args.configs, results[m], seconds):
            print(f'  {osp.basename(row["config"]):60s} {row["mean"]:6.2f} ± '
                  f'{row["std"]:.2f}   Δ vs first '
                  f'{row["diff_to_first_mean"]:+.2f} (per seed ' +
                  ', '.join(f'{d:+.2f}' for d in row['diffs_to_first']) +
                  f')   ({row["seconds_mean"]:.0f} s per run)')
    return 0


def summary_rows(configs: List[str], results: Dict[str, List[float]],
                 seconds: Dict[str, List[float]]) -> List[dict]:
    """Mean, std and per-seed difference to the first config."""
    ref = results[configs[0]]
    rows = []
    for config in configs:
        vals = results[config]
        diffs = [v - r for v, r in zip(vals, ref)]
        rows.append(
            dict(
                config=config,
                values=vals,
                **mean_std(vals),
                diffs_to_first=diffs,
                diff_to_first_mean=statistics.mean(diffs),
                seconds_mean=statistics.mean(seconds[config][:len(vals)])))
    return rows


def _write_results(args, metrics, results, seconds, done_seeds, complete):
    data = dict(
        metric=metrics[0],
        seeds=done_seeds,
        rows=summary_rows(args.configs, results[metrics[0]], seconds),
        complete=complete)
    if len(metrics) > 1:
        data['metrics'] = {
            m: summary_rows(args.configs, results[m], seconds)
            for m in metrics
        }
    write_results(args.out, data, indent=2)


if __name__ == '__main__':
    sys.exit(main())
