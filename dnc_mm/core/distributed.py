"""Distributed reduction hook for the DNC core (pure ``torch.distributed``).

The clustering functions take an optional ``reduce_fn(tensor, op)`` so that
they can run SwAV-style on several ranks without knowing about process groups
(SwAV's distributed Sinkhorn all-reduces the row sums and the batch size and
keeps the column sums local; the momentum update all-reduces per-sub-centroid
sums and counts so every rank ends with identical sub-centroids).
"""
from typing import Callable, Optional

import torch.distributed as dist
from torch import Tensor

from ._utils import ReduceFn

_OPS = {'sum': 'SUM', 'max': 'MAX'}


def all_reduce_fn(group: Optional[object] = None) -> Optional[ReduceFn]:
    """Build a ``reduce_fn`` that all-reduces over ``group``.

    Returns ``None`` when ``torch.distributed`` is unavailable, not
    initialised, or the group has a single rank, so that callers can pass the
    result straight to the core functions.

    Args:
        group: A process group (``None``: the default group).

    Returns:
        ``reduce_fn(tensor, op)`` with ``op`` in ``{'sum', 'max'}`` that
        all-reduces ``tensor`` in place and returns it, or ``None``.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return None
    if dist.get_world_size(group) <= 1:
        return None

    def reduce_fn(tensor: Tensor, op: str) -> Tensor:
        dist.all_reduce(
            tensor, op=getattr(dist.ReduceOp, _OPS[op]), group=group)
        return tensor

    return reduce_fn


def broadcast_fn(
        group: Optional[object] = None
) -> Optional[Callable[[Tensor], Tensor]]:
    """Build ``broadcast(tensor)`` that copies rank 0's ``tensor`` in place.

    Returns ``None`` outside distributed runs (as :func:`all_reduce_fn`).

    Args:
        group: A process group (``None``: the default group).
    """
    if not (dist.is_available() and dist.is_initialized()):
        return None
    if dist.get_world_size(group) <= 1:
        return None

    def broadcast(tensor: Tensor) -> Tensor:
        src = 0 if group is None else dist.get_global_rank(group, 0)
        dist.broadcast(tensor, src=src, group=group)
        return tensor

    return broadcast
