# PSC on long-tailed STL-10, imbalance 0.01 (Table 6): a
# linear softmax classifier, class-balanced cross-entropy, Mixup.
_base_ = ['./hpl_resnet32-d64_1xb128-200e_stl10-lt0.01.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=10,
        in_channels=64,
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
custom_hooks = [dict(type='ClassBalancedLossHook')]
