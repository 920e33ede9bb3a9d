"""Tests of the bundled segmentation benchmark and its mmseg datasets.

A tiny benchmark is built into a temporary folder with
``tools/data/build_seg_benchmark.py``. ``fashion_scenes`` needs the
Fashion-MNIST idx files (``apt-get install -y dataset-fashion-mnist``, or
``DNC_MM_FASHION_MNIST=<folder>``); ``nuclei`` needs the stardist wheel,
fetched from PyPI with ``pip download`` unless ``DNC_MM_STARDIST_WHEEL_DIR``
names a folder that holds it. Tests skip, saying which, when one is missing.
"""
from __future__ import annotations
import glob
import hashlib
import importlib.util
import json
import os
import os.path as osp
import sys
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from dnc_mm.datasets import FashionScenesDataset, NucleiDataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BUILDER_PATH = osp.join(REPO, 'tools', 'data', 'build_seg_benchmark.py')
FASHION_MNIST_ROOT = os.environ.get('DNC_MM_FASHION_MNIST',
                                    '/usr/share/datasets/fashion-mnist')
FASHION_MNIST_FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
                       't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
TINY_SCENES = [
    '--num-train', '6', '--num-val', '3', '--image-size', '64', '--seed', '3'
]
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]


def _load_builder() -> ModuleType:
    """Import the build tool from its path (``tools/`` is no package)."""
    spec = importlib.util.spec_from_file_location('build_seg_benchmark',
                                                  BUILDER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


def _has_fashion_mnist(root: str) -> bool:
    return all(
        osp.isfile(osp.join(root, name))
        or osp.isfile(osp.join(root, name + '.gz'))
        for name in FASHION_MNIST_FILES)


def _read(path: str) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im)


def _pairs(root: str, split: str) -> list[tuple[str, str]]:
    """(image, label map) paths of one split, checking they pair up."""
    images = sorted(glob.glob(osp.join(root, 'img_dir', split, '*.png')))
    labels = sorted(glob.glob(osp.join(root, 'ann_dir', split, '*.png')))
    assert [osp.basename(p) for p in images] == \
        [osp.basename(p) for p in labels]
    return list(zip(images, labels))


