"""Command-line front end shared by ``tools/train.py`` and ``tools/test.py``.

One pair of tools serves mmpretrain (classification) and mmsegmentation
(segmentation) configs. The task is read from the config's
``default_scope``; the options behave as in the toolboxes' own tools, with
the differences stated in each option's help.
"""
import argparse
import contextlib
import os
import os.path as osp
import sys
from typing import Iterator, List, Optional, Sequence

from mmengine.config import Config, ConfigDict, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from dnc_mm.compat import (CheckpointLoadError, load_checkpoint_file,
                           trust_checkpoints)
from dnc_mm.engine.cpu_distributed import prepare_cpu_distributed

TASKS = {'mmpretrain': 'cls', 'mmcls': 'cls', 'mmseg': 'seg'}


def task_of(cfg: Config) -> str:
    """Return ``'cls'`` or ``'seg'`` for a config, from its ``default_scope``.

    Raises:
        ValueError: The scope is neither mmpretrain nor mmseg.
    """
    scope = cfg.get('default_scope', None)
    if scope not in TASKS:
        raise ValueError(
            f'config has default_scope={scope!r}; dnc_mm tools serve '
            "mmpretrain ('mmpretrain') and mmsegmentation ('mmseg') configs. "
            "Set default_scope in the config or inherit from a _base_ runtime "
            'of either toolbox.')
    return TASKS[scope]


def add_trust_checkpoint_arg(parser: argparse.ArgumentParser) -> None:
    """``--trust-checkpoint``: the explicit opt-in to load checkpoints as
    full pickles (see :mod:`dnc_mm.compat.checkpoint_loading`)."""
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='load checkpoints that need Python objects beyond tensors, '
        'numbers, strings, numpy arrays and mmengine log buffers (a full '
        'pickle, which can run code: only for files you trust; same as '
        'DNC_MM_TRUST_CHECKPOINTS=1)')


def apply_trust_checkpoint(args: argparse.Namespace) -> None:
    """Opt in for this process and its children when the flag is set."""
    if getattr(args, 'trust_checkpoint', False):
        trust_checkpoints()


@contextlib.contextmanager
def checkpoint_errors_as_exit(prog: str) -> Iterator[None]:
    """Turn a refused, truncated or missing checkpoint into one line on
    stderr and exit status 1 (for the command-line tools)."""
    try:
        yield
    except CheckpointLoadError as error:
        sys.exit(f'{prog}: error: {error}')


def _add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--work-dir',
        help='folder for logs and checkpoints '
        '(default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, xxx=yyy (lists as key="[a,b]")')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument(
        '--local_rank',
        '--local-rank',
        type=int,
        default=0,
        help=argparse.SUPPRESS)
    add_trust_checkpoint_arg(parser)


def train_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Train a dnc_mm / mmpretrain / mmseg model')
    _add_common_args(parser)
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or without a value from the '
        'latest checkpoint in the work folder')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision (needs a GPU)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the real batch '
        'size (config field auto_scale_lr)')
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='random seed (overrides randomness.seed)')
    return parser


def test_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Test a dnc_mm / mmpretrain / mmseg model')
    _add_common_args(parser)
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='classification: a .pkl file of per-sample predictions '
        '(as mmpretrain); segmentation: a folder of predicted label maps '
        '(as mmseg)')
    parser.add_argument(
        '--show-dir', help='folder where drawn predictions are written')
    parser.add_argument(
        '--interval',
        type=int,
        default=1,
        help='draw every n-th sample with --show-dir')
    parser.add_argument(
        '--amp', action='store_true', help='test in fp16 (needs a GPU)')
    return parser


def _export_local_rank(args: argparse.Namespace) -> None:
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)


def _set_work_dir(cfg: Config, args: argparse.Namespace) -> None:
    # CLI > config field > config file name
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])


