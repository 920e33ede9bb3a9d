"""Numerics under autocast / half precision, and the distributed hooks."""
import os
import subprocess
import sys
import tempfile

import pytest
import torch
import torch.distributed as dist
import torch.nn.functional as F

from dnc_mm.core import (SubcentroidClustering, assign_subcentroids,
                         subcentroid_logits, update_subcentroids)
from dnc_mm.models.utils import all_reduce_fn


def _setup(seed=0, n=96, c=7, k=3, d=16):
    g = torch.Generator().manual_seed(seed)
    feats = F.normalize(torch.randn(n, d, generator=g), dim=1)
    labels = torch.randint(0, c, (n, ), generator=g)
    subs = F.normalize(torch.randn(c, k, d, generator=g), dim=-1)
    return feats, labels, subs


@pytest.mark.parametrize('method', ['sinkhorn', 'kmeans', 'nearest'])
def test_full_step_under_bf16_autocast(method):
    feats, labels, subs = _setup()
    ref = update_subcentroids(
        subs, feats, labels, clustering=SubcentroidClustering(method))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        logits, sims = subcentroid_logits(feats, subs)
        correct = logits.argmax(1) == labels
        got = update_subcentroids(
            subs, feats, labels, clustering=SubcentroidClustering(method))
        got_sel = update_subcentroids(
            subs,
            feats,
            labels,
            selected=correct,
            clustering=SubcentroidClustering(method))
    assert logits.dtype == torch.bfloat16  # the forward does use autocast
    assert got.subcentroids.dtype == torch.float32
    assert torch.equal(got.assignment, ref.assignment)
    torch.testing.assert_close(got.subcentroids, ref.subcentroids)
    assert torch.isfinite(got_sel.subcentroids).all()


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_features(dtype):
    feats, labels, subs = _setup(1)
    res = update_subcentroids(subs, feats.to(dtype), labels, momentum=0.0)
    assert torch.isfinite(res.subcentroids).all()
    torch.testing.assert_close(
        res.subcentroids.norm(dim=-1), torch.ones(subs.shape[:2]))


def test_extreme_similarities_full_step():
    """Unnormalised features with |s|/eps ~ 1e4 and beyond: no NaN/inf."""
    feats, labels, subs = _setup(2)
    for scale in (25.0, 500.0, 1e5):
        x = feats * scale
        for method in ('sinkhorn', 'kmeans', 'nearest'):
            res = update_subcentroids(
                subs,
                x.half() if scale < 6e4 else x,
                labels,
                clustering=SubcentroidClustering(method))
            assert torch.isfinite(res.subcentroids).all()
            assert (res.assignment >= 0).all()


def test_logits_layouts():
    feats, labels, subs = _setup(3, n=12)
    active = torch.ones(7, 3, dtype=torch.bool)
    active[2, 1:] = False
    logits, sims = subcentroid_logits(feats, subs, active)
    ref = torch.einsum('nd,ckd->nck', feats, subs)
    torch.testing.assert_close(sims, ref)
    ref_logits = ref.masked_fill(~active, float('-inf')).amax(-1)
    torch.testing.assert_close(logits, ref_logits)
    # segmentation layout (B, D, H, W) with channel_dim=1
    fmap = feats.view(2, 2, 3, 16).permute(0, 3, 1, 2)  # (B, D, H, W)
    seg_logits, seg_sims = subcentroid_logits(
        fmap, subs, active, channel_dim=1)
    assert seg_logits.shape == (2, 7, 2, 3)
    assert seg_sims.shape == (2, 7, 3, 2, 3)
    torch.testing.assert_close(
        seg_logits.permute(0, 2, 3, 1).reshape(12, 7), logits)
    # gradient flows into the features
    f = feats.clone().requires_grad_()
    out, _ = subcentroid_logits(f, subs)
    out.sum().backward()
    assert f.grad is not None and torch.isfinite(f.grad).all()
    with pytest.raises(ValueError):
        subcentroid_logits(feats[:, :5], subs)


