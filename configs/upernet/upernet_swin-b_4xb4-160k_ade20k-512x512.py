# UperNet + Swin-B, parametric (1x1 conv) pixel classifier, backbone from the
# parametric ImageNet classifier
# configs/dnc/linear_swin-base_8xb16-300e_in1k.py (DNC Tables 3 and 12, row
# "UperNet / Swin-B"). ADE20K (150 classes), crop 512x512, batch 16 (4 GPUs x
# 4), 160k iterations; AdamW lr 6e-5, poly.
_base_ = [
    '../_base_/models/upernet_swin-b.py',
    'mmseg::_base_/datasets/ade20k.py',
    '../_base_/schedules/seg_adamw_160k_swin.py',
    '../_base_/default_runtime_seg.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
