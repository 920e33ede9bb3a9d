"""Turn an mmpretrain checkpoint (DNC or linear head) into an mmseg backbone
initialisation (DNC paper, Table 3: "DNC-ResNet101" / "DNC-Swin-B" rows).

    python tools/model_converters/cls_to_seg_backbone.py \
        CLS_CHECKPOINT SEG_CONFIG OUT_FILE [--adapt-in-channels]

The backbone is built from SEG_CONFIG (``model.backbone``), every
``backbone.*`` tensor of the checkpoint is renamed to mmseg's names and
checked against it; the tool prints what was mapped and what was not, and
stops with an error naming the offending tensors when the checkpoint does
not fit (another depth, width, stem or stage layout). OUT_FILE is an
mmengine checkpoint holding only backbone tensors; point the segmentation
config's ``model.backbone.init_cfg=dict(type='Pretrained',
checkpoint=OUT_FILE)`` at it (the paper configs under ``configs/`` name
their expected file).
"""
import argparse
import copy
import os
import os.path as osp
import sys
import time

import torch

from dnc_mm.apis.backbone_transfer import (BackboneTransferError,
                                           load_checkpoint_state_dict,
                                           transfer_backbone)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('checkpoint', help='mmpretrain checkpoint (.pth)')
    parser.add_argument('config', help='target mmseg config')
    parser.add_argument('out', help='output file (.pth)')
    parser.add_argument(
        '--prefix',
        default='backbone.',
        help='prefix of the backbone tensors in the '
        'checkpoint (default: backbone.)')
    parser.add_argument(
        '--adapt-in-channels',
        action='store_true',
        help='adapt the first convolution between 1 and N input channels '
        '(grey filters repeated and divided by N, or summed)')
    from dnc_mm.apis import add_trust_checkpoint_arg
    add_trust_checkpoint_arg(parser)
    return parser.parse_args(argv)


def build_target_backbone(config: str) -> torch.nn.Module:
    """The backbone of an mmseg config, without loading pretrained weights."""
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import init_default_scope

    import dnc_mm  # noqa: F401  (registration)
    cfg = Config.fromfile(config)
    if cfg.get('default_scope') != 'mmseg':
        raise BackboneTransferError(
            f'{config} is not an mmseg config (default_scope='
            f"{cfg.get('default_scope')!r}); pass the segmentation config "
            'whose backbone should receive the weights')
    init_default_scope('mmseg')
    from mmseg.registry import MODELS
    backbone_cfg = copy.deepcopy(cfg.model.backbone)
    backbone_cfg.pop('init_cfg', None)
    backbone_cfg.pop('pretrained', None)
    return revert_sync_batchnorm(MODELS.build(backbone_cfg))


def convert(args) -> int:
    from dnc_mm.apis import apply_trust_checkpoint
    apply_trust_checkpoint(args)
    if not osp.isfile(args.checkpoint):
        print(
            f'error: checkpoint {args.checkpoint} not found', file=sys.stderr)
        return 2
    state_dict, meta = load_checkpoint_state_dict(args.checkpoint)
    target = build_target_backbone(args.config)
    try:
        report = transfer_backbone(
            state_dict,
            target,
            prefix=args.prefix,
            adapt_in_channels=args.adapt_in_channels)
    except BackboneTransferError as err:
        print(
            f'error: {args.checkpoint} -> {args.config}: {err}',
            file=sys.stderr)
        return 1
    # prove that the result loads: nothing unexpected, only allowed gaps
    result = target.load_state_dict(report.state_dict, strict=False)
    assert not result.unexpected_keys, result.unexpected_keys
    print(report.summary())
    out_meta = dict(
        source_checkpoint=osp.abspath(args.checkpoint),
        source_meta={
            k: meta[k]
            for k in ('epoch', 'iter', 'cfg') if k in meta
        },
        target_config=osp.abspath(args.config),
        converter='dnc_mm tools/model_converters/cls_to_seg_backbone.py',
        adapted_in_channels=report.adapted,
        time=time.strftime('%Y-%m-%d %H:%M:%S'))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    # written whole or not at all: an interrupted save leaves no partial
    # file that a training run would load
    partial = f'{args.out}.partial'
    torch.save(dict(state_dict=report.state_dict, meta=out_meta), partial)
    os.replace(partial, args.out)
    print(f'saved {args.out}')
    return 0


def main(argv=None) -> int:
    return convert(parse_args(argv))


if __name__ == '__main__':
    from dnc_mm.apis import checkpoint_errors_as_exit
    with checkpoint_errors_as_exit('cls_to_seg_backbone.py'):
        sys.exit(main())
