# HPL (Saadabadi et al., CVPR 2024) on CIFAR-100 with He et al.'s ResNet-32,
# d=50: Tables 1-2. Fixed uniformity prototypes, IPM loss, class means
# (momentum 0.9), Hungarian re-assignment once per epoch (tau' = 1, §4.4.2);
# schedule of §7.1.
_base_ = [
    '../_base_/models/resnet32_cifar-he.py',
    '../_base_/datasets/cifar100_bs128.py',
    '../_base_/schedules/hpl_bs128_sgd-0.01-250e.py',
    '../_base_/default_runtime_cls.py',
]

model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeClsHead',
        num_classes=100,
        in_channels=64,
        embed_dims=50,  # metric-space dimension d
        prototype_type='uniform',  # Eq. 5, SGD lr 0.1, 1000 steps (§4.1)
        # estimated (seeded) and cached at the first start if missing
        prototype_file='work_dirs/prototypes/hpl_d50_c100_seed0.pt',
        class_mean_momentum=0.9,  # alpha of the class means
        loss=dict(type='IPMLoss', loss_weight=1.0),  # Eq. 6
        topk=(1, 5)))
custom_hooks = [
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True)
]
