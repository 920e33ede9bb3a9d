"""mmseg decode heads whose pixel classifier is a prototype classifier:
DNC's sub-centroids (``SubCentroid<Head>``) and CBP's frozen category basis
(``CategoryBasis<Head>``)."""
from .category_basis_head_mixin import (CategoryBasisHeadMixin,
                                        category_basis_head_class)
from .category_basis_heads import (CATEGORY_BASIS_BASE_HEADS,
                                   CATEGORY_BASIS_HEADS)
from .subcentroid_head_mixin import SubCentroidHeadMixin, sample_per_class
from .subcentroid_heads import (SubCentroidASPPHead, SubCentroidFCNHead,
                                SubCentroidUPerHead)

__all__ = [
    'SubCentroidHeadMixin', 'sample_per_class', 'SubCentroidFCNHead',
    'SubCentroidASPPHead', 'SubCentroidUPerHead', 'CategoryBasisHeadMixin',
    'category_basis_head_class', 'CATEGORY_BASIS_BASE_HEADS',
    'CATEGORY_BASIS_HEADS'
]
