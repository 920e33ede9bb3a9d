"""See what a DNC classification model learned.

Writes to OUT_DIR: ``gallery.png`` (every class's sub-centroids as training
images: anchors, or the nearest training images when not anchored),
``explain_test<i>.png`` (a test image next to the closest sub-centroid
images of the top classes, with the similarities the model computed),
``subcentroid_similarity.png``, ``pca_test_embeddings.png``,
``explanations.json`` and ``report.md`` (open it in any Markdown viewer).

Example (the README's main model)::

    python tools/explain.py \
        configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py \
        work_dirs/dnc_resnet18-w16_5e_fashion-mnist-10k/epoch_5.pth \
        --out-dir work_dirs/dnc_resnet18-w16_5e_fashion-mnist-10k/explain
"""
import argparse
import os.path as osp
import sys


def main(argv=None) -> int:
    from mmengine.config import Config, DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--test-indices',
        type=int,
        nargs='*',
        help='test-set indices to explain (default: the first '
        '--num-test images and the first --num-errors '
        'misclassified ones)')
    parser.add_argument('--num-test', type=int, default=6)
    parser.add_argument('--num-errors', type=int, default=2)
    parser.add_argument(
        '--top', type=int, default=3, help='classes shown per explanation')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='key=value overrides of the config')
    from dnc_mm.apis import add_trust_checkpoint_arg
    add_trust_checkpoint_arg(parser)
    args = parser.parse_args(argv)
    from dnc_mm.apis import apply_trust_checkpoint
    apply_trust_checkpoint(args)
    from dnc_mm.explain.report import run_explain
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    summary = run_explain(
        cfg,
        args.checkpoint,
        args.out_dir,
        test_indices=args.test_indices,
        num_test=args.num_test,
        num_errors=args.num_errors,
        top=args.top,
        batch_size=args.batch_size)
    print(f'gallery source: {summary["gallery_source"]}; test top-1 '
          f'{summary["test_accuracy"]:.2f}%')
    for e in summary['explanations']:
        print(f'test #{e["index"]}: {e["rule"]}')
    print(f'report: {osp.join(args.out_dir, "report.md")}')
    return 0


if __name__ == '__main__':
    from dnc_mm.apis import checkpoint_errors_as_exit
    with checkpoint_errors_as_exit('explain.py'):
        sys.exit(main())
