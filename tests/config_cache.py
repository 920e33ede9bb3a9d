"""The shipped configs, parsed once per test process.

``Config.fromfile`` takes ~0.25 s per config here (its ``_base_`` chain is
read and executed each time) and four test files go over all 250 configs;
under pytest-xdist every worker also collects every file. So collection
reads no config at all (the task comes from the folder, the crop size from
the OpenMMLab file name, both checked by ``test_config_layout``), and the
tests share one parse per config and process; each caller gets its own deep
copy to change.
"""
import copy
import functools
import glob
import os.path as osp
import re
from typing import List, Optional, Tuple

from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
#: config folders by task: mmpretrain (classification), mmseg (segmentation)
CLS_DIRS = ('dnc', 'hpl')
SEG_DIRS = ('cbp', 'deeplabv3', 'dnc_seg', 'fcn', 'upernet')
_CROP_IN_NAME = re.compile(r'-(\d+)x(\d+)\.py$')


def shipped_configs(dirs: Optional[Tuple[str, ...]] = None) -> List[str]:
    """Absolute paths of the configs (``_base_`` files excluded), sorted."""
    paths = glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True)
    paths = [p for p in paths if '_base_' not in p.split(osp.sep)]
    if dirs is not None:
        paths = [p for p in paths if config_dir(p) in dirs]
    return sorted(paths)


def config_dir(path: str) -> str:
    """The method folder of a config (``dnc``, ``cbp``, ...)."""
    return osp.relpath(path, CONFIG_ROOT).split(osp.sep)[0]


def crop_in_name(path: str) -> Optional[Tuple[int, int]]:
    """``(H, W)`` from a segmentation config name (``...-512x512.py``)."""
    found = _CROP_IN_NAME.search(osp.basename(path))
    return (int(found.group(1)), int(found.group(2))) if found else None


@functools.lru_cache(maxsize=None)
def _parsed(path: str) -> Config:
    return Config.fromfile(path)


def load_config(path: str) -> Config:
    """A private copy of the parsed config at ``path``."""
    return copy.deepcopy(_parsed(osp.abspath(path)))
