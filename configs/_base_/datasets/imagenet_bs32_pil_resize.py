# ImageNet-1k for MobileNet-V2, 32 images per GPU: mmpretrain's own
# `imagenet_bs32_pil_resize.py` (the batch size and pipeline of its
# mobilenet-v2_8xb32_in1k config). The DNC paper (Table 8, §B) gives no
# training details for MobileNet-V2, so mmpretrain's defaults are used.
# Layout: data/imagenet/{train,val}/ with meta/{train,val}.txt.
_base_ = ['./imagenet_bs16.py']

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=32, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
