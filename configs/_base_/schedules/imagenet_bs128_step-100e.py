# ImageNet schedule of the DNC paper for ResNets (§4.1): 100 epochs, batch
# 16 per GPU x 8 GPUs = 128, initial lr 0.1, "step policy".
# Not stated in the paper, taken from mmpretrain's `imagenet_bs256.py`
# (the codebase default the paper says it follows): SGD momentum 0.9,
# weight decay 1e-4, lr x0.1 at epochs 30, 60 and 90.
# Note: mmpretrain uses lr 0.1 for a batch of 256; the paper states lr 0.1
# with batch 8x16 = 128, so 0.1 is kept for 128 here.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[30, 60, 90], gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=128)
