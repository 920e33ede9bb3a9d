# CIFAR-100 (100 fine classes), 32x32 RGB, batch 128 on one GPU (the DNC
# paper's CIFAR setting, §4.1 / §B). Pipeline and normalisation are
# mmpretrain's `cifar100_bs16.py`.
# Layout: data/cifar100/cifar-100-python/ (the official python pickles).
# download=False: nothing is fetched at run time; put the data there first.
dataset_type = 'CIFAR100'
data_root = 'data/cifar100'

data_preprocessor = dict(
    num_classes=100,
    # RGB normalisation of mmpretrain's CIFAR-100 configs (0-255 scale)
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418],
    # the CIFAR loader already gives RGB
    to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        download=False,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        download=False,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
