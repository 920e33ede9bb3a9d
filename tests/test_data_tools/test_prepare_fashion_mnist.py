"""tools/data/prepare_fashion_mnist.py: idx round trip, subsets, errors."""
import gzip
import importlib.util
import os.path as osp

import numpy as np
import pytest

TOOL = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools',
    'data', 'prepare_fashion_mnist.py')
spec = importlib.util.spec_from_file_location('prepare_fashion_mnist', TOOL)
prep = importlib.util.module_from_spec(spec)
spec.loader.exec_module(prep)


def _fake_source(folder, n_train=50, n_test=20):
    rng = np.random.default_rng(0)
    for split, n in (('train', n_train), ('test', n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n, dtype=np.uint8) % 10
        img_name, lbl_name = prep.SPLITS[split]
        for name, array in ((img_name, images), (lbl_name, labels)):
            with gzip.open(osp.join(folder, name + '.gz'), 'wb') as f:
                f.write(prep.encode_idx(array))


def test_class_names_are_mmpretrains():
    # the data tool runs without the package (plain python3), so it keeps
    # its own copy of the names: it must match the one the package reads
    from dnc_mm.datasets.coarse_labels import FASHION_MNIST_FINE_CLASSES
    assert prep.CLASSES == FASHION_MNIST_FINE_CLASSES


def test_idx_round_trip():
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(prep.parse_idx(prep.encode_idx(array)), array)


def test_stratified_subset_is_balanced_and_seeded():
    labels = np.repeat(np.arange(10), 30)
    a = prep.stratified_indices(labels, 55, seed=3)
    b = prep.stratified_indices(labels, 55, seed=3)
    c = prep.stratified_indices(labels, 55, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    counts = np.bincount(labels[a], minlength=10)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 55


def test_tool_writes_readable_folders_and_is_idempotent(tmp_path, capsys):
    src, out = tmp_path / 'src', tmp_path / 'out'
    src.mkdir()
    _fake_source(str(src))
    args = ['--src', str(src), '--out', str(out), '--subset', '20:10']
    assert prep.main(args) == 0
    sub = out / 'fashion_mnist_20_10'
    images, labels, _ = prep.load_split(str(sub), 'train')
    assert images.shape == (20, 28, 28) and len(labels) == 20
    full_images, _, _ = prep.load_split(str(out / 'fashion_mnist'), 'test')
    assert full_images.shape == (20, 28, 28)
    capsys.readouterr()
    assert prep.main(args) == 0
    assert capsys.readouterr().out.count('up to date') == 2


def test_missing_source_names_the_fix(tmp_path, capsys):
    assert prep.main(['--src', str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert 'apt-get install -y dataset-fashion-mnist' in err
    assert '--src' in err


def test_bad_subset_argument():
    with pytest.raises(SystemExit):
        prep.parse_args(['--subset', '100'])
