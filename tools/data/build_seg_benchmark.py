"""Build the project's bundled segmentation benchmark (mmseg layout).

Two data sets are written under ``--out`` (default ``data/seg_benchmark``),
each as ``<name>/img_dir/{train,val}/*.png`` + ``<name>/ann_dir/{train,val}/
*.png`` (uint8 class index per pixel) + ``<name>/meta.json``:

* ``fashion_scenes`` (11 classes, composed from real pixels): Fashion-MNIST
  garments (real images, real labels) pasted onto crops of real photographs
  bundled inside the scikit-image wheel. A garment's mask is its upscaled
  intensity above ``--garment-threshold``; exactly the masked pixels are
  pasted and later garments overwrite earlier ones, so the label map equals
  what is visible, by construction. Train scenes use the Fashion-MNIST train
  split and the first half of every photograph, val scenes the t10k split and
  the second half.
* ``nuclei`` (2 classes, fully real): the annotated fluorescence image
  ``stardist/data/images/img2d.tif`` + ``mask2d.tif`` (512x512, from the 2018
  Data Science Bowl) read out of the ``stardist`` wheel (never imported),
  instance mask turned binary, cut into non-overlapping tiles; the tiles of the
  bottom-right quadrant are val, all others train.

See ``docs/datasets.md``. Everything is deterministic given ``--seed``; no
data is downloaded except the stardist wheel from PyPI (``pip download``),
unless ``--stardist-wheel-dir`` already holds it.

Example::

    python tools/data/build_seg_benchmark.py \
        --fashion-mnist-root /usr/share/datasets/fashion-mnist \
        --out data/seg_benchmark
"""
from __future__ import annotations
import argparse
import glob
import hashlib
import importlib.util
import io
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from typing import Iterator, Sequence

import numpy as np
from PIL import Image

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import prepare_fashion_mnist as fashion_mnist  # noqa: E402

SPLITS = ('train', 'val')
DATASETS = ('fashion_scenes', 'nuclei')
#: Fashion-MNIST split that feeds each benchmark split.
GARMENT_SOURCE_SPLIT = {'train': 'train', 'val': 'test'}
#: Photographs bundled in the scikit-image wheel (``skimage/data/``), all
#: public domain or CC0 according to ``skimage/data/_fetchers.py``.
BACKGROUND_PHOTOS = {
    'astronaut.png': 'public domain (NASA)',
    'brick.png': 'CC0 (CC0Textures)',
    'camera.png': 'CC0 (Lav Varshney)',
    'chelsea.png': 'CC0 (Stefan van der Walt)',
    'coffee.png': 'CC0 (Rachel Michetti)',
    'grass.png': 'CC0 (DeviantArt, linolafett)',
    'gravel.png': 'CC0 (CC0Textures)',
    'hubble_deep_field.jpg': 'public domain (NASA)',
    'retina.jpg': 'CC0 (Wikimedia Commons)',
    'rocket.jpg': 'public domain (SpaceX)',
}
STARDIST_REQUIREMENT = 'stardist==0.9.2'
#: sha256 of the two files inside the stardist 0.9.2 wheel.
STARDIST_FILES = {
    'image':
    ('stardist/data/images/img2d.tif', 'f9ccc1571b92c861ff87e28463068b43'
     'f61bd47357ed0503f711e5cd1eb97750'),
    'mask':
    ('stardist/data/images/mask2d.tif', '59ad5e820b7982ca9d13e946fa6e7f64'
     'e2714899e00a2ae6c69aa79aad53d46f'),
}
FASHION_SCENES_CLASSES = ('background', ) + fashion_mnist.CLASSES
NUCLEI_CLASSES = ('background', 'nucleus')


