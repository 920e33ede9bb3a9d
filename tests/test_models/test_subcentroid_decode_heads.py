"""DNC decode heads for mmseg (FCN / ASPP / UperNet + sub-centroid classifier).

Small CPU tests: the three heads inside an ``EncoderDecoder``; ignore pixels
and absent classes; the batched update against a per-class reference
(Algorithm 1 written out class by class); state_dict round trip; per-class
pixel sub-sampling; two gloo ranks staying identical.
"""
import copy
import io

import pytest
import torch
import torch.distributed as dist
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.optim import build_optim_wrapper
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from tool_runner import run_ranks

import dnc_mm.models.decode_heads  # noqa: F401  (registration)
from dnc_mm.models.decode_heads import (SubCentroidFCNHead,
                                        SubCentroidHeadMixin, sample_per_class)

pytestmark = pytest.mark.usefixtures('mmseg_scope')

IGNORE = 255


def make_head(c=4, k=2, d=8, classifier=None, **kwargs) -> SubCentroidFCNHead:
    """FCN head without convs: the input feature goes straight to cls_seg.

    K = ``k``, momentum 0.5; ``classifier`` adds or overrides classifier
    options.
    """
    cfg = dict(
        in_channels=d,
        channels=d,
        num_convs=0,
        concat_input=False,
        num_classes=c,
        dropout_ratio=0.0)
    cfg.update(kwargs)
    options = dict(num_subcentroids=k, momentum=0.5)
    options.update(classifier or {})
    return SubCentroidFCNHead(classifier=options, **cfg).train()


def samples(label):
    """SegDataSamples from a ``(B, H, W)`` label map."""
    out = []
    for lab in label:
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=lab[None].long())
        out.append(s)
    return out


def loss_step(head, feat, label):
    return head.loss([feat], samples(label), None)


# --------------------------------------------------------------- end to end
BACKBONE = dict(
    type='ResNetV1c',
    depth=18,
    stem_channels=8,
    base_channels=8,
    num_stages=4,
    out_indices=(0, 1, 2, 3),
    dilations=(1, 1, 2, 4),
    strides=(1, 2, 1, 1),
    norm_cfg=dict(type='BN'),
    contract_dilation=True)
DNC = dict(
    classifier=dict(num_subcentroids=3),
    num_classes=5,
    dropout_ratio=0.1,
    norm_cfg=dict(type='BN'),
    align_corners=False,
    loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0))
HEADS = {
    'fcn':
    dict(
        type='SubCentroidFCNHead',
        in_channels=64,
        in_index=3,
        channels=16,
        num_convs=1,
        **DNC),
    'aspp':
    dict(
        type='SubCentroidASPPHead',
        in_channels=64,
        in_index=3,
        channels=16,
        dilations=(1, 2),
        **DNC),
    'uper':
    dict(
        type='SubCentroidUPerHead',
        in_channels=[8, 16, 32, 64],
        in_index=[0, 1, 2, 3],
        channels=16,
        pool_scales=(1, 2),
        **DNC),
}


def seg_batch(n=2, size=64, c=5):
    g = torch.Generator().manual_seed(0)
    data_samples = []
    for _ in range(n):
        label = torch.randint(0, c, (1, size, size), generator=g)
        label[:, :, :10] = IGNORE  # an ignored band
        s = SegDataSample(
            metainfo=dict(
                img_shape=(size, size),
                ori_shape=(size, size),
                pad_shape=(size, size)))
        s.gt_sem_seg = PixelData(data=label)
        data_samples.append(s)
    inputs = [
        torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(n)
    ]
    return dict(inputs=inputs, data_samples=data_samples)


