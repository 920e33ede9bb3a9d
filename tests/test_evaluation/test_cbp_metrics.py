"""CS of any decode head's classifier (hook) and the frequency-grouped F1
metric (Chen et al., Pattern Recognition 2024, Eq. 8 and Fig. 5)."""
import json
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmseg.registry import HOOKS, METRICS, MODELS
from strict_json import strict_json_loads

import dnc_mm  # noqa: F401  (registration)
from dnc_mm.core import class_separability
from dnc_mm.evaluation import (classifier_weights, count_class_pixels,
                               f1_by_frequency_groups)

pytestmark = pytest.mark.usefixtures('mmseg_scope')

FCN = dict(
    in_channels=16,
    channels=16,
    num_convs=0,
    concat_input=False,
    num_classes=5)


def test_classifier_weights_of_every_head_kind():
    torch.manual_seed(0)
    plain = MODELS.build(dict(type='FCNHead', **FCN))
    assert torch.equal(
        classifier_weights(plain), plain.conv_seg.weight.flatten(1))
    cbp = MODELS.build(
        dict(
            type='CategoryBasisFCNHead',
            in_channels=16,
            channels=16,
            num_convs=0,
            concat_input=False,
            num_classes=5))
    w = classifier_weights(cbp)
    assert torch.equal(w, cbp.conv_seg.prototypes)
    assert abs(float(class_separability(w))) < 1e-4
    dnc = MODELS.build(
        dict(
            type='SubCentroidFCNHead',
            classifier=dict(num_subcentroids=3),
            **FCN))
    w = classifier_weights(dnc)
    assert w.shape == (5, 16)
    assert torch.allclose(w, dnc.classifier.subcentroids.mean(1))
    with pytest.raises(TypeError, match='no pixel classifier'):
        classifier_weights(torch.nn.Linear(2, 2))


def test_hook_adds_cs_to_metrics_and_message_hub():
    torch.manual_seed(0)
    model = torch.nn.Module()
    model.decode_head = MODELS.build(dict(type='FCNHead', **FCN))
    hub = MessageHub.get_instance('cbp_cs_test')
    runner = SimpleNamespace(model=model, message_hub=hub)
    hook = HOOKS.build(dict(type='ClassSeparabilityHook'))
    metrics = {'mIoU': 1.0}
    hook.after_val_epoch(runner, metrics)
    ref = float(
        class_separability(model.decode_head.conv_seg.weight[:, :, 0, 0]))
    assert metrics['class_separability'] == pytest.approx(ref)
    assert hub.get_scalar('val/class_separability').current() == \
        pytest.approx(ref)


def test_f1_groups_rarest_first():
    f1 = np.array([0.1, 0.9, np.nan, 0.5, 0.3])
    counts = np.array([10, 1000, 5, 100, 50])
    groups = f1_by_frequency_groups(f1, counts, 2)
    assert [g['classes'] for g in groups] == [[2, 0, 4], [3, 1]]
    assert groups[0]['f1'] == pytest.approx(0.2)  # NaN left out
    assert groups[1]['f1'] == pytest.approx(0.7)
    assert groups[0]['pixels'] == 65


def test_metric_on_real_labels(seg_benchmark, tmp_path):
    ann = osp.join(seg_benchmark, 'fashion_scenes', 'ann_dir', 'train')
    counts = count_class_pixels(ann, 11)
    assert counts.sum() == 400 * 128 * 128 and (counts > 0).all()
    metric = METRICS.build(
        dict(
            type='FrequencyF1Metric',
            class_pixel_counts=ann,
            num_groups=3,
            plot_file=str(tmp_path / 'f1.png'),
            json_file=str(tmp_path / 'f1.json')))
    metric.dataset_meta = dict(classes=[str(i) for i in range(11)])
    g = torch.Generator().manual_seed(0)
    label = torch.randint(0, 11, (32, 32), generator=g)
    pred = label.clone()
    pred[:8] = 0  # errors
    sample = dict(
        pred_sem_seg=dict(data=pred[None]), gt_sem_seg=dict(data=label[None]))
    metric.process({}, [sample])
    res = metric.compute_metrics(metric.results)
    assert set(res) == {'mF1', 'F1_g1', 'F1_g2', 'F1_g3'}
    tp = [int(((pred == c) & (label == c)).sum()) for c in range(11)]
    f1 = [
        2 * tp[c] / int((pred == c).sum() + (label == c).sum())
        for c in range(11)
    ]
    assert res['mF1'] == pytest.approx(100 * np.mean(f1), rel=1e-5)
    assert osp.getsize(tmp_path / 'f1.png') > 1000
    saved = json.load(open(tmp_path / 'f1.json'))
    assert saved['pixel_counts'] == counts.tolist()
    with pytest.raises(ValueError, match='11 classes'):
        METRICS.build(
            dict(type='FrequencyF1Metric', class_pixel_counts=[1,
                                                               2]))._counts(11)


def test_count_class_pixels_reduce_zero_label(tmp_path):
    from PIL import Image
    sub = tmp_path / 'training' / 'part'
    sub.mkdir(parents=True)
    a = np.array([[0, 1, 1], [2, 3, 255]], dtype=np.uint8)
    Image.fromarray(a).save(sub / 'a.png')
    Image.fromarray(np.full(
        (2, 2), 3, dtype=np.uint8)).save(tmp_path / 'training' / 'b.png')
    plain = count_class_pixels(str(tmp_path / 'training'), 4)
    assert plain.tolist() == [1, 2, 1, 5]
    # ADE20K: 0 is ignored, k -> k - 1 (255 stays ignored)
    reduced = count_class_pixels(
        str(tmp_path / 'training'), 4, reduce_zero_label=True)
    assert reduced.tolist() == [2, 1, 5, 0]
    with pytest.raises(FileNotFoundError, match='no label maps'):
        count_class_pixels(str(tmp_path / 'empty'), 4)


def test_f1_json_has_null_for_absent_classes_and_groups(tmp_path):
    """Classes 0 and 1 are in neither prediction nor ground truth: their
    F1, and the mean of the groups they alone make up, are undefined and
    written as ``null`` (strict JSON), not NaN."""
    path = tmp_path / 'f1.json'
    metric = METRICS.build(
        dict(
            type='FrequencyF1Metric',
            class_pixel_counts=[1, 2, 100],
            num_groups=3,
            json_file=str(path)))
    metric.dataset_meta = dict(classes=['a', 'b', 'c'])
    label = torch.full((4, 4), 2)
    metric.process({}, [
        dict(
            pred_sem_seg=dict(data=label[None]),
            gt_sem_seg=dict(data=label[None]))
    ])
    metric.compute_metrics(metric.results)
    saved = strict_json_loads(path.read_text())
    assert saved['f1'] == [None, None, 1.0]
    assert [g['f1'] for g in saved['groups']] == [None, None, 1.0]
