from .subcentroid_anchor_hook import SubCentroidAnchorHook
from .subcentroid_class_counts_hook import SubCentroidClassCountsHook
from .subcentroid_memory_hook import SubCentroidMemoryHook

__all__ = [
    'SubCentroidAnchorHook', 'SubCentroidClassCountsHook',
    'SubCentroidMemoryHook'
]
