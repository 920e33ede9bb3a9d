# PSC baseline of Table 1 (CIFAR-100, ResNet-32): a learnable 64 -> 50
# projection and a linear softmax classifier with cross-entropy; same data,
# schedule and seed as hpl_resnet32-d50_1xb128-250e_cifar100.py.
_base_ = ['./hpl_resnet32-d50_1xb128-250e_cifar100.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=100,
        in_channels=64,
        embed_dims=50,  # learnable 64 -> 50 projection
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
custom_hooks = []
