"""Fixes for known breakages of the tested stack, applied on ``import dnc_mm``."""
from .checkpoint_loading import (TRUST_ENV_VAR, CheckpointLoadError,
                                 CorruptCheckpointError,
                                 UntrustedCheckpointError,
                                 checkpoint_safe_globals, checkpoints_trusted,
                                 load_checkpoint_file,
                                 patch_checkpoint_loading, trust_checkpoints)

__all__ = [
    'TRUST_ENV_VAR', 'CheckpointLoadError', 'CorruptCheckpointError',
    'UntrustedCheckpointError', 'checkpoint_safe_globals',
    'checkpoints_trusted', 'load_checkpoint_file', 'patch_checkpoint_loading',
    'trust_checkpoints'
]
