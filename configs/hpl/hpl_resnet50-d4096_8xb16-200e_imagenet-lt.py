# HPL on ImageNet-LT with ResNet-50, d=4096 (Table 5): long-tailed recipe of
# §7.2 (inverse-frequency class weights, Mixup alpha 1, SGD lr 0.1, batch
# 128 = 8 GPUs x 16, 200 epochs, lr / 10 at 160 and 180; the paper states
# one long-tailed schedule for all its long-tailed sets).
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/imagenet-lt_bs128.py',
    '../_base_/schedules/hpl_bs128_sgd-0.1-200e_lt.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeClsHead',
        num_classes=1000,
        in_channels=2048,
        embed_dims=4096,  # metric-space dimension d
        prototype_type='uniform',  # Eq. 5, SGD lr 0.1, 1000 steps (§4.1)
        # estimated (seeded) and cached at the first start if missing
        prototype_file='work_dirs/prototypes/hpl_d4096_c1000_seed0.pt',
        class_mean_momentum=0.9,  # alpha of the class means
        loss=dict(type='IPMLoss', loss_weight=1.0),  # Eq. 6
        topk=(1, 5)),
    train_cfg=dict(augments=dict(type='Mixup', alpha=1.0)))
custom_hooks = [
    dict(type='ClassBalancedLossHook'),  # inverse class frequency (§7.2)
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True),
]
