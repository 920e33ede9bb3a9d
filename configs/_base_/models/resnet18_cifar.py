# ResNet-18 for 32x32 CIFAR images (mmpretrain's ResNet_CIFAR: 3x3 stem,
# no max-pool), global average pooling and a linear softmax classifier:
# the parametric baseline of the DNC paper. mmpretrain's resnet18_cifar.py.
# DNC configs replace `head` with SubCentroidClsHead (in_channels=512).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )),
)
