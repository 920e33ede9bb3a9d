from .cli import (add_trust_checkpoint_arg, apply_trust_checkpoint,
                  build_runner, checkpoint_errors_as_exit, merge_test_args,
                  merge_train_args, task_of, test, train)

__all__ = [
    'add_trust_checkpoint_arg', 'apply_trust_checkpoint', 'build_runner',
    'checkpoint_errors_as_exit', 'merge_test_args', 'merge_train_args',
    'task_of', 'test', 'train'
]
