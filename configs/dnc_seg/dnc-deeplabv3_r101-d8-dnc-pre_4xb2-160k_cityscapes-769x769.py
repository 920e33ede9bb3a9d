# DNC-DeepLabV3 + DNC-ResNet-101 (row "DNC-DeepLabV3 / DNC-ResNet-101" of DNC
# Tables 3 and 12): ./dnc-deeplabv3_r101-d8_4xb2-160k_cityscapes-769x769.py
# with the backbone of the DNC ImageNet classifier
# configs/dnc/dnc_resnet101_8xb16-100e_in1k.py, converted with
# tools/model_converters/cls_to_seg_backbone.py.
_base_ = ['./dnc-deeplabv3_r101-d8_4xb2-160k_cityscapes-769x769.py']

model = dict(
    backbone=dict(
        init_cfg=dict(checkpoint='checkpoints/'
                      'dnc_resnet101_8xb16-100e_in1k_seg-backbone.pth')))
