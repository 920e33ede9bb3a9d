# ImageNet-200 as used by HPN and HPL (Saadabadi et al., CVPR 2024, §7.1): 200
# ImageNet classes, about 110k images, of which 10k are held out for testing.
# No official mmpretrain class exists: a CustomDataset over class folders,
# resized to 64x64 (the HPN set-up; an assumption here, the paper does not give
# the resolution), random crop with 4-pixel padding and horizontal flip.
#   data/imagenet200/train/<wnid>/*.JPEG   data/imagenet200/test/<wnid>/*.JPEG
dataset_type = 'CustomDataset'
data_root = 'data/imagenet200'

data_preprocessor = dict(
    num_classes=200,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='RandomCrop', crop_size=64, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
