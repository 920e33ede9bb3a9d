"""Online centroid contrastive loss (OCCL; CBP paper §3.3, Eqs. 3–6).

CBP paper: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.

Pure PyTorch (plus :func:`scipy.ndimage.label` for connected components).

Views (how the objects are split). An *object* is a 4-connected component of
one class in one image of the batch (label map at feature resolution).
For every class, its objects across the whole batch are put in random order
and dealt alternately to view 1 and view 2, so each view holds half of the
class's objects (one more in view 1 for an odd number). A class with a single
object in the batch (very common: one "wall" region) would leave view 2
empty; that object's pixels are instead split in raster order (row by row,
first ``ceil(n / 2)`` pixels to view 1, the rest to view 2), i.e. its upper
and lower part. A class with a single pixel cannot have two views and does
not take part in OCCL. Hence both views contain exactly the same classes,
as the paper requires ("y_i contains the same number of categories as y
while the number of objects is half").

Losses. With the view centroids ``v_{l,x}`` (Eq. 3), the category centroids
``s_l = (v_{l,1} + v_{l,2}) / 2`` and the prototypes ``w_l``, for every
class ``l`` present in the views (``P`` of them):

* centroid loss (Eq. 4) of view ``x`` (``x'`` is the other view)::

      -log  exp(v_{l,x}.v_{l,x'} / t) /
            (exp(v_{l,x}.v_{l,x'} / t) + sum_{j in P, j != l}
             exp(v_{l,x}.SG(s_j) / t))

* category loss (Eq. 5) of view ``x``: cross-entropy of the logits
  ``v_{l,x}.w_j / t`` over all ``N`` classes with target ``l``::

      -log  exp(v_{l,x}.w_l / t) / sum_{j=1..N} exp(v_{l,x}.w_j / t)

Both are averaged over the present classes. By default (``normalize=True``)
the view and category centroids are l2-normalised before the inner products
(the prototypes keep their norm, so the category logits are
``|w_j| cos(v, w_j) / t``, like the classifier's logits ``f^T w``): the
paper writes plain inner products, but with raw decoder features and
``t = 0.07`` the literal version diverged in our runs (``L_occ`` grew from
about 45 to 7e4 within 20 SGD iterations of the bundled FCN benchmark, see
``docs/methods/cbp_occl.md``); ``normalize=False`` gives the literal
formula. The paper prints Eqs. (4) and
(5) as ratios without ``-log`` and with a sum over classes; we implement the
standard InfoNCE (``-log`` of the ratio) and average over the classes present
so that the loss scale does not grow with the number of classes in a batch.
``SG`` (stop-gradient) is applied to the negatives' category centroids as in
Eq. 4. All exponentials are evaluated as log-sum-exp in fp32, also under
autocast.
"""
from typing import Dict, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage
from torch import Tensor

from ._utils import autocast_disabled

__all__ = [
    'split_views', 'view_centroids', 'centroid_loss', 'category_loss',
    'online_centroid_contrastive_loss'
]

_FOUR_CONNECTED = ndimage.generate_binary_structure(2, 1)


