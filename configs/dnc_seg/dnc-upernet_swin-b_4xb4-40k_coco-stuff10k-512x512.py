# DNC-UperNet + Swin-B (row "DNC-UperNet / Swin-B" of DNC Table 9): the
# parametric twin ../upernet/upernet_swin-b_4xb4-40k_coco-stuff10k-512x512.py
# with the 1x1 conv_seg replaced by K=10 sub-centroids per class, momentum
# 0.999, Sinkhorn clustering of every batch's pixels (DNC §4.2, settings in
# ../_base_/models/dnc_seg_head.py); the auxiliary head stays parametric.
_base_ = [
    '../upernet/upernet_swin-b_4xb4-40k_coco-stuff10k-512x512.py',
    '../_base_/models/dnc_seg_head.py',
]

model = dict(decode_head=dict(type='SubCentroidUPerHead', **_base_.dnc_head))
