"""A local file backend whose writes are atomic (for checkpoints).

mmengine's ``LocalBackend.put`` opens the target with ``'wb'`` and writes:
a job killed while it saves (slurm pre-emption, a full disk, ``kill -9``)
leaves a truncated ``epoch_N.pth`` under the final name, which ``--resume``
later fails on. :class:`AtomicLocalBackend` writes to a temporary file in
the same folder, flushes and ``fsync``-s it, then renames it over the target
with :func:`os.replace` (atomic on POSIX and Windows): the target holds the
old content or the complete new content, never a part.

It is registered under the name ``'local_atomic'`` (a new name: mmengine's
own ``'local'`` backend is unchanged). This project's ``tools/train.py``
makes the checkpoint hook use it unless the config sets ``backend_args``;
in a config::

    default_hooks = dict(checkpoint=dict(
        type='CheckpointHook', backend_args=dict(backend='local_atomic')))
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

__all__ = ['AtomicLocalBackend', 'atomic_write']


def atomic_write(data: bytes, filepath: Union[str, Path]) -> None:
    """Write ``data`` to ``filepath`` so that no reader ever sees a part.

    Raises:
        OSError: The folder cannot be written; the target is unchanged and
            no temporary file is left.
    """
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(filepath)}.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


@register_backend('local_atomic')
class AtomicLocalBackend(LocalBackend):
    """:class:`mmengine.fileio.LocalBackend` with atomic ``put`` and
    ``put_text``; reading, listing and removing are inherited."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write bytes to ``filepath`` atomically (see the module doc)."""
        atomic_write(obj, filepath)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Write text to ``filepath`` atomically."""
        atomic_write(obj.encode(encoding), filepath)
