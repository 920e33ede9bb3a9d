"""Segment an image file and draw the prediction and, for a DNC decode
head, which sub-centroid explains each pixel.

Example (DNC-FCN on the bundled segmentation benchmark)::

    python demo/seg_demo.py \\
        data/seg_benchmark/fashion_scenes/img_dir/val/00000.png \\
        configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py \\
        work_dirs/dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128/iter_1000.pth \\
        --out-file work_dirs/demo/00000_seg.png

The prediction is mmseg's ``inference_model``'s (the config's test
pipeline). The figure is, left to right: the image, the predicted classes
(the dataset's palette) and, for DNC heads (``SubCentroidFCNHead``,
``ASPPHead``, ``UPerHead``), the sub-centroid of the predicted class that
explains each pixel (K shades of the class colour, dark = first, class
boundaries in black; :mod:`dnc_mm.visualization`). Other heads (CBP, the
softmax baselines) get the first two panels. Whole-image inference.
"""
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from demo_utils import check_inputs, demo_parser, load_config, read_image, run

PROG = 'seg_demo.py'


def parse_args(argv: Optional[Sequence[str]] = None):
    """The segmentation demo's options (``argv``: default
    ``sys.argv[1:]``)."""
    parser = demo_parser(PROG, __doc__, 'an mmseg model')
    parser.add_argument(
        '--out-file', required=True, help='save the figure (PNG) here')
    return parser.parse_args(argv)


def _pixel_maps(model, img_path: str) -> Tuple:
    """Classes and explaining sub-centroids at the image's size.

    The image goes through the config's test pipeline and the model's data
    preprocessor, as in ``mmseg.apis.inference_model``.
    """
    import torch
    from mmengine.dataset import Compose

    from dnc_mm.visualization import pixel_subcentroids
    steps = [
        t for t in model.cfg.test_pipeline
        if t.get('type') != 'LoadAnnotations'
    ]
    data = Compose(steps)(dict(img_path=img_path))
    batch = model.data_preprocessor(
        dict(inputs=[data['inputs']], data_samples=[data['data_samples']]),
        False)
    with torch.no_grad():
        feats = model.extract_feat(batch['inputs'])
        classes, sub = pixel_subcentroids(model.decode_head, feats,
                                          tuple(batch['inputs'].shape[-2:]))
    h, w = data['data_samples'].img_shape
    return classes[0, :h, :w].cpu().numpy(), sub[0, :h, :w].cpu().numpy()


def _shares(classes, names: Sequence[str]) -> List[str]:
    import numpy as np
    counts = np.bincount(classes.ravel(), minlength=len(names))
    order = np.argsort(-counts)
    return [
        f'{names[c]} {100 * counts[c] / classes.size:.1f} %' for c in order
        if counts[c] > 0
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Segment ``img`` and save the figure (``argv``: as ``parse_args``).

    Returns:
        Exit status 0.

    Raises:
        DemoError: A file is missing or unreadable.
    """
    args = parse_args(argv)
    check_inputs(args)
    import mmcv
    import numpy as np
    from mmengine.model import revert_sync_batchnorm

    import dnc_mm  # noqa: F401  (registration)
    from dnc_mm.visualization import draw_subcentroid_map, subcentroid_usage
    image = mmcv.bgr2rgb(read_image(args.img))
    cfg = load_config(args)
    from mmseg.apis import inference_model, init_model
    model = init_model(cfg, args.checkpoint, device=args.device)
    if args.device == 'cpu':
        model = revert_sync_batchnorm(model)
    result = inference_model(model, args.img)
    pred = result.pred_sem_seg.data[0].cpu().numpy()
    meta: Dict = model.dataset_meta or {}
    num_classes = model.decode_head.num_classes
    names = list(meta.get('classes') or [str(c) for c in range(num_classes)])
    palette = meta.get('palette')
    if palette is None:
        rng = np.random.default_rng(0)
        palette = rng.integers(0, 256, (num_classes, 3)).tolist()
    head = model.decode_head
    print(f'image: {args.img} ({image.shape[1]}x{image.shape[0]})')
    print('prediction: ' + ', '.join(_shares(pred, names)))
    if hasattr(head, 'pixel_similarities'):
        classes, sub = _pixel_maps(model, args.img)
        if classes.shape == pred.shape and not (classes == pred).all():
            raise RuntimeError('the sub-centroid map disagrees with the '
                               "model's prediction")
        if classes.shape != pred.shape:  # the test pipeline resizes
            size = (pred.shape[1], pred.shape[0])
            sub = mmcv.imresize(
                sub.astype(np.uint8), size,
                interpolation='nearest').astype(np.int64)
        k = head.classifier.subcentroids.shape[1]
        panel = draw_subcentroid_map(image, pred, sub, palette, k)
        usage = subcentroid_usage(pred, sub, num_classes, k)
        print(f'pixels per sub-centroid (K={k}):')
        for c, counts in usage.items():
            print(f'  {names[c]}: {counts}')
    else:
        print(f'no sub-centroid map: {type(head).__name__} is not a DNC '
              'decode head')
        gap = np.full((image.shape[0], 4, 3), 255, dtype=np.uint8)
        panel = np.concatenate(
            [image, gap, np.asarray(palette, dtype=np.uint8)[pred]], axis=1)
    os.makedirs(osp.dirname(osp.abspath(args.out_file)), exist_ok=True)
    mmcv.imwrite(panel[..., ::-1], args.out_file)
    print(f'figure: {args.out_file}')
    return 0


if __name__ == '__main__':
    run(PROG, main)
