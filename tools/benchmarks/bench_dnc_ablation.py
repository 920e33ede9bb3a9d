"""DNC and its baselines side by side, over budgets and seeds, in one run.

Three suites. ``--suite cls`` (default): DNC vs linear on Fashion-MNIST and
the ablation of DNC's choices. ``--suite seg``: DNC-FCN, CBP, OCCL and
CBP + OCCL (Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern Recognition
2024) against the same FCN runs on the bundled fashion_scenes benchmark, as
a learning curve over ``--budgets`` (iterations). ``--suite transfer``:
Table 3 of Wang et al., "Visual Recognition with Deep Nearest Centroids"
(ICLR 2023, https://arxiv.org/abs/2209.07383) at the bundled
benchmark's scale — FCN and DNC-FCN fine-tuned from the backbone of the
linear or of the DNC Fashion-MNIST classifier (ResNet-V1c-18, width 16);
every seed trains its own two classifiers (``--pretrain-epochs``, default
the configs' 5) and fine-tunes from them, so the spread over seeds covers
pretraining as well as fine-tuning.

Every variant trains the same backbone on the same data with the same
schedule and seeds (``tools/train.py``); only the head (or one head option)
differs. Variants:

* ``linear`` — the parametric softmax twin;
* ``dnc`` — the bundled DNC config (paper settings: K = 4, Sinkhorn, mu =
  0.999, 100-batch memory, Algorithm 1's masking order; the class scores
  scaled by one learnable scale, ``logit_normalization='learned_scale'``);
* ``dnc-layernorm`` — the plain LayerNorm over the class scores instead
  (the default until December 2026); the ablations below are measured on
  it;
* ``dnc-ln-affine`` / ``dnc-temperature`` — the other class-score
  normalisations;
* ``dnc-mask-before`` — misclassified samples dropped before the transport;
* ``dnc-data-init`` / ``dnc-mu-warmup`` / ``dnc-mem-age`` — one
  schedule-aware option each (k-means++ initialisation, momentum warm-up
  0.9 -> 0.999 over 200 iterations, memory rows older than 20 iterations
  dropped), and ``dnc-schedule-aware`` with all three;
* ``dnc-ppc`` — ``dnc`` with ProtoSeg's sample-sub-centroid contrast and
  distance losses (``SubCentroidContrastLoss``), against the collapse of a
  class's sub-centroids; ``dnc-ppc-w0.1`` the same at 10 times the weights
  (0.1 / 0.01);
* seg: ``fcn``, ``dnc-fcn``, ``dnc-fcn-schedule-aware``,
  ``dnc-fcn-learned-scale`` (the class-score normalisation the
  classification runs chose, instead of the plain LayerNorm),
  ``dnc-fcn-kmeans`` (k-means clustering seeded from data instead of
  Sinkhorn's equipartition),
  ``cbp``, ``occl``, ``cbp-occl``;
* transfer: ``fcn-linear-pre``, ``fcn-dnc-pre``, ``dnc-fcn-linear-pre``,
  ``dnc-fcn-dnc-pre`` (head, then the classifier the backbone comes from;
  the records add the ``pretrain`` classifier's seed, epochs, top-1 and
  backbone file).

The JSON holds one record per run (``method``, ``variant``, ``budget`` in
epochs or iterations, ``seed``, the metric — ``accuracy/top1`` or
``mIoU`` — the wall time, the ``curve`` of every validation of the run as
``[step, metric]`` pairs, and for DNC heads the final sub-centroid
``health``: the mean over classes of the mean and max cosine between a
class's sub-centroids and of the entropy of their usage, see
:func:`dnc_mm.core.subcentroid_health`) and is rewritten after every
run; a rerun skips the records already there, so the benchmark can be
stopped and continued. A run cut in the middle is resumed from its last
checkpoint (``tools/train.py --resume``; segmentation runs checkpoint at
every ``--val-interval``, classification runs every epoch) and lists the
steps it was ``resumed_from``; its ``wall_s`` sums its attempts (``null``
in the JSON when one was cut: its time is unknown). ``--markdown`` writes
the mean ± std table.

Example (the table in docs/benchmarks/dnc_ablation_fashion_mnist.md)::

    python tools/benchmarks/bench_dnc_ablation.py --budgets 5 \
        --seeds 0 1 2 --out docs/benchmarks/dnc_ablation_fashion_mnist.json \
        --markdown docs/benchmarks/dnc_ablation_fashion_mnist.md

Segmentation learning curve::

    python tools/benchmarks/bench_dnc_ablation.py --suite seg \
        --budgets 1000 4000 8000 --seeds 0 1 2 \
        --out docs/benchmarks/seg_curve_fashion_scenes.json

Transfer, 3 pretraining seeds::

    python tools/benchmarks/bench_dnc_ablation.py --suite transfer \
        --budgets 1000 --seeds 0 1 2 \
        --out docs/benchmarks/transfer_fashion_scenes.json
"""
import argparse
import json
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_accuracy import final_metrics, train  # noqa: E402
from bench_utils import budget_and_curve_plot  # noqa: E402
from bench_utils import final_health  # noqa: E402
from bench_utils import last_checkpoint  # noqa: E402
from bench_utils import paired_difference  # noqa: E402
from bench_utils import validation_curve  # noqa: E402
from bench_utils import write_json  # noqa: E402
from bench_utils import write_results  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: a run's training attempts, written into its work dir
ATTEMPTS = 'bench_attempts.json'
DNC = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'
LINEAR = 'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-10k.py'
PPC = 'configs/dnc/dnc_resnet18-w16_ppc-5e_fashion-mnist-10k.py'
DATA_INIT = ['model.head.classifier.init.type=data']
WARMUP = [
    'model.head.classifier.momentum_warmup_iters=200',
    'model.head.classifier.momentum_warmup_start=0.9'
]
MEM_AGE = ['custom_hooks.0.max_age_iters=20']
# ProtoSeg's two losses at 10 times the weights of its code
PPC_X10 = [
    'model.head.loss_contrast.contrast_weight=0.1',
    'model.head.loss_contrast.distance_weight=0.01'
]

