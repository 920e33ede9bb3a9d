# DNC-FCN with the backbone of the linear Fashion-MNIST classifier (row
# "DNC-FCN / ResNet" of DNC Table 3 at the bundled benchmark's scale): the
# parametric twin ../fcn/fcn_r18-w16-d8-fmnist-pre_1k_fashion-scenes-128x128.py
# with the DNC pixel classifier (../_base_/models/dnc_seg_head.py).
_base_ = [
    '../fcn/fcn_r18-w16-d8-fmnist-pre_1k_fashion-scenes-128x128.py',
    '../_base_/models/dnc_seg_head.py',
]

# plain class-score LayerNorm, as the DNC-FCN trained from scratch
model = dict(
    decode_head=dict(
        type='SubCentroidFCNHead',
        **dict(_base_.dnc_head, logit_normalization='layernorm')))
