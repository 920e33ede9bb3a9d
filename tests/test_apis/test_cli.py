"""tools/train.py and tools/test.py option handling (dnc_mm.apis.cli)."""
import pytest
from mmengine.config import Config

from dnc_mm.apis.cli import merge_test_args, merge_train_args, task_of
from dnc_mm.apis.cli import test_arg_parser as make_test_parser
from dnc_mm.apis.cli import train_arg_parser

CLS = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'
SEG = 'configs/fcn/fcn_r18-w16-d8_1k_fashion-scenes-128x128.py'


@pytest.fixture
def cfg_of(repo_root):
    return lambda rel: Config.fromfile(f'{repo_root}/{rel}')


def test_task_is_read_from_default_scope(cfg_of):
    assert task_of(cfg_of(CLS)) == 'cls'
    assert task_of(cfg_of(SEG)) == 'seg'
    with pytest.raises(ValueError, match='default_scope'):
        task_of(Config(dict(default_scope='mmdet')))


def test_train_options(cfg_of):
    args = train_arg_parser().parse_args([
        CLS, '--resume', '--amp', '--seed', '3', '--work-dir', 'w',
        '--cfg-options', 'train_cfg.max_epochs=1'
    ])
    cfg = merge_train_args(cfg_of(CLS), args)
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.randomness.seed == 3 and cfg.work_dir == 'w'
    assert cfg.train_cfg.max_epochs == 1
    args = train_arg_parser().parse_args([CLS, '--resume', 'x.pth'])
    cfg = merge_train_args(cfg_of(CLS), args)
    assert cfg.resume is True and cfg.load_from == 'x.pth'


def test_show_dir_and_out_follow_each_toolbox(cfg_of):
    args = make_test_parser().parse_args(
        [CLS, 'c.pth', '--show-dir', 'vis', '--out', 'p.pkl'])
    cfg = merge_test_args(cfg_of(CLS), args)
    hook = cfg.default_hooks.visualization
    assert hook.enable is True and hook.out_dir == 'vis'
    args = make_test_parser().parse_args(
        [SEG, 'c.pth', '--show-dir', 'vis', '--out', 'preds'])
    cfg = merge_test_args(cfg_of(SEG), args)
    assert cfg.default_hooks.visualization.draw is True
    assert cfg.visualizer.save_dir == 'vis'
    assert cfg.test_evaluator.output_dir == 'preds'
    assert cfg.load_from == 'c.pth'
