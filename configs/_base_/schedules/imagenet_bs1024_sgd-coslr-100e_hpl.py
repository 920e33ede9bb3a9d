# HPL ImageNet-1K ResNet schedule (Saadabadi et al., CVPR 2024, §7.1): SGD,
# batch 1024 (8 GPUs x 128), lr 0.5, momentum 0.9, weight decay 2e-5, 5 epochs
# of linear warm-up then cosine decay, 100 epochs.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.5, momentum=0.9, weight_decay=2e-5))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=5,
        end=100,
        T_max=95,
        eta_min=0.0,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1024)
