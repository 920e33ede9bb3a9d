"""Draw, per pixel, which sub-centroid of the predicted class explains it.

    python tools/analysis_tools/show_subcentroids.py CONFIG CHECKPOINT \
        --out-dir DIR [--num-images 8] [--split test]

For each image of the config's test (or val) set: a PNG with the image, the
predicted classes (dataset palette) and the sub-centroid map, where each
class keeps its colour and its K sub-centroids are drawn from dark (k=0) to
light (k=K-1), with class boundaries in black. ``usage.json`` counts the
pixels each (class, sub-centroid) explains over the drawn images, and
``README.md`` lists the figures. Whole-image inference (as
``test_cfg.mode='whole'``); for DNC decode heads only
(``SubCentroidFCNHead``/``ASPPHead``/``UPerHead``).
"""
import argparse
import json
import os
import os.path as osp

import mmcv
import numpy as np
import torch
from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--num-images', type=int, default=8)
    parser.add_argument('--split', choices=['test', 'val'], default='test')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, xxx=yyy')
    from dnc_mm.apis import add_trust_checkpoint_arg
    add_trust_checkpoint_arg(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from dnc_mm.apis import apply_trust_checkpoint
    apply_trust_checkpoint(args)
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import init_default_scope

    import dnc_mm  # noqa: F401
    from dnc_mm.visualization import (draw_subcentroid_map, pixel_subcentroids,
                                      subcentroid_usage)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope('mmseg')
    from mmseg.apis import init_model
    from mmseg.registry import DATASETS
    cfg.model.backbone.pop('init_cfg', None)  # weights come from CHECKPOINT
    model = revert_sync_batchnorm(
        init_model(cfg, args.checkpoint, device=args.device)).eval()
    head = model.decode_head
    loader = cfg.get(f'{args.split}_dataloader')
    dataset = DATASETS.build(loader.dataset)
    palette = dataset.metainfo['palette']
    names = dataset.metainfo['classes']
    k = head.classifier.subcentroids.shape[1]
    os.makedirs(args.out_dir, exist_ok=True)
    all_cls, all_sub, lines = [], [], []
    for i in range(min(args.num_images, len(dataset))):
        data = model.data_preprocessor(
            dict(
                inputs=[dataset[i]['inputs']],
                data_samples=[dataset[i]['data_samples']]), False)
        with torch.no_grad():
            feats = model.extract_feat(data['inputs'])
            size = tuple(data['inputs'].shape[-2:])
            classes, sub = pixel_subcentroids(head, feats, size)
        info = dataset.get_data_info(i)
        image = mmcv.imread(info['img_path'], channel_order='rgb')
        h, w = image.shape[:2]
        cls_map = classes[0, :h, :w].cpu().numpy()
        sub_map = sub[0, :h, :w].cpu().numpy()
        panel = draw_subcentroid_map(image, cls_map, sub_map, palette, k)
        name = osp.splitext(osp.basename(info['img_path']))[0]
        out = osp.join(args.out_dir, f'{name}_subcentroids.png')
        mmcv.imwrite(panel[..., ::-1], out)
        all_cls.append(cls_map.ravel())
        all_sub.append(sub_map.ravel())
        lines.append(f'![{name}]({osp.basename(out)})')
    usage = subcentroid_usage(
        np.concatenate(all_cls), np.concatenate(all_sub), len(names), k)
    with open(osp.join(args.out_dir, 'usage.json'), 'w') as f:
        json.dump({names[c]: v for c, v in usage.items()}, f, indent=1)
    with open(osp.join(args.out_dir, 'README.md'), 'w') as f:
        f.write(f'# Sub-centroid maps of {osp.basename(args.config)}\n\n'
                'Left to right: image, predicted classes, the sub-centroid '
                f'of the predicted class that explains each pixel (K={k}: '
                'dark = first, light = last shade of the class colour).\n\n'
                '| class | pixels per sub-centroid |\n| --- | --- |\n')
        for c, v in usage.items():
            f.write(f'| {names[c]} | {v} |\n')
        f.write('\n' + '\n\n'.join(lines) + '\n')
    print(f'wrote {len(lines)} figures, usage.json and README.md to '
          f'{args.out_dir}')


if __name__ == '__main__':
    from dnc_mm.apis import checkpoint_errors_as_exit
    with checkpoint_errors_as_exit('show_subcentroids.py'):
        main()
