"""Every shipped config has exactly one metafile line and a model-table row;
the root model-index.yml imports every metafile.

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
        osp.relpath(p, REPO_ROOT) for p in glob.glob(
            osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
        if '_base_' not in p.split(osp.sep))


def _models():
    for meta in sorted(
            glob.glob(osp.join(REPO_ROOT, 'configs', '*', 'metafile.yml'))):
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


def _metafiles():
    return sorted(
        osp.relpath(p, REPO_ROOT) for p in glob.glob(
            osp.join(REPO_ROOT, 'configs', '*', 'metafile.yml')))


def _model_index() -> dict:
    with open(osp.join(REPO_ROOT, 'model-index.yml')) as f:
        return yaml.safe_load(f)


def test_model_index_imports_every_metafile_once():
    imports = _model_index()['Import']
    assert len(imports) == len(set(imports)), f'imported twice: {imports}'
    missing = sorted(set(_metafiles()) - set(imports))
    assert not missing, f'metafiles model-index.yml does not import: {missing}'
    dangling = sorted(set(imports) - set(_metafiles()))
    assert not dangling, f'model-index.yml imports missing files: {dangling}'


def _is_link(url) -> bool:
    """An http(s) address, or a file of this repository."""
    if not isinstance(url, str) or not url:
        return False
    return url.startswith(
        ('https://', 'http://')) or osp.isfile(osp.join(REPO_ROOT, url))


def test_every_collection_has_paper_and_code_links():
    bad = []
    for meta in _metafiles():
        with open(osp.join(REPO_ROOT, meta)) as f:
            collections = yaml.safe_load(f).get('Collections') or []
        assert collections, f'{meta} has no Collections'
        for col in collections:
            paper, code = col.get('Paper') or {}, col.get('Code') or {}
            has_url = str(paper.get('URL')).startswith(('https://', 'http://'))
            if not (paper.get('Title') and has_url):
                bad.append((meta, col['Name'], 'Paper', paper))
            if not _is_link(code.get('URL')):
                bad.append((meta, col['Name'], 'Code', code))
    assert not bad, f'collections without Paper/Code links: {bad}'


def test_model_index_loads_with_every_model_in_a_collection():
    """What ``mim search`` and mmpretrain's hub read (the modelindex
    package): every model once, each in a collection that exists."""
    from modelindex.load_model_index import load

    index = load(osp.join(REPO_ROOT, 'model-index.yml'))
    names = [m.name for m in index.models]
    assert sorted(names) == sorted(m['Name'] for _, m in _models())
    collections = {c.name for c in index.collections}
    orphans = [(m.name, m.in_collection) for m in index.models
               if m.in_collection not in collections]
    assert not orphans, f'models in undefined collections: {orphans}'
    errors = [(m.name, list(m.check_errors)) for m in index.models
              if m.check_errors]
    assert not errors, errors


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_every_result_follows_the_model_index_schema():
    """Each ``Results`` item as the model-index schema has it: ``Task`` and
    ``Dataset`` strings, ``Metrics`` a mapping of metric names to numbers.
    What qualifies a figure goes to the item's ``Notes``; a paper row
    without a figure of its own goes to the model's ``Notes``."""
    bad = []
    for meta, model in _models():
        for result in model.get('Results') or []:
            metrics = result.get('Metrics')
            if not (isinstance(result.get('Task'), str) and isinstance(
                    result.get('Dataset'), str) and isinstance(metrics, dict)
                    and metrics and all(map(_is_number, metrics.values()))):
                bad.append((meta, model['Name'], result))
    assert not bad, f'results off the model-index schema: {bad}'


# ``mim search`` prints "dataset/metric" field names in a column as wide as
# the longest of the whole index, in 80 columns unless --display-width says
# otherwise: 40 characters leave 38 for the values.
MIM_FIELD_MAX = 40


def test_mim_search_has_room_for_the_values():
    long = {}
    for meta, model in _models():
        for result in model.get('Results') or []:
            for metric in result.get('Metrics') or {}:
                field = f"{result['Dataset']}/{'_'.join(metric.split())}"
                if len(field) > MIM_FIELD_MAX:
                    long[field.lower()] = meta
    assert not long, f'mim search field names over {MIM_FIELD_MAX} ' \
        f'characters (shorten the Dataset or metric name): {long}'
