"""FeatureMemory: a bounded FIFO of features, labels and correct flags."""
import pytest
import torch

from dnc_mm.core.memory import FeatureMemory


def _rows(n, d=3, start=0):
    x = torch.arange(start, start + n, dtype=torch.float32)
    return (x[:, None].repeat(1, d), torch.arange(start, start + n),
            torch.arange(start, start + n) % 2 == 0)


def test_empty_memory_ignores_pushes():
    mem = FeatureMemory()
    mem.push(*_rows(4))
    assert mem.capacity == 0 and mem.rows()[0].shape[0] == 0


def test_fifo_keeps_the_newest_rows():
    mem = FeatureMemory()
    mem.allocate(5, 3)
    mem.push(*_rows(3))
    feats, labels, correct = mem.rows()
    assert labels.tolist() == [0, 1, 2]
    mem.push(*_rows(4, start=3))  # 7 rows pushed, capacity 5
    feats, labels, correct = mem.rows()
    assert sorted(labels.tolist()) == [2, 3, 4, 5, 6]
    assert torch.equal(feats[:, 0], labels.float())
    assert torch.equal(correct, labels % 2 == 0)
    mem.push(*_rows(9, start=10))  # more than the capacity at once
    assert sorted(mem.rows()[1].tolist()) == [14, 15, 16, 17, 18]


def test_newest_rows_in_time_order_across_the_wrap():
    mem = FeatureMemory()
    mem.allocate(5, 3)
    mem.push(*_rows(7))  # rows 2..6 survive, the cursor wrapped
    assert mem.newest_rows(3)[1].tolist() == [6, 5, 4]
    assert torch.equal(mem.newest_rows(3)[0][:, 0], torch.tensor([6., 5., 4.]))
    assert mem.newest_rows(5)[1].tolist() == mem.rows()[1].tolist()
    assert mem.newest_rows(None)[1].tolist() == mem.rows()[1].tolist()
    half = FeatureMemory()
    half.allocate(8, 3)
    half.push(*_rows(5))  # not wrapped: rows 0..4
    assert half.newest_rows(2)[1].tolist() == [4, 3]
    half.set_max_age(0)  # stale rows keep their place with label -1
    half.push(*_rows(1, start=5))
    assert half.newest_rows(3)[1].tolist() == [5, -1, -1]


def test_capacity_for_counts_the_current_batch():
    # 100 earlier batches of 32 on 4 ranks, plus the current global batch
    assert FeatureMemory.capacity_for(100, 32, 4) == 101 * 32 * 4
    assert FeatureMemory.capacity_for(0, 16) == 16


def test_fp16_storage_halves_bytes_and_returns_views():
    m32, m16 = FeatureMemory(), FeatureMemory(torch.float16)
    m32.allocate(10, 2048)
    m16.allocate(10, 2048)
    assert m32.bytes_per_row == 2048 * 4 + 9
    assert m16.bytes_per_row == 2048 * 2 + 9
    m16.push(
        torch.randn(2, 2048), torch.tensor([1, 2]), torch.tensor([True,
                                                                  False]))
    assert m16.rows()[0].dtype == torch.float16  # views, no fp32 copy


def test_state_dict_round_trip_restores_content_and_shape():
    src = FeatureMemory(torch.float16)
    src.allocate(6, 4)
    src.push(torch.randn(8, 4), torch.arange(8), torch.ones(8, dtype=bool))
    dst = FeatureMemory()  # empty, float32: adopts the checkpoint's store
    dst.load_state_dict(src.state_dict())
    for a, b in zip(src.rows(), dst.rows()):
        assert torch.equal(a, b)
    assert int(dst.cursor) == int(src.cursor)
    # next push continues where the source would have
    new = torch.randn(1, 4), torch.tensor([99]), torch.tensor([True])
    src.push(*new)
    dst.push(*new)
    assert torch.equal(src.rows()[1], dst.rows()[1])


@pytest.mark.parametrize('capacity,dim', [(0, 4), (4, 0), (-1, 3)])
def test_bad_sizes_are_refused(capacity, dim):
    with pytest.raises(ValueError, match='capacity >= 1'):
        FeatureMemory().allocate(capacity, dim)


def test_wrong_feature_dim_is_refused():
    mem = FeatureMemory()
    mem.allocate(4, 3)
    with pytest.raises(ValueError, match='3-d'):
        mem.push(
            torch.randn(2, 5), torch.zeros(2, dtype=torch.long),
            torch.ones(2, dtype=bool))
