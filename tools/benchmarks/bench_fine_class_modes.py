"""Are the hidden fine classes separate modes of a trained model's features?

Automatic K splits a class's sub-centroid only where the features are
bimodal (``dnc_mm/core/split_merge.py``). For models trained on coarse
labels by ``bench_induction.py`` this script asks their features, on the
training images (test pipeline) — the features the split/merge hook sees
in the head's memory:

* the bimodality ratio of the partition the *true* fine labels give, for
  every pair of fine classes of a coarse class (below the hook's
  ``split_ratio`` the split test does not accept the labels' own
  partition of the pair);
* the K per class that split/merge rounds reach on these frozen features
  from one sub-centroid per class (the hook's thresholds from the run's
  config where it has the hook, else the defaults);
* the K that k-means with the best silhouette score picks (scikit-learn),
  a standard criterion independent of ours.

Spaces: ``embed`` (DNC's l2-normalised head embedding: what the hook
clusters) and ``neck`` (the pooled backbone feature, the one layer both
heads have). No training: it reads each run's config and last checkpoint.
Every record carries ``method``, ``budget`` (epochs), ``seed`` and
``space``; ``--markdown`` writes the table, ``--report-only`` rewrites it
from ``--out``.

Example (the figures in docs/benchmarks/induction_fashion_mnist.md)::

    python tools/benchmarks/bench_fine_class_modes.py \
        --work-dirs work_dirs/bench_induction_50e/*_seed? \
                    work_dirs/bench_induction_autok50e/*_seed? \
        --out docs/benchmarks/fine_class_modes_fashion_mnist.json \
        --markdown docs/benchmarks/fine_class_modes_fashion_mnist.md
"""
import argparse
import glob
import json
import os.path as osp
import statistics
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_induction import method_of  # noqa: E402
from bench_utils import last_checkpoint, mean_std, write_json  # noqa: E402

#: split/merge settings of the offline rounds when the run has no hook
DEFAULT_STEP = dict(
    split_ratio=1.2, merge_ratio=1.1, min_samples=20, assignment='balanced')
#: ``K_max`` of the offline rounds (the shipped auto-K config's)
MAX_SUBCENTROIDS = 6


def hook_settings(cfg) -> Dict:
    """The split/merge thresholds of the run's hook, else the defaults."""
    for hook in cfg.get('custom_hooks') or []:
        if hook.get('type') == 'SubCentroidSplitMergeHook':
            return {k: hook.get(k, v) for k, v in DEFAULT_STEP.items()}
    return dict(DEFAULT_STEP)


def analyse(work_dir: str) -> List[Dict]:
    """One record per feature space of the run in ``work_dir``."""
    from mmengine.config import Config

    from dnc_mm.datasets.coarse_labels import fine_classes_per_coarse
    from dnc_mm.evaluation import build_dataset, extract_features, load_model
    from dnc_mm.evaluation.fine_class_modes import (
        fine_pair_ratios, silhouette_num_subcentroids,
        split_merge_num_subcentroids)
    configs = glob.glob(osp.join(work_dir, '*.py'))
    if len(configs) != 1:
        raise ValueError(f'{work_dir}: expected the one config the run '
                         f'dumped, found {len(configs)}')
    cfg = Config.fromfile(configs[0])
    model = load_model(cfg, last_checkpoint(work_dir))
    dataset = build_dataset(cfg, 'train')
    feats = extract_features(model, dataset)
    coarse, fine = feats['labels'], feats['fine_labels']
    truth = fine_classes_per_coarse([
        int(c) for _, c in sorted({
            int(f): int(c)
            for f, c in zip(fine, coarse)
        }.items())
    ])
    step = hook_settings(cfg)
    records = []
    for space in ('embed', 'neck'):
        if space not in feats:
            continue
        x = feats[space]
        history = split_merge_num_subcentroids(x, coarse, MAX_SUBCENTROIDS,
                                               **step)
        silhouette = silhouette_num_subcentroids(x, coarse)
        records.append(
            dict(
                method=method_of(configs[0], cfg),
                budget=cfg.train_cfg.max_epochs,
                seed=cfg.randomness.seed,
                space=space,
                run=osp.basename(osp.normpath(work_dir)),
                true_k=truth,
                class_names=list(dataset.metainfo['classes']),
                fine_class_names=list(
                    dataset.metainfo.get('fine_classes', [])),
                split_merge=step,
                classes=fine_pair_ratios(x, coarse, fine),
                split_merge_k=history[-1],
                split_merge_history=history,
                silhouette_k=[s['k'] for s in silhouette],
                silhouette_scores=[s['scores'] for s in silhouette]))
    return records


