# MobileNet-V2 (width 1.0) for ImageNet with a linear softmax classifier:
# the parametric baseline of the DNC paper's Table 8. mmpretrain's
# mobilenet_v2_1x.py. DNC configs replace `head` (in_channels=1280).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='MobileNetV2', widen_factor=1.0),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)),
)
