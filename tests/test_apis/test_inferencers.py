"""The toolboxes' inference APIs and the demos on checkpoints of every
model family, trained here for a few iterations through ``tools/train.py``.

Classification (DNC, HPL; greyscale Fashion-MNIST models):
``ImageClassificationInferencer``, ``inference_model`` on ``get_model``
and ``FeatureExtractor``, on arrays (HxW, HxWx1, colour HxWx3) and on PNG
files (grey and colour). Segmentation (DNC-FCN, CBP-FCN on the bundled
benchmark): ``MMSegInferencer`` and ``init_model`` + ``inference_model``
on files (colour and grey) and arrays. Every prediction is compared with
the model's own forward on the same input. One checkpoint per family is
trained per test run, shared by the pytest-xdist workers through a file
lock.
"""
import os
import os.path as osp
import sys
from typing import Callable, Dict, List

import cv2
import numpy as np
import pytest
import torch
from filelock import FileLock
from tool_runner import loader_options, run_tool

CONFIGS = {
    'dnc':
    'configs/dnc/dnc_resnet18-w16_5e_fashion-mnist-10k.py',
    'hpl':
    'configs/hpl/hpl_resnet8-w16-d3_6e_fashion-mnist-2k.py',
    'dnc-fcn': ('configs/dnc_seg/'
                'dnc-fcn_r18-w16-d8_1k_fashion-scenes-128x128.py'),
    'cbp-fcn':
    'configs/cbp/cbp-occl_fcn_r18-w16-d8_1k_fashion-scenes-'
    '128x128.py',
}
SEG_ITERS = 2


def _env(repo_root: str) -> dict:
    env = dict(os.environ)
    env.pop('DNC_MM_TRUST_CHECKPOINTS', None)
    env['PYTHONPATH'] = repo_root + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


def _train_options(family: str, cls_root: str, seg_root: str) -> List[str]:
    if family in ('dnc', 'hpl'):
        opts = loader_options(cls_root) + [
            'train_cfg.max_epochs=1', 'train_dataloader.batch_size=16',
            'train_dataloader.dataset.indices=64',
            'val_dataloader.dataset.indices=32',
            'test_dataloader.dataset.indices=32'
        ]
        if family == 'hpl':  # estimate the prototypes, write no file
            opts.append('model.head.prototype_file=None')
        return opts
    return loader_options(osp.join(seg_root, 'fashion_scenes')) + [
        f'train_cfg.max_iters={SEG_ITERS}',
        f'train_cfg.val_interval={SEG_ITERS}',
        f'default_hooks.checkpoint.interval={SEG_ITERS}',
        'train_dataloader.batch_size=2', 'val_dataloader.dataset.indices=2',
        'test_dataloader.dataset.indices=2'
    ]


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory, repo_root: str, fashion_mnist_small: str,
               seg_benchmark: str) -> Callable[[str], str]:
    """``checkpoint(family)``: path of a checkpoint of ``CONFIGS[family]``,
    trained once per test run (the first worker to ask trains it)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        root = root.parent  # shared by the workers of this run
    env = _env(repo_root)

    def get(family: str) -> str:
        work = str(root / f'inferencer_{family}')
        name = 'epoch_1.pth' if family in ('dnc', 'hpl') else \
            f'iter_{SEG_ITERS}.pth'
        ckpt = osp.join(work, name)
        with FileLock(work + '.lock'):
            if not osp.isfile(ckpt):
                opts = _train_options(family, fashion_mnist_small,
                                      seg_benchmark)
                run_tool([
                    sys.executable, 'tools/train.py', CONFIGS[family],
                    '--work-dir', work, '--cfg-options'
                ] + opts, repo_root, env)
        assert osp.isfile(ckpt), os.listdir(work)
        return ckpt

    return get


# --------------------------------------------------------------- helpers
def _garment(fashion_mnist_small: str) -> Dict[str, np.ndarray]:
    """A real test image (HxW grey) and a colour version of it (BGR)."""
    from mmpretrain.registry import DATASETS

    import dnc_mm  # noqa: F401  (registration)
    ds = DATASETS.build(
        dict(
            type='PreparedFashionMNIST',
            data_root=fashion_mnist_small,
            split='test',
            pipeline=[]))
    grey = np.asarray(ds.get_data_info(0)['img'], dtype=np.uint8)
    tint = np.array([0.55, 0.8, 1.0])  # an orange-ish garment
    colour = np.clip(grey[..., None] * tint, 0, 255).astype(np.uint8)
    return dict(grey=grey, colour=colour)


def _cls_reference(model, grey: np.ndarray):
    """The classifier's own forward on a one-channel image."""
    inputs = torch.from_numpy(np.ascontiguousarray(grey))[None]
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=[inputs], data_samples=None), False)
        pred = model(data['inputs'], mode='predict')[0]
        feats = model.extract_feat(data['inputs'])
    return pred, feats


