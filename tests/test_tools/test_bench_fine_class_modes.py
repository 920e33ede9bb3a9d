"""The fine-class-modes analysis reads a bench_induction run directory
(dumped config + last checkpoint) and tabulates its records."""
import importlib.util
import json
import os.path as osp

import pytest
import torch
from config_cache import REPO_ROOT
from mmengine.config import Config

from dnc_mm.evaluation import load_model

SPEC = importlib.util.spec_from_file_location(
    'bench_fine_class_modes',
    osp.join(REPO_ROOT, 'tools', 'benchmarks', 'bench_fine_class_modes.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

AUTO_K = 'configs/dnc/dnc_resnet18-w16_autok-5e_fashion-mnist-coarse-10k.py'


def _run_dir(tmp_path, data_root, seed):
    """A run directory as tools/train.py leaves it, with an untrained
    model."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, AUTO_K))
    cfg.merge_from_dict({
        f'{s}_dataloader.dataset.data_root': data_root
        for s in ('train', 'val', 'test')
    })
    cfg.randomness = dict(seed=seed)
    work_dir = tmp_path / f'autok_seed{seed}'
    work_dir.mkdir()
    cfg.dump(str(work_dir / osp.basename(AUTO_K)))
    torch.manual_seed(seed)
    ckpt = work_dir / 'epoch_5.pth'
    torch.save({'state_dict': load_model(cfg).state_dict()}, ckpt)
    (work_dir / 'last_checkpoint').write_text(str(ckpt))
    return str(work_dir)


@pytest.mark.usefixtures('mmpretrain_scope')
def test_run_directories_to_records_and_table(tmp_path, fashion_mnist_small,
                                              capsys):
    dirs = [_run_dir(tmp_path, fashion_mnist_small, s) for s in (0, 1)]
    out = tmp_path / 'modes.json'
    assert bench.main(['--work-dirs', *dirs, '--out', str(out)]) == 0
    records = json.loads(out.read_text())['records']
    assert [(r['method'], r['budget'], r['seed'], r['space'])
            for r in records] == [('dnc-autok', 5, 0, 'embed'),
                                  ('dnc-autok', 5, 0, 'neck'),
                                  ('dnc-autok', 5, 1, 'embed'),
                                  ('dnc-autok', 5, 1, 'neck')]
    first = records[0]
    assert first['true_k'] == [4, 3, 3]
    # the run's own hook thresholds, 6 pairs + 3 + 3 over the 3 classes
    assert first['split_merge']['split_ratio'] == 1.2
    assert [len(c['pairs']) for c in first['classes']] == [6, 3, 3]
    assert all(1 <= k <= 6 for k in first['split_merge_k'])
    assert all(2 <= k <= 6 for k in first['silhouette_k'])
    assert '| tops | T-shirt/top, Pullover |' in capsys.readouterr().out
    # the table is rebuilt from the records alone
    md = tmp_path / 'modes.md'
    assert bench.main(
        ['--out', str(out), '--report-only', '--markdown',
         str(md)]) == 0
    table = md.read_text()
    assert 'dnc-autok, 5 ep., embed' in table
    assert table == bench.table(records)