@dataclass(frozen=True)
class SceneConfig:
    """Parameters of the ``fashion_scenes`` composition.

    Attributes:
        num_train: Number of train scenes.
        num_val: Number of val scenes.
        image_size: Side of the square scenes in pixels.
        min_garments: Fewest garments pasted per scene.
        max_garments: Most garments pasted per scene (inclusive).
        min_scale: Smallest upscaling factor of the 28 px garments.
        max_scale: Largest upscaling factor of the 28 px garments.
        garment_threshold: A resized garment pixel whose Fashion-MNIST
            intensity (0-255) is above this value belongs to the garment.
        seed: Seed of the random generator.
    """

    num_train: int = 400
    num_val: int = 100
    image_size: int = 128
    min_garments: int = 2
    max_garments: int = 6
    min_scale: float = 1.5
    max_scale: float = 3.0
    garment_threshold: float = 10.0
    seed: int = 0


# ---------------------------------------------------------------- utilities
def sha256_of(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def prepare_dataset_dir(root: str) -> None:
    """Create an empty mmseg folder tree ``{img,ann}_dir/{train,val}``.

    Args:
        root: Data set folder; an existing one is replaced.
    """
    if osp.isdir(root):
        shutil.rmtree(root)
    for kind in ('img_dir', 'ann_dir'):
        for split in SPLITS:
            os.makedirs(osp.join(root, kind, split))


def write_sample(root: str, split: str, name: str, image: np.ndarray,
                 label: np.ndarray) -> None:
    """Write one image and its label map as PNG files.

    Args:
        root: Data set folder.
        split: ``'train'`` or ``'val'``.
        name: File stem.
        image: ``(H, W, 3)`` or ``(H, W)`` uint8 image.
        label: ``(H, W)`` uint8 class indices.
    """
    for kind, array in (('img_dir', image), ('ann_dir', label)):
        Image.fromarray(array).save(osp.join(root, kind, split, name + '.png'))


def write_meta(root: str, meta: dict) -> None:
    """Write ``meta.json`` into ``root``."""
    with open(osp.join(root, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)


def installed_version(distribution: str) -> str:
    """Return the installed version of ``distribution`` or ``'unknown'``."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(distribution)
    except PackageNotFoundError:
        return 'unknown'


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour shapes the output bytes."""
    return {
        name: installed_version(name)
        for name in ('numpy', 'pillow', 'scikit-image')
    }


def pixel_counts(labels: Sequence[np.ndarray], num_classes: int) -> list[int]:
    """Count the pixels of every class over a list of label maps."""
    counts = sum(
        np.bincount(lab.ravel(), minlength=num_classes) for lab in labels)
    return [int(c) for c in counts]


def split_summary(labels: Sequence[np.ndarray],
                  classes: Sequence[str]) -> dict:
    """Number of samples and per-class pixel counts of one split."""
    return {
        'num_images': len(labels),
        'pixels_per_class':
        dict(zip(classes, pixel_counts(labels, len(classes))))
    }


# ------------------------------------------------------------ backgrounds
def skimage_data_dir() -> str:
    """Return the ``skimage/data`` folder of the installed scikit-image.

    scikit-image is located, not imported, and only the files bundled in its
    wheel are used (nothing is fetched with pooch).
    """
    spec = importlib.util.find_spec('skimage')
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError('scikit-image is not installed: '
                                '`pip install scikit-image`')
    return osp.join(spec.submodule_search_locations[0], 'data')


def load_photo(path: str) -> np.ndarray:
    """Read a photograph as an ``(H, W, 3)`` uint8 RGB array."""
    with Image.open(path) as im:
        return np.asarray(im.convert('RGB'))


def photo_half(photo: np.ndarray, split: str) -> np.ndarray:
    """Return the half of ``photo`` reserved for ``split``.

    The photo is cut across its longer axis: the first half (left or top)
    feeds train scenes, the second half val scenes, so no background pixel is
    shared between the splits.
    """
    height, width = photo.shape[:2]
    if width >= height:
        half = width // 2
        return photo[:, :half] if split == 'train' else photo[:, half:]
    half = height // 2
    return photo[:half] if split == 'train' else photo[half:]


def photo_checksums() -> dict[str, str]:
    """Return the sha256 of every background photograph file."""
    checksums = {}
    for name in BACKGROUND_PHOTOS:
        with open(osp.join(skimage_data_dir(), name), 'rb') as f:
            checksums[name] = sha256_of(f.read())
    return checksums


def load_background_regions(split: str) -> list[np.ndarray]:
    """Load the ``split`` half of every background photograph."""
    data_dir = skimage_data_dir()
    return [
        photo_half(load_photo(osp.join(data_dir, name)), split)
        for name in BACKGROUND_PHOTOS
    ]


def background_crop(rng: np.random.Generator, regions: Sequence[np.ndarray],
                    cfg: SceneConfig) -> np.ndarray:
    """Cut a random square crop of a random region, resized to the scene size.

    The crop side is uniform in ``[S, 2 S]`` (``S = cfg.image_size``), capped
    by the region's size.

    Args:
        rng: Random generator.
        regions: Photo regions of the current split.
        cfg: Scene parameters.

    Returns:
        np.ndarray: ``(S, S, 3)`` uint8 crop with ``S = cfg.image_size``.
    """
    region = regions[rng.integers(len(regions))]
    height, width = region.shape[:2]
    max_side = min(2 * cfg.image_size, height, width)
    side = int(rng.integers(min(cfg.image_size, max_side), max_side + 1))
    top = int(rng.integers(height - side + 1))
    left = int(rng.integers(width - side + 1))
    crop = Image.fromarray(region[top:top + side, left:left + side])
    size = (cfg.image_size, cfg.image_size)
    return np.asarray(crop.resize(size, Image.BILINEAR)).copy()


# ----------------------------------------------------------------- garments
class GarmentPool:
    """Draws garments of one Fashion-MNIST split without replacement.

    Indices are consumed from random permutations; a fresh permutation starts
    only once every garment of the split has been used.

    Args:
        images: ``(N, 28, 28)`` uint8 garments.
        labels: ``(N,)`` Fashion-MNIST labels (0-9).
        rng: Random generator.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray,
                 rng: np.random.Generator) -> None:
        self.images = images
        self.labels = labels
        self.rng = rng
        self._order = np.empty(0, dtype=np.int64)

    def draw(self) -> tuple[np.ndarray, int]:
        """Return the next garment image and its label."""
        if self._order.size == 0:
            self._order = self.rng.permutation(len(self.labels))
        index, self._order = self._order[0], self._order[1:]
        return self.images[index], int(self.labels[index])


def resize_garment(garment: np.ndarray, scale: float) -> np.ndarray:
    """Upscale a 28x28 garment bilinearly; returns float32 in [0, 255]."""
    side = max(1, round(garment.shape[0] * scale))
    image = Image.fromarray(garment.astype(np.float32))  # mode 'F'
    return np.asarray(image.resize((side, side), Image.BILINEAR))


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """Draw a random tint: an RGB colour with every channel in [0.25, 1]."""
    return rng.uniform(0.25, 1.0, size=3).astype(np.float32)


def tint(intensity: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Colour a garment: ``colour * (0.2 + 0.8 * intensity / 255) * 255``.

    The floor of 0.2 keeps dark garment regions distinguishable from black
    backgrounds while the garment's own texture is kept.
    """
    shade = 0.2 + 0.8 * (intensity[..., None] / 255.0)
    return np.clip(shade * colour * 255.0, 0, 255).astype(np.uint8)


def paste_garment(image: np.ndarray, label: np.ndarray,
                  rng: np.random.Generator, garment: np.ndarray,
                  class_index: int, cfg: SceneConfig) -> None:
    """Paste one garment in place; its mask overwrites what lies below.

    Args:
        image: ``(S, S, 3)`` scene, modified in place.
        label: ``(S, S)`` label map, modified in place.
        rng: Random generator.
        garment: ``(28, 28)`` uint8 Fashion-MNIST image.
        class_index: Benchmark class index (Fashion-MNIST label + 1).
        cfg: Scene parameters.
    """
    scale = rng.uniform(cfg.min_scale, cfg.max_scale)
    intensity = resize_garment(garment, scale)
    side = min(intensity.shape[0], cfg.image_size)
    intensity = intensity[:side, :side]
    mask = intensity > cfg.garment_threshold
    top = int(rng.integers(cfg.image_size - side + 1))
    left = int(rng.integers(cfg.image_size - side + 1))
    window = (slice(top, top + side), slice(left, left + side))
    image[window][mask] = tint(intensity, random_colour(rng))[mask]
    label[window][mask] = class_index


def compose_scene(rng: np.random.Generator, regions: Sequence[np.ndarray],
                  pool: GarmentPool,
                  cfg: SceneConfig) -> tuple[np.ndarray, np.ndarray]:
    """Compose one scene: a background crop with several pasted garments.

    Returns:
        tuple: ``(S, S, 3)`` uint8 image and ``(S, S)`` uint8 label map
        (0 = background, ``k + 1`` = Fashion-MNIST class ``k``).
    """
    image = background_crop(rng, regions, cfg)
    label = np.zeros(image.shape[:2], dtype=np.uint8)
    for _ in range(int(rng.integers(cfg.min_garments, cfg.max_garments + 1))):
        garment, fm_label = pool.draw()
        paste_garment(image, label, rng, garment, fm_label + 1, cfg)
    return image, label


def write_scene_split(root: str, split: str, split_id: int,
                      garments: tuple[np.ndarray,
                                      np.ndarray], cfg: SceneConfig) -> dict:
    """Compose and write the scenes of one split.

    Args:
        root: Data set folder.
        split: ``'train'`` or ``'val'``.
        split_id: Index of the split, part of its random stream's seed.
        garments: Images and labels of the split's Fashion-MNIST source.
        cfg: Scene parameters.

    Returns:
        dict: The split's :func:`split_summary`.
    """
    rng = np.random.default_rng([cfg.seed, split_id])
    pool = GarmentPool(*garments, rng)
    regions = load_background_regions(split)
    count = cfg.num_train if split == 'train' else cfg.num_val
    maps = []
    for index in range(count):
        image, label = compose_scene(rng, regions, pool, cfg)
        write_sample(root, split, f'{index:05d}', image, label)
        maps.append(label)
    return split_summary(maps, FASHION_SCENES_CLASSES)


def fashion_scenes_meta(cfg: SceneConfig, splits: dict, checksums: dict[str,
                                                                        str],
                        fashion_mnist_root: str) -> dict:
    """Return the ``meta.json`` content of ``fashion_scenes``."""
    return {
        'name': 'fashion_scenes',
        'classes': list(FASHION_SCENES_CLASSES),
        'image_size': [cfg.image_size, cfg.image_size],
        'splits': splits,
        'build': asdict(cfg),
        'versions': library_versions(),
        'provenance': {
            'real': 'garment pixels and garment classes (Fashion-MNIST, MIT); '
            'background photographs (scikit-image sample data)',
            'composed': 'garment placement, scale, tint, background crops',
            'fashion_mnist': {
                'root': osp.abspath(fashion_mnist_root),
                'sha256': checksums,
                'train_scenes_use': 'train split',
                'val_scenes_use': 't10k split',
            },
            'backgrounds': {
                'source':
                'skimage/data/ of scikit-image ' +
                installed_version('scikit-image'),
                'photos':
                BACKGROUND_PHOTOS,
                'sha256':
                photo_checksums(),
                'split':
                'each photo is cut in half across its longer axis: '
                'first half (left/top) train, second half val',
            },
        },
    }


def build_fashion_scenes(out: str, fashion_mnist_root: str,
                         cfg: SceneConfig) -> dict:
    """Write the ``fashion_scenes`` data set.

    Args:
        out: Benchmark root; the data set goes to ``<out>/fashion_scenes``.
        fashion_mnist_root: Folder with the (gzipped) Fashion-MNIST idx files.
        cfg: Scene parameters.

    Returns:
        dict: The content written to ``meta.json``.
    """
    sources = {
        split:
        fashion_mnist.load_split(fashion_mnist_root,
                                 GARMENT_SOURCE_SPLIT[split])
        for split in SPLITS
    }
    root = osp.join(out, 'fashion_scenes')
    prepare_dataset_dir(root)
    splits = {
        split: write_scene_split(root, split, split_id, sources[split][:2],
                                 cfg)
        for split_id, split in enumerate(SPLITS)
    }
    checksums = {
        name: digest
        for source in sources.values()
        for name, digest in source[2].items()
    }
    meta = fashion_scenes_meta(cfg, splits, checksums, fashion_mnist_root)
    write_meta(root, meta)
    return meta


# ------------------------------------------------------------------- nuclei
def find_stardist_wheel(folder: str) -> str | None:
    """Return a stardist wheel of the pinned version in ``folder``, if any."""
    version = STARDIST_REQUIREMENT.split('==')[1]
    found = sorted(glob.glob(osp.join(folder, f'stardist-{version}-*.whl')))
    return found[0] if found else None


def download_stardist_wheel(folder: str,
                            timeout: float = 60,
                            retries: int = 5) -> str:
    """Fetch the pinned stardist wheel from PyPI with ``pip download``.

    Args:
        folder: Where the wheel is written.
        timeout: pip's socket timeout in seconds.
        retries: pip's number of retries per connection.

    Returns:
        str: Path of the wheel.

    Raises:
        RuntimeError: If pip fails (e.g. no network, no wheel for this
            platform).
    """
    cmd = [
        sys.executable, '-m', 'pip', 'download', '--no-deps',
        '--only-binary=:all:', '--disable-pip-version-check', '-q',
        '--timeout',
        str(timeout), '--retries',
        str(retries), STARDIST_REQUIREMENT, '-d', folder
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    wheel = find_stardist_wheel(folder)
    if result.returncode != 0 or wheel is None:
        last_lines = '\n'.join(result.stderr.strip().splitlines()[-2:])
        raise RuntimeError(
            f'could not fetch the {STARDIST_REQUIREMENT} wheel with '
            f'`{" ".join(cmd)}`:\n{last_lines}\nDownload it elsewhere and '
            'pass its folder with --stardist-wheel-dir.')
    return wheel


def read_stardist_files(wheel: str) -> dict[str, np.ndarray]:
    """Read ``img2d.tif`` and ``mask2d.tif`` out of the wheel (a zip file).

    Args:
        wheel: Path of the stardist wheel.

    Returns:
        dict: ``{'image': (512, 512) uint16, 'mask': (512, 512) uint16}``.

    Raises:
        ValueError: If a file's checksum differs from the pinned one.
    """
    arrays = {}
    with zipfile.ZipFile(wheel) as archive:
        for key, (member, expected) in STARDIST_FILES.items():
            data = archive.read(member)
            if sha256_of(data) != expected:
                raise ValueError(f'{member} in {wheel} has sha256 '
                                 f'{sha256_of(data)}, expected {expected}')
            with Image.open(io.BytesIO(data)) as im:
                arrays[key] = np.asarray(im)
    return arrays


def load_stardist_pair(
        wheel_dir: str | None) -> tuple[dict[str, np.ndarray], str]:
    """Load the nuclei image and mask, fetching the wheel if needed.

    Args:
        wheel_dir: Folder holding (or receiving) the wheel; ``None`` uses a
            temporary folder that is deleted afterwards.

    Returns:
        tuple: The arrays of :func:`read_stardist_files` and the wheel's name.
    """
    if wheel_dir is not None:
        os.makedirs(wheel_dir, exist_ok=True)
        wheel = find_stardist_wheel(wheel_dir) or \
            download_stardist_wheel(wheel_dir)
        return read_stardist_files(wheel), osp.basename(wheel)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = download_stardist_wheel(tmp)
        return read_stardist_files(wheel), osp.basename(wheel)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Convert the raw image to uint8, unchanged when it fits (0-235 here)."""
    if image.max() <= 255:
        return image.astype(np.uint8)
    return np.round(image / image.max() * 255).astype(np.uint8)


def tiles(height: int, width: int, tile: int) -> Iterator[tuple[int, int]]:
    """Yield the top-left corners of a non-overlapping ``tile`` grid."""
    for top in range(0, height - tile + 1, tile):
        for left in range(0, width - tile + 1, tile):
            yield top, left


def tile_split(top: int, left: int, tile: int, height: int,
               width: int) -> str | None:
    """Assign a tile to a split by its position.

    Returns:
        ``'val'`` for a tile inside the bottom-right quadrant, ``'train'`` for
        one that does not touch it, ``None`` (dropped) for one straddling its
        border, which only happens when ``tile`` does not divide the halves.
    """
    mid_y, mid_x = height // 2, width // 2
    if top >= mid_y and left >= mid_x:
        return 'val'
    if top + tile <= mid_y or left + tile <= mid_x:
        return 'train'
    return None


def write_tiles(root: str, image: np.ndarray, binary: np.ndarray,
                tile: int) -> dict[str, list[np.ndarray]]:
    """Cut image and label map into tiles and write them by split.

    Returns:
        dict: The label map of every written tile, by split.
    """
    height, width = image.shape
    maps: dict[str, list[np.ndarray]] = {split: [] for split in SPLITS}
    for top, left in tiles(height, width, tile):
        split = tile_split(top, left, tile, height, width)
        if split is None:
            continue
        window = (slice(top, top + tile), slice(left, left + tile))
        write_sample(root, split, f'img2d_y{top:03d}_x{left:03d}',
                     image[window], binary[window])
        maps[split].append(binary[window])
    return maps


def nuclei_meta(arrays: dict[str, np.ndarray], wheel_name: str, tile: int,
                maps: dict[str, list[np.ndarray]]) -> dict:
    """Return the ``meta.json`` content of ``nuclei``."""
    return {
        'name': 'nuclei',
        'classes': list(NUCLEI_CLASSES),
        'image_size': [tile, tile],
        'splits': {
            split: split_summary(labels, NUCLEI_CLASSES)
            for split, labels in maps.items()
        },
        'build': {
            'tile': tile
        },
        'provenance': {
            'real':
            'image and annotation (2018 Data Science Bowl image as '
            'shipped by stardist; human instance annotation)',
            'composed':
            'instance labels merged into one nucleus class; '
            'tiling',
            'source': {
                'wheel': wheel_name,
                'files': {
                    key: {
                        'path': path,
                        'sha256': digest
                    }
                    for key, (path, digest) in STARDIST_FILES.items()
                },
                'licence': 'BSD-3-Clause (stardist wheel metadata)'
            },
            'source_image': {
                'shape': list(arrays['image'].shape),
                'instances': len(np.unique(arrays['mask'])) - 1,
                'raw_dtype': str(arrays['image'].dtype),
                'raw_max': int(arrays['image'].max())
            },
            'split':
            'bottom-right quadrant tiles are val, all other tiles '
            'train; tiles straddling the quadrant border are dropped',
        },
    }


def build_nuclei(out: str, wheel_dir: str | None, tile: int) -> dict:
    """Write the ``nuclei`` data set.

    Args:
        out: Benchmark root; the data set goes to ``<out>/nuclei``.
        wheel_dir: See :func:`load_stardist_pair`.
        tile: Tile side in pixels.

    Returns:
        dict: The content written to ``meta.json``.
    """
    arrays, wheel_name = load_stardist_pair(wheel_dir)
    root = osp.join(out, 'nuclei')
    prepare_dataset_dir(root)
    maps = write_tiles(root, to_uint8(arrays['image']),
                       (arrays['mask'] > 0).astype(np.uint8), tile)
    meta = nuclei_meta(arrays, wheel_name, tile, maps)
    write_meta(root, meta)
    return meta


# ---------------------------------------------------------------------- CLI
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    defaults = SceneConfig()
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument(
        '--out', default='data/seg_benchmark', help='benchmark root folder')
    parser.add_argument(
        '--datasets',
        nargs='+',
        default=list(DATASETS),
        choices=DATASETS,
        help='which data sets to build')
    parser.add_argument(
        '--fashion-mnist-root',
        '--src',
        default=fashion_mnist.DEFAULT_SRC,
        help='folder with the Fashion-MNIST idx files '
        '(gzipped or not); --src is an alias, as in '
        'prepare_fashion_mnist.py')
    parser.add_argument(
        '--seed',
        type=int,
        default=defaults.seed,
        help='seed of the fashion_scenes composition')
    parser.add_argument(
        '--num-train',
        type=int,
        default=defaults.num_train,
        help='fashion_scenes train scenes')
    parser.add_argument(
        '--num-val',
        type=int,
        default=defaults.num_val,
        help='fashion_scenes val scenes')
    parser.add_argument(
        '--image-size',
        type=int,
        default=defaults.image_size,
        help='fashion_scenes image side')
    parser.add_argument(
        '--garments',
        type=int,
        nargs=2,
        default=[defaults.min_garments, defaults.max_garments],
        metavar=('MIN', 'MAX'),
        help='garments per scene (inclusive range)')
    parser.add_argument(
        '--scale',
        type=float,
        nargs=2,
        default=[defaults.min_scale, defaults.max_scale],
        metavar=('MIN', 'MAX'),
        help='upscaling factor of the 28 px garments')
    parser.add_argument(
        '--garment-threshold',
        type=float,
        default=defaults.garment_threshold,
        help='intensity (0-255) above which a garment pixel '
        'belongs to the garment')
    parser.add_argument(
        '--stardist-wheel-dir',
        default=None,
        help='folder holding the stardist wheel (downloaded '
        'there with `pip download` if absent); None: a '
        'temporary folder')
    parser.add_argument(
        '--nuclei-tile', type=int, default=128, help='nuclei tile side')
    return parser.parse_args(argv)


def scene_config(args: argparse.Namespace) -> SceneConfig:
    """Build and check the :class:`SceneConfig` of the command line."""
    cfg = SceneConfig(
        num_train=args.num_train,
        num_val=args.num_val,
        image_size=args.image_size,
        min_garments=args.garments[0],
        max_garments=args.garments[1],
        min_scale=args.scale[0],
        max_scale=args.scale[1],
        garment_threshold=args.garment_threshold,
        seed=args.seed)
    if not 0 < cfg.min_garments <= cfg.max_garments:
        raise ValueError('--garments needs 0 < MIN <= MAX')
    if not 0 < cfg.min_scale <= cfg.max_scale:
        raise ValueError('--scale needs 0 < MIN <= MAX')
    return cfg


def main(argv: Sequence[str] | None = None) -> int:
    """Build the requested data sets; returns the process exit code."""
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        if 'fashion_scenes' in args.datasets:
            meta = build_fashion_scenes(args.out, args.fashion_mnist_root,
                                        scene_config(args))
            report(args.out, meta)
        if 'nuclei' in args.datasets:
            report(
                args.out,
                build_nuclei(args.out, args.stardist_wheel_dir,
                             args.nuclei_tile))
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'done in {time.perf_counter() - start:.1f} s')
    return 0


def report(out: str, meta: dict) -> None:
    """Print a one-line summary of a written data set."""
    sizes = ', '.join(f'{s}={v["num_images"]}'
                      for s, v in meta['splits'].items())
    print(f'{osp.join(out, meta["name"])}: {len(meta["classes"])} classes, '
          f'{sizes}')


if __name__ == '__main__':
    sys.exit(main())
