"""Batched sub-centroid assignment vs. a per-class Python-loop reference."""
import pytest
import torch
import torch.nn.functional as F
from dnc_reference import reference_assign
from hypothesis import given, settings
from hypothesis import strategies as st

from dnc_mm.core.similarity import (class_similarities,
                                    grouped_class_similarities)
from dnc_mm.core.subcentroid_assignment import (SubcentroidClustering,
                                                assign_subcentroids,
                                                kmeans_subcentroids)


def _problem(seed, n, c, k, d, p_select=0.7, ignore=True):
    g = torch.Generator().manual_seed(seed)
    feats = F.normalize(torch.randn(n, d, generator=g), dim=1)
    labels = torch.randint(0, c, (n, ), generator=g)
    if ignore and n:
        labels[torch.rand(n, generator=g) < 0.1] = 255  # ignore_index
    subs = F.normalize(torch.randn(c, k, d, generator=g), dim=-1)
    k_c = torch.randint(1, k + 1, (c, ), generator=g)
    active = torch.arange(k)[None] < k_c[:, None]
    selected = torch.rand(n, generator=g) < p_select
    return feats, labels, subs, active, selected


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(0, 40),
    c=st.integers(1, 6),
    k=st.integers(1, 4),
    method=st.sampled_from(['sinkhorn', 'kmeans', 'nearest']))
def test_batched_equals_loop_reference(seed, n, c, k, method):
    feats, labels, subs, active, selected = _problem(seed, n, c, k, 8)
    got = assign_subcentroids(feats, labels, subs, active, selected,
                              SubcentroidClustering(method))
    ref = reference_assign(feats, labels, subs, active,
                           selected & (labels < c), method)
    assert torch.equal(got, ref)


def test_unselected_and_ignored_get_minus_one():
    feats, labels, subs, active, selected = _problem(1, 64, 5, 3, 8)
    got = assign_subcentroids(feats, labels, subs, active, selected)
    dropped = ~selected | (labels == 255)
    assert (got[dropped] == -1).all()
    assert (got[~dropped] >= 0).all()
    k_c = active.sum(1)
    assert (got[~dropped] < k_c[labels[~dropped]]).all()


def test_precomputed_similarities_and_chunking():
    feats, labels, subs, active, selected = _problem(
        2, 50, 4, 3, 16, ignore=False)
    sims = class_similarities(feats, labels, subs)
    chunked = class_similarities(feats, labels, subs, chunk_size=7)
    torch.testing.assert_close(sims, chunked)
    ref = torch.einsum('nd,nkd->nk', feats, subs[labels])
    torch.testing.assert_close(sims, ref)
    problem = (feats, labels, subs, active, selected)
    for method in ('sinkhorn', 'kmeans', 'nearest'):
        clustering = SubcentroidClustering(method)
        a = assign_subcentroids(*problem, clustering=clustering)
        b = assign_subcentroids(
            *problem, clustering=clustering, similarities=sims, chunk_size=5)
        assert torch.equal(a, b)


def test_kmeans_zero_iters_is_nearest():
    feats, labels, subs, active, _ = _problem(3, 30, 3, 4, 8, ignore=False)
    a = kmeans_subcentroids(feats, labels, subs, active, num_iters=0)
    b = assign_subcentroids(
        feats,
        labels,
        subs,
        active,
        clustering=SubcentroidClustering('nearest'))
    assert torch.equal(a, b)


def test_kmeans_finds_obvious_clusters():
    """Two tight clusters per class, centres started on the wrong side."""
    g = torch.Generator().manual_seed(0)
    d = 6
    centres = F.normalize(torch.randn(2, 2, d, generator=g), dim=-1)
    feats, labels, truth = [], [], []
    for c in range(2):
        for kk in range(2):
            pts = centres[c, kk] + 0.01 * torch.randn(10, d, generator=g)
            feats.append(F.normalize(pts, dim=1))
            labels += [c] * 10
            truth += [kk] * 10
    feats = torch.cat(feats)
    labels = torch.tensor(labels)
    truth = torch.tensor(truth)
    init = centres.clone()
    init[:, 1] = F.normalize(centres[:, 0] + 0.3 * centres[:, 1], dim=-1)
    got = assign_subcentroids(
        feats, labels, init, clustering=SubcentroidClustering('kmeans'))
    for c in range(2):
        m = labels == c
        # same partition (up to renaming)
        agree = (got[m] == truth[m]).float().mean()
        assert agree in (0.0, 1.0)