def _check_cls_result(result: dict, ref, classes) -> None:
    assert result['pred_label'] == int(ref.pred_label)
    np.testing.assert_allclose(
        result['pred_scores'], ref.pred_score.numpy(), rtol=0, atol=1e-6)
    assert result['pred_class'] == classes[result['pred_label']]


# ---------------------------------------------------------- classification
@pytest.mark.slow
@pytest.mark.usefixtures('mmpretrain_scope')
@pytest.mark.parametrize('family', ['dnc', 'hpl'])
def test_classification_apis(family: str, checkpoint, repo_root: str,
                             fashion_mnist_small: str, tmp_path) -> None:
    from mmpretrain.apis import (FeatureExtractor,
                                 ImageClassificationInferencer, get_model,
                                 inference_model)
    ckpt = checkpoint(family)
    config = osp.join(repo_root, CONFIGS[family])
    img = _garment(fashion_mnist_small)
    grey_png, colour_png = str(tmp_path / 'grey.png'), str(tmp_path /
                                                           'colour.png')
    cv2.imwrite(grey_png, img['grey'])  # a one-channel PNG
    cv2.imwrite(colour_png, img['colour'])
    colour_as_grey = cv2.cvtColor(img['colour'], cv2.COLOR_BGR2GRAY)

    inferencer = ImageClassificationInferencer(
        config, pretrained=ckpt, device='cpu')
    model = inferencer.model
    classes = model._dataset_meta['classes']
    assert len(classes) == 10
    ref_grey, feats_grey = _cls_reference(model, img['grey'])
    ref_colour, _ = _cls_reference(model, colour_as_grey)
    inputs = [
        img['grey'], img['grey'][..., None], grey_png, img['colour'],
        colour_png
    ]
    results = inferencer(inputs)
    for result in results[:3]:
        _check_cls_result(result, ref_grey, classes)
    for result in results[3:]:
        _check_cls_result(result, ref_colour, classes)
    # the dataset's own path (test pipeline, test_step) agrees
    from mmengine.dataset import pseudo_collate
    from mmpretrain.registry import DATASETS
    ds_cfg = model._config.test_dataloader.dataset
    ds = DATASETS.build({**ds_cfg, 'data_root': fashion_mnist_small})
    with torch.no_grad():
        pred = model.test_step(pseudo_collate([ds[0]]))[0]
    assert torch.equal(pred.pred_score, ref_grey.pred_score)

    # inference_model on a model built from the config file
    built = get_model(config, pretrained=ckpt, device='cpu')
    for x in (img['grey'], grey_png):
        _check_cls_result(inference_model(built, x), ref_grey, classes)
    _check_cls_result(inference_model(built, colour_png), ref_colour, classes)

    extractor = FeatureExtractor(config, pretrained=ckpt, device='cpu')
    for x in (img['grey'], grey_png):
        feats = extractor(x)[0]
        assert len(feats) == len(feats_grey)
        for a, b in zip(feats, feats_grey):
            assert a.shape == b.shape[1:]
            torch.testing.assert_close(a, b[0], rtol=0, atol=1e-6)


# ------------------------------------------------------------ segmentation
def _val_image(seg_benchmark: str) -> str:
    folder = osp.join(seg_benchmark, 'fashion_scenes', 'img_dir', 'val')
    return osp.join(folder, sorted(os.listdir(folder))[0])


@pytest.mark.slow
@pytest.mark.usefixtures('mmseg_scope')
@pytest.mark.parametrize('family', ['dnc-fcn', 'cbp-fcn'])
def test_segmentation_apis(family: str, checkpoint, repo_root: str,
                           seg_benchmark: str, tmp_path) -> None:
    import mmcv
    from mmseg.apis import MMSegInferencer, inference_model, init_model
    ckpt = checkpoint(family)
    config = osp.join(repo_root, CONFIGS[family])
    path = _val_image(seg_benchmark)
    bgr = mmcv.imread(path)
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    grey_png = str(tmp_path / 'grey.png')
    cv2.imwrite(grey_png, grey)

    inferencer = MMSegInferencer(model=config, weights=ckpt, device='cpu')
    by_inferencer = inferencer([path, bgr, grey_png])['predictions']
    assert [p.shape for p in by_inferencer] == [bgr.shape[:2]] * 3

    model = init_model(config, ckpt, device='cpu')
    assert model.dataset_meta['classes'][0] == 'background'
    results = {
        name: inference_model(model, x).pred_sem_seg.data[0].numpy()
        for name, x in [('file', path), ('array', bgr), (
            'grey_file', grey_png
        ), ('file2',
            path), ('grey_array',
                    np.repeat(grey[...,
                                   None], 3, axis=2)), ('grey_2d_array', grey)]
    }
    for name in ('file', 'array', 'file2'):
        assert np.array_equal(results[name], by_inferencer[0]), name
    assert np.array_equal(by_inferencer[1], by_inferencer[0])
    assert np.array_equal(results['grey_file'], by_inferencer[2])
    assert np.array_equal(results['grey_array'], by_inferencer[2])
    assert np.array_equal(results['grey_2d_array'], by_inferencer[2])
    # the segmentor's own forward on the same (normalised) input
    tensor = torch.from_numpy(bgr.transpose(2, 0, 1).copy())
    with torch.no_grad():
        data = model.data_preprocessor(dict(inputs=[tensor]), False)
        logits = model.encode_decode(data['inputs'],
                                     [dict(img_shape=bgr.shape[:2])])
    assert np.array_equal(logits.argmax(dim=1)[0].numpy(), results['file'])
    assert results['file'].max() < model.decode_head.num_classes


