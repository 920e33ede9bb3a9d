"""Does DNC's estimator collapse the sub-centroids on features that do not
change? Estimator variants side by side on the frozen features of a
trained DNC model (segmentation: pixel embeddings; classification: one
embedding per image).

The sub-centroids of trained DNC models end up nearly parallel within a
class (mean cosine ~0.91 after 16,000 iterations on the bundled
benchmark; ProtoSeg's users report the same in tfzhou/ProtoSeg issues #9
and #15). Two explanations compete: the features of a class collapse (then
no estimator can keep sub-centroids apart), or the estimator itself pulls
them together. This benchmark separates the two. It embeds the training
images once with a trained checkpoint (the evaluation pipeline: no
augmentation), so the features never move (for a classifier an image is
one "pixel" below), and then

* clusters every class's pixels with k-means (scikit-learn, the class's
  ``K``): how far apart ``K`` centres of these features can be;
* starts each estimator from those k-means centres and runs the model's
  own ``SubCentroidClassifier.update`` (Algorithm 1 of Wang, Han, Zhou,
  Liu, "Visual Recognition with Deep Nearest Centroids", ICLR 2023,
  https://arxiv.org/abs/2209.07383: clustering of the correctly
  classified pixels of a batch, Eq. 5-6, then the momentum update of
  Eq. 8) for ``--steps`` batches of ``--batch-size`` images drawn in the
  same order for every variant, with only the clustering changed
  (``--clusterings``: ``sinkhorn`` as configured, ``sinkhorn:epsilon=0.2``,
  ``kmeans``, ``nearest``; the per-class pixel sub-sampling, momentum and
  correct-only rule are the checkpoint config's; ``--memory-batches``
  adds a memory of earlier batches, as the classification head has).

The mean (over classes) of the mean cosine between a class's sub-centroids
is recorded along the way (:func:`dnc_mm.core.subcentroid_health`, with
the usage entropy of the last steps' assignments): an estimator that keeps
the k-means value preserves the structure of the features; one that drives
it up collapses the sub-centroids by itself.

Example (docs/methods/dnc_segmentation.md)::

    OMP_NUM_THREADS=1 python tools/benchmarks/bench_subcentroid_collapse.py \\
        configs/dnc_seg/dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py \\
        work_dirs/dnc-fcn/iter_16000.pth --steps 3000 \\
        --clusterings sinkhorn sinkhorn:epsilon=0.2 kmeans nearest \\
        --out docs/benchmarks/subcentroid_collapse_fashion_scenes.json \\
        --markdown docs/benchmarks/subcentroid_collapse_fashion_scenes.md
"""
import argparse
import copy
import itertools
import os.path as osp
import sys
from typing import List, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import DictAction
from torch import Tensor

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from bench_utils import class_mean_health  # noqa: E402
from bench_utils import machine_info  # noqa: E402
from bench_utils import write_results  # noqa: E402

TITLE = '# Sub-centroid collapse on frozen features'


def parse_clustering(spec: str) -> dict:
    """``'sinkhorn:epsilon=0.2,num_iters=3'`` -> ``dict(type='sinkhorn',
    epsilon=0.2, num_iters=3)``."""
    kind, _, options = spec.partition(':')
    cfg = dict(type=kind)
    for item in filter(None, options.split(',')):
        key, sep, value = item.partition('=')
        if not sep:
            raise ValueError(f'clustering option {item!r} of {spec!r} is not '
                             'KEY=VALUE (e.g. sinkhorn:epsilon=0.2)')
        cfg[key] = int(value) if key == 'num_iters' else float(value)
    return cfg


def dnc_head(model):
    """The DNC head of a segmentor (``decode_head``) or classifier
    (``head``)."""
    head = getattr(model, 'decode_head', None) or getattr(model, 'head')
    if not hasattr(head, 'classifier'):
        raise ValueError(f'{type(head).__name__} is not a DNC head: use a '
                         'dnc* config (SubCentroidClsHead or a SubCentroid*'
                         'Head decode head)')
    return head


@torch.no_grad()
def frozen_features(model, dataset) -> Tuple[Tensor, Tensor]:
    """Pixel embeddings ``(I, HW, D)`` of every image of ``dataset`` at the
    decode head's resolution and their labels ``(I, HW)`` (nearest
    resized; the ignore index stays as it is)."""
    head = model.decode_head
    embeds, labels = [], []
    for i in range(len(dataset)):
        item = dataset[i]
        data = model.data_preprocessor(
            dict(inputs=[item['inputs']], data_samples=[item['data_samples']]),
            False)
        x = head.embed(
            head._forward_feature(model.extract_feat(
                data['inputs'])))  # (1, D, h, w)
        gt = data['data_samples'][0].gt_sem_seg.data[None].float()
        gt = F.interpolate(gt, size=x.shape[-2:], mode='nearest').long()
        embeds.append(x[0].flatten(1).t())
        labels.append(gt.flatten())
    return torch.stack(embeds), torch.stack(labels)


