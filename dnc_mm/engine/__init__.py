from .cpu_distributed import (DeviceAgnosticDistributedDataParallel,
                              prepare_cpu_distributed)
from .fileio import AtomicLocalBackend
from .hooks import (SubCentroidAnchorHook, SubCentroidClassCountsHook,
                    SubCentroidMemoryHook)

__all__ = [
    'AtomicLocalBackend', 'DeviceAgnosticDistributedDataParallel',
    'prepare_cpu_distributed', 'SubCentroidAnchorHook',
    'SubCentroidClassCountsHook', 'SubCentroidMemoryHook'
]
