"""Exact linear assignment through a sparse candidate graph, certified.

HPL (Saadabadi et al., "Hyperspherical Classification with Dynamic
Label-to-Prototype Assignment", CVPR 2024,
https://arxiv.org/abs/2403.16937, Eq. 9) re-solves a ``c × c`` linear
assignment on the cost ``−z̄ Wᵀ`` once per epoch. A dense solver
(:func:`scipy.optimize.linear_sum_assignment`) needs ``O(c³)`` time in the
worst case and takes tens of seconds at ``c = 10,000``, yet on HPL's costs
every class is matched to one of its few best prototypes. This module
solves the problem on a sparse candidate graph and proves the answer:

1. candidates: the ``k`` cheapest columns of every row plus a full
   matching — the previous assignment (warm start) or, cold, a greedy
   one — so that a full matching always exists among them;
2. the sparse problem is solved by
   :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching`, with
   a known full matching stored first in every row (the warm start, then
   the previous round's matching): scipy first checks feasibility with a
   Hopcroft–Karp search that takes exponential time on the layered
   candidate graphs of low-dimensional costs (scipy/scipy#26147, open in
   scipy 1.17); with that order its first, greedy phase already ends it;
3. dual variables are computed from the matching (shortest paths in the
   graph of swaps ``σ(i) → j`` with weight ``c_ij − c_iσ(i)``, by
   Bellman–Ford): ``v_j`` per column, ``u_i = c_iσ(i) − v_σ(i)``;
4. certificate: the reduced costs ``r_ij = c_ij − u_i − v_j`` of **all**
   ``c × P`` entries are checked; ``r ≥ −ε`` everywhere proves the
   matching optimal (LP duality). Entries with ``r < −ε`` join the
   candidate graph and the problem is solved again;
5. uniqueness: every other full matching costs ``Σ r`` over its edges
   more, so if the near-tight entries (``r ≤ τ``) form no alternating
   cycle, every other matching is worse by more than ``τ − 2nε`` and any
   exact solver, :func:`~scipy.optimize.linear_sum_assignment` included,
   returns the same matching.

Whenever a step cannot prove its result (a negative cycle, too many
rounds, a mass of near-tight entries, or a near-tie: an alternating cycle
of near-tight entries) the dense solver is
run on the **same** cost matrix. The result therefore always equals
``linear_sum_assignment(cost)``: by proof where the sparse path returns,
by construction where it falls back. ``τ = tol · scale`` with
``scale = max(1, max |c|)``, ``ε = τ / (4n)``; with ``tol = 1e-9`` the
float64 rounding of the reduced costs (about ``1e-16 · scale``) is far
below ``ε`` and the gap ``τ`` is far above
``linear_sum_assignment``'s own rounding.

Pure numpy/scipy/PyTorch (the cost matrix may be a CPU tensor or a numpy
array); no OpenMMLab imports.
"""
from typing import Dict, Optional, Tuple, Union

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import (connected_components,
                                  min_weight_full_bipartite_matching)
from torch import Tensor

from ._utils import check_choice

ArrayLike = Union[np.ndarray, Tensor]

#: ``solver`` values of :func:`solve_assignment`.
SOLVERS = ('auto', 'sparse', 'dense')
#: ``ties`` values of :func:`solve_assignment`.
TIE_RULES = ('dense', 'any')


def dense_assignment(cost: ArrayLike) -> np.ndarray:
    """``linear_sum_assignment`` on ``cost`` as a column per row.

    Args:
        cost: ``(n, m)`` cost matrix, ``n <= m`` (float32 or float64; the
            values are taken exactly, in float64).

    Returns:
        ``(n,)`` int64 array: the column of each row.
    """
    cost = _as_numpy(cost)
    rows, cols = linear_sum_assignment(cost.astype(np.float64, copy=False))
    out = np.empty(cost.shape[0], dtype=np.int64)
    out[rows] = cols
    return out


