"""DNC decode heads: mmseg's FCN, ASPP (DeepLabV3) and UperNet decoders with
the 1x1 ``conv_seg`` replaced by the nearest-sub-centroid pixel classifier
(DNC §4.2). See :class:`SubCentroidHeadMixin` for the arguments beyond the
base head's and ``docs/methods/dnc_segmentation.md``.
"""
from mmseg.models.decode_heads import ASPPHead, FCNHead, UPerHead
from mmseg.registry import MODELS

from .subcentroid_head_mixin import SubCentroidHeadMixin

__all__ = ['SubCentroidFCNHead', 'SubCentroidASPPHead', 'SubCentroidUPerHead']


@MODELS.register_module()
class SubCentroidFCNHead(SubCentroidHeadMixin, FCNHead):
    """DNC-FCN: :class:`mmseg.models.decode_heads.FCNHead` + DNC classifier."""


@MODELS.register_module()
class SubCentroidASPPHead(SubCentroidHeadMixin, ASPPHead):
    """DNC-DeepLabV3: :class:`mmseg.models.decode_heads.ASPPHead` + DNC
    classifier."""


@MODELS.register_module()
class SubCentroidUPerHead(SubCentroidHeadMixin, UPerHead):
    """DNC-UperNet: :class:`mmseg.models.decode_heads.UPerHead` + DNC
    classifier."""