def _k_error(ks: List[int], truth: List[int]) -> float:
    return statistics.mean(abs(k - t) for k, t in zip(ks, truth))


def table(records: List[Dict]) -> str:
    """Markdown: fine-pair ratios (mean ± std over seeds) and the K found."""
    groups: Dict[tuple, List[Dict]] = {}
    for r in records:
        groups.setdefault((r['method'], r['budget'], r['space']), []).append(r)
    keys = sorted(groups)
    head = ['coarse class', 'fine pair'
            ] + [f'{m}, {b} ep., {s}' for m, b, s in keys]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
    first = groups[keys[0]][0]
    coarse_names = first['class_names']
    fine_names = first['fine_class_names'] or None
    name = (lambda f: fine_names[f]) if fine_names else str

    def row(c: int, label: str, value) -> str:
        cells = []
        for key in keys:
            ms = mean_std([value(r['classes'][c]) for r in groups[key]])
            cells.append(f"{ms['mean']:.2f} ± {ms['std']:.2f}")
        return f'| {coarse_names[c]} | {label} | ' + ' | '.join(cells) + ' |'

    for c, cls in enumerate(first['classes']):
        for p, (a, b, _) in enumerate(cls['pairs']):
            lines.append(
                row(c,
                    f'{name(a)}, {name(b)}',
                    lambda cl, p=p: cl['pairs'][p][2]))
        if len(cls['fine']) > 2:
            lines.append(
                row(
                    c, 'best 2-way grouping of all (' + ', '.join(
                        name(f) for f in cls['best_bipartition']['part']) +
                    ' vs the rest, first run)',
                    lambda cl: cl['best_bipartition']['ratio']))
    for name, field in (('K, split/merge', 'split_merge_k'), ('K, silhouette',
                                                              'silhouette_k')):
        cells = []
        for key in keys:
            runs = sorted(groups[key], key=lambda r: r['seed'])
            error = statistics.mean(
                _k_error(r[field], r['true_k']) for r in runs)
            cells.append(', '.join(str(r[field])
                                   for r in runs) + f' (error {error:.2f})')
        lines.append(f'| all | {name} | ' + ' | '.join(cells) + ' |')
    lines.append('')
    lines.append(f"K per class for each seed in order; truth "
                 f"{first['true_k']}; split/merge from K = 1, "
                 f"{len(first['split_merge_history'])} rounds, "
                 f"{first['split_merge']}; error: mean |K - truth| per "
                 'class.')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--work-dirs',
        nargs='+',
        default=[],
        help='run directories of bench_induction.py (config + checkpoint)')
    parser.add_argument('--out', required=True, help='JSON records')
    parser.add_argument('--markdown', help='write the table here')
    parser.add_argument(
        '--report-only',
        action='store_true',
        help='rewrite --markdown from --out without loading models')
    args = parser.parse_args(argv)
    records = []
    if args.report_only:
        with open(args.out) as f:
            records = json.load(f)['records']
    else:
        if not args.work_dirs:
            parser.error('give --work-dirs (or --report-only)')
        for work_dir in sorted(args.work_dirs):
            records += analyse(work_dir)
            print(f'{work_dir}: done', flush=True)
            write_json(args.out,
                       dict(command=' '.join(sys.argv), records=records))
    text = table(records)
    print(text)
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
