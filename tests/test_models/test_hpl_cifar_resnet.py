"""CifarResNet: He et al.'s 6n+2 CIFAR ResNets (HPL's ResNet-32)."""
import pytest
import torch

from dnc_mm.models.backbones import CifarResNet


@pytest.mark.parametrize('shortcut,params', [('B', 466256), ('A', 463504)])
def test_resnet32_shapes_and_size(shortcut, params):
    net = CifarResNet(depth=32, shortcut=shortcut, out_indices=(0, 1, 2))
    # He et al. report 0.46M parameters for ResNet-32
    assert sum(p.numel() for p in net.parameters()) == params
    outs = net(torch.randn(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 32), (2, 32, 16, 16),
                                              (2, 64, 8, 8)]
    assert sum(isinstance(m, torch.nn.Conv2d)
               for m in net.modules()) == (31 + (2 if shortcut == 'B' else 0)
                                           )  # 31 conv layers + projections


def test_greyscale_tiny_and_bad_depth():
    net = CifarResNet(depth=8, in_channels=1)
    assert net(torch.randn(1, 1, 28, 28))[0].shape == (1, 64, 7, 7)
    with pytest.raises(ValueError, match='6n\\+2'):
        CifarResNet(depth=18)
