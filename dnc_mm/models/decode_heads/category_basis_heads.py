"""The category-basis (CBP) variants of mmseg's decode heads, registered.

``CategoryBasis<Head>`` is mmseg's ``<Head>`` with its 1x1 ``conv_seg``
replaced by the frozen category-basis classifier and the OCCL feature losses
(:class:`~.category_basis_head_mixin.CategoryBasisHeadMixin`): Chen et al.,
"Frozen is better than learning: a new design of prototype-based classifier
for semantic segmentation", Pattern Recognition 2024,
https://doi.org/10.1016/j.patcog.2024.110431. The former names
(``CBPFCNHead``, ...) stay in the registry only to say what they became.
"""
import sys
from typing import List, Sequence

from mmseg.registry import MODELS

from ..utils import renamed_type
from .category_basis_head_mixin import category_basis_head_class

__all__ = ['CATEGORY_BASIS_BASE_HEADS', 'CATEGORY_BASIS_HEADS']

#: The mmseg 1.2 decode heads that get a ``CategoryBasis<Head>`` variant at
#: import: the heads whose ``forward`` ends in one ``self.cls_seg(feat)``
#: call, which is where the category-basis classifier goes. Any other head
#: (of mmseg or another package) is switched with
#: :func:`~.category_basis_head_mixin.category_basis_head_class`.
CATEGORY_BASIS_BASE_HEADS = ('ANNHead', 'APCHead', 'ASPPHead', 'FCNHead',
                             'CCHead', 'DAHead', 'DDRHead', 'DMHead',
                             'DNLHead', 'DPTHead', 'EMAHead', 'EncHead',
                             'FPNHead', 'GCHead', 'LightHamHead', 'ISAHead',
                             'IterativeDecodeHead', 'LRASPPHead', 'NLHead',
                             'OCRHead', 'PointHead', 'PSAHead', 'PSPHead',
                             'SegformerHead', 'DepthwiseSeparableASPPHead',
                             'DepthwiseSeparableFCNHead', 'SETRMLAHead',
                             'SETRUPHead', 'STDCHead', 'UPerHead')


def _register(base_names: Sequence[str]) -> List[str]:
    """Register ``CategoryBasis<Head>`` for each named mmseg decode head."""
    names = []
    module = sys.modules[__name__]
    for name in base_names:
        cls = MODELS.get(name)
        if cls is None:
            raise KeyError(f'{name} is not an mmseg decode head of the '
                           'installed mmseg; CATEGORY_BASIS_BASE_HEADS in '
                           f'{__name__} needs updating')
        new = category_basis_head_class(cls)
        new.__module__ = __name__  # where it can be found by name
        setattr(module, new.__name__, new)
        MODELS.register_module(name=new.__name__, module=new)
        MODELS.register_module(
            name=f'CBP{name}',
            module=renamed_type(
                f'CBP{name}', new.__name__,
                'decode heads are named after their classifier, like '
                'SubCentroidFCNHead'))
        names.append(new.__name__)
    return names


#: names of the registered heads (``CategoryBasisFCNHead``, ...)
CATEGORY_BASIS_HEADS = _register(CATEGORY_BASIS_BASE_HEADS)
