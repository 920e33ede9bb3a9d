# HPL on ImageNet-1K with Swin-T from scratch, d=512 (Table 3): AdamW lr 1e-3,
# weight decay 2e-5, batch 1024 (8 GPUs x 128), 100 epochs (§7.1). The Swin
# base recipe (Mixup 0.8 / CutMix 1.0, 224 px, drop path 0.2) is kept; the
# label-smoothing loss is replaced by L_IPM.
_base_ = [
    'mmpretrain::_base_/models/swin_transformer/tiny_224.py',
    '../_base_/datasets/imagenet_bs16_swin_224.py',
    '../_base_/schedules/imagenet_bs1024_adamw-coslr-100e_hpl.py',
    '../_base_/default_runtime_cls.py',
]

train_dataloader = dict(batch_size=128)
model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeClsHead',
        num_classes=1000,
        in_channels=768,
        embed_dims=512,  # metric-space dimension d
        prototype_type='uniform',  # Eq. 5, SGD lr 0.1, 1000 steps (§4.1)
        # estimated (seeded) and cached at the first start if missing
        prototype_file='work_dirs/prototypes/hpl_d512_c1000_seed0.pt',
        class_mean_momentum=0.9,  # alpha of the class means
        loss=dict(type='IPMLoss', loss_weight=1.0),  # Eq. 6
        topk=(1, 5)))
custom_hooks = [
    dict(type='PrototypeAssignmentHook', interval=1, by_epoch=True)
]
