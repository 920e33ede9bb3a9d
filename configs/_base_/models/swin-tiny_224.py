# Swin-Tiny for ImageNet (224x224) with a linear softmax classifier: the
# parametric baseline of the DNC paper. mmpretrain's
# swin_transformer/tiny_224.py (drop path 0.2, label smoothing 0.1,
# Mixup 0.8 / CutMix 1.0, truncated-normal init). DNC configs replace
# `head` with SubCentroidClsHead (in_channels=768) and keep the rest.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='SwinTransformer', arch='tiny', img_size=224,
        drop_path_rate=0.2),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=768,
        init_cfg=None,  # suppress the default init_cfg of LinearClsHead.
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        cal_acc=False),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ],
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]),
)
