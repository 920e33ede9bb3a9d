# HPL on long-tailed SVHN (imbalance 0.01), ResNet-32, d=64: Table 6.
# Long-tailed recipe of §7.2: inverse-frequency class weights, Mixup
# (alpha 1), SGD lr 0.1, 200 epochs, lr / 10 at 160 and 180.
_base_ = [
    '../_base_/models/resnet32_cifar-he.py',
    '../_base_/datasets/svhn-lt_bs128.py',
    '../_base_/schedules/hpl_bs128_sgd-0.1-200e_lt.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeHead',
        num_classes=10,
        in_channels=64,
        embed_dims=64,  # metric-space dimension d
        prototype_type='uniform',  # Eq. 5, SGD lr 0.1, 1000 steps (§4.1)
        # estimated (seeded) and cached at the first start if missing
        prototype_file='work_dirs/prototypes/hpl_d64_c10_seed0.pt',
        class_mean_momentum=0.9,  # alpha of the class means
        loss=dict(type='IPMLoss', loss_weight=1.0),  # Eq. 6
        topk=(1, )),
    train_cfg=dict(augments=dict(type='Mixup', alpha=1.0)))
custom_hooks = [
    dict(type='ClassBalancedLossHook'),  # inverse class frequency (§7.2)
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True),
]
