from .hyperspherical_prototype_head import (HypersphericalPrototypeHead,
                                            UniformityLinearClsHead)
from .subcentroid_cls_head import SubCentroidClsHead

__all__ = [
    'SubCentroidClsHead', 'HypersphericalPrototypeHead',
    'UniformityLinearClsHead'
]
