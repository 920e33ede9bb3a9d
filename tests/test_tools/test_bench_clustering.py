"""The clustering benchmark's per-class loop is a valid reference: it gives
the batched update's result (Algorithm 1's masking order, the default) on
data with small and large classes, so its speed-ups compare like with like."""
import importlib.util
import os.path as osp
import sys

import pytest
import torch
from config_cache import REPO_ROOT

BENCH_DIR = osp.join(REPO_ROOT, 'tools', 'benchmarks')
if BENCH_DIR not in sys.path:  # as when run as a script: its bench_utils
    sys.path.insert(0, BENCH_DIR)
SPEC = importlib.util.spec_from_file_location(
    'bench_clustering', osp.join(BENCH_DIR, 'bench_clustering.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


@pytest.mark.parametrize('long_tail', [False, True])
@pytest.mark.parametrize('momentum', [0.999, 0.0])
def test_loop_reference_equals_batched_update(long_tail, momentum):
    # long-tailed: a few classes with hundreds of samples (matrix products)
    # and a tail of small ones (size buckets); uniform: all small
    scale = dict(
        bench.SCALES['seg'],
        num_classes=12,
        num_subcentroids=3,
        dim=16,
        num_samples=1500,
        long_tail=long_tail)
    data = bench.make_data(scale, torch.device('cpu'), seed=0)
    args = (data['subcentroids'], data['features'], data['labels'],
            data['selected'], momentum, 0.05, 3)
    check = bench.compare(
        bench.batched_update(*args), bench.loop_update(*args), atol=1e-5)
    assert check['assignment_equal'] and check['allclose'], check


def test_loop_reference_with_forward_similarities_equals_batched_update():
    # what the decode heads do in training: own-class rows of the forward's
    # similarities instead of a product per class
    scale = dict(
        bench.SCALES['seg'],
        num_classes=12,
        num_subcentroids=3,
        dim=16,
        num_samples=1500)
    data = bench.make_data(scale, torch.device('cpu'), seed=1)
    p, x, y = data['subcentroids'], data['features'], data['labels']
    sims = torch.einsum('nd,nkd->nk', x, p[y.clamp(0, 11)])
    args = (p, x, y, data['selected'], 0.999, 0.05, 3)
    check = bench.compare(
        bench.batched_update(*args, similarities=sims),
        bench.loop_update(*args, similarities=sims),
        atol=1e-5)
    assert check['assignment_equal'] and check['allclose'], check
