"""Per-class number of sub-centroids from the training data (Table 23)."""
import numpy as np
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from dnc_mm.core import num_subcentroids_from_counts
from dnc_mm.models.heads import SubCentroidClsHead
from .utils import find_modules, training_labels


@HOOKS.register_module()
class SubCentroidClassCountsHook(Hook):
    """Give each class ``K_c`` sub-centroids from its number of images.

    Before training, counts the training samples of every class
    (``dataset.get_gt_labels()``) and sets ``K_c`` by DNC's rule of appendix
    §J / Table 23: equal-width bins of the counts from ``min_subcentroids``
    (smallest classes) to the head's ``num_subcentroids`` (``K_max``,
    largest classes); on ImageNet this gives K=1 for 732-874 images, 2 for
    875-1016, 3 for 1017-1158 and 4 for 1159-1300. Balanced data keeps
    ``K_max`` everywhere. The choice is stored in the head's ``active``
    buffer, so checkpoints carry it.

    Args:
        min_subcentroids: ``K_min`` (paper 1).
    """

    priority = 'VERY_HIGH'

    def __init__(self, min_subcentroids: int = 1) -> None:
        if min_subcentroids < 1:
            raise ValueError(f'min_subcentroids must be >= 1, got '
                             f'{min_subcentroids}')
        self.min_subcentroids = min_subcentroids

    def before_train(self, runner) -> None:
        labels = training_labels(runner, 'SubCentroidClassCountsHook')
        for head in find_modules(runner.model, SubCentroidClsHead):
            if head.classifier.anchored:
                continue  # resumed after anchoring: K is fixed
            counts = np.bincount(labels, minlength=head.num_classes)
            if len(counts) != head.num_classes:
                raise ValueError(
                    f'training labels reach {len(counts) - 1} but the head '
                    f'has num_classes={head.num_classes}')
            k_max = head.classifier.subcentroids.shape[1]
            per_class = num_subcentroids_from_counts(
                counts, k_max, min(self.min_subcentroids, k_max))
            head.classifier.set_num_subcentroids(per_class)
            hist = np.bincount(per_class.numpy(), minlength=k_max + 1)[1:]
            runner.logger.info(
                'DNC sub-centroids per class from class counts '
                f'({int(counts.min())}-{int(counts.max())} images): ' +
                ', '.join(f'K={k + 1}: {n} classes'
                          for k, n in enumerate(hist)))
