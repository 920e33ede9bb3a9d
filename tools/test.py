"""Test a checkpoint of an mmpretrain or mmseg config.

Usage: python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out PATH]
       [--show-dir DIR] [--cfg-options k=v ...] [--launcher ...]
"""
import dnc_mm  # noqa: F401  registers the plugin and the stack fixes
from dnc_mm.apis import checkpoint_errors_as_exit, test

if __name__ == '__main__':
    with checkpoint_errors_as_exit('test.py'):
        test()
