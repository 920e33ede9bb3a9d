"""Prepare Fashion-MNIST for mmpretrain's ``FashionMNIST`` dataset.

The Debian package ``dataset-fashion-mnist`` installs the four gzipped idx
files in ``/usr/share/datasets/fashion-mnist/``. mmpretrain reads the
*gunzipped* files (``train-images-idx3-ubyte`` ...) from ``data_root`` with
``download=False``. This tool writes

* ``<out>/fashion_mnist/``: the full set (60,000 train + 10,000 test);
* ``<out>/fashion_mnist_<n>/`` for every ``--subset TRAIN:TEST`` given: a
  class-stratified random subset drawn with ``--seed`` (train from the train
  split, test from the test split), in the same idx format, so the same
  dataset class reads it.

Each folder gets a ``meta.json`` with the source checksums, the seed and the
per-class counts. Running the tool again is a no-op when the outputs exist
and match the request.

Example::

    python tools/data/prepare_fashion_mnist.py \
        --src /usr/share/datasets/fashion-mnist --out data \
        --subset 10000:10000 --subset 2000:1000
"""
import argparse
import gzip
import hashlib
import json
import os
import os.path as osp
import struct
import sys
from typing import Dict, List, Tuple

import numpy as np

DEFAULT_SRC = '/usr/share/datasets/fashion-mnist'
SPLITS = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}
# mmpretrain's FashionMNIST names (this tool runs without the package, so it
# keeps a copy; tests check that they match)
CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
           'Shirt', 'Sneaker', 'Bag', 'Ankle boot')


def _find_source(src: str, name: str) -> str:
    """Return the path of ``name`` (gzipped or not) inside ``src``."""
    for candidate in (osp.join(src, name + '.gz'), osp.join(src, name)):
        if osp.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        f'Fashion-MNIST file {name}(.gz) not found in {src!r}. Install the '
        'Debian package with `apt-get install -y dataset-fashion-mnist` '
        '(files land in /usr/share/datasets/fashion-mnist) or pass '
        '--src DIR pointing at a folder with the four idx files.')


def _read_bytes(path: str) -> bytes:
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return f.read()


def parse_idx(raw: bytes) -> np.ndarray:
    """Parse an idx file (unsigned byte data) into an array.

    Args:
        raw: The file content.

    Returns:
        np.ndarray: ``(N,)`` labels or ``(N, H, W)`` images, dtype uint8.
    """
    zero, dtype_code, ndim = struct.unpack('>HBB', raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError('not an unsigned-byte idx file')
    shape = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f'idx payload has {data.size} bytes, header says '
                         f'{shape}')
    return data.reshape(shape)


