"""tools/estimate_prototypes.py: file, statistics, reproducibility, errors."""
import subprocess

import torch
from tool_runner import run_tool

from dnc_mm.models.heads import HypersphericalPrototypeClsHead


def test_tool_writes_a_file_the_head_reads(tmp_path, repo_root, python_exe,
                                           subprocess_env):
    out = str(tmp_path / 'p.pt')
    cmd = [
        python_exe, 'tools/estimate_prototypes.py', '--classes', '6', '--dims',
        '5', '--iters', '300', '--out', out, '--no-progress'
    ]
    log = run_tool(cmd, repo_root, subprocess_env)
    assert 'max pairwise cosine' in log and 'simplex ETF' in log
    # d >= c - 1: close to the ETF (cos -1/5)
    assert 'largest deviation' in log
    first = torch.load(out, weights_only=True)
    assert first['prototypes'].shape == (6, 5)
    assert first['stats']['etf_max_abs_dev'] < 1e-2
    run_tool(cmd, repo_root, subprocess_env)  # same arguments, same file
    assert torch.equal(
        torch.load(out, weights_only=True)['prototypes'], first['prototypes'])
    head = HypersphericalPrototypeClsHead(
        num_classes=6, in_channels=5, prototype_file=out)
    head.init_prototypes()
    assert torch.equal(head.prototypes, first['prototypes'])


def test_tool_refuses_bad_dims(repo_root, python_exe, subprocess_env):
    proc = subprocess.run([
        python_exe, 'tools/estimate_prototypes.py', '--classes', '6', '--dims',
        '1', '--no-progress'
    ],
                          cwd=repo_root,
                          env=subprocess_env,
                          capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert 'dims must be >= 2' in proc.stderr
