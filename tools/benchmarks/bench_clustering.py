"""Batched DNC clustering vs a per-class Python loop, side by side.

Times one sub-centroid estimation step (Algorithm 1, lower half: class-wise
Sinkhorn-Knopp assignment, per-sub-centroid means, momentum update Eq. 8)

* ``batched``: :func:`dnc_mm.core.update_subcentroids` (Sinkhorn clustering),
  all classes in a few tensor operations;
* ``loop``: a faithful per-class implementation written here (the shape of
  the official DNC code, https://github.com/ChengHan111/DNC): the samples
  are sorted by class once, then for every class with samples its rows are
  copied once, its ``K`` similarities are one GEMM, Sinkhorn-Knopp runs
  with the same ``eps``/iterations in the log domain (rows to ``1/K``,
  columns to ``1/N_c``), argmax, per-sub-centroid mean of the selected
  samples, momentum update and renormalisation;

and, for the segmentation scale, the same two given what a decode head has
from its forward pass, which the DNC decode heads reuse in training (when
the forward ran in float32): all ``(N, C, K)`` similarities (computed once,
untimed). ``batched+forward`` and ``loop+forward`` each pick every pixel's
own-class row out of them (timed) and skip their own similarity products.

The variants run alternately (A B A B ...) on the same data; the script
checks they agree (same assignment, ``allclose`` sub-centroids at the
configured momentum and, stricter, at momentum 0) and prints median, IQR and
the speed-ups ``loop / batched`` (and ``loop+forward / batched+forward``)
against the goal (:data:`GOALS`: at least 5x at the ImageNet scale and 2x
at the segmentation scale, one thread).

It also times each stage of the batched step and estimates its
memory-traffic floor: the bytes the step cannot avoid moving (the valid rows
read once for the similarities, the selected rows once for the sums, the
sub-centroids of the classes present read once, the touched ones read and
written by the momentum update) divided by the streaming read bandwidth
measured in the same run (``features.sum()``).

Scales:

* ``imagenet``: C=1000, K=4, D=2048, N = 32 batch + 3,200 memory rows
  (100 batches of memory, the paper's CIFAR setting at ImageNet width).
* ``seg``: C=150, K=10, D=512, N = 65,536 pixels (one 256x256 label map),
  long-tailed classes, 10 % ignore_index (255) pixels.

Example::

    python tools/benchmarks/bench_clustering.py --device cpu \\
        --threads 1 --repeats 20 --warmup 2 \\
        --out docs/benchmarks/bench_clustering_cpu_1thread.json
"""
import argparse
import math
import sys
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from bench_utils import (add_timing_arguments, machine_info, print_machine,
                         summarize, timed, timing_device, write_timing_results)
from torch import Tensor

from dnc_mm.core import (SubcentroidClustering, class_similarities,
                         grouped_class_similarities, momentum_update_rows,
                         sinkhorn_knopp_segments, touched_subcentroid_sums,
                         update_subcentroids)

#: Speed-up goals ``loop / batched`` (one thread, same results).
GOALS = {'imagenet': 5.0, 'seg': 2.0}

SCALES = {
    'imagenet':
    dict(
        num_classes=1000,
        num_subcentroids=4,
        dim=2048,
        num_samples=32 + 3200,
        ignore_frac=0.0,
        selected_frac=0.8,
        long_tail=False),
    'seg':
    dict(
        num_classes=150,
        num_subcentroids=10,
        dim=512,
        num_samples=65536,
        ignore_frac=0.1,
        selected_frac=0.8,
        long_tail=True),
}


