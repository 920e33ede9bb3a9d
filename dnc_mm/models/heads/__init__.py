from .hyperspherical_prototype_cls_head import HypersphericalPrototypeClsHead
from .subcentroid_cls_head import SubCentroidClsHead
from .uniformity_linear_cls_head import UniformityLinearClsHead

__all__ = [
    'SubCentroidClsHead', 'HypersphericalPrototypeClsHead',
    'UniformityLinearClsHead'
]
