"""Sample–sub-centroid contrast (PPC) and distance (PPD) losses."""
import math

import pytest
import torch

from dnc_mm.core.subcentroid_contrast import subcentroid_contrast_losses


def _sims():
    # 2 samples, C = 2 classes, K = 2 sub-centroids
    return torch.tensor([[[0.9, 0.5], [0.1, -0.2]], [[0.3, 0.0], [0.2, 0.8]]],
                        dtype=torch.float64,
                        requires_grad=True)


def test_hand_computed_values():
    sims = _sims()
    labels = torch.tensor([0, 1])
    targets = torch.tensor([1, 1])  # class 0 / sub 1, class 1 / sub 1
    tau = 0.5
    contrast, distance = subcentroid_contrast_losses(
        sims, labels, targets, temperature=tau)
    row0 = [0.9, 0.5, 0.1, -0.2]
    row1 = [0.3, 0.0, 0.2, 0.8]

    def ce(row, i):
        return -row[i] / tau + math.log(sum(math.exp(v / tau) for v in row))

    assert contrast.item() == pytest.approx(
        (ce(row0, 1) + ce(row1, 3)) / 2, rel=1e-6)
    assert distance.item() == pytest.approx(
        ((1 - 0.5)**2 + (1 - 0.8)**2) / 2, rel=1e-6)
    assert contrast.dtype == torch.float32


def test_siblings_are_negatives():
    """The gradient pushes the sample away from the other sub-centroid of
    its own class (what the class-score cross-entropy never does)."""
    sims = _sims()
    contrast, _ = subcentroid_contrast_losses(sims, torch.tensor([0, 1]),
                                              torch.tensor([1, 1]))
    contrast.backward()
    grad = sims.grad
    assert grad[0, 0, 0] > 0  # sibling of the target: descent lowers it
    assert grad[0, 0, 1] < 0  # the target: descent raises it
    assert grad[1, 1, 0] > 0


def test_inactive_and_ignored_take_no_part():
    sims = _sims()
    active = torch.tensor([[True, True], [True, False]])
    labels = torch.tensor([0, 255])
    contrast, distance = subcentroid_contrast_losses(
        sims, labels, torch.tensor([0, 0]), active, temperature=1.0)
    row = [0.9, 0.5, 0.1]  # class 1 / sub 1 inactive, sample 1 ignored
    expected = -0.9 + math.log(sum(math.exp(v) for v in row))
    assert contrast.item() == pytest.approx(expected, rel=1e-6)
    assert distance.item() == pytest.approx(0.1**2, rel=1e-5)


def test_no_sample_gives_zero_with_a_gradient_path():
    sims = _sims()
    contrast, distance = subcentroid_contrast_losses(sims, torch.tensor([0,
                                                                         1]),
                                                     torch.tensor([-1, -1]))
    assert contrast.item() == 0 and distance.item() == 0
    (contrast + distance).backward()
    assert torch.equal(sims.grad, torch.zeros_like(sims))


def test_bad_temperature():
    with pytest.raises(ValueError, match='temperature'):
        subcentroid_contrast_losses(
            _sims(), torch.tensor([0, 1]), torch.tensor([0, 0]), temperature=0)


def test_fp32_under_autocast():
    sims = torch.rand(8, 3, 2).to(torch.bfloat16).requires_grad_()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        contrast, distance = subcentroid_contrast_losses(
            sims, torch.randint(0, 3, (8, )), torch.randint(0, 2, (8, )))
    assert contrast.dtype == torch.float32 and distance.dtype == torch.float32
    assert torch.isfinite(contrast)