# ---------------------------------------------------------- per-class loop
@torch.no_grad()
def loop_update(subcentroids: Tensor,
                features: Tensor,
                labels: Tensor,
                selected: Optional[Tensor],
                momentum: float,
                epsilon: float,
                num_iters: int,
                similarities: Optional[Tensor] = None) -> Dict[str, Tensor]:
    """One DNC estimation step, one class at a time (official code's shape).

    Same maths as :func:`dnc_mm.core.update_subcentroids` with
    Sinkhorn clustering and ``mask_order='after'`` (Algorithm 1): every
    sample with a label in ``[0, C)`` takes part in the transport; for class
    ``c`` with ``n`` samples, ``log Q = P_c X_c^T / eps`` (``K x n``), then
    ``num_iters`` times rows to ``1/K`` and columns to ``1/n`` (log domain,
    fp32); the assignment is the argmax per column (the nearest sub-centroid
    when ``n == 1``, whose plan is uniform); only the selected samples then
    enter the l2-normalised mean of each sub-centroid, which enters Eq. 8,
    and the result is renormalised; sub-centroids without selected samples
    stay as they are.

    Not a strawman: the samples are sorted by class once (no per-class
    boolean mask over all ``N``); each class's rows are read once into a
    small copy that serves both its similarities (one GEMM) and its sums
    (one ``index_add_``) while in cache. (Copying all sorted rows at once
    instead costs a fresh ``N x D`` allocation, about 40 ms more at the
    segmentation scale.) With ``similarities`` (``(N, K)`` own-class
    rows) a class's similarities are read from them instead of its GEMM.
    """
    c, k, d = subcentroids.shape
    out = subcentroids.clone()
    idx = ((labels >= 0) & (labels < c)).nonzero().squeeze(1)
    y, order = torch.sort(labels.index_select(0, idx), stable=True)
    idx = idx.index_select(0, order)
    # Algorithm 1: every sample of the class enters the transport, only the
    # selected (correctly classified) ones move a sub-centroid
    use = (
        torch.ones_like(idx, dtype=torch.bool)
        if selected is None else selected.index_select(0, idx))
    counts = torch.bincount(y, minlength=c).tolist()
    assign = torch.full_like(labels, -1)
    log_k = math.log(k)
    start = 0
    for cls in range(c):
        n = counts[cls]
        if n == 0:
            continue
        rows = idx[start:start + n]
        # the class's rows, read once: its similarities and its sums both
        # come from this copy while it is in cache
        xc = features.index_select(0, rows).float()
        pc = subcentroids[cls].float()
        if similarities is None:
            sims = pc @ xc.t()  # (K, n)
        else:
            sims = similarities.index_select(0, rows).t().float()
        if n == 1:
            a = sims.argmax(dim=0)
        else:
            log_q = sims / epsilon
            log_n = math.log(n)
            for _ in range(num_iters):
                log_q = log_q - torch.logsumexp(log_q, 1, keepdim=True) - log_k
                log_q = log_q - torch.logsumexp(log_q, 0, keepdim=True) - log_n
            a = log_q.argmax(dim=0)
        uc = use[start:start + n]
        a = a.masked_fill(~uc, -1)
        assign[rows] = a
        if bool(uc.any()):
            a_used, x_used = a[uc], xc[uc]
            sums = xc.new_zeros(k, d).index_add_(0, a_used, x_used)
            hit = torch.bincount(a_used, minlength=k) > 0
            x_bar = F.normalize(sums, dim=1)
            new = F.normalize(momentum * pc + (1.0 - momentum) * x_bar, dim=1)
            out[cls] = torch.where(hit.unsqueeze(1), new, pc).to(out.dtype)
        start += n
    return dict(subcentroids=out, assignment=assign)


def batched_update(subcentroids,
                   features,
                   labels,
                   selected,
                   momentum,
                   epsilon,
                   num_iters,
                   similarities=None):
    res = update_subcentroids(
        subcentroids,
        features,
        labels,
        selected=selected,
        momentum=momentum,
        clustering=SubcentroidClustering('sinkhorn', epsilon, num_iters),
        mask_order='after',
        similarities=similarities)
    return dict(subcentroids=res.subcentroids, assignment=res.assignment)


# -------------------------------------------------------------------- data
def make_data(scale: dict, device: torch.device, seed: int) -> dict:
    """Clustered, l2-normalised features around random sub-centroids."""
    g = torch.Generator().manual_seed(seed)
    c, k, d, n = (scale['num_classes'], scale['num_subcentroids'],
                  scale['dim'], scale['num_samples'])
    protos = F.normalize(torch.randn(c, k, d, generator=g), dim=-1)
    if scale['long_tail']:  # Zipf-like class frequencies (segmentation)
        probs = 1.0 / torch.arange(1, c + 1, dtype=torch.float64)
        labels = torch.multinomial(
            probs / probs.sum(), n, replacement=True, generator=g)
    else:
        labels = torch.randint(0, c, (n, ), generator=g)
    sub = torch.randint(0, k, (n, ), generator=g)
    noise = torch.randn(n, d, generator=g) * (1.5 / math.sqrt(d))
    feats = F.normalize(protos[labels, sub] + noise, dim=1)
    ignore = torch.rand(n, generator=g) < scale['ignore_frac']
    labels = labels.masked_fill(ignore, 255)
    selected = torch.rand(n, generator=g) < scale['selected_frac']
    return dict(
        subcentroids=protos.to(device),
        features=feats.to(device),
        labels=labels.to(device),
        selected=selected.to(device))


