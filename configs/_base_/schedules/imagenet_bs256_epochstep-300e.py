# MobileNet-V2 ImageNet schedule. The DNC paper (Table 8, §B) gives no
# training details for MobileNet-V2, so this is mmpretrain's default for it
# (`imagenet_bs256_epochstep.py`, used by mobilenet-v2_8xb32_in1k.py): SGD
# lr 0.045, momentum 0.9, weight decay 4e-5, lr x0.98 every epoch, 300
# epochs, batch 8x32 = 256.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.045, momentum=0.9, weight_decay=0.00004))
param_scheduler = dict(type='StepLR', by_epoch=True, step_size=1, gamma=0.98)

train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=256)
