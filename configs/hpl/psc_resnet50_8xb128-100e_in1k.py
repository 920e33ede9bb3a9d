# PSC twin of hpl_resnet50-d512_8xb128-100e_in1k.py (linear softmax on the
# 2048-d feature; same data, schedule, Mixup and seed).
_base_ = ['./hpl_resnet50-d512_8xb128-100e_in1k.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=1000,
        in_channels=2048,
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
custom_hooks = []
