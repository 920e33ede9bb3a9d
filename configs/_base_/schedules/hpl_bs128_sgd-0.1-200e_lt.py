# HPL long-tailed schedule (Saadabadi et al., CVPR 2024, §7.2): SGD, batch 128,
# lr 0.1, momentum 0.9, weight decay 2e-4, 200 epochs, lr / 10 at epochs 160
# and 180.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[160, 180], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
