# DNC Swin-S on ImageNet-1k: the DNC row of DNC paper Tables 2/11.
# Same backbone, data, schedule and seed as its linear twin
# linear_swin-small_8xb16-300e_in1k.py; the linear classifier is replaced by
# SubCentroidClsHead.
# Paper settings (§4.1): 8 GPUs x batch 16, 300 epochs, lr 0.0005 with a
# polynomial annealing policy, K=4, mu=0.999, memory of 500 batches (8 x 16 x
# 500 = 64,000 features).
# The head keeps the baseline's Swin training recipe (label smoothing 0.1,
# Mixup/CutMix; the head clusters each sample under its dominant label), so
# only the classifier differs.
_base_ = [
    './linear_swin-small_8xb16-300e_in1k.py',
    '../_base_/models/dnc_cls_head.py'
]

model = dict(
    head=dict(
        _delete_=True,
        type='SubCentroidClsHead',
        num_classes=1000,
        in_channels=768,
        # K=4, mu 0.999, Sinkhorn eps 0.05 / 3 iterations (§3, §4.1)
        classifier=_base_.dnc_classifier,
        # As the official DNC code (https://github.com/ChengHan111/DNC):
        projection='layernorm',  # LayerNorm, then l2
        logit_normalization='layernorm_affine',  # nn.LayerNorm(C)
        cal_acc=False,
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))
custom_hooks = [dict(type='SubCentroidMemoryHook', size_in_batches=500)]
