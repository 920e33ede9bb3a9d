# He et al.'s CIFAR ResNet-32 (3x3 stem, three stages of five basic blocks,
# 16-32-64 channels, 0.46M parameters): the backbone of HPL's CIFAR,
# ImageNet-200, SVHN and STL-10 tables (not mmpretrain's ResNet_CIFAR, which
# is the ImageNet ResNet-18/34/50 with a CIFAR stem). The head is set by
# each config.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='CifarResNet',
        depth=32,
        in_channels=3,
        base_channels=16,
        out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)),
)
