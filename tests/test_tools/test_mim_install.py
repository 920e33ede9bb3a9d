"""After ``pip install .`` (not editable), OpenMMLab's ``mim`` serves dnc_mm.

The package is built from a copy of the sources and installed into a
folder of its own (``pip install --target``, no dependencies: torch and the
toolboxes come from the test venv); the checkout is kept off the path, so
``mim`` and mmpretrain's model hub can only find what the package carries
in ``dnc_mm/.mim``.
"""
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
from tool_runner import loader_options, run_tool

CONFIG = 'dnc_resnet18-w16_5e_fashion-mnist-10k'
SEG = 'dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128'
# what setup.py packs (MANIFEST.in) and what it needs to run
SOURCES = ('setup.py', 'README.md', 'MANIFEST.in', 'model-index.yml',
           'requirements', 'dnc_mm', 'configs', 'tools')
MIM_HINT = ('openmim missing: bash tools/install_env.sh, or pip install -r '
            'requirements/mim.txt && pip install --no-deps openmim==0.3.9')


def _copy_sources(repo_root: str, tmp_path) -> str:
    src = tmp_path / 'src'
    src.mkdir()
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc', '.mim',
                                    '*.egg-info')
    for name in SOURCES:
        path = osp.join(repo_root, name)
        if osp.isdir(path):
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy(path, src / name)
    return str(src)


def _build(src: str, hook: str, out: str) -> str:
    """Run one PEP 517 hook of setuptools as pip does; the file it made."""
    log = run_tool([
        sys.executable, '-c', 'from setuptools import build_meta; '
        f'print("built", build_meta.{hook}({out!r}))'
    ], src, dict(os.environ))
    return osp.join(out, log.rsplit('built ', 1)[1].split()[0])


def test_editable_build_links_the_mim_files(repo_root, tmp_path):
    src = _copy_sources(repo_root, tmp_path)
    _build(src, 'build_editable', str(tmp_path / 'wheel'))
    for name in ('configs', 'tools', 'model-index.yml'):
        link = osp.join(src, 'dnc_mm', '.mim', name)
        assert os.readlink(link) == osp.join('..', '..', name)


def test_sdist_carries_sources_and_mim_copies(repo_root, tmp_path):
    src = _copy_sources(repo_root, tmp_path)
    sdist = _build(src, 'build_sdist', str(tmp_path / 'dist'))
    with tarfile.open(sdist) as tar:
        names = {n.split('/', 1)[1] for n in tar.getnames() if '/' in n}
    for rel in ('model-index.yml', f'configs/dnc/{CONFIG}.py',
                'tools/train.py'):
        assert rel in names, rel  # setup.py copies them again from there
        assert f'dnc_mm/.mim/{rel}' in names, rel
    assert 'requirements/mim.txt' in names  # read by setup.py
    assert not [n for n in names if '__pycache__' in n]


def _install(repo_root: str, tmp_path) -> str:
    src, target = _copy_sources(repo_root, tmp_path), str(tmp_path / 'site')
    run_tool([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--no-build-isolation', '--no-index', '--disable-pip-version-check',
        '--target', target, src
    ], src, dict(os.environ))
    return target


@pytest.mark.slow
def test_pip_install_then_mim_search_train_test_and_get_model(
        tmp_path, repo_root, fashion_mnist_small):
    if subprocess.run([sys.executable, '-c', 'import mim'],
                      capture_output=True).returncode:
        pytest.fail(MIM_HINT)
    target = _install(repo_root, tmp_path)
    mim_dir = osp.join(target, 'dnc_mm', '.mim')
    for rel in ('model-index.yml', 'tools/train.py', 'tools/test.py',
                f'configs/dnc/{CONFIG}.py', 'configs/dnc/metafile.yml'):
        path = osp.join(mim_dir, rel)
        assert osp.isfile(path) and not osp.islink(path), rel

    env = dict(os.environ, PYTHONPATH=target, OMP_NUM_THREADS='1')
    env.pop('DNC_MM_TRUST_CHECKPOINTS', None)
    run = tmp_path / 'run'  # not the checkout: its dnc_mm must not shadow
    run.mkdir()
    mim = [sys.executable, '-m', 'mim']

    log = run_tool(mim + ['search', 'dnc_mm'], str(run), env)
    for name in (CONFIG, SEG, 'hpl_resnet8-w16-d3_6e_fashion-mnist-2k'):
        assert f'config id: {name}\n' in log, log[-2000:]
    log = run_tool(
        mim +
        ['search', 'dnc_mm', '--config', CONFIG, '--display-width', '160'],
        str(run), env)
    assert re.search(rf'\nconfig +configs/dnc/{CONFIG}.py\n', log), log
    assert re.search(r'\nmodel +dnc\n', log), log

    work = str(tmp_path / 'work')
    opts = loader_options(fashion_mnist_small, ('train', 'val')) + [
        'train_cfg.max_epochs=1',
        'train_dataloader.batch_size=16',
        'train_dataloader.dataset.indices=32',  # 2 iterations
        'val_dataloader.dataset.indices=32'
    ]
    log = run_tool(
        mim + [
            'train', 'dnc_mm', CONFIG + '.py', '--work-dir', work,
            '--cfg-options'
        ] + opts, str(run), env)
    script = osp.join(mim_dir, 'tools', 'train.py')
    config = osp.join(mim_dir, 'configs', 'dnc', CONFIG + '.py')
    assert f'Training command is {sys.executable} {script} {config}' in log
    assert 'Epoch(train) [1][2/2]' in log, log[-2000:]
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)

    log = run_tool(
        mim + [
            'test', 'dnc_mm', CONFIG + '.py', '--checkpoint', ckpt,
            '--work-dir',
            str(tmp_path / 'test'), '--cfg-options'
        ] + loader_options(fashion_mnist_small, ('test', )) +
        ['test_dataloader.dataset.indices=32'], str(run), env)
    assert osp.join(mim_dir, 'tools', 'test.py') in log
    assert 'accuracy/top1:' in log, log[-2000:]

    log = run_tool([
        sys.executable, '-c',
        'import dnc_mm.apis, mmpretrain; print(dnc_mm.__file__); '
        f'print(mmpretrain.get_model({CONFIG!r})._config.filename); '
        f'print(dnc_mm.apis.get_config_path({SEG!r}))'
    ], str(run), env)
    assert osp.join(target, 'dnc_mm', '__init__.py') in log, log[-2000:]
    assert f'{config}\n' in log, log[-2000:]
    assert osp.join(mim_dir, 'configs', 'dnc_seg', SEG + '.py') in log
