"""HPL's label-to-prototype re-assignment every τ iterations (Eq. 9)."""
from typing import Optional

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from torch import Tensor

from dnc_mm.core._utils import check_choice
from dnc_mm.core.class_means import batch_class_means, class_sums
from dnc_mm.models.heads.hyperspherical_prototype_cls_head import \
    HypersphericalPrototypeClsHead
from .utils import find_modules, unwrap

#: ``means_from`` values of :class:`PrototypeAssignmentHook`.
MEANS_FROM = ('running', 'eval_pass')


@HOOKS.register_module()
class PrototypeAssignmentHook(Hook):
    """Re-assign labels to the fixed prototypes with the Hungarian method.

    Every ``interval`` epochs (``by_epoch=True``, the paper's default
    ``τ' = 1``: once per epoch, at its end) or every ``interval`` training
    iterations (``by_epoch=False``), each
    :class:`HypersphericalPrototypeClsHead`
    of the model solves Eq. 9 on its class means (rank 0 solves and
    broadcasts, so all ranks agree). How many labels changed prototype is
    logged (``runner.logger``) and put in the message hub as
    ``train/hpl_assignment_changes`` (so it reaches the log scalars). The
    assignment is a head buffer: checkpoints carry it and ``--resume``
    restores it. The hook runs before ``CheckpointHook``, so the checkpoint
    of an epoch holds the assignment computed at its end.

    A re-assignment at the end of the last epoch is never trained on (and
    moves several labels in long-tailed runs); ``stop_last_epochs=N``
    skips the re-assignments that fall in the last ``N`` epochs (at the
    end of epoch ``max_epochs − N`` at the latest, so at least ``N``
    epochs train on the final assignment), ``stop_last_iters=M`` those
    after iteration ``max_iters − M``. Both are read from the runner's
    loop at each step, so they hold across ``--resume``; the hook keeps no
    state of its own.

    The class means come from the head's running average (``means_from=
    'running'``, the paper's ``z̄``: with Mixup / CutMix, of the training
    features as the head's ``class_mean_source`` selects them) or from an
    evaluation-mode pass made just before each re-assignment
    (``'eval_pass'``): the model in ``eval()`` mode (BatchNorm with its
    running statistics, no Mixup / CutMix: the data preprocessor's batch
    augments only run in training mode) embeds the training loader's
    images, at most ``eval_batches`` batches per rank (all: ``None``),
    and the per-class means of those features (sums and counts
    all-reduced over ranks; a class with no sample keeps its running mean)
    decide the assignment. The running buffer is left as it is. The pass
    reads the training pipeline, so its random crops and flips apply.

    Args:
        interval: ``τ`` in epochs or iterations.
        by_epoch: Count ``interval`` in epochs (True) or iterations.
        stop_last_epochs: No re-assignment in the last ``N`` epochs
            (0: re-assign to the end, the paper's schedule); for
            epoch-based loops (mmpretrain's default), use
            ``stop_last_iters`` with an iteration-based loop.
        stop_last_iters: No re-assignment in the last ``M`` iterations.
        means_from: ``'running'`` or ``'eval_pass'`` (see above).
        eval_batches: Batches per rank of an evaluation pass (``None``:
            the whole training loader).
    """

    priority = 'NORMAL'

    def __init__(self,
                 interval: int = 1,
                 by_epoch: bool = True,
                 stop_last_epochs: int = 0,
                 stop_last_iters: int = 0,
                 means_from: str = 'running',
                 eval_batches: Optional[int] = None) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        for name, value in (('stop_last_epochs', stop_last_epochs),
                            ('stop_last_iters', stop_last_iters)):
            if isinstance(value, bool) or not isinstance(value, int) \
                    or value < 0:
                raise ValueError(f'{name} must be an integer >= 0, got '
                                 f'{value!r}')
        check_choice('means_from', means_from, MEANS_FROM)
        if eval_batches is not None and (isinstance(eval_batches, bool)
                                         or not isinstance(eval_batches, int)
                                         or eval_batches < 1):
            raise ValueError(f'eval_batches must be None or an integer >= 1, '
                             f'got {eval_batches!r}')
        self.means_from = means_from
        self.eval_batches = eval_batches
        self.interval = interval
        self.by_epoch = by_epoch
        self.stop_last_epochs = stop_last_epochs
        self.stop_last_iters = stop_last_iters
        self._told_stop = False

    def before_train(self, runner) -> None:
        if not find_modules(runner.model, HypersphericalPrototypeClsHead):
            raise TypeError('PrototypeAssignmentHook needs a model with a '
                            'HypersphericalPrototypeClsHead; remove the hook '
                            'or change model.head')
        if self.means_from == 'eval_pass':
            self._eval_head(runner)  # fails now rather than after an epoch
            if not self.by_epoch and getattr(runner.train_dataloader,
                                             'persistent_workers', False):
                raise ValueError(
                    "means_from='eval_pass' with by_epoch=False would restart "
                    "the training loader's persistent workers in the middle "
                    'of an epoch: set by_epoch=True or '
                    'train_dataloader.persistent_workers=False')

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if not self.by_epoch and self.every_n_train_iters(
                runner, self.interval):
            self._reassign(runner)

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and self.every_n_epochs(runner, self.interval):
            self._reassign(runner)

    def stopped(self, runner) -> bool:
        """Whether the current step is in the last epochs / iterations."""
        if self.stop_last_epochs and (runner.epoch + 1 > runner.max_epochs -
                                      self.stop_last_epochs):
            return True
        return bool(self.stop_last_iters) and (
            runner.iter + 1 > runner.max_iters - self.stop_last_iters)

    def _reassign(self, runner) -> None:
        if self.stopped(runner):
            if not self._told_stop:
                self._told_stop = True
                runner.logger.info(
                    f'HPL label-to-prototype assignment kept from iter '
                    f'{runner.iter + 1} (epoch {runner.epoch + 1}) on: '
                    f'stop_last_epochs={self.stop_last_epochs}, '
                    f'stop_last_iters={self.stop_last_iters}')
            return
        means = None
        if self.means_from == 'eval_pass':
            means = self.eval_pass_means(runner)
        for head in find_modules(runner.model, HypersphericalPrototypeClsHead):
            changed = head.reassign(means)
            runner.message_hub.update_scalar('train/hpl_assignment_changes',
                                             changed)
            runner.logger.info(
                f'HPL label-to-prototype assignment (iter {runner.iter + 1}, '
                f'epoch {runner.epoch + 1}): {changed} of '
                f'{head.num_classes} labels changed prototype')

    @staticmethod
    def _eval_head(runner) -> HypersphericalPrototypeClsHead:
        model = unwrap(runner.model)
        heads = find_modules(model, HypersphericalPrototypeClsHead)
        if not (hasattr(model, 'extract_feat') and len(heads) == 1
                and getattr(model, 'head', None) is heads[0]):
            raise TypeError(
                "means_from='eval_pass' needs an mmpretrain ImageClassifier "
                'whose head is the one HypersphericalPrototypeClsHead; use '
                "means_from='running'")
        return heads[0]

    @torch.no_grad()
    def eval_pass_means(self, runner) -> Tensor:
        """``(C, d)`` class means of an evaluation-mode pass (see above)."""
        model = unwrap(runner.model)
        head = self._eval_head(runner)
        sums = torch.zeros_like(head.class_means, dtype=torch.float32)
        counts = torch.zeros(head.num_classes, device=sums.device)
        was_training = model.training
        model.eval()
        try:
            for i, batch in enumerate(runner.train_dataloader):
                if self.eval_batches is not None and i >= self.eval_batches:
                    break
                data = model.data_preprocessor(batch, False)
                z = head.pre_logits(model.extract_feat(data['inputs']))
                labels = torch.cat([s.gt_label for s in data['data_samples']
                                    ]).to(z.device)
                batch_sums, batch_counts = class_sums(z, labels,
                                                      head.num_classes)
                sums += batch_sums
                counts += batch_counts
        finally:
            model.train(was_training)
        packed = torch.cat([sums, counts[:, None]], dim=1)
        all_reduce(packed, op='sum')
        sums, counts = packed[:, :-1], packed[:, -1]
        runner.logger.info(f'HPL class means from an evaluation pass over '
                           f'{int(counts.sum())} training images')
        return batch_class_means(sums, counts, head.class_means)
