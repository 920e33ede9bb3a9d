# ImageNet-1k for ResNets, 16 images per GPU (DNC paper §4.1: "For ImageNet,
# we train ... with batch size 16", on eight V100 GPUs): mmpretrain's
# `imagenet_bs32.py` (the paper follows the codebase's default settings)
# with the paper's training batch.
# Layout: data/imagenet/{train,val}/ with meta/{train,val}.txt.
_base_ = ['mmpretrain::_base_/datasets/imagenet_bs32.py']

data_root = 'data/imagenet'

train_dataloader = dict(batch_size=16)
