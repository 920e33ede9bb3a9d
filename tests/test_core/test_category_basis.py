"""CBP initialisation (Algorithm 1), its ablations, OCCL (Eqs. 3–6) and CS
(Eq. 8) in the pure-PyTorch core."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dnc_mm.core import (category_basis_prototypes, category_loss,
                         centroid_loss, class_separability,
                         ema_update_prototypes, gram_schmidt,
                         online_centroid_contrastive_loss,
                         orthogonality_penalty, split_views, view_centroids)


# ------------------------------------------------------------------- CBP
@pytest.mark.parametrize('n,d', [(1, 1), (2, 3), (11, 11), (19, 64),
                                 (150, 256), (171, 768)])
@pytest.mark.parametrize('length', [0.3, 1.0, 2.0])
def test_prototypes_orthogonal_equal_norm(n, d, length):
    torch.manual_seed(n + d)
    w = category_basis_prototypes(n, d, length).double()
    assert w.shape == (n, d)
    assert torch.allclose(
        w.norm(dim=1),
        torch.full((n, ), length, dtype=torch.float64),
        atol=1e-5)
    gram = w @ w.t()
    off = gram - torch.diag(torch.diagonal(gram))
    assert off.abs().max() < 1e-5 * length**2
    assert abs(float(class_separability(w))) < 1e-3


def test_gram_schmidt_spans_input_flag():
    torch.manual_seed(0)
    a = torch.randn(5, 8, dtype=torch.float64)
    q = gram_schmidt(a)
    # row k of the output lies in span(a_0..a_k) and row 0 is unchanged
    assert torch.allclose(q[0], a[0])
    for k in range(1, 5):
        sol = torch.linalg.lstsq(a[:k + 1].t(), q[k:k + 1].t()).solution
        assert torch.allclose(a[:k + 1].t() @ sol, q[k:k + 1].t(), atol=1e-10)


def test_refuses_fewer_channels_than_classes():
    with pytest.raises(
            ValueError,
            match=r'150 classes .* 64 channels.*'
            r'channels >= num_classes'):
        category_basis_prototypes(150, 64)
    # without orthogonalisation there is no such constraint
    w = category_basis_prototypes(150, 64, orthogonalize=False)
    assert torch.allclose(w.norm(dim=1), torch.full((150, ), 2.0))


def test_dependent_rows_rejected():
    a = torch.tensor([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match='linearly dependent'):
        gram_schmidt(a)


def test_table5_variants():
    torch.manual_seed(0)
    no_eq = category_basis_prototypes(20, 32, 2.0, equalize=False).double()
    gram = no_eq @ no_eq.t()
    assert (gram - torch.diag(torch.diagonal(gram))).abs().max() < 1e-5
    assert no_eq.norm(dim=1).std() > 1e-3  # Gram-Schmidt norms differ
    no_orth = category_basis_prototypes(20, 32, 2.0, orthogonalize=False)
    assert torch.allclose(no_orth.norm(dim=1), torch.full((20, ), 2.0))
    assert class_separability(no_orth).abs() > 1e-2


def test_orthogonality_penalty():
    w = category_basis_prototypes(6, 10)
    assert float(orthogonality_penalty(w)) < 1e-10
    v = torch.ones(3, 4, requires_grad=True)
    pen = orthogonality_penalty(v)
    assert float(pen.detach()) == pytest.approx(1.0)
    pen.backward()
    assert torch.isfinite(v.grad).all()


def test_ema_update_keeps_absent_classes_and_norm():
    torch.manual_seed(0)
    w = category_basis_prototypes(4, 8, 2.0)
    before = w.clone()
    sums = torch.randn(4, 8)
    counts = torch.tensor([3.0, 0.0, 1.0, 0.0])
    ema_update_prototypes(w, sums, counts, 0.9, length=2.0)
    assert torch.equal(w[1], before[1]) and torch.equal(w[3], before[3])
    exp0 = F.normalize(0.9 * before[0] + 0.1 * sums[0] / 3, dim=0) * 2
    assert torch.allclose(w[0], exp0, atol=1e-6)
    assert torch.allclose(w.norm(dim=1), torch.full((4, ), 2.0))


def test_class_separability_formula():
    w = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    c = 1 / np.sqrt(2)
    assert float(class_separability(w)) == pytest.approx(c + 0 + c)
    # (N, K, D): class means
    sub = torch.stack([w, w], 1)
    assert float(class_separability(sub)) == pytest.approx(2 * c)


# ------------------------------------------------------------------ views
def test_views_split_objects_alternately():
    lab = torch.full((2, 6, 6), -1, dtype=torch.long)
    # class 0: three separate objects in image 0, one in image 1
    lab[0, 0, 0] = lab[0, 0, 5] = lab[0, 5, 0] = 0
    lab[1, 2:4, 2:4] = 0
    # class 1: a single 2x3 object -> split in raster order (rows)
    lab[0, 2:4, 2:5] = 1
    # class 2: a single pixel -> no two views
    lab[1, 5, 5] = 2
    views = split_views(lab, generator=torch.Generator().manual_seed(0))
    assert ((views >= 0) == (lab >= 0) & (lab != 2)).all()
    assert (views[lab == 2] == -1).all()
    # each class-0 object has one view; 2 objects per view
    objs = [views[0, 0, 0], views[0, 0, 5], views[0, 5, 0], views[1, 2, 2]]
    assert sorted(int(v) for v in objs) == [0, 0, 1, 1]
    assert (views[1, 2:4, 2:4] == views[1, 2, 2]).all()
    # the single class-1 object: upper row -> view 0, lower row -> view 1
    assert (views[0, 2, 2:5] == 0).all() and (views[0, 3, 2:5] == 1).all()


def test_views_same_classes_random_maps():
    g = torch.Generator().manual_seed(1)
    for _ in range(5):
        lab = torch.randint(-1, 6, (3, 12, 12), generator=g)
        views = split_views(lab, generator=g)
        for c in range(6):
            n = int((lab == c).sum())
            in0 = int(((lab == c) & (views == 0)).sum())
            in1 = int(((lab == c) & (views == 1)).sum())
            if n >= 2:
                assert in0 > 0 and in1 > 0, c
            assert in0 + in1 == (n if n >= 2 else 0)


# ------------------------------------------------------------------- OCCL
def _batch(seed=0, classes=5, b=2, c=16, h=8, w=8):
    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(b, c, h, w, generator=g, requires_grad=True)
    labels = torch.randint(0, classes, (b, h, w), generator=g)
    protos = category_basis_prototypes(classes, c, 2.0, generator=g)
    return feats, labels, protos


@pytest.mark.parametrize('normalize', [True, False])
def test_occl_finite_with_ignore_single_and_missing_classes(normalize):
    feats, labels, protos = _batch()
    # ignore pixels, a class with one pixel (absent from one view) and
    # classes absent from the batch
    labels[:, :2] = -1
    labels[labels == 3] = 0
    labels[labels == 4] = 1
    labels[0, 5, 5] = 4
    out = online_centroid_contrastive_loss(
        feats, labels, protos, normalize=normalize)
    assert torch.isfinite(out['loss'])
    assert int(out['num_classes']) == 3  # 0, 1, 2; 4 has a single pixel
    out['loss'].backward()
    assert torch.isfinite(feats.grad).all()
    assert (feats.grad[:, :, :2] == 0).all()  # ignored pixels get nothing


def test_occl_single_class_and_all_ignored():
    feats, labels, protos = _batch()
    one = torch.zeros_like(labels)
    out = online_centroid_contrastive_loss(feats, one, protos)
    assert torch.isfinite(out['loss']) and float(out['centroid']) == 0.0
    assert float(out['category']) > 0
    out['loss'].backward()
    assert torch.isfinite(feats.grad).all()
    feats.grad = None
    none = torch.full_like(labels, -1)
    out = online_centroid_contrastive_loss(feats, none, protos)
    assert float(out['loss']) == 0.0 and out['loss'].requires_grad
    out['loss'].backward()
    assert (feats.grad == 0).all()


def test_occl_matches_formulas():
    """Eq. 6 written out class by class with -log of Eqs. 4 and 5."""
    feats, labels, protos = _batch(seed=3, classes=4)
    views = split_views(labels, generator=torch.Generator().manual_seed(0))
    lam, phi, tau = 0.7, 0.2, 0.5
    out = online_centroid_contrastive_loss(
        feats, labels, protos, lam, phi, tau, normalize=False, views=views)
    x = feats.detach().permute(0, 2, 3, 1)
    v = {}
    for cls in range(4):
        for k in range(2):
            v[cls, k] = x[(labels == cls) & (views == k)].mean(0)
    s = {cls: (v[cls, 0] + v[cls, 1]) / 2 for cls in range(4)}
    lv = lc = 0.0
    for k in range(2):
        for i in range(4):
            a = v[i, k]
            pos = torch.exp(a @ v[i, 1 - k] / tau)
            neg = sum(torch.exp(a @ s[j] / tau) for j in range(4) if j != i)
            lv += -torch.log(pos / (pos + neg)) / 4
            lc += -torch.log(
                torch.exp(a @ protos[i] / tau) /
                torch.exp(protos @ a / tau).sum()) / 4
    ref = (lam * lv + phi * lc) / 2
    assert float(out['loss']) == pytest.approx(float(ref), rel=1e-4)


def test_stop_gradient_on_negative_category_centroids():
    torch.manual_seed(0)
    anchor = torch.randn(3, 5, requires_grad=True)
    positive = torch.randn(3, 5, requires_grad=True)
    category = torch.randn(3, 5, requires_grad=True)
    centroid_loss(anchor, positive, category, 0.07).backward()
    assert category.grad is None
    assert anchor.grad.abs().sum() > 0 and positive.grad.abs().sum() > 0


def test_stop_gradient_inside_occl():
    """Only the positive pair and the anchors carry gradient: moving a
    negative class's category centroid (through its features) is not
    rewarded by the centroid loss of another class."""
    torch.manual_seed(0)
    feats = torch.randn(1, 4, 2, 2, requires_grad=True)
    labels = torch.tensor([[[0, 0], [1, 1]]])
    views = torch.tensor([[[0, 1], [0, 1]]])
    protos = torch.eye(2, 4)
    out = online_centroid_contrastive_loss(
        feats, labels, protos, 1.0, 0.0, 0.5, normalize=False, views=views)
    out['loss'].backward()
    # analytic gradient with SG: for class 0 anchor v00 = f[0,0], positive
    # v01 = f[0,1], negative s1 (constant)
    f = feats.detach()[0].permute(1, 2, 0)
    v = {(0, 0): f[0, 0], (0, 1): f[0, 1], (1, 0): f[1, 0], (1, 1): f[1, 1]}
    s = {c: (v[c, 0] + v[c, 1]) / 2 for c in range(2)}
    grads = {key: torch.zeros(4) for key in v}
    for k in range(2):
        for i in range(2):
            a, p, n = v[i, k], v[i, 1 - k], s[1 - i]
            lp, ln = a @ p / 0.5, a @ n / 0.5
            q = torch.softmax(torch.stack([lp, ln]), 0)
            # d(-log q0)/da = (q0 - 1) p/t + q1 n/t ; d/dp = (q0 - 1) a/t
            grads[i, k] += ((q[0] - 1) * p + q[1] * n) / 0.5 / 2 / 2
            grads[i, 1 - k] += (q[0] - 1) * a / 0.5 / 2 / 2
    g = feats.grad[0].permute(1, 2, 0)
    for (c, k), ref in grads.items():
        assert torch.allclose(g[c, k], ref, atol=1e-5), (c, k)


def test_category_loss_is_cross_entropy():
    torch.manual_seed(0)
    a = torch.randn(3, 6)
    w = torch.randn(5, 6)
    cls = torch.tensor([4, 0, 2])
    ref = F.cross_entropy(a @ w.t() / 0.1, cls)
    assert float(category_loss(a, cls, w, 0.1)) == pytest.approx(float(ref))


def test_occl_fp32_under_autocast():
    feats, labels, protos = _batch(c=32)
    big = (feats.detach() * 50).requires_grad_()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = online_centroid_contrastive_loss(
            big.bfloat16(), labels, protos, normalize=False)
    assert out['loss'].dtype == torch.float32
    assert torch.isfinite(out['loss'])
    out['loss'].backward()
    assert torch.isfinite(big.grad).all()


def test_view_centroids_shapes_and_errors():
    feats, labels, _ = _batch()
    views = split_views(labels)
    cent, present = view_centroids(feats, labels, views, 7)
    assert cent.shape == (2, 7, 16) and present.shape == (7, )
    assert not present[5:].any()
    with pytest.raises(ValueError, match='labels and views'):
        view_centroids(feats, labels[:, :4], views, 7)