# The main config's class scores use 'learned_scale'; the ablation of the
# estimation options was measured on the plain LayerNorm (the default then).
LAYERNORM = ['model.head.logit_normalization=layernorm']

#: variant -> (method, config, options)
CLS_VARIANTS: Dict[str, tuple] = {
    'dnc': ('dnc', DNC, []),
    'linear': ('linear', LINEAR, []),
    'dnc-layernorm': ('dnc', DNC, LAYERNORM),
    'dnc-schedule-aware':
    ('dnc', DNC, LAYERNORM + DATA_INIT + WARMUP + MEM_AGE),
    'dnc-data-init': ('dnc', DNC, LAYERNORM + DATA_INIT),
    'dnc-mask-before':
    ('dnc', DNC, LAYERNORM + ['model.head.classifier.mask_order=before']),
    'dnc-ln-affine':
    ('dnc', DNC, ['model.head.logit_normalization=layernorm_affine']),
    'dnc-temperature':
    ('dnc', DNC, ['model.head.logit_normalization=temperature']),
    'dnc-mu-warmup': ('dnc', DNC, LAYERNORM + WARMUP),
    'dnc-mem-age': ('dnc', DNC, LAYERNORM + MEM_AGE),
    'dnc-ppc': ('dnc', PPC, []),
    'dnc-ppc-w0.1': ('dnc', PPC, PPC_X10),
}
SEG = 'fashion-scenes-128x128.py'
SEG_VARIANTS: Dict[str, tuple] = {
    'fcn': ('fcn', f'configs/fcn/fcn_r18-w16-d8_1k_{SEG}', []),
    'dnc-fcn': ('dnc-fcn', f'configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_{SEG}', []),
    'dnc-fcn-schedule-aware':
    ('dnc-fcn', f'configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_{SEG}', [
        'model.decode_head.classifier.init.type=data',
        'model.decode_head.classifier.momentum_warmup_iters=500',
        'model.decode_head.classifier.momentum_warmup_start=0.9'
    ]),
    # the class-score normalisation classification chose (learned_scale)
    'dnc-fcn-learned-scale':
    ('dnc-fcn', f'configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_{SEG}',
     ['model.decode_head.logit_normalization=learned_scale']),
    # k-means instead of Sinkhorn's equipartition, seeded from data: the
    # equipartition collapses a class's sub-centroids on frozen features
    # (bench_subcentroid_collapse.py)
    'dnc-fcn-kmeans':
    ('dnc-fcn', f'configs/dnc_seg/dnc-fcn_r18-w16-d8-kmeans_1k_{SEG}', []),
    'cbp': ('cbp', f'configs/cbp/cbp_fcn_r18-w16-d8_1k_{SEG}', []),
    'occl': ('occl', f'configs/cbp/occl_fcn_r18-w16-d8_1k_{SEG}', []),
    'cbp-occl':
    ('cbp-occl', f'configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_{SEG}', []),
}
#: classifier configs whose backbones the transfer suite fine-tunes
PRETRAIN_CONFIGS = {
    'linear': 'configs/dnc/linear_resnetv1c18-w16_5e_fashion-mnist-10k.py',
    'dnc': 'configs/dnc/dnc_resnetv1c18-w16_5e_fashion-mnist-10k.py',
}
#: transfer variant -> (method, config, options); the config's backbone is
#: replaced by the one of the classifier in :data:`TRANSFER_PRETRAIN`
TRANSFER_VARIANTS: Dict[str, tuple] = {
    'fcn-linear-pre':
    ('fcn', f'configs/fcn/fcn_r18-w16-d8-fmnist-pre_1k_{SEG}', []),
    'fcn-dnc-pre':
    ('fcn', f'configs/fcn/fcn_r18-w16-d8-fmnist-dnc-pre_1k_{SEG}', []),
    'dnc-fcn-linear-pre':
    ('dnc-fcn', f'configs/dnc_seg/dnc-fcn_r18-w16-d8-fmnist-pre_1k_{SEG}', []),
    'dnc-fcn-dnc-pre':
    ('dnc-fcn', f'configs/dnc_seg/dnc-fcn_r18-w16-d8-fmnist-dnc-pre_1k_{SEG}',
     []),
}
#: transfer variant -> the key of its classifier in :data:`PRETRAIN_CONFIGS`
TRANSFER_PRETRAIN = {
    'fcn-linear-pre': 'linear',
    'fcn-dnc-pre': 'dnc',
    'dnc-fcn-linear-pre': 'linear',
    'dnc-fcn-dnc-pre': 'dnc',
}


