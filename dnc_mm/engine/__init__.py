from .cpu_distributed import (DeviceAgnosticDistributedDataParallel,
                              prepare_cpu_distributed)

__all__ = ['DeviceAgnosticDistributedDataParallel', 'prepare_cpu_distributed']
