# ResNet-101 for ImageNet (224x224) with a linear softmax classifier: the
# parametric baseline of the DNC paper. mmpretrain's resnet101.py.
# DNC configs replace `head` with SubCentroidClsHead (in_channels=2048).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)),
)
