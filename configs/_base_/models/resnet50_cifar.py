# ResNet-50 for 32x32 CIFAR images (mmpretrain's ResNet_CIFAR: 3x3 stem,
# no max-pool), global average pooling and a linear softmax classifier:
# the parametric baseline of the DNC paper. mmpretrain's resnet50_cifar.py:
# resnet18_cifar.py with depth 50 (bottleneck blocks, 2048 channels).
# DNC configs replace `head` with SubCentroidClsHead (in_channels=2048).
_base_ = ['./resnet18_cifar.py']

model = dict(backbone=dict(depth=50), head=dict(in_channels=2048))
