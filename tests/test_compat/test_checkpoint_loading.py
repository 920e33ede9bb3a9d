"""mmengine 0.10.7 must load its own checkpoints under torch >= 2.6."""
import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import dnc_mm  # noqa: F401  applies the patch


def _mmengine_like_checkpoint() -> dict:
    return {
        'meta': {'epoch': 3, 'seed': np.int64(7)},
        'state_dict': {'w': torch.ones(2)},
        'message_hub': {'log_scalars': {'loss': HistoryBuffer([1.0, 2.0], [1, 1])}},
    }


def test_plain_torch_load_refuses_it(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    # the breakage the patch exists for (torch >= 2.6 default weights_only)
    with pytest.raises(Exception):
        torch.load(path)


def test_mmengine_loader_reads_it(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(_mmengine_like_checkpoint(), path)
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['epoch'] == 3
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert isinstance(ckpt['message_hub']['log_scalars']['loss'],
                      HistoryBuffer)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))
