# ImageNet-1k for Swin, 16 images per GPU (DNC paper §4.1: batch size 16,
# eight V100 GPUs): mmpretrain's `imagenet_bs64_swin_224.py` (RandAugment,
# RandomErasing, bicubic resizing) with the paper's training batch.
# Layout: data/imagenet/{train,val}/ with meta/{train,val}.txt.
_base_ = ['mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py']

train_dataloader = dict(batch_size=16)
