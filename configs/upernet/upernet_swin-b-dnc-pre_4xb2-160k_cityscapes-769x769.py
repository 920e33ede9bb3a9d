# upernet_swin-b_4xb2-160k_cityscapes-769x769.py with the backbone of the DNC
# ImageNet classifier configs/dnc/dnc_swin-base_8xb16-300e_in1k.py (row
# "UperNet / DNC-Swin-B" of DNC Tables 3 and 12), converted with
# tools/model_converters/cls_to_seg_backbone.py.
_base_ = ['./upernet_swin-b_4xb2-160k_cityscapes-769x769.py']

model = dict(
    backbone=dict(
        init_cfg=dict(checkpoint='checkpoints/'
                      'dnc_swin-base_8xb16-300e_in1k_seg-backbone.pth')))
