"""Two gloo ranks take the same split/merge decisions as one process."""
import pytest
import torch
import torch.distributed as dist
from mmpretrain.structures import DataSample
from tool_runner import run_ranks

from dnc_mm.engine.hooks import SubCentroidSplitMergeHook
from dnc_mm.models.heads import SubCentroidClsHead

STEPS, PER_RANK, WORLD, K_MAX = 3, 40, 2, 4


def make_head() -> SubCentroidClsHead:
    torch.manual_seed(0)
    head = SubCentroidClsHead(
        num_classes=2,
        in_channels=8,
        classifier=dict(num_subcentroids=K_MAX, momentum=0.9))
    head.classifier.update_correct_only = False
    head.classifier.set_num_subcentroids(torch.tensor([1, 1]))
    head.memory.allocate(WORLD * PER_RANK * STEPS, 8)
    return head.train()


def global_batch(step: int):
    """Class 0: three separated blobs; class 1: one blob."""
    g = torch.Generator().manual_seed(100 + step)
    n = WORLD * PER_RANK
    y = torch.arange(n) % 2
    centre = torch.zeros(n, 8)
    blob = torch.randint(0, 3, (n, ), generator=g)
    centre[y == 0, blob[y == 0]] = 4.0
    centre[y == 1, 5] = 4.0
    return centre + 0.3 * torch.randn(n, 8, generator=g), y


def run(head, parts):
    hook = SubCentroidSplitMergeHook(min_samples=5)
    for i in range(STEPS):
        x, y = global_batch(i)
        x, y = x[parts], y[parts]
        head.loss((x, ), [DataSample().set_gt_label(int(v)) for v in y])
    for mode in ('split', 'merge', 'split'):
        hook.run_round(head, mode)


def rank_worker(rank: int, world: int, init_file: str, out: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=world)
    head = make_head()
    run(head, slice(rank * PER_RANK, (rank + 1) * PER_RANK))
    torch.save(head.state_dict(), f'{out}.rank{rank}')
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_same_k_as_one_process(tmp_path, subprocess_env):
    out = str(tmp_path / 'state')
    run_ranks(__file__, 'rank_worker', WORLD, out, subprocess_env)
    rank0, rank1 = (torch.load(f'{out}.rank{r}') for r in range(WORLD))
    for key in ('classifier.subcentroids', 'classifier.active'):
        assert torch.equal(rank0[key], rank1[key]), key
    single = make_head()
    run(single, slice(None))
    assert torch.equal(single.classifier.active, rank0['classifier.active'])
    assert torch.allclose(
        single.classifier.subcentroids,
        rank0['classifier.subcentroids'],
        atol=1e-5)
    k = rank0['classifier.active'].sum(1)
    assert k[1] == 1 and 2 <= k[0] <= K_MAX, k
