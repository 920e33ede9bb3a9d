"""HPL's label-to-prototype re-assignment every τ iterations (Eq. 9)."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from dnc_mm.models.heads.hyperspherical_prototype_head import \
    HypersphericalPrototypeHead
from .utils import find_modules


@HOOKS.register_module()
class PrototypeAssignmentHook(Hook):
    """Re-assign labels to the fixed prototypes with the Hungarian method.

    Every ``interval`` epochs (``by_epoch=True``, the paper's default
    ``τ' = 1``: once per epoch, at its end) or every ``interval`` training
    iterations (``by_epoch=False``), each :class:`HypersphericalPrototypeHead`
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

    Args:
        interval: ``τ`` in epochs or iterations.
        by_epoch: Count ``interval`` in epochs (True) or iterations.
        stop_last_epochs: No re-assignment in the last ``N`` epochs
            (0: re-assign to the end, the paper's schedule); for
            epoch-based loops (mmpretrain's default), use
            ``stop_last_iters`` with an iteration-based loop.
        stop_last_iters: No re-assignment in the last ``M`` iterations.
    """

    priority = 'NORMAL'

    def __init__(self,
                 interval: int = 1,
                 by_epoch: bool = True,
                 stop_last_epochs: int = 0,
                 stop_last_iters: int = 0) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        for name, value in (('stop_last_epochs', stop_last_epochs),
                            ('stop_last_iters', stop_last_iters)):
            if isinstance(value, bool) or not isinstance(value, int) \
                    or value < 0:
                raise ValueError(f'{name} must be an integer >= 0, got '
                                 f'{value!r}')
        self.interval = interval
        self.by_epoch = by_epoch
        self.stop_last_epochs = stop_last_epochs
        self.stop_last_iters = stop_last_iters
        self._told_stop = False

    def before_train(self, runner) -> None:
        if not find_modules(runner.model, HypersphericalPrototypeHead):
            raise TypeError('PrototypeAssignmentHook needs a model with a '
                            'HypersphericalPrototypeHead; remove the hook '
                            'or change model.head')

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
        for head in find_modules(runner.model, HypersphericalPrototypeHead):
            changed = head.reassign()
            runner.message_hub.update_scalar('train/hpl_assignment_changes',
                                             changed)
            runner.logger.info(
                f'HPL label-to-prototype assignment (iter {runner.iter + 1}, '
                f'epoch {runner.epoch + 1}): {changed} of '
                f'{head.num_classes} labels changed prototype')
