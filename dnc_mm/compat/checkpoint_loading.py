"""Load mmengine checkpoints under torch >= 2.6 without trusting them.

torch 2.6 changed the default of :func:`torch.load` to ``weights_only=True``:
the unpickler then builds tensors, containers and numbers only, so that a
file cannot run code while it is loaded. mmengine 0.10.7 calls plain
``torch.load`` for local files, and the checkpoints it writes hold a few
more types (numpy arrays and scalars in the message hub, mmengine's
``HistoryBuffer``), so ``load_from`` and ``--resume`` fail with an
``UnpicklingError``. mmengine's unreleased fix passes
``weights_only=False``, which lets any checkpoint run any code.

This module keeps torch's protection. ``import dnc_mm`` re-registers
mmengine's local-file loader (behind ``load_from``, ``resume``,
``load_checkpoint``, the toolboxes' inferencers) with
:func:`load_checkpoint_file`, which calls ``torch.load(weights_only=True)``
with exactly the extra globals of :func:`checkpoint_safe_globals` allowed,
for the duration of the call only (``torch.serialization.safe_globals``;
torch's own allow-list is not changed for the rest of the process):

* ``mmengine.logging.HistoryBuffer`` (the message hub's logged scalars),
  and ``getattr`` restricted to what its pickles use it for: looking up its
  own statistics methods (``HistoryBuffer.min``, ``max``, ``mean``,
  ``current``) — pickle protocol 2 writes a function reached through a
  class as ``getattr(class, name)``; any other ``getattr`` is refused;
* numpy arrays of numeric, boolean or string dtype and numpy scalars, under
  their numpy 1.x and 2.x names (``numpy.core`` / ``numpy._core``);

Object arrays, arbitrary classes and callables stay refused. This is the
complete set found in the checkpoints of every model family of this
project (DNC classification with memory and anchors, DNC segmentation, HPL,
CBP) with their optimizer, parameter-scheduler and message-hub state, and
in mmpretrain's and mmseg's own checkpoints.

A file that needs anything else is refused with
:class:`UntrustedCheckpointError`, naming the global. For a file you trust,
opt in explicitly: set the environment variable ``DNC_MM_TRUST_CHECKPOINTS=1``
or pass ``--trust-checkpoint`` to this project's tools; loading then uses
``weights_only=False`` (torch's behaviour before 2.6). A truncated file
(a job killed while it saved) or a file that is not a PyTorch checkpoint
ends in :class:`CorruptCheckpointError`.
"""
import os
import os.path as osp
import pickle
import re
from typing import Any, List, Optional

import torch
from mmengine.runner.checkpoint import CheckpointLoader

__all__ = [
    'TRUST_ENV_VAR', 'CheckpointLoadError', 'UntrustedCheckpointError',
    'CorruptCheckpointError', 'checkpoints_trusted', 'trust_checkpoints',
    'checkpoint_safe_globals', 'load_checkpoint_file',
    'patch_checkpoint_loading'
]

#: Environment variable that opts in to loading checkpoints as full pickles.
TRUST_ENV_VAR = 'DNC_MM_TRUST_CHECKPOINTS'

_PATCHED = False
_GLOBAL_IN_MESSAGE = re.compile(r'GLOBAL ([\w.]+)')
_BOILERPLATE = ('Weights only load failed', 'Please file an issue',
                'Check the documentation of torch.load')
#: statistics methods of mmengine's HistoryBuffer that its pickles name
_HISTORY_BUFFER_METHODS = ('min', 'max', 'mean', 'current')


class CheckpointLoadError(RuntimeError):
    """A checkpoint file could not be loaded; the message says why and what
    to do, in one line."""


class UntrustedCheckpointError(CheckpointLoadError):
    """The file needs a Python global outside the allow-list."""


class CorruptCheckpointError(CheckpointLoadError):
    """The file is truncated or not a PyTorch checkpoint."""


def checkpoints_trusted() -> bool:
    """Whether the user opted in to full-pickle loading
    (``DNC_MM_TRUST_CHECKPOINTS`` set to ``1``, ``true`` or ``yes``)."""
    return os.environ.get(TRUST_ENV_VAR,
                          '').strip().lower() in ('1', 'true', 'yes')


def trust_checkpoints() -> None:
    """Opt in for this process and the processes it starts (data loader
    workers, ``torchrun`` ranks): what ``--trust-checkpoint`` does."""
    os.environ[TRUST_ENV_VAR] = '1'


