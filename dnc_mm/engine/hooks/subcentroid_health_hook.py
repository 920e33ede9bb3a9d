"""Log whether DNC's sub-centroids collapse while training."""
import math

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from dnc_mm.models.layers import SubCentroidClassifier
from .utils import find_modules


@HOOKS.register_module()
class SubCentroidHealthHook(Hook):
    """Log the sub-centroids' collapse and usage every ``interval`` iters.

    For every DNC classifier of the model (classification head or decode
    head), three scalars go to the message hub (and so to the log and the
    visualisation backends): ``train/subcentroid_mean_cos`` (mean over the
    classes of the mean cosine between a class's sub-centroids),
    ``train/subcentroid_max_cos`` (the largest such cosine of any class; 1
    means two sub-centroids of a class coincide) and
    ``train/subcentroid_usage_entropy`` (mean over classes of the
    normalised entropy of how samples are shared among a class's
    sub-centroids; 1 = equal use). See
    :func:`dnc_mm.core.health.subcentroid_health`.

    Args:
        interval: Iterations between two logs.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 50) -> None:
        if int(interval) < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = int(interval)

    def before_train(self, runner) -> None:
        if not find_modules(runner.model, SubCentroidClassifier):
            raise RuntimeError('SubCentroidHealthHook found no DNC '
                               'classifier (SubCentroidClsHead or a '
                               'SubCentroid* decode head) in the model')

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        modules = find_modules(runner.model, SubCentroidClassifier)
        for i, clf in enumerate(modules):
            suffix = '' if len(modules) == 1 else f'_{i}'
            for key, value in self.scalars(clf).items():
                runner.message_hub.update_scalar(
                    f'train/subcentroid_{key}{suffix}', value)

    @staticmethod
    def scalars(clf: SubCentroidClassifier) -> dict:
        """The three logged figures of one classifier (NaN if undefined)."""
        stats = clf.health()

        def reduce(values: torch.Tensor, how) -> float:
            finite = values[torch.isfinite(values)]
            return float(how(finite)) if finite.numel() else math.nan

        return dict(
            mean_cos=reduce(stats['mean_cos'], torch.mean),
            max_cos=reduce(stats['max_cos'], torch.max),
            usage_entropy=reduce(stats['usage_entropy'], torch.mean))
