"""Two gloo processes keep identical DNC state, equal to one process."""
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest
import torch

WORKER = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                  'dist_workers', 'cls_head_two_ranks.py')


def _load_worker_module():
    spec = importlib.util.spec_from_file_location('cls_head_two_ranks',
                                                  WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_two_ranks_identical_and_equal_to_one_process(tmp_path,
                                                      subprocess_env):
    out = str(tmp_path / 'states.pth')
    proc = subprocess.run([sys.executable, WORKER, out], env=subprocess_env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rank0, rank1 = torch.load(out, weights_only=False)
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), f'ranks differ: {key}'

    worker = _load_worker_module()
    single = worker.make_head()
    for i in range(worker.STEPS):
        worker.step(single, *worker.batch(i))
    for key, value in single.state_dict().items():
        if value.is_floating_point():
            assert torch.allclose(rank0[key], value, atol=1e-5), key
        else:
            assert torch.equal(rank0[key], value), key
    assert int(rank0['memory.num_filled']) == worker.WORLD * \
        worker.PER_RANK * 2
