"""Tests of dnc_mm.core.sinkhorn (Eq. 6 / Algorithm 1 online_clustering).

Most tests read more easily on padded ``(C, K, N)`` problems:
:func:`sinkhorn_knopp` below runs the product's segment-layout solver on the
valid entries of such a problem and scatters its results back, so every
assertion is about :func:`sinkhorn_knopp_segments`; the independent padded
implementation of ``dnc_reference`` is the oracle it is compared with.
"""
import math

import pytest
import torch
from dnc_reference import padded_sinkhorn_knopp
from hypothesis import given, settings
from hypothesis import strategies as st

from dnc_mm.core.sinkhorn import segment_logsumexp, sinkhorn_knopp_segments

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)


def sinkhorn_knopp(sims,
                   sample_mask=None,
                   centroid_mask=None,
                   epsilon=0.05,
                   num_iters=3,
                   reduce_fn=None):
    """:func:`sinkhorn_knopp_segments` on a padded ``(C, K, N)`` problem.

    Returns the ``(C, K, N)`` plan (0 off the valid samples) and the
    ``(C, N)`` assignment (-1 off them).
    """
    if sims.dim() != 3:
        raise ValueError(f'need (C, K, N), got {tuple(sims.shape)}')
    c, k, n = sims.shape
    if sample_mask is None:
        sample_mask = torch.ones(c, n, dtype=torch.bool)
    cls, pos = sample_mask.nonzero(as_tuple=True)
    seg_plan, seg_assign = sinkhorn_knopp_segments(sims[cls, :, pos], cls, c,
                                                   centroid_mask, epsilon,
                                                   num_iters, reduce_fn)
    plan = torch.zeros(c, k, n)
    plan[cls, :, pos] = seg_plan
    assign = torch.full((c, n), -1, dtype=torch.long)
    assign[cls, pos] = seg_assign
    return plan, assign


def reference_online_clustering(sims: torch.Tensor, eps: float,
                                iters: int) -> torch.Tensor:
    """Algorithm 1's ``online_clustering`` for one class, literally, float64.

    Args:
        sims: ``(K_c, N_c)`` similarities of one class.

    Returns:
        ``(K_c, N_c)`` plan with columns summing to ``1/N_c``.
    """
    q = torch.exp(sims.double() / eps)
    q /= q.sum()
    k, n = q.shape
    for _ in range(iters):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= n
    return q


def _random_problem(seed: int, c: int, k: int, n: int, scale: float = 1.0):
    g = torch.Generator().manual_seed(seed)
    sims = (torch.rand(c, k, n, generator=g) * 2 - 1) * scale
    n_c = torch.randint(0, n + 1, (c, ), generator=g)
    k_c = torch.randint(1, k + 1, (c, ), generator=g)
    sample_mask = torch.arange(n)[None] < n_c[:, None]
    centroid_mask = torch.arange(k)[None] < k_c[:, None]
    return sims, sample_mask, centroid_mask, n_c, k_c


@SETTINGS
@given(
    seed=st.integers(0, 2**31 - 1),
    c=st.integers(1, 4),
    k=st.integers(1, 5),
    n=st.integers(0, 12))
