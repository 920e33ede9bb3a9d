"""Class separability CS of a segmentor's pixel classifier, logged with the
validation (and test) metrics.

CS is Eq. 8 of Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.
"""
from typing import Dict, Optional

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS
from torch import Tensor

from ..core import class_separability

__all__ = ['classifier_weights', 'ClassSeparabilityHook']


def classifier_weights(head: nn.Module) -> Tensor:
    """The class weights of a decode head's pixel classifier.

    * CBP heads (and anything with ``class_weights()``): ``(N, C)``;
    * mmseg heads: the ``conv_seg`` 1x1 conv weight, ``(N, C)``;
    * DNC heads: each class's mean active sub-centroid, ``(N, D)``.

    Raises:
        TypeError: when none of these is found.
    """
    if hasattr(head, 'class_weights'):
        return head.class_weights()
    conv = getattr(head, 'conv_seg', None)
    if isinstance(conv, nn.Conv2d):
        return conv.weight.flatten(1)
    if conv is not None and hasattr(conv, 'class_weights'):
        return conv.class_weights()
    dnc = getattr(head, 'classifier', None)
    if getattr(dnc, 'subcentroids', None) is not None:
        active = dnc.active.to(dnc.subcentroids.dtype).unsqueeze(-1)
        return (dnc.subcentroids * active).sum(1) / active.sum(1).clamp_min(1)
    raise TypeError(f'no pixel classifier weights found in '
                    f'{type(head).__name__} (expected conv_seg, '
                    'class_weights() or DNC sub-centroids)')


@HOOKS.register_module()
class ClassSeparabilityHook(Hook):
    """Log CS of the decode head's classifier after validation and test.

    The value is added to the epoch's metrics (``class_separability``) and
    to the message hub as ``val/class_separability`` (``test/...``), so the
    logger prints it with mIoU and the visualiser backends record it.

    Args:
        head: Attribute path of the head in the segmentor
            (default ``'decode_head'``).
    """

    priority = 'NORMAL'  # after RuntimeInfoHook, before LoggerHook

    def __init__(self, head: str = 'decode_head') -> None:
        self.head = head

    def _value(self, runner) -> float:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        head = model
        for name in self.head.split('.'):
            head = getattr(head, name)
        return float(class_separability(classifier_weights(head)))

    def _log(self, runner, mode: str, metrics: Optional[Dict]) -> None:
        value = self._value(runner)
        runner.message_hub.update_scalar(f'{mode}/class_separability', value)
        if metrics is not None:
            metrics['class_separability'] = value

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._log(runner, 'val', metrics)

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._log(runner, 'test', metrics)
