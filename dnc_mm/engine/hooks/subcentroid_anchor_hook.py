"""Anchor DNC sub-centroids to real training images (§4.3, Table 4)."""
import copy
from typing import List, Tuple

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from dnc_mm.models.heads import SubCentroidClsHead
from dnc_mm.models.utils import all_gather_rows
from .utils import find_modules, unwrap


@HOOKS.register_module()
class SubCentroidAnchorHook(Hook):
    """From epoch ``anchor_epoch`` on, sub-centroids are real training images.

    At the start of epoch ``anchor_epoch + 1`` (i.e. after ``anchor_epoch``
    epochs of normal training; the paper anchors after 90 of 100 ImageNet
    epochs), every active sub-centroid ``p_k^c`` is replaced by the feature
    of the training image of class ``c`` closest to it (cosine), computed
    with the evaluation pipeline. The ``K`` sub-centroids of a class get
    ``K`` distinct images (Hungarian matching on the similarities,
    ``scipy.optimize.linear_sum_assignment``). From then on the head
    updates each sub-centroid only from its anchor's current feature
    (Eq. 8 with ``x_bar`` = that feature, whenever the image is in a
    batch). The dataset indices are kept in the head's
    ``classifier.anchor_indices`` buffer, saved with every checkpoint, for
    the explanation tools. All ranks compute the same anchors.

    Args:
        anchor_epoch: Epochs of normal training before anchoring (>= 0).
        batch_size: Batch size of the feature pass over the training set.
        num_workers: Dataloader workers of that pass.
    """

    priority = 'NORMAL'

    def __init__(self,
                 anchor_epoch: int,
                 batch_size: int = 256,
                 num_workers: int = 2) -> None:
        if anchor_epoch < 0:
            raise ValueError(f'anchor_epoch must be >= 0, got {anchor_epoch}')
        self.anchor_epoch = anchor_epoch
        self.batch_size = batch_size
        self.num_workers = num_workers

    def before_train(self, runner) -> None:
        max_epochs = getattr(runner, 'max_epochs', None)
        if max_epochs is not None and self.anchor_epoch >= max_epochs:
            runner.logger.warning(
                f'SubCentroidAnchorHook(anchor_epoch={self.anchor_epoch}) '
                f'never fires: training stops after {max_epochs} epochs')

    def before_train_epoch(self, runner) -> None:
        if runner.epoch < self.anchor_epoch:
            return
        for head in find_modules(runner.model, SubCentroidClsHead):
            if not head.classifier.anchored:
                self.anchor(runner, head)

    # ------------------------------------------------------------------
    def _feature_loader(self, runner):
        cfg = copy.deepcopy(runner.cfg.train_dataloader)
        eval_cfg = runner.cfg.get('test_dataloader') or runner.cfg.get(
            'val_dataloader')
        if eval_cfg is None or 'pipeline' not in cfg.dataset:
            raise ValueError(
                'SubCentroidAnchorHook needs a train dataset with a '
                '`pipeline` and a val/test dataloader whose pipeline it uses '
                'to compute the features of the training images')
        cfg.dataset.pipeline = copy.deepcopy(eval_cfg.dataset.pipeline)
        cfg.update(
            batch_size=self.batch_size,
            num_workers=self.num_workers,
            persistent_workers=False,
            sampler=dict(type='DefaultSampler', shuffle=False))
        cfg.pop('batch_sampler', None)
        return runner.build_dataloader(cfg, seed=0)

    @staticmethod
    def _embed(model, head: SubCentroidClsHead, data: dict) -> Tensor:
        data = model.data_preprocessor(data, False)
        return head.pre_logits(model.extract_feat(data['inputs']))

    @torch.no_grad()
    def _candidates(self, runner, head: SubCentroidClsHead,
                    loader) -> Tuple[Tensor, Tensor]:
        """Top-K most similar same-class training samples per slot.

        Returns:
            ``(sims, indices)``, each ``(C*K, K)``, merged over ranks.
        """
        model = unwrap(runner.model)
        protos = head.classifier.subcentroids
        c, k, d = protos.shape
        flat = protos.reshape(c * k, d).float()
        slot_class = torch.arange(c, device=flat.device).repeat_interleave(k)
        best_sim = flat.new_full((c * k, k), float('-inf'))
        best_idx = torch.full((c * k, k),
                              -1,
                              dtype=torch.long,
                              device=flat.device)
        for data in loader:
            x = self._embed(model, head, data).float()
            labels = torch.cat([s.gt_label
                                for s in data['data_samples']]).to(flat.device)
            idx = torch.as_tensor([s.sample_idx for s in data['data_samples']],
                                  dtype=torch.long,
                                  device=flat.device)
            sims = flat @ x.t()  # (C*K, B)
            sims.masked_fill_(slot_class[:, None] != labels[None, :],
                              float('-inf'))
            best_sim, best_idx = _merge_topk(best_sim, best_idx, sims,
                                             idx.expand(c * k, -1), k)
        if get_world_size() > 1:
            sims_all, idx_all = all_gather_rows(
                best_sim.unsqueeze(0), best_idx.unsqueeze(0))
            best_sim, best_idx = _merge_topk(
                sims_all[0], idx_all[0],
                sims_all[1:].permute(1, 0, 2).reshape(c * k, -1),
                idx_all[1:].permute(1, 0, 2).reshape(c * k, -1), k)
        return best_sim, best_idx

    @torch.no_grad()
    def anchor(self, runner, head: SubCentroidClsHead) -> None:
        """Anchor every active sub-centroid of ``head`` (see class doc)."""
        model = unwrap(runner.model)
        was_training = model.training
        model.eval()
        try:
            loader = self._feature_loader(runner)
            sims, idx = self._candidates(runner, head, loader)
            anchors = choose_distinct_anchors(sims.cpu(), idx.cpu(),
                                              head.classifier.active.cpu())
            feats = self._anchor_features(model, head, loader.dataset, anchors)
        finally:
            model.train(was_training)
        head.classifier.set_anchors(anchors.to(feats.device), feats)
        runner.logger.info(
            f'DNC sub-centroids anchored to '
            f'{int((anchors >= 0).sum())} training images at epoch '
            f'{runner.epoch + 1}')

    def _anchor_features(self, model, head: SubCentroidClsHead, dataset,
                         anchors: Tensor) -> Tensor:
        c, k = anchors.shape
        flat = anchors.view(-1).tolist()
        wanted = sorted({i for i in flat if i >= 0})
        feats = {}
        for start in range(0, len(wanted), self.batch_size):
            chunk = wanted[start:start + self.batch_size]
            data = pseudo_collate([dataset[i] for i in chunk])
            x = self._embed(model, head, data)
            feats.update(zip(chunk, x))
        d = head.classifier.embed_dims
        out = head.classifier.subcentroids.new_zeros(c * k, d)
        for slot, i in enumerate(flat):
            if i >= 0:
                out[slot] = feats[i]
        return out.view(c, k, d)