def merge_train_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply ``tools/train.py`` options to a config (in place)."""
    task_of(cfg)
    cfg.launcher = args.launcher
    _set_work_dir(cfg, args)
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise ValueError('--auto-scale-lr needs `auto_scale_lr = '
                             'dict(base_batch_size=...)` in the config')
        cfg.auto_scale_lr.enable = True
    if args.seed is not None:
        cfg.setdefault('randomness', ConfigDict())
        cfg.randomness.seed = args.seed
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    use_atomic_checkpoints(cfg)
    add_epoch_seed_hook(cfg)
    return cfg


def add_epoch_seed_hook(cfg: Config) -> None:
    """Add :class:`~dnc_mm.engine.hooks.EpochSeedHook` (exact ``--resume``)
    unless the config lists it already."""
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(
            h.get('type') in ('EpochSeedHook', 'dnc_mm.EpochSeedHook')
            for h in hooks):
        hooks.append(dict(type='EpochSeedHook'))
    cfg.custom_hooks = hooks


def use_atomic_checkpoints(cfg: Config) -> None:
    """Make the checkpoint hook write through
    :class:`~dnc_mm.engine.fileio.AtomicLocalBackend` (temporary file +
    rename), unless the config chose a backend or a remote ``out_dir``."""
    hook = cfg.get('default_hooks', {}).get('checkpoint', None)
    if not hook or hook.get('backend_args') or hook.get('file_client_args'):
        return
    if '://' in str(hook.get('out_dir') or ''):
        return
    hook.backend_args = dict(backend='local_atomic')


def merge_test_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply ``tools/test.py`` options to a config (in place)."""
    task = task_of(cfg)
    cfg.launcher = args.launcher
    _set_work_dir(cfg, args)
    cfg.load_from = args.checkpoint
    if args.amp:
        cfg.setdefault('test_cfg', ConfigDict())
        cfg.test_cfg.fp16 = True
    if args.show_dir:
        hook = cfg.get('default_hooks', {}).get('visualization', None)
        if hook is None:
            raise ValueError(
                '--show-dir needs a visualization hook in default_hooks: '
                "dict(type='VisualizationHook') (mmpretrain) or "
                "dict(type='SegVisualizationHook') (mmseg)")
        if task == 'cls':
            hook.update(
                enable=True, out_dir=args.show_dir, interval=args.interval)
        else:
            hook.update(draw=True, interval=args.interval)
            cfg.visualizer.save_dir = args.show_dir
    if args.out and task == 'seg':
        evaluator = cfg.test_evaluator
        evaluators = evaluator if isinstance(evaluator, list) else [evaluator]
        for metric in evaluators:
            metric.update(output_dir=args.out, keep_results=True)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def missing_pretrained_files(cfg: Config) -> List[str]:
    """Local ``Pretrained`` checkpoints named by ``cfg.model`` that do not
    exist (URLs and ``open-mmlab://`` names are not checked)."""
    missing = []

    def visit(node):
        if isinstance(node, dict):
            if node.get('type') == 'Pretrained':
                path = node.get('checkpoint')
                if isinstance(path, str) and '://' not in path and \
                        not osp.isfile(path):
                    missing.append(path)
            for value in node.values():
                visit(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                visit(value)

    visit(cfg.get('model', {}))
    return missing


def check_pretrained_files(cfg: Config) -> None:
    """Fail before building anything when an initialisation file is absent.

    mmengine would otherwise stop deep inside ``init_weights`` with a bare
    ``FileNotFoundError``. Resumed runs and ``load_from`` runs take their
    weights from the checkpoint and are not checked.

    Raises:
        FileNotFoundError: Naming the files and how to produce them.
    """
    if cfg.get('resume') or cfg.get('load_from'):
        return
    missing = missing_pretrained_files(cfg)
    if missing:
        raise FileNotFoundError(
            'initialisation file(s) named by init_cfg=dict(type='
            "'Pretrained', ...) not found: " + ', '.join(missing) + '. '
            'A segmentation backbone file is made from a classification '
            'checkpoint with `python tools/model_converters/'
            'cls_to_seg_backbone.py CLS_CKPT THIS_CONFIG OUT` (see '
            'docs/methods/dnc_segmentation.md); or point the init_cfg '
            'elsewhere with --cfg-options (e.g. '
            'model.backbone.init_cfg.checkpoint=PATH).')


class CheckpointMismatchError(CheckpointLoadError):
    """``load_from`` names a checkpoint of another architecture."""


def check_load_from(model, path: str) -> None:
    """Refuse a ``load_from`` checkpoint that does not fit ``model``.

    mmengine loads ``load_from`` with ``strict=False``: tensors of another
    shape or name are skipped with a logged warning, and a checkpoint of
    another architecture silently starts the run from scratch. Refused
    here: any tensor whose name the model has but whose shape differs, and
    a checkpoint that holds none of the model's tensors. Missing tensors
    alone (e.g. a new head when fine-tuning) stay allowed. Tensors the model
    sizes at run time (an empty feature memory) are not compared.

    Raises:
        CheckpointMismatchError: One line naming the first mismatches.
    """
    from mmengine.model import is_model_wrapper
    if is_model_wrapper(model):
        model = model.module
    ckpt = load_checkpoint_file(path, map_location='cpu')
    saved = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    saved = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in saved.items() if hasattr(v, 'shape')
    }
    own = {k: v for k, v in model.state_dict().items() if v.numel() > 0}
    wrong = [
        f'{k} {tuple(saved[k].shape)} vs {tuple(v.shape)}'
        for k, v in own.items()
        if k in saved and tuple(saved[k].shape) != tuple(v.shape)
    ]
    if wrong:
        raise CheckpointMismatchError(
            f'load_from={path} does not fit this model: {len(wrong)} '
            f'tensors differ in shape (checkpoint vs model), e.g. '
            f'{"; ".join(wrong[:3])}. Point load_from at a checkpoint of '
            'this config (or use a converter for another architecture)')
    if own and not any(k in saved for k in own):
        raise CheckpointMismatchError(
            f'load_from={path} holds none of the {len(own)} tensors of this '
            f'model (it has e.g. {", ".join(list(saved)[:3]) or "nothing"}): '
            'a checkpoint of another architecture or task')


