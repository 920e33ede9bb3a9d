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
  the K per class over training (``auto_k.jsonl``) and a plot of it.

The JSON (``--out``) is rewritten after every run; a run already in it
is not trained again, so a cut benchmark resumes by starting the same
command again.

Example (the figures in docs/benchmarks/induction_fashion_mnist.md)::

    python tools/benchmarks/bench_induction.py --seeds 0 1 2 \
        --data-root data/fashion_mnist_2000_1000 \
        --cfg-options custom_hooks.1.start_iter=8 custom_hooks.1.interval=8 \
        --out docs/benchmarks/induction_fashion_mnist.json
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

import numpy as np
import torch
from bench_utils import write_results

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CONFIGS = [
    'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-coarse-10k.py',
    'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-coarse-10k.py',
    'configs/dnc/dnc_resnet18-w16_autok-5e_fashion-mnist-coarse-10k.py',
]


def train(config: str, seed: int, work_dir: str, options: List[str]) -> float:
    cmd = [
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', work_dir,
        '--seed',
        str(seed)
    ]
    if options:
        cmd += ['--cfg-options'] + options
    start = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-4000:]}')
    return time.time() - start


def evaluate(config: str, work_dir: str, options: List[str]) -> Dict:
    """Induction, clustering and K of the trained model in ``work_dir``."""
    from mmengine.config import Config

    from dnc_mm.evaluation.induction import evaluate_induction
    cfg = Config.fromfile(config)
    if options:
        cfg.merge_from_dict(_parse(options))
    ckpt = open(osp.join(work_dir, 'last_checkpoint')).read().strip()
    out = evaluate_induction(cfg, ckpt, k=1)
    out['induction_1nn'] = out.pop('induction_knn')
    if 'induction_knn_embed' in out:
        out['induction_1nn_embed'] = out.pop('induction_knn_embed')
    logs = sorted(glob.glob(osp.join(work_dir, '2*', 'auto_k.jsonl')))
    if logs:
        out['k_history'] = [json.loads(line) for line in open(logs[-1])]
    return out


def _parse(options: List[str]) -> Dict:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    return parser.parse_args(['--o'] + options).o


def _stats(vals: List[float]) -> Dict[str, float]:
    return dict(
        mean=statistics.mean(vals),
        std=statistics.stdev(vals) if len(vals) > 1 else 0.0,
        values=vals)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--configs', nargs='+', default=CONFIGS)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--data-root', help='prepared Fashion-MNIST folder')
    parser.add_argument(
        '--cfg-options',
        nargs='*',
        default=[],
        help='passed to every run whose config accepts them '
        '(custom_hooks.1.* only to configs whose second hook '
        'is SubCentroidSplitMergeHook)')
    parser.add_argument('--work-dir', default='work_dirs/bench_induction')
    parser.add_argument('--out', required=True, help='JSON results')
    parser.add_argument(
        '--eval-only',
        action='store_true',
        help='evaluate the checkpoints already in --work-dir '
        '(same command otherwise) instead of training')
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    base_opts = []
    if args.data_root:
        base_opts = [
            f'{s}_dataloader.dataset.data_root={args.data_root}'
            for s in ('train', 'val', 'test')
        ]
    runs: Dict[str, List[Dict]] = {c: [] for c in args.configs}
    if osp.exists(args.out) and not args.eval_only:
        # resume: the runs already recorded are kept and not trained again
        with open(args.out) as f:
            for config, rs in json.load(f)['runs'].items():
                runs.setdefault(config, []).extend(rs)
    command = ' '.join(['python'] + sys.argv)
    from mmengine.config import Config
    for seed in args.seeds:
        for config in args.configs:
            if any(r['seed'] == seed for r in runs[config]):
                continue
            hooks = Config.fromfile(osp.join(
                ROOT, config)).get('custom_hooks') or []
            auto_k = len(hooks) > 1 and (hooks[1].get('type')
                                         == 'SubCentroidSplitMergeHook')
            opts = base_opts + [
                o for o in args.cfg_options
                if not (o.startswith('custom_hooks.1.') and not auto_k)
            ]
            name = osp.splitext(osp.basename(config))[0]
            work = osp.join(ROOT, args.work_dir, f'{name}_seed{seed}')
            if args.eval_only:
                seconds = float('nan')
            else:
                seconds = train(config, seed, work, opts)
            res = evaluate(osp.join(ROOT, config), work, opts)
            res.update(seed=seed, train_seconds=seconds)
            runs[config].append(res)
            msg = (f'seed {seed} {name}: coarse {res["coarse_top1"]:.2f} '
                   f'1-NN fine {res["induction_1nn"]:.2f}')
            if 'clustering' in res:
                m = res['clustering']['mean']
                msg += (f' (embed {res["induction_1nn_embed"]:.2f}) K '
                        f'{res["K"]} clustering acc {m["acc"]:.3f} nmi '
                        f'{m["nmi"]:.3f} ari {m["ari"]:.3f}')
            km = res['clustering_kmeans']['mean']
            msg += (f'; k-means reference acc {km["acc"]:.3f} nmi '
                    f'{km["nmi"]:.3f} ari {km["ari"]:.3f}')
            print(msg + f' ({seconds:.0f} s)', flush=True)
            _write(args.out, command, runs)
    summary = _write(args.out, command, runs)
    if not args.eval_only:
        _plot_k(runs, osp.splitext(args.out)[0] + '_auto_k.png')
    print(json.dumps(summary, indent=1))
    return 0


def _write(path: str, command: str, runs: Dict[str, List[Dict]]) -> Dict:
    """Write every run so far and the per-config summary to ``path``
    (atomically: a cut benchmark leaves the last complete file), return the
    summary."""
    summary = {}
    for config, rs in runs.items():
        if not rs:
            continue
        row = dict(
            coarse_top1=_stats([r['coarse_top1'] for r in rs]),
            induction_1nn=_stats([r['induction_1nn'] for r in rs]))
        for key in ('acc', 'nmi', 'ari'):
            row[f'kmeans_{key}'] = _stats(
                [r['clustering_kmeans']['mean'][key] for r in rs])
        if 'clustering' in rs[0]:
            row['induction_1nn_embed'] = _stats(
                [r['induction_1nn_embed'] for r in rs])
            for key in ('acc', 'nmi', 'ari'):
                row[f'clustering_{key}'] = _stats(
                    [r['clustering']['mean'][key] for r in rs])
            row['K'] = [r['K'] for r in rs]
        summary[config] = row
    seeds = sorted({r['seed'] for rs in runs.values() for r in rs})
    write_results(
        path,
        dict(seeds=seeds, summary=summary, runs=runs),
        command=command,
        indent=2)
    return summary


def _plot_k(runs: Dict[str, List[Dict]], path: str) -> None:
    from dnc_mm.datasets.coarse_labels import (FASHION_MNIST_COARSE,
                                               fine_classes_per_coarse,
                                               fine_to_coarse_map)
    from dnc_mm.explain.plots import plot_k_history
    for rs in runs.values():
        hist = rs[0].get('k_history') if rs else None
        if hist:
            truth = fine_classes_per_coarse(
                fine_to_coarse_map(FASHION_MNIST_COARSE, 10))
            plot_k_history([h['iter'] for h in hist],
                           np.array([h['K'] for h in hist]),
                           list(FASHION_MNIST_COARSE), path, truth)
            return


if __name__ == '__main__':
    sys.exit(main())
