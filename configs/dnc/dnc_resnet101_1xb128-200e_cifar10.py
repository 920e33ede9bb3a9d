# DNC ResNet-101 on CIFAR-10: the "DNC-ResNet" row of DNC paper Tables 1/10.
# Same backbone, data, schedule (200 epochs, batch 128) and seed as its linear
# twin linear_resnet101_1xb128-200e_cifar10.py; the linear classifier is
# replaced by K=4 sub-centroids per class (mu 0.999, Sinkhorn eps 0.05 / 3
# iterations) and a memory of 100 batches (§4.1; K and mu are the paper's
# general values, stated with the ImageNet settings).
_base_ = [
    './linear_resnet101_1xb128-200e_cifar10.py',
    '../_base_/models/dnc_cls_head.py'
]

model = dict(
    head=dict(
        _delete_=True,
        type='SubCentroidClsHead',
        num_classes=10,
        in_channels=2048,
        # K=4, mu 0.999, Sinkhorn eps 0.05 / 3 iterations (§3, §4.1)
        classifier=_base_.dnc_classifier,
        # As the official DNC code (https://github.com/ChengHan111/DNC):
        projection='layernorm',  # LayerNorm, then l2
        logit_normalization='layernorm_affine',  # nn.LayerNorm(C)
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
custom_hooks = [dict(type='SubCentroidMemoryHook', size_in_batches=100)]