def finished_run(work_dir: str, budget: int, suite: dict) -> bool:
    """Whether ``work_dir`` holds a run that trained to ``budget`` and
    validated there (its last checkpoint is the final one and its last
    validation is at the final step), e.g. one whose record was lost."""
    if last_checkpoint_step(work_dir, suite) != budget:
        return False
    try:
        curve = validation_curve(work_dir, suite['metric'])
    except FileNotFoundError:
        return False
    return bool(curve) and curve[-1][0] == budget


def last_checkpoint_step(work_dir: str, suite: dict) -> Optional[int]:
    """Epoch or iteration of the last checkpoint ``tools/train.py`` left in
    ``work_dir`` (``None`` when there is none): where a cut run resumes."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.exists(marker):
        return None
    with open(marker) as f:
        name = osp.basename(f.read().strip())
    before, after = suite['checkpoint'].split('{}')
    match = re.fullmatch(re.escape(before) + r'(\d+)' + re.escape(after), name)
    if match is None:
        raise RuntimeError(f'{marker} names {name!r}, not a checkpoint of '
                           f'this benchmark ({suite["checkpoint"]}); remove '
                           f'{work_dir} to start the run again')
    return int(match.group(1))


def read_attempts(work_dir: str) -> List[dict]:
    """The training attempts of a run, ``{'from': step, 'wall_s': s}``
    each, in order: the first from step 0, a later one from the checkpoint
    it resumed (or 0 when its predecessor was cut before its first
    checkpoint). Empty when this script did not train the run."""
    path = osp.join(work_dir, ATTEMPTS)
    if not osp.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def total_wall(attempts: List[dict]) -> float:
    """Wall seconds of a run over its attempts; NaN when one of them is
    not known (a cut attempt, or a record restored from a finished work
    dir)."""
    times = [a['wall_s'] for a in attempts]
    if not times or None in times:
        return float('nan')
    return round(sum(times), 1)


def run_or_resume(config: str, seed: int, work_dir: str, extra: List[str],
                  budget: int, suite: dict) -> None:
    """Train one run with ``tools/train.py``, resuming it (``--resume``)
    from the last checkpoint in ``work_dir`` when an earlier attempt was
    cut, and add the attempt to the run's :data:`ATTEMPTS` file.

    A resumed run continues the model, its buffers (sub-centroids, memory),
    the optimizer and the schedule from the checkpoint (its record lists
    ``resumed_from``). Epoch-based (classification) runs then end exactly
    as an uncut run would (``tools/train.py`` re-seeds every epoch, see
    ``EpochSeedHook``); iteration-based (segmentation) runs continue the
    same experiment, not bit-identically: the random draws after the
    checkpoint differ."""
    start = last_checkpoint_step(work_dir, suite)
    if start == budget:
        raise RuntimeError(
            f'{work_dir} holds the final checkpoint but no validation at '
            f'{budget} {suite["unit"]} (the run was cut during its last '
            f'validation): evaluate it with tools/test.py, or remove '
            f'{work_dir} to train it again')
    # written before training, so that a cut attempt is on record too
    # (with ``wall_s`` None: its time is not known)
    attempts = read_attempts(work_dir) + [{'from': start or 0, 'wall_s': None}]
    os.makedirs(work_dir, exist_ok=True)
    write_json(osp.join(work_dir, ATTEMPTS), attempts)
    resume = ['--resume'] if start else []
    seconds = train(osp.join(ROOT, config), seed, work_dir, resume + extra)
    attempts[-1]['wall_s'] = round(seconds, 1)
    write_json(osp.join(work_dir, ATTEMPTS), attempts)


def cls_budget(epochs: int) -> List[str]:
    """Options that set the schedule to ``epochs`` (cosine over all)."""
    return [
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.T_max={epochs}'
    ]


def seg_budget(iters: int) -> List[str]:
    """Options that set the schedule to ``iters`` (poly decay over all)."""
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'param_scheduler.0.end={iters}'
    ]


def seg_checkpoints(iters: int, val_interval: Optional[int]) -> List[str]:
    """A checkpoint at every validation (the last one kept), so that a cut
    run resumes from its last validation."""
    return [
        f'default_hooks.checkpoint.interval={val_interval or iters}',
        'default_hooks.checkpoint.max_keep_ckpts=1'
    ]


SUITES = {
    'cls':
    dict(
        variants=CLS_VARIANTS,
        metric='accuracy/top1',
        unit='epochs',
        baseline='linear',
        budget=cls_budget,
        # the configs keep a checkpoint of every epoch (the last two)
        checkpoints=lambda epochs, val_interval: [],
        checkpoint='epoch_{}.pth'),
    'seg':
    dict(
        variants=SEG_VARIANTS,
        metric='mIoU',
        unit='iterations',
        baseline='fcn',
        budget=seg_budget,
        checkpoints=seg_checkpoints,
        checkpoint='iter_{}.pth'),
}
# the segmentation suite, fine-tuned from the classifiers' backbones
SUITES['transfer'] = dict(
    SUITES['seg'], variants=TRANSFER_VARIANTS, baseline='fcn-linear-pre')


def pretrained_backbone(head: str, seed: int, epochs: int, work_root: str,
                        seg_config: str) -> dict:
    """Train the Fashion-MNIST classifier ``head`` (a key of
    :data:`PRETRAIN_CONFIGS`) with ``seed`` for ``epochs`` (resuming a cut
    run, reusing a finished one) and convert its last checkpoint into a
    backbone file for ``seg_config`` with
    ``tools/model_converters/cls_to_seg_backbone.py --adapt-in-channels``,
    as a user would.

    Returns:
        dict: ``head``, ``seed``, ``epochs``, ``config``, the classifier's
        ``accuracy/top1`` and the ``backbone`` file.
    """
    suite = SUITES['cls']
    config = PRETRAIN_CONFIGS[head]
    work = osp.join(work_root, f'pretrain-{head}_{epochs}_s{seed}')
    if not finished_run(work, epochs, suite):
        run_or_resume(config, seed, work,
                      ['--cfg-options'] + cls_budget(epochs), epochs, suite)
    backbone = osp.join(work, 'seg-backbone.pth')
    if not osp.exists(backbone):  # the converter writes it atomically
        checkpoint = last_checkpoint(work)
        cmd = [
            sys.executable,
            osp.join(ROOT, 'tools', 'model_converters',
                     'cls_to_seg_backbone.py'), checkpoint,
            osp.join(ROOT, seg_config), backbone, '--adapt-in-channels'
        ]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(
                f'{" ".join(cmd)} failed:\n{proc.stderr[-4000:]}')
    return dict(
        head=head,
        seed=seed,
        epochs=epochs,
        config=config,
        backbone=backbone,
        **{'accuracy/top1': final_metrics(work)['accuracy/top1']})


def table(records: List[dict], suite: dict) -> str:
    """Markdown table: mean ± std per (variant, budget), one block of
    rows per budget with the baseline first, and Δ vs the baseline on the
    seeds both have (the mean of the per-seed differences;
    the seeds are named when they are not all of the row's or the
    baseline's, so that a row with other seeds is not compared with
    another mean)."""
    metric, base = suite['metric'], suite['baseline']
    groups: Dict[tuple, Dict[int, float]] = {}
    for r in records:
        groups.setdefault((r['variant'], r['budget']), {})[r['seed']] = (
            r[metric])
    lines = [
        f'| variant | budget ({suite["unit"]}) | seeds | {metric} '
        f'mean ± std | Δ vs {base}, same seeds |',
        '| --- | --- | --- | --- | --- |'
    ]
    # by budget, the baseline first, the others in the order they ran
    # (sorted is stable)
    rows = sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0] != base))
    for (variant, budget), by_seed in rows:
        vals = list(by_seed.values())
        ref = groups.get((base, budget), {})
        paired, diffs = paired_difference(by_seed, ref)
        # a single run is shown alone: its std is not defined
        std = (f' ± {statistics.stdev(vals):.2f}' if len(vals) > 1 else '')
        delta = ''
        if paired:
            delta = f'{statistics.mean(diffs):+.2f}'
            if len(paired) < max(len(by_seed), len(ref)):
                delta += f' (seed{"s" * (len(paired) > 1)} ' + ', '.join(
                    map(str, paired)) + ')'
        lines.append(f'| {variant} | {budget} | {len(vals)} | '
                     f'{statistics.mean(vals):.2f}{std} | {delta} |')
    return '\n'.join(lines) + '\n'


def plot(records: List[dict], suite: dict, path: str) -> None:
    """Learning curves as a PNG: the final metric against the budget
    (mean ± std over seeds, one line per variant) and, for the largest
    budget, the validation curve within the runs (mean over seeds)."""
    metric, unit = suite['metric'], suite['unit']
    by_variant: Dict[str, Dict[int, List[dict]]] = {}
    for r in records:
        by_variant.setdefault(r['variant'], {}).setdefault(r['budget'],
                                                           []).append(r)
    budget_and_curve_plot(
        dict(sorted(by_variant.items())),
        metric,
        path,
        unit,
        budget_labels=dict(
            xlabel=f'budget ({unit})',
            ylabel=metric,
            title='final metric, mean ± std over seeds'),
        curve_labels=dict(
            xlabel=unit,
            ylabel=metric,
            title='validation during the largest budget'))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--suite', choices=list(SUITES), default='cls')
    parser.add_argument(
        '--pretrain-epochs',
        type=int,
        default=5,
        help='transfer suite: epochs of the Fashion-MNIST classifiers whose '
        'backbones are fine-tuned (one classifier per head and seed; the '
        'fine-tuning run of seed s starts from the classifier of seed s)')
    parser.add_argument(
        '--variants', nargs='+', help='default: every variant of the suite')
    parser.add_argument(
        '--budgets',
        type=int,
        nargs='+',
        default=[5],
        help='epochs (cls) or iterations (seg)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/bench_dnc_ablation')
    parser.add_argument('--out', required=True, help='JSON of all runs')
    parser.add_argument('--markdown', help='write the table here')
    parser.add_argument('--plot', help='write the learning curves (PNG)')
    parser.add_argument(
        '--val-interval',
        type=int,
        help='validate every N epochs (cls) or iterations '
        '(seg) to record the curve within a run; default: '
        'the config\'s (cls: every epoch) or only at the '
        'end (seg). Use one value for all runs of a table: '
        'a validation draws from the global RNG (its '
        'loader\'s worker seed), so it shifts the random '
        'stream of the training that follows.')
    args = parser.parse_args(argv)
    suite = SUITES[args.suite]
    variants = args.variants or list(suite['variants'])
    unknown = set(variants) - set(suite['variants'])
    if unknown:
        parser.error(f'unknown variants for --suite {args.suite}: '
                     f'{sorted(unknown)}; choose from '
                     f'{list(suite["variants"])}')
    metric = suite['metric']

    records: List[dict] = []
    if osp.exists(args.out):
        with open(args.out) as f:
            records = json.load(f)['runs']
    transfer = args.suite == 'transfer'
    other = {r['pretrain']['epochs']
             for r in records if 'pretrain' in r} - {args.pretrain_epochs}
    if transfer and other:
        parser.error(f'{args.out} holds runs fine-tuned from classifiers '
                     f'trained for {sorted(other)} epochs, not '
                     f'--pretrain-epochs {args.pretrain_epochs}: give '
                     'another --out')
    done = {(r['variant'], r['budget'], r['seed']) for r in records}
    for budget in args.budgets:
        for variant in variants:
            method, config, options = suite['variants'][variant]
            for seed in args.seeds:
                if (variant, budget, seed) in done:
                    continue
                run = f'{variant}_{budget}_s{seed}'
                pretrain = {}
                backbone = []
                if transfer:
                    pretrain = pretrained_backbone(TRANSFER_PRETRAIN[variant],
                                                   seed, args.pretrain_epochs,
                                                   args.work_dir, config)
                    run = f'{variant}{args.pretrain_epochs}e_{budget}_s{seed}'
                    backbone = [
                        'model.backbone.init_cfg.checkpoint=' +
                        pretrain['backbone']
                    ]
                work = osp.join(args.work_dir, run)
                extra = (['--cfg-options'] + suite['budget'](budget) +
                         suite['checkpoints'](budget, args.val_interval) +
                         options + backbone)
                if args.val_interval:
                    extra.append(f'train_cfg.val_interval={args.val_interval}')
                if not finished_run(work, budget, suite):  # else: record lost
                    run_or_resume(config, seed, work, extra, budget, suite)
                attempts = read_attempts(work)
                records.append(
                    dict(
                        method=method,
                        variant=variant,
                        budget=budget,
                        seed=seed,
                        config=config,
                        options=options,
                        val_interval=args.val_interval,
                        omp_num_threads=os.environ.get('OMP_NUM_THREADS'),
                        **{metric: final_metrics(work)[metric]},
                        wall_s=total_wall(attempts),
                        resumed_from=[a['from'] for a in attempts[1:]],
                        curve=validation_curve(work, metric),
                        health=final_health(work),
                        **({
                            'pretrain': pretrain
                        } if pretrain else {})))
                print(
                    f'{variant} {budget} {suite["unit"]} seed {seed}: '
                    f'{records[-1][metric]:.2f} '
                    f'({records[-1]["wall_s"]:.0f} s)',
                    flush=True)
                write_results(args.out, dict(metric=metric, runs=records))
                if args.markdown:
                    with open(args.markdown, 'w') as f:
                        f.write(table(records, suite))
    if args.markdown:  # also when every run was on record already
        with open(args.markdown, 'w') as f:
            f.write(table(records, suite))
    if args.plot and records:
        plot(records, suite, args.plot)
    print(table(records, suite))
    return 0


if __name__ == '__main__':
    sys.exit(main())