def build_runner(cfg: Config) -> Runner:
    """Build the config's runner (``runner_type`` if set, else ``Runner``).

    On a machine without CUDA, a distributed launch uses gloo (see
    :func:`dnc_mm.engine.prepare_cpu_distributed`).
    """
    prepare_cpu_distributed(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def train(argv: Optional[Sequence[str]] = None) -> Runner:
    """Entry point of ``tools/train.py``."""
    args = train_arg_parser().parse_args(argv)
    _export_local_rank(args)
    apply_trust_checkpoint(args)
    cfg = merge_train_args(Config.fromfile(args.config), args)
    check_pretrained_files(cfg)
    runner = build_runner(cfg)
    if cfg.get('load_from') and not cfg.get('resume'):
        check_load_from(runner.model, cfg.load_from)
    runner.train()
    return runner


def test(argv: Optional[Sequence[str]] = None) -> dict:
    """Entry point of ``tools/test.py``; returns the test metrics."""
    args = test_arg_parser().parse_args(argv)
    _export_local_rank(args)
    apply_trust_checkpoint(args)
    cfg = merge_test_args(Config.fromfile(args.config), args)
    runner = build_runner(cfg)
    if args.out and task_of(cfg) == 'cls':
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    return runner.test()


__all__: List[str] = [
    'add_trust_checkpoint_arg', 'apply_trust_checkpoint',
    'checkpoint_errors_as_exit', 'use_atomic_checkpoints',
    'add_epoch_seed_hook', 'CheckpointMismatchError', 'check_load_from',
    'task_of', 'train_arg_parser', 'test_arg_parser', 'merge_train_args',
    'merge_test_args', 'missing_pretrained_files', 'check_pretrained_files',
    'build_runner', 'train', 'test'
]
