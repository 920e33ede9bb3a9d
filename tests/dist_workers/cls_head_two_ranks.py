"""Run the DNC head on 2 gloo ranks; saves both ranks' state to argv[1].

Started by tests/test_models/test_subcentroid_cls_head_dist.py in a fresh
interpreter (forking the pytest process after torch has used its thread
pools can deadlock).
"""
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmpretrain.structures import DataSample

from dnc_mm.models.heads import SubCentroidClsHead

STEPS, PER_RANK, WORLD = 4, 6, 2


def make_head() -> SubCentroidClsHead:
    torch.manual_seed(0)
    head = SubCentroidClsHead(num_classes=4, in_channels=8,
                              num_subcentroids=2, momentum=0.9)
    head.classifier.update_correct_only = False
    head.memory.allocate(WORLD * PER_RANK * 2, 8)
    return head.train()


def batch(step: int):
    """The global batch of one step: ``(WORLD * PER_RANK, 8)`` and labels."""
    g = torch.Generator().manual_seed(100 + step)
    x = torch.randn(WORLD * PER_RANK, 8, generator=g)
    y = torch.randint(0, 4, (WORLD * PER_RANK, ), generator=g)
    return x, y


def step(head, x, y) -> None:
    head.loss((x, ), [DataSample().set_gt_label(int(v)) for v in y])


def worker(rank: int, init_file: str, out: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=WORLD)
    head = make_head()
    for i in range(STEPS):
        x, y = batch(i)
        part = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        step(head, x[part], y[part])
    state = {k: v.clone() for k, v in head.state_dict().items()}
    gathered = [None] * WORLD
    dist.all_gather_object(gathered, state)
    if rank == 0:
        torch.save(gathered, out)
    dist.destroy_process_group()


if __name__ == '__main__':
    mp.spawn(worker, args=(sys.argv[1] + '.init', sys.argv[1]), nprocs=WORLD)
