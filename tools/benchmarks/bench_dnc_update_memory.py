"""Peak extra memory of the DNC sub-centroid update, relative to the memory.

ImageNet setting by default: C=1000 classes, K=4 sub-centroids, D=2048,
batch 32 and a feature memory of 1000 batches (32,000 rows), stored in
float32 and in float16. The memory is full and, by default, every stored
row counts as correctly classified (the worst case late in training, when
Algorithm 1 clusters almost every stored sample).

What is measured: ``SubCentroidClsHead._update_state`` -- what the head
does after its loss in every training iteration: push the (gathered) batch
into the memory, cluster the memory's rows (views, no copy; the current
batch included) and momentum-update the sub-centroids
(``SubCentroidClassifier.update``, i.e.
:func:`dnc_mm.core.update_subcentroids`).

The sub-centroids and the memory rows a call changes are restored between
calls (outside the measurement), so every call sees the same input.

"Extra" memory = peak allocated during the call minus what was allocated
when it started (the memory bank, the sub-centroids and the model are
already there). On CUDA: ``torch.cuda.max_memory_allocated``. On the CPU:
``torch.profiler`` with ``profile_memory=True`` (it sees every allocation of
torch's CPU allocator, with its Python call site; the script also lists the
tensors alive at the peak), cross-checked by the process's RSS high-water
mark (``VmHWM``, reset through ``/proc/self/clear_refs`` just before the
call) in a fresh subprocess per variant (``--no-rss`` to skip). The
children run with ``MALLOC_MMAP_THRESHOLD_=131072`` (``--rss-mmap-threshold``)
so that freed blocks go back to the OS; with glibc's default dynamic
threshold, RSS also counts freed blocks glibc keeps in its heap and
overstates the live memory by up to the bank size, varying from run to
run. The profiler figure is what torch actually holds.

Goal: extra memory of the update <= ~1.2x the memory bank's own size.

Example::

    python tools/benchmarks/bench_dnc_update_memory.py --device cpu \\
        --repeats 2 --out docs/benchmarks/bench_dnc_update_memory_cpu.json
"""
import argparse
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List

import torch
import torch.nn.functional as F
from bench_utils import (add_timing_arguments, machine_info, print_machine,
                         summarize, timing_device, write_timing_results)
from torch import Tensor

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

DTYPES = {
    'float32': torch.float32,
    'float16': torch.float16,
    'bfloat16': torch.bfloat16
}
VARIANTS = ('head', )
MiB = 2.0**20


# --------------------------------------------------------------- utilities
def rss_bytes() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def hwm_bytes() -> int:
    """This process's RSS high-water mark (VmHWM; not inherited on exec).

    ``ru_maxrss`` is kept across ``execve`` on Linux, so a child started by
    a big parent would inherit the parent's peak; ``VmHWM`` belongs to the
    address space and starts afresh.
    """
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if refused."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