@pytest.mark.parametrize('name', sorted(HEADS))
def test_head_in_encoder_decoder_loss_backward_predict(name):
    torch.manual_seed(0)
    model = MODELS.build(
        ConfigDict(
            type='EncoderDecoder',
            data_preprocessor=dict(
                type='SegDataPreProcessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True,
                pad_val=0,
                seg_pad_val=IGNORE,
                size=(64, 64)),
            backbone=BACKBONE,
            decode_head=HEADS[name],
            train_cfg=dict(),
            test_cfg=dict(mode='whole')))
    model.init_weights()  # mmseg's default init_cfg named conv_seg
    head = model.decode_head
    assert isinstance(head, SubCentroidHeadMixin)
    assert not hasattr(head, 'conv_seg')
    assert not any('conv_seg' in k for k in model.state_dict())
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    assert 'decode_head.classifier.subcentroids' in buffers
    assert not any('subcentroids' in k for k in params)
    wrapper = build_optim_wrapper(model,
                                  dict(optimizer=dict(type='SGD', lr=0.01)))
    in_optim = {
        id(p)
        for g in wrapper.optimizer.param_groups
        for p in g['params']
    }
    assert id(head.classifier.subcentroids) not in in_optim

    model.train()
    before = head.classifier.subcentroids.clone()
    data = model.data_preprocessor(seg_batch(), True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['decode.loss_ce'])
    losses['decode.loss_ce'].backward()  # after the update rebound the buffer
    assert head.projection.weight.grad is not None
    assert model.backbone.stem[0].weight.grad.abs().sum() > 0
    after = head.classifier.subcentroids
    assert not torch.equal(after, before)  # some class was updated
    torch.testing.assert_close(after.norm(dim=-1), torch.ones(after.shape[:2]))
    assert head._captured is None  # nothing kept after the step

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(seg_batch(), False)
        results = model(**data, mode='predict')
    assert torch.equal(head.classifier.subcentroids, after)
    pred = results[0].pred_sem_seg.data
    assert pred.shape == (1, 64, 64)
    assert int(pred.min()) >= 0 and int(pred.max()) < 5
    assert results[0].seg_logits.data.shape == (5, 64, 64)


def test_conv_seg_removed_and_init_cfg_cleaned():
    head = make_head(
        init_cfg=dict(type='Normal', std=0.01, override=dict(name='conv_seg')))
    assert head.init_cfg is None
    head.init_weights()
    kept = make_head(
        init_cfg=[
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Normal', std=0.01, override=dict(name='conv_seg'))
        ],
        projection='linear',
        embed_dims=6)
    assert kept.init_cfg == [dict(type='Kaiming', layer='Conv2d')]
    kept.init_weights()
    assert kept.classifier.subcentroids.shape == (4, 2, 6)
    assert kept([torch.randn(2, 8, 3, 3)]).shape == (2, 4, 3, 3)
    with pytest.raises(ValueError, match='out_channels'):
        make_head(c=2, out_channels=1)


def test_cls_seg_scores_are_max_over_subcentroids():
    head = make_head(logit_normalization='temperature', temperature=1.0)
    feat = torch.randn(2, 8, 3, 4)
    emb = F.normalize(F.layer_norm(feat.movedim(1, -1), (8, )), dim=-1)
    ref = torch.einsum('bhwd,ckd->bchwk', emb,
                       head.classifier.subcentroids).amax(-1)
    torch.testing.assert_close(head.eval()([feat]), ref)