def stage_breakdown(p, x, y, sel, args, device) -> Dict[str, dict]:
    """Time the stages of the batched step separately (median of repeats).

    The stages of :func:`dnc_mm.core.update_subcentroids` (Sinkhorn,
    Algorithm 1's masking order) in the order it runs them: ``group`` (the
    valid samples' indices sorted by class), ``similarities`` (own-class,
    matrix products per class on the CPU), ``sinkhorn``, ``sums`` (of the
    touched sub-centroids, selected samples only) and ``momentum`` (Eq. 8
    on those rows, into a copy of ``P`` as the timed variants do).
    """
    c, k, _ = p.shape
    state = {}

    def group():
        idx = ((y >= 0) & (y < c)).nonzero().squeeze(1)
        ys, order = torch.sort(y.index_select(0, idx), stable=True)
        state['idx'], state['y'] = idx.index_select(0, order), ys

    def sims():
        idx, ys = state['idx'], state['y']
        if device.type == 'cpu':
            state['sims'] = grouped_class_similarities(
                x, idx, torch.bincount(ys, minlength=c), p)
        else:
            state['sims'] = class_similarities(x, ys, p, index=idx)

    def sinkhorn():
        sub = sinkhorn_knopp_segments(state['sims'], state['y'], c, None,
                                      args.epsilon, args.iters)[1]
        assign = torch.full_like(y, -1)
        assign[state['idx']] = sub
        state['assign'] = assign.masked_fill(~sel, -1)

    def sums():
        state['sums'] = touched_subcentroid_sums(x, y, state['assign'], c, k)

    def momentum():
        rows, row_sums, _ = state['sums']
        momentum_update_rows(p, rows, row_sums, args.momentum)

    stages = dict(
        group=group,
        similarities=sims,
        sinkhorn=sinkhorn,
        sums=sums,
        momentum=momentum)
    times: Dict[str, List[float]] = {s: [] for s in stages}
    for r in range(args.warmup + args.repeats):
        for name, fn in stages.items():
            t = timed(fn, device)
            if r >= args.warmup:
                times[name].append(t)
    return {s: summarize(t) for s, t in times.items()}


def traffic_floor(p, x, y, sel, args, device) -> dict:
    """Bytes one step must move and the time they take at read bandwidth."""
    c, k, d = p.shape
    valid = (y >= 0) & (y < c)
    res = update_subcentroids(
        p, x, y, selected=sel, momentum=args.momentum, mask_order='after')
    touched = int((res.counts > 0).sum())
    present = int(torch.unique(y[valid]).numel())
    row = d * x.element_size()
    moved = (
        int(valid.sum()) * row + int(
            (valid & sel).sum()) * row + present * k * d * p.element_size() +
        2 * touched * d * p.element_size())
    reads = [timed(lambda: x.sum(), device) for _ in range(args.repeats)]
    bandwidth = x.numel() * x.element_size() / summarize(reads)['median']
    return dict(
        bytes=moved,
        read_gb_s=bandwidth / 1e9,
        floor_s=moved / bandwidth,
        touched_subcentroids=touched)


def compare(a: dict, b: dict, atol: float) -> dict:
    same = bool(torch.equal(a['assignment'], b['assignment']))
    agree = float((a['assignment'] == b['assignment']).float().mean())
    diff = float((a['subcentroids'] - b['subcentroids']).abs().max())
    close = bool(
        torch.allclose(
            a['subcentroids'], b['subcentroids'], atol=atol, rtol=0))
    return dict(
        assignment_equal=same,
        assignment_agreement=agree,
        max_abs_diff=diff,
        allclose=close,
        atol=atol)