def test_bad_method():
    feats, labels, subs, active, _ = _problem(0, 4, 2, 2, 4)
    with pytest.raises(ValueError):
        assign_subcentroids(
            feats, labels, subs, clustering=SubcentroidClustering('gumbel'))
    with pytest.raises(TypeError, match='SubcentroidClustering'):
        assign_subcentroids(feats, labels, subs, clustering='sinkhorn')


def test_clustering_from_config():
    build = SubcentroidClustering.from_config
    assert build(dict(type='sinkhorn')) == SubcentroidClustering()
    assert build(dict(type='kmeans', num_iters=5)).num_iters == 5
    with pytest.raises(ValueError, match="dict with a 'type'"):
        build('kmeans')
    # an epsilon inherited from a Sinkhorn base config: the fix is named
    with pytest.raises(ValueError, match='_delete_=True'):
        build(dict(type='kmeans', epsilon=0.05, num_iters=3))
    with pytest.raises(ValueError, match='takes no options'):
        build(dict(type='nearest', num_iters=3))
    with pytest.raises(ValueError, match='epsilon must be > 0'):
        build(dict(type='sinkhorn', epsilon=0.0))
    with pytest.raises(ValueError, match='num_iters'):
        build(dict(type='sinkhorn', num_iters=0))


def test_large_imbalanced_segmentation_shape():
    """A 4k-pixel 'segmentation' batch, one dominant class, K=10."""
    g = torch.Generator().manual_seed(4)
    n, c, k, d = 4096, 15, 10, 32
    labels = torch.where(
        torch.rand(n, generator=g) < 0.8, torch.zeros(n, dtype=torch.long),
        torch.randint(0, c, (n, ), generator=g))
    labels[:50] = 255
    feats = F.normalize(torch.randn(n, d, generator=g), dim=1)
    subs = F.normalize(torch.randn(c, k, d, generator=g), dim=-1)
    got = assign_subcentroids(feats, labels, subs)
    assert (got[:50] == -1).all()
    counts = torch.bincount(got[labels == 0], minlength=k)
    # equipartition: the dominant class spreads over all its sub-centroids
    assert (counts > 0).all()


def _grouped_problem(seed, sizes, k=3, d=16, dtype=torch.float32):
    """Features whose selected rows come grouped by class, sizes as given."""
    g = torch.Generator().manual_seed(seed)
    n = 2 * sum(sizes) + 5
    feats = F.normalize(torch.randn(n, d, generator=g), dim=1).to(dtype)
    subs = F.normalize(torch.randn(len(sizes), k, d, generator=g), dim=-1)
    index = torch.randperm(n, generator=g)[:sum(sizes)]
    labels = torch.repeat_interleave(
        torch.arange(len(sizes)), torch.tensor(sizes))
    return feats, index, labels, torch.tensor(sizes), subs


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
@pytest.mark.parametrize('min_rows,chunk_size', [(4, None), (4, 3), (1, None),
                                                 (1000, 2)])
def test_grouped_similarities_equal_the_gather(dtype, min_rows, chunk_size):
    # classes without samples, with one, a few (several of the same size)
    # and many, so both the per-class products and the size buckets run,
    # split into several blocks when chunk_size is small
    sizes = [0, 1, 3, 3, 9, 2, 0, 3, 1]
    feats, index, labels, counts, subs = _grouped_problem(
        0, sizes, dtype=dtype)
    got = grouped_class_similarities(
        feats, index, counts, subs, min_rows=min_rows, chunk_size=chunk_size)
    ref = class_similarities(feats, labels, subs, index=index)
    einsum = torch.einsum('nd,nkd->nk', feats[index].float(), subs[labels])
    torch.testing.assert_close(got, ref)
    torch.testing.assert_close(ref, einsum)


@pytest.mark.parametrize('method', ['sinkhorn', 'nearest'])
def test_large_classes_equal_loop_reference(method):
    # classes big enough for their own matrix products on the CPU
    feats, labels, subs, active, selected = _problem(3, 400, 3, 4, 8)
    got = assign_subcentroids(feats, labels, subs, active, selected,
                              SubcentroidClustering(method))
    ref = reference_assign(feats, labels, subs, active,
                           selected & (labels < 3), method)
    assert torch.equal(got, ref)
