"""The DNC classifier's schedule-aware state and class-score normalisations:
data initialisation (once, identical on every rank, kept on resume), the
momentum warm-up, each normalisation's logits and gradients, and the paper
configs running the paper's algorithm."""
import math
import os.path as osp

import pytest
import torch
import torch.distributed as dist
import torch.nn.functional as F
from config_cache import load_config, shipped_configs
from tool_runner import run_ranks

import dnc_mm.models.layers.subcentroid_classifier as classifier_module
from dnc_mm.models.layers import (LOGIT_NORMALIZATIONS, SubCentroidClassifier,
                                  build_logit_normalization)

C, K, D = 3, 2, 8


def clustered(seed: int, n: int = 60):
    """Features of ``C`` classes with ``K`` separated sub-classes each."""
    g = torch.Generator().manual_seed(seed)
    means = F.normalize(
        torch.randn(C, K, D, generator=torch.Generator().manual_seed(99)),
        dim=-1)
    labels = torch.randint(0, C, (n, ), generator=g)
    sub = torch.randint(0, K, (n, ), generator=g)
    x = F.normalize(
        means[labels, sub] + 0.05 * torch.randn(n, D, generator=g), dim=-1)
    return x, labels, means


def test_data_init_happens_once_then_momentum_takes_over(monkeypatch):
    torch.manual_seed(0)
    clf = SubCentroidClassifier(
        C, D, K, init=dict(type='data'), momentum=0.999)
    assert not clf.initialized.any()
    x, y, means = clustered(0)
    clf.update(x, y)
    assert clf.initialized.all()
    # seeded on the data: every true sub-class has a sub-centroid near it
    best = torch.einsum('ckd,cjd->ckj', means, clf.subcentroids).amax(-1)
    assert (best > 0.98).all()
    calls = []
    monkeypatch.setattr(classifier_module, 'kmeanspp_subcentroids',
                        lambda *a, **k: calls.append(1))
    clf.update(*clustered(1)[:2])
    assert not calls  # never re-initialised


def test_class_waits_for_enough_samples_and_does_not_move_before():
    torch.manual_seed(0)
    clf = SubCentroidClassifier(C, D, K, init=dict(type='data'), momentum=0.5)
    start = clf.subcentroids.clone()
    x, y, _ = clustered(0)
    keep = y != 2
    x = torch.cat([x[keep], x[~keep][:1]])  # class 2: one sample < K
    y = torch.cat([y[keep], y[~keep][:1]])
    clf.update(x, y)
    assert clf.initialized.tolist() == [True, True, False]
    assert torch.equal(clf.subcentroids[2], start[2])


def test_resumed_classifier_never_reinitialises(monkeypatch):
    torch.manual_seed(0)
    clf = SubCentroidClassifier(
        C,
        D,
        K,
        init=dict(type='data'),
        momentum_warmup_iters=10,
        momentum_warmup_start=0.5)
    for step in range(3):
        clf.update(*clustered(step)[:2])
    resumed = SubCentroidClassifier(
        C,
        D,
        K,
        init=dict(type='data'),
        momentum_warmup_iters=10,
        momentum_warmup_start=0.5)
    resumed.load_state_dict(clf.state_dict())
    monkeypatch.setattr(classifier_module, 'kmeanspp_subcentroids',
                        lambda *a, **k: pytest.fail('re-initialised'))
    assert int(resumed.num_updates) == 3
    assert resumed.current_momentum == pytest.approx(0.5 + 0.499 * 0.3)
    x, y, _ = clustered(5)
    clf.update(x, y)
    resumed.update(x, y)
    assert torch.equal(clf.subcentroids, resumed.subcentroids)


