# FCN + ResNet-101, parametric (1x1 conv) pixel classifier, backbone from the
# parametric ImageNet classifier
# configs/dnc/linear_resnet101_8xb16-100e_in1k.py (DNC Tables 3 and 12, row
# "FCN / ResNet-101"). Cityscapes (19 classes), crop 769x769, batch 8 (4 GPUs x
# 2), 160k iterations (the paper trains every model 160k), sliding-window test
# as mmseg's 769x769 configs; SGD lr 0.01, poly (mmseg default; see
# docs/methods/dnc_segmentation.md).
_base_ = [
    '../_base_/models/fcn_r101-d8.py',
    'mmseg::_base_/datasets/cityscapes_769x769.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    '../_base_/default_runtime_seg.py',
]

crop_size = (769, 769)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=19, align_corners=True),
    auxiliary_head=dict(num_classes=19, align_corners=True),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(513, 513)))
