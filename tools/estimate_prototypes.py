"""Spread c unit prototypes in R^d before HPL training (§3.2.1 of HPL).

HPL: Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024, https://arxiv.org/abs/2403.16937.

Minimises the Gaussian-potential uniformity loss (Eq. 5) with SGD (lr 0.1,
1000 iterations, random subsets of prototypes per step, re-normalised after
each step), with a progress bar; prints the Table 7 statistics (max / min
pairwise cosine) and, when d >= c - 1, the distance to a simplex ETF; saves
a file keyed by (d, c, seed) that HypersphericalPrototypeClsHead reads
(``prototype_file``). Seeded: the same arguments give the same file.

    python tools/estimate_prototypes.py --classes 100 --dims 50
    # -> work_dirs/prototypes/hpl_d50_c100_seed0.pt
"""
import argparse
import os.path as osp
import sys
import time

from mmengine.utils import ProgressBar

from dnc_mm.core.hyperspherical_prototypes import (  # noqa: E402
    estimate_prototypes, prototype_statistics)
from dnc_mm.models.heads.hyperspherical_prototype_cls_head import (  # noqa
    prototype_file_name, save_prototypes)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--classes', type=int, required=True, help='c')
    parser.add_argument('--dims', type=int, required=True, help='d')
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--lr', type=float, default=0.1)
    parser.add_argument(
        '--t',
        type=float,
        default=2.0,
        help='sharpness of the Gaussian potential')
    parser.add_argument(
        '--subset-size',
        type=int,
        default=None,
        help='prototypes per step (default: all, at most '
        '1000)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--out',
        default=None,
        help='output file (default: work_dirs/prototypes/'
        'hpl_d{d}_c{c}_seed{s}.pt)')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = args.out or osp.join(
        'work_dirs', 'prototypes',
        prototype_file_name(args.classes, args.dims, args.seed))
    bar = None if args.no_progress else ProgressBar(args.iters)
    losses = []

    def callback(step: int, loss: float) -> None:
        losses.append(loss)
        if bar is not None:
            bar.update()

    start = time.time()
    try:
        protos = estimate_prototypes(
            args.classes,
            args.dims,
            iters=args.iters,
            lr=args.lr,
            t=args.t,
            subset_size=args.subset_size,
            seed=args.seed,
            callback=callback)
    except ValueError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    elapsed = time.time() - start
    stats = prototype_statistics(protos)
    save_prototypes(
        out,
        protos,
        iters=args.iters,
        lr=args.lr,
        t=args.t,
        subset_size=args.subset_size,
        seed=args.seed,
        stats=stats)
    print(f'\n{args.classes} prototypes in R^{args.dims} ({elapsed:.1f} s, '
          f'loss {losses[0]:.4f} -> {losses[-1]:.4f})' if losses else '')
    print(f'max pairwise cosine {stats["max_cos"]:+.4f}   '
          f'min pairwise cosine {stats["min_cos"]:+.4f}   '
          f'mean {stats["mean_cos"]:+.4f}')
    if 'etf_cos' in stats:
        print(f'simplex ETF (cos {stats["etf_cos"]:+.4f}): largest '
              f'deviation {stats["etf_max_abs_dev"]:.2e}, relative Gram '
              f'error {stats["etf_rel_gram_error"]:.2e}')
    else:
        print(f'd < c - 1: no simplex ETF exists in R^{args.dims}')
    print(f'saved {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
