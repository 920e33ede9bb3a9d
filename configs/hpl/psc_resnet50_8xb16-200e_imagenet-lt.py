# PSC on ImageNet-LT, ResNet-50 (Table 5): linear softmax on the 2048-d
# feature, class-balanced cross-entropy, Mixup; same schedule.
_base_ = ['./hpl_resnet50-d4096_8xb16-200e_imagenet-lt.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=1000,
        in_channels=2048,
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
custom_hooks = [dict(type='ClassBalancedLossHook')]