# ------------------------------------------------------------------ set-up
def build_head(args, dtype: torch.dtype, device: torch.device):
    """A SubCentroidClsHead with a full memory of ``memory_batches`` rows."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    import dnc_mm  # noqa: F401  (registers the head)
    init_default_scope('mmpretrain')
    torch.manual_seed(args.seed)
    head = MODELS.build(
        dict(
            type='SubCentroidClsHead',
            num_classes=args.num_classes,
            in_channels=args.dim,
            classifier=dict(num_subcentroids=args.num_subcentroids)))
    head.to(device).train()
    capacity = args.memory_batches * args.batch_size
    head.memory.allocate(capacity=capacity, dim=args.dim, dtype=dtype)
    g = torch.Generator(device='cpu').manual_seed(args.seed + 1)
    chunk = 1024  # small temporaries: the set-up peak stays near the bank
    for start in range(0, capacity, chunk):
        n = min(chunk, capacity - start)
        feats = F.normalize(torch.randn(n, args.dim, generator=g), dim=1)
        labels = torch.randint(0, args.num_classes, (n, ), generator=g)
        correct = torch.rand(n, generator=g) < args.correct_frac
        head.memory.push(
            feats.to(device), labels.to(device), correct.to(device))
        del feats
    assert int(head.memory.num_filled) == capacity
    return head


def make_batch(args, device: torch.device):
    from mmpretrain.structures import DataSample
    g = torch.Generator(device='cpu').manual_seed(args.seed + 2)
    x = F.normalize(torch.randn(args.batch_size, args.dim, generator=g), dim=1)
    labels = torch.randint(
        0, args.num_classes, (args.batch_size, ), generator=g)
    # logits whose argmax is the label for a `correct_frac` share of rows
    logits = torch.randn(args.batch_size, args.num_classes, generator=g)
    hit = torch.rand(args.batch_size, generator=g) < args.correct_frac
    logits[hit, labels[hit]] = logits.max() + 1.0
    samples = [DataSample().set_gt_label(int(lab)) for lab in labels]
    return x.to(device), logits.to(device), labels.to(device), samples


# ---------------------------------------------------------- the variants
@torch.no_grad()
class HeadState:
    """Snapshot of what an update changes, to give every call the same input.

    The sub-centroid buffer (updated in place or rebound, whichever the
    classifier does) and the memory rows, labels, flags and cursor that
    ``push`` overwrites. :meth:`restore` runs outside the measured calls.
    """

    def __init__(self, head, batch_size: int) -> None:
        self.head, self.clf, self.mem = head, head.classifier, head.memory
        self.buffer = self.clf.subcentroids
        self.values = self.buffer.clone()
        self.cursor = int(self.mem.cursor)
        self.rows = slice(self.cursor, self.cursor + batch_size)
        self.saved = [t[self.rows].clone() for t in self._memory_tensors()]

    def _memory_tensors(self):
        return (self.mem.features, self.mem.labels, self.mem.correct)

    @torch.no_grad()
    def restore(self) -> None:
        self.clf.subcentroids = self.buffer
        self.buffer.copy_(self.values)
        for t, v in zip(self._memory_tensors(), self.saved):
            t[self.rows] = v
        self.mem.cursor.fill_(self.cursor)


def make_variant(name: str, head, batch) -> Callable[[], Tensor]:
    """A closure that runs one update of ``name`` and returns ``P``.

    The caller restores the state (:class:`HeadState`) between calls.
    """
    x, logits, labels, samples = batch
    clf = head.classifier

    if name == 'head':

        def fn():
            head._update_state(x, logits, labels, samples)
            return clf.subcentroids

        return fn

    raise KeyError(name)


# ----------------------------------------------------------- measurement
def _site(path) -> str:
    """Short call site: innermost dnc_mm / benchmark frame + aten op."""
    frames = [str(p) for p in path]
    ours = [f for f in frames if 'dnc_mm' in f or 'bench_dnc' in f]
    ops = [f for f in frames if f.startswith('aten::')]
    where = ours[-1] if ours else (frames[-1] if frames else '?')
    if 'dnc_mm/' in where:
        where = 'dnc_mm/' + where.split('dnc_mm/', 1)[1]
    elif 'tools/benchmarks/' in where:
        where = where.split('tools/benchmarks/', 1)[1]
    return where + (f' [{ops[0]}]' if ops else '')


def peak_cpu_profiler(fn: Callable[[], object], top: int = 8) -> dict:
    """Peak extra bytes of ``fn`` from torch.profiler's allocation events."""
    from torch._C._profiler import _EventType
    from torch.profiler import ProfilerActivity, profile
    with profile(
            activities=[ProfilerActivity.CPU],
            profile_memory=True,
            with_stack=True) as prof:
        out = fn()
        del out
    allocs = []

    def walk(nodes, path):
        for node in nodes:
            if node.tag == _EventType.Allocation:
                f = node.extra_fields
                allocs.append((node.start_time_ns, f.ptr, f.alloc_size, path))
            walk(node.children, path + (node.name, ))

    walk(prof.profiler.kineto_results.experimental_event_tree(), ())
    allocs.sort(key=lambda a: a[0])
    total = peak = 0
    live: Dict[int, tuple] = {}
    at_peak: Dict[int, tuple] = {}
    for _, ptr, size, path in allocs:
        total += size
        if size > 0:
            live[ptr] = (size, path)
        else:
            live.pop(ptr, None)
        if total > peak:
            peak = total
            at_peak = dict(live)
    by_site: Dict[str, int] = {}
    for size, path in at_peak.values():
        site = _site(path)
        by_site[site] = by_site.get(site, 0) + size
    live_top = sorted(by_site.items(), key=lambda kv: -kv[1])[:top]
    return dict(
        peak_extra_bytes=peak,
        live_at_peak=[dict(site=s, bytes=b) for s, b in live_top])


