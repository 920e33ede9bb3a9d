"""Wall time of one HPL label-to-prototype assignment (Eq. 9, Figure 3c).

Times ``hungarian_assignment`` (the cost ``−z̄ Wᵀ`` in float64 plus
``scipy.optimize.linear_sum_assignment``: exactly what
``HypersphericalPrototypeClsHead.reassign`` runs) for c classes in R^d with
two kinds of class means: ``trained`` (each class mean near its own
prototype under a random permutation, with noise, as late in training) and
``random`` (unstructured means, as at the start). Prototypes are random
unit vectors (estimating 10,000 uniform prototypes first would dominate the
run; in R^512 random unit vectors are already nearly orthogonal). Each size
runs in its own subprocess with a wall-clock cap, so a size that takes too
long is reported as such instead of stalling the run.

    OMP_NUM_THREADS=1 python tools/benchmarks/bench_hpl_assignment.py \
        --classes 100 1000 10000 --dims 512 \
        --out docs/benchmarks/hpl_assignment_time.json
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

from bench_utils import write_results


def measure(classes: int, dims: int, reps: int, kind: str) -> dict:
    import torch
    import torch.nn.functional as F

    from dnc_mm.core.prototype_assignment import hungarian_assignment
    gen = torch.Generator().manual_seed(0)
    protos = F.normalize(torch.randn(classes, dims, generator=gen), dim=1)
    times = []
    for rep in range(reps):
        if kind == 'trained':
            perm = torch.randperm(classes, generator=gen)
            means = 0.6 * protos[perm] + 0.3 * F.normalize(
                torch.randn(classes, dims, generator=gen), dim=1)
        else:
            means = 0.3 * F.normalize(
                torch.randn(classes, dims, generator=gen), dim=1)
        start = time.perf_counter()
        got = hungarian_assignment(means, protos)
        times.append(time.perf_counter() - start)
        if kind == 'trained':
            assert torch.equal(got, perm), 'permutation not recovered'
    return dict(
        classes=classes, dims=dims, kind=kind, reps=reps, seconds=times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--classes', type=int, nargs='+', default=[100, 1000, 10000])
    parser.add_argument('--dims', type=int, default=512)
    parser.add_argument('--kinds', nargs='+', default=['trained', 'random'])
    parser.add_argument(
        '--timeout',
        type=int,
        default=600,
        help='wall-clock cap per (size, kind), seconds')
    parser.add_argument('--out', default=None)
    parser.add_argument(
        '--child', nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        c, reps, kind = int(args.child[0]), int(args.child[1]), args.child[2]
        print(json.dumps(measure(c, args.dims, reps, kind)))
        return 0
    results = []
    for c in args.classes:
        reps = 10 if c <= 100 else (4 if c <= 1000 else 1)
        for kind in args.kinds:
            cmd = [
                sys.executable,
                osp.abspath(__file__), '--dims',
                str(args.dims), '--child',
                str(c),
                str(reps), kind
            ]
            start = time.time()
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=args.timeout)
                if proc.returncode != 0:
                    raise RuntimeError(proc.stderr[-2000:])
                rec = json.loads(proc.stdout.strip().splitlines()[-1])
                rec['median_s'] = sorted(rec['seconds'])[len(rec['seconds']) //
                                                         2]
            except subprocess.TimeoutExpired:
                rec = dict(
                    classes=c,
                    dims=args.dims,
                    kind=kind,
                    timed_out_after_s=args.timeout)
            rec['wall_s_with_startup'] = time.time() - start
            results.append(rec)
            print(json.dumps(rec), flush=True)
    if args.out:
        write_results(args.out, dict(results=results, loadavg=os.getloadavg()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