# ------------------------------------------------------- ignore / absent
def test_ignore_pixels_never_move_subcentroids():
    torch.manual_seed(0)
    head = make_head(classifier=dict(update_correct_only=False))
    g = torch.Generator().manual_seed(1)
    feat = torch.randn(2, 8, 6, 6, generator=g)
    label = torch.randint(0, 4, (2, 12, 12), generator=g)  # 2x the features
    label[0, :6] = IGNORE
    label[1, :, 4:8] = IGNORE
    small = label[:, ::2, ::2]  # nearest resize picks the even pixels
    excluded = small == IGNORE
    assert excluded.any() and (~excluded).any()

    other = copy.deepcopy(head)
    loss_step(head, feat, label)
    noisy = torch.where(
        excluded.unsqueeze(1), 100 * torch.randn(feat.shape, generator=g),
        feat)
    loss_step(other, noisy, label)
    assert torch.equal(head.classifier.subcentroids,
                       other.classifier.subcentroids)

    # a batch that is ignored everywhere changes nothing at all
    before = head.classifier.subcentroids.clone()
    loss_step(head, feat, torch.full_like(label, IGNORE))
    assert torch.equal(head.classifier.subcentroids, before)

    # labels >= num_classes never take part either (update called directly:
    # mmseg's cross-entropy itself rejects them)
    emb = F.normalize(feat, dim=1)
    logits = torch.zeros(2, 4, 6, 6)
    out_of_range = torch.where(excluded, torch.full_like(small, 7), small)
    other = copy.deepcopy(head)
    head.update_subcentroids(emb, logits, out_of_range)
    noisy_emb = torch.where(
        excluded.unsqueeze(1), F.normalize(noisy, dim=1), emb)
    other.update_subcentroids(noisy_emb, logits, out_of_range)
    assert torch.equal(head.classifier.subcentroids,
                       other.classifier.subcentroids)


def test_class_absent_from_batch_is_untouched():
    torch.manual_seed(0)
    head = make_head(classifier=dict(update_correct_only=False))
    feat = torch.randn(2, 8, 5, 5)
    label = torch.zeros(2, 5, 5, dtype=torch.long)
    label[1, 2, 3] = 1  # class 1: a single pixel (must not crash)
    label[0, 0] = IGNORE
    before = head.classifier.subcentroids.clone()
    loss_step(head, feat, label)
    after = head.classifier.subcentroids
    assert torch.equal(after[2:], before[2:])  # classes 2, 3 absent
    assert not torch.equal(after[0], before[0])
    assert not torch.equal(after[1], before[1])
    assert torch.isfinite(after).all()


# ------------------------------------------------------ per-class reference
def _reference_update(subs,
                      emb,
                      label,
                      correct,
                      mu,
                      eps,
                      iters,
                      mask_order='after'):
    """Algorithm 1 class by class, exp domain, float64. ``'after'``: the
    transport runs on every pixel of the class, then only correct ones
    enter the means; ``'before'``: on the correct pixels only."""
    c, k, _ = subs.shape
    new = subs.double().clone()
    x_all = emb.permute(0, 2, 3, 1).reshape(-1, emb.shape[1]).double()
    y_all = label.reshape(-1)
    ok = correct.reshape(-1)
    for cls in range(c):
        take = (y_all == cls) if mask_order == 'after' else (y_all == cls) & ok
        x = x_all[take]
        keep = ok[take]
        if not keep.any():
            continue
        p = subs[cls].double()
        s = p @ x.t()  # (K, N_c)
        if len(x) == 1:
            assign = s.argmax(0)
        else:
            q = torch.exp(s / eps)
            q /= q.sum()
            for _ in range(iters):
                q /= q.sum(dim=1, keepdim=True)
                q /= k
                q /= q.sum(dim=0, keepdim=True)
                q /= len(x)
            assign = q.argmax(0)
        for j in range(k):
            members = x[(assign == j) & keep]
            if len(members):
                mean = F.normalize(members.mean(0), dim=0)
                new[cls, j] = F.normalize(mu * p[j] + (1 - mu) * mean, dim=0)
    return new.float()


