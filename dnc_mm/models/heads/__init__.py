from .subcentroid_cls_head import SubCentroidClsHead

__all__ = ['SubCentroidClsHead']