def test_marginals_padded(seed, c, k, n):
    """Columns sum to 1/N_c exactly; rows converge to 1/K_c; masks are 0."""
    sims, smask, cmask, n_c, k_c = _random_problem(seed, c, k, n)
    plan, assign = sinkhorn_knopp(
        sims, smask, cmask, epsilon=0.5, num_iters=300)
    assert plan.dtype == torch.float32
    assert torch.isfinite(plan).all()
    valid = cmask[:, :, None] & smask[:, None, :]
    assert (plan[~valid] == 0).all()
    for ci in range(c):
        nc, kc = int(n_c[ci]), int(k_c[ci])
        block = plan[ci, :kc, :nc]
        if nc == 0:
            assert (assign[ci] == -1).all()
            continue
        torch.testing.assert_close(
            block.sum(0), torch.full((nc, ), 1.0 / nc), rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(
            block.sum(1), torch.full((kc, ), 1.0 / kc), rtol=1e-3, atol=1e-6)
        assert ((assign[ci, :nc] >= 0) & (assign[ci, :nc] < kc)).all()
        assert (assign[ci, nc:] == -1).all()


@SETTINGS
@given(
    seed=st.integers(0, 2**31 - 1),
    c=st.integers(1, 5),
    k=st.integers(1, 5),
    n=st.integers(0, 10),
    iters=st.integers(1, 4))
def test_segments_equal_padded(seed, c, k, n, iters):
    """The (N, K) segment layout gives the padded oracle's plan and argmax."""
    sims, smask, cmask, n_c, _ = _random_problem(seed, c, k, n)
    plan, assign = padded_sinkhorn_knopp(sims, smask, cmask, 0.05, iters)
    cls, pos = smask.nonzero(as_tuple=True)
    seg_sims = sims[cls, :, pos]  # (N, K)
    seg_plan, seg_assign = sinkhorn_knopp_segments(seg_sims, cls, c, cmask,
                                                   0.05, iters)
    torch.testing.assert_close(
        seg_plan, plan[cls, :, pos], rtol=1e-4, atol=1e-9)
    assert torch.equal(seg_assign, assign[cls, pos])


def test_matches_algorithm1_reference():
    """Per class, the plan equals Algorithm 1's loop (paper eps, 3 iters)."""
    sims, smask, cmask, n_c, k_c = _random_problem(7, 12, 4, 9)
    plan, assign = sinkhorn_knopp(sims, smask, cmask, 0.05, 3)
    for ci in range(12):
        nc, kc = int(n_c[ci]), int(k_c[ci])
        if nc == 0:
            continue
        ref = reference_online_clustering(sims[ci, :kc, :nc], 0.05, 3)
        torch.testing.assert_close(
            plan[ci, :kc, :nc].double(), ref, rtol=1e-4, atol=1e-10)
        if nc > 1:
            assert torch.equal(assign[ci, :nc], ref.argmax(0))
        else:  # one sample: uniform plan, nearest sub-centroid instead
            assert assign[ci, 0] == sims[ci, :kc, 0].argmax()


def test_argmax_is_over_similarity_not_cost():
    """Clearly separated samples go to their most similar sub-centroid."""
    # two sub-centroids, four samples, two very close to each one
    sims = torch.tensor([[[0.9, 0.8, -0.5, -0.6], [-0.4, -0.7, 0.95, 0.85]]])
    _, assign = sinkhorn_knopp(sims)
    assert assign.tolist() == [[0, 0, 1, 1]]
    _, assign = sinkhorn_knopp_segments(sims[0].t(), torch.zeros(4).long(), 1)
    assert assign.tolist() == [0, 0, 1, 1]


def test_equipartition_breaks_collapse():
    """All samples nearest to one sub-centroid are still split evenly."""
    g = torch.Generator().manual_seed(0)
    sims = torch.empty(1, 2, 8)
    sims[0, 0] = 0.9 + 0.05 * torch.rand(8, generator=g)
    sims[0, 1] = 0.5 + 0.3 * torch.rand(8, generator=g)
    assert (sims[0].argmax(0) == 0).all()  # nearest: everything on k=0
    _, assign = sinkhorn_knopp(sims, epsilon=0.05, num_iters=3)
    # 3 rounds only approximate the equipartition, but no collapse
    assert torch.bincount(assign[0], minlength=2).min() >= 3


def test_zero_and_one_sample_classes():
    sims = torch.randn(3, 4, 5)
    smask = torch.zeros(3, 5, dtype=torch.bool)
    smask[1, 0] = True  # one sample
    smask[2, :5] = True
    plan, assign = sinkhorn_knopp(sims, smask)
    assert torch.isfinite(plan).all()
    assert (plan[0] == 0).all() and (assign[0] == -1).all()
    assert assign[1, 0] == sims[1, :, 0].argmax()
    assert (assign[1, 1:] == -1).all()
    torch.testing.assert_close(plan[1, :, 0], torch.full((4, ), 0.25))
    # segment layout: no samples at all, and one sample
    p, a = sinkhorn_knopp_segments(torch.randn(0, 4), torch.zeros(0).long(), 3)
    assert p.shape == (0, 4) and a.shape == (0, )
    s = torch.tensor([[0.1, 0.7, 0.3, -0.2]])
    p, a = sinkhorn_knopp_segments(s, torch.tensor([2]), 3)
    assert a.tolist() == [1] and torch.isfinite(p).all()


@pytest.mark.parametrize('scale', [1e4 * 0.05, 1e6])
def test_extreme_similarities(scale):
    """|s|/eps up to 1e4 and beyond: no NaN/inf, marginals still hold."""
    sims, smask, cmask, n_c, k_c = _random_problem(3, 6, 4, 7, scale=scale)
    sims[0, 0, 0] = scale
    sims[0, 1, 0] = -scale
    plan, assign = sinkhorn_knopp(sims, smask, cmask)
    assert torch.isfinite(plan).all()
    for ci in range(6):
        nc, kc = int(n_c[ci]), int(k_c[ci])
        if nc:
            torch.testing.assert_close(plan[ci, :kc, :nc].sum(0),
                                       torch.full((nc, ), 1.0 / nc))
            assert (assign[ci, :nc] >= 0).all()
    cls, pos = smask.nonzero(as_tuple=True)
    seg_plan, seg_assign = sinkhorn_knopp_segments(sims[cls, :, pos], cls, 6,
                                                   cmask)
    assert torch.isfinite(seg_plan).all()
    assert torch.equal(seg_assign, assign[cls, pos])


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_inputs_and_autocast(dtype):
    """fp16/bf16 inputs and CPU autocast: fp32 plan, no overflow."""
    sims, smask, cmask, _, _ = _random_problem(5, 4, 3, 6)
    ref_plan, ref_assign = sinkhorn_knopp(sims.to(dtype).float(), smask, cmask)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        plan, assign = sinkhorn_knopp(sims.to(dtype), smask, cmask)
    assert plan.dtype == torch.float32
    assert torch.isfinite(plan).all()
    torch.testing.assert_close(plan, ref_plan)
    assert torch.equal(assign, ref_assign)
    # exp(1 / 0.05) would overflow fp16; the log domain must not care
    big = torch.ones(1, 2, 3, dtype=torch.float16)
    plan, _ = sinkhorn_knopp(big)
    assert torch.isfinite(plan).all()


def test_segment_logsumexp():
    values = torch.tensor([[0.0, -math.inf], [1.0, -math.inf], [500.0, 2.0]])
    seg = torch.tensor([0, 0, 2])
    out = segment_logsumexp(values, seg, 3)
    torch.testing.assert_close(out[0, 0], torch.logsumexp(values[:2, 0], 0))
    assert out[0, 1] == -math.inf
    assert (out[1] == -math.inf).all()
    torch.testing.assert_close(out[2], values[2])


@pytest.mark.parametrize('segments', [False, True])
def test_distributed_equals_single_process(run_ranks, segments):
    """SwAV-style reduce over 2 ranks == one process on all samples."""
    g = torch.Generator().manual_seed(11)
    c, k, n = 5, 3, 10
    sims = torch.rand(c, k, n, generator=g) * 2 - 1
    cmask = torch.ones(c, k, dtype=torch.bool)
    cmask[1, 2:] = False
    smask = torch.rand(c, n, generator=g) < 0.7
    smask[3] = False
    smask[4] = False
    smask[4, 7] = True  # a single sample, on rank 1 only
    plan, assign = sinkhorn_knopp(sims, smask, cmask)
    halves = [slice(0, n // 2), slice(n // 2, n)]

    def work(rank, reduce_fn):
        part = halves[rank]
        if not segments:
            return sinkhorn_knopp(
                sims[:, :, part], smask[:, part], cmask, reduce_fn=reduce_fn)
        cls, pos = smask[:, part].nonzero(as_tuple=True)
        return sinkhorn_knopp_segments(
            sims[:, :, part][cls, :, pos], cls, c, cmask, reduce_fn=reduce_fn)

    results = run_ranks(2, work)
    for rank, (p, a) in enumerate(results):
        part = halves[rank]
        if segments:
            cls, pos = smask[:, part].nonzero(as_tuple=True)
            torch.testing.assert_close(p, plan[:, :, part][cls, :, pos])
            assert torch.equal(a, assign[:, part][cls, pos])
        else:
            torch.testing.assert_close(p, plan[:, :, part])
            assert torch.equal(a, assign[:, part])


def test_bad_arguments():
    with pytest.raises(ValueError):
        sinkhorn_knopp(torch.zeros(2, 3), epsilon=0.05)
    with pytest.raises(ValueError):
        sinkhorn_knopp(torch.zeros(1, 2, 3), epsilon=0.0)
    with pytest.raises(ValueError):
        sinkhorn_knopp_segments(
            torch.zeros(3, 2), torch.zeros(3).long(), 1, num_iters=0)
