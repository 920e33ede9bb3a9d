"""Measurement helpers shared by the benchmark scripts in this folder."""
import argparse
import glob
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch


def finite_or_null(data: Any) -> Any:
    """``data`` with every NaN or infinite float replaced by ``None``.

    JSON has no NaN (RFC 8259): Python writes one, but JavaScript's
    ``JSON.parse`` and other strict readers reject the whole file. A number
    a benchmark could not know (the wall time of a cut attempt, a ratio a
    round did not compute) is written as ``null`` instead.
    """
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_or_null(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_or_null(v) for v in data]
    return data


def write_json(path: str, data: dict, indent: int = 1) -> None:
    """Write a benchmark's results to ``path`` atomically (a temporary file
    renamed over it): a benchmark cut while writing leaves the previous
    complete file, which the resumable benchmarks read back. Strict JSON:
    non-finite numbers become ``null`` (:func:`finite_or_null`)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        json.dump(finite_or_null(data), f, indent=indent, allow_nan=False)
    os.replace(tmp, path)


def write_results(path: str,
                  results: dict,
                  args: Optional[argparse.Namespace] = None,
                  machine: Optional[dict] = None,
                  command: Optional[str] = None,
                  indent: int = 1) -> None:
    """Write a benchmark's results with the header every record carries.

    The header names the script (``benchmark``), the command line that
    produced the results (``command``; a resumed run passes the original
    one), and, when given, the parsed arguments (private ``_`` ones left
    out) and the machine (:func:`machine_info`). Written by
    :func:`write_json`, atomically.

    Args:
        path: The JSON file.
        results: The benchmark's own fields (none of the header's names).
        args: The parsed command line.
        machine: :func:`machine_info` of the run.
        command: The command line; ``None``: this process's.
        indent: JSON indentation.
    """
    data = dict(
        benchmark=os.path.splitext(os.path.basename(sys.argv[0]))[0],
        command=' '.join(sys.argv) if command is None else command)
    if args is not None:
        data['args'] = {
            k: v
            for k, v in vars(args).items() if not k.startswith('_')
        }
    if machine is not None:
        data['machine'] = machine
    clash = set(data) & set(results)
    if clash:
        raise ValueError(f'results use header names {sorted(clash)}')
    data.update(results)
    write_json(path, data, indent)


def validation_curve(work_dir: str, metric: str) -> List[list]:
    """``[step, metric]`` of every validation in a work dir's scalar logs
    (``step`` is the epoch or iteration mmengine logged it at).

    A resumed run writes one log per attempt (mmengine's timestamped
    folders); they are read in order and a later attempt's validation at a
    step replaces an earlier one's."""
    logs = sorted(
        glob.glob(os.path.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise FileNotFoundError(f'no scalars.json under {work_dir}')
    points: Dict[int, float] = {}
    for log in logs:
        with open(log) as f:
            for line in f:
                record = json.loads(line)
                if metric in record and 'loss' not in record:
                    points[record['step']] = record[metric]
    return [[step, points[step]] for step in sorted(points)]


def mean_curve(curves: Sequence[List[list]]) -> Tuple[list, list]:
    """The mean over runs of validation curves (``[step, metric]`` pairs,
    as :func:`validation_curve` gives them) at the steps of the first; a
    run cut short counts only at the steps it reached.

    Returns:
        tuple: The steps and the mean metric at each.
    """
    steps = [step for step, _ in curves[0]]
    means = [
        statistics.mean(c[i][1] for c in curves if len(c) > i)
        for i in range(len(steps))
    ]
    return steps, means


def errorbar_mean_std(ax, values: Dict[Any, Sequence[float]], label: str):
    """Draw one method's metric against a setting (the training budget,
    the prototype dimension, ...) on the matplotlib axes ``ax``: the mean
    over seeds with a ±1 std bar (none for a single run, see
    :func:`mean_std`).

    Args:
        ax: The axes.
        values: Setting -> the metric of each seed at that setting.
        label: The legend entry.

    Returns:
        The line of the means (its colour and data, for annotations).
    """
    xs = sorted(values)
    stats = [mean_std(list(values[x])) for x in xs]
    return ax.errorbar(
        xs, [s['mean'] for s in stats],
        yerr=[s['std'] for s in stats],
        marker='o',
        capsize=3,
        label=label)[0]


def log2_axis(ax, ticks: Sequence[int]) -> None:
    """A log-2 x axis on ``ax`` labelled at exactly ``ticks`` (budgets or
    dimensions that double)."""
    ticks = sorted(ticks)
    ax.set_xscale('log', base=2)
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()


def budget_and_curve_plot(groups: Dict[str, Dict[int, List[dict]]],
                          metric: str,
                          path: str,
                          unit: str,
                          budget_labels: Dict[str, str],
                          curve_labels: Dict[str, str],
                          log2: bool = False) -> None:
    """A learning-curve PNG of two panels: each method's final ``metric``
    against the budget (mean ± std over seeds, :func:`errorbar_mean_std`)
    and, in the same colour, its mean validation curve during its largest
    budget (:func:`mean_curve` of the records' ``curve``).

    Args:
        groups: Method (the legend entry, in the order given) -> budget ->
            the records of its runs at that budget.
        metric: The records' key of the final figure.
        path: The PNG.
        unit: ``epochs`` or ``iterations`` (the legend of the curves).
        budget_labels: ``xlabel``, ``ylabel`` and ``title`` of the first
            panel.
        curve_labels: The same of the second panel.
        log2: A log-2 budget axis labelled at the budgets run.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, (ax_budget, ax_curve) = plt.subplots(1, 2, figsize=(11, 4.2))
    for method, budgets in groups.items():
        line = errorbar_mean_std(ax_budget, {
            b: [r[metric] for r in runs]
            for b, runs in budgets.items()
        }, method)
        largest = max(budgets)
        curves = [r['curve'] for r in budgets[largest] if r.get('curve')]
        if curves:
            ax_curve.plot(
                *mean_curve(curves),
                color=line.get_color(),
                label=f'{method} ({largest} {unit}, {len(curves)} '
                f'run{"s" * (len(curves) > 1)})')
    if log2:
        log2_axis(ax_budget, {b for g in groups.values() for b in g})
    ax_budget.set(**budget_labels)
    ax_curve.set(**curve_labels)
    save_figure(fig, [ax_budget, ax_curve], path)


def save_figure(fig, axes: Sequence, path: str) -> None:
    """The benchmark plots' common finish: a light grid and a small legend
    (where something is labelled) on every axes, a tight layout, the PNG
    at ``path``, the figure closed."""
    import matplotlib.pyplot as plt
    for ax in axes:
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def mean_std(values: Sequence[float]) -> Dict[str, float]:
    """Mean and sample standard deviation of the seeds of one cell.

    A single run has no standard deviation; it is given as 0 so that plots
    draw the point without an error bar (tables show such a run alone).
    """
    return dict(
        mean=statistics.mean(values),
        std=statistics.stdev(values) if len(values) > 1 else 0.0)


def summarize(values: List[float]) -> Dict[str, float]:
    """Median, quartiles and IQR of a list of measurements."""
    vals = sorted(values)
    if len(vals) > 1:
        q1, _, q3 = statistics.quantiles(vals, n=4, method='inclusive')
    else:
        q1 = q3 = vals[0]
    return dict(
        median=statistics.median(vals),
        q1=q1,
        q3=q3,
        iqr=q3 - q1,
        min=vals[0],
        max=vals[-1],
        n=len(vals))


def paired_difference(values: Dict[Any, float],
                      reference: Dict[Any, float]) -> Tuple[list, List[float]]:
    """Per-seed differences of a method against its reference on the seeds
    both have: the paired comparison of the benchmarks' tables (a mean of
    other seeds is never compared with a mean).

    Args:
        values: ``seed -> metric`` of the method.
        reference: ``seed -> metric`` of the reference (baseline).

    Returns:
        ``(seeds, differences)``: the shared seeds in ascending order and
        ``values[s] - reference[s]`` for each; both empty when no seed is
        shared.
    """
    seeds = sorted(set(values) & set(reference))
    return seeds, [values[s] - reference[s] for s in seeds]


def class_mean_health(subcentroids: torch.Tensor, active: torch.Tensor,
                      usage: torch.Tensor) -> Dict[str, float]:
    """:func:`dnc_mm.core.subcentroid_health` averaged over classes
    (classes with NaN statistics left out), rounded to 4 digits."""
    from dnc_mm.core import subcentroid_health
    stats = subcentroid_health(subcentroids, active, usage)
    return {k: round(float(v.nanmean()), 4) for k, v in stats.items()}


def last_checkpoint(work_dir: str) -> str:
    """Path of the newest checkpoint of a ``tools/train.py`` work dir (the
    one its ``last_checkpoint`` file names)."""
    with open(os.path.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def final_health(work_dir: str) -> Optional[Dict[str, float]]:
    """:func:`class_mean_health` of the DNC classifier in the last
    checkpoint of a ``tools/train.py`` work dir (loaded untrusted), or
    ``None`` when its model has no DNC classifier."""
    from dnc_mm.compat import load_checkpoint_file
    state = load_checkpoint_file(
        last_checkpoint(work_dir), map_location='cpu')['state_dict']
    prefix = next((k[:-len('subcentroids')]
                   for k in state if k.endswith('classifier.subcentroids')),
                  None)
    if prefix is None:
        return None
    return class_mean_health(state[prefix + 'subcentroids'],
                             state[prefix + 'active'], state[prefix + 'usage'])


def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def machine_info(device: torch.device) -> dict:
    info = dict(
        nproc=os.cpu_count(),
        cpu_model=cpu_model(),
        torch=torch.__version__,
        torch_threads=torch.get_num_threads(),
        python=platform.python_version(),
        platform=platform.platform(),
        device=str(device))
    try:
        info['loadavg_start'] = os.getloadavg()
    except OSError:
        pass
    if device.type == 'cuda':
        info['cuda_device'] = torch.cuda.get_device_name(device)
        info['cuda'] = torch.version.cuda
    return info


def print_machine(info: dict) -> None:
    """Print the machine line of :func:`machine_info`'s ``info``."""
    cuda = f' ({info["cuda_device"]})' if 'cuda_device' in info else ''
    print(f'machine: {info["nproc"]} CPUs ({info["cpu_model"]}), torch '
          f'{info["torch"]}, {info["torch_threads"]} threads, device '
          f'{info["device"]}{cuda}')


def add_timing_arguments(parser: argparse.ArgumentParser,
                         repeats: int,
                         warmup: int,
                         repeats_help: str = 'timed rounds') -> None:
    """Add the options every timing benchmark shares: ``--device``,
    ``--repeats``, ``--warmup``, ``--seed``, ``--threads`` and ``--out``
    (check them with :func:`timing_device`)."""
    parser.add_argument(
        '--device',
        choices=['cpu', 'cuda'],
        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--repeats', type=int, default=repeats, help=repeats_help)
    parser.add_argument('--warmup', type=int, default=warmup)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch.set_num_threads (default: torch default)')
    parser.add_argument('--out', help='write the results as JSON here')


def timing_device(parser: argparse.ArgumentParser,
                  args: argparse.Namespace) -> torch.device:
    """Check the options of :func:`add_timing_arguments` (one
    ``parser.error`` line for a bad one) and return the device."""
    if args.repeats < 1:
        parser.error('--repeats must be >= 1')
    if args.warmup < 0:
        parser.error('--warmup must be >= 0')
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda but CUDA is not available: run on a '
                     'machine with a GPU or pass --device cpu')
    return device


def write_timing_results(args: argparse.Namespace, info: dict,
                         results: dict) -> None:
    """End of a timing benchmark: add the load average at the end to
    ``info`` (a busy machine shows there) and, when ``--out`` was given,
    write ``results`` with the header of :func:`write_results`."""
    try:
        info['loadavg_end'] = os.getloadavg()
    except OSError:
        pass
    if args.out:
        write_results(args.out, results, args, info, indent=2)
        print(f'\nwrote {args.out}')


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], object], device: torch.device) -> float:
    """The device-synchronised wall time of one call of ``fn``."""
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def time_method(obj, name: str, device: torch.device) -> List[float]:
    """Wrap ``obj.<name>`` so that every call's wall time is recorded.

    Returns:
        The list the durations (seconds, device-synchronised) are appended
        to; clear it to drop warm-up calls.
    """
    times: List[float] = []
    original = getattr(obj, name)

    def timed(*args, **kwargs):
        sync(device)
        start = time.perf_counter()
        out = original(*args, **kwargs)
        sync(device)
        times.append(time.perf_counter() - start)
        return out

    setattr(obj, name, timed)
    return times


