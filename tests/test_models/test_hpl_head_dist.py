"""Two gloo processes keep identical HPL class means and assignment."""
import pytest
import torch
import torch.distributed as dist
from mmpretrain.structures import DataSample
from tool_runner import run_ranks

from dnc_mm.models.heads import HypersphericalPrototypeClsHead

STEPS, PER_RANK, WORLD, C, D = 5, 6, 2, 5, 4


def make_head() -> HypersphericalPrototypeClsHead:
    torch.manual_seed(0)
    head = HypersphericalPrototypeClsHead(
        num_classes=C,
        in_channels=8,
        embed_dims=D,
        estimate_cfg=dict(iters=100))
    head.init_prototypes()
    return head.train()


def global_batch(step: int):
    g = torch.Generator().manual_seed(100 + step)
    x = torch.randn(WORLD * PER_RANK, 8, generator=g)
    # several samples of a class per rank: the case the official code drops
    y = torch.randint(0, C, (WORLD * PER_RANK, ), generator=g)
    return x, y


def train(head, batches) -> None:
    for step, (x, y) in enumerate(batches):
        head.loss((x, ), [DataSample().set_gt_label(int(v)) for v in y])
        if step % 2 == 1:
            head.reassign()


def rank_worker(rank: int, world: int, init_file: str, out: str) -> None:
    """Runs in each of the ``world`` processes."""
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=world)
    head = make_head()
    part = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
    batches = [(x[part], y[part]) for x, y in map(global_batch, range(STEPS))]
    train(head, batches)
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
    train(single, [global_batch(i) for i in range(STEPS)])
    state = single.state_dict()
    assert torch.allclose(
        rank0['class_means'], state['class_means'], atol=1e-5)
    assert torch.equal(rank0['class_counts'], state['class_counts'])
    assert float(state['class_counts'].sum()) == STEPS * WORLD * PER_RANK
    assert torch.equal(rank0['assignment'], state['assignment'])
