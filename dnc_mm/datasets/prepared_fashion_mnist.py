"""Fashion-MNIST read from a folder prepared by the project's data tool."""
import os.path as osp
from typing import List

from mmpretrain.datasets import FashionMNIST
from mmpretrain.registry import DATASETS

PREPARE_HINT = (
    'Prepare it with `python tools/data/prepare_fashion_mnist.py --out data '
    '--subset 10000:10000` (the raw files come from `apt-get install -y '
    'dataset-fashion-mnist`, or pass --src DIR), or run `bash '
    'tools/quickstart.sh`, which does both.')


@DATASETS.register_module()
class PreparedFashionMNIST(FashionMNIST):
    """mmpretrain's ``FashionMNIST`` that never downloads.

    Reads the gunzipped idx files written by
    ``tools/data/prepare_fashion_mnist.py`` (the full set or a seeded,
    class-stratified subset, same format) and fails with the command that
    prepares them when they are missing. Arguments are those of
    :class:`mmpretrain.datasets.FashionMNIST`, without ``download``;
    ``split`` chooses the files (mmpretrain 1.2.0 reads the training files
    for ``split='test'`` unless ``test_mode=True`` is also given).
    """

    def __init__(self, data_root: str = '', split: str = 'train', **kwargs):
        if kwargs.pop('download', False):
            raise ValueError(
                'PreparedFashionMNIST never downloads (no network '
                'is assumed); ' + PREPARE_HINT)
        # mmpretrain 1.2.0's MNIST picks its files by `test_mode`, not by
        # `split`: split='test' alone silently loads the *training* files.
        # Here the split decides.
        test_mode = kwargs.pop('test_mode', split == 'test')
        if test_mode != (split == 'test'):
            raise ValueError(f'split={split!r} contradicts '
                             f'test_mode={test_mode}; set only split')
        super().__init__(
            data_root=data_root,
            split=split,
            download=False,
            test_mode=test_mode,
            **kwargs)

    def _missing_files(self) -> List[str]:
        root = self.data_prefix['root']
        names = [name for name, _ in self.train_list + self.test_list]
        return [
            n for n in names
            if not osp.isfile(osp.join(root, n.replace('.gz', '')))
        ]

    def load_data_list(self):
        missing = self._missing_files()
        if missing:
            raise FileNotFoundError(
                f'Fashion-MNIST files {missing} not found in '
                f"{self.data_prefix['root']!r}. " + PREPARE_HINT)
        return super().load_data_list()
