# deeplabv3_r101-d8_4xb4-40k_coco-stuff10k-512x512.py with the backbone of the
# DNC ImageNet classifier configs/dnc/dnc_resnet101_8xb16-100e_in1k.py (row
# "DeepLabV3 / DNC-ResNet-101" of DNC Table 9), converted with
# tools/model_converters/cls_to_seg_backbone.py.
_base_ = ['./deeplabv3_r101-d8_4xb4-40k_coco-stuff10k-512x512.py']

model = dict(
    backbone=dict(
        init_cfg=dict(checkpoint='checkpoints/'
                      'dnc_resnet101_8xb16-100e_in1k_seg-backbone.pth')))
