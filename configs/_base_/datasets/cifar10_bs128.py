# CIFAR-10, 32x32 RGB, batch 128 on one GPU (DNC paper §4.1: "For CIFAR-10,
# we train ResNet for 200 epochs, with batch size 128"). Pipeline and
# normalisation are mmpretrain's `cifar10_bs16.py`.
# Layout: data/cifar10/cifar-10-batches-py/ (the official python pickles).
# download=False: nothing is fetched at run time; put the data there first.
dataset_type = 'CIFAR10'
data_root = 'data/cifar10'

data_preprocessor = dict(
    num_classes=10,
    # RGB normalisation of mmpretrain's CIFAR-10 configs (0-255 scale)
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
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
