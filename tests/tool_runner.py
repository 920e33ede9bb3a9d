"""Helpers for tests that run the project's command-line tools."""
import os.path as osp
import subprocess
import sys
from typing import List

# The classification config the tool tests train (linear twin of the main job).
CONFIG = 'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-10k.py'


def run_tool(cmd: List[str], cwd: str, env: dict, timeout: int = 600) -> str:
    """Run a command, fail the test with its output when it fails."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(cmd)} failed ({proc.returncode}):\n'
        f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc.stdout + proc.stderr


def loader_options(data_root: str, splits=('train', 'val', 'test')):
    """--cfg-options pairs: small data, no worker processes."""
    opts = []
    for split in splits:
        key = f'{split}_dataloader'
        opts += [
            f'{key}.dataset.data_root={data_root}', f'{key}.num_workers=0',
            f'{key}.persistent_workers=False'
        ]
    return opts


RUN_RANKS = osp.join(
    osp.dirname(osp.abspath(__file__)), 'dist_workers', 'run_ranks.py')


def run_ranks(module_file: str,
              function: str,
              world: int,
              out: str,
              env: dict,
              timeout: int = 300) -> None:
    """Run ``function(rank, world, init_file, out)`` of ``module_file`` on
    ``world`` gloo ranks in fresh processes (see dist_workers/run_ranks.py).
    """
    run_tool(
        [sys.executable, RUN_RANKS, module_file, function,
         str(world), out],
        cwd=osp.dirname(module_file),
        env=env,
        timeout=timeout)
