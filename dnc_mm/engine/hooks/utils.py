"""Helpers shared by the dnc_mm hooks."""
from typing import List, Type

import numpy as np
from mmengine.model import is_model_wrapper
from torch import nn


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside DDP / other mmengine wrappers."""
    return model.module if is_model_wrapper(model) else model


def find_modules(model: nn.Module, kind: Type[nn.Module]) -> List[nn.Module]:
    """Every sub-module of ``model`` (unwrapped) that is a ``kind``."""
    return [m for m in unwrap(model).modules() if isinstance(m, kind)]


def training_labels(runner, hook_name: str) -> np.ndarray:
    """``(N,)`` int64 labels of the runner's training set.

    Raises:
        TypeError: The dataset cannot list its labels (no
            ``get_gt_labels()``, as mmpretrain's ``BaseDataset`` has).
    """
    dataset = runner.train_dataloader.dataset
    if not hasattr(dataset, 'get_gt_labels'):
        raise TypeError(f'{type(dataset).__name__} has no get_gt_labels(); '
                        f'{hook_name} needs the labels of the training set')
    return np.asarray(dataset.get_gt_labels(), dtype=np.int64)
