# DeepLabV3 + ResNet-101, parametric (1x1 conv) pixel classifier, backbone from
# the parametric ImageNet classifier
# configs/dnc/linear_resnet101_8xb16-100e_in1k.py (DNC Tables 3 and 12, row
# "DeepLabV3 / ResNet-101"). ADE20K (150 classes), crop 512x512, batch 16 (4
# GPUs x 4), 160k iterations; SGD lr 0.01, poly (mmseg default; see
# docs/methods/dnc_segmentation.md).
_base_ = [
    '../_base_/models/deeplabv3_r101-d8.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    '../_base_/default_runtime_seg.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