def train_step_timer(models: Dict[str, Any], wrappers: Dict[str,
                                                            Any], data: dict,
                     device: torch.device) -> Callable[[str], float]:
    """A ``step(name)`` for :func:`alternate`: one ``train_step`` of
    ``models[name]`` on ``data`` with ``wrappers[name]`` (mmengine
    ``OptimWrapper``), returning its device-synchronised wall time."""

    def step(name: str) -> float:
        return timed(lambda: models[name].train_step(data, wrappers[name]),
                     device)

    return step


def alternate(
    step: Callable[[str], float],
    names: Sequence[str],
    warmup: int,
    repeats: int,
    swap_order: bool = False,
    after_warmup: Optional[Callable[[], None]] = None,
    on_round: Optional[Callable[[int, Dict[str, List[float]]], None]] = None
) -> Dict[str, List[float]]:
    """Run ``step(name)`` for every name, ``warmup`` untimed rounds then
    ``repeats`` timed rounds (A B A B ..., or A B B A ... with
    ``swap_order``), and return the recorded times per name."""
    for _ in range(warmup):
        for name in names:
            step(name)
    if after_warmup is not None:
        after_warmup()
    times: Dict[str, List[float]] = {name: [] for name in names}
    for i in range(repeats):
        order = list(names)
        if swap_order and i % 2 == 1:
            order.reverse()
        for name in order:
            times[name].append(step(name))
        if on_round is not None:
            on_round(i, times)
    return times


def setup_benchmark(device: torch.device,
                    scope: str,
                    threads: Optional[int] = None) -> dict:
    """Common start of the model benchmarks: thread count, dnc_mm
    registration, the toolbox's default scope, a quiet mmengine logger
    (``init_weights`` logs one line per parameter), and the machine line.

    Returns:
        :func:`machine_info` of ``device``.
    """
    import logging

    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    import dnc_mm  # noqa: F401  (registration)
    if threads:
        torch.set_num_threads(threads)
    init_default_scope(scope)
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    info = machine_info(device)
    print_machine(info)
    return info


def run_json_child(cmd: List[str], timeout: float) -> Optional[dict]:
    """Run ``cmd`` with a wall-clock cap and parse its last stdout line.

    Returns:
        The JSON object the command printed last, or None when it ran past
        ``timeout`` seconds (it is killed).

    Raises:
        RuntimeError: The command failed (the tail of its stderr).
    """
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])
