# ImageNet schedule of the DNC paper for ResNets (§4.1): 100 epochs, batch
# 16 per GPU x 8 GPUs = 128, initial lr 0.1, "step policy": mmpretrain's
# `imagenet_bs256.py` (the codebase default the paper says it follows: SGD
# momentum 0.9, weight decay 1e-4, lr x0.1 at epochs 30, 60 and 90).
# mmpretrain uses lr 0.1 for a batch of 256; the paper states lr 0.1 with a
# batch of 8 x 16 = 128, so 0.1 is the lr for 128 here.
_base_ = ['mmpretrain::_base_/schedules/imagenet_bs256.py']

auto_scale_lr = dict(base_batch_size=128)