@pytest.mark.parametrize('mask_order', ['after', 'before'])
def test_batched_update_equals_per_class_reference(mask_order):
    c, k, d = 3, 3, 6
    g = torch.Generator().manual_seed(3)
    centres = F.normalize(torch.randn(c, d, generator=g), dim=1)
    head = make_head(
        c=c,
        k=k,
        d=d,
        logit_normalization='temperature',
        classifier=dict(mask_order=mask_order))
    head.classifier.subcentroids = F.normalize(
        centres[:, None] + 0.3 * torch.randn(c, k, d, generator=g), dim=-1)
    for step in range(2):
        label = torch.randint(0, c, (2, 16, 16), generator=g)
        label[:, :3] = IGNORE
        small = label[:, ::2, ::2]
        feat = 0.6 * torch.randn(2, d, 8, 8, generator=g)
        feat += centres[small.clamp(max=c - 1)].permute(0, 3, 1, 2)
        # independent embedding and prediction (LayerNorm at init, l2)
        emb = F.normalize(
            F.layer_norm(feat.movedim(1, -1), (d, )), dim=-1).movedim(-1, 1)
        before = head.classifier.subcentroids.clone()
        pred = torch.einsum('bdhw,ckd->bchwk', emb, before).amax(-1).argmax(1)
        correct = (pred == small) & (small != IGNORE)
        counts = torch.bincount(small[correct], minlength=c)
        assert (counts >= 5).all(), counts  # every class clustered
        assert (~correct & (small != IGNORE)).any()  # and some are wrong
        expected = _reference_update(before, emb, small, correct, 0.5, 0.05, 3,
                                     mask_order)
        loss_step(head, feat, label)
        torch.testing.assert_close(
            head.classifier.subcentroids, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize('max_pixels', [None, 5])
def test_update_from_forward_similarities_equals_recomputed(max_pixels):
    """The training step reads the selected pixels' own-class similarities
    from the forward pass; the update is the one that recomputes them."""
    c, k, d = 4, 3, 8
    g = torch.Generator().manual_seed(5)
    head = make_head(
        c=c,
        k=k,
        d=d,
        classifier=dict(update_correct_only=False),
        max_pixels_per_class=max_pixels)
    feat = torch.randn(2, d, 6, 7, generator=g)
    label = torch.randint(0, c, (2, 6, 7), generator=g)
    label[0, :2] = IGNORE
    emb = head.embed(feat)
    logits, sims = head.classifier(emb, channel_dim=1)
    other = copy.deepcopy(head)
    torch.manual_seed(0)  # the per-class pixel sampling
    counts = head.update_subcentroids(emb, logits, label, sims)
    torch.manual_seed(0)
    expected = other.update_subcentroids(emb, logits, label)
    assert torch.equal(counts, expected)
    torch.testing.assert_close(
        head.classifier.subcentroids,
        other.classifier.subcentroids,
        atol=1e-6,
        rtol=0)
    # a wrong class's similarities would change the result (the test sees
    # which rows are read)
    shifted = torch.roll(sims, 1, dims=1)
    torch.manual_seed(0)
    third = copy.deepcopy(other)
    third.update_subcentroids(emb, logits, label, shifted)
    torch.manual_seed(0)
    other.update_subcentroids(emb, logits, label)
    assert not torch.allclose(third.classifier.subcentroids,
                              other.classifier.subcentroids)


def test_low_precision_forward_similarities_are_not_reused():
    """Under autocast the clustering recomputes the similarities in fp32."""
    head = make_head()
    feat = torch.randn(2, 8, 4, 4)
    label = torch.randint(0, 4, (2, 4, 4))
    head._init_capture()
    head._capturing = True
    head.cls_seg(feat)
    assert head._captured[2].dtype == torch.float32
    head._captured = None
    with torch.autocast('cpu', dtype=torch.bfloat16):
        head.cls_seg(feat)
    assert head._captured[2] is None
    head._captured = None
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = loss_step(head, feat, label)
    assert torch.isfinite(losses['loss_ce'])


# --------------------------------------------------------------- state
def test_state_survives_state_dict_round_trip():
    torch.manual_seed(0)
    head = make_head(max_pixels_per_class=None)
    feat, label = torch.randn(2, 8, 5, 5), torch.randint(0, 4, (2, 5, 5))
    for _ in range(2):
        loss_step(head, feat, label)
    buf = io.BytesIO()
    torch.save(head.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf, weights_only=True)
    assert {
        'classifier.subcentroids', 'classifier.active',
        'classifier.anchor_indices'
    } <= set(state)
    torch.manual_seed(123)
    fresh = make_head()
    assert not torch.equal(fresh.classifier.subcentroids,
                           head.classifier.subcentroids)
    fresh.load_state_dict(state, strict=True)
    for key, value in head.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key
    head.eval(), fresh.eval()
    assert torch.equal(head([feat]), fresh([feat]))
    head.train(), fresh.train()
    loss_step(head, feat, label)
    loss_step(fresh, feat, label)
    assert torch.equal(head.classifier.subcentroids,
                       fresh.classifier.subcentroids)


# --------------------------------------------------------- sub-sampling
def test_sample_per_class_is_bounded_and_random():
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(-1, 4, (300, ), generator=g)  # -1: ignored
    labels[labels == 3] = 2
    labels[:2] = 3  # class 3: two samples, fewer than the cap
    labels[5:20] = 9  # outside [0, C): dropped
    idx = sample_per_class(labels, 10, 4, generator=g)
    assert idx.unique().numel() == idx.numel()
    picked = labels[idx]
    assert (picked >= 0).all() and (picked < 4).all()
    assert torch.bincount(picked, minlength=4).tolist() == [10, 10, 10, 2]
    # every sample of class 0 gets picked sometimes (not the first ten)
    seen = torch.zeros(300, dtype=torch.bool)
    for _ in range(60):
        seen[sample_per_class(labels, 10, 4, generator=g)] = True
    assert seen[labels == 0].all()
    every = sample_per_class(labels, None, 4)
    assert torch.equal(every, ((labels >= 0) & (labels < 4)).nonzero()[:, 0])


def test_max_pixels_per_class_bounds_pixels_in_update():
    torch.manual_seed(0)
    head = make_head(
        classifier=dict(update_correct_only=False), max_pixels_per_class=3)
    feat = torch.randn(2, 8, 6, 6)
    label = torch.zeros(2, 6, 6, dtype=torch.long)  # class 0: 72 pixels
    label[0, 0, :2] = 1  # class 1: 2 pixels
    label[1, 3:] = IGNORE
    logits = torch.zeros(2, 4, 6, 6)
    emb = F.normalize(feat, dim=1)
    counts = head.update_subcentroids(emb, logits, label[:, None])
    assert counts.sum(1).tolist() == [3.0, 2.0, 0.0, 0.0]
    head.max_pixels_per_class = None
    counts = head.update_subcentroids(emb, logits, label[:, None])
    assert counts.sum(1).tolist() == [72.0 - 18 - 2, 2.0, 0.0, 0.0]


# ---------------------------------------------------------- two ranks
WORLD, STEPS = 2, 3


def _dist_batch(step):
    g = torch.Generator().manual_seed(50 + step)
    feat = torch.randn(2 * WORLD, 8, 6, 6, generator=g)
    label = torch.randint(0, 4, (2 * WORLD, 12, 12), generator=g)
    label[:, :2] = IGNORE
    return feat, label


def _dist_head():
    torch.manual_seed(0)
    return make_head(classifier=dict(momentum=0.9))


def rank_worker(rank, world, init_file, out):
    """Runs in each of the ``world`` processes (see tool_runner.run_ranks)."""
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=world)
    try:
        head = _dist_head()
        for step in range(STEPS):
            feat, label = _dist_batch(step)
            part = slice(2 * rank, 2 * rank + 2)
            losses = loss_step(head, feat[part], label[part])
            losses['loss_ce'].backward()
        torch.save(head.state_dict(), f'{out}.rank{rank}')
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_stay_identical(tmp_path, subprocess_env):
    out = str(tmp_path / 'state')
    run_ranks(__file__, 'rank_worker', WORLD, out, subprocess_env)
    states = [torch.load(f'{out}.rank{r}') for r in range(WORLD)]
    for key in states[0]:
        assert torch.equal(states[0][key], states[1][key]), key

    # ... and equal to one process that sees the whole batch
    single = _dist_head()
    for step in range(STEPS):
        loss_step(single, *_dist_batch(step))
    assert not torch.equal(single.classifier.subcentroids,
                           _dist_head().classifier.subcentroids)
    torch.testing.assert_close(
        states[0]['classifier.subcentroids'],
        single.classifier.subcentroids,
        atol=1e-5,
        rtol=0)
