"""Category-basis prototypes (CBP) for mmseg decode heads.

CBP: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.

See :mod:`.head` for how a head is switched to CBP from its config.
"""
from .classifier import CategoryBasisClassifier
from .head import (REGISTERED_HEADS, CategoryBasisHeadMixin, cbp_head_class,
                   labels_at)

__all__ = [
    'CategoryBasisClassifier', 'CategoryBasisHeadMixin', 'cbp_head_class',
    'labels_at', 'REGISTERED_HEADS'
]
