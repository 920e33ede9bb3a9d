"""All-gather of per-rank rows of different lengths (torch.distributed)."""
from typing import List

import torch
import torch.distributed as dist
from torch import Tensor

__all__ = ['all_gather_rows']


def all_gather_rows(*tensors: Tensor) -> List[Tensor]:
    """Concatenate each tensor's rows over all ranks, in rank order.

    Every rank passes tensors with the same number of rows ``N_r`` (which
    may differ between ranks) and gets the ``(sum_r N_r, ...)``
    concatenations, identical on all ranks. Without an initialised process
    group (or with one rank) the inputs are returned unchanged.

    Args:
        *tensors: ``(N_r, ...)`` tensors sharing their first dimension.

    Returns:
        list[Tensor]: the gathered tensors, in the order given.
    """
    if not (dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1):
        return list(tensors)
    world = dist.get_world_size()
    device = tensors[0].device
    size = torch.tensor([tensors[0].shape[0]], device=device)
    sizes = [torch.zeros_like(size) for _ in range(world)]
    dist.all_gather(sizes, size)
    sizes = [int(s) for s in sizes]
    longest = max(sizes)
    out = []
    for t in tensors:
        padded = t.new_zeros((longest, ) + tuple(t.shape[1:]))
        padded[:t.shape[0]] = t
        parts = [torch.empty_like(padded) for _ in range(world)]
        dist.all_gather(parts, padded.contiguous())
        out.append(torch.cat([p[:n] for p, n in zip(parts, sizes)]))
    return out