def test_momentum_warmup_drives_the_update():
    torch.manual_seed(0)
    clf = SubCentroidClassifier(
        1,
        D,
        1,
        momentum=0.9,
        momentum_warmup_iters=4,
        momentum_warmup_start=0.0)
    values = []
    for _ in range(6):
        values.append(clf.current_momentum)
        x = F.normalize(torch.randn(4, D), dim=1)
        before = clf.subcentroids.clone()
        clf.update(x, torch.zeros(4, dtype=torch.long))
        mean = F.normalize(x.sum(0), dim=0)
        want = F.normalize(
            values[-1] * before[0, 0] + (1 - values[-1]) * mean, dim=0)
        torch.testing.assert_close(clf.subcentroids[0, 0], want)
    assert values == pytest.approx([0.0, 0.225, 0.45, 0.675, 0.9, 0.9])


def test_old_checkpoints_load_as_initialised():
    clf = SubCentroidClassifier(
        C, D, K, init=dict(type='data'), momentum_warmup_iters=7)
    state = {
        k: v
        for k, v in clf.state_dict().items()
        if k not in ('initialized', 'num_updates')
    }
    clf.load_state_dict(state)
    assert clf.initialized.all() and int(clf.num_updates) == 7


@pytest.mark.parametrize('kind', LOGIT_NORMALIZATIONS)
def test_normalisation_logits_and_gradients(kind):
    torch.manual_seed(0)
    norm = build_logit_normalization(kind, 5, temperature=0.1).double()
    with torch.no_grad():  # a non-trivial affine state
        for p in norm.parameters():
            p.add_(0.3 * torch.randn_like(p))
    s = (2 * torch.rand(4, 5, dtype=torch.float64) - 1).requires_grad_()
    out = norm(s)
    mean, var = s.mean(1, keepdim=True), s.var(1, unbiased=False, keepdim=True)
    standard = (s - mean) / torch.sqrt(var + 1e-5)
    if kind == 'layernorm':
        want = standard
    elif kind == 'layernorm_affine':
        want = standard * norm.weight + norm.bias
    elif kind == 'learned_scale':
        want = s * norm.log_scale.exp()
    else:
        want = s / 0.1
    torch.testing.assert_close(out, want)
    assert torch.autograd.gradcheck(norm, (s, ))
    params = list(norm.parameters())
    assert len(params) == {
        'layernorm': 0,
        'layernorm_affine': 2,
        'learned_scale': 1,
        'temperature': 0
    }[kind]
    if params:
        out.logsumexp(1).sum().backward()
        assert all(p.grad is not None and p.grad.abs().sum() > 0
                   for p in params)


def test_learned_scale_starts_at_inverse_temperature():
    norm = build_logit_normalization('learned_scale', 3, temperature=0.05)
    scale = float(norm.log_scale.detach().exp())
    assert math.isclose(scale, 20.0, rel_tol=1e-6)
    with pytest.raises(ValueError, match='temperature'):
        build_logit_normalization('learned_scale', 3, temperature=0)


def _head_cfgs(cfg):
    model = cfg.model
    heads = [model.get('head'), model.get('decode_head')]
    heads += list(model.get('auxiliary_head') or []) if isinstance(
        model.get('auxiliary_head'), list) else [model.get('auxiliary_head')]
    return [h for h in heads if h and 'SubCentroid' in str(h.get('type'))]


PAPER_CONFIGS = [
    p
    for p in shipped_configs(('dnc', 'dnc_seg', 'deeplabv3', 'fcn', 'upernet'))
    if 'fashion' not in osp.basename(p) and 'nuclei' not in osp.basename(p)
]


@pytest.mark.parametrize('path', PAPER_CONFIGS, ids=osp.basename)
def test_paper_configs_run_the_papers_algorithm(path):
    cfg = load_config(path)
    for head in _head_cfgs(cfg):
        clf = head.get('classifier', {})
        assert clf.get('init', dict(type='random'))['type'] == 'random'
        assert clf.get('momentum_warmup_iters', 0) == 0
        assert clf.get('mask_order', 'after') == 'after'
        assert head.get('loss_contrast') is None  # ProtoSeg's, not DNC's
        # the paper is silent; the official code's nn.LayerNorm(C)
        assert head.get('logit_normalization') == 'layernorm_affine'
        if 'deepncm' not in osp.basename(path):
            assert clf.get('update_correct_only', True)
    for hook in cfg.get('custom_hooks', []):
        if hook['type'] == 'SubCentroidMemoryHook':
            assert hook.get('max_age_iters') is None


