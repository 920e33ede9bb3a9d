"""Run a test module's worker function on N gloo ranks, in fresh processes.

    python tests/dist_workers/run_ranks.py MODULE_FILE FUNCTION WORLD OUT

Each rank calls ``FUNCTION(rank, world, init_file, OUT)`` from the module at
``MODULE_FILE``; the function initialises its process group from the
``file://`` ``init_file``. Tests start this script with ``subprocess``:
forking the pytest process after torch has started its thread pools can
deadlock, and test modules (imported with ``--import-mode=importlib``)
cannot be found by name from a spawned child.
"""
import importlib.util
import os.path as osp
import sys

import torch.multiprocessing as mp

# test modules import helpers that live in tests/ (pytest's `pythonpath`)
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_module(path: str):
    """Import a Python file by path."""
    name = osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entry(rank: int, path: str, function: str, world: int, out: str):
    getattr(load_module(path), function)(rank, world, out + '.init', out)


if __name__ == '__main__':
    path, function, world, out = sys.argv[1:5]
    mp.spawn(_entry, args=(path, function, int(world), out), nprocs=int(world))
