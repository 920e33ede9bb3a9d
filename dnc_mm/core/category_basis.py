"""Category-basis prototypes (CBP; §3.2 and Algorithm 1 of the paper).

CBP: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.

Pure PyTorch. ``N`` prototypes of dimension ``C`` are drawn once before
training from Kaiming's normal initialisation, orthogonalised with
Gram–Schmidt and rescaled so that every one has the same l2 norm (the
"length"). A segmentation head then scores pixel ``i`` for class ``l`` with
the plain inner product ``f_i^T w_l`` (Eq. 1).

The ablations of the paper are also here: without orthogonalisation or
without equalisation (Table 5), the orthogonality penalty of the "Penalty"
row of Table 4, and the EMA update of the "EMA" row of Table 4.
"""
import math
from typing import Optional

import torch
from torch import Tensor

__all__ = [
    'check_basis_size', 'gram_schmidt', 'equalize_norms',
    'category_basis_prototypes', 'orthogonality_penalty',
    'ema_update_prototypes'
]


def check_basis_size(num_classes: int, channels: int) -> None:
    """Refuse a basis that cannot be mutually orthogonal.

    ``N`` mutually orthogonal non-zero vectors need ``C >= N`` dimensions
    (the paper's stated limitation, §5).

    Raises:
        ValueError: naming both numbers and the fix.
    """
    if num_classes < 1 or channels < 1:
        raise ValueError(f'category-basis prototypes need num_classes >= 1 '
                         f'and channels >= 1, got num_classes={num_classes}, '
                         f'channels={channels}')
    if channels < num_classes:
        raise ValueError(
            f'category-basis prototypes: {num_classes} classes cannot have '
            f'mutually orthogonal prototypes in {channels} channels (need '
            f'channels >= num_classes). Fix: set the decode head\'s '
            f'`channels` to at least {num_classes}, or disable '
            f'orthogonalisation (orthogonalize=False).')


def gram_schmidt(vectors: Tensor, eps: float = 1e-10) -> Tensor:
    """Orthogonalise the rows of ``vectors`` in order (Algorithm 1, l. 3–11).

    Row ``k`` minus its projections on the already orthogonalised rows
    ``0..k-1``; the rows are *not* normalised (Algorithm 1 equalises the
    norms afterwards). Computed in float64 with the modified (re-projected)
    Gram–Schmidt recursion, which is numerically stable for ``N`` up to
    ``C``; returned in the input dtype.

    Args:
        vectors: ``(N, C)`` with ``N <= C``.
        eps: Relative norm under which a row counts as linearly dependent.

    Returns:
        ``(N, C)`` mutually orthogonal rows spanning the same flag of
        subspaces as the input rows.

    Raises:
        ValueError: ``N > C`` or linearly dependent rows.
    """
    if vectors.dim() != 2:
        raise ValueError(f'gram_schmidt expects (N, C), got shape '
                         f'{tuple(vectors.shape)}')
    n, c = vectors.shape
    check_basis_size(n, c)
    basis = vectors.detach().to(torch.float64).clone()
    for k in range(n):
        row = basis[k]
        scale = row.norm()
        if k > 0:
            prev = basis[:k]
            sq = (prev * prev).sum(1)
            # two passes of projection removal ("twice is enough")
            for _ in range(2):
                row = row - ((prev @ row) / sq) @ prev
        if row.norm() <= eps * max(float(scale), 1.0):
            raise ValueError(f'gram_schmidt: row {k} is linearly dependent '
                             'on the previous rows')
        basis[k] = row
    return basis.to(vectors.dtype)


def equalize_norms(vectors: Tensor, length: float) -> Tensor:
    """Rescale every row to l2 norm ``length`` (Algorithm 1, l. 12).

    Args:
        vectors: ``(N, C)`` non-zero rows.
        length: Target norm ``T > 0``.

    Returns:
        ``(N, C)`` rows of norm ``length``.
    """
    if not length > 0:
        raise ValueError(f'length must be > 0, got {length}')
    norms = vectors.norm(dim=1, keepdim=True)
    return vectors * (
        length / norms.clamp_min(torch.finfo(vectors.dtype).tiny))


