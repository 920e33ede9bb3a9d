# Long-tailed STL-10 (HPL Table 6): the 5,000 labelled training images (500
# per class, 96x96) made long-tailed (imbalance 0.01 here; configs override
# it), tested on the 8,000 test images. mmpretrain has no STL-10 class: a
# CustomDataset over class folders, e.g. written from the binary release:
#   data/stl10/train/<class>/*.png   data/stl10/test/<class>/*.png
# Images are kept at 96x96 (random crop with 12-pixel padding + flip); the
# paper does not state the resolution.
_base_ = ['./cifar10_bs128.py']

dataset_type = 'CustomDataset'
data_root = 'data/stl10'
data_preprocessor = dict(
    num_classes=10,
    mean=[113.91, 112.15, 103.69],  # STL-10 train statistics (0-255)
    std=[66.40, 65.41, 68.65],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=96, padding=12),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='LongTailedDataset',
        imbalance_factor=0.01,
        seed=0,
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            data_prefix='train',
            pipeline=train_pipeline)))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        data_prefix='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
