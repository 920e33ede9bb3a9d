# HPL's long-tailed recipe (Saadabadi et al., CVPR 2024, §7.2) on the CIFAR
# ResNet-32: the prototype head with the IPM loss, Mixup (alpha 1),
# inverse-frequency class weights and the Hungarian re-assignment hook. Written
# for 10 classes and d=64 (long-tailed CIFAR-10 / SVHN / STL-10, Table 6); the
# CIFAR-100 configs of Table 4 change num_classes, d and the prototype file.
# The configs add their data set, schedule and runtime.
_base_ = ['./resnet32_cifar-he.py']

model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeClsHead',
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