def _object_ids(labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Connected components of every class in every image.

    Args:
        labels: ``(B, H, W)`` int64, ``-1`` = not used.

    Returns:
        ``(B, H, W)`` int64 object ids (``-1`` outside objects) numbered
        ``0..M-1`` across the batch, and ``(M,)`` class of each object.
    """
    obj = np.full(labels.shape, -1, dtype=np.int64)
    classes = []
    offset = 0
    for b in range(labels.shape[0]):
        img = labels[b]
        for cls in np.unique(img):
            if cls < 0:
                continue
            comp, num = ndimage.label(img == cls, structure=_FOUR_CONNECTED)
            mask = comp > 0
            obj[b][mask] = comp[mask] - 1 + offset
            classes.extend([int(cls)] * num)
            offset += num
    return obj, np.asarray(classes, dtype=np.int64)


def split_views(labels: Tensor,
                generator: Optional[torch.Generator] = None) -> Tensor:
    """Two views of a batch's label map with the same classes.

    See the module docstring for the rule (objects dealt alternately after a
    random permutation; a single object split in raster order; single-pixel
    classes dropped).

    Args:
        labels: ``(B, H, W)`` integer labels, negative = ignored.
        generator: Optional CPU random generator for the object order
            (default: torch's global one).

    Returns:
        ``(B, H, W)`` int64 view index per pixel: ``0``, ``1``, or ``-1``
        (ignored pixel or class without two views), on ``labels.device``.
    """
    if labels.dim() != 3:
        raise ValueError(f'split_views expects (B, H, W) labels, got shape '
                         f'{tuple(labels.shape)}')
    lab = labels.detach().to('cpu', torch.int64)
    obj_np, obj_cls_np = _object_ids(lab.numpy())
    obj = torch.from_numpy(obj_np).reshape(-1)
    views = torch.full_like(obj, -1)
    m = obj_cls_np.shape[0]
    if m == 0:
        return views.reshape(labels.shape).to(labels.device)
    obj_cls = torch.from_numpy(obj_cls_np)
    # random order of the objects inside each class, then alternate views
    order = torch.randperm(m, generator=generator)
    cls_sorted, idx = torch.sort(obj_cls[order], stable=True)
    obj_sorted = order[idx]
    ncls = int(cls_sorted.max()) + 1
    per_cls = torch.bincount(cls_sorted, minlength=ncls)
    start = torch.cumsum(per_cls, 0) - per_cls
    rank = torch.arange(m) - start[cls_sorted]
    obj_view = torch.empty(m, dtype=torch.int64)
    obj_view[obj_sorted] = rank % 2
    valid = obj >= 0
    views[valid] = obj_view[obj[valid]]
    # classes with a single object: split its pixels in raster order
    single = per_cls == 1
    if bool(single.any()):
        pix_cls = torch.full_like(obj, -1)
        pix_cls[valid] = obj_cls[obj[valid]]
        single_pix = valid & single[pix_cls.clamp_min(0)]
        pos = single_pix.nonzero().squeeze(1)  # raster order (B, H, W)
        pcls = pix_cls[pos]
        cls_s, o = torch.sort(pcls, stable=True)
        pos = pos[o]
        n_pix = torch.bincount(cls_s, minlength=ncls)
        first = torch.cumsum(n_pix, 0) - n_pix
        r = torch.arange(pos.numel()) - first[cls_s]
        half = (n_pix[cls_s] + 1) // 2
        pview = (r >= half).long()
        pview[n_pix[cls_s] < 2] = -1  # one pixel: no two views
        views[pos] = pview
    return views.reshape(labels.shape).to(labels.device)


def view_centroids(feats: Tensor, labels: Tensor, views: Tensor,
                   num_classes: int) -> Tuple[Tensor, Tensor]:
    """Mean feature of every class in every view (Eq. 3).

    Args:
        feats: ``(B, C, H, W)`` features (any float dtype; summed in fp32).
        labels: ``(B, H, W)`` int64 labels in ``[0, N)`` (others ignored).
        views: ``(B, H, W)`` view index ``0`` / ``1`` (``-1`` ignored).
        num_classes: ``N``.

    Returns:
        ``(2, N, C)`` fp32 view centroids (zeros where empty) and ``(N,)``
        bool mask of classes present in *both* views.
    """
    b, c, h, w = feats.shape
    if labels.shape != (b, h, w) or views.shape != (b, h, w):
        raise ValueError(
            f'view_centroids: features {tuple(feats.shape)} need labels and '
            f'views of shape {(b, h, w)}, got {tuple(labels.shape)} and '
            f'{tuple(views.shape)}')
    lab = labels.reshape(-1)
    vw = views.reshape(-1)
    keep = (vw >= 0) & (lab >= 0) & (lab < num_classes)
    idx = keep.nonzero().squeeze(1)
    x = feats.permute(0, 2, 3, 1).reshape(-1, c).index_select(0, idx).float()
    slot = vw[idx] * num_classes + lab[idx]
    sums = x.new_zeros(2 * num_classes, c).index_add(0, slot, x)
    counts = torch.bincount(slot, minlength=2 * num_classes).to(x.dtype)
    cent = sums / counts.clamp_min(1.0).unsqueeze(1)
    present = (counts.view(2, num_classes) > 0).all(0)
    return cent.view(2, num_classes, c), present


def centroid_loss(anchor: Tensor, positive: Tensor, category: Tensor,
                  temperature: float) -> Tensor:
    """Centroid loss (Eq. 4 as InfoNCE) of one view.

    Args:
        anchor: ``(P, C)`` view centroids ``v_{l,x}`` of the present classes.
        positive: ``(P, C)`` the same classes' centroids in the other view.
        category: ``(P, C)`` category centroids ``s_l``; detached here
            (stop-gradient of Eq. 4).
        temperature: ``tau``.

    Returns:
        Scalar: mean over the ``P`` classes (0 with one class: no negative).
    """
    p = anchor.shape[0]
    pos = (anchor * positive).sum(1, keepdim=True)  # (P, 1)
    neg = anchor @ category.detach().t()  # (P, P)
    eye = torch.eye(p, dtype=torch.bool, device=anchor.device)
    neg = neg.masked_fill(eye, float('-inf'))
    logits = torch.cat([pos, neg], 1) / temperature
    return (torch.logsumexp(logits, 1) - logits[:, 0]).mean()


def category_loss(anchor: Tensor, classes: Tensor, prototypes: Tensor,
                  temperature: float) -> Tensor:
    """Category loss (Eq. 5 as InfoNCE) of one view.

    Args:
        anchor: ``(P, C)`` view centroids of the present classes.
        classes: ``(P,)`` int64 class of each row.
        prototypes: ``(N, C)`` classifier prototypes ``w``.
        temperature: ``tau``.

    Returns:
        Scalar: mean over the ``P`` classes.
    """
    logits = anchor @ prototypes.float().t() / temperature
    return F.cross_entropy(logits, classes)


def online_centroid_contrastive_loss(
        feats: Tensor,
        labels: Tensor,
        prototypes: Tensor,
        centroid_weight: float = 1.0,
        category_weight: float = 0.1,
        temperature: float = 0.07,
        normalize: bool = True,
        views: Optional[Tensor] = None,
        generator: Optional[torch.Generator] = None) -> Dict[str, Tensor]:
    """``L_occ`` of Eq. 6 on one batch.

    ``L_occ = (lambda (L_v(v_1) + L_v(v_2)) + phi (L_c(v_1) + L_c(v_2))) / 2``

    Args:
        feats: ``(B, C, H, W)`` pixel features fed to the classifier.
        labels: ``(B, H, W)`` int64 labels at feature resolution, negative =
            ignored (resize with nearest interpolation before).
        prototypes: ``(N, C)`` classifier prototypes.
        centroid_weight: ``lambda``.
        category_weight: ``phi``.
        temperature: ``tau`` (paper: 0.07).
        normalize: l2-normalise the centroids (see the module docstring).
        views: Optional precomputed ``(B, H, W)`` views
            (:func:`split_views`).
        generator: Random generator for :func:`split_views`.

    Returns:
        dict with ``loss`` (scalar, differentiable w.r.t. ``feats`` and
        ``prototypes``; exactly 0, still attached to ``feats``, when no class
        has two views), ``centroid``, ``category`` (the unweighted sums over
        both views, detached) and ``num_classes`` (``P``).
    """
    if not temperature > 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    n, c = prototypes.shape
    if feats.shape[1] != c:
        raise ValueError(f'OCCL: features have {feats.shape[1]} channels but '
                         f'the prototypes have {c}')
    if views is None:
        views = split_views(labels, generator=generator)
    with autocast_disabled(feats.device):
        cent, present = view_centroids(feats, labels, views, n)
        classes = present.nonzero().squeeze(1)
        zero = feats.sum() * 0.0 + prototypes.sum() * 0.0
        if classes.numel() == 0:
            z = zero.detach()
            return dict(
                loss=zero.float(),
                centroid=z,
                category=z,
                num_classes=classes.new_tensor(0))
        v1 = cent[0].index_select(0, classes)
        v2 = cent[1].index_select(0, classes)
        s = (v1 + v2) / 2
        if normalize:
            v1, v2, s = (F.normalize(t, dim=1) for t in (v1, v2, s))
        l_v = (
            centroid_loss(v1, v2, s, temperature) +
            centroid_loss(v2, v1, s, temperature))
        l_c = (
            category_loss(v1, classes, prototypes, temperature) +
            category_loss(v2, classes, prototypes, temperature))
        loss = (centroid_weight * l_v + category_weight * l_c) / 2
    return dict(
        loss=loss + zero.float(),
        centroid=l_v.detach(),
        category=l_c.detach(),
        num_classes=classes.new_tensor(classes.numel()))
