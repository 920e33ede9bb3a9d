"""The distributed operations of the heads and hooks, on ``mmengine.dist``.

The pure-PyTorch core (:mod:`dnc_mm.core`) never talks to a process group:
its clustering and class-mean functions take an optional
``reduce_fn(tensor, op)`` (:data:`dnc_mm.core.ReduceFn`) or a
``broadcast(tensor)`` callable and run SwAV-style on several ranks without
knowing how. This module builds those callables, and the one collective the
heads call directly (:func:`all_gather_rows`), from mmengine's distributed
helpers — the same ones the runner and the hooks use, which are no-ops in a
single process and move CPU tensors to the backend's device (NCCL) and back.

Every function returns ``None`` (or its inputs) outside a distributed run,
so that callers can pass the result straight to the core functions.
"""
from typing import Callable, List, Optional

import torch
from mmengine import dist
from torch import Tensor

from dnc_mm.core import ReduceFn

__all__ = ['all_reduce_fn', 'broadcast_fn', 'all_gather_rows']


def _distributed(group: Optional[object] = None) -> bool:
    return dist.get_world_size(group) > 1


def all_reduce_fn(group: Optional[object] = None) -> Optional[ReduceFn]:
    """Build a ``reduce_fn`` that all-reduces over ``group``.

    Args:
        group: A process group (``None``: the default group).

    Returns:
        ``reduce_fn(tensor, op)`` with ``op`` in ``{'sum', 'max'}`` that
        all-reduces ``tensor`` in place and returns it; ``None`` when the run
        is not distributed or the group has a single rank.
    """
    if not _distributed(group):
        return None

    def reduce_fn(tensor: Tensor, op: str) -> Tensor:
        if op not in ('sum', 'max'):
            raise ValueError(f"reduce_fn op must be 'sum' or 'max', got "
                             f'{op!r}')
        dist.all_reduce(tensor, op=op, group=group)
        return tensor

    return reduce_fn


def broadcast_fn() -> Optional[Callable[[Tensor], Tensor]]:
    """Build ``broadcast(tensor)`` that copies rank 0's ``tensor`` into every
    rank's, in place (default process group).

    Returns:
        The callable, or ``None`` outside distributed runs (as
        :func:`all_reduce_fn`).
    """
    if not _distributed():
        return None

    def broadcast(tensor: Tensor) -> Tensor:
        dist.broadcast(tensor, src=0)
        return tensor

    return broadcast


def all_gather_rows(*tensors: Tensor) -> List[Tensor]:
    """Concatenate each tensor's rows over all ranks, in rank order.

    Every rank passes tensors with the same number of rows ``N_r`` (which
    may differ between ranks) and gets the ``(sum_r N_r, ...)``
    concatenations, identical on all ranks. Outside a distributed run the
    inputs are returned unchanged.

    Args:
        *tensors: ``(N_r, ...)`` tensors sharing their first dimension.

    Returns:
        list[Tensor]: the gathered tensors, in the order given.
    """
    if not _distributed():
        return list(tensors)
    device = tensors[0].device
    sizes = dist.all_gather(torch.tensor([tensors[0].shape[0]], device=device))
    sizes = [int(s) for s in sizes]
    longest = max(sizes)
    out = []
    for t in tensors:
        padded = t.new_zeros((longest, ) + tuple(t.shape[1:]))
        padded[:t.shape[0]] = t
        parts = dist.all_gather(padded.contiguous())
        out.append(torch.cat([p[:n] for p, n in zip(parts, sizes)]))
    return out
