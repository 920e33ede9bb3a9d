# fcn_r18-w16-d8-fmnist-pre_1k_fashion-scenes-128x128.py with the backbone of
# the DNC Fashion-MNIST classifier
# configs/dnc/dnc_resnetv1c18-w16_5e_fashion-mnist-10k.py (row "FCN /
# DNC-ResNet" of DNC Table 3 at the bundled benchmark's scale).
_base_ = ['./fcn_r18-w16-d8-fmnist-pre_1k_fashion-scenes-128x128.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            checkpoint='checkpoints/'
            'dnc_resnetv1c18-w16_5e_fashion-mnist-10k_seg-backbone.pth')))
