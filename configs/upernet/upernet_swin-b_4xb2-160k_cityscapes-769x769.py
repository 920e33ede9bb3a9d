# UperNet + Swin-B, parametric (1x1 conv) pixel classifier, backbone from the
# parametric ImageNet classifier
# configs/dnc/linear_swin-base_8xb16-300e_in1k.py (DNC Tables 3 and 12, row
# "UperNet / Swin-B"). Cityscapes (19 classes), crop 769x769, batch 8 (4 GPUs x
# 2), 160k iterations (the paper trains every model 160k), sliding-window test
# as mmseg's 769x769 configs; AdamW lr 6e-5, poly.
_base_ = [
    '../_base_/models/upernet_swin-b.py',
    'mmseg::_base_/datasets/cityscapes_769x769.py',
    '../_base_/schedules/seg_adamw_160k_swin.py',
    '../_base_/default_runtime_seg.py',
]

crop_size = (769, 769)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=19, align_corners=True),
    auxiliary_head=dict(num_classes=19, align_corners=True),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(513, 513)))
