"""The induction benchmark names each run by method, budget and seed, trains
the budget it says, and computes its table from the per-run records."""
import importlib.util
import json
import os.path as osp

import pytest
from config_cache import REPO_ROOT

SPEC = importlib.util.spec_from_file_location(
    'bench_induction',
    osp.join(REPO_ROOT, 'tools', 'benchmarks', 'bench_induction.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

LINEAR, DNC, AUTO_K = bench.CONFIGS


def test_method_names_follow_the_configs():
    assert [bench.method_of(c, bench.resolve(c, []))
            for c in bench.CONFIGS] == ['linear', 'dnc', 'dnc-autok']


def test_epochs_set_the_budget_and_the_decay_together():
    cfg = bench.resolve(DNC, bench.epoch_options(20))
    assert cfg.train_cfg.max_epochs == 20
    assert [s.get('T_max') for s in cfg.param_scheduler] == [None, 20]
    # a budget whose cosine still decays over 5 epochs is refused
    with pytest.raises(ValueError, match='decays over 5 epochs.*--epochs'):
        bench.resolve(DNC, ['train_cfg.max_epochs=20'])


def _run(method, budget, seed, induction, **extra):
    return dict(
        method=method,
        budget=budget,
        seed=seed,
        coarse_top1=90.0,
        induction_1nn=induction,
        **extra)


def _health(mean_cos):
    return dict(mean_cos=mean_cos, max_cos=0.9, usage_entropy=0.5)


def test_table_pairs_seeds_within_a_budget():
    runs = {
        LINEAR: [
            _run('linear', 5, 0, 70.0),
            _run('linear', 5, 1, 72.0),
            _run('linear', 20, 0, 80.0),
        ],
        DNC: [
            _run('dnc', 5, 0, 71.0, K=[4, 3, 3], health=_health(0.8)),
            _run('dnc', 5, 1, 75.0, K=[4, 3, 2], health=_health(0.6)),
            # seed 1 has no linear twin at 20 epochs: left out of the Δ
            _run('dnc', 20, 0, 86.0, K=[4, 3, 3]),
            _run('dnc', 20, 1, 99.0, K=[4, 3, 3]),
        ],
    }
    rows = [line.split(' | ') for line in bench.table(runs).splitlines()[2:]]
    assert [(r[0], r[1], r[2]) for r in rows] == [('| linear', '5', '0, 1'),
                                                  ('| dnc', '5', '0, 1'),
                                                  ('| linear', '20', '0'),
                                                  ('| dnc', '20', '0, 1')]
    assert rows[0][4] == '71.00 ± 1.41' and rows[0][5] == '—'
    assert rows[1][5] == '+2.00'  # (+1 + 3) / 2
    assert rows[3][5] == '+6.00'  # seed 0 only
    assert rows[2][4] == '80.00'  # one run: no std
    assert rows[1][-1] == '[4, 3, 3], [4, 3, 2] |'
    # health: mean ± std over the seeds; '—' where a run has none
    assert rows[1][-2] == '0.700 ± 0.141 / 0.900 ± 0.000 / 0.500 ± 0.000'
    assert rows[0][-2] == '—' and rows[3][-2] == '—'


def _scores(acc):
    return dict(mean=dict(acc=acc, nmi=0.5, ari=0.25))


def test_table_shows_kmeans_at_the_fine_and_at_the_heads_k():
    runs = {
        LINEAR: [
            _run('linear', 5, s, 70.0, clustering_kmeans=_scores(0.6))
            for s in (0, 1)
        ],
        DNC: [
            _run(
                'dnc',
                5,
                s,
                71.0,
                clustering=_scores(0.5),
                clustering_kmeans=_scores(0.6),
                clustering_kmeans_same_k=_scores(0.45 + 0.1 * s))
            for s in (0, 1)
        ],
    }
    header, _, linear, dnc = bench.table(runs).splitlines()
    columns = [c.strip() for c in header.split('|')[1:-1]]
    assert columns[7:10] == [
        'sub-centroid clustering ACC / NMI / ARI',
        'k-means, k = fine classes, ACC / NMI / ARI',
        "k-means, k = the head's K, ACC / NMI / ARI"
    ]
    cells = [c.strip() for c in dnc.split('|')[1:-1]]
    assert cells[7:10] == [
        '0.500 ± 0.000 / 0.500 ± 0.000 / 0.250 ± 0.000',
        '0.600 ± 0.000 / 0.500 ± 0.000 / 0.250 ± 0.000',
        '0.500 ± 0.071 / 0.500 ± 0.000 / 0.250 ± 0.000'
    ]
    # the linear head has no K: no equal-K reference
    assert [c.strip() for c in linear.split('|')[1:-1]][9] == '—'


def test_records_of_the_older_format_get_method_and_budget(tmp_path):
    path = tmp_path / 'old.json'
    path.write_text(
        json.dumps(
            dict(
                runs={
                    LINEAR:
                    [dict(seed=0, coarse_top1=95.0, induction_1nn=78.0)],
                    AUTO_K:
                    [dict(seed=0, coarse_top1=94.0, induction_1nn=77.0)]
                })))
    runs = bench.load_runs(str(path))
    assert [(r['method'], r['budget'])
            for r in runs[LINEAR] + runs[AUTO_K]] == [('linear', 5),
                                                      ('dnc-autok', 5)]


@pytest.mark.parametrize('name', [
    'induction_fashion_mnist.json', 'induction_fashion_mnist_10k.json',
    'induction_fashion_mnist_mu0.9.json',
    'induction_fashion_mnist_kmeans_reference.json'
])
def test_shipped_records_name_method_budget_and_seed(name):
    """The issue's contract for every results file: one record per run
    with method, budget, seed and the metric."""
    with open(osp.join(REPO_ROOT, 'docs', 'benchmarks', name)) as f:
        runs = json.load(f)['runs']
    for config, records in runs.items():
        for r in records:
            assert {'method', 'budget', 'seed',
                    'induction_1nn'} <= set(r), (config, sorted(r))
    assert bench.table(runs).count('\n') == 2 + len(bench.summarize_runs(runs))


def test_report_only_draws_induction_against_the_budget(tmp_path, capsys):
    curve = [[1, 90.0], [2, 94.5]]
    runs = {
        LINEAR: [
            _run('linear', 5, 0, 78.0),
            _run('linear', 20, 0, 80.0, curve=curve),
            _run('linear', 20, 1, 81.0, curve=curve),
        ],
        DNC: [_run('dnc', 20, 0, 79.5, curve=curve)],
    }
    out = tmp_path / 'runs.json'
    out.write_text(json.dumps(dict(runs=runs)))
    png, md = tmp_path / 'budgets.png', tmp_path / 'table.md'
    assert bench.main(['--out',
                       str(out), '--report-only', '--plot',
                       str(png)]) == 0
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert not md.exists()  # only what was asked for
    with pytest.raises(SystemExit):
        bench.main(['--out', str(out), '--report-only'])
    assert '--markdown or --plot' in capsys.readouterr().err


def test_report_only_plots_k_of_the_lowest_seed_per_budget(
        tmp_path, monkeypatch):
    import dnc_mm.explain.plots as plots
    drawn = {}
    monkeypatch.setattr(
        plots, 'plot_k_history', lambda steps, ks, names, path, truth: drawn.
        update({osp.basename(path): (steps, ks.tolist(), truth)}))

    def hist(k_last):
        return [dict(iter=0, K=[1, 1, 1]), dict(iter=40, K=[1, 1, k_last])]

    runs = {
        LINEAR: [_run('linear', 5, 0, 78.0)],
        AUTO_K: [
            _run('dnc-autok', 5, 1, 78.0, k_history=hist(3)),
            _run('dnc-autok', 5, 0, 78.0, k_history=hist(2)),
            _run('dnc-autok', 50, 2, 82.0, k_history=hist(4)),
        ],
    }
    out = tmp_path / 'runs.json'
    out.write_text(json.dumps(dict(runs=runs)))
    md = tmp_path / 'table.md'
    assert bench.main(
        ['--out', str(out), '--report-only', '--markdown',
         str(md)]) == 0
    assert drawn == {
        'runs_auto_k_5e.png': ([0, 40], [[1, 1, 1], [1, 1, 2]], [4, 3, 3]),
        'runs_auto_k_50e.png': ([0, 40], [[1, 1, 1], [1, 1, 4]], [4, 3, 3]),
    }
