from .cli import (add_trust_checkpoint_arg, apply_trust_checkpoint,
                  build_runner, checkpoint_errors_as_exit, merge_test_args,
                  merge_train_args, task_of, test, train)
from .model_index import (get_config_path, hook_model_hub, list_model_names,
                          model_index_root, register_model_index)

# mmpretrain's get_model / list_models know this project's names from here
# on (registered on the hub's first use, see model_index)
hook_model_hub()

__all__ = [
    'add_trust_checkpoint_arg', 'apply_trust_checkpoint', 'build_runner',
    'checkpoint_errors_as_exit', 'get_config_path', 'hook_model_hub',
    'list_model_names', 'merge_test_args', 'merge_train_args',
    'model_index_root', 'register_model_index', 'task_of', 'test', 'train'
]
