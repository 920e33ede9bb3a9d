from .cli import (build_runner, merge_test_args, merge_train_args, task_of,
                  test, train)

__all__ = ['build_runner', 'merge_test_args', 'merge_train_args', 'task_of',
           'test', 'train']