@torch.no_grad()
def frozen_image_features(model,
                          dataset,
                          batch_size: int = 256) -> Tuple[Tensor, Tensor]:
    """Classification: the head's embedding ``(I, 1, D)`` of every image of
    ``dataset`` and its label ``(I, 1)`` (one "pixel" per image, so that
    the estimator runs as for segmentation)."""
    head = model.head
    embeds, labels = [], []
    for start in range(0, len(dataset), batch_size):
        items = [
            dataset[i]
            for i in range(start, min(start + batch_size, len(dataset)))
        ]
        data = model.data_preprocessor(
            dict(
                inputs=[it['inputs'] for it in items],
                data_samples=[it['data_samples'] for it in items]), False)
        embeds.append(head.pre_logits(model.extract_feat(data['inputs'])))
        labels.append(torch.cat([s.gt_label for s in data['data_samples']]))
    return torch.cat(embeds)[:, None], torch.cat(labels)[:, None]


def kmeans_centres(features: Tensor, labels: Tensor, num_classes: int, k: int,
                   seed: int, max_per_class: int) -> Tensor:
    """``(C, K, D)`` l2-normalised k-means centres of every class's pixels
    (at most ``max_per_class`` of them, drawn at random)."""
    from sklearn.cluster import KMeans
    gen = torch.Generator().manual_seed(seed)
    feats, labs = features.reshape(-1, features.shape[-1]), labels.reshape(-1)
    centres = torch.zeros(num_classes, k, feats.shape[1])
    for c in range(num_classes):
        x = feats[labs == c]
        if len(x) < k:
            raise ValueError(f'class {c} has {len(x)} pixels in the training '
                             f'set, fewer than K = {k}')
        x = x[torch.randperm(len(x), generator=gen)[:max_per_class]]
        km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(x.numpy())
        centres[c] = F.normalize(
            torch.as_tensor(km.cluster_centers_, dtype=torch.float32), dim=1)
    return centres


