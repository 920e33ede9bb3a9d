from .class_balanced_loss_hook import ClassBalancedLossHook
from .class_separability_hook import ClassSeparabilityHook
from .epoch_seed_hook import EpochSeedHook
from .prototype_assignment_hook import PrototypeAssignmentHook
from .subcentroid_anchor_hook import SubCentroidAnchorHook
from .subcentroid_class_counts_hook import SubCentroidClassCountsHook
from .subcentroid_health_hook import SubCentroidHealthHook
from .subcentroid_memory_hook import SubCentroidMemoryHook
from .subcentroid_split_merge_hook import SubCentroidSplitMergeHook

__all__ = [
    'ClassBalancedLossHook', 'ClassSeparabilityHook', 'EpochSeedHook',
    'PrototypeAssignmentHook', 'SubCentroidAnchorHook',
    'SubCentroidClassCountsHook', 'SubCentroidHealthHook',
    'SubCentroidMemoryHook', 'SubCentroidSplitMergeHook'
]
