"""Time of one training iteration: linear head vs DNC head, side by side.

One full mmpretrain training iteration -- ``model.train_step(data,
optim_wrapper)``: data preprocessing, forward, loss, backward, SGD step and,
for DNC, the sub-centroid update (clustering of batch + memory, momentum
update, memory push) -- of an ``ImageClassifier`` with a ResNet-50 backbone
and GlobalAveragePooling, batch 32, 1000 classes, with

* (a) ``LinearClsHead(num_classes=1000, in_channels=2048)``;
* (b) ``SubCentroidClsHead(num_classes=1000, in_channels=2048,
  num_subcentroids=4)`` whose feature memory holds ``--memory-batches``
  (default 100) batches = 3,200 rows, pre-filled with random l2-normalised
  features and random labels, all flagged correctly classified, so every
  update clusters the correct samples of the batch + 3,200 memory rows (the
  paper's setting, scaled; ImageNet uses 1000 batches).

Both models are built through ``mmpretrain.registry.MODELS`` with the same
seed and carry identical backbone weights. The two iterations run alternately
(A B A B ...) on the same random batch; the script prints median and IQR of
each, the per-pair ratio DNC / linear (goal <= 1.03) and the time of the DNC
update step alone (``SubCentroidClsHead._update_state``, timed inside the DNC
iterations).

Default input: 224x224 on CUDA; on the CPU 64x64 (``--img-size``), because
a 224x224 ResNet-50 iteration at batch 32 takes many seconds there. The
head's cost does not depend on the image size, so a ratio measured at
reduced resolution overstates the head's share of the iteration.

Example::

    python tools/benchmarks/bench_dnc_train_iter.py --device cpu \\
        --repeats 10 --warmup 2 \\
        --out docs/benchmarks/bench_dnc_train_iter_cpu.json
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from bench_utils import (add_timing_arguments, alternate, setup_benchmark,
                         summarize, time_method, timing_device,
                         train_step_timer, write_timing_results)

DTYPES = {'float32': torch.float32, 'float16': torch.float16}


# --------------------------------------------------------------- utilities
# ------------------------------------------------------------------ models
def build_model(head: dict, seed: int, device: torch.device):
    from mmpretrain.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                type='ResNet',
                depth=50,
                num_stages=4,
                out_indices=(3, ),
                style='pytorch'),
            neck=dict(type='GlobalAveragePooling'),
            head=head,
            data_preprocessor=dict(
                type='ClsDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                to_rgb=True)))
    model.init_weights()
    return model.to(device).train()


def fill_memory(head, args, device: torch.device) -> None:
    """Allocate and fill the DNC memory with random normalised features."""
    capacity = args.memory_batches * args.batch_size
    dim = head.embed_dims
    head.memory.allocate(
        capacity=capacity, dim=dim, dtype=DTYPES[args.memory_dtype])
    g = torch.Generator().manual_seed(args.seed + 1)
    for start in range(0, capacity, args.batch_size):
        n = min(args.batch_size, capacity - start)
        feats = F.normalize(torch.randn(n, dim, generator=g), dim=1)
        labels = torch.randint(0, args.num_classes, (n, ), generator=g)
        correct = torch.rand(n, generator=g) < args.memory_correct_frac
        head.memory.push(
            feats.to(device), labels.to(device), correct.to(device))


def make_data(args, device: torch.device) -> dict:
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(args.seed + 2)
    imgs = torch.randint(
        0,
        256, (args.batch_size, 3, args.img_size, args.img_size),
        generator=g,
        dtype=torch.uint8)
    labels = torch.randint(
        0, args.num_classes, (args.batch_size, ), generator=g)
    samples = [DataSample().set_gt_label(int(lab)) for lab in labels]
    return dict(inputs=imgs.to(device), data_samples=samples)


# -------------------------------------------------------------------- main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description='One training iteration: LinearClsHead vs '
        'SubCentroidClsHead on ResNet-50.')
    add_timing_arguments(parser, 10, 2,
                         'timed rounds, each runs both models once')
    parser.add_argument(
        '--img-size',
        type=int,
        default=None,
        help='input resolution (default: 224 on cuda, 64 on '
        'cpu)')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--num-classes', type=int, default=1000)
    parser.add_argument('--num-subcentroids', type=int, default=4)
    parser.add_argument(
        '--memory-batches',
        type=int,
        default=100,
        help='DNC memory size in batches (0: no memory)')
    parser.add_argument(
        '--memory-dtype', choices=sorted(DTYPES), default='float32')
    parser.add_argument(
        '--memory-correct-frac',
        type=float,
        default=1.0,
        help='share of memory rows flagged correctly '
        'classified (clustered by the update)')
    parser.add_argument('--lr', type=float, default=0.1)
    parser.add_argument(
        '--goal',
        type=float,
        default=1.03,
        help='goal for the ratio DNC / linear')
    args = parser.parse_args(argv)
    device = timing_device(parser, args)
    if args.img_size is None:
        args.img_size = 224 if device.type == 'cuda' else 64
    info = setup_benchmark(device, 'mmpretrain', args.threads)
    from mmengine.optim import OptimWrapper
    rows = args.memory_batches * args.batch_size
    print(f'setting: ResNet-50 + GAP, batch {args.batch_size}, '
          f'{args.img_size}x{args.img_size}, C={args.num_classes}; DNC '
          f'K={args.num_subcentroids}, memory {args.memory_batches} batches '
          f'= {rows} rows ({args.memory_dtype})')

    linear = build_model(
        dict(
            type='LinearClsHead',
            num_classes=args.num_classes,
            in_channels=2048), args.seed, device)
    dnc = build_model(
        dict(
            type='SubCentroidClsHead',
            num_classes=args.num_classes,
            in_channels=2048,
            classifier=dict(num_subcentroids=args.num_subcentroids)),
        args.seed, device)
    # identical backbones, whatever the heads consumed from the RNG
    dnc.backbone.load_state_dict(linear.backbone.state_dict())
    if rows > 0:
        fill_memory(dnc.head, args, device)

    # time the DNC update step inside the DNC iterations
    update_times = time_method(dnc.head, '_update_state', device)

    models = {'linear': linear, 'dnc': dnc}
    wrappers = {
        name:
        OptimWrapper(
            torch.optim.SGD(
                m.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4))
        for name, m in models.items()
    }
    data = make_data(args, device)

    step = train_step_timer(models, wrappers, data, device)

    t0 = time.perf_counter()
    times = alternate(
        step,
        list(models),
        args.warmup,
        args.repeats,
        after_warmup=update_times.clear)
    wall = time.perf_counter() - t0

    stats = {name: summarize(t) for name, t in times.items()}
    pair = [d / lin for d, lin in zip(times['dnc'], times['linear'])]
    ratio = summarize(pair)
    upd = summarize(update_times) if update_times else None
    share = [u / lin for u, lin in zip(update_times, times['linear'])]
    print(f'\n  {"variant":26s} {"median s":>9s} {"IQR s":>8s} {"min s":>8s}'
          f'  (n={args.repeats}, alternating)')
    labels = {
        'linear': 'linear (LinearClsHead)',
        'dnc': 'DNC (SubCentroidClsHead)'
    }
    for name, s in stats.items():
        print(f'  {labels[name]:26s} {s["median"]:9.3f} {s["iqr"]:8.3f} '
              f'{s["min"]:8.3f}')
    if upd:
        print(f'  {"  DNC update step only":26s} {upd["median"]:9.3f} '
              f'{upd["iqr"]:8.3f} {upd["min"]:8.3f}   '
              f'({statistics.median(share):.1%} of a linear iteration)')
    met = ratio['median'] <= args.goal
    print(f'\n  ratio DNC / linear: {ratio["median"]:.3f} (per-pair median; '
          f'IQR {ratio["q1"]:.3f}-{ratio["q3"]:.3f}; ratio of medians '
          f'{stats["dnc"]["median"] / stats["linear"]["median"]:.3f})   '
          f'goal <= {args.goal}: {"MET" if met else "NOT MET"}')
    note = None
    if device.type == 'cpu' and args.img_size < 224:
        note = (f'CPU at {args.img_size}x{args.img_size}: the backbone costs '
                f'~{(224 / args.img_size) ** 2:.0f}x less than at 224x224 '
                'while the head and the DNC update cost the same, so this '
                "ratio overstates the head's share of a real iteration.")
        print(f'  note: {note}')
    write_timing_results(
        args, info,
        dict(
            times_s=times,
            stats_s=stats,
            ratio_dnc_over_linear=dict(
                per_pair=ratio,
                of_medians=stats['dnc']['median'] / stats['linear']['median']),
            goal=args.goal,
            goal_met=met,
            update_step_s=dict(
                times=update_times, stats=upd, share_of_linear_iter=share),
            wall_s=wall,
            note=note))
    return 0


if __name__ == '__main__':
    sys.exit(main())
