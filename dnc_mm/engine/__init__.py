from .cpu_distributed import (DeviceAgnosticDistributedDataParallel,
                              prepare_cpu_distributed)
from .hooks import (SubCentroidAnchorHook, SubCentroidClassCountsHook,
                    SubCentroidMemoryHook)

__all__ = [
    'DeviceAgnosticDistributedDataParallel', 'prepare_cpu_distributed',
    'SubCentroidAnchorHook', 'SubCentroidClassCountsHook',
    'SubCentroidMemoryHook'
]