# -------------------------------------------------------------------- main
def run_scale(name: str, args, device: torch.device) -> dict:
    scale = dict(SCALES[name])
    if name == 'imagenet' and args.memory_rows is not None:
        scale['num_samples'] = 32 + args.memory_rows
    data = make_data(scale, device, args.seed)
    p, x, y, sel = (data['subcentroids'], data['features'], data['labels'],
                    data['selected'])
    kw = dict(epsilon=args.epsilon, num_iters=args.iters)
    n_used = int((sel & (y >= 0) & (y < scale['num_classes'])).sum())
    n_cls = int(torch.unique(y[sel & (y < scale['num_classes'])]).numel())
    print(f'\n== {name}: C={scale["num_classes"]} '
          f'K={scale["num_subcentroids"]} D={scale["dim"]} '
          f'N={scale["num_samples"]} '
          f'({n_used} selected, {n_cls} classes present)')

    # correctness first (also warms the kernels up)
    checks = {}
    for mu in sorted({args.momentum, 0.0}, reverse=True):
        ref = loop_update(p, x, y, sel, mu, **kw)
        out = batched_update(p, x, y, sel, mu, **kw)
        checks[f'momentum={mu}'] = compare(out, ref, args.atol)
    for key, chk in checks.items():
        print(f'  check {key}: assignment equal={chk["assignment_equal"]} '
              f'(agreement {chk["assignment_agreement"]:.4f}), '
              f'max |diff|={chk["max_abs_diff"]:.2e}, '
              f'allclose(atol={chk["atol"]:g})={chk["allclose"]}')

    variants = {
        'batched': lambda: batched_update(p, x, y, sel, args.momentum, **kw),
        'loop': lambda: loop_update(p, x, y, sel, args.momentum, **kw),
    }
    if name == 'seg':
        # a decode head has all (N, C, K) similarities from its forward pass
        # (pixel-major, as the head's matmul leaves them); each variant
        # picks the own-class rows (timed) instead of computing them
        c, k, d = p.shape
        forward = (x @ p.reshape(c * k, d).t()).view(-1, c, k)
        rows = torch.arange(x.shape[0], device=device)
        own_class = y.clamp(0, c - 1)

        def own():
            return forward[rows, own_class]

        variants['batched+forward'] = lambda: batched_update(
            p, x, y, sel, args.momentum, similarities=own(), **kw)
        variants['loop+forward'] = lambda: loop_update(
            p, x, y, sel, args.momentum, similarities=own(), **kw)
        for mu in sorted({args.momentum, 0.0}, reverse=True):
            ref = loop_update(p, x, y, sel, mu, similarities=own(), **kw)
            out = batched_update(p, x, y, sel, mu, similarities=own(), **kw)
            checks[f'forward, momentum={mu}'] = compare(out, ref, args.atol)
            print(f'  check forward, momentum={mu}: assignment equal='
                  f'{checks[f"forward, momentum={mu}"]["assignment_equal"]}')
    times: Dict[str, List[float]] = {v: [] for v in variants}
    for _ in range(args.warmup):
        for fn in variants.values():
            timed(fn, device)
    for _ in range(args.repeats):  # A B A B ...
        for v, fn in variants.items():
            times[v].append(timed(fn, device))

    stats = {v: summarize(t) for v, t in times.items()}
    ratios = {}
    for v in variants:
        if v.startswith('loop'):
            continue
        ref = 'loop' + v[len('batched'):]  # like for like
        for key, base in ((f'{ref}/{v}', ref), (f'loop/{v}', 'loop')):
            if key in ratios:
                continue
            pair = [lp / b for lp, b in zip(times[base], times[v])]
            ratios[key] = dict(
                per_pair=summarize(pair),
                of_medians=stats[base]['median'] / stats[v]['median'])
    print(f'  {"variant":14s} {"median ms":>10s} {"IQR ms":>9s} '
          f'{"min ms":>9s}  (n={args.repeats})')
    for v, s in stats.items():
        print(f'  {v:14s} {1e3 * s["median"]:10.2f} {1e3 * s["iqr"]:9.2f} '
              f'{1e3 * s["min"]:9.2f}')
    for key, r in ratios.items():
        pp = r['per_pair']
        like_for_like = key in ('loop/batched', 'loop+forward/batched+forward')
        goal = ('' if not like_for_like else f'   goal >= {GOALS[name]:g}x: '
                f'{"MET" if pp["median"] >= GOALS[name] else "NOT MET"}')
        print(f'  speed-up {key:20s} {pp["median"]:7.2f}x  (IQR '
              f'{pp["q1"]:.2f}-{pp["q3"]:.2f}; ratio of medians '
              f'{r["of_medians"]:.2f}x){goal}')
    breakdown = stage_breakdown(p, x, y, sel, args, device)
    print('  batched stages (median ms): ' +
          ', '.join(f'{s} {1e3 * b["median"]:.1f}'
                    for s, b in breakdown.items()))
    floor = traffic_floor(p, x, y, sel, args, device)
    print(f'  memory-traffic floor: {floor["bytes"] / 2**20:.0f} MiB at '
          f'{floor["read_gb_s"]:.1f} GB/s = {1e3 * floor["floor_s"]:.1f} ms; '
          f'batched = {stats["batched"]["median"] / floor["floor_s"]:.1f}x '
          'the floor')
    return dict(
        scale=scale,
        selected_samples=n_used,
        classes_present=n_cls,
        checks=checks,
        times_s=times,
        stats_s=stats,
        speedup=ratios,
        goal=GOALS[name],
        batched_stages_s=breakdown,
        traffic_floor=floor)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description='Batched DNC clustering vs a per-class Python loop.')
    add_timing_arguments(parser, 15, 2,
                         'timed rounds (each runs every variant once)')
    parser.add_argument(
        '--scales',
        nargs='+',
        choices=sorted(SCALES),
        default=['imagenet', 'seg'])
    parser.add_argument('--epsilon', type=float, default=0.05)
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument('--momentum', type=float, default=0.999)
    parser.add_argument(
        '--memory-rows',
        type=int,
        default=None,
        help='memory rows at the imagenet scale '
        '(default 3200 = 100 batches of 32)')
    parser.add_argument('--atol', type=float, default=1e-5)
    args = parser.parse_args(argv)
    device = timing_device(parser, args)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    info = machine_info(device)
    print_machine(info)
    results = {name: run_scale(name, args, device) for name in args.scales}
    write_timing_results(args, info, dict(results=results))
    return 0


if __name__ == '__main__':
    sys.exit(main())
