"""Training-iteration time: CBP + OCCL head vs the baseline head, one process.

One full mmseg training iteration -- ``model.train_step(data,
optim_wrapper)``: preprocessing, forward, cross-entropy (+ OCCL: connected
components, views, centroids, InfoNCE), backward and the SGD step -- of the
two bundled-benchmark configs

* (a) ``configs/cbp/baseline_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py``
* (b) ``configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-128x128.py``

built with the same seed (identical backbone and decoder weights; SyncBN
reverted to BN for a single process) and fed the same real training batches
of fashion_scenes (batch 8, 128x128, drawn once through the config's
training pipeline). The two run alternately (A B A B ...); the script prints
the median and IQR of each and the median of the per-pair ratios (b)/(a).

Example::

    OMP_NUM_THREADS=1 python tools/benchmarks/bench_cbp_train_iter.py \\
        --repeats 40 --warmup 5 \\
        --out docs/benchmarks/cbp_train_iter_cpu.json
"""
import argparse
import copy
import os.path as osp
import sys
import time

import torch
from bench_utils import machine_info, summarize, write_results

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'baseline':
    'configs/cbp/baseline_fcn_r18-w16-d8_1k_fashion-scenes-'
    '128x128.py',
    'cbp_occl':
    'configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-'
    '128x128.py',
}


def build(config: str, seed: int):
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.optim import build_optim_wrapper
    from mmseg.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, config))
    torch.manual_seed(seed)
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    model.init_weights()
    model.train()
    return model, build_optim_wrapper(model,
                                      copy.deepcopy(cfg.optim_wrapper)), cfg


def batches(cfg, n: int):
    from mmengine.runner import Runner
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(num_workers=0, persistent_workers=False)
    loader_cfg.dataset.data_root = osp.join(ROOT, loader_cfg.dataset.data_root)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    out = []
    for data in loader:
        out.append(data)
        if len(out) == n:
            return out
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=40)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument(
        '--batches',
        type=int,
        default=4,
        help='distinct real batches cycled through')
    parser.add_argument('--out', help='JSON results')
    args = parser.parse_args(argv)
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    import dnc_mm  # noqa: F401
    init_default_scope('mmseg')
    MMLogger.get_instance('mmengine', log_level='WARNING')

    built = {name: build(cfg, seed=0) for name, cfg in CONFIGS.items()}
    data = batches(built['baseline'][2], args.batches)
    times = {name: [] for name in CONFIGS}
    for rep in range(args.warmup + args.repeats):
        batch = data[rep % len(data)]
        for name, (model, ow, _) in built.items():
            start = time.perf_counter()
            model.train_step(copy.deepcopy(batch), ow)
            elapsed = time.perf_counter() - start
            if rep >= args.warmup:
                times[name].append(elapsed)
    ratios = [b / a for a, b in zip(times['baseline'], times['cbp_occl'])]
    result = dict(
        note='shared 2-core CPU, interleaved A B A B in one process',
        repeats=args.repeats,
        warmup=args.warmup,
        baseline_s=summarize(times['baseline']),
        cbp_occl_s=summarize(times['cbp_occl']),
        ratio=summarize(ratios))
    for name in CONFIGS:
        s = result[f'{name}_s']
        print(f'{name:9s} median {1000 * s["median"]:.1f} ms  IQR '
              f'{1000 * s["iqr"]:.1f} ms  (n={s["n"]})')
    r = result['ratio']
    print(f'ratio CBP+OCCL / baseline: median {r["median"]:.3f}  '
          f'(q1 {r["q1"]:.3f}, q3 {r["q3"]:.3f})')
    if args.out:
        write_results(
            args.out,
            result,
            machine=machine_info(torch.device('cpu')),
            indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
