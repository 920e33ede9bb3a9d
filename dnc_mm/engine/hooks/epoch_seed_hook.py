"""Re-seed the random generators at the start of every training epoch, so
that ``--resume`` continues exactly as the uninterrupted run would.

mmengine seeds Python's ``random``, numpy and torch once, when the runner is
built, and saves no generator state in checkpoints. Everything that draws
from them during training (augmentations in the main process, the seeds of
data-loader workers, Mixup / CutMix, random erasing, dropout) therefore
takes a different course after a resume than in the run that was
interrupted, and the resumed run ends with other weights. With this hook
every epoch starts from generators seeded by ``(seed, epoch, rank)`` only,
whatever ran before, so an epoch-based run resumed from an epoch checkpoint
is the same computation as the uninterrupted one. (DefaultSampler already
shuffles by ``seed + epoch``; mmengine's worker seeds depend on the seed,
rank and worker id only, and non-persistent workers are re-created every
epoch.) ``persistent_workers=True`` keeps worker generators running across
epochs, which a resume cannot restore: use ``False`` for exact resumes.

``tools/train.py`` adds this hook unless the config lists it.
"""
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import set_random_seed

__all__ = ['EpochSeedHook', 'epoch_seed']

#: multiplier that separates the seeds of consecutive epochs (a prime)
_EPOCH_STRIDE = 1_000_003


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """The seed of epoch ``epoch`` (0-based) on ``rank``, in ``[0, 2**32)``."""
    return (seed + _EPOCH_STRIDE * (epoch + 1) + rank) % 2**32


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Seed ``random``, numpy and torch with :func:`epoch_seed` before
    every training epoch.

    The rank is added when the config's ``randomness.diff_rank_seed`` is
    set, as mmengine does for the first seed.
    """
    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner) -> None:
        randomness = getattr(runner, '_randomness_cfg', None) or {}
        rank = get_rank() if randomness.get('diff_rank_seed') else 0
        set_random_seed(
            epoch_seed(int(runner.seed), runner.epoch, rank),
            deterministic=False,
            diff_rank_seed=False)