def _history_buffer_method(owner: Any, name: Any) -> Any:
    """The ``getattr`` the unpickler may call: only
    ``getattr(HistoryBuffer, 'min' | 'max' | 'mean' | 'current')``."""
    from mmengine.logging import HistoryBuffer
    if owner is HistoryBuffer and name in _HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({getattr(owner, "__name__", type(owner).__name__)}, '
        f'{name!r}) is not allowed (only HistoryBuffer statistics methods)')


def checkpoint_safe_globals() -> List[Any]:
    """The globals allowed beyond torch's own ``weights_only`` set.

    Returns:
        Entries for ``torch.serialization.safe_globals``: objects, or
        ``(object, 'module.name')`` pairs where a checkpoint may name the
        object by another path (numpy 1.x pickles say ``numpy.core``).
    """
    import numpy as np
    from mmengine.logging import HistoryBuffer

    try:  # numpy >= 2
        multiarray = np._core.multiarray
    except AttributeError:  # numpy 1.x
        multiarray = np.core.multiarray
    reconstruct, scalar = multiarray._reconstruct, multiarray.scalar
    allowed: List[Any] = [
        HistoryBuffer, (_history_buffer_method, 'builtins.getattr'),
        np.ndarray, np.dtype
    ]
    for name in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed += [(reconstruct, f'{name}._reconstruct'),
                    (scalar, f'{name}.scalar')]
    codes = ('?', 'b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'e', 'f',
             'd', 'g', 'F', 'D', 'U', 'S')
    allowed += sorted({type(np.dtype(c)) for c in codes}, key=str)
    return allowed


def _unpickler_reason(message: str) -> str:
    """The part of a ``weights_only`` failure that says what was refused
    (torch surrounds it with lines of advice); empty for other errors."""
    if 'Weights only load failed' not in message:
        return ''
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if 'WeightsUnpickler error:' in line:
            rest = line.split('WeightsUnpickler error:', 1)[1].strip()
            following = [
                x for x in lines[i + 1:] if not x.startswith(_BOILERPLATE)
            ]
            return rest or (following[0] if following else '')
    for line in lines:
        if not line.startswith(_BOILERPLATE) and not re.match(r'\(\d\)', line):
            return line
    return ''


def _short(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f'{type(error).__name__}: {lines[0] if lines else ""}'.rstrip(': ')


def load_checkpoint_file(filename: str,
                         map_location: Optional[Any] = None,
                         trusted: Optional[bool] = None) -> Any:
    """Load a local checkpoint with ``weights_only=True`` and the allow-list.

    Args:
        filename: Path of a local checkpoint file.
        map_location: Same as :func:`torch.load`.
        trusted: Load as a full pickle (``weights_only=False``). Default:
            :func:`checkpoints_trusted`.

    Returns:
        The object stored in the file (usually a dict).

    Raises:
        FileNotFoundError: There is no such file.
        UntrustedCheckpointError: The file needs a global outside
            :func:`checkpoint_safe_globals`.
        CorruptCheckpointError: The file is truncated or not a checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename!r} does not exist')
    if trusted is None:
        trusted = checkpoints_trusted()
    try:
        if trusted:
            return torch.load(
                filename, map_location=map_location, weights_only=False)
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except Exception as error:  # noqa: B902  (re-raised with the cause)
        reason = _unpickler_reason(str(error))
        found = _GLOBAL_IN_MESSAGE.search(str(error))
        # a refused global or call is a well-formed pickle asking for more
        # than data; any other unpickler failure is a damaged file
        if not trusted and (found or 'not allowed' in reason
                            or 'unrecognized function' in reason
                            or 'is blocked' in reason
                            or reason.startswith('Can only build')):
            what = (f'the Python global {found.group(1)}'
                    if found else f'an object that is not data ({reason})')
            raise UntrustedCheckpointError(
                f'refused to load {filename}: it needs {what}, which a '
                'checkpoint of mmengine, mmpretrain, mmseg or dnc_mm never '
                'holds, and unpickling it could run code. If you trust '
                f'this file, set {TRUST_ENV_VAR}=1 or pass '
                '--trust-checkpoint to the dnc_mm tools') from None
        raise CorruptCheckpointError(
            f'{filename} is not a readable PyTorch checkpoint (truncated, '
            f'e.g. by a job killed while saving, or another format: '
            f'{reason or _short(error)}); resume from an earlier checkpoint '
            'or save it again') from error


def patch_checkpoint_loading() -> None:
    """Register :func:`load_checkpoint_file` as mmengine's loader for local
    paths (idempotent). A process-wide change ``import dnc_mm`` makes
    (the others: :func:`~dnc_mm.compat.patch_inference_apis`); it makes
    loading stricter than ``weights_only=False``."""
    global _PATCHED
    if _PATCHED:
        return
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_checkpoint_file, force=True)
    _PATCHED = True
