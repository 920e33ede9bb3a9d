# PSC baseline of Table 1 (ImageNet-200, ResNet-32): a learnable 64 -> 100
# projection and a linear softmax classifier with cross-entropy; same data,
# schedule and seed as hpl_resnet32-d100_1xb128-250e_imagenet200.py.
_base_ = ['./hpl_resnet32-d100_1xb128-250e_imagenet200.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=200,
        in_channels=64,
        embed_dims=100,  # learnable 64 -> 100 projection
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
custom_hooks = []
