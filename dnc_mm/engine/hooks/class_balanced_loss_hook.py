"""Inverse-frequency class weights for the loss, from the training labels."""
import numpy as np
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmpretrain.models.heads import ClsHead

from .utils import find_modules, training_labels


@HOOKS.register_module()
class ClassBalancedLossHook(Hook):
    """Weight each class's loss by the inverse of its training frequency.

    HPL's long-tailed set-up (Saadabadi et al., "Hyperspherical
    Classification with Dynamic Label-to-Prototype Assignment", CVPR 2024,
    https://arxiv.org/abs/2403.16937, §7.2, after Yang et al.'s ETF paper)
    weights the loss "by the inverse ratio of the number of samples per
    class". Before training this hook counts the labels of the
    training set (``dataset.get_gt_labels()``, e.g. of
    ``LongTailedDataset``) and sets ``class_weight[y] = N / (C · n_y)``
    (mean weight over the training samples = 1) on the ``loss_module`` of
    every mmpretrain ``ClsHead`` (``CrossEntropyLoss``, ``IPMLoss`` and any
    loss with a ``class_weight`` attribute). Recomputed from the data at
    every start, so a resumed run gets the same weights.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        labels = training_labels(runner, 'ClassBalancedLossHook')
        heads = [
            h for h in find_modules(runner.model, ClsHead)
            if hasattr(h.loss_module, 'class_weight')
        ]
        if not heads:
            raise TypeError('ClassBalancedLossHook found no head whose loss '
                            'has a class_weight')
        for head in heads:
            num_classes = head.num_classes
            counts = np.bincount(labels, minlength=num_classes)
            if len(counts) != num_classes:
                raise ValueError(f'training labels reach {len(counts) - 1} '
                                 f'but the head has num_classes={num_classes}')
            weights = np.where(
                counts > 0,
                len(labels) / (num_classes * np.maximum(counts, 1)), 0.0)
            head.loss_module.class_weight = weights.tolist()
            runner.logger.info(
                f'class-balanced loss: {num_classes} classes with '
                f'{int(counts.min())}-{int(counts.max())} images, weights '
                f'{weights.min():.3f}-{weights.max():.3f}')
