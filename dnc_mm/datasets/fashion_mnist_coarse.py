"""Fashion-MNIST with our 3 coarse labels (see :mod:`.coarse_labels`)."""
from mmpretrain.registry import DATASETS

from .coarse_labels import (FASHION_MNIST_COARSE, FASHION_MNIST_FINE_CLASSES,
                            fine_to_coarse_map)
from .prepared_fashion_mnist import PreparedFashionMNIST


@DATASETS.register_module()
class FashionMNISTCoarse(PreparedFashionMNIST):
    """:class:`PreparedFashionMNIST` labelled with 3 coarse classes.

    ``gt_label`` is the coarse class (``tops``, ``footwear``,
    ``bottoms-dresses-bags``; a grouping of ours, not an official one), and
    every sample keeps its original class as ``fine_label`` for the
    induction (k-NN on fine labels) and clustering evaluations. Same files
    and arguments as :class:`PreparedFashionMNIST`.
    """

    METAINFO = {
        'classes': tuple(FASHION_MNIST_COARSE),
        'fine_classes': FASHION_MNIST_FINE_CLASSES,
    }

    def load_data_list(self):
        data_list = super().load_data_list()
        mapping = fine_to_coarse_map(FASHION_MNIST_COARSE,
                                     len(FASHION_MNIST_FINE_CLASSES))
        for info in data_list:
            fine = int(info['gt_label'])
            info['fine_label'] = fine
            info['gt_label'] = int(mapping[fine])
        return data_list
