# PSC twin of hpl_resnet8-w16-d3_40e_fashion-mnist-10k: the same backbone
# and a learnable 64 -> 3 projection, then a linear softmax classifier
# trained with cross-entropy.
_base_ = ['./hpl_resnet8-w16-d3_40e_fashion-mnist-10k.py']

model = dict(
    head=dict(
        _delete_=True,
        type='UniformityLinearClsHead',
        num_classes=10,
        in_channels=64,
        embed_dims=3,
        uniformity_weight=0.0,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
custom_hooks = []
