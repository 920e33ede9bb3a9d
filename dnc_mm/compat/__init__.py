"""Fixes for known breakages of the tested stack (on ``import dnc_mm``)."""
from .checkpoint_loading import (TRUST_ENV_VAR, CheckpointLoadError,
                                 CorruptCheckpointError,
                                 UntrustedCheckpointError,
                                 checkpoint_safe_globals, checkpoints_trusted,
                                 load_checkpoint_file,
                                 patch_checkpoint_loading, trust_checkpoints)
from .inference_apis import (IMAGE_CLASSIFICATION, default_metainfo,
                             patch_inference_apis, patch_inference_task,
                             patch_seg_inference_loader)

__all__ = [
    'IMAGE_CLASSIFICATION', 'TRUST_ENV_VAR', 'CheckpointLoadError',
    'CorruptCheckpointError', 'UntrustedCheckpointError',
    'checkpoint_safe_globals', 'checkpoints_trusted', 'default_metainfo',
    'load_checkpoint_file', 'patch_checkpoint_loading', 'patch_inference_apis',
    'patch_inference_task', 'patch_seg_inference_loader', 'trust_checkpoints'
]
