# HPL on ImageNet-1K with ResNet-50, d=512 (Table 3): SGD lr 0.5,
# batch 1024 (8 GPUs x 128), 5-epoch warm-up + cosine, 100 epochs, weight
# decay 2e-5, Mixup (alpha 1), §7.1.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/imagenet_bs16.py',
    '../_base_/schedules/imagenet_bs1024_sgd-coslr-100e_hpl.py',
    '../_base_/default_runtime_cls.py',
]

train_dataloader = dict(batch_size=128)
model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeClsHead',
        num_classes=1000,
        in_channels=2048,
        embed_dims=512,  # metric-space dimension d
        prototype_type='uniform',  # Eq. 5, SGD lr 0.1, 1000 steps (§4.1)
        # estimated (seeded) and cached at the first start if missing
        prototype_file='work_dirs/prototypes/hpl_d512_c1000_seed0.pt',
        class_mean_momentum=0.9,  # alpha of the class means
        loss=dict(type='IPMLoss', loss_weight=1.0),  # Eq. 6
        topk=(1, 5)),
    train_cfg=dict(augments=dict(type='Mixup', alpha=1.0)))
custom_hooks = [
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True)
]
