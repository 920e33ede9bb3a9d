# CIFAR-10 schedule of the DNC paper (§4.1: 200 epochs, batch size 128).
# The paper follows the codebase defaults for everything else, i.e.
# mmpretrain's `cifar10_bs128.py`: SGD lr 0.1, momentum 0.9, weight decay
# 1e-4, lr x0.1 at epochs 100 and 150.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[100, 150], gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# lr 0.1 is for a total batch of 128 (--auto-scale-lr rescales it)
auto_scale_lr = dict(base_batch_size=128)
