from .subcentroid_anchor_hook import SubCentroidAnchorHook
from .subcentroid_memory_hook import SubCentroidMemoryHook

__all__ = ['SubCentroidAnchorHook', 'SubCentroidMemoryHook']
