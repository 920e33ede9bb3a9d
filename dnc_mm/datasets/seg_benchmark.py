"""Shared base of the data sets of the bundled segmentation benchmark.

The benchmark is written by ``tools/data/build_seg_benchmark.py`` (see
``docs/datasets.md``) in mmseg's standard layout::

    <out>/<name>/img_dir/{train,val}/*.png
    <out>/<name>/ann_dir/{train,val}/*.png   # uint8 class index per pixel
    <out>/<name>/meta.json                   # classes, sizes, provenance
"""
from __future__ import annotations
import json
import os.path as osp
from typing import Optional

import mmengine.fileio as fileio
from mmseg.datasets import BaseSegDataset

BUILD_SCRIPT = 'tools/data/build_seg_benchmark.py'
DEFAULT_OUT = 'data/seg_benchmark'


class SegBenchmarkDataset(BaseSegDataset):
    """``BaseSegDataset`` for one data set of the bundled benchmark.

    Compared with ``BaseSegDataset`` it fixes the PNG suffixes and
    ``reduce_zero_label=False`` (index 0 is a real class, ``background``),
    fails with the command that builds the data when a folder is missing or
    empty, and checks that the class list in ``<data_root>/meta.json`` is the
    one of :attr:`METAINFO`.

    Subclasses set :attr:`BENCHMARK_NAME` (the folder name under the
    benchmark root) and :attr:`METAINFO`.

    Args:
        img_suffix: Suffix of the images.
        seg_map_suffix: Suffix of the label maps.
        reduce_zero_label: Must stay False for these data sets.
        **kwargs: Passed to ``BaseSegDataset``.
    """

    BENCHMARK_NAME: str = ''

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)

    @classmethod
    def build_command(cls, data_root: Optional[str] = None) -> str:
        """Return the shell command that builds this data set.

        Args:
            data_root: The configured ``data_root``; when it ends with
                :attr:`BENCHMARK_NAME` its parent becomes ``--out``.
        """
        out = DEFAULT_OUT
        if data_root and osp.basename(osp.normpath(data_root)) == \
                cls.BENCHMARK_NAME:
            out = osp.dirname(osp.normpath(data_root)) or '.'
        return (f'python {BUILD_SCRIPT} --out {out} '
                f'--datasets {cls.BENCHMARK_NAME}')

    def _missing_data_error(self, reason: str) -> FileNotFoundError:
        """Build the error raised when the data set is not on disk."""
        return FileNotFoundError(
            f'{type(self).__name__}: {reason}. The data set is not built: '
            'from the repository root run\n'
            f'    {self.build_command(self.data_root)}\n'
            f'and point data_root at <out>/{self.BENCHMARK_NAME} '
            '(see docs/datasets.md).')

    def _check_folders(self) -> None:
        """Raise :meth:`_missing_data_error` if a data folder is missing."""
        for key in ('img_path', 'seg_map_path'):
            folder = self.data_prefix.get(key)
            if folder and not fileio.isdir(
                    folder, backend_args=self.backend_args):
                raise self._missing_data_error(
                    f'{key} folder {folder!r} does not exist')

    def _check_meta(self) -> None:
        """Check the classes recorded in ``<data_root>/meta.json``."""
        if not self.data_root:
            return
        meta_path = osp.join(self.data_root, 'meta.json')
        if not osp.isfile(meta_path):
            return
        with open(meta_path) as f:
            built = tuple(json.load(f).get('classes', ()))
        expected = tuple(self.METAINFO['classes'])
        if built != expected:
            raise ValueError(
                f'{type(self).__name__}: {meta_path} lists classes {built}, '
                f'this dataset class expects {expected}. Rebuild with\n'
                f'    {self.build_command(self.data_root)}')

    def load_data_list(self) -> list[dict]:
        """Check the data on disk, then list it like ``BaseSegDataset``."""
        self._check_folders()
        self._check_meta()
        data_list = super().load_data_list()
        if not data_list and not self.ann_file:
            raise self._missing_data_error(
                'no *' + self.img_suffix + ' image in '
                f'{self.data_prefix.get("img_path")!r}')
        return data_list
