"""Shared fixtures: repository paths and the prepared real data."""
import copy
import os
import os.path as osp
import sys

import pytest
from mmengine.registry import DefaultScope

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA_ROOT = osp.join(REPO_ROOT, 'data')
SETUP_HINT = 'run `bash tools/setup_data.sh` (the README test command does)'


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def python_exe() -> str:
    """The interpreter running the tests (the project venv's)."""
    return sys.executable


@pytest.fixture(scope='session')
def fashion_mnist_small() -> str:
    """Seeded 2,000/1,000-image Fashion-MNIST subset prepared on disk."""
    path = osp.join(DATA_ROOT, 'fashion_mnist_2000_1000')
    if not osp.isfile(osp.join(path, 'train-images-idx3-ubyte')):
        pytest.fail(f'Fashion-MNIST subset missing at {path}: {SETUP_HINT}')
    return path


@pytest.fixture(scope='session')
def seg_benchmark() -> str:
    """The bundled segmentation benchmark (``fashion_scenes`` + ``nuclei``)."""
    path = osp.join(DATA_ROOT, 'seg_benchmark')
    for name in ('fashion_scenes', 'nuclei'):
        if not osp.isfile(osp.join(path, name, 'meta.json')):
            pytest.fail(f'segmentation benchmark {name} missing under {path}: '
                        f'{SETUP_HINT}')
    return path


@pytest.fixture
def subprocess_env() -> dict:
    """Environment for tool subprocesses: repo on the path, one thread,
    checkpoints not trusted (every load goes through the allow-list)."""
    env = dict(os.environ)
    env.pop('DNC_MM_TRUST_CHECKPOINTS', None)
    env['PYTHONPATH'] = REPO_ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


@pytest.fixture(autouse=True)
def _restore_default_scope():
    """Undo any default scope a test sets (``init_default_scope`` in the
    config tests), so that no test depends on which one ran before it.
    Same mechanism as mmengine's ``DefaultScope.overwrite_default_scope``."""
    saved = copy.deepcopy(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict = saved


@pytest.fixture
def mmpretrain_scope():
    """Build from registries with mmpretrain as the default scope."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield


@pytest.fixture
def mmseg_scope():
    """Build from registries with mmseg as the default scope."""
    with DefaultScope.overwrite_default_scope('mmseg'):
        yield


def pytest_collection_modifyitems(config, items):
    """Run the ``slow`` end-to-end tests (20-45 s each) first, then the
    ``slow`` paper-scale config steps (2-7 s), then the rest, each group in
    its usual order: with pytest-xdist the long ones start early and the
    short ones fill the workers up at the end, instead of one worker
    finishing a long run while the other waits."""
    items.sort(key=lambda item: (item.get_closest_marker('slow') is None,
                                 'test_configs/' in item.nodeid))
