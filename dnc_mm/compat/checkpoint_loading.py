"""Make mmengine 0.10.7 load its own checkpoints under torch >= 2.6.

torch 2.6 changed the default of ``torch.load`` to ``weights_only=True``.
mmengine 0.10.7 calls plain ``torch.load`` for local files, and the
checkpoints it writes hold more than tensors (message hub, numpy scalars,
config meta), so ``load_from`` and ``--resume`` fail with an
``UnpicklingError``. The fix on mmengine's main branch passes
``weights_only=False``; this module does the same for local files by
re-registering mmengine's local-file loader, which is the loader behind
``load_from``, ``resume`` and ``load_checkpoint``.

Like every pickle, a checkpoint can run code when it is loaded: only load
checkpoints you trust (this was torch's behaviour before 2.6 as well).
"""
import os.path as osp
from typing import Any, Optional

import torch
from mmengine.runner.checkpoint import CheckpointLoader

_PATCHED = False


def load_from_local_file(filename: str,
                          map_location: Optional[Any] = None) -> Any:
    """mmengine's local loader, with the pre-2.6 ``torch.load`` semantics.

    Args:
        filename: Path of a local checkpoint file.
        map_location: Same as :func:`torch.load`.

    Returns:
        The object stored in the file (usually a dict).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename!r} does not exist')
    return torch.load(filename, map_location=map_location, weights_only=False)


def patch_checkpoint_loading() -> None:
    """Register :func:`load_from_local_file` for local paths (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_file, force=True)
    _PATCHED = True
