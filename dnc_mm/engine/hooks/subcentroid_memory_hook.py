"""Feature memory for DNC heads (§3 "external memory", Table 5b)."""
from typing import Optional

import torch
from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from dnc_mm.core.memory import FeatureMemory
from dnc_mm.models.heads import SubCentroidClsHead
from .utils import find_modules

_DTYPES = {
    'float32': torch.float32,
    'float16': torch.float16,
    'bfloat16': torch.bfloat16
}


@HOOKS.register_module()
class SubCentroidMemoryHook(Hook):
    """Give every DNC head a memory of the last ``size_in_batches`` batches.

    The memory holds the detached, l2-normalised features, labels and
    correct-classification flags of earlier *global* batches (all ranks
    gathered, so it is identical on every rank); the head clusters the
    current batch together with it, so classes absent from a batch still
    get sub-centroid updates. Capacity = (``size_in_batches`` + 1) x
    per-rank batch size x world size rows: the current batch is stored
    first and clustered together with the ``size_in_batches`` earlier ones,
    which avoids copying the memory at every step. It lives in the head's
    buffers, so it is saved in checkpoints and restored on resume.

    Paper values: 100 batches on CIFAR-10, 1,000 (ResNet) and 500 (Swin) on
    ImageNet; 0 disables it (Table 5b's first row): leave the hook out.

    Args:
        size_in_batches: Number of global batches kept (>= 1).
        dtype: Storage dtype, ``'float32'`` or ``'float16'`` (half the
            bytes; clustering still runs in float32).
        batch_size: Per-rank batch size; ``None`` reads it from the train
            dataloader.
        max_age_iters: Staleness limit (beyond the paper): features stored
            more than this many iterations ago are left out of the
            clustering even while the memory still holds them; ``None``
            (paper): only the size limits the memory.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 size_in_batches: int,
                 dtype: str = 'float32',
                 batch_size: Optional[int] = None,
                 max_age_iters: Optional[int] = None) -> None:
        if int(size_in_batches) < 1:
            raise ValueError(
                f'size_in_batches must be >= 1, got {size_in_batches}; to '
                'train without memory, remove SubCentroidMemoryHook from '
                'custom_hooks')
        if dtype not in _DTYPES:
            raise ValueError(f'dtype must be one of {sorted(_DTYPES)}, got '
                             f'{dtype!r}')
        self.size_in_batches = int(size_in_batches)
        self.dtype = _DTYPES[dtype]
        self.batch_size = batch_size
        if max_age_iters is not None and int(max_age_iters) < 0:
            raise ValueError(f'max_age_iters must be >= 0 or None, got '
                             f'{max_age_iters}')
        self.max_age_iters = max_age_iters

    def before_train(self, runner) -> None:
        # runs after load_or_resume: a resumed memory of the same size and
        # dtype is kept as it is (FeatureMemory adopts a checkpoint's shape)
        heads = find_modules(runner.model, SubCentroidClsHead)
        if not heads:
            raise RuntimeError('SubCentroidMemoryHook found no '
                               'SubCentroidClsHead in the model')
        batch = self.batch_size
        if batch is None:
            loader = runner.train_dataloader
            batch = getattr(loader, 'batch_size', None)
            if batch is None:
                raise ValueError('cannot read the train batch size; pass '
                                 'batch_size= to SubCentroidMemoryHook')
        capacity = FeatureMemory.capacity_for(self.size_in_batches, batch,
                                              get_world_size())
        for head in heads:
            memory = head.memory
            if memory.num_filled > 0 and (memory.capacity != capacity or
                                          memory.features.dtype != self.dtype):
                runner.logger.warning(
                    f'the resumed DNC memory holds {memory.capacity} '
                    f'{memory.features.dtype} features; this run asks for '
                    f'{capacity} {self.dtype}: starting an empty memory')
            memory.allocate(capacity, head.embed_dims, self.dtype)
            memory.set_max_age(self.max_age_iters)
            runner.logger.info(
                f'DNC memory: ({self.size_in_batches} earlier + the current) '
                f'batches x {batch} x {get_world_size()} ranks = {capacity} '
                f'features of {head.embed_dims} dims in {self.dtype}; '
                f'{head.memory.bytes_per_row} bytes per feature, '
                f'{head.memory.nbytes / 2**20:.1f} MiB')
