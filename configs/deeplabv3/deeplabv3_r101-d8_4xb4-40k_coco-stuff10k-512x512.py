# DeepLabV3 + ResNet-101, parametric (1x1 conv) pixel classifier, backbone from
# the parametric ImageNet classifier
# configs/dnc/linear_resnet101_8xb16-100e_in1k.py (DNC Table 9, row "DeepLabV3
# / ResNet-101"). COCO-Stuff-10k (171 classes), crop 512x512, batch 16 (4 GPUs
# x 4), 40k iterations (DNC appendix C); SGD lr 0.01, poly (mmseg default; see
# docs/methods/dnc_segmentation.md).
_base_ = [
    '../_base_/models/deeplabv3_r101-d8.py',
    'mmseg::_base_/datasets/coco-stuff10k.py',
    'mmseg::_base_/schedules/schedule_40k.py',
    '../_base_/default_runtime_seg.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=171),
    auxiliary_head=dict(num_classes=171))
