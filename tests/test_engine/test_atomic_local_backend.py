"""Checkpoints are written atomically: the ``local_atomic`` file backend,
and ``tools/train.py`` choosing it for the checkpoint hook."""
import os
import os.path as osp

import pytest

import dnc_mm  # noqa: F401  registers the backend


def test_checkpoint_writes_are_atomic(tmp_path, monkeypatch):
    """A write that fails half-way leaves the old file and no temporary."""
    from mmengine.fileio import get_file_backend
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='local_atomic'))
    path = tmp_path / 'epoch_1.pth'
    backend.put(b'complete old checkpoint', path)

    def full_disk(fd):
        raise OSError('No space left on device')

    # the new bytes are written, then the save fails (disk full, killed)
    monkeypatch.setattr(os, 'fsync', full_disk)
    with pytest.raises(OSError, match='No space'):
        backend.put(b'x' * 100, path)
    monkeypatch.undo()
    assert path.read_bytes() == b'complete old checkpoint'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['epoch_1.pth']
    backend.put_text('new', path)
    assert path.read_text() == 'new'


def test_train_tool_saves_atomically(tmp_path):
    from config_cache import REPO_ROOT, load_config

    from dnc_mm.apis.cli import merge_train_args, train_arg_parser
    config = 'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-10k.py'
    args = train_arg_parser().parse_args([config])
    cfg = merge_train_args(load_config(osp.join(REPO_ROOT, config)), args)
    assert cfg.default_hooks.checkpoint.backend_args == dict(
        backend='local_atomic')