def solve_assignment(cost: ArrayLike,
                     solver: str = 'auto',
                     ties: str = 'dense',
                     warm_start: Optional[ArrayLike] = None,
                     k: int = 8,
                     tol: float = 1e-9,
                     max_rounds: int = 6,
                     dense_below: int = 2000,
                     max_bf_iters: int = 2000,
                     block_rows: int = 1024) -> Tuple[np.ndarray, Dict]:
    """Minimum-cost assignment of every row to a distinct column.

    Args:
        cost: ``(n, m)`` cost matrix, ``n <= m``; a CPU tensor or numpy
            array, float32 or float64 (never copied to float64 whole
            unless the dense solver runs).
        solver: ``'auto'`` (sparse with certificate for ``n >=
            dense_below``, else dense), ``'sparse'`` (always try the sparse
            path first) or ``'dense'`` (``linear_sum_assignment`` only).
        ties: When the sparse matching is optimal but not the only optimal
            matching (within ``τ``): ``'dense'`` runs the dense solver, so
            the result is always ``linear_sum_assignment``'s; ``'any'``
            returns the certified optimal sparse matching (same optimal
            cost, possibly another of the optimal matchings).
        warm_start: ``(n,)`` previous column of each row (distinct
            entries), added to the candidate graph; optional.
        k: Cheapest candidate columns per row.
        tol: Relative tie gap ``τ / scale`` (see the module docstring).
        max_rounds: Rounds of enlarging the candidate graph before the
            dense fallback.
        dense_below: ``'auto'`` solves smaller problems densely (the dense
            solver is then faster than the certificate).
        max_bf_iters: Bellman–Ford sweeps before the dense fallback.
        block_rows: Rows per block of the certificate pass.

    Returns:
        ``(n,)`` int64 column of each row, equal to
        :func:`dense_assignment` on ``cost``, and a dict with ``solver``
        (``'sparse'`` or ``'dense'``), ``reason`` (why the dense solver
        ran, or ``''``), ``rounds``, ``edges`` (candidate entries of the
        last round) and ``k``.
    """
    check_choice('solver', solver, SOLVERS)
    check_choice('ties', ties, TIE_RULES)
    n, m = cost.shape
    if n > m:
        raise ValueError(f'{n} rows need at least as many columns, got {m}')
    info = dict(solver='dense', reason='', rounds=0, edges=0, k=k)
    if n == 0:
        return np.zeros(0, dtype=np.int64), info
    if solver == 'dense' or (solver == 'auto' and n < dense_below):
        info['reason'] = 'requested' if solver == 'dense' else 'small'
        return dense_assignment(cost), info
    cost_t = _as_tensor(cost)
    low, high = torch.aminmax(cost_t)
    scale = max(1.0, abs(float(low)), abs(float(high)))
    # a sum is cheaper than isfinite(); it is not finite with NaN / inf
    if not (np.isfinite(scale) and np.isfinite(float(cost_t.sum()))
            or bool(torch.isfinite(cost_t).all())):
        info['reason'] = 'non-finite cost'
        return dense_assignment(cost), info
    result = _sparse_certified(cost_t, scale, warm_start, k, tol, max_rounds,
                               max_bf_iters, block_rows, ties == 'dense', info)
    if result is None:
        return dense_assignment(cost), info
    info['solver'] = 'sparse'
    return result, info


# ----------------------------------------------------------------- internals
def _as_numpy(cost: ArrayLike) -> np.ndarray:
    if isinstance(cost, Tensor):
        return cost.detach().cpu().numpy()
    return np.asarray(cost)


def _as_tensor(cost: ArrayLike) -> Tensor:
    if isinstance(cost, Tensor):
        cost = cost.detach().cpu()
        return cost if cost.is_floating_point() else cost.double()
    cost = np.asarray(cost)
    if not np.issubdtype(cost.dtype, np.floating):
        cost = cost.astype(np.float64)
    return torch.from_numpy(np.ascontiguousarray(cost))


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted unique entries (a sort: faster than ``np.unique`` here)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys


