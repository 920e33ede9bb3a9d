from .cpu_distributed import (DeviceAgnosticDistributedDataParallel,
                              prepare_cpu_distributed)
from .hooks import SubCentroidAnchorHook, SubCentroidMemoryHook

__all__ = [
    'DeviceAgnosticDistributedDataParallel', 'prepare_cpu_distributed',
    'SubCentroidAnchorHook', 'SubCentroidMemoryHook'
]
