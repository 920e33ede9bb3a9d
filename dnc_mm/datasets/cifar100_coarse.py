"""CIFAR-100 with its 20 official super-class labels ("CIFAR-20")."""
import pickle

from mmengine.fileio import get, join_path
from mmpretrain.datasets import CIFAR100
from mmpretrain.datasets.categories import CIFAR100_CATEGORIES
from mmpretrain.registry import DATASETS

from .coarse_labels import CIFAR100_COARSE_CLASSES


@DATASETS.register_module()
class CIFAR100Coarse(CIFAR100):
    """mmpretrain's ``CIFAR100`` trained on the 20 ``coarse_labels``.

    The standard ``cifar-100-python`` pickles carry both ``fine_labels`` and
    ``coarse_labels``; mmpretrain 1.2.0 reads only the fine ones. Here
    ``gt_label`` is the coarse (super-class) label and ``fine_label`` the
    fine one, for the DNC paper's Table 13 (train on 20 classes, 1-NN
    induction accuracy on the 100). Arguments are those of ``CIFAR100``.
    """

    METAINFO = {
        'classes': CIFAR100_COARSE_CLASSES,
        'fine_classes': CIFAR100_CATEGORIES,
    }

    def load_data_list(self):
        data_list = super().load_data_list()  # checks the files, fine labels
        files = self.train_list if self.split == 'train' else self.test_list
        coarse = []
        for file_name, _ in files:
            path = join_path(self.data_prefix['root'], self.base_folder,
                             file_name)
            entry = pickle.loads(get(path), encoding='latin1')
            if 'coarse_labels' not in entry:
                raise KeyError(
                    f'{path} has no `coarse_labels`: CIFAR100Coarse '
                    'needs the original cifar-100-python pickles')
            coarse.extend(entry['coarse_labels'])
        if len(coarse) != len(data_list):
            raise ValueError(f'{len(coarse)} coarse labels for '
                             f'{len(data_list)} images')
        for info, c in zip(data_list, coarse):
            info['fine_label'] = info['gt_label']
            info['gt_label'] = int(c)
        return data_list