def _digest(root: str) -> str:
    """sha256 over every PNG of a data set folder (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(glob.glob(osp.join(root, '*_dir', '*', '*.png'))):
        digest.update(osp.relpath(path, root).encode())
        with open(path, 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()


@pytest.fixture(scope='module')
def builder() -> ModuleType:
    return _load_builder()


@pytest.fixture(scope='module')
def fashion_root() -> str:
    if not _has_fashion_mnist(FASHION_MNIST_ROOT):
        pytest.skip(f'Fashion-MNIST idx files not found in '
                    f'{FASHION_MNIST_ROOT} (apt-get install -y '
                    'dataset-fashion-mnist, or set DNC_MM_FASHION_MNIST)')
    return FASHION_MNIST_ROOT


@pytest.fixture(scope='module')
def wheel_dir(builder: ModuleType, tmp_path_factory) -> str:
    folder = os.environ.get('DNC_MM_STARDIST_WHEEL_DIR') or \
        str(tmp_path_factory.mktemp('stardist_wheel'))
    if builder.find_stardist_wheel(folder) is None:
        try:
            builder.download_stardist_wheel(folder, timeout=20, retries=1)
        except RuntimeError as err:
            pytest.skip(f'stardist wheel cannot be fetched: {err}')
    return folder


def _build(builder: ModuleType, out: str, *args: str) -> None:
    assert builder.main(['--out', out, *args]) == 0


@pytest.fixture(scope='module')
def scenes_root(builder: ModuleType, fashion_root: str,
                tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp('bench_a'))
    _build(builder, out, '--datasets', 'fashion_scenes',
           '--fashion-mnist-root', fashion_root, *TINY_SCENES)
    return osp.join(out, 'fashion_scenes')


@pytest.fixture(scope='module')
def nuclei_root(builder: ModuleType, wheel_dir: str, tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp('bench_n'))
    _build(builder, out, '--datasets', 'nuclei', '--stardist-wheel-dir',
           wheel_dir)
    return osp.join(out, 'nuclei')


@pytest.fixture(params=['fashion_scenes', 'nuclei'])
def built(request) -> tuple[str, type]:
    """(data set folder, dataset class) of each built data set."""
    if request.param == 'fashion_scenes':
        return request.getfixturevalue('scenes_root'), FashionScenesDataset
    return request.getfixturevalue('nuclei_root'), NucleiDataset


def test_layout_meta_and_label_values(built: tuple[str, type]) -> None:
    root, dataset_cls = built
    with open(osp.join(root, 'meta.json')) as f:
        meta = json.load(f)
    classes = dataset_cls.METAINFO['classes']
    assert tuple(meta['classes']) == classes
    for split in ('train', 'val'):
        pairs = _pairs(root, split)
        assert len(pairs) == meta['splits'][split]['num_images'] > 0
        counts = np.zeros(len(classes), dtype=np.int64)
        for image_path, label_path in pairs:
            label = _read(label_path)
            assert label.dtype == np.uint8 and label.ndim == 2
            assert label.shape == _read(image_path).shape[:2] == \
                tuple(meta['image_size'])
            assert label.max() < len(classes)
            counts += np.bincount(label.ravel(), minlength=len(classes))
        assert counts.tolist() == list(
            meta['splits'][split]['pixels_per_class'].values())


def test_scenes_are_deterministic(builder: ModuleType, fashion_root: str,
                                  scenes_root: str, tmp_path) -> None:
    _build(builder, str(tmp_path / 'same'), '--datasets', 'fashion_scenes',
           '--fashion-mnist-root', fashion_root, *TINY_SCENES)
    _build(builder, str(tmp_path / 'other'), '--datasets', 'fashion_scenes',
           '--fashion-mnist-root', fashion_root, *TINY_SCENES[:-1], '4')
    reference = _digest(scenes_root)
    assert _digest(str(tmp_path / 'same' / 'fashion_scenes')) == reference
    assert _digest(str(tmp_path / 'other' / 'fashion_scenes')) != reference


def test_scene_labels_equal_visible_garments(builder: ModuleType) -> None:
    """On a black background every tinted garment pixel is > 0, so the label
    map must be non-zero exactly where the image is."""
    cfg = builder.SceneConfig(image_size=64, min_garments=6, max_garments=6)
    rng = np.random.default_rng(0)
    garments = np.zeros((20, 28, 28), dtype=np.uint8)
    garments[:, 4:24, 6:22] = rng.integers(0, 256, (20, 20, 16))
    pool = builder.GarmentPool(garments, np.arange(20) % 10, rng)
    regions = [np.zeros((300, 300, 3), dtype=np.uint8)]
    for _ in range(5):
        image, label = builder.compose_scene(rng, regions, pool, cfg)
        assert np.array_equal(label > 0, image.max(axis=-1) > 0)
        assert label.max() <= 10


def test_nuclei_tiles_are_the_real_image(builder: ModuleType, wheel_dir: str,
                                         nuclei_root: str) -> None:
    arrays, _ = builder.load_stardist_pair(wheel_dir)
    image, mask = arrays['image'], arrays['mask']
    seen = np.zeros(image.shape, dtype=bool)
    for split in ('train', 'val'):
        for image_path, label_path in _pairs(nuclei_root, split):
            stem = osp.splitext(osp.basename(image_path))[0]
            top, left = (int(p[1:]) for p in stem.split('_')[1:])
            window = (slice(top, top + 128), slice(left, left + 128))
            in_val_quadrant = top >= 256 and left >= 256
            assert in_val_quadrant == (split == 'val')
            assert not seen[window].any()  # no overlap, within or across
            seen[window] = True
            assert np.array_equal(_read(image_path), image[window])
            assert np.array_equal(_read(label_path), mask[window] > 0)
    assert seen.all()


def _dataset_cfg(dataset_cls: type, data_root: str, **kwargs) -> dict:
    return dict(
        type=dataset_cls.__name__,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=PIPELINE,
        **kwargs)


def _build_dataset(cfg: dict):
    from mmengine.registry import DefaultScope
    from mmseg.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(cfg)


def test_dataset_through_mmseg_pipeline(built: tuple[str, type]) -> None:
    root, dataset_cls = built
    dataset = _build_dataset(_dataset_cfg(dataset_cls, root))
    assert isinstance(dataset, dataset_cls)
    assert dataset.metainfo['classes'] == dataset_cls.METAINFO['classes']
    assert len(dataset) == len(_pairs(root, 'val'))
    sample = dataset[0]
    gt = sample['data_samples'].gt_sem_seg.data
    assert sample['inputs'].shape[0] == 3
    assert gt.shape[1:] == sample['inputs'].shape[1:]
    assert int(gt.max()) < len(dataset_cls.METAINFO['classes'])


@pytest.mark.parametrize('dataset_cls', [FashionScenesDataset, NucleiDataset])
def test_missing_folder_says_how_to_build(dataset_cls: type, tmp_path) -> None:
    data_root = str(tmp_path / 'bench' / dataset_cls.BENCHMARK_NAME)
    with pytest.raises(FileNotFoundError) as info:
        _build_dataset(_dataset_cfg(dataset_cls, data_root))
    message = str(info.value)
    assert 'does not exist' in message
    assert (f'python tools/data/build_seg_benchmark.py --out '
            f'{tmp_path / "bench"} --datasets '
            f'{dataset_cls.BENCHMARK_NAME}') in message


def test_empty_folder_and_wrong_meta_are_reported(tmp_path) -> None:
    root = tmp_path / 'nuclei'
    for kind in ('img_dir', 'ann_dir'):
        (root / kind / 'val').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match='no \\*.png image'):
        _build_dataset(_dataset_cfg(NucleiDataset, str(root)))
    (root / 'meta.json').write_text(json.dumps({'classes': ['a', 'b']}))
    with pytest.raises(ValueError, match='lists classes'):
        _build_dataset(_dataset_cfg(NucleiDataset, str(root)))
