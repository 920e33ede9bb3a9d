"""HPL label-to-prototype assignment: sparse certified vs dense solver.

For ``c`` classes in R^d it builds HPL-like costs ``−z̄ Wᵀ``
(:func:`dnc_mm.core.prototype_assignment.assignment_cost`, float32) and
times, on the same cost matrix,

* ``sparse``: :func:`dnc_mm.core.linear_assignment.solve_assignment` with
  the previous assignment as warm start (what
  ``HypersphericalPrototypeClsHead.reassign`` runs from 2,000 classes on);
* ``sparse_cold``: the same without a warm start (the first
  re-assignment);
* ``dense``: :func:`scipy.optimize.linear_sum_assignment`;

and checks that both assignments are identical. Class means:
``trained`` (each mean ``0.6 w_{π(j)} + 0.3 n_j`` near its own prototype
under a random permutation, as late in training) or ``random``
(``0.3 n_j``, as before training); the previous assignment is the optimum
for those means, the timed cost is for means moved by ``0.02`` (unit
noise), as between two re-assignments. Prototypes are random unit
vectors (nearly uniform for d = 512; estimating 10,000 prototypes would
dominate the run). Each (c, d, kind, solver) runs in its own subprocess
with a wall-clock cap; the two solvers' children rebuild the same matrix
(same seed) and the parent compares a hash of it and the assignments.

    OMP_NUM_THREADS=2 python tools/benchmarks/bench_prototype_assignment.py \\
        --classes 100 1000 10000 20000 --dims 512 64 \\
        --out docs/benchmarks/prototype_assignment
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import machine_info, run_json_child, write_results  # noqa


def make_case(classes: int, dims: int, kind: str, seed: int = 0):
    """Prototypes, the previous and the current class means."""
    import torch
    import torch.nn.functional as F
    gen = torch.Generator().manual_seed(seed)
    protos = F.normalize(torch.randn(classes, dims, generator=gen), dim=1)
    noise = F.normalize(torch.randn(classes, dims, generator=gen), dim=1)
    if kind == 'trained':
        perm = torch.randperm(classes, generator=gen)
        before = 0.6 * protos[perm] + 0.3 * noise
    else:
        before = 0.3 * noise
    moved = before + 0.02 * F.normalize(
        torch.randn(classes, dims, generator=gen), dim=1)
    return protos, before, moved


def child(classes: int, dims: int, kind: str, solver: str, out: str) -> dict:
    import numpy as np

    from dnc_mm.core.linear_assignment import (dense_assignment,
                                               solve_assignment)
    from dnc_mm.core.prototype_assignment import assignment_cost
    protos, before, moved = make_case(classes, dims, kind)
    start = time.perf_counter()
    cost = assignment_cost(moved, protos)
    rec = dict(
        cost_s=time.perf_counter() - start,
        cost_sha1=hashlib.sha1(cost.numpy().tobytes()).hexdigest())
    if solver == 'dense':
        start = time.perf_counter()
        got = dense_assignment(cost)
        rec['seconds'] = time.perf_counter() - start
    else:
        previous, _ = solve_assignment(
            assignment_cost(before, protos), solver='sparse')
        warm = previous if solver == 'sparse' else None
        start = time.perf_counter()
        got, info = solve_assignment(cost, solver='sparse', warm_start=warm)
        rec['seconds'] = time.perf_counter() - start
        rec.update(info=info, changed=int((got != previous).sum()))
    np.save(out, got)
    return rec


def run_one(args, classes: int, dims: int, kind: str, solver: str,
            tmp: str) -> dict:
    out = osp.join(tmp, f'{classes}_{dims}_{kind}_{solver}.npy')
    cmd = [
        sys.executable,
        osp.abspath(__file__), '--child',
        str(classes),
        str(dims), kind, solver, out
    ]
    rec = dict(classes=classes, dims=dims, kind=kind, solver=solver)
    start = time.time()
    got = run_json_child(cmd, args.timeout)
    if got is None:
        rec['timed_out_after_s'] = args.timeout
    else:
        rec.update(got, assignment=out)
    rec['wall_s_with_startup'] = time.time() - start
    return rec


def markdown(rows: list, info: dict, command: str) -> str:

    def sec(rec):
        if rec is None:
            return 'not run'
        if 'seconds' not in rec:
            return f'> {rec["timed_out_after_s"]} s (cap)'
        return f'{rec["seconds"]:.3f} s'

    lines = [
        '# HPL label-to-prototype assignment: sparse certified vs dense', '',
        f'`{command}`', '',
        f'Machine: {info["nproc"]} CPUs ({info["cpu_model"]}), torch '
        f'{info["torch"]}, {info["torch_threads"]} threads, load average '
        f'at start {info.get("loadavg_start")}.', '',
        'One re-assignment on the float32 cost `−z̄ Wᵀ` (its matmul is the '
        '"cost" column, the same for both solvers). `sparse`: warm start '
        'from the previous assignment; `cold`: none; `dense`: '
        '`scipy.optimize.linear_sum_assignment`. "identical" compares the '
        'sparse (warm) and the dense assignment on the same matrix.', '',
        '| c | d | class means | cost | sparse | cold | dense | identical '
        '| labels moved | sparse path |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
    ]
    for row in rows:
        sp, cold, dense = row['sparse'], row['sparse_cold'], row['dense']
        how = (f'{sp["info"]["solver"]}, {sp["info"]["rounds"]} round(s)' +
               (f' ({sp["info"]["reason"]})' if sp['info']['reason'] else '')
               ) if sp and 'info' in sp else ''
        cost = sp.get('cost_s') if sp else None
        lines.append(
            f'| {row["classes"]:,} | {row["dims"]} | {row["kind"]} | ' +
            (f'{cost:.3f} s' if cost is not None else '') + ' | '
            f'{sec(sp)} | {sec(cold)} | {sec(dense)} | '
            f'{row["identical"]} | {sp.get("changed", "") if sp else ""} | '
            f'{how} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--classes', type=int, nargs='+', default=[100, 1000, 10000])
    parser.add_argument('--dims', type=int, nargs='+', default=[512])
    parser.add_argument('--kinds', nargs='+', default=['trained', 'random'])
    parser.add_argument(
        '--dense-max-classes',
        type=int,
        default=20000,
        help='skip the dense solver above this size')
    parser.add_argument(
        '--timeout',
        type=int,
        default=600,
        help='wall-clock cap per solver run, seconds')
    parser.add_argument(
        '--out', default=None, help='path prefix of the .json and .md results')
    parser.add_argument(
        '--child', nargs=5, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        c, d, kind, solver, out = args.child
        print(json.dumps(child(int(c), int(d), kind, solver, out)))
        return 0
    import numpy as np
    import torch

    info = machine_info(torch.device('cpu'))
    command = 'python tools/benchmarks/bench_prototype_assignment.py ' + \
        ' '.join(argv if argv is not None else sys.argv[1:])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in args.classes:
            for d in args.dims:
                for kind in args.kinds:
                    row = dict(classes=c, dims=d, kind=kind)
                    for solver in ('sparse', 'sparse_cold', 'dense'):
                        if solver == 'dense' and c > args.dense_max_classes:
                            row[solver] = None
                            continue
                        row[solver] = run_one(args, c, d, kind, solver, tmp)
                    sp, dense = row['sparse'], row['dense']
                    if sp and dense and 'assignment' in sp \
                            and 'assignment' in dense:
                        row['identical'] = bool(
                            sp['cost_sha1'] == dense['cost_sha1']
                            and np.array_equal(
                                np.load(sp['assignment']),
                                np.load(dense['assignment'])))
                    else:
                        row['identical'] = 'not compared'
                    for solver in ('sparse', 'sparse_cold', 'dense'):
                        if row[solver]:
                            row[solver].pop('assignment', None)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    info['loadavg_end'] = os.getloadavg()
    table = markdown(rows, info, command)
    print(table)
    if args.out:
        write_results(
            args.out + '.json',
            dict(results=rows),
            machine=info,
            command=command)
        with open(args.out + '.md', 'w') as f:
            f.write(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
