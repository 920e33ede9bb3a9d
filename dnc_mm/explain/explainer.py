"""Which training image stands behind each sub-centroid, and why a test
image got its label.

A DNC head scores class ``c`` by ``s_c(x) = max_k <x, p_k^c>`` over its
active sub-centroids (Eq. 7), and predicts the class with the largest score.
So the decision is exactly the rule

    IF x is more similar to sub-centroid ``p_k^c`` than to every
    sub-centroid of every other class, THEN x is ``c``,

and the similarities in the rule are the ones the head computed
(:meth:`SubCentroidClsHead.similarities`). Each sub-centroid is shown as a
real training image: its anchor when the model was trained with
``SubCentroidAnchorHook`` (§4.3), otherwise the most similar training image
of its class (distinct images per class, Hungarian matching).
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor


def load_image(dataset, index: int) -> np.ndarray:
    """The raw image of ``dataset[index]`` (HxW or HxWx3, RGB, uint8).

    Works for in-memory datasets (``img`` in the data info, e.g. MNIST,
    CIFAR) and file-based ones (``img_path``, e.g. ImageNet folders).
    """
    info = dataset.get_data_info(int(index))
    if 'img' in info:
        img = np.asarray(info['img'])
    elif 'img_path' in info:
        import mmcv
        img = mmcv.imread(info['img_path'], channel_order='rgb')
    else:
        raise KeyError(f'sample {index} has neither `img` nor `img_path`')
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    return img


def gallery_from_anchors(anchor_indices: Tensor, active: Tensor,
                         train_labels_by_index: Dict[int, int],
                         num_train: int) -> Tensor:
    """Validate and return the anchor indices ``(C, K)`` of an anchored head.

    Raises:
        ValueError: an active anchor is outside ``[0, num_train)`` or its
            image is not of the sub-centroid's class.
    """
    anchors = anchor_indices.clone()
    for c, k in zip(*torch.nonzero(active, as_tuple=True)):
        idx = int(anchors[c, k])
        if not 0 <= idx < num_train:
            raise ValueError(
                f'anchor of class {int(c)} slot {int(k)} is '
                f'{idx}, outside the training set [0, '
                f'{num_train}): wrong dataset for this checkpoint?')
        if train_labels_by_index.get(idx, int(c)) != int(c):
            raise ValueError(f'anchor {idx} of class {int(c)} has label '
                             f'{train_labels_by_index[idx]}: wrong dataset '
                             'for this checkpoint?')
    return anchors.masked_fill(~active, -1)


def gallery_nearest_images(subcentroids: Tensor, active: Tensor,
                           train_embed: Tensor, train_labels: Tensor,
                           train_indices: Tensor) -> Tuple[Tensor, Tensor]:
    """Most similar distinct same-class training image of every sub-centroid.

    Args:
        subcentroids: ``(C, K, D)`` l2-normalised.
        active: ``(C, K)`` bool.
        train_embed: ``(N, D)`` l2-normalised training embeddings.
        train_labels: ``(N,)``.
        train_indices: ``(N,)`` dataset indices of the rows.

    Returns:
        ``(indices, sims)``, each ``(C, K)``: dataset index (-1 for inactive
        slots or classes without images) and cosine similarity.
    """
    c_num, k_num, _ = subcentroids.shape
    indices = torch.full((c_num, k_num), -1, dtype=torch.long)
    sims_out = torch.full((c_num, k_num), float('nan'))
    for c in range(c_num):
        rows = torch.nonzero(train_labels == c).flatten()
        slots = torch.nonzero(active[c]).flatten()
        if rows.numel() == 0 or slots.numel() == 0:
            continue
        sims = subcentroids[c, slots].float() @ train_embed[rows].float().t()
        r, col = linear_sum_assignment(sims.numpy(), maximize=True)
        for i, j in zip(r, col):
            indices[c, slots[i]] = train_indices[rows[j]]
            sims_out[c, slots[i]] = sims[i, j]
    return indices, sims_out


def subcentroid_gallery(classifier, train: Dict[str, Tensor],
                        num_train: int) -> Dict[str, object]:
    """The training image behind every sub-centroid of a classifier.

    Args:
        classifier: a :class:`SubCentroidClassifier`.
        train: :func:`dnc_mm.evaluation.extract_features` of the training
            set (needs ``embed``, ``labels``, ``indices``).
        num_train: size of the training set.

    Returns:
        ``indices`` ``(C, K)``, ``sims`` ``(C, K)`` (cosine between the
        sub-centroid and the image's current embedding), ``source``
        (``'anchors'`` or ``'nearest'``).
    """
    protos = classifier.subcentroids.detach().cpu().float()
    active = classifier.active.detach().cpu()
    pos = {int(i): r for r, i in enumerate(train['indices'])}
    if classifier.anchored:
        labels = {
            int(i): int(l)
            for i, l in zip(train['indices'], train['labels'])
        }
        indices = gallery_from_anchors(classifier.anchor_indices.cpu(), active,
                                       labels, num_train)
        sims = torch.full(indices.shape, float('nan'))
        for c, k in zip(*torch.nonzero(active, as_tuple=True)):
            r = pos.get(int(indices[c, k]))
            if r is not None:
                sims[c, k] = protos[c, k] @ train['embed'][r]
        source = 'anchors'
    else:
        indices, sims = gallery_nearest_images(protos, active, train['embed'],
                                               train['labels'],
                                               train['indices'])
        source = 'nearest'
    return dict(indices=indices, sims=sims, source=source)


@dataclass
class ClassEvidence:
    """The best sub-centroid of one class for one test image."""
    label: int
    name: str
    subcentroid: int
    similarity: float
    score: float
    train_index: int


@dataclass
class Explanation:
    """Why the model gave ``prediction`` to one test image."""
    index: int
    gt_label: Optional[int]
    prediction: int
    evidence: List[ClassEvidence] = field(default_factory=list)
    rule: str = ''


def _rule_text(ev: List[ClassEvidence], gallery_source: str) -> str:
    win = ev[0]
    what = ('its anchor'
            if gallery_source == 'anchors' else 'the closest training image')
    seen = (f'; {what}: training image #{win.train_index}'
            if win.train_index >= 0 else '')
    text = (f'IF the image is most similar to sub-centroid {win.subcentroid} '
            f'of "{win.name}" (cosine {win.similarity:.3f}{seen})')
    if len(ev) > 1:
        others = ', '.join(f'"{e.name}" (best: sub-centroid {e.subcentroid}, '
                           f'{e.similarity:.3f})' for e in ev[1:])
        text += (f', more than to any sub-centroid of the other classes — '
                 f'next {others}')
    return text + f' — THEN it is "{win.name}".'


def explain_samples(sims: Tensor,
                    active: Tensor,
                    pred_labels: Tensor,
                    pred_scores: Tensor,
                    gallery: Dict[str, object],
                    class_names: Sequence[str],
                    sample_rows: Sequence[int],
                    sample_indices: Tensor,
                    gt_labels: Optional[Tensor] = None,
                    top: int = 3) -> List[Explanation]:
    """IF…THEN explanations from the head's own similarities.

    Args:
        sims: ``(N, C, K)`` sub-centroid similarities from the head.
        active: ``(C, K)`` bool.
        pred_labels: ``(N,)`` the model's predictions (its ``predict``).
        pred_scores: ``(N, C)`` the model's class scores (``predict``).
        gallery: from :func:`subcentroid_gallery`; an ``indices`` entry
            of -1 (no training image known) leaves the image out of the
            rule.
        class_names: ``C`` names.
        sample_rows: rows of ``sims`` to explain.
        sample_indices: ``(N,)`` dataset indices of the rows.
        gt_labels: ``(N,)`` optional true labels.
        top: number of classes shown (best first).

    Raises:
        RuntimeError: the nearest sub-centroid's class is not the model's
            prediction (the explanation would not be faithful).
    """
    masked = sims.float().masked_fill(~active.bool(), float('-inf'))
    best_sim, best_k = masked.max(dim=2)  # (N, C)
    out = []
    for row in sample_rows:
        order = torch.argsort(best_sim[row], descending=True)[:top]
        if int(order[0]) != int(pred_labels[row]):
            raise RuntimeError(
                f'sample {int(sample_indices[row])}: nearest sub-centroid is '
                f'of class {int(order[0])} but the model predicts '
                f'{int(pred_labels[row])}')
        ev = [
            ClassEvidence(
                label=int(c),
                name=str(class_names[int(c)]),
                subcentroid=int(best_k[row, c]),
                similarity=float(best_sim[row, c]),
                score=float(pred_scores[row, c]),
                train_index=int(gallery['indices'][c, best_k[row, c]]))
            for c in order
        ]
        out.append(
            Explanation(
                index=int(sample_indices[row]),
                gt_label=None if gt_labels is None else int(gt_labels[row]),
                prediction=int(pred_labels[row]),
                evidence=ev,
                rule=_rule_text(ev, str(gallery['source']))))
    return out
