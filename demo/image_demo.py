"""Classify an image file with a DNC classifier and print the IF…THEN rule
that decided it.

Example (the README's main model and the bundled Fashion-MNIST image)::

    python demo/image_demo.py demo/ankle_boot.png \\
        configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py \\
        work_dirs/dnc_resnet18-w16_5e_fashion-mnist-10k/epoch_5.pth \\
        --out-file work_dirs/demo/ankle_boot_explained.png

The prediction is mmpretrain's ``ImageClassificationInferencer``'s (the
config's test pipeline: a greyscale model reads colour and grey files
alike). A DNC head scores each class by its most similar sub-centroid, so
the rule printed is the decision itself, with the similarities the model
computed (:mod:`dnc_mm.explain`). The training image behind each
sub-centroid (its anchor, or the most similar training image) is found in
the config's training set when that is on disk (``--no-train-images``
skips it); ``--out-file`` saves the image next to the sub-centroid images
of the best classes.
"""
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from demo_utils import (DemoError, check_inputs, demo_parser, load_config,
                        read_image, run)

PROG = 'image_demo.py'


def parse_args(argv: Optional[Sequence[str]] = None):
    """The image demo's options (``argv``: default ``sys.argv[1:]``)."""
    parser = demo_parser(PROG, __doc__, 'a DNC classifier')
    parser.add_argument(
        '--out-file', help='save the explanation figure '
        '(PNG) here')
    parser.add_argument(
        '--top',
        type=int,
        default=3,
        help='classes shown in the rule (best first)')
    parser.add_argument(
        '--no-train-images',
        action='store_true',
        help='do not read the training set (the rule and '
        'the figure then show no training images)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=256,
        help='batch size for reading the training set')
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f'--top must be >= 1, got {args.top}')
    return args


def _class_names(model, num_classes: int) -> List[str]:
    meta = getattr(model, 'dataset_meta', None) or getattr(
        model, '_dataset_meta', None) or {}
    names = meta.get('classes')
    if names and len(names) == num_classes:
        return [str(n) for n in names]
    return [str(c) for c in range(num_classes)]


def _gallery(model, cfg, batch_size: int) -> dict:
    """The training image behind every sub-centroid (the explain tool's)."""
    from dnc_mm.evaluation.features import build_dataset, extract_features
    from dnc_mm.explain.explainer import subcentroid_gallery
    train_set = build_dataset(cfg, 'train')
    print(f'reading {len(train_set)} training images for the images behind '
          'the sub-centroids (--no-train-images skips this)')
    train = extract_features(model, train_set, batch_size)
    gallery = subcentroid_gallery(model.head.classifier, train, len(train_set))
    gallery['dataset'] = train_set
    return gallery


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Classify ``img`` and print the rule (``argv``: as ``parse_args``).

    Returns:
        Exit status 0.

    Raises:
        DemoError: A file is missing or unreadable, or the model is not a
            DNC classifier.
    """
    args = parse_args(argv)
    check_inputs(args)
    import mmcv
    import torch

    import dnc_mm  # noqa: F401  (registration)
    from dnc_mm.explain.explainer import explain_samples, load_image
    image = read_image(args.img)  # BGR, as the inferencer reads it
    cfg = load_config(args)
    from mmpretrain.apis import ImageClassificationInferencer, get_model
    model = get_model(cfg, pretrained=args.checkpoint, device=args.device)
    head = getattr(model, 'head', None)
    classifier = getattr(head, 'classifier', None)
    if classifier is None or not hasattr(head, 'similarities'):
        raise DemoError(
            f'{args.config}: the IF…THEN rule needs a DNC classifier (head '
            f'SubCentroidClsHead), got {type(head).__name__}; mmpretrain\'s '
            'ImageClassificationInferencer classifies with any model')
    inferencer = ImageClassificationInferencer(model, device=args.device)
    result = inferencer(args.img)[0]

    # the same preprocessed input, through the head's similarities
    batch = next(inferencer.preprocess([args.img]))
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        feats = model.extract_feat(data['inputs'])
        _, sims = head.similarities(feats)
        pred = head.predict(feats)[0]
    label = int(pred.pred_label)
    if label != int(result['pred_label']):
        raise RuntimeError(f'the head predicts class {label} but the '
                           f'inferencer {result["pred_label"]}')
    names = _class_names(model, head.num_classes)
    active = classifier.active.detach().cpu()
    if args.no_train_images:
        gallery = dict(
            indices=torch.full(active.shape, -1, dtype=torch.long),
            source='nearest',
            dataset=None)
    else:
        gallery = _gallery(model, cfg, args.batch_size)
    expl = explain_samples(
        sims.cpu(),
        active,
        pred.pred_label.cpu(),
        pred.pred_score.cpu()[None],
        gallery,
        names, [0],
        torch.tensor([-1]),
        top=min(args.top, len(names)))
    expl = expl[0]
    print(f'image: {args.img}')
    print(f'prediction: "{names[label]}" (class {label}, score '
          f'{float(result["pred_score"]):.3f})')
    print(f'rule: {expl.rule}')
    if args.out_file:
        from dnc_mm.explain.plots import plot_explanation
        shown = mmcv.bgr2rgb(image) if image.ndim == 3 else image
        if shown.ndim == 3 and (shown == shown[..., :1]).all():
            shown = shown[..., 0]  # a grey file: draw it grey
        os.makedirs(osp.dirname(osp.abspath(args.out_file)), exist_ok=True)
        train_set = gallery['dataset']
        plot_explanation(
            expl,
            shown,
            lambda i: load_image(train_set, i),
            names,
            args.out_file,
            title=f'{osp.basename(args.img)}\n'
            f'prediction: {names[label]}')
        print(f'figure: {args.out_file}')
    return 0


if __name__ == '__main__':
    run(PROG, main)