def _valid_warm_start(warm_start: Optional[ArrayLike], n: int,
                      m: int) -> Optional[np.ndarray]:
    """The warm start as ``(n,)`` int64 distinct columns, or None when it
    is absent or not such an array (it is only a hint)."""
    if warm_start is None:
        return None
    prev = _as_numpy(warm_start).astype(np.int64).reshape(-1)
    if (prev.shape == (n, ) and prev.min() >= 0 and prev.max() < m
            and _unique(prev).size == n):
        return prev
    return None


def _candidates(
        cost: Tensor, k: int,
        warm_start: Optional[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """Candidate entries and a lower bound on every other entry.

    Args:
        cost: ``(n, m)`` cost.
        k: Cheapest entries per row.
        warm_start: ``(n,)`` valid warm start (see
            :func:`_valid_warm_start`) or None.

    Returns:
        Sorted unique flat keys ``i·m + j`` of the ``k`` cheapest entries
        of every row plus the warm start, and ``(n,)`` float64 ``kth``: the
        largest of row ``i``'s ``k`` cheapest values, so every entry outside
        them has ``c_ij >= kth_i``.
    """
    n, m = cost.shape
    k = min(k, m)
    vals, cols = torch.topk(cost, k, dim=1, largest=False, sorted=False)
    kth = vals.amax(1).double().numpy()
    if k == m:  # every entry is a candidate
        kth = np.full(n, np.inf)
    keys = (torch.arange(n)[:, None] * m + cols).reshape(-1).numpy()
    if warm_start is not None:
        keys = np.concatenate([keys, np.arange(n) * m + warm_start])
    return _unique(keys), kth


def _greedy_matching(cost: Tensor, keys: np.ndarray,
                     vals: np.ndarray) -> np.ndarray:
    """A full matching for a cold start: candidate entries taken cheapest
    first while their row and column are free, then each row left over
    takes its cheapest free column (a scan of that row only).

    Returns:
        ``(n,)`` int64 distinct columns (not optimal; a feasible start).
    """
    n, m = cost.shape
    order = np.argsort(vals, kind='stable')
    rows, cols = np.divmod(keys[order], m)
    sigma = np.full(n, -1, dtype=np.int64)
    used = np.zeros(m, dtype=bool)
    for i, j in zip(rows.tolist(), cols.tolist()):
        if sigma[i] < 0 and not used[j]:
            sigma[i] = j
            used[j] = True
    taken = torch.from_numpy(used)
    for i in np.flatnonzero(sigma < 0).tolist():
        j = int(cost[i].masked_fill(taken, float('inf')).argmin())
        sigma[i] = j
        taken[j] = True
    return sigma


def _entries(cost: Tensor, keys: np.ndarray) -> np.ndarray:
    """float64 values of the entries with flat keys ``keys``."""
    flat = cost.reshape(-1)
    return flat[torch.from_numpy(keys)].double().numpy()


def _match(keys: np.ndarray, vals: np.ndarray, n: int, m: int,
           known: np.ndarray) -> Optional[np.ndarray]:
    """Min-weight full matching of the candidate graph (None: none).

    ``known``: ``(n,)`` distinct columns of a full matching among the
    candidates (the warm start or the greedy one, then the previous
    round's matching). Its edge goes first in every row of the graph
    handed to scipy: scipy checks that a full matching exists with a
    Hopcroft–Karp search that can take exponential time on layered graphs
    such as low-dimensional HPL costs give (scipy/scipy#26147); its first
    phase takes each row's first free column in storage order, so with a
    known matching listed first it ends at once.
    """
    rows, cols = np.divmod(keys, m)
    # explicit zeros are dropped by scipy: shift every row to weights >= 1
    # (a per-row constant changes every full matching's cost alike)
    low = np.full(n, np.inf)
    np.minimum.at(low, rows, vals)
    weights = vals - low[rows] + 1.0
    # rows stay sorted, the known edge first in each
    order = np.lexsort((cols != known[rows], rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    graph = csr_matrix((weights, cols, indptr), shape=(n, m))
    try:
        r, c = min_weight_full_bipartite_matching(graph)
    except ValueError:
        return None
    sigma = np.empty(n, dtype=np.int64)
    sigma[r] = c
    return sigma


def _column_duals(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray,
                  sigma: np.ndarray, m: int, slack: float,
                  max_iters: int) -> Optional[np.ndarray]:
    """Shortest-path potentials ``v`` of the swap graph (None: failed).

    Node ``j`` is a column; entry ``(i, j)`` is the edge ``σ(i) → j`` of
    weight ``c_ij − c_iσ(i)``; every node starts at 0 (a source joined to
    all). Relaxations smaller than ``slack`` are skipped, so rounding
    cannot make a zero-cost cycle loop forever.
    """
    matched = vals[cols == sigma[rows]]
    own = np.empty(sigma.shape[0])
    own[rows[cols == sigma[rows]]] = matched
    keep = cols != sigma[rows]
    src, dst = sigma[rows[keep]], cols[keep]
    w = vals[keep] - own[rows[keep]]
    order = np.argsort(dst, kind='stable')
    src, dst, w = src[order], dst[order], w[order]
    dist = np.zeros(m)
    if dst.size == 0:
        return dist
    heads = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    targets = dst[heads]
    for _ in range(max_iters):
        best = np.minimum.reduceat(dist[src] + w, heads)
        better = best < dist[targets] - slack
        if not better.any():
            return dist
        dist[targets[better]] = best[better]
    return None


def _near_tight(cost: Tensor, keys: np.ndarray, vals: np.ndarray,
                kth: np.ndarray, u: np.ndarray, v: np.ndarray, tau: float,
                scale: float, block_rows: int,
                limit: int) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """Flat keys and reduced costs of all entries with ``r <= tau``.

    ``v <= 0``, so an entry outside row ``i``'s ``k`` cheapest has
    ``r_ij >= kth_i − u_i``: rows where that bound exceeds ``tau`` need
    only their candidates; the other rows are scanned whole (screened in
    the cost's dtype, the survivors recomputed in float64). None when more
    than ``limit`` entries qualify (a mass of ties).
    """
    n, m = cost.shape
    rows, cols = np.divmod(keys, m)
    red = vals - u[rows] - v[cols]
    scanned = kth - u <= tau
    keep = (red <= tau) & ~scanned[rows]
    out_keys, out_red = [keys[keep]], [red[keep]]
    found = int(keep.sum())
    # screen the scanned rows in the cost's dtype (``margin`` covers its
    # rounding), then take the survivors' reduced costs in float64
    scan = torch.from_numpy(np.flatnonzero(scanned))
    dtype = cost.dtype
    margin = 4 * torch.finfo(dtype).eps * (
        scale + float(np.abs(u).max()) + float(np.abs(v).max()))
    v_t = torch.from_numpy(v).to(dtype)
    thr = torch.from_numpy(u + (tau + margin)).to(dtype)
    for start in range(0, scan.numel(), block_rows):
        part = scan[start:start + block_rows]
        idx = torch.nonzero(cost[part].sub_(v_t) <= thr[part, None])
        found += idx.shape[0]
        if found > limit:
            return None
        hit = (part[idx[:, 0]] * m + idx[:, 1]).numpy()
        h_rows, h_cols = np.divmod(hit, m)
        hit_red = _entries(cost, hit) - u[h_rows] - v[h_cols]
        out_keys.append(hit[hit_red <= tau])
        out_red.append(hit_red[hit_red <= tau])
    return np.concatenate(out_keys), np.concatenate(out_red)


def _has_alternating_cycle(keys: np.ndarray, sigma: np.ndarray, v: np.ndarray,
                           m: int, tau: float) -> bool:
    """A cycle of near-tight swaps, i.e. another (near-)optimal matching.

    Swap edges ``σ(i) → j`` for the near-tight entries ``(i, j)``; for
    ``n < m`` a node ``z`` closes paths that end in a free column (edge
    ``free → z``) and start in a column whose dual is near 0 (``z → a``):
    such a path moves rows onto a free column at a near-zero price.
    """
    rows, cols = np.divmod(keys, m)
    keep = cols != sigma[rows]
    src, dst = sigma[rows[keep]], cols[keep]
    n = sigma.shape[0]
    nodes = m
    if n < m:
        free = np.ones(m, dtype=bool)
        free[sigma] = False
        cheap = np.flatnonzero(~free & (v >= -tau))
        z = m
        nodes = m + 1
        src = np.concatenate(
            [src, np.flatnonzero(free),
             np.full(cheap.size, z)])
        dst = np.concatenate([dst, np.full(int(free.sum()), z), cheap])
    if src.size == 0:
        return False
    graph = csr_matrix((np.ones(src.size), (src, dst)), shape=(nodes, nodes))
    count, labels = connected_components(
        graph, directed=True, connection='strong')
    return bool(count < nodes and np.bincount(labels).max() > 1)


def _sparse_certified(cost: Tensor, scale: float,
                      warm_start: Optional[ArrayLike], k: int, tol: float,
                      max_rounds: int, max_bf_iters: int, block_rows: int,
                      unique: bool, info: Dict) -> Optional[np.ndarray]:
    """The sparse path of :func:`solve_assignment`; None = use dense."""
    n, m = cost.shape
    # a full matching among the candidates is always known (the warm start,
    # else a greedy one; then each round's matching, as the candidates only
    # grow): it guarantees a solution and makes scipy's check linear
    known = _valid_warm_start(warm_start, n, m)
    keys, kth = _candidates(cost, k, known)
    if known is None:
        known = _greedy_matching(cost, keys, _entries(cost, keys))
        keys = _unique(np.concatenate([keys, np.arange(n) * m + known]))
    tau = tol * scale
    eps = tau / (4 * n)
    for round_ in range(1, max_rounds + 1):
        info.update(rounds=round_, edges=int(keys.size))
        vals = _entries(cost, keys)
        sigma = _match(keys, vals, n, m, known)
        if sigma is None:  # cannot happen: ``known`` is among the candidates
            info['reason'] = 'no full matching among the candidates'
            return None
        known = sigma
        rows, cols = np.divmod(keys, m)
        v = _column_duals(rows, cols, vals, sigma, m, eps / 8, max_bf_iters)
        if v is None:
            info['reason'] = 'no dual solution (negative cycle)'
            return None
        if n < m:
            free = np.ones(m, dtype=bool)
            free[sigma] = False
            if v[free].min() < -eps:
                info['reason'] = 'free column with negative dual'
                return None
            v[free] = 0.0
        own = _entries(cost, np.arange(n) * m + sigma)
        u = own - v[sigma]
        tight = _near_tight(
            cost,
            keys,
            vals,
            kth,
            u,
            v,
            tau,
            scale,
            block_rows,
            limit=4 * (n + int(keys.size)))
        if tight is None:
            info['reason'] = 'ties (too many near-tight entries)'
            return None
        tight_keys, tight_red = tight
        violated = tight_keys[tight_red < -eps]
        if violated.size == 0:
            info['tie'] = _has_alternating_cycle(tight_keys, sigma, v, m, tau)
            if info['tie'] and unique:
                info['reason'] = 'tie (another optimal matching within tau)'
                return None
            return sigma
        keys = _unique(np.concatenate([keys, violated]))
    info['reason'] = f'not certified after {max_rounds} rounds'
    return None
