"""Every shipped config has exactly one metafile line and a model-table row.

OpenMMLab's model index (``mim``) needs unique model names and configs that
exist; the project promises that every config is listed with its measured
figure or its status (docs/model_zoo.md).
"""
import glob
import os.path as osp

import yaml

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _configs():
    return sorted(
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                           recursive=True)
        if '_base_' not in p.split(osp.sep))


def _models():
    for meta in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '*',
                                          'metafile.yml'))):
        with open(meta) as f:
            data = yaml.safe_load(f)
        for model in data.get('Models', []):
            yield osp.relpath(meta, REPO_ROOT), model


def test_every_config_in_exactly_one_metafile():
    listed = {}
    for meta, model in _models():
        listed.setdefault(model['Config'], []).append(meta)
    missing = [c for c in _configs() if c not in listed]
    assert not missing, f'configs without a metafile line: {missing}'
    twice = {c: m for c, m in listed.items() if len(m) > 1}
    assert not twice, f'configs listed more than once: {twice}'
    dangling = [c for c in listed if not osp.isfile(osp.join(REPO_ROOT, c))]
    assert not dangling, f'metafile lines for missing configs: {dangling}'


def test_model_names_are_unique_and_match_config_names():
    names = {}
    for meta, model in _models():
        names.setdefault(model['Name'], []).append(meta)
        stem = osp.splitext(osp.basename(model['Config']))[0]
        assert model['Name'] == stem, (meta, model['Name'], stem)
    dup = {n: m for n, m in names.items() if len(m) > 1}
    assert not dup, f'model names used more than once: {dup}'


def test_every_config_has_a_model_table_row():
    with open(osp.join(REPO_ROOT, 'docs', 'model_zoo.md')) as f:
        table = f.read()
    missing = [c for c in _configs() if osp.basename(c) not in table]
    assert not missing, f'configs without a row in docs/model_zoo.md: ' \
        f'{missing}'
