"""Time of one segmentation training iteration: FCNHead vs SubCentroidFCNHead.

One full mmseg training iteration -- ``model.train_step(data,
optim_wrapper)``: data preprocessing, forward of backbone, decode head and
auxiliary head, losses, backward, SGD step and, for DNC, the sub-centroid
update (Sinkhorn clustering of the batch's pixels of every class at 1/8
resolution, momentum update) -- of mmseg's FCN with a dilated ResNet-50
(``fcn_r50-d8``), 150 classes (ADE20K), batch 2, with

* (a) the stock ``FCNHead`` (1x1 ``conv_seg``);
* (b) ``SubCentroidFCNHead`` with the paper's settings (K=10, mu=0.999,
  Sinkhorn eps 0.05, 3 iterations; ``configs/_base_/models/dnc_seg_head.py``).

Both models are built with the same seed and carry identical backbone,
decoder and auxiliary weights. The batch has piecewise-constant random
label maps (32x32-pixel blocks of random classes, 5% ignore pixels), so
every class of the batch has many pixels. By default the DNC head clusters
*every* valid pixel (``--all-pixels``): an untrained model classifies almost
no pixel correctly, and the paper's correct-only rule would make the update
look cheaper than it is in a trained model; ``--correct-only`` measures the
paper rule as is. The two iterations run alternately (A B A B ...); the
script prints median and IQR of each, the per-pair ratio DNC / stock (goal
<= 1.10) and the DNC update step alone.

Example (the issue's setting; on CUDA add --device cuda)::

    python tools/benchmarks/bench_dnc_seg_train_iter.py --repeats 5 \\
        --out docs/benchmarks/bench_dnc_seg_train_iter_cpu.json
"""
import argparse
import copy
import os.path as osp
import sys
from typing import Dict, List

import torch
from bench_utils import (add_timing_arguments, alternate, setup_benchmark,
                         summarize, time_method, timing_device,
                         train_step_timer, write_timing_results)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def model_cfg(num_classes: int, size: int, dnc: dict = None):
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', 'dnc_seg_head.py'))
    base = Config.fromstring(
        "_base_ = ['mmseg::_base_/models/fcn_r50-d8.py']\n", '.py')
    model = copy.deepcopy(base.model)
    model.pretrained = None
    model.data_preprocessor.size = (size, size)
    model.decode_head.num_classes = num_classes
    model.auxiliary_head.num_classes = num_classes
    if dnc is not None:
        model.decode_head.update(type='SubCentroidFCNHead', **cfg.dnc_head)
        model.decode_head.classifier.update(dnc)
    return model


def build(cfg, seed: int, device: torch.device):
    from mmengine.model import revert_sync_batchnorm
    from mmseg.registry import MODELS
    torch.manual_seed(seed)
    model = revert_sync_batchnorm(MODELS.build(cfg))
    model.init_weights()
    return model.to(device).train()


def make_data(args, device: torch.device) -> dict:
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(args.seed + 2)
    s, block = args.img_size, 32
    inputs, samples = [], []
    for _ in range(args.batch_size):
        inputs.append(
            torch.randint(0, 256, (3, s, s), dtype=torch.uint8,
                          generator=g).to(device))
        blocks = torch.randint(
            0, args.num_classes, (1, s // block, s // block), generator=g)
        label = blocks.repeat_interleave(block, 1).repeat_interleave(block, 2)
        label[torch.rand(label.shape, generator=g) < 0.05] = 255
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(s, s), ori_shape=(s, s), pad_shape=(s, s)))
        sample.gt_sem_seg = PixelData(data=label.to(device))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_timing_arguments(parser, 5, 1,
                         'timed rounds, each runs both models once')
    parser.add_argument('--img-size', type=int, default=512)
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--num-classes', type=int, default=150)
    parser.add_argument('--num-subcentroids', type=int, default=10)
    rule = parser.add_mutually_exclusive_group()
    rule.add_argument(
        '--all-pixels',
        dest='correct_only',
        action='store_false',
        default=False,
        help='cluster every valid pixel (default)')
    rule.add_argument(
        '--correct-only',
        dest='correct_only',
        action='store_true',
        help='the paper rule: correctly classified pixels only')
    parser.add_argument('--goal', type=float, default=1.10)
    args = parser.parse_args(argv)
    device = timing_device(parser, args)
    info = setup_benchmark(device, 'mmseg', args.threads)
    from mmengine.optim import OptimWrapper
    print(f'setting: FCN-R50-D8, batch {args.batch_size}, {args.img_size}x'
          f'{args.img_size}, C={args.num_classes}; DNC K='
          f'{args.num_subcentroids}, ' +
          ('correct pixels only' if args.
           correct_only else 'every valid pixel clustered'))
    stock = build(
        model_cfg(args.num_classes, args.img_size), args.seed, device)
    dnc = build(
        model_cfg(
            args.num_classes, args.img_size,
            dict(
                num_subcentroids=args.num_subcentroids,
                update_correct_only=args.correct_only)), args.seed, device)
    # identical weights wherever the two models have the same tensors
    missing = dnc.load_state_dict(stock.state_dict(), strict=False)
    assert all(
        k.startswith('decode_head.conv_seg')
        for k in missing.unexpected_keys), missing.unexpected_keys

    update_times = time_method(dnc.decode_head, 'update_subcentroids', device)
    models = {'stock': stock, 'dnc': dnc}
    wrappers = {
        n:
        OptimWrapper(
            torch.optim.SGD(
                m.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4))
        for n, m in models.items()
    }
    data = make_data(args, device)

    step = train_step_timer(models, wrappers, data, device)

    ratios: List[float] = []

    def report(i: int, times: Dict[str, List[float]]) -> None:
        ratios.append(times['dnc'][-1] / times['stock'][-1])
        print(
            f'round {i}: stock {times["stock"][-1]:.3f} s, dnc '
            f'{times["dnc"][-1]:.3f} s, ratio {ratios[-1]:.3f}',
            flush=True)

    times = alternate(
        step,
        list(models),
        args.warmup,
        args.repeats,
        swap_order=True,
        after_warmup=update_times.clear,
        on_round=report)
    res = dict(
        stock=summarize(times['stock']),
        dnc=summarize(times['dnc']),
        ratio=summarize(ratios),
        update=summarize(update_times))
    print(f'\nstock FCNHead   {res["stock"]["median"]:.3f} s '
          f'(IQR {res["stock"]["iqr"]:.3f})')
    print(f'DNC FCN head    {res["dnc"]["median"]:.3f} s '
          f'(IQR {res["dnc"]["iqr"]:.3f}); its update step '
          f'{res["update"]["median"]:.3f} s')
    verdict = 'met' if res['ratio']['median'] <= args.goal else 'NOT met'
    print(f'ratio DNC / stock: median {res["ratio"]["median"]:.3f} '
          f'(IQR {res["ratio"]["q1"]:.3f}-{res["ratio"]["q3"]:.3f}, n='
          f'{args.repeats}); goal <= {args.goal}: {verdict}')
    write_timing_results(args, info,
                         dict(results=res, raw=times, ratios=ratios))
    return 0


if __name__ == '__main__':
    sys.exit(main())
