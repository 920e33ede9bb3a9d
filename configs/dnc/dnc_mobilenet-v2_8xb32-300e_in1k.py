# DNC MobileNet-V2 on ImageNet-1k: the DNC row of DNC paper Table 8.
# Same backbone, data, schedule and seed as its linear twin
# linear_mobilenet-v2_8xb32-300e_in1k.py; the linear classifier is replaced by
# SubCentroidClsHead.
# The paper (Table 8, §B) gives no MobileNet-V2 settings: mmpretrain's defaults
# are used (8 GPUs x batch 32, 300 epochs, SGD lr 0.045, x0.98 per epoch), with
# DNC's general K=4, mu=0.999 and the memory size the paper uses for CNNs
# (ResNet) on ImageNet, 1,000 batches (8 x 32 x 1000 = 256,000 features of
# 1,280 dims).
_base_ = [
    './linear_mobilenet-v2_8xb32-300e_in1k.py',
    '../_base_/models/dnc_cls_head.py'
]

model = dict(
    head=dict(
        _delete_=True,
        type='SubCentroidClsHead',
        num_classes=1000,
        in_channels=1280,
        # K=4, mu 0.999, Sinkhorn eps 0.05 / 3 iterations (§3, §4.1)
        classifier=_base_.dnc_classifier,
        # As the official DNC code (https://github.com/ChengHan111/DNC):
        projection='layernorm',  # LayerNorm, then l2
        logit_normalization='layernorm_affine',  # nn.LayerNorm(C)
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
custom_hooks = [dict(type='SubCentroidMemoryHook', size_in_batches=1000)]