@torch.no_grad()
def run_estimator(head,
                  clustering: dict,
                  start: Tensor,
                  features: Tensor,
                  labels: Tensor,
                  steps: int,
                  batch_size: int,
                  seed: int,
                  num_points: int,
                  memory_batches: int = 0) -> dict:
    """Run ``head.classifier.update`` from ``start`` on frozen batches.

    With ``memory_batches`` each step clusters the pixels of the current
    batch and of the previous ``memory_batches`` ones (with the
    correctness they had when they were drawn), as the classification
    head's feature memory does; the segmentation heads have none.

    Returns:
        ``curve``: ``[step, mean cosine]`` at ``num_points`` steps (and 0);
        ``health``: the final :func:`class_mean_health`, its usage entropy
        from the counts of the last ``steps // num_points`` steps.
    """
    from dnc_mm.core import SubcentroidClustering
    from dnc_mm.models.decode_heads.subcentroid_head_mixin import \
        sample_per_class

    # segmentation heads may sub-sample each class's pixels
    max_per_class = getattr(head, 'max_pixels_per_class', None)
    classifier = copy.deepcopy(head.classifier)
    classifier.clustering = SubcentroidClustering.from_config(clustering)
    classifier.subcentroids.copy_(start)
    classifier.initialized.fill_(True)
    classifier.num_updates.zero_()
    gen = torch.Generator().manual_seed(seed)
    interval = max(1, steps // num_points)
    window = torch.zeros_like(classifier.usage)
    curve = [[
        0,
        class_mean_health(start, classifier.active, window + 1)['mean_cos']
    ]]
    memory: List[Tuple[Tensor, Tensor, Tensor]] = []
    for step in range(1, steps + 1):
        images = torch.randint(0, len(features), (batch_size, ), generator=gen)
        x = features[images].reshape(-1, features.shape[-1])
        y = labels[images].reshape(-1)
        y = torch.where((y >= 0) & (y < head.num_classes), y, -1)
        # as the head: "correct" is judged on its normalised scores of
        # every pixel, then each class's pixels are sub-sampled
        logits, _ = classifier(x)
        scores = head.logit_norm(logits[:, :, None, None])[:, :, 0, 0]
        correct = scores.argmax(dim=1) == y
        idx = sample_per_class(y, max_per_class, head.num_classes, gen)
        memory.append((x[idx], y[idx], correct[idx]))
        memory = memory[-(memory_batches + 1):]
        counts = classifier.update(*(torch.cat(parts)
                                     for parts in zip(*memory)))
        if step > steps - interval:
            window += counts.to(window)
        if step % interval == 0:
            curve.append([
                step,
                class_mean_health(classifier.subcentroids, classifier.active,
                                  window + 1)['mean_cos']
            ])
    health = class_mean_health(classifier.subcentroids, classifier.active,
                               window)
    return dict(curve=curve, health=health)


def table(result: dict) -> str:
    """Markdown: one row per estimator, mean cosine along the steps."""
    steps = [p[0] for p in result['runs'][0]['curve']]
    shown = [s for i, s in enumerate(steps) if i % 2 == 0 or s == steps[-1]]
    name = osp.splitext(osp.basename(result['config']))[0]
    options = ''.join(f', {k}={v}'
                      for k, v in result.get('cfg_options', {}).items())
    lines = [
        f'{TITLE}: {name}{options}', '',
        f'Checkpoint `{result["checkpoint"]}` ({result["config"]}{options}), '
        f'{result["num_images"]} training images embedded once, '
        f'batches of {result["batch_size"]} images, seed {result["seed"]}. '
        'Mean over classes of the mean cosine between a class\'s '
        'sub-centroids (1 = collapsed); every estimator starts from the '
        'k-means centres of the same features.', '',
        f'* k-means on the frozen features (K = {result["k"]}): mean cosine '
        f'{result["kmeans_mean_cos"]:.3f}',
        f'* the checkpoint\'s own sub-centroids (trained with the features): '
        f'{result["checkpoint_mean_cos"]:.3f}', '',
        '| clustering | memory (batches) | ' +
        ' | '.join(f'step {s}' for s in shown) + ' | usage entropy (end) |',
        '| --- | --- | ' + ' | '.join('---' for _ in shown) + ' | --- |'
    ]
    for run in result['runs']:
        values = dict((s, v) for s, v in run['curve'])
        lines.append(f'| {run["clustering_spec"]} | '
                     f'{run.get("memory_batches", 0)} | ' +
                     ' | '.join(f'{values[s]:.3f}' for s in shown) +
                     f' | {run["health"]["usage_entropy"]:.3f} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'config', help='a DNC segmentation or classification config')
    parser.add_argument('checkpoint', help='its trained checkpoint')
    parser.add_argument('--steps', type=int, default=3000)
    parser.add_argument(
        '--batch-size',
        type=int,
        help="images per step (default: the config's train batch size)")
    parser.add_argument(
        '--clusterings',
        nargs='+',
        default=['sinkhorn', 'kmeans', 'nearest'],
        help="TYPE[:KEY=VALUE,...]; a bare 'sinkhorn' takes the config's "
        'options')
    parser.add_argument(
        '--memory-batches',
        type=int,
        nargs='+',
        default=[0],
        help='run every clustering with a memory of this many previous '
        'batches (several values: one run each; 0: the batch only, as the '
        'segmentation heads)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--kmeans-pixels',
        type=int,
        default=5000,
        help='pixels per class for the k-means reference')
    parser.add_argument('--points', type=int, default=10)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config the checkpoint was trained '
        'with, xxx=yyy')
    parser.add_argument('--out', required=True, help='JSON of the runs')
    parser.add_argument('--markdown', help='write the table here')
    args = parser.parse_args(argv)

    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import dnc_mm  # noqa: F401  (registration)
    from dnc_mm.apis.cli import task_of
    torch.manual_seed(args.seed)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    task = task_of(cfg)
    init_default_scope(cfg.default_scope)
    if task == 'seg':
        from mmseg.apis import init_model
        from mmseg.registry import DATASETS
    else:
        from mmpretrain.apis import init_model
        from mmpretrain.registry import DATASETS
    cfg.model.backbone.pop('init_cfg', None)  # weights come from CHECKPOINT
    model = init_model(cfg, args.checkpoint, device='cpu').eval()
    try:
        head = dnc_head(model)
    except ValueError as err:
        parser.error(f'{args.config}: {err}')
    train_set = copy.deepcopy(cfg.train_dataloader.dataset)
    train_set.pipeline = cfg.val_dataloader.dataset.pipeline  # no aug
    embed = frozen_features if task == 'seg' else frozen_image_features
    features, labels = embed(model, DATASETS.build(train_set))
    k = head.classifier.subcentroids.shape[1]
    start = kmeans_centres(features, labels, head.num_classes, k, args.seed,
                           args.kmeans_pixels)
    ones = torch.ones_like(head.classifier.usage)
    result = dict(
        config=args.config,
        cfg_options=dict(args.cfg_options or {}),
        checkpoint=args.checkpoint,
        num_images=len(features),
        batch_size=args.batch_size or cfg.train_dataloader.batch_size,
        seed=args.seed,
        k=k,
        kmeans_mean_cos=class_mean_health(start, head.classifier.active,
                                          ones)['mean_cos'],
        checkpoint_mean_cos=class_mean_health(head.classifier.subcentroids,
                                              head.classifier.active,
                                              ones)['mean_cos'],
        runs=[])
    for memory, spec in itertools.product(args.memory_batches,
                                          args.clusterings):
        clustering = parse_clustering(spec)
        if spec == 'sinkhorn':  # as configured
            clustering = dict(
                type='sinkhorn',
                epsilon=head.classifier.clustering.epsilon,
                num_iters=head.classifier.clustering.num_iters)
        run = run_estimator(head, clustering, start, features, labels,
                            args.steps, result['batch_size'], args.seed,
                            args.points, memory)
        result['runs'].append(
            dict(
                clustering_spec=spec,
                clustering=clustering,
                memory_batches=memory,
                **run))
        print(
            f'{spec}, memory {memory}: mean cosine '
            f'{run["curve"][0][1]:.3f} -> {run["curve"][-1][1]:.3f} after '
            f'{args.steps} steps',
            flush=True)
        write_results(
            args.out,
            result,
            args=args,
            machine=machine_info(torch.device('cpu')))
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(table(result))
    print(table(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
