"""The frozen-feature collapse benchmark runs the head's own update from
the given start, on the same batches for every estimator, and leaves the
model's classifier untouched."""
import importlib.util
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from config_cache import REPO_ROOT

import dnc_mm.models  # noqa: F401  (registration)
from dnc_mm.models.decode_heads import SubCentroidFCNHead

SPEC = importlib.util.spec_from_file_location(
    'bench_subcentroid_collapse',
    osp.join(REPO_ROOT, 'tools', 'benchmarks',
             'bench_subcentroid_collapse.py'))
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

pytestmark = pytest.mark.usefixtures('mmseg_scope')

C, K, D = 3, 2, 8


def _head():
    return SubCentroidFCNHead(
        classifier=dict(num_subcentroids=K, momentum=0.9),
        in_channels=D,
        channels=D,
        num_convs=0,
        concat_input=False,
        num_classes=C,
        dropout_ratio=0.0,
        max_pixels_per_class=5).eval()


def _frozen():
    g = torch.Generator().manual_seed(0)
    features = F.normalize(torch.randn(6, 16, D, generator=g), dim=-1)
    labels = torch.randint(0, C, (6, 16), generator=g)
    labels[0, :3] = 255  # the ignore index takes no part
    return features, labels


def test_parse_clustering():
    assert bench.parse_clustering('nearest') == dict(type='nearest')
    assert bench.parse_clustering('sinkhorn:epsilon=0.2,num_iters=5') == \
        dict(type='sinkhorn', epsilon=0.2, num_iters=5)
    with pytest.raises(ValueError, match='KEY=VALUE'):
        bench.parse_clustering('sinkhorn:0.2')


def test_estimators_start_from_the_same_centres_and_batches():
    head = _head()
    before = head.classifier.subcentroids.clone()
    features, labels = _frozen()
    start = bench.kmeans_centres(features, labels, C, K, 0, 100)
    assert torch.allclose(start.norm(dim=-1), torch.ones(C, K))
    runs = {
        spec:
        bench.run_estimator(head, bench.parse_clustering(spec), start,
                            features, labels, 12, 2, 0, 4)
        for spec in ('sinkhorn', 'nearest')
    }
    again = bench.run_estimator(head, dict(type='sinkhorn'), start, features,
                                labels, 12, 2, 0, 4)
    assert again == runs['sinkhorn']  # same seed, same batches
    start_cos = bench.class_mean_health(start, head.classifier.active,
                                        torch.ones(C, K))['mean_cos']
    for run in runs.values():
        assert [p[0] for p in run['curve']] == [0, 3, 6, 9, 12]
        assert run['curve'][0][1] == start_cos
    assert runs['sinkhorn']['curve'][-1] != runs['nearest']['curve'][-1]
    # a memory of earlier batches changes what each step clusters
    remembered = bench.run_estimator(head, dict(type='sinkhorn'), start,
                                     features, labels, 12, 2, 0, 4, 3)
    assert remembered['curve'][0] == runs['sinkhorn']['curve'][0]
    assert remembered['curve'][-1] != runs['sinkhorn']['curve'][-1]
    # the model's own classifier is not the one that moved
    assert torch.equal(head.classifier.subcentroids, before)


def test_table_lists_every_estimator():
    runs = [
        dict(
            clustering_spec=spec,
            curve=[[0, 0.5], [5, 0.6], [10, v]],
            health=dict(usage_entropy=0.9))
        for spec, v in (('sinkhorn', 0.8), ('nearest', 0.5))
    ]
    text = bench.table(
        dict(
            config='c.py',
            checkpoint='x.pth',
            num_images=6,
            batch_size=2,
            seed=0,
            k=K,
            kmeans_mean_cos=0.5,
            checkpoint_mean_cos=0.9,
            runs=runs))
    assert '| sinkhorn | 0 | 0.500 | 0.800 | 0.900 |' in text
    assert '| nearest | 0 | 0.500 | 0.500 | 0.900 |' in text


def test_frozen_features_embed_at_the_heads_resolution(seg_benchmark):
    import copy

    from mmengine.config import Config
    from mmseg.registry import DATASETS, MODELS
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'dnc_seg',
                 'dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py'))
    model = MODELS.build(cfg.model).eval()
    train_set = copy.deepcopy(cfg.train_dataloader.dataset)
    train_set.pipeline = cfg.val_dataloader.dataset.pipeline
    train_set.data_root = osp.join(seg_benchmark, 'fashion_scenes')
    dataset = DATASETS.build(train_set)
    features, labels = bench.frozen_features(model, [dataset[0], dataset[1]])
    d = model.decode_head.embed_dims
    # 128 x 128 images, output stride 8
    assert features.shape == (2, 16 * 16, d) and labels.shape == (2, 256)
    assert torch.allclose(features.norm(dim=-1), torch.ones(2, 256))
    gt = dataset[0]['data_samples'].gt_sem_seg.data[0]
    assert set(labels[0].tolist()) <= set(gt.unique().tolist())


def test_frozen_image_features_one_embedding_per_image(fashion_mnist_small):
    import copy

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS, MODELS
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'dnc',
                 'dnc_resnet18-w16_5e_fashion-mnist-10k.py'))
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model).eval()
    assert bench.dnc_head(model) is model.head
    train_set = copy.deepcopy(cfg.train_dataloader.dataset)
    train_set.pipeline = cfg.val_dataloader.dataset.pipeline
    train_set.data_root = fashion_mnist_small
    dataset = DATASETS.build(train_set)
    items = [dataset[i] for i in range(5)]
    features, labels = bench.frozen_image_features(model, items, 2)
    assert features.shape == (5, 1,
                              model.head.classifier.subcentroids.shape[2])
    assert labels.flatten().tolist() == [
        int(it['data_samples'].gt_label) for it in items
    ]
    assert torch.allclose(features.norm(dim=-1), torch.ones(5, 1))


def test_dnc_head_refuses_a_model_without_one():
    from types import SimpleNamespace
    model = SimpleNamespace(decode_head=None, head=torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match='not a DNC head'):
        bench.dnc_head(model)
