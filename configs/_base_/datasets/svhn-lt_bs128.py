# Long-tailed SVHN (HPL Table 6). mmpretrain has no SVHN class: a
# CustomDataset over class folders (digits 0-9, 32x32 PNGs), e.g. written from
# torchvision's SVHN or the .mat files:
#   data/svhn/train/<0-9>/*.png   data/svhn/test/<0-9>/*.png
# The training split is made long-tailed (imbalance 0.01 here; configs
# override it); no horizontal flip for digits.
_base_ = ['./cifar10_bs128.py']

dataset_type = 'CustomDataset'
data_root = 'data/svhn'
data_preprocessor = dict(
    num_classes=10,
    mean=[111.61, 113.16, 120.57],  # SVHN train statistics (0-255)
    std=[50.50, 51.26, 50.24],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=4),
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
