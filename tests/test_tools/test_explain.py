"""tools/explain.py: faithful explanations of a DNC model's predictions."""
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from tool_runner import loader_options, run_tool

from dnc_mm.evaluation.features import build_dataset, load_model
from dnc_mm.explain.report import run_explain

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')
CONFIG = 'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py'


def _cfg(repo_root, data_root):
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    opts = {}
    for item in loader_options(data_root):
        key, value = item.split('=', 1)
        opts[key] = int(value) if value.isdigit() else (
            False if value == 'False' else value)
    cfg.merge_from_dict(opts)
    return cfg


def _checkpoint(cfg, path, anchor=False):
    """A real (randomly initialised) model saved as a checkpoint."""
    torch.manual_seed(0)
    model = load_model(cfg)
    clf = model.head.classifier
    if anchor:
        train = build_dataset(cfg, 'train')
        labels = torch.tensor([
            int(train.get_data_info(i)['gt_label']) for i in range(len(train))
        ])
        idx = torch.stack(
            [torch.nonzero(labels == c).flatten()[5:9] for c in range(10)])
        clf.set_anchors(idx, clf.subcentroids.clone())
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return model


def _model_predictions(model, dataset, indices):
    data = pseudo_collate([dataset[i] for i in indices])
    with torch.no_grad():
        preds = model.test_step(data)
        proc = model.data_preprocessor(data, False)
        _, sims = model.head.similarities(model.extract_feat(proc['inputs']))
    return [int(p.pred_label) for p in preds], sims


@pytest.mark.parametrize('anchor', [False, True])
def test_explanations_are_faithful(repo_root, fashion_mnist_small, tmp_path,
                                   anchor):
    cfg = _cfg(repo_root, fashion_mnist_small)
    ckpt = str(tmp_path / 'model.pth')
    model = _checkpoint(cfg, ckpt, anchor)
    out = str(tmp_path / 'explain')
    summary = run_explain(
        cfg, ckpt, out, test_indices=[0, 3, 17, 999], top=3, batch_size=500)
    assert summary['gallery_source'] == ('anchors' if anchor else 'nearest')
    test_set = build_dataset(cfg, 'test')
    train_set = build_dataset(cfg, 'train')
    idx = [e['index'] for e in summary['explanations']]
    assert idx == [0, 3, 17, 999]
    preds, sims = _model_predictions(model, test_set, idx)
    active = model.head.classifier.active
    for e, pred, s in zip(summary['explanations'], preds, sims):
        # the class in the rule is the model's own prediction
        assert e['prediction'] == pred
        assert e['evidence'][0]['label'] == pred
        assert f'THEN it is "{summary["class_names"][pred]}"' in e['rule']
        # the similarities shown are the head's
        for ev in e['evidence']:
            c, k = ev['label'], ev['subcentroid']
            assert bool(active[c, k])
            assert ev['similarity'] == pytest.approx(float(s[c, k]), abs=1e-5)
            assert ev['similarity'] == pytest.approx(
                float(s[c][active[c]].max()), abs=1e-5)
        assert [ev['label'] for ev in e['evidence']] == torch.argsort(
            s.masked_fill(~active, -2).amax(1), descending=True)[:3].tolist()
    # every gallery image is a valid training image of its class
    gallery = torch.tensor(summary['gallery_indices'])
    for c in range(10):
        for k in range(gallery.shape[1]):
            i = int(gallery[c, k])
            assert 0 <= i < len(train_set)
            assert train_set.get_data_info(i)['gt_label'] == c
        assert len(set(gallery[c].tolist())) == gallery.shape[1]
    if anchor:
        assert gallery.tolist() == model.head.classifier.anchor_indices.tolist(
        )
    for name in [
            'gallery.png', 'subcentroid_similarity.png',
            'pca_test_embeddings.png', 'report.md', 'explain_test17.png'
    ]:
        assert osp.getsize(osp.join(out, name)) > 1000


def test_bad_anchors_and_linear_model_are_refused(repo_root,
                                                  fashion_mnist_small,
                                                  tmp_path):
    cfg = _cfg(repo_root, fashion_mnist_small)
    ckpt = str(tmp_path / 'model.pth')
    model = _checkpoint(cfg, ckpt, anchor=True)
    state = model.state_dict()
    state['head.classifier.anchor_indices'][0, 0] = 10**6
    torch.save({'state_dict': state}, ckpt)
    with pytest.raises(ValueError, match='outside the training set'):
        run_explain(cfg, ckpt, str(tmp_path / 'a'), num_test=1, num_errors=0)
    lin = Config.fromfile(
        osp.join(repo_root,
                 'configs/dnc/linear_resnet18-w16_5e_fashion-mnist-10k.py'))
    with pytest.raises(ValueError, match='needs a DNC model'):
        run_explain(lin, None, str(tmp_path / 'b'))


@pytest.mark.slow
def test_explain_tool_after_real_training(repo_root, fashion_mnist_small,
                                          tmp_path, subprocess_env):
    work = str(tmp_path / 'work')
    opts = loader_options(fashion_mnist_small) + ['train_cfg.max_epochs=1']
    run_tool([
        sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
        '--cfg-options'
    ] + opts, repo_root, subprocess_env)
    out = str(tmp_path / 'explain')
    log = run_tool([
        sys.executable, 'tools/explain.py', CONFIG,
        osp.join(work, 'epoch_1.pth'), '--out-dir', out, '--num-test', '2',
        '--num-errors', '1', '--cfg-options'
    ] + opts, repo_root, subprocess_env)
    assert 'THEN it is' in log
    summary = json.load(open(osp.join(out, 'explanations.json')))
    assert len(summary['explanations']) == 3
    assert summary['explanations'][2]['prediction'] != summary['explanations'][
        2]['gt_label']
    assert '![gallery](gallery.png)' in open(osp.join(out, 'report.md')).read()
