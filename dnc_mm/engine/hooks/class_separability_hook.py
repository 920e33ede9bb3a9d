"""Class separability CS of a segmentor's pixel classifier, logged with the
validation (and test) metrics.

CS is Eq. 8 of Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.
"""
from typing import Dict, Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from dnc_mm.core import class_separability
from dnc_mm.evaluation.class_separability import classifier_weights
from .utils import unwrap

__all__ = ['ClassSeparabilityHook']


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
        head = unwrap(runner.model)
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
