"""Which sub-centroid explains each pixel (DNC segmentation, "seeing it").

A DNC decode head scores pixel ``p`` for class ``c`` by
``max_k <x_p, p_k^c>``; the arg-max ``k`` says which of the class's
sub-classes (discovered by the clustering) the pixel looks like. This module
computes that index at the input resolution, consistently with the model's
own prediction, and draws it: each class keeps its palette colour and its
``K`` sub-centroids get lighter or darker shades of it.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    'pixel_subcentroids', 'subcentroid_shades', 'draw_subcentroid_map',
    'subcentroid_usage'
]


@torch.no_grad()
def pixel_subcentroids(head, inputs: Sequence[Tensor],
                       size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
    """Predicted class and explaining sub-centroid of every pixel.

    The class is the model's prediction (scores bilinearly resized to
    ``size``, as mmseg's ``predict_by_feat``); the sub-centroid is the
    arg-max over ``K`` of that class's similarities, resized the same way,
    so the two maps agree pixel by pixel.

    Args:
        head: A DNC decode head (:class:`SubCentroidHeadMixin` subclass) in
            eval mode whose decoder has mmseg's ``_forward_feature``.
        inputs: The backbone (neck) features, as the head's ``forward``
            takes them.
        size: ``(H, W)`` output size (the input image's).

    Returns:
        ``(classes, subcentroids)``, both ``(B, H, W)`` int64.
    """
    if not hasattr(head, 'pixel_similarities'):
        raise TypeError(f'{type(head).__name__} is not a DNC decode head: '
                        'sub-centroid maps need SubCentroid*Head')
    if not hasattr(head, '_forward_feature'):
        raise TypeError(f'{type(head).__name__} has no _forward_feature; '
                        'the sub-centroid map needs the decoder feature')
    feat = head._forward_feature(inputs)
    _, sims = head.pixel_similarities(feat)  # (B, C, K, h, w)
    # the scores exactly as cls_seg returns them (max over K, then the
    # logit normalisation), so that resizing matches predict_by_feat
    scores = head.logit_norm(sims.amax(dim=2))
    align = getattr(head, 'align_corners', False)
    classes = F.interpolate(
        scores, size=size, mode='bilinear', align_corners=align).argmax(dim=1)
    sub = torch.zeros_like(classes)
    for c in classes.unique().tolist():  # only predicted classes
        k = F.interpolate(
            sims[:, c], size=size, mode='bilinear',
            align_corners=align).argmax(dim=1)
        sub = torch.where(classes == c, k, sub)
    return classes, sub


def subcentroid_shades(palette: Sequence[Sequence[int]],
                       num_subcentroids: int) -> np.ndarray:
    """``(C, K, 3)`` uint8 colours: class colour from dark to light shade.

    Sub-centroid ``k`` of class ``c`` is the class colour mixed with black
    (first) or white (last), at most 55% either way; with ``K = 1`` the
    class colour itself.
    """
    base = np.asarray(palette, dtype=np.float64)[:, None, :]  # (C, 1, 3)
    k = num_subcentroids
    t = (np.linspace(-0.55, 0.55, k) if k > 1 else np.zeros(1))[None, :, None]
    dark = base * (1 + np.minimum(t, 0))
    light = dark + (255 - dark) * np.maximum(t, 0)
    return np.clip(np.rint(light), 0, 255).astype(np.uint8)


def draw_subcentroid_map(image: np.ndarray,
                         classes: np.ndarray,
                         subcentroids: np.ndarray,
                         palette: Sequence[Sequence[int]],
                         num_subcentroids: int,
                         ignore_background: bool = False) -> np.ndarray:
    """Side by side: image | predicted classes | explaining sub-centroids.

    Args:
        image: ``(H, W, 3)`` uint8 RGB.
        classes: ``(H, W)`` predicted class per pixel.
        subcentroids: ``(H, W)`` explaining sub-centroid index per pixel.
        palette: ``C`` RGB colours (the dataset's).
        num_subcentroids: ``K``.
        ignore_background: Draw class 0 in its plain colour only.

    Returns:
        ``(H, 3W + 8, 3)`` uint8 RGB panel (4-pixel white gaps).
    """
    pal = np.asarray(palette, dtype=np.uint8)
    shades = subcentroid_shades(palette, num_subcentroids)
    cls_img = pal[classes]
    sub_img = shades[classes, subcentroids]
    if ignore_background:
        sub_img[classes == 0] = pal[0]
    # class boundaries in the sub-centroid panel, so shades read per class
    edge = np.zeros(classes.shape, dtype=bool)
    edge[1:, :] |= classes[1:, :] != classes[:-1, :]
    edge[:, 1:] |= classes[:, 1:] != classes[:, :-1]
    sub_img[edge] = 0
    gap = np.full((image.shape[0], 4, 3), 255, dtype=np.uint8)
    return np.concatenate([image, gap, cls_img, gap, sub_img], axis=1)


def subcentroid_usage(classes: np.ndarray, subcentroids: np.ndarray,
                      num_classes: int,
                      num_subcentroids: int) -> Dict[int, List[int]]:
    """Pixels per (class, sub-centroid) over the given maps.

    Returns:
        ``{class: [pixels of sub-centroid 0, ..., K-1]}`` for every class
        predicted at least once.
    """
    flat = classes.astype(np.int64) * num_subcentroids + subcentroids
    counts = np.bincount(
        flat.ravel(), minlength=num_classes * num_subcentroids)
    counts = counts.reshape(num_classes, num_subcentroids)
    return {
        c: counts[c].tolist()
        for c in range(num_classes) if counts[c].sum() > 0
    }
