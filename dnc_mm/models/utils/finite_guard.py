"""Skip a training-time state update when its input is not finite.

A batch whose features hold NaN or inf (a corrupt image, an overflowing
AMP step) would write NaN into sub-centroids, the feature memory, class
means or EMA prototypes, and every later step would inherit it. The heads
call :func:`finite_on_all_ranks` before such an update and leave all their
state exactly as it was when it returns ``False``; the next good batch
updates as usual. The decision is all-reduced, so that every rank skips
the same step and the state stays identical across ranks.
"""
import torch
from mmengine import dist
from mmengine.logging import MessageHub, print_log
from torch import Tensor

__all__ = ['finite_on_all_ranks']


def finite_on_all_ranks(*tensors: Tensor, what: str) -> bool:
    """Whether every element of ``tensors`` is finite on every rank.

    Every rank must call it at the same point (it all-reduces one number in
    a distributed run). When it returns ``False`` a warning names ``what``
    was skipped and the training iteration.

    Args:
        *tensors: Inputs of the update, any shapes, on one device.
        what: The state left unchanged, for the warning (e.g. ``'DNC
            sub-centroids and memory'``).

    Returns:
        ``True`` when the update may run.
    """
    bad = torch.zeros(1, device=tensors[0].device)
    for tensor in tensors:
        if tensor.numel():
            bad = torch.maximum(bad, (~torch.isfinite(tensor)).any().float())
    dist.all_reduce(bad, op='max')
    if not bool(bad.item()):
        return True
    iteration = MessageHub.get_current_instance().get_info('iter')
    where = f'at iteration {iteration}' if iteration is not None else ''
    print_log(
        f'non-finite features (NaN/inf) in the batch {where}: '
        f'{what} left unchanged for this step',
        logger='current',
        level=30)
    return False