def encode_idx(array: np.ndarray) -> bytes:
    """Inverse of :func:`parse_idx` for uint8 arrays."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack('>HBB', 0, 0x08, array.ndim)
    header += struct.pack('>' + 'I' * array.ndim, *array.shape)
    return header + array.tobytes()


def load_split(src: str, split: str) -> Tuple[np.ndarray, np.ndarray, Dict]:
    """Load one split: ``(N, 28, 28)`` images, ``(N,)`` labels, checksums."""
    arrays, sums = [], {}
    for name in SPLITS[split]:
        path = _find_source(src, name)
        raw = _read_bytes(path)
        sums[osp.basename(path)] = hashlib.sha256(open(
            path, 'rb').read()).hexdigest()
        arrays.append(parse_idx(raw))
    images, labels = arrays
    if len(images) != len(labels):
        raise ValueError(f'{split}: {len(images)} images but {len(labels)} '
                         'labels')
    return images, labels, sums


def stratified_indices(labels: np.ndarray, total: int,
                       seed: int) -> np.ndarray:
    """Pick ``total`` indices with (almost) equal counts per class.

    Args:
        labels: ``(N,)`` class indices.
        total: Number of samples to keep (``<= N``).
        seed: Seed of the random generator.

    Returns:
        np.ndarray: ``(total,)`` sorted indices into ``labels``.
    """
    classes = np.unique(labels)
    if total > len(labels):
        raise ValueError(f'asked for {total} samples, only {len(labels)} '
                         'exist')
    rng = np.random.default_rng(seed)
    per_class = np.full(len(classes), total // len(classes))
    per_class[:total % len(classes)] += 1
    picked: List[np.ndarray] = []
    for cls, count in zip(classes, per_class):
        pool = np.flatnonzero(labels == cls)
        if count > len(pool):
            raise ValueError(f'class {cls} has only {len(pool)} samples')
        picked.append(rng.choice(pool, size=count, replace=False))
    return np.sort(np.concatenate(picked))


def write_folder(out_dir: str, data: Dict[str, Tuple[np.ndarray, np.ndarray]],
                 meta: Dict) -> None:
    """Write gunzipped idx files for each split plus ``meta.json``."""
    os.makedirs(out_dir, exist_ok=True)
    for split, (images, labels) in data.items():
        image_name, label_name = SPLITS[split]
        for name, array in ((image_name, images), (label_name, labels)):
            tmp = osp.join(out_dir, name + '.tmp')
            with open(tmp, 'wb') as f:
                f.write(encode_idx(array))
            os.replace(tmp, osp.join(out_dir, name))
        meta.setdefault('splits', {})[split] = {
            'num_samples': int(len(labels)),
            'per_class': np.bincount(labels, minlength=10).tolist(),
        }
    meta['classes'] = list(CLASSES)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)


def is_prepared(out_dir: str, request: Dict) -> bool:
    """Whether ``out_dir`` already holds the requested data."""
    meta_path = osp.join(out_dir, 'meta.json')
    if not osp.isfile(meta_path):
        return False
    with open(meta_path) as f:
        meta = json.load(f)
    files = [n for pair in SPLITS.values() for n in pair]
    return meta.get('request') == request and all(
        osp.isfile(osp.join(out_dir, n)) for n in files)


def parse_subset(text: str) -> Tuple[int, int]:
    try:
        train, test = (int(v) for v in text.split(':'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'--subset expects TRAIN:TEST sample counts, got {text!r}')
    if train < 10 or test < 10:
        raise argparse.ArgumentTypeError('a subset needs >= 10 samples per '
                                         'split (one per class)')
    return train, test


def subset_dir_name(train: int, test: int) -> str:
    return f'fashion_mnist_{train // 1000}k' if train % 1000 == 0 and \
        test == 10000 else f'fashion_mnist_{train}_{test}'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--src',
        default=DEFAULT_SRC,
        help='folder with the four (gzipped) idx files '
        f'(default: {DEFAULT_SRC})')
    parser.add_argument(
        '--out', default='data', help='output root (default: data)')
    parser.add_argument(
        '--subset',
        type=parse_subset,
        action='append',
        default=[],
        metavar='TRAIN:TEST',
        help='also write a stratified random subset; may be '
        'given several times')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the subsets (default: 0)')
    parser.add_argument(
        '--no-full', action='store_true', help='do not write the full set')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        full = {s: load_split(args.src, s) for s in SPLITS}
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    checksums = {k: v for s in full.values() for k, v in s[2].items()}
    jobs = []
    if not args.no_full:
        jobs.append(('fashion_mnist', None))
    for train, test in args.subset:
        jobs.append((subset_dir_name(train, test), (train, test)))
    for name, sizes in jobs:
        out_dir = osp.join(args.out, name)
        request = {
            'sizes': list(sizes) if sizes else 'full',
            'seed': args.seed if sizes else None,
            'source_sha256': checksums
        }
        if is_prepared(out_dir, request):
            print(f'{out_dir}: up to date')
            continue
        data = {}
        for split_idx, split in enumerate(SPLITS):
            images, labels, _ = full[split]
            if sizes is not None:
                # distinct stream per split so train/test draws are independent
                idx = stratified_indices(labels, sizes[split_idx],
                                         args.seed * 2 + split_idx)
                images, labels = images[idx], labels[idx]
            data[split] = (images, labels)
        write_folder(out_dir, data, {
            'request': request,
            'source': osp.abspath(args.src)
        })
        counts = ', '.join(f'{s}={len(d[1])}' for s, d in data.items())
        print(f'{out_dir}: wrote {counts}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
