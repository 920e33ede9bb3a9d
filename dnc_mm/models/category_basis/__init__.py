"""Category-basis prototypes (CBP) for mmseg decode heads (seed 002).

See :mod:`.head` for how a head is switched to CBP from its config.
"""
from .classifier import CategoryBasisClassifier
from .head import (REGISTERED_HEADS, CategoryBasisHeadMixin, cbp_head_class,
                   labels_at)

__all__ = [
    'CategoryBasisClassifier', 'CategoryBasisHeadMixin', 'cbp_head_class',
    'labels_at', 'REGISTERED_HEADS'
]
