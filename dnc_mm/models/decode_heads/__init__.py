"""mmseg decode heads with the DNC sub-centroid pixel classifier."""
from .subcentroid_head_mixin import SubCentroidHeadMixin, sample_per_class
from .subcentroid_heads import (SubCentroidASPPHead, SubCentroidFCNHead,
                                SubCentroidUPerHead)

__all__ = [
    'SubCentroidHeadMixin', 'sample_per_class', 'SubCentroidFCNHead',
    'SubCentroidASPPHead', 'SubCentroidUPerHead'
]
