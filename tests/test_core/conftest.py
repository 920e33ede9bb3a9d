"""Shared fixtures for the DNC core tests: a thread-based fake all-reduce.

``run_ranks(world, fn)`` runs ``fn(rank, reduce_fn)`` in ``world`` threads
whose ``reduce_fn(tensor, op)`` behaves like ``torch.distributed.all_reduce``
(sum / max over the threads), so the SwAV-style distributed code paths can be
checked against single-process results without starting processes.
"""
import threading
from typing import Callable, List

import pytest
import torch


class _ThreadAllReduce:

    def __init__(self, world: int) -> None:
        self.world = world
        self.barrier = threading.Barrier(world, timeout=60)
        self.slots: List[torch.Tensor] = [None] * world  # type: ignore
        self.calls = [0] * world

    def reduce_fn(self, rank: int) -> Callable:

        def fn(tensor: torch.Tensor, op: str) -> torch.Tensor:
            self.calls[rank] += 1
            self.slots[rank] = tensor.clone()
            self.barrier.wait()
            stacked = torch.stack(self.slots)
            out = stacked.sum(0) if op == 'sum' else stacked.amax(0)
            self.barrier.wait()
            tensor.copy_(out)
            return tensor

        return fn


@pytest.fixture
def run_ranks():
    """Run ``fn(rank, reduce_fn)`` on ``world`` threads; return results."""

    def run(world: int, fn: Callable) -> list:
        group = _ThreadAllReduce(world)
        results: list = [None] * world
        errors: list = []

        def target(rank: int) -> None:
            try:
                results[rank] = fn(rank, group.reduce_fn(rank))
            except BaseException as exc:  # noqa: B902 - re-raised below
                errors.append(exc)
                group.barrier.abort()

        threads = [
            threading.Thread(target=target, args=(r, )) for r in range(world)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        assert len(set(group.calls)) == 1, 'ranks made different reductions'
        return results

    return run
