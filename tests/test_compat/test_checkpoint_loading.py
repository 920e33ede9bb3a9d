"""Checkpoint loading with dnc_mm imported: mmengine's own checkpoints load
under torch >= 2.6, anything that could run code is refused unless the user
opts in, and broken files end in one clear line."""
import argparse
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import dnc_mm  # noqa: F401  registers the loader
from dnc_mm.compat import (TRUST_ENV_VAR, CorruptCheckpointError,
                           UntrustedCheckpointError, checkpoint_safe_globals,
                           load_checkpoint_file)


class _RunsCommand:
    """Unpickling this runs a shell command that creates a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


@pytest.fixture(autouse=True)
def _not_trusted(monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)


def _mmengine_like_checkpoint() -> dict:
    return {
        'meta': {
            'epoch': 3,
            'seed': np.int64(7),
            'iter': np.float32(2.5)
        },
        'state_dict': {
            'w': torch.ones(2)
        },
        'message_hub': {
            'log_scalars': {
                'loss': HistoryBuffer([1.0, 2.0], [1, 1])
            },
            'runtime_info': {
                'names': np.array(['a', 'bc'])
            },
        },
    }


def test_plain_torch_load_refuses_it(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    # the breakage the loader exists for (torch >= 2.6 default weights_only)
    with pytest.raises(Exception):
        torch.load(path)


def test_mmengine_loader_reads_it(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['epoch'] == 3
    assert ckpt['meta']['seed'] == 7
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    buffer = ckpt['message_hub']['log_scalars']['loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.mean() == 1.5


def test_allow_list_is_scoped_to_the_call(tmp_path):
    """The extra globals are allowed inside the loader only: plain
    ``torch.load`` of the same file still refuses after it ran."""
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    load_checkpoint_file(str(path))

    def objects(entries):
        return {id(e[0] if isinstance(e, tuple) else e) for e in entries}

    assert not (objects(checkpoint_safe_globals())
                & objects(torch.serialization.get_safe_globals()))
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path, weights_only=True)


def test_malicious_checkpoint_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _RunsCommand(str(marker))}, path)
    model = torch.nn.Linear(2, 2)
    with pytest.raises(UntrustedCheckpointError) as info:
        load_checkpoint(model, str(path), map_location='cpu')
    message = str(info.value)
    assert 'system' in message and TRUST_ENV_VAR in message
    assert '--trust-checkpoint' in message and '\n' not in message
    assert not marker.exists(), 'the checkpoint ran its command'


def test_object_arrays_are_refused(tmp_path):
    path = tmp_path / 'objects.pth'
    torch.save({'meta': np.array([1, 'x', None], dtype=object)}, path)
    with pytest.raises(UntrustedCheckpointError, match='not data'):
        _load_checkpoint(str(path))


def test_trusted_files_load_other_objects(tmp_path, monkeypatch):
    path = tmp_path / 'other.pth'
    torch.save({'state_dict': {}, 'meta': argparse.Namespace(a=1)}, path)
    with pytest.raises(UntrustedCheckpointError, match='Namespace'):
        _load_checkpoint(str(path))
    monkeypatch.setenv(TRUST_ENV_VAR, '1')
    assert _load_checkpoint(str(path))['meta'].a == 1


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))


@pytest.mark.parametrize('kind', ['truncated', 'text', 'empty'])
def test_broken_files_end_in_one_line(tmp_path, kind):
    path = tmp_path / f'{kind}.pth'
    if kind == 'truncated':
        torch.save(_mmengine_like_checkpoint(), path)
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2])
    elif kind == 'text':
        path.write_text('12 not a checkpoint\n')
    else:
        path.write_bytes(b'')
    before = path.read_bytes()
    with pytest.raises(CorruptCheckpointError) as info:
        _load_checkpoint(str(path))
    assert str(path) in str(info.value) and '\n' not in str(info.value)
    assert path.read_bytes() == before


def test_test_tool_prints_one_line(tmp_path, repo_root, subprocess_env):
    """``tools/test.py`` on a file that is not a checkpoint: one line, no
    traceback (the runner is built, then loading fails)."""
    path = tmp_path / 'notes.pth'
    path.write_text('12 not a checkpoint\n')
    config = 'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-10k.py'
    proc = subprocess.run([
        sys.executable, 'tools/test.py', config,
        str(path), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ],
                          cwd=repo_root,
                          env=subprocess_env,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('test.py: error: ') and 'notes.pth' in last, last
    assert 'Traceback' not in proc.stderr
    assert osp.isfile(path)


class _Getattr:
    """Pickles as ``getattr(owner, name)``: the one use of ``getattr`` the
    loader allows is HistoryBuffer's statistics methods."""

    def __init__(self, owner, name) -> None:
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


@pytest.mark.parametrize('owner,name', [
    (HistoryBuffer, '__init__'),
    (HistoryBuffer, 'update'),
    (torch._utils._rebuild_tensor_v2, '__globals__'),
    (np.ndarray, 'tofile'),
])
def test_getattr_is_restricted(tmp_path, owner, name):
    path = tmp_path / 'getattr.pth'
    torch.save({'meta': _Getattr(owner, name)}, path)
    with pytest.raises(UntrustedCheckpointError, match='not allowed'):
        _load_checkpoint(str(path))
    ok = tmp_path / 'ok.pth'
    torch.save({'meta': _Getattr(HistoryBuffer, 'mean')}, ok)
    assert _load_checkpoint(str(ok))['meta'] is HistoryBuffer.mean
