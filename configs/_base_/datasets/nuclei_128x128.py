# The bundled binary benchmark: the real annotated fluorescence nuclei image
# of the stardist wheel, 12 train / 4 val tiles of 128x128 (2 classes).
# Build with: bash tools/setup_data.sh   (see docs/datasets.md)
# Same pipelines as fashion_scenes_128x128.py, without colour distortion
# (the images are greyscale fluorescence).
_base_ = ['./fashion_scenes_128x128.py']

dataset_type = 'NucleiDataset'
data_root = 'data/seg_benchmark/nuclei'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(128, 128),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=(128, 128), cat_max_ratio=0.9),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