def peak_cuda(fn: Callable[[], object], device: torch.device) -> dict:
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    out = fn()
    torch.cuda.synchronize(device)
    peak = torch.cuda.max_memory_allocated(device) - base
    del out
    return dict(peak_extra_bytes=peak)


def child_rss(args, dtype_name: str, variant: str) -> dict:
    """Measure one variant's RSS high-water delta in a fresh process."""
    cmd = [
        sys.executable,
        osp.abspath(__file__), '--device', 'cpu', '--_child', dtype_name,
        variant, '--seed',
        str(args.seed), '--num-classes',
        str(args.num_classes), '--num-subcentroids',
        str(args.num_subcentroids), '--dim',
        str(args.dim), '--batch-size',
        str(args.batch_size), '--memory-batches',
        str(args.memory_batches), '--correct-frac',
        str(args.correct_frac)
    ]
    if args.threads:
        cmd += ['--threads', str(args.threads)]
    env = dict(os.environ)
    if args.rss_mmap_threshold > 0:
        # a fixed threshold turns off glibc's dynamic one, so freed blocks
        # of >= threshold bytes go back to the OS and RSS follows what is
        # really alive
        env['MALLOC_MMAP_THRESHOLD_'] = str(args.rss_mmap_threshold)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f'child failed:\n{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_child(args) -> int:
    """``--_child DTYPE VARIANT``: set up, run once, print RSS deltas."""
    dtype_name, variant = args._child
    device = torch.device('cpu')
    head = build_head(args, DTYPES[dtype_name], device)
    batch = make_batch(args, device)
    fn = make_variant(variant, head, batch)
    HeadState(head, args.batch_size)  # the same clones as in the parent
    reset = reset_hwm()
    rss0, max0 = rss_bytes(), hwm_bytes()
    out = fn()
    max1 = hwm_bytes()
    del out
    print(
        json.dumps(
            dict(
                rss_before=rss0,
                hwm_before=max0,
                hwm_after=max1,
                hwm_reset=reset,
                peak_extra_bytes=max1 - max(rss0, max0),
                setup_overshoot_bytes=max0 - rss0)))
    return 0


