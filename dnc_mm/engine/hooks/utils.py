"""Helpers shared by the dnc_mm hooks."""
from typing import List, Type

from mmengine.model import is_model_wrapper
from torch import nn


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside DDP / other mmengine wrappers."""
    return model.module if is_model_wrapper(model) else model


def find_modules(model: nn.Module, kind: Type[nn.Module]) -> List[nn.Module]:
    """Every sub-module of ``model`` (unwrapped) that is a ``kind``."""
    return [m for m in unwrap(model).modules() if isinstance(m, kind)]
