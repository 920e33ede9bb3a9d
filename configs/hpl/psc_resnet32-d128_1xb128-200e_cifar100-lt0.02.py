# PSC on long-tailed CIFAR-100, imbalance 0.02 (Table 4): 64 -> 128 projection
# and a linear softmax classifier, class-balanced cross-entropy, Mixup.
_base_ = ['./hpl_resnet32-d128_1xb128-200e_cifar100-lt0.02.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=100,
        in_channels=64,
        embed_dims=128,  # learnable 64 -> 128 projection
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
custom_hooks = [dict(type='ClassBalancedLossHook')]
