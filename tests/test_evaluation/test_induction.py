"""evaluate_induction / tools/induction_eval.py on a real coarse-label model.
"""
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from sklearn.neighbors import KNeighborsClassifier
from tool_runner import loader_options, run_tool

from dnc_mm.evaluation import (build_dataset, clustering_scores,
                               extract_features, load_model)
from dnc_mm.evaluation.induction import evaluate_induction

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')
DNC = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-coarse-10k.py'
LINEAR = 'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-coarse-10k.py'


def _cfg(repo_root, config, data_root):
    cfg = Config.fromfile(osp.join(repo_root, config))
    cfg.merge_from_dict({
        f'{s}_dataloader.dataset.data_root': data_root
        for s in ('train', 'val', 'test')
    })
    return cfg


def _save_random(cfg, path):
    torch.manual_seed(0)
    model = load_model(cfg)
    torch.save({'state_dict': model.state_dict()}, path)
    return model


def test_dnc_induction_and_clustering(repo_root, fashion_mnist_small,
                                      tmp_path):
    cfg = _cfg(repo_root, DNC, fashion_mnist_small)
    ckpt = str(tmp_path / 'm.pth')
    model = _save_random(cfg, ckpt)
    res = evaluate_induction(cfg, ckpt, k=1)
    tr = extract_features(model, build_dataset(cfg, 'train'), 500)
    te = extract_features(model, build_dataset(cfg, 'test'), 500)
    # coarse labels are the dataset's gt, fine labels its originals
    assert te['labels'].max() == 2 and te['fine_labels'].max() == 9
    assert res['coarse_top1'] == pytest.approx(100 * float(
        (te['pred_labels'] == te['labels']).float().mean()))
    ref = KNeighborsClassifier(
        1, metric='cosine', algorithm='brute').fit(tr['neck'].numpy(),
                                                   tr['fine_labels'].numpy())
    acc = 100 * np.mean(
        ref.predict(te['neck'].numpy()) == te['fine_labels'].numpy())
    assert res['induction_knn'] == pytest.approx(acc, abs=1e-3)
    assert res['K'] == [4, 4, 4]
    # clustering: nearest sub-centroid of the own coarse class
    for c in range(3):
        sel = te['labels'] == c
        assign = te['sims'][sel, c].argmax(1).numpy()
        want = clustering_scores(te['fine_labels'][sel].numpy(), assign)
        got = res['clustering']['per_class'][c]
        for key in ('acc', 'nmi', 'ari'):
            assert got[key] == pytest.approx(want[key])
        assert got['num_fine'] == (4 if c == 0 else 3)
        # the k-means reference uses k = number of fine classes
        assert res['clustering_kmeans']['per_class'][c]['num_clusters'] == (
            4 if c == 0 else 3)
        # ... and the equal-K reference k = the head's sub-centroids
        assert res['clustering_kmeans_same_k']['per_class'][c][
            'num_clusters'] == 4


def test_fine_labels_required(repo_root, fashion_mnist_small, tmp_path):
    cfg = _cfg(repo_root,
               'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py',
               fashion_mnist_small)
    ckpt = str(tmp_path / 'm.pth')
    _save_random(cfg, ckpt)
    with pytest.raises(ValueError, match='fine_label'):
        evaluate_induction(cfg, ckpt)


def test_induction_eval_tool_linear(repo_root, fashion_mnist_small, tmp_path,
                                    subprocess_env):
    cfg = _cfg(repo_root, LINEAR, fashion_mnist_small)
    ckpt = str(tmp_path / 'm.pth')
    _save_random(cfg, ckpt)
    out = str(tmp_path / 'res.json')
    log = run_tool([
        sys.executable, 'tools/induction_eval.py', LINEAR, ckpt, '--out', out,
        '--cfg-options'
    ] + loader_options(fashion_mnist_small, ('train', 'val', 'test')),
                   repo_root, subprocess_env)
    assert 'induction 1-NN on fine labels' in log
    res = json.load(open(out))
    assert 0 <= res['induction_knn'] <= 100 and 'clustering' not in res
    # a linear head has no K: only the k = fine classes reference
    assert 'k-means reference, same features, k = its fine classes' in log
    assert "k = the head's K" not in log
    assert 'clustering_kmeans_same_k' not in res
