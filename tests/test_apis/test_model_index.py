"""mmpretrain's model hub resolves this project's names (dnc_mm.apis).

``import dnc_mm.apis`` hooks the model index into mmpretrain's ``ModelHub``:
``get_model(name)`` and ``list_models(pattern)`` see the DNC and HPL
classifiers next to mmpretrain's own models. Segmentation names stay out of
that hub (mmpretrain would build them in its own scope); mmseg has no
name registry, so they are reached through ``get_config_path``.
"""
import os.path as osp

import mmpretrain
import pytest
import yaml

from dnc_mm.apis import (get_config_path, list_model_names, model_index,
                         model_index_root, register_model_index)

DNC = 'dnc_resnet18-w16_5e_fashion-mnist-10k'
HPL = 'hpl_resnet8-w16-d3_6e_fashion-mnist-2k'
SEG = 'dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128'


def test_source_checkout_reads_the_repository_index(repo_root):
    assert model_index_root() == repo_root
    assert get_config_path(SEG.upper()) == osp.join(repo_root, 'configs',
                                                    'dnc_seg', SEG + '.py')
    with pytest.raises(KeyError, match='no model named'):
        get_config_path('resnet18_8xb16_cifar10')


def test_names_and_configs_match_the_metafiles(repo_root):
    expected = {}
    for meta in model_index.metafiles(repo_root):
        with open(meta) as f:
            for model in yaml.safe_load(f)['Models']:
                expected[model['Name']] = osp.join(repo_root, model['Config'])
    assert list_model_names(repo_root) == sorted(expected)
    for name, config in expected.items():
        assert get_config_path(name, repo_root) == config


def test_only_classification_metafiles_go_to_mmpretrain(repo_root):
    names = [
        osp.basename(osp.dirname(m))
        for m in model_index.classification_metafiles(repo_root)
    ]
    assert names == ['dnc', 'hpl']


def test_list_models_sees_dnc_and_hpl_not_segmentation():
    dnc = mmpretrain.list_models('*dnc*')
    assert DNC in dnc and 'dnc_resnet18_1xb128-200e_cifar10' in dnc
    assert HPL in mmpretrain.list_models('hpl_')
    assert mmpretrain.list_models(SEG) == []
    # mmpretrain's own index is still there, and registering again adds
    # nothing (mmpretrain raises on a name registered twice)
    assert 'resnet18_8xb16_cifar10' in mmpretrain.list_models('resnet18')
    assert register_model_index() == []


@pytest.mark.parametrize('name, head',
                         [(DNC, 'SubCentroidClsHead'),
                          (HPL, 'HypersphericalPrototypeClsHead')])
def test_get_model_builds_a_config_by_name(name, head):
    model = mmpretrain.get_model(name)
    assert type(model.head).__name__ == head
    assert model._metainfo.name == name
    assert model._config.filename == get_config_path(name)
    tasks = {r.task for r in model._metainfo.results}
    assert tasks == {'Image Classification'}


def test_installed_package_reads_its_mim_folder(tmp_path, monkeypatch):
    """An installed package keeps the index in dnc_mm/.mim; a checkout's
    own index wins over its dnc_mm/.mim (symlinks or stale copies)."""
    mim = tmp_path / 'dnc_mm' / '.mim'
    (mim / 'configs').mkdir(parents=True)
    (mim / 'model-index.yml').write_text('Import: []\n')
    monkeypatch.setattr(model_index, 'PACKAGE_DIR', str(tmp_path / 'dnc_mm'))
    assert model_index_root() == str(mim)
    assert list_model_names() == []
    for name in ('model-index.yml', 'setup.py'):
        (tmp_path / name).write_text('')
    (tmp_path / 'configs').mkdir()
    assert model_index_root() == str(tmp_path)
    for path in (mim / 'model-index.yml', tmp_path / 'setup.py'):
        path.unlink()
    with pytest.raises(FileNotFoundError, match='model-index.yml'):
        model_index_root()
