from .hyperspherical_prototype_cls_head import (HypersphericalPrototypeClsHead,
                                                UniformityLinearClsHead)
from .subcentroid_cls_head import SubCentroidClsHead

__all__ = [
    'SubCentroidClsHead', 'HypersphericalPrototypeClsHead',
    'UniformityLinearClsHead'
]
