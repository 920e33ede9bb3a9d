"""Benchmark results are strict JSON: any reader (JavaScript, jq, pandas)
can recompute the tables from them."""
import argparse
import glob
import importlib
import math
import os.path as osp
import sys

import pytest
import torch
from config_cache import REPO_ROOT
from strict_json import strict_json_loads

BENCH_DIR = osp.join(REPO_ROOT, 'tools', 'benchmarks')
if BENCH_DIR not in sys.path:  # as when run as a script
    sys.path.insert(0, BENCH_DIR)
import bench_utils  # noqa: E402


def test_write_json_writes_non_finite_numbers_as_null(tmp_path):
    path = str(tmp_path / 'out' / 'runs.json')
    data = dict(
        runs=[dict(wall_s=float('nan'), mIoU=41.5, best=(1.2, float('inf')))],
        n=3,
        gain=-math.inf)
    bench_utils.write_json(path, data)
    with open(path) as f:
        got = strict_json_loads(f.read())
    assert got == dict(
        runs=[dict(wall_s=None, mIoU=41.5, best=[1.2, None])], n=3, gain=None)
    assert math.isnan(data['runs'][0]['wall_s'])  # the caller's data kept


@pytest.mark.parametrize(
    'path',
    sorted(glob.glob(osp.join(REPO_ROOT, 'docs', 'benchmarks', '*.json'))),
    ids=osp.basename)
def test_shipped_results_are_strict_json(path):
    with open(path) as f:
        strict_json_loads(f.read())


def test_paired_difference_compares_only_the_shared_seeds():
    seeds, diffs = bench_utils.paired_difference({
        2: 80.0,
        0: 75.5,
        5: 1.0
    }, {
        0: 74.0,
        1: 90.0,
        2: 81.0
    })
    assert seeds == [0, 2]  # seed 5 and 1 have no partner
    assert diffs == [1.5, -1.0]
    assert bench_utils.paired_difference({0: 1.0}, {}) == ([], [])


def test_mean_std_is_the_sample_std_and_zero_for_one_run():
    stats = bench_utils.mean_std([84.0, 85.0, 86.5])
    assert stats['mean'] == pytest.approx(85.1666667)
    # sample std (n - 1): squared deviations 1.3611 + 0.0278 + 1.7778
    assert stats['std'] == pytest.approx(math.sqrt(3.1666667 / 2))
    assert bench_utils.mean_std([83.35]) == dict(mean=83.35, std=0.0)


TIMING_BENCHMARKS = ('bench_clustering', 'bench_dnc_train_iter',
                     'bench_dnc_seg_train_iter', 'bench_dnc_update_memory')


@pytest.mark.parametrize('name', TIMING_BENCHMARKS)
@pytest.mark.parametrize('argv, message', [
    (['--repeats', '0'], '--repeats must be >= 1'),
    (['--warmup', '-1'], '--warmup must be >= 0'),
])
def test_timing_benchmarks_reject_bad_rounds_in_one_line(
        name, argv, message, capsys):
    module = importlib.import_module(name)
    with pytest.raises(SystemExit) as exc:
        module.main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(message)


def test_timing_device_names_the_fix_when_cuda_is_missing(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    parser = argparse.ArgumentParser(prog='bench')
    bench_utils.add_timing_arguments(parser, repeats=3, warmup=1)
    args = parser.parse_args(['--device', 'cuda'])
    with pytest.raises(SystemExit):
        bench_utils.timing_device(parser, args)
    assert 'pass --device cpu' in capsys.readouterr().err
    args = parser.parse_args([])
    assert (args.device, args.repeats, args.warmup) == ('cpu', 3, 1)
    assert bench_utils.timing_device(parser, args) == torch.device('cpu')


def test_write_timing_results_writes_only_with_out_and_adds_the_load(tmp_path):
    info = dict(nproc=2)
    args = argparse.Namespace(out=None)
    bench_utils.write_timing_results(args, info, dict(ratio=1.02))
    assert list(tmp_path.iterdir()) == []
    args.out = str(tmp_path / 'timing.json')
    bench_utils.write_timing_results(args, info, dict(ratio=1.02))
    with open(args.out) as f:
        got = strict_json_loads(f.read())
    assert got['ratio'] == 1.02 and got['args'] == dict(out=args.out)
    assert got['machine']['nproc'] == 2
    assert len(got['machine']['loadavg_end']) == 3


def test_mean_curve_averages_the_runs_that_reached_each_step():
    full = [[1, 70.0], [2, 80.0], [3, 90.0]]
    cut = [[1, 60.0], [2, 70.0]]  # cut before its third validation
    assert bench_utils.mean_curve([full, cut]) == ([1, 2,
                                                    3], [65.0, 75.0, 90.0])
