# HPL ImageNet-1K Swin-T schedule (Saadabadi et al., CVPR 2024, §7.1 and
# Table 3): AdamW, batch 1024 (8 GPUs x 128), lr 0.001, weight decay 2e-5, 100
# epochs; the paper gives no warm-up or decay: 5 epochs of linear warm-up and
# cosine decay as for its ResNets (an assumption).
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=0.001, weight_decay=2e-5, betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.001,
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
        eta_min=1e-5,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1024)
