# CIFAR-100 schedule: 200 epochs, batch size 128 (the paper's CIFAR setting,
# §4.1; §B gives nothing more for CIFAR-100). The rest is mmpretrain's
# CIFAR-100 recipe (resnet50_8xb16_cifar100.py): SGD lr 0.1, momentum 0.9,
# weight decay 5e-4, lr x0.2 at epochs 60, 120 and 160.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0005))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[60, 120, 160], gamma=0.2)

train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=128)