# ------------------------------------------------------------------ demos
@pytest.mark.slow
@pytest.mark.usefixtures('mmpretrain_scope')
def test_image_demo(checkpoint, repo_root: str, fashion_mnist_small: str,
                    tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(repo_root)
    from mmpretrain.apis import ImageClassificationInferencer
    ckpt = checkpoint('dnc')
    img = _garment(fashion_mnist_small)
    colour_png = str(tmp_path / 'garment.png')
    cv2.imwrite(colour_png, img['colour'])
    fig = str(tmp_path / 'figure' / 'explained.png')
    log = run_tool([
        sys.executable, 'demo/image_demo.py', colour_png, CONFIGS['dnc'], ckpt,
        '--out-file', fig, '--cfg-options',
        'train_dataloader.dataset.data_root=' + fashion_mnist_small
    ], repo_root, _env(repo_root))
    want = ImageClassificationInferencer(
        osp.join(repo_root, CONFIGS['dnc']), pretrained=ckpt,
        device='cpu')(colour_png)[0]
    assert f'prediction: "{want["pred_class"]}" (class ' \
        f'{want["pred_label"]},' in log
    rule = [line for line in log.splitlines() if line.startswith('rule: ')]
    assert len(rule) == 1 and 'training image #' in rule[0]
    assert rule[0].endswith(f'THEN it is "{want["pred_class"]}".')
    assert osp.getsize(fig) > 1000
    # without the training set (in this process): the rule alone
    image_demo = _demo_module('image_demo')
    assert image_demo.main(
        [colour_png, CONFIGS['dnc'], ckpt, '--no-train-images']) == 0
    out = capsys.readouterr().out
    assert f'THEN it is "{want["pred_class"]}".' in out
    assert 'training image #' not in out


@pytest.mark.slow
@pytest.mark.parametrize('family', ['dnc-fcn', 'cbp-fcn'])
def test_seg_demo(family: str, checkpoint, repo_root: str, seg_benchmark: str,
                  tmp_path) -> None:
    import mmcv
    ckpt = checkpoint(family)
    path = _val_image(seg_benchmark)
    out = str(tmp_path / 'seg.png')
    log = run_tool([
        sys.executable, 'demo/seg_demo.py', path, CONFIGS[family], ckpt,
        '--out-file', out
    ], repo_root, _env(repo_root))
    h, w = mmcv.imread(path).shape[:2]
    panel = mmcv.imread(out)
    assert 'prediction: ' in log
    if family == 'dnc-fcn':
        assert panel.shape == (h, 3 * w + 8, 3)
        assert 'pixels per sub-centroid (K=10):' in log
    else:
        assert panel.shape == (h, 2 * w + 4, 3)
        assert 'no sub-centroid map: CategoryBasisFCNHead' in log


def _demo_module(name: str):
    """Import ``demo/<name>.py`` (the demos are scripts, not a package)."""
    import importlib.util
    path = osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'demo',
        f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'dnc_mm_demo_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('demo', ['image_demo', 'seg_demo'])
def test_demos_refuse_bad_images_in_one_line(demo: str, repo_root: str,
                                             tmp_path, monkeypatch) -> None:
    import subprocess
    config = CONFIGS['dnc' if demo == 'image_demo' else 'dnc-fcn']
    ckpt = tmp_path / 'x.pth'
    ckpt.write_bytes(b'')
    missing = str(tmp_path / 'nothing.png')
    args = [config, str(ckpt), '--out-file', str(tmp_path / 'o.png')]
    # the script: one line on stderr, exit status 1
    proc = subprocess.run(
        [sys.executable, f'demo/{demo}.py', missing] + args,
        cwd=repo_root,
        env=_env(repo_root),
        capture_output=True,
        text=True,
        timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'{demo}.py: error: image file {missing!r} does not exist')
    # an unreadable image file (in this process)
    module = _demo_module(demo)
    bad = tmp_path / 'bad.png'
    bad.write_text('not an image')
    monkeypatch.chdir(repo_root)
    with pytest.raises(
            sys.modules['demo_utils'].DemoError,
            match=r'cannot read .*bad\.png.* as an image'):
        module.main([str(bad)] + args)
