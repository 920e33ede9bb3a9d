# ResNet-101 for 32x32 CIFAR images (mmpretrain's ResNet_CIFAR: 3x3 stem,
# no max-pool), global average pooling and a linear softmax classifier:
# the parametric baseline of the DNC paper. mmpretrain's resnet101_cifar.py:
# resnet50_cifar.py with depth 101.
# DNC configs replace `head` with SubCentroidClsHead (in_channels=2048).
_base_ = ['./resnet50_cifar.py']

model = dict(backbone=dict(depth=101))
