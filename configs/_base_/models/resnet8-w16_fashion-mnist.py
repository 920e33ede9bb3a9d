# He et al.'s CIFAR ResNet with n=1 (ResNet-8: 3x3 stem, one basic block per
# stage, 16-32-64 channels, 78k parameters) for 28x28 greyscale images; the
# HPL benchmark's tiny backbone. The head is set by each config.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='CifarResNet',
        depth=8,
        in_channels=1,
        base_channels=16,
        out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )),
)
