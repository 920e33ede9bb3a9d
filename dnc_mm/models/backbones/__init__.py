"""Backbones registered by dnc_mm (mmpretrain ``MODELS`` registry)."""
from .cifar_resnet import CifarResNet

__all__ = ['CifarResNet']
