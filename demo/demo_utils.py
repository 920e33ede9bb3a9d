"""What the demos share: their common options and one-line errors."""
import argparse
import os.path as osp
import sys
from typing import Callable, Optional, Sequence


class DemoError(Exception):
    """Bad input: reported as one line on stderr, exit status 1."""


def demo_parser(prog: str, doc: str, model: str) -> argparse.ArgumentParser:
    """A parser with the arguments every demo takes.

    Args:
        prog: The script's name, for messages.
        doc: The script's docstring: its first paragraph is the
            description, the rest the epilog of ``--help``.
        model: What the config must describe, for the help text.

    Returns:
        The parser with ``img``, ``config``, ``checkpoint``, ``--device``,
        ``--cfg-options`` and ``--trust-checkpoint``.
    """
    from mmengine.config import DictAction

    from dnc_mm.apis import add_trust_checkpoint_arg
    parts = doc.split('\n\n')
    parser = argparse.ArgumentParser(
        prog=prog,
        description=parts[0].replace('\n', ' '),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n\n'.join(parts[1:]))
    parser.add_argument('img', help='image file (any format OpenCV reads)')
    parser.add_argument('config', help=f'config file of {model}')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='key=value overrides of the config')
    add_trust_checkpoint_arg(parser)
    return parser


def check_inputs(args: argparse.Namespace) -> None:
    """Opt in to trusted checkpoints if asked; refuse missing files.

    Args:
        args: Options of :func:`demo_parser`.

    Raises:
        DemoError: The image, config or checkpoint file does not exist.
    """
    from dnc_mm.apis import apply_trust_checkpoint
    apply_trust_checkpoint(args)
    for path, what in [(args.img, 'image file'), (args.config, 'config file'),
                       (args.checkpoint, 'checkpoint file')]:
        if not osp.isfile(path):
            raise DemoError(f'{what} {path!r} does not exist')


def load_config(args: argparse.Namespace):
    """The config with ``--cfg-options`` applied."""
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def read_image(path: str):
    """The image file as ``mmcv.imread`` reads it (BGR).

    Raises:
        DemoError: The file is not an image.
    """
    import mmcv
    image = mmcv.imread(path)
    if image is None:
        raise DemoError(f'cannot read {path!r} as an image')
    return image


def run(prog: str, main: Callable[[Optional[Sequence[str]]], int]) -> None:
    """Run ``main``; bad input and checkpoint errors end in one line."""
    from dnc_mm.apis import checkpoint_errors_as_exit
    with checkpoint_errors_as_exit(prog):
        try:
            sys.exit(main(None))
        except DemoError as error:
            sys.exit(f'{prog}: error: {error}')