def _merge_topk(sims: Tensor, idx: Tensor, new_sims: Tensor, new_idx: Tensor,
                k: int) -> Tuple[Tensor, Tensor]:
    """Keep the ``k`` largest of two ``(S, *)`` candidate sets per row."""
    all_sims = torch.cat([sims, new_sims], dim=1)
    all_idx = torch.cat([idx, new_idx], dim=1)
    top = all_sims.topk(min(k, all_sims.shape[1]), dim=1)
    return top.values, all_idx.gather(1, top.indices)


def choose_distinct_anchors(sims: Tensor, idx: Tensor,
                            active: Tensor) -> Tensor:
    """One training sample per active sub-centroid, distinct within a class.

    Args:
        sims: ``(C*K, K)`` similarities of each slot's candidates
            (``-inf`` = no candidate).
        idx: ``(C*K, K)`` dataset indices of the candidates.
        active: ``(C, K)`` bool active slots.

    Returns:
        ``(C, K)`` int64 dataset indices, -1 for inactive slots.

    Raises:
        ValueError: An active class has no training sample.
    """
    c, k = active.shape
    sims = sims.view(c, k, -1).numpy()
    idx = idx.view(c, k, -1).numpy()
    out = np.full((c, k), -1, dtype=np.int64)
    for cls in range(c):
        slots = np.flatnonzero(active[cls].numpy())
        cand = np.unique(idx[cls, slots][idx[cls, slots] >= 0])
        if cand.size == 0:
            raise ValueError(f'class {cls} has no training sample to anchor '
                             'its sub-centroids to')
        # similarity of every slot to every candidate of the class; a slot
        # only knows its own top-K, the others count as very dissimilar
        cost = np.full((slots.size, cand.size), 1e6)
        for row, slot in enumerate(slots):
            known = idx[cls, slot] >= 0
            cols = np.searchsorted(cand, idx[cls, slot][known])
            cost[row, cols] = -sims[cls, slot][known]
        if cand.size >= slots.size:
            rows, cols = linear_sum_assignment(cost)
            out[cls, slots[rows]] = cand[cols]
        else:  # fewer images than sub-centroids: nearest, repeats allowed
            out[cls, slots] = cand[cost.argmin(axis=1)]
    return torch.from_numpy(out)


__all__: List[str] = ['SubCentroidAnchorHook', 'choose_distinct_anchors']
