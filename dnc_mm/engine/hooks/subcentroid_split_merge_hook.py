"""Per-class number of sub-centroids found during training (split/merge)."""
import json
import math
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import broadcast, get_world_size, is_main_process
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from torch import Tensor

from dnc_mm.core._utils import check_choice
from dnc_mm.core.split_merge import SPLIT_MERGE_ASSIGNMENTS
from dnc_mm.models.heads import SubCentroidClsHead
from .utils import find_modules

#: ``final_round`` choices of :class:`SubCentroidSplitMergeHook`.
FINAL_ROUNDS = ('split', 'any')


@HOOKS.register_module()
class SubCentroidSplitMergeHook(Hook):
    """Grow or shrink each class's K within ``[1, K_max]`` while training.

    ``K_max`` is the head's ``num_subcentroids``. Training starts with
    ``init_num_subcentroids`` active sub-centroids per class; from iteration
    ``start_iter`` on, every ``interval`` iterations the hook runs one
    round of :func:`dnc_mm.core.split_merge.split_merge_step` on the
    features of the head's memory (``SubCentroidMemoryHook`` is required),
    alternating split and merge rounds as DeepDPM does. Rounds stop after
    ``end_iter`` (default: never) so the last clustering can settle.

    Three choices keep ``K`` from being decided by accident:

    * ``final_round='split'``: when the last round of the schedule
      (``end_iter`` or the end of training) would be a merge, it is
      skipped, so the schedule ends on a split and no merge round removes
      sub-centroids that no later split round can restore;
    * ``min_accuracy``: a class takes part in a round only when at least
      this fraction of its memory rows was classified correctly, so ``K``
      is not decided on the near-random features of an untrained network;
    * ``assignment='balanced'``: the samples of a class are spread over its
      sub-centroids by the transport DNC trains with, not by nearest
      sub-centroid, whose imbalance empties all but one sub-centroid and
      makes merge rounds drop them (see
      :mod:`dnc_mm.core.split_merge`).

    Everything the hook decides is in the head's buffers (``subcentroids``,
    ``active``), so checkpoints and ``--resume`` need no hook state; the
    round type is derived from the iteration number. The memory is the
    same on every rank (the DNC head all-gathers before pushing) and the
    step is deterministic; rank 0's result is broadcast anyway so ranks
    cannot drift apart. After every round, rank 0 appends a line to
    ``<log_dir>/auto_k.jsonl``: the iteration, the round type, the K per
    class and, for a round that ran, the splits, merges and best ratio per
    class (``null`` for a class that had no candidate).

    Args:
        init_num_subcentroids: Active sub-centroids per class at the start.
        start_iter: First iteration (1-based count) of a round.
        interval: Iterations between rounds.
        end_iter: Last iteration with a round (None: until the end).
        split_ratio, merge_ratio, min_samples: see
            :func:`~dnc_mm.core.split_merge.split_merge_step`.
        correct_only: Use only memory rows that were classified correctly
            (the rows DNC clusters).
        max_rows: Use only the newest ``max_rows`` rows of the memory
            (older features were computed by an older network).
        assignment: ``'balanced'`` or ``'nearest'`` (the behaviour before
            December 2026).
        final_round: ``'split'`` or ``'any'`` (the last round is whatever
            the alternation gives, the behaviour before December 2026).
        min_accuracy: Fraction of a class's memory rows that must be
            correctly classified for the class to take part in a round
            (``0``: always, the behaviour before December 2026).
    """

    priority = 'LOW'  # after SubCentroidMemoryHook sized the memory

    def __init__(self,
                 init_num_subcentroids: int = 1,
                 start_iter: int = 50,
                 interval: int = 50,
                 end_iter: Optional[int] = None,
                 split_ratio: float = 1.2,
                 merge_ratio: float = 1.1,
                 min_samples: int = 20,
                 correct_only: bool = False,
                 max_rows: Optional[int] = 4096,
                 assignment: str = 'balanced',
                 final_round: str = 'split',
                 min_accuracy: float = 0.5) -> None:
        if init_num_subcentroids < 1:
            raise ValueError('init_num_subcentroids must be >= 1, got '
                             f'{init_num_subcentroids}')
        if interval < 1 or start_iter < 1:
            raise ValueError(f'interval and start_iter must be >= 1, got '
                             f'{interval}, {start_iter}')
        check_choice('assignment', assignment, SPLIT_MERGE_ASSIGNMENTS)
        check_choice('final_round', final_round, FINAL_ROUNDS)
        if not 0 <= min_accuracy <= 1:
            raise ValueError(f'min_accuracy must be in [0, 1], got '
                             f'{min_accuracy}')
        self.init_num_subcentroids = init_num_subcentroids
        self.start_iter = start_iter
        self.interval = interval
        self.end_iter = end_iter
        self.step_kwargs = dict(
            split_ratio=split_ratio,
            merge_ratio=merge_ratio,
            min_samples=min_samples,
            assignment=assignment)
        self.correct_only = correct_only
        self.max_rows = max_rows
        self.final_round = final_round
        self.min_accuracy = min_accuracy
        self.last_iter: Optional[int] = end_iter

    def _heads(self, runner):
        heads = find_modules(runner.model, SubCentroidClsHead)
        if not heads:
            raise ValueError('SubCentroidSplitMergeHook needs a model with a '
                             'SubCentroidClsHead')
        return heads

    def before_train(self, runner) -> None:
        max_iters = runner.max_iters
        self.last_iter = (
            max_iters if self.end_iter is None else min(
                self.end_iter, max_iters))
        for head in self._heads(runner):
            if head.memory.capacity == 0:
                raise ValueError('SubCentroidSplitMergeHook reads the head '
                                 'memory: add SubCentroidMemoryHook to '
                                 'custom_hooks')
            k_max = head.classifier.subcentroids.shape[1]
            if self.init_num_subcentroids > k_max:
                raise ValueError(
                    f'init_num_subcentroids={self.init_num_subcentroids} > '
                    f'K_max={k_max} (the head num_subcentroids)')
            if runner.iter == 0:  # a fresh start, not a resume
                head.classifier.set_num_subcentroids(
                    torch.full((head.num_classes, ),
                               self.init_num_subcentroids))
                self._log(runner, head, 0, 'init', None, None)
            else:  # resumed: K comes from the checkpoint's `active` buffer
                self._log(runner, head, runner.iter, 'resume', None, None)

    def round_type(self, iteration: int) -> Optional[str]:
        """``'split'``, ``'merge'`` or None for a 1-based iteration count.

        The last iteration of the schedule is ``end_iter``, or the end of
        training once :meth:`before_train` has seen the runner."""
        last = self.last_iter
        if iteration < self.start_iter or (last is not None
                                           and iteration > last):
            return None
        r, rest = divmod(iteration - self.start_iter, self.interval)
        if rest:
            return None
        if r % 2 == 0:
            return 'split'
        if (self.final_round == 'split' and last is not None
                and r == (last - self.start_iter) // self.interval):
            return None  # the schedule ends on a split
        return 'merge'

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        iteration = runner.iter + 1
        mode = self.round_type(iteration)
        if mode is None:
            return
        for head in self._heads(runner):
            if head.classifier.anchored:
                continue
            splits, merges, best = self.run_round(head, mode)
            self._log(runner, head, iteration, mode, splits, merges, best)

    def run_round(self, head: SubCentroidClsHead, mode: str):
        """One ``mode`` round on ``head``'s memory; rank 0's result wins.

        Returns:
            ``(num_splits, num_merges, best_ratio)``, each ``(C,)``.
        """
        clf = head.classifier
        feats, labels, correct = head.memory.newest_rows(self.max_rows)
        labels = _drop_unready_classes(labels, correct, head.num_classes,
                                       self.min_accuracy)
        if self.correct_only:
            feats, labels = feats[correct], labels[correct]
        splits, merges, best = clf.split_merge(
            feats,
            labels,
            mode,
            epsilon=clf.clustering.epsilon,
            **self.step_kwargs)
        if get_world_size() > 1:
            broadcast(clf.subcentroids, src=0)
            broadcast(clf.active, src=0)
        return splits, merges, best

    @staticmethod
    def _log(runner, head, iteration, mode, splits, merges, best=None) -> None:
        k = head.classifier.num_subcentroids.tolist()
        runner.logger.info(f'split/merge ({mode}) at iter {iteration}: '
                           f'K per class {k}')
        if not is_main_process():
            return
        record = dict(iter=iteration, mode=mode, K=k)
        if splits is not None:
            record.update(
                splits=splits.tolist(),
                merges=merges.tolist(),
                # null (JSON has no NaN) for a class without a candidate
                best=[
                    round(float(b), 4) if math.isfinite(b) else None
                    for b in best.tolist()
                ])
        with open(osp.join(runner.log_dir, 'auto_k.jsonl'), 'a') as f:
            f.write(json.dumps(record) + '\n')


def _drop_unready_classes(labels: Tensor, correct: Tensor, num_classes: int,
                          min_accuracy: float) -> Tensor:
    """``labels (N,)`` with -1 (ignored) for the rows of every class
    whose fraction of correctly classified rows is below ``min_accuracy``.
    """
    valid = (labels >= 0) & (labels < num_classes)
    idx = labels.clamp(0, num_classes - 1)
    total = torch.zeros(num_classes).index_add_(0, idx, valid.float())
    right = torch.zeros(num_classes).index_add_(
        0, idx, (valid & correct.bool()).float())
    ready = right >= min_accuracy * total
    return torch.where(valid & ready[idx], labels, torch.full_like(labels, -1))