def category_basis_prototypes(num_classes: int,
                              channels: int,
                              length: float = 2.0,
                              orthogonalize: bool = True,
                              equalize: bool = True,
                              generator: Optional[torch.Generator] = None,
                              dtype: torch.dtype = torch.float32) -> Tensor:
    """Draw the ``(N, C)`` category-basis prototypes of Algorithm 1.

    1. Kaiming normal initialisation (fan-in ``C``, ReLU gain): entries
       ``~ N(0, 2 / C)``;
    2. Gram–Schmidt orthogonalisation (``orthogonalize``);
    3. every row rescaled to norm ``length`` (``equalize``).

    Table 5's "no equalisation" keeps the Gram–Schmidt norms of step 2 and
    "no orthogonalisation" rescales the raw Kaiming rows.

    Args:
        num_classes: ``N``.
        channels: ``C`` (the decoder's channel dimension); ``C >= N`` when
            ``orthogonalize``.
        length: Common l2 norm (paper: 2 by default, 0.3–3 per model).
        orthogonalize: Apply Gram–Schmidt.
        equalize: Rescale to equal norms.
        generator: Optional random generator (default: torch's global one,
            seeded by mmengine's ``randomness.seed``).
        dtype: Output dtype.

    Returns:
        ``(N, C)`` prototypes.
    """
    if orthogonalize:
        check_basis_size(num_classes, channels)
    elif num_classes < 1 or channels < 1:
        check_basis_size(num_classes, channels)
    w = torch.randn(
        num_classes, channels, generator=generator,
        dtype=torch.float64) * math.sqrt(2.0 / channels)
    if orthogonalize:
        w = gram_schmidt(w)
    if equalize:
        w = equalize_norms(w, length)
    return w.to(dtype)


def orthogonality_penalty(prototypes: Tensor) -> Tensor:
    """Mean squared cosine similarity between different prototypes.

    The "Penalty" row of Table 4 pushes the cosine similarity of every pair
    of prototypes towards 0 (weight 0.01 in the paper); this is the mean of
    ``cos(w_i, w_j)^2`` over the ``N (N - 1)`` ordered pairs ``i != j``
    (0 for an orthogonal basis). Computed in fp32.

    Args:
        prototypes: ``(N, C)``.

    Returns:
        Scalar tensor (differentiable).
    """
    n = prototypes.shape[0]
    if n < 2:
        return prototypes.sum() * 0.0
    w = torch.nn.functional.normalize(prototypes.float(), dim=1)
    cos = w @ w.t()
    off = cos - torch.diag_embed(torch.diagonal(cos))
    return off.pow(2).sum() / (n * (n - 1))


@torch.no_grad()
def ema_update_prototypes(prototypes: Tensor,
                          sums: Tensor,
                          counts: Tensor,
                          momentum: float,
                          length: Optional[float] = None) -> Tensor:
    """Move prototypes towards the batch's category centroids (Table 4, EMA).

    ``w_l <- m w_l + (1 - m) c_l`` for every class with ``counts[l] > 0``
    where ``c_l = sums[l] / counts[l]`` is the class's mean feature; classes
    absent from the batch keep their prototype bit for bit. With ``length``
    the updated prototypes are rescaled to that norm (the ablation keeps the
    equalisation and only lets the directions move). In place.

    Args:
        prototypes: ``(N, C)`` buffer, updated in place.
        sums: ``(N, C)`` per-class feature sums (already summed over ranks).
        counts: ``(N,)`` per-class pixel counts (summed over ranks).
        momentum: ``m`` in ``[0, 1]``.
        length: Optional common norm to restore after the update.

    Returns:
        ``prototypes``.
    """
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f'momentum must be in [0, 1], got {momentum}')
    present = counts > 0
    if not bool(present.any()):
        return prototypes
    means = sums[present].float() / counts[present].float().unsqueeze(1)
    new = momentum * prototypes[present].float() + (1.0 - momentum) * means
    if length is not None:
        new = equalize_norms(new, length)
    prototypes[present] = new.to(prototypes.dtype)
    return prototypes
