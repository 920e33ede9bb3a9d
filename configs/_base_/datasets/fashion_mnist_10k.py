# Fashion-MNIST, seeded class-stratified subset: 10,000 train images (1,000
# per class) and the full 10,000-image test split, 28x28 greyscale.
# Prepare with: bash tools/setup_data.sh
dataset_type = 'PreparedFashionMNIST'
data_root = 'data/fashion_mnist_10k'

data_preprocessor = dict(
    num_classes=10,
    # statistics of the Fashion-MNIST train split (0-255 scale)
    mean=[72.94],
    std=[90.02],
)

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# ToGrayscale (dnc_mm): colour or grey image files and colour arrays reach
# the one-channel model as one channel in the toolboxes' inferencers; the
# dataset's own HxW images pass through unchanged (same inputs as
# PackInputs alone, so the same evaluation results).
test_pipeline = [dict(type='ToGrayscale'), dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=500,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
