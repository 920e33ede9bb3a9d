"""The class weights of any decode head's pixel classifier, for the class
separability CS (:class:`dnc_mm.engine.hooks.ClassSeparabilityHook` logs it
with the validation and test metrics).

CS is Eq. 8 of Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.
"""
import torch.nn as nn
from torch import Tensor

__all__ = ['classifier_weights']


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
