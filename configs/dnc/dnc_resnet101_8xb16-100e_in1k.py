# DNC ResNet-101 on ImageNet-1k: the DNC row of DNC paper Tables 2/11.
# Same backbone, data, schedule and seed as its linear twin
# linear_resnet101_8xb16-100e_in1k.py; the linear classifier is replaced by
# SubCentroidClsHead.
# Paper settings (§4.1): 8 GPUs x batch 16, 100 epochs, SGD lr 0.1 with a step
# policy, K=4, mu=0.999, memory of 1,000 batches (8 x 16 x 1000 = 128,000
# features of 2,048 dims, 1.0 GiB in float32 per GPU; pass dtype='float16' to
# the memory hook to halve it).
_base_ = [
    './linear_resnet101_8xb16-100e_in1k.py', '../_base_/models/dnc_cls_head.py'
]

model = dict(
    head=dict(
        _delete_=True,
        type='SubCentroidClsHead',
        num_classes=1000,
        in_channels=2048,
        # K=4, mu 0.999, Sinkhorn eps 0.05 / 3 iterations (§3, §4.1)
        classifier=_base_.dnc_classifier,
        # As the official DNC code (https://github.com/ChengHan111/DNC):
        projection='layernorm',  # LayerNorm, then l2
        logit_normalization='layernorm_affine',  # nn.LayerNorm(C)
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
custom_hooks = [dict(type='SubCentroidMemoryHook', size_in_batches=1000)]
