"""Train an mmpretrain or mmseg config (with or without dnc_mm modules).

Usage: python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]
       [--amp] [--cfg-options k=v ...] [--launcher pytorch|slurm|mpi]
"""
import dnc_mm  # noqa: F401  registers the plugin and the stack fixes
from dnc_mm.apis import checkpoint_errors_as_exit, train

if __name__ == '__main__':
    with checkpoint_errors_as_exit('train.py'):
        train()
