from . import backbones  # noqa: F401  (HPL's CIFAR ResNet, registration)
from . import decode_heads, heads, layers, losses  # noqa: F401  (registration)
from .heads import SubCentroidClsHead
from .layers import SubCentroidClassifier

__all__ = ['SubCentroidClsHead', 'SubCentroidClassifier']
