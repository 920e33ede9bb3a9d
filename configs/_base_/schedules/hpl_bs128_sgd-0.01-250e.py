# HPL balanced CIFAR-100 / ImageNet-200 schedule (Saadabadi et al., CVPR 2024,
# §7.1): SGD, batch 128, lr 0.01, momentum 0.9, weight decay 1e-4, 250 epochs,
# lr / 10 at epochs 100 and 200.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[100, 200], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=250, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
