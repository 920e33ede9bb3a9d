"""Fixes for known breakages of the tested stack, applied on ``import dnc_mm``."""
from .checkpoint_loading import patch_checkpoint_loading

__all__ = ['patch_checkpoint_loading']
