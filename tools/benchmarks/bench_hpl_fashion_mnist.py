"""HPL vs fixed assignment vs PSC on Fashion-MNIST, balanced and long-tailed.

Every run is a real mmengine ``Runner`` built from one of the shipped
configs (``configs/hpl/{hpl,fixed-proto,psc}_resnet8-w16-d3_6e_*``), with
only the metric dimension ``d``, the seed, the work dir and the epoch
count overridden; runs go one after the other in this process (no
interpreter start-up per run), the validation runs once at the end, on the
balanced 1,000-image test subset. Same data, schedule, backbone and seed for
the three methods.

Example (the 72 runs of docs/benchmarks/hpl_fashion_mnist.md; there they
were split over processes by --settings / --seeds, with ``--done`` pointing
at the logs of earlier processes so that no run was repeated)::

    OMP_NUM_THREADS=1 nice -n 10 \
        python tools/benchmarks/bench_hpl_fashion_mnist.py \
        --dims 2 3 5 10 --seeds 0 1 2 --out work_dirs/bench_hpl.json
"""
import argparse
import json
import logging
import os
import os.path as osp
import statistics
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import machine_info  # noqa: E402

METHODS = ('hpl', 'fixed-proto', 'psc')
SETTINGS = {'balanced': 'fashion-mnist-2k', 'lt0.01': 'fashion-mnist-lt0.01'}


def config_path(method: str, setting: str) -> str:
    return osp.join(ROOT, 'configs', 'hpl',
                    f'{method}_resnet8-w16-d3_6e_{SETTINGS[setting]}.py')


def run_one(method: str, setting: str, dims: int, seed: int, epochs: int,
            work_root: str) -> dict:
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(config_path(method, setting))
    cfg.model.head.embed_dims = dims
    if cfg.model.head.type == 'HypersphericalPrototypeHead':
        cfg.model.head.prototype_file = osp.join(ROOT, 'work_dirs',
                                                 'prototypes',
                                                 f'hpl_d{dims}_c10_seed0.pt')
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs + 1  # validate once, below
    cfg.param_scheduler[1].T_max = epochs
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=-1, save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1000)
    cfg.log_level = 'WARNING'
    cfg.work_dir = osp.join(work_root, setting, method, f'd{dims}_s{seed}')
    start = time.process_time()
    wall = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    changes = runner.message_hub.get_scalar('train/hpl_assignment_changes') \
        if 'train/hpl_assignment_changes' in runner.message_hub.log_scalars \
        else None
    return dict(
        method=method,
        setting=setting,
        dims=dims,
        seed=seed,
        top1=float(metrics['accuracy/top1']),
        last_assignment_changes=(None if changes is None else int(
            changes.current())),
        cpu_s=time.process_time() - start,
        wall_s=time.time() - wall)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dims', type=int, nargs='+', default=[2, 3, 5, 10])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--methods', nargs='+', default=list(METHODS))
    parser.add_argument('--settings', nargs='+', default=list(SETTINGS))
    parser.add_argument('--epochs', type=int, default=6)
    parser.add_argument(
        '--work-dir', default=osp.join(ROOT, 'work_dirs', 'bench_hpl'))
    parser.add_argument('--out', default=None)
    parser.add_argument(
        '--done',
        nargs='*',
        default=[],
        help='logs of earlier runs of this script (their '
        'JSON lines): runs found there are not repeated')
    args = parser.parse_args(argv)
    import dnc_mm  # noqa: F401  (registration)
    torch.set_num_threads(1)
    logging.getLogger('mmengine').setLevel(logging.WARNING)
    info = machine_info(torch.device('cpu'))
    runs = []
    for log in args.done:
        with open(log) as f:
            runs += [json.loads(line) for line in f if line.startswith('{')]
    done = {(r['setting'], r['method'], r['dims'], r['seed']) for r in runs}
    start = time.process_time()
    # seeds outermost, methods innermost: a run cut short still has every
    # (d, method) cell for the seeds it finished, and the three methods of a
    # cell run back to back (drift of the shared machine hits all three)
    for seed in args.seeds:
        for setting in args.settings:
            for dims in args.dims:
                for method in args.methods:
                    if (setting, method, dims, seed) in done:
                        continue
                    rec = run_one(method, setting, dims, seed, args.epochs,
                                  args.work_dir)
                    runs.append(rec)
                    print(json.dumps(rec), flush=True)
    summary = {}
    for setting in args.settings:
        for dims in args.dims:
            for method in args.methods:
                acc = [
                    r['top1'] for r in runs if r['setting'] == setting
                    and r['dims'] == dims and r['method'] == method
                ]
                if not acc:
                    continue
                summary[f'{setting}/d{dims}/{method}'] = dict(
                    mean=statistics.mean(acc),
                    std=statistics.stdev(acc) if len(acc) > 1 else 0.0,
                    runs=acc)
    result = dict(
        command=' '.join([osp.relpath(sys.argv[0], ROOT)] +
                         (argv if argv is not None else sys.argv[1:])),
        epochs=args.epochs,
        machine=info,
        total_cpu_s=time.process_time() - start,
        runs=runs,
        summary=summary)
    for key, val in summary.items():
        print(f'{key:32s} {val["mean"]:6.2f} ± {val["std"]:5.2f}')
    print(f'total CPU time: {result["total_cpu_s"]:.0f} s')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