@pytest.mark.parametrize('method', ['sinkhorn', 'kmeans', 'nearest'])
def test_distributed_update_equals_single_process(run_ranks, method):
    """Two ranks with reduce_fn end with identical sub-centroids, equal to
    one process clustering the concatenated samples."""
    feats, labels, subs = _setup(4, n=80)
    selected = torch.rand(80, generator=torch.Generator().manual_seed(5)) > .3
    labels[40:] = labels[40:] % 4  # rank 1 lacks some classes
    labels[:40][labels[:40] == 6] = 5  # class 6 only on rank 1
    ref = update_subcentroids(
        subs,
        feats,
        labels,
        selected,
        momentum=0.9,
        clustering=SubcentroidClustering(method))
    parts = [slice(0, 40), slice(40, 80)]

    def work(rank, reduce_fn):
        p = parts[rank]
        return update_subcentroids(
            subs,
            feats[p],
            labels[p],
            selected[p],
            momentum=0.9,
            clustering=SubcentroidClustering(method),
            reduce_fn=reduce_fn)

    r0, r1 = run_ranks(2, work)
    assert torch.equal(r0.subcentroids, r1.subcentroids)
    torch.testing.assert_close(r0.subcentroids, ref.subcentroids)
    torch.testing.assert_close(r0.counts, ref.counts)
    assert torch.equal(
        torch.cat([r0.assignment, r1.assignment]), ref.assignment)


def test_rank_without_samples_stays_in_step(run_ranks):
    feats, labels, subs = _setup(6, n=20)

    def work(rank, reduce_fn):
        n = 20 if rank == 0 else 0
        return assign_subcentroids(
            feats[:n], labels[:n], subs, reduce_fn=reduce_fn)

    a0, a1 = run_ranks(2, work)
    assert torch.equal(a0, assign_subcentroids(feats, labels, subs))
    assert a1.shape == (0, )


def test_all_reduce_fn_single_process_is_none():
    assert all_reduce_fn() is None


_GLOO_SCRIPT = r"""
import os, sys
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from dnc_mm.core import update_subcentroids
from dnc_mm.models.utils import all_reduce_fn


def setup():
    g = torch.Generator().manual_seed(7)
    feats = F.normalize(torch.randn(40, 16, generator=g), dim=1)
    labels = torch.randint(0, 7, (40, ), generator=g)
    subs = F.normalize(torch.randn(7, 3, 16, generator=g), dim=-1)
    return feats, labels, subs


def worker(rank, world, tmp):
    dist.init_process_group('gloo', init_method='file://' + tmp + '/init',
                            rank=rank, world_size=world)
    try:
        torch.set_num_threads(1)
        feats, labels, subs = setup()
        part = slice(rank * 20, (rank + 1) * 20)
        res = update_subcentroids(subs, feats[part], labels[part],
                                  momentum=0.9, reduce_fn=all_reduce_fn())
        torch.save(res.subcentroids, os.path.join(tmp, f'{rank}.pt'))
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    tmp = sys.argv[1]
    # fork: the children reuse this process's imports (nothing has run an
    # OpenMP region yet), much faster than spawn re-importing dnc_mm
    mp.start_processes(worker, args=(2, tmp), nprocs=2, join=True,
                       start_method='fork')
    feats, labels, subs = setup()
    ref = update_subcentroids(subs, feats, labels, momentum=0.9)
    torch.save(ref.subcentroids, os.path.join(tmp, 'ref.pt'))
"""


@pytest.mark.skipif(not dist.is_available(), reason='no torch.distributed')
def test_all_reduce_fn_with_gloo():
    """Real 2-process gloo run: ranks agree bit-for-bit and match 1 process."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, 'run.py')
        with open(script, 'w') as f:
            f.write(_GLOO_SCRIPT)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        proc = subprocess.run([sys.executable, script, tmp],
                              env=env,
                              capture_output=True,
                              text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        p0, p1, ref = (
            torch.load(os.path.join(tmp, f'{name}.pt'))
            for name in ('0', '1', 'ref'))
    assert torch.equal(p0, p1)
    torch.testing.assert_close(p0, ref)
