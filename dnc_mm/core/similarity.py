"""Feature–sub-centroid similarities and DNC class logits.

DNC classifies by the nearest sub-centroid (Eq. 4) and trains with
cross-entropy on ``s_c(x) = max_k <x, p_k^c>`` (Eq. 7, with ``<.,.>`` the
cosine similarity on l2-normalised vectors). This module computes

* all ``C x K`` similarities and the class logits (:func:`subcentroid_logits`),
  for the heads' forward pass;
* each sample's similarities to the ``K`` sub-centroids of *its own* class
  only (:func:`class_similarities`), which is all clustering needs: it
  gathers ``P[labels]`` in chunks so the ``(N, C, K)`` tensor is never
  formed, and :func:`gather_class_similarities` picks the same values out of
  an ``(N, C, K)`` tensor a head already has.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from ._utils import autocast_disabled

__all__ = [
    'subcentroid_logits', 'class_similarities', 'grouped_class_similarities',
    'gather_class_similarities'
]

#: Default budget (elements) of one gathered ``(chunk, K, D)`` block. On the
#: CPU a cache-sized block (1M floats = 4 MiB) is ~3x faster than big ones
#: (measured: C=1000, K=4, D=2048, N=3232: 18 ms vs 54 ms; C=150, K=10,
#: D=512, N=65536: 0.21 s vs 0.71 s, one thread); on accelerators larger
#: blocks (16M floats = 64 MiB) mean fewer kernel launches.
GATHER_BUDGET_CPU = 1 << 20
GATHER_BUDGET_ACCELERATOR = 1 << 24

#: Classes with at least this many samples get their own matrix products in
#: :func:`grouped_class_similarities`; smaller ones share batched products
#: by size (at most this many buckets).
DENSE_CLASS_ROWS = 32


def subcentroid_logits(features: Tensor,
                       subcentroids: Tensor,
                       active_mask: Optional[Tensor] = None,
                       channel_dim: int = -1) -> Tuple[Tensor, Tensor]:
    """Cosine similarities to every sub-centroid and per-class max (Eq. 7).

    ``sims[..., c, k] = <x, p_k^c>`` and ``logits[..., c] = max_k sims``
    over the *active* sub-centroids of ``c``. Both inputs are expected to be
    l2-normalised already (this function does not normalise). Gradients flow
    into ``features``; runs in the input dtype (autocast applies).

    Args:
        features: Features with ``D`` channels at ``channel_dim``, e.g.
            ``(N, D)`` for classification or ``(B, D, H, W)`` with
            ``channel_dim=1`` for segmentation.
        subcentroids: ``(C, K, D)`` sub-centroids.
        active_mask: ``(C, K)`` bool of active sub-centroids; inactive ones
            are excluded from the max (their similarity is still returned).
        channel_dim: Where ``D`` sits in ``features``.

    Returns:
        A tuple ``(logits, sims)``. With ``features`` of shape
        ``(*pre, D, *post)``: ``logits`` is ``(*pre, C, *post)`` and ``sims``
        is ``(*pre, C, K, *post)``.
    """
    c, k, d = subcentroids.shape
    dim = channel_dim % features.dim()
    x = features.movedim(dim, -1)
    if x.shape[-1] != d:
        raise ValueError(f'features have {x.shape[-1]} channels at dim '
                         f'{channel_dim}, sub-centroids have {d}')
    flat = subcentroids.reshape(c * k, d).to(x.dtype)
    sims = torch.matmul(x, flat.t()).unflatten(-1, (c, k))  # (..., C, K)
    if active_mask is not None:
        active = active_mask.to(device=sims.device, dtype=torch.bool)
        masked = sims.masked_fill(~active, float('-inf'))
        logits = masked.amax(dim=-1)
    else:
        logits = sims.amax(dim=-1)
    if dim != features.dim() - 1:
        logits = logits.movedim(-1, dim)
        sims = sims.movedim((-2, -1), (dim, dim + 1))
    return logits, sims


def _chunk_rows(features: Tensor, k: int, chunk_size: Optional[int]) -> int:
    """Samples per gathered ``(chunk, K, D)`` block under the memory budget."""
    if chunk_size is not None:
        return chunk_size
    budget = (
        GATHER_BUDGET_CPU
        if features.device.type == 'cpu' else GATHER_BUDGET_ACCELERATOR)
    return max(1, budget // max(1, k * features.shape[1]))


def class_similarities(features: Tensor,
                       labels: Tensor,
                       subcentroids: Tensor,
                       chunk_size: Optional[int] = None,
                       index: Optional[Tensor] = None) -> Tensor:
    """Similarity of every sample to the sub-centroids of its own class.

    ``out[n, k] = <x_n, p_k^{y_n}>`` — the input of the class-wise clustering
    of Eq. 5 for all classes at once. Computed in float32 with autocast off,
    in chunks of samples so that the gathered ``P[labels]`` block
    ``(chunk, K, D)`` stays below :data:`GATHER_BUDGET_CPU` elements on the
    CPU and :data:`GATHER_BUDGET_ACCELERATOR` elsewhere.
    No gradient.

    Args:
        features: ``(N, D)`` l2-normalised features (any float dtype).
        labels: ``(M,)`` int64 classes in ``[0, C)``, one per sample used.
        subcentroids: ``(C, K, D)`` sub-centroids.
        chunk_size: Samples per chunk; ``None``: from the memory budget.
        index: Optional ``(M,)`` rows of ``features`` to use (sample ``m``
            is ``features[index[m]]``), read chunk by chunk instead of
            copying the selected rows first; ``None``: all rows, ``M = N``.

    Returns:
        ``(M, K)`` float32 similarities.
    """
    k = subcentroids.shape[1]
    m = labels.shape[0]
    chunk_size = _chunk_rows(features, k, chunk_size)
    device = features.device
    with autocast_disabled(device), torch.no_grad():
        protos = subcentroids.detach().float()
        out = torch.empty((m, k), dtype=torch.float32, device=device)
        for start in range(0, m, chunk_size):
            end = min(m, start + chunk_size)
            x = (
                features[start:end] if index is None else
                features.index_select(0, index[start:end]))
            x = x.detach().float().unsqueeze(1)  # (n, 1, D)
            # index_select on rows is a plain row copy (much faster on CPU
            # than advanced indexing)
            p = protos.index_select(0, labels[start:end])  # (n, K, D)
            # (n, 1, D) @ (n, D, K): ~2x faster on the CPU than
            # (n, K, D) @ (n, D, 1)
            out[start:end] = torch.bmm(x, p.transpose(1, 2)).squeeze(1)
    return out


def grouped_class_similarities(features: Tensor,
                               index: Tensor,
                               counts: Tensor,
                               subcentroids: Tensor,
                               min_rows: int = DENSE_CLASS_ROWS,
                               chunk_size: Optional[int] = None) -> Tensor:
    """:func:`class_similarities` for samples grouped by class, on the CPU.

    The samples come sorted by class (``counts[0]`` samples of class 0, then
    ``counts[1]`` of class 1, ...), and are read from ``features`` block by
    block (the selected rows are never copied as a whole). A class with at
    least ``min_rows`` samples gets one matrix product ``X_c P_c^T`` per
    block of its rows, read into a reused buffer. Smaller classes are
    bucketed by their size ``m``: one batched product ``(classes, m, D) @
    (classes, D, K)`` per bucket and block. Either way ``P_c`` is read once
    per class (per block), where the gather of :func:`class_similarities`
    copies ``K D`` floats per sample. Same values as
    :func:`class_similarities` up to float rounding. No gradient.

    Args:
        features: ``(N, D)`` l2-normalised features (any float dtype).
        index: ``(M,)`` rows of ``features``, grouped by class.
        counts: ``(C,)`` int64 number of samples of every class (sums to
            ``M``): ``index``'s first ``counts[0]`` rows are of class 0,
            and so on.
        subcentroids: ``(C, K, D)`` sub-centroids.
        min_rows: Smallest class that gets its own matrix products (fewer
            Python-level calls for the many small classes of a memory).
        chunk_size: Rows per block; ``None``: :data:`GATHER_BUDGET_CPU`
            floats.

    Returns:
        ``(M, K)`` float32 own-class similarities, in the order of ``index``.
    """
    m = index.shape[0]
    k, d = subcentroids.shape[1:]
    device = features.device
    block = max(1, (GATHER_BUDGET_CPU //
                    max(1, d)) if chunk_size is None else chunk_size)
    with autocast_disabled(device), torch.no_grad():
        protos = subcentroids.detach().float()
        out = torch.empty((m, k), dtype=torch.float32, device=device)
        # float32 rows are read into one reused block (no allocation per
        # block); other dtypes are upcast block by block
        reuse = features.dtype == torch.float32
        buf = features.new_empty((min(block, m), d)) if reuse else None
        starts = torch.cumsum(counts, 0) - counts
        large = (counts >= min_rows).nonzero().squeeze(1)
        for cls, start, n in zip(large.tolist(),
                                 starts.index_select(0, large).tolist(),
                                 counts.index_select(0, large).tolist()):
            p_t = protos[cls].t()  # (D, K)
            for s in range(start, start + n, block):
                e = min(start + n, s + block)
                if reuse:
                    x = torch.index_select(
                        features, 0, index[s:e], out=buf[:e - s])
                else:
                    x = features.index_select(0, index[s:e]).float()
                torch.mm(x, p_t, out=out[s:e])
        # Small classes, bucketed by their size m: one batched product
        # (classes, m, D) @ (classes, D, K) per bucket, P_c read once per
        # class instead of once per sample.
        sizes_present = torch.bincount(
            counts.clamp(max=min_rows), minlength=min_rows + 1)[:min_rows]
        for m_c in sizes_present.nonzero().squeeze(1).tolist():
            if m_c == 0:
                continue
            classes = (counts == m_c).nonzero().squeeze(1)
            per_chunk = max(1, block // (m_c + k))
            for c0 in range(0, classes.numel(), per_chunk):
                chunk = classes[c0:c0 + per_chunk]
                pos = (starts.index_select(0, chunk).unsqueeze(1) +
                       torch.arange(m_c, device=device)).view(-1)
                x = features.index_select(0, index.index_select(0, pos))
                x = x.float().view(chunk.numel(), m_c, d)
                p = protos.index_select(0, chunk)  # (classes, K, D)
                out[pos] = torch.bmm(x, p.transpose(1, 2)).view(-1, k)
    return out


def gather_class_similarities(sims: Tensor, labels: Tensor) -> Tensor:
    """Pick each sample's own-class similarities out of all of them.

    Args:
        sims: ``(N, C, K)`` similarities, e.g. the second output of
            :func:`subcentroid_logits` on ``(N, D)`` features.
        labels: ``(N,)`` int64 classes in ``[0, C)``.

    Returns:
        ``(N, K)`` float32, detached: ``sims[n, labels[n], :]``.
    """
    n, _, k = sims.shape
    idx = labels.view(n, 1, 1).expand(n, 1, k)
    return sims.detach().gather(1, idx).squeeze(1).float()
