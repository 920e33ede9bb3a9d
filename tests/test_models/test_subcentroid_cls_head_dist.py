"""Two gloo processes keep identical DNC state, equal to one process."""
import pytest
import torch
import torch.distributed as dist
from mmpretrain.structures import DataSample
from tool_runner import run_ranks

from dnc_mm.models.heads import SubCentroidClsHead

STEPS, PER_RANK, WORLD = 4, 6, 2


def make_head() -> SubCentroidClsHead:
    torch.manual_seed(0)
    head = SubCentroidClsHead(
        num_classes=4,
        in_channels=8,
        classifier=dict(num_subcentroids=2, momentum=0.9))
    head.classifier.update_correct_only = False
    head.memory.allocate(WORLD * PER_RANK * 2, 8)
    return head.train()


def global_batch(step: int):
    g = torch.Generator().manual_seed(100 + step)
    x = torch.randn(WORLD * PER_RANK, 8, generator=g)
    y = torch.randint(0, 4, (WORLD * PER_RANK, ), generator=g)
    return x, y


def train_step(head, x, y) -> None:
    head.loss((x, ), [DataSample().set_gt_label(int(v)) for v in y])


def rank_worker(rank: int, world: int, init_file: str, out: str) -> None:
    """Runs in each of the ``world`` processes."""
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=world)
    head = make_head()
    for i in range(STEPS):
        x, y = global_batch(i)
        part = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        train_step(head, x[part], y[part])
    torch.save(head.state_dict(), f'{out}.rank{rank}')
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_identical_and_equal_to_one_process(tmp_path,
                                                      subprocess_env):
    out = str(tmp_path / 'state')
    run_ranks(__file__, 'rank_worker', WORLD, out, subprocess_env)
    rank0, rank1 = (torch.load(f'{out}.rank{r}') for r in range(WORLD))
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), f'ranks differ: {key}'

    single = make_head()
    for i in range(STEPS):
        train_step(single, *global_batch(i))
    for key, value in single.state_dict().items():
        if value.is_floating_point():
            assert torch.allclose(rank0[key], value, atol=1e-5), key
        else:
            assert torch.equal(rank0[key], value), key
    assert int(rank0['memory.num_filled']) == WORLD * PER_RANK * 2