def rank_worker(rank: int, world: int, init_file: str, out: str) -> None:
    """Each rank seeds from its own pixels; rank 0's seeds must win."""
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=world)
    torch.manual_seed(0)  # the same random start on every rank
    clf = SubCentroidClassifier(
        C,
        D,
        K,
        init=dict(type='data'),
        momentum=0.9,
        distributed_mode='reduce')
    for step in range(3):
        x, y, _ = clustered(10 * step + rank)  # different data per rank
        clf.update(x, y)
    torch.save(clf.state_dict(), f'{out}.rank{rank}')
    dist.destroy_process_group()


@pytest.mark.slow
def test_data_init_identical_on_every_rank(tmp_path, subprocess_env):
    out = str(tmp_path / 'state')
    run_ranks(__file__, 'rank_worker', 2, out, subprocess_env)
    rank0, rank1 = (torch.load(f'{out}.rank{r}') for r in range(2))
    assert rank0['initialized'].all()
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), f'ranks differ: {key}'


def test_health_sees_collapse_and_unequal_use():
    from dnc_mm.core import subcentroid_health
    p = F.normalize(torch.randn(3, 3, D), dim=-1)
    p[0, 1] = p[0, 0]  # class 0: two sub-centroids coincide
    active = torch.ones(3, 3, dtype=torch.bool)
    active[2, 1:] = False  # class 2: one sub-centroid
    usage = torch.tensor([[5., 5., 5.], [9., 0., 0.], [4., 0., 0.]])
    h = subcentroid_health(p, active, usage)
    assert float(h['max_cos'][0]) == pytest.approx(1.0)
    assert float(h['usage_entropy'][0]) == pytest.approx(1.0)
    assert float(h['usage_entropy'][1]) == pytest.approx(0.0)
    assert torch.isnan(h['mean_cos'][2]) and torch.isnan(h['usage_entropy'][2])
    cos = p[1] @ p[1].t()
    assert float(h['mean_cos'][1]) == pytest.approx(
        float((cos.sum() - cos.trace()) / 6), abs=1e-6)


def test_health_hook_logs_three_scalars_and_usage_is_state():
    from types import SimpleNamespace

    from mmengine.logging import MessageHub

    from dnc_mm.engine.hooks import SubCentroidHealthHook
    torch.manual_seed(0)
    clf = SubCentroidClassifier(C, D, K, init=dict(type='data'))
    clf.update(*clustered(0)[:2])
    assert clf.usage.sum() > 0 and 'usage' in clf.state_dict()
    hub = MessageHub.get_instance('health_hook_test')
    runner = SimpleNamespace(
        model=torch.nn.Sequential(clf), iter=1, message_hub=hub)
    hook = SubCentroidHealthHook(interval=2)
    hook.before_train(runner)
    hook.after_train_iter(runner, 0)
    names = ('mean_cos', 'max_cos', 'usage_entropy')
    for name in names:
        value = hub.get_scalar(f'train/subcentroid_{name}').current()
        assert value == pytest.approx(SubCentroidHealthHook.scalars(clf)[name])
    # seeded on separated sub-classes: not collapsed, both used
    assert SubCentroidHealthHook.scalars(clf)['max_cos'] < 0.9
    assert SubCentroidHealthHook.scalars(clf)['usage_entropy'] > 0.5
    with pytest.raises(RuntimeError, match='no DNC'):
        hook.before_train(SimpleNamespace(model=torch.nn.Linear(2, 2)))
