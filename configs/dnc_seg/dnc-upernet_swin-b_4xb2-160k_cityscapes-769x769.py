# DNC-UperNet + Swin-B (row "DNC-UperNet / Swin-B" of DNC Tables 3 and 12): the
# parametric twin ../upernet/upernet_swin-b_4xb2-160k_cityscapes-769x769.py
# with the 1x1 conv_seg replaced by K=10 sub-centroids per class, momentum
# 0.999, Sinkhorn clustering of every batch's pixels (DNC §4.2, settings in
# ../_base_/models/dnc_seg_head.py); the auxiliary head stays parametric.
_base_ = [
    '../upernet/upernet_swin-b_4xb2-160k_cityscapes-769x769.py',
    '../_base_/models/dnc_seg_head.py',
]

model = dict(decode_head=dict(type='SubCentroidUPerHead', **_base_.dnc_head))
