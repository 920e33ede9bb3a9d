"""Distributed training on machines without a GPU (gloo backend).

mmengine 0.10.7 assumes one GPU per process when it is launched with
``--launcher pytorch|slurm|mpi``: its ``init_dist`` calls
``torch.cuda.set_device`` and its runner wraps the model in DDP with
``device_ids=[LOCAL_RANK]``. Both fail on a CPU-only machine. The project
tests its distributed code paths on such machines, and users can debug a
multi-process run on a laptop, so the tools call
:func:`prepare_cpu_distributed` before the runner is built. It does nothing
when CUDA is available or the launcher is ``'none'``.
"""
import logging
from contextlib import contextmanager
from typing import Iterator

import torch
from mmengine.config import Config
from mmengine.dist import init_dist, is_distributed
from mmengine.logging import print_log
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAgnosticDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also wraps a model on the CPU.

    PyTorch's DDP refuses ``device_ids`` for CPU modules; mmengine always
    passes them. This wrapper drops them when the module lives on the CPU.
    ``SyncBatchNorm`` only runs on GPUs, so on the CPU it is reverted to
    per-process ``BatchNorm`` (with a warning).
    """

    def __init__(self, module: torch.nn.Module, device_ids=None, **kwargs):
        first = next(iter(module.parameters()), None)
        if first is None or first.device.type == 'cpu':
            device_ids = None
            if any(
                    isinstance(m, torch.nn.SyncBatchNorm)
                    for m in module.modules()):
                print_log(
                    'SyncBatchNorm needs GPUs: reverted to BatchNorm for '
                    'this CPU run (statistics are per process).',
                    logger='current',
                    level=logging.WARNING)
                module = revert_sync_batchnorm(module)
        super().__init__(module=module, device_ids=device_ids, **kwargs)


@contextmanager
def _no_cuda_set_device() -> Iterator[None]:
    original = torch.cuda.set_device
    torch.cuda.set_device = lambda device: None
    try:
        yield
    finally:
        torch.cuda.set_device = original


def prepare_cpu_distributed(cfg: Config) -> None:
    """Initialise a gloo process group and a CPU-capable DDP wrapper.

    Args:
        cfg: The full config; ``cfg.launcher`` must be set. Modified in place:
            ``env_cfg.dist_cfg.backend`` becomes ``'gloo'`` and, unless the
            config names its own wrapper, ``model_wrapper_cfg`` becomes
            :class:`DeviceAgnosticDistributedDataParallel`.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    if cfg.get('model_wrapper_cfg', None) is None:
        cfg.model_wrapper_cfg = dict(
            type='DeviceAgnosticDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    if not is_distributed():
        # mmengine's init_dist pins a CUDA device first; there is none here.
        with _no_cuda_set_device():
            init_dist(launcher, **cfg.env_cfg.dist_cfg)
