"""The side-by-side benchmark's variants name real options of real configs,
and its table is computed from the per-run records."""
import argparse
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config, DictAction

from config_cache import REPO_ROOT

SPEC = importlib.util.spec_from_file_location(
    'bench_dnc_ablation',
    osp.join(REPO_ROOT, 'tools', 'benchmarks', 'bench_dnc_ablation.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

CASES = [(name, variant, budget)
         for name, budget in (('cls', 20), ('seg', 4000))
         for variant in bench.SUITES[name]['variants']]


def _exists(cfg, key):
    node = cfg
    for part in key.split('.')[:-1]:
        node = node[int(part)] if part.isdigit() else node.get(part)
        if node is None:
            return False
    return True


@pytest.mark.parametrize('suite,variant,budget', CASES,
                         ids=[f'{s}-{v}' for s, v, _ in CASES])
def test_variant_options_apply_to_existing_keys(suite, variant, budget):
    method, config, options = bench.SUITES[suite]['variants'][variant]
    assert variant.startswith(method)
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    opts = options + bench.SUITES[suite]['budget'](budget)
    for opt in opts:
        key = opt.split('=')[0]
        assert _exists(cfg, key), f'{config} has no parent of {key}'
    parser = argparse.ArgumentParser()  # as tools/train.py parses them
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options'] +
                                          opts).cfg_options)
    loop = cfg.train_cfg
    assert loop.get('max_epochs', loop.get('max_iters')) == budget


def test_table_means_and_delta_to_the_baseline():
    suite = bench.SUITES['cls']
    runs = [dict(variant=v, budget=5, seed=s, **{'accuracy/top1': a})
            for v, accs in (('linear', (80, 82)), ('dnc', (83, 85)))
            for s, a in enumerate(accs)]
    text = bench.table(runs, suite)
    assert '| dnc | 5 | 2 | 84.00 ± 1.41 | +3.00 |' in text
    assert '| linear | 5 | 2 | 81.00 ± 1.41 | +0.00 |' in text
