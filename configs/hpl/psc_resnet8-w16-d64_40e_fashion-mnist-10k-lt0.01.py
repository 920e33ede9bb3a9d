# PSC twin of hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01
# (class-balanced cross-entropy, Mixup alpha 1, 64 -> 64 projection + linear
# classifier).
_base_ = ['./hpl_resnet8-w16-d64_40e_fashion-mnist-10k-lt0.01.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=10,
        in_channels=64,
        embed_dims=64,
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
custom_hooks = [dict(type='ClassBalancedLossHook')]
