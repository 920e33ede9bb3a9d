# ResNet-8 (16-32-64) with HPL's head for Fashion-MNIST: a learnable 64 -> 3
# projection, l2-normalised, scored against 10 fixed uniformity prototypes
# in R^3 (estimated at start-up with seed 0 and cached under work_dirs/),
# IPM loss, class means with momentum 0.9.
_base_ = ['./resnet8-w16_fashion-mnist.py']

model = dict(
    head=dict(
        _delete_=True,
        type='HypersphericalPrototypeClsHead',
        num_classes=10,
        in_channels=64,
        embed_dims=3,
        prototype_type='uniform',
        prototype_file='work_dirs/prototypes/hpl_d3_c10_seed0.pt',
        class_mean_momentum=0.9,
        loss=dict(type='IPMLoss', loss_weight=1.0),
        topk=(1, )))
