"""CBP "EMA" mode (Table 4) on two gloo ranks: identical prototypes on both,
equal to one process that sees the whole batch."""
import pytest
import torch
import torch.distributed as dist
from tool_runner import run_ranks

from dnc_mm.models.layers import CategoryBasisClassifier

STEPS, PER_RANK, WORLD = 3, 2, 2


def make_classifier() -> CategoryBasisClassifier:
    torch.manual_seed(0)
    return CategoryBasisClassifier(
        8, 4, length=2.0, mode='ema', ema_momentum=0.5)


def global_batch(step: int):
    g = torch.Generator().manual_seed(100 + step)
    feats = torch.randn(WORLD * PER_RANK, 8, 3, 3, generator=g)
    labels = torch.randint(-1, 4, (WORLD * PER_RANK, 3, 3), generator=g)
    labels[:PER_RANK][labels[:PER_RANK] == 3] = 0  # class 3 only on rank 1
    return feats, labels


def rank_worker(rank: int, world: int, init_file: str, out: str) -> None:
    """Runs in each of the ``world`` processes."""
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=world)
    clf = make_classifier()
    for i in range(STEPS):
        feats, labels = global_batch(i)
        part = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        clf.update(feats[part], labels[part])
    torch.save(clf.state_dict(), f'{out}.rank{rank}')
    dist.destroy_process_group()


@pytest.mark.slow
def test_ema_two_ranks_identical_and_equal_to_one_process(
        tmp_path, subprocess_env):
    out = str(tmp_path / 'state')
    run_ranks(__file__, 'rank_worker', WORLD, out, subprocess_env)
    rank0, rank1 = (torch.load(f'{out}.rank{r}') for r in range(WORLD))
    assert torch.equal(rank0['prototypes'], rank1['prototypes'])
    single = make_classifier()
    start = single.prototypes.clone()
    for i in range(STEPS):
        single.update(*global_batch(i))
    assert not torch.allclose(single.prototypes, start)
    assert torch.allclose(rank0['prototypes'], single.prototypes, atol=1e-5)
