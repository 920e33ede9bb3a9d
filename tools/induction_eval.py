"""Induction accuracy of a model trained on coarse labels (DNC paper §E).

Prints (and optionally writes as JSON) the coarse top-1, the k-NN accuracy
on the fine labels in the learned feature space (paper: k = 1) and, for DNC
heads, the clustering quality of the sub-centroids against the fine labels.

Example (CIFAR-100 trained on its 20 super-classes, Table 13)::

    python tools/induction_eval.py \
        configs/dnc/dnc_resnet50_1xb128-200e_cifar100-coarse.py CKPT --k 1
"""
import argparse
import json
import sys


def main(argv=None) -> int:
    from mmengine.config import Config, DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--k', type=int, default=1)
    parser.add_argument('--batch-size', type=int, default=500)
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    from dnc_mm.apis import add_trust_checkpoint_arg
    add_trust_checkpoint_arg(parser)
    args = parser.parse_args(argv)
    from dnc_mm.apis import apply_trust_checkpoint
    apply_trust_checkpoint(args)
    from dnc_mm.evaluation.induction import evaluate_induction
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    res = evaluate_induction(
        cfg, args.checkpoint, k=args.k, batch_size=args.batch_size)
    print(f'coarse top-1: {res["coarse_top1"]:.2f}%')
    print(f'induction {args.k}-NN on fine labels (pooled feature): '
          f'{res["induction_knn"]:.2f}%')
    if 'clustering' in res:
        m = res['clustering']['mean']
        print(f'induction {args.k}-NN (DNC embedding): '
              f'{res["induction_knn_embed"]:.2f}%')
        print(f'sub-centroid clustering vs fine labels (mean over coarse '
              f'classes): ACC {m["acc"]:.3f} NMI {m["nmi"]:.3f} ARI '
              f'{m["ari"]:.3f}; K per class {res["K"]}')
    for key, what in (('clustering_kmeans', 'k = its fine classes'),
                      ('clustering_kmeans_same_k', "k = the head's K")):
        if key in res:
            m = res[key]['mean']
            print(f'k-means reference, same features, {what}: ACC '
                  f'{m["acc"]:.3f} NMI {m["nmi"]:.3f} ARI {m["ari"]:.3f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == '__main__':
    from dnc_mm.apis import checkpoint_errors_as_exit
    with checkpoint_errors_as_exit('induction_eval.py'):
        sys.exit(main())