# -------------------------------------------------------------------- main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description='Peak extra memory of the DNC update vs the memory bank.')
    add_timing_arguments(parser, 2, 1,
                         'profiled rounds (the figure is deterministic)')
    parser.add_argument(
        '--dtypes',
        nargs='+',
        choices=sorted(DTYPES),
        default=['float32', 'float16'],
        help='storage dtypes of the memory')
    parser.add_argument(
        '--variants', nargs='+', choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument('--num-classes', type=int, default=1000)
    parser.add_argument('--num-subcentroids', type=int, default=4)
    parser.add_argument('--dim', type=int, default=2048)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--memory-batches', type=int, default=1000)
    parser.add_argument(
        '--correct-frac',
        type=float,
        default=1.0,
        help='share of memory/batch rows flagged correct '
        '(clustered)')
    parser.add_argument(
        '--time-repeats',
        type=int,
        default=5,
        help='unprofiled timed rounds (0: skip)')
    parser.add_argument(
        '--goal',
        type=float,
        default=1.2,
        help='goal: extra memory <= goal x memory bank')
    parser.add_argument(
        '--no-rss', action='store_true', help='skip the RSS cross-check (CPU)')
    parser.add_argument(
        '--rss-mmap-threshold',
        type=int,
        default=131072,
        help='MALLOC_MMAP_THRESHOLD_ for the RSS children '
        '(0: glibc default, whose dynamic threshold keeps '
        'freed blocks up to 32 MiB in the heap and inflates '
        'the RSS peak)')
    parser.add_argument('--_child', nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args._child:
        return run_child(args)
    device = timing_device(parser, args)
    info = machine_info(device)
    print_machine(info)
    rows = args.memory_batches * args.batch_size
    print(f'setting: C={args.num_classes} K={args.num_subcentroids} '
          f'D={args.dim}, batch {args.batch_size} + memory '
          f'{args.memory_batches} batches = {rows} rows, '
          f'{args.correct_frac:.0%} of rows selected')
    method = ('torch.cuda.max_memory_allocated' if device.type == 'cuda' else
              'torch.profiler(profile_memory=True)')
    results = {}
    for dtype_name in args.dtypes:
        head = build_head(args, DTYPES[dtype_name], device)
        batch = make_batch(args, device)
        bank = head.memory.nbytes
        bank_feats = head.memory.features.numel() * \
            head.memory.features.element_size()
        fns = {v: make_variant(v, head, batch) for v in args.variants}
        state = HeadState(head, args.batch_size)
        measure = ((lambda f: peak_cuda(f, device))
                   if device.type == 'cuda' else peak_cpu_profiler)
        for _ in range(args.warmup):
            for fn in fns.values():
                fn()
                state.restore()
        peaks: Dict[str, List[int]] = {v: [] for v in fns}
        secs: Dict[str, List[float]] = {v: [] for v in fns}
        detail: Dict[str, dict] = {}
        for _ in range(args.repeats):  # A B C A B C ...
            for v, fn in fns.items():
                t = time.perf_counter()
                m = measure(fn)
                secs[v].append(time.perf_counter() - t)
                state.restore()
                peaks[v].append(m['peak_extra_bytes'])
                detail[v] = m
        # wall time of each variant without the profiler, alternating
        wall: Dict[str, List[float]] = {v: [] for v in fns}
        for _ in range(args.time_repeats):
            for v, fn in fns.items():
                if device.type == 'cuda':
                    torch.cuda.synchronize(device)
                t = time.perf_counter()
                fn()
                if device.type == 'cuda':
                    torch.cuda.synchronize(device)
                wall[v].append(time.perf_counter() - t)
                state.restore()
        rss = {}
        if device.type == 'cpu' and not args.no_rss:
            for v in fns:
                rss[v] = child_rss(args, dtype_name, v)
        res = dict(bank_bytes=bank, bank_feature_bytes=bank_feats, variants={})
        print(f'\n== memory stored as {dtype_name}: bank '
              f'{bank / MiB:.1f} MiB ({bank_feats / MiB:.1f} MiB features)')
        print(f'  {"variant":10s} {"extra MiB":>10s} {"IQR":>6s} '
              f'{"x bank":>7s}' +
              (f' {"RSS MiB":>8s} {"x bank":>7s}' if rss else '') +
              f'  goal <= {args.goal}x'
              f'   ({method}, n={args.repeats})')
        for v in fns:
            s = summarize([float(p) for p in peaks[v]])
            ratio = s['median'] / bank
            entry = dict(
                peak_extra_bytes=s,
                ratio_to_bank=ratio,
                goal_met=ratio <= args.goal,
                profile_seconds=summarize(secs[v]),
                seconds=(summarize(wall[v]) if wall[v] else None),
                live_at_peak=detail[v].get('live_at_peak'))
            line = (f'  {v:10s} {s["median"] / MiB:10.1f} '
                    f'{s["iqr"] / MiB:6.1f} {ratio:6.2f}x')
            if v in rss:
                entry['rss'] = rss[v]
                entry['rss_ratio_to_bank'] = rss[v]['peak_extra_bytes'] / bank
                line += (f' {rss[v]["peak_extra_bytes"] / MiB:8.1f} '
                         f'{entry["rss_ratio_to_bank"]:6.2f}x')
            line += '  ' + ('MET' if entry['goal_met'] else 'NOT MET')
            print(line)
            res['variants'][v] = entry
        if args.time_repeats:
            print('  time per call without profiler (median ms, IQR; '
                  f'n={args.time_repeats}, alternating): ' + ', '.join(
                      f'{v} {1e3 * statistics.median(t):.0f} '
                      f'({1e3 * res["variants"][v]["seconds"]["iqr"]:.0f})'
                      for v, t in wall.items()))
        for v in fns:
            live = detail[v].get('live_at_peak')
            if live:
                print(f'  alive at the peak of {v}:')
                for item in live:
                    if item['bytes'] >= MiB:
                        print(f'    {item["bytes"] / MiB:8.1f} MiB  '
                              f'{item["site"]}')
        results[dtype_name] = res
        del head, fns, batch
    write_timing_results(args, info, dict(method=method, results=results))
    return 0


if __name__ == '__main__':
    sys.exit(main())
