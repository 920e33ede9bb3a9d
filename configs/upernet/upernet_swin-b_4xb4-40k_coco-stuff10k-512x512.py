# UperNet + Swin-B, parametric (1x1 conv) pixel classifier, backbone from the
# parametric ImageNet classifier
# configs/dnc/linear_swin-base_8xb16-300e_in1k.py (DNC Table 9, row "UperNet /
# Swin-B"). COCO-Stuff-10k (171 classes), crop 512x512, batch 16 (4 GPUs x 4),
# 40k iterations (DNC appendix C); AdamW lr 6e-5, poly.
_base_ = [
    '../_base_/models/upernet_swin-b.py',
    'mmseg::_base_/datasets/coco-stuff10k.py',
    '../_base_/schedules/seg_adamw_40k_swin.py',
    '../_base_/default_runtime_seg.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=171),
    auxiliary_head=dict(num_classes=171))
